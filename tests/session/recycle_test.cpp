// Messages used again (session.hpp, "Reusing messages"): a received PUBLISH built into a message
// the application gave back with recycle(), and publish(const message&) copying into one, carry
// every field of their own and nothing of the message the storage held before. That the reuse
// allocates nothing is tests/alloc/session_alloc_test.cpp's.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/session/session.hpp"
#include "client/session/store.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

// A PUBLISH with no properties at all.
mqtt::publish plain_packet(qos q, std::uint16_t id) {
    return server_publish(q, id, "a/b", "x");
}
message_received plain_event(qos q, std::uint16_t id) {
    message_received e;
    e.message = make_message("a/b", "x", q);
    e.packet_id = id;
    return e;
}

// Some properties, each different from full_inbound's: fewer User Properties, other values.
struct some_publish {
    const std::uint8_t correlation[1] = {0x01};
    const string_pair user[1] = {{"k", "v"}};
    const std::uint32_t sub_ids[1] = {42};

    mqtt::publish packet(qos q, std::uint16_t id) const {
        mqtt::publish p =
            server_publish(q, id, "c", "a payload that is longer than the others were");
        p.props.message_expiry_interval = 5;
        p.props.content_type = "text/plain";
        p.props.correlation_data = bytes_view(correlation);
        p.props.user_properties = std::span<const string_pair>(user);
        p.props.subscription_identifiers = std::span<const std::uint32_t>(sub_ids);
        return p;
    }
    message_received event(qos q, std::uint16_t id) const {
        message_received e;
        e.message = make_message("c", "a payload that is longer than the others were", q);
        e.message.props.message_expiry_interval = 5;
        e.message.props.content_type = "text/plain";
        e.message.props.correlation_data = byte_vector{0x01};
        e.message.props.user_properties = {{"k", "v"}};
        e.message.props.subscription_identifiers = {42};
        e.packet_id = id;
        return e;
    }
};

// The example of the brief: a message with every property, given back, then one with none.
TEST(recycle, message_received_keeps_no_property_of_a_recycled_message) {
    connected_session c;
    const full_inbound full;
    c.peer.reply(full.packet(qos::at_least_once, 1));
    message_received first = c.peer.expect_event<message_received>();
    EXPECT_EQ(first, full.event(qos::at_least_once, 1));
    c.s.recycle(std::move(first.message));

    c.peer.reply(plain_packet(qos::at_most_once, 0));
    EXPECT_EQ(c.peer.expect_event<message_received>(), plain_event(qos::at_most_once, 0));
}

// Every transition between messages: all properties to none, none to all, all to a few other
// values (fewer User Properties), a few to all; at every QoS; each message given back before the
// next arrives, so each is built in the storage of the one before.
TEST(recycle, each_message_received_in_recycled_storage_is_exactly_its_own) {
    connected_session c;
    const full_inbound full;
    const some_publish some;
    std::uint16_t id = 0;
    for (const qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
        const auto receive = [&](const mqtt::publish& p, const message_received& expected) {
            c.peer.reply(p);
            message_received got = c.peer.expect_event<message_received>();
            EXPECT_EQ(got, expected) << "QoS " << int(q) << ", Packet Identifier " << p.packet_id;
            c.s.recycle(std::move(got.message));
            if (q == qos::exactly_once) c.peer.reply(rel_of(p.packet_id));
        };
        const auto next_id = [&] { return q == qos::at_most_once ? std::uint16_t(0) : ++id; };
        std::uint16_t i = next_id();
        receive(full.packet(q, i), full.event(q, i));
        i = next_id();
        receive(plain_packet(q, i), plain_event(q, i));
        i = next_id();
        receive(full.packet(q, i), full.event(q, i));
        i = next_id();
        receive(some.packet(q, i), some.event(q, i));
        i = next_id();
        receive(full.packet(q, i), full.event(q, i));
    }
}

// A message with every property an application may publish (no Subscription Identifier: never
// in a client's PUBLISH, MQTT-3.3.4-6).
message full_message(qos q) {
    message m = make_message("sensors/building-7/floor-3/room-12/temperature",
                             "{\"celsius\": 21.5, \"humidity\": 40}", q);
    m.props.payload_format_indicator = 1;
    m.props.message_expiry_interval = 3600;
    m.props.content_type = "application/json; charset=utf-8";
    m.props.response_topic = "replies/for/sensor-room-12";
    m.props.correlation_data = byte_vector{0xDE, 0xAD, 0xBE, 0xEF};
    m.props.user_properties = {{"z", "1"}, {"a", "two"}};
    return m;
}

// publish() of an lvalue (publish(const message&)) sends the bytes publish(message&&) sends, and
// leaves the caller's message as it was.
TEST(recycle, publish_lvalue_sends_what_publish_rvalue_sends) {
    for (const qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
        for (const message& original : {full_message(q), make_message("a/b", "x", q)}) {
            connected_session by_ref;
            connected_session by_value;
            message m = original;
            const command_result r = by_ref.s.publish(m, by_ref.peer.now);
            ASSERT_TRUE(r) << r.detail;
            EXPECT_EQ(by_value.s.publish(message(original), by_value.peer.now).ticket, r.ticket);
            EXPECT_EQ(by_ref.out(), by_value.out()) << "QoS " << int(q);
            EXPECT_EQ(m, original) << "the caller's message was changed";
        }
    }
}

// A QoS 1/2 publish(const message&) copies into the storage of a message given back: a received
// one (with Subscription Identifiers, which a client's PUBLISH never carries, MQTT-3.3.4-6) or a
// completed publish's. What is sent, stored and reported is the new message's alone.
TEST(recycle, publish_const_ref_into_recycled_storage_sends_only_its_own_fields_MQTT_3_3_4_6) {
    memory_store store;
    session s(connect_options{}, &store);
    scripted_peer peer(s);
    peer.handshake();
    const full_inbound full;
    peer.reply(full.packet(qos::at_most_once, 0));
    s.recycle(std::move(peer.expect_event<message_received>().message));

    const message plain = make_message("a/b", "x", qos::at_least_once);
    ASSERT_TRUE(s.publish(plain, peer.now));
    ASSERT_EQ(store.load().outbound.size(), 1u);
    EXPECT_EQ(store.load().outbound[0].message, plain);
    const auto first = peer.expect<mqtt::publish>();
    EXPECT_EQ(first.topic, "a/b");
    EXPECT_EQ(to_vector(first.payload), bytes_of("x"));
    EXPECT_EQ(first.props, properties{}) << "properties of the recycled message were sent";
    peer.reply(ack_of(first.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().packet_id, first.packet_id);

    // The completed publish's message is the spare now: a QoS 2 one with every property.
    const message rich = full_message(qos::exactly_once);
    ASSERT_TRUE(s.publish(rich, peer.now));
    EXPECT_EQ(store.load().outbound[0].message, rich);
    const auto second = peer.expect<mqtt::publish>();
    EXPECT_EQ(second.topic, rich.topic);
    EXPECT_EQ(second.props.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(pairs_of(second.props.user_properties), rich.props.user_properties);
    EXPECT_TRUE(second.props.subscription_identifiers.empty());
    peer.reply(rec_of(second.packet_id));
    EXPECT_EQ(peer.expect<pubrel>().packet_id, second.packet_id);
    peer.reply(comp_of(second.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().packet_id, second.packet_id);

    // And back to the plain one, in the storage that held every property.
    ASSERT_TRUE(s.publish(plain, peer.now));
    EXPECT_EQ(store.load().outbound[0].message, plain);
    EXPECT_EQ(peer.expect<mqtt::publish>().props, properties{});
}

}  // namespace
}  // namespace mqtt::session::test
