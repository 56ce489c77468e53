// The server's PUBLISHes: delivery with every property, acknowledgements in arrival order, QoS 2
// delivered once, PUBREL for unknown ids, and our Receive Maximum.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

// Several packets in one read.
byte_vector concat(std::initializer_list<packet> packets) {
    byte_vector out;
    for (const packet& p : packets) {
        const byte_vector one = mqtt::test::encode_to_vector(p);
        out.insert(out.end(), one.begin(), one.end());
    }
    return out;
}

TEST(publish_in, qos0_delivered_with_every_property_and_not_acknowledged) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const full_inbound f;
    peer.reply(f.packet(qos::at_most_once, 0));
    EXPECT_EQ(peer.expect_event<message_received>(), f.event(qos::at_most_once, 0));
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

TEST(publish_in, qos1_delivered_with_every_property_and_puback) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const full_inbound f;
    peer.reply(f.packet(qos::at_least_once, 300));
    EXPECT_EQ(peer.expect_event<message_received>(), f.event(qos::at_least_once, 300));
    const auto ack = peer.expect<puback>();
    EXPECT_EQ(ack.packet_id, 300);
    EXPECT_EQ(ack.reason, reason_code::success);
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

TEST(publish_in, qos2_delivered_once_with_pubrec_then_pubcomp) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const full_inbound f;
    peer.reply(f.packet(qos::exactly_once, 65'535));
    EXPECT_EQ(peer.expect_event<message_received>(), f.event(qos::exactly_once, 65'535));
    const auto rec = peer.expect<pubrec>();
    EXPECT_EQ(rec.packet_id, 65'535);
    EXPECT_EQ(rec.reason, reason_code::success);
    peer.expect_nothing_sent();
    EXPECT_EQ(s.inbound_qos2_pending(), 1u);

    peer.reply(rel_of(65'535));
    const auto comp = peer.expect<pubcomp>();
    EXPECT_EQ(comp.packet_id, 65'535);
    EXPECT_EQ(comp.reason, reason_code::success);
    EXPECT_EQ(s.inbound_qos2_pending(), 0u);
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

// PUBACKs and PUBRECs go out in the order the PUBLISHes arrived (MQTT-4.6.0-2, MQTT-4.6.0-3).
TEST(publish_in, acks_in_arrival_order_MQTT_4_6_0_2_MQTT_4_6_0_3) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    peer.reply_bytes(concat({
        server_publish(qos::at_least_once, 10),
        server_publish(qos::exactly_once, 3),
        server_publish(qos::at_least_once, 7),
        server_publish(qos::at_most_once, 0),
        server_publish(qos::exactly_once, 1),
        server_publish(qos::at_least_once, 2),
    }));
    EXPECT_EQ(peer.expect<puback>().packet_id, 10);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 3);
    EXPECT_EQ(peer.expect<puback>().packet_id, 7);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 1);
    EXPECT_EQ(peer.expect<puback>().packet_id, 2);
    peer.expect_nothing_sent();

    // Delivered in arrival order too.
    for (std::uint16_t id : {10, 3, 7, 0, 1, 2})
        EXPECT_EQ(peer.expect_event<message_received>().packet_id, id);
    peer.expect_no_event();
}

// The same chunking, one byte at a time: same acks, same order.
TEST(publish_in, acks_in_arrival_order_byte_by_byte_MQTT_4_6_0_2) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const byte_vector all =
        concat({server_publish(qos::exactly_once, 5), server_publish(qos::at_least_once, 4),
                server_publish(qos::exactly_once, 6)});
    for (std::uint8_t b : all)
        peer.reply_bytes(byte_vector{b});
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 5);
    EXPECT_EQ(peer.expect<puback>().packet_id, 4);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 6);
    peer.expect_nothing_sent();
}

// A repeated QoS 2 PUBLISH before PUBREL: PUBREC again, no second delivery (MQTT-4.3.3-10).
TEST(publish_in, qos2_duplicate_before_pubrel_not_delivered_again_MQTT_4_3_3_10) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    peer.reply(server_publish(qos::exactly_once, 42, "t", "once"));
    EXPECT_EQ(peer.expect_event<message_received>().message.payload, bytes_of("once"));
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 42);

    mqtt::publish again = server_publish(qos::exactly_once, 42, "t", "once");
    again.dup = true;
    peer.reply(again);
    const auto rec = peer.expect<pubrec>();
    EXPECT_EQ(rec.packet_id, 42);
    EXPECT_EQ(rec.reason, reason_code::success);
    peer.expect_no_event();

    // Even without DUP (spec 4.3.3: the Packet Identifier decides).
    peer.reply(server_publish(qos::exactly_once, 42, "t", "once"));
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 42);
    peer.expect_no_event();
    EXPECT_EQ(s.inbound_qos2_pending(), 1u);

    peer.reply(rel_of(42));
    EXPECT_EQ(peer.expect<pubcomp>().packet_id, 42);
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

// After PUBCOMP, a PUBLISH with the same id is a new message (MQTT-4.3.3-12).
TEST(publish_in, qos2_same_id_after_pubcomp_is_new_MQTT_4_3_3_12) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    peer.reply(server_publish(qos::exactly_once, 9, "t", "first"));
    peer.expect_event<message_received>();
    peer.expect<pubrec>();
    peer.reply(rel_of(9));
    peer.expect<pubcomp>();

    peer.reply(server_publish(qos::exactly_once, 9, "t", "second"));
    const auto e = peer.expect_event<message_received>();
    EXPECT_EQ(e.message.payload, bytes_of("second"));
    EXPECT_EQ(e.packet_id, 9);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 9);
    peer.reply(rel_of(9));
    EXPECT_EQ(peer.expect<pubcomp>().packet_id, 9);
}

// PUBREL for an id with no QoS 2 exchange: PUBCOMP 0x92 Packet Identifier not found.
TEST(publish_in, pubrel_for_unknown_id_gets_pubcomp_0x92) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    peer.reply(rel_of(77));
    const auto comp = peer.expect<pubcomp>();
    EXPECT_EQ(comp.packet_id, 77);
    EXPECT_EQ(comp.reason, reason_code::packet_identifier_not_found);
    peer.expect_no_event();
    EXPECT_FALSE(s.wants_close());

    // A second PUBREL after the exchange ended is unknown as well.
    peer.reply(server_publish(qos::exactly_once, 78));
    peer.expect<pubrec>();
    peer.reply(rel_of(78));
    EXPECT_EQ(peer.expect<pubcomp>().reason, reason_code::success);
    peer.reply(rel_of(78));
    EXPECT_EQ(peer.expect<pubcomp>().reason, reason_code::packet_identifier_not_found);
}

// After PUBACK, a QoS 1 PUBLISH with the same id is a new message, DUP or not (MQTT-4.3.2-5).
TEST(publish_in, qos1_same_id_after_puback_is_new_MQTT_4_3_2_5) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    peer.reply(server_publish(qos::at_least_once, 5, "t", "one"));
    EXPECT_EQ(peer.expect_event<message_received>().message.payload, bytes_of("one"));
    EXPECT_EQ(peer.expect<puback>().packet_id, 5);

    mqtt::publish again = server_publish(qos::at_least_once, 5, "t", "one");
    again.dup = true;
    peer.reply(again);
    const auto e = peer.expect_event<message_received>();
    EXPECT_EQ(e.message.payload, bytes_of("one"));
    EXPECT_TRUE(e.dup);
    EXPECT_EQ(peer.expect<puback>().packet_id, 5);
    peer.expect_nothing_sent();
}

// Every PUBLISH is acknowledged, though nobody subscribed and no event is looked at
// (MQTT-4.5.0-2).
TEST(publish_in, every_publish_acknowledged_MQTT_4_5_0_2) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    constexpr int n = 200;
    for (int i = 1; i <= n; ++i) {
        const qos q = i % 2 ? qos::at_least_once : qos::exactly_once;
        s.receive(
            mqtt::test::encode_to_vector(server_publish(q, std::uint16_t(i), "unsolicited", "")),
            peer.now);
        // The application drains nothing; the acknowledgement is still in the output.
    }
    for (int i = 1; i <= n; ++i) {
        const packet p = peer.next_packet();
        if (i % 2) {
            ASSERT_TRUE(std::holds_alternative<puback>(p)) << to_string(p);
            EXPECT_EQ(std::get<puback>(p).packet_id, i);
        } else {
            ASSERT_TRUE(std::holds_alternative<pubrec>(p)) << to_string(p);
            EXPECT_EQ(std::get<pubrec>(p).packet_id, i);
        }
    }
    peer.expect_nothing_sent();
}

// A PUBLISH with an empty payload and no properties is delivered as such.
TEST(publish_in, empty_payload_delivered) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    peer.reply(server_publish(qos::at_most_once, 0, "empty", ""));
    const auto e = peer.expect_event<message_received>();
    EXPECT_EQ(e.message.topic, "empty");
    EXPECT_TRUE(e.message.payload.empty());
    EXPECT_EQ(e.message.props, message_properties{});
    EXPECT_FALSE(e.topic_alias.has_value());
}

// Our Receive Maximum 2: a third unacknowledged QoS 2 PUBLISH is a violation, DISCONNECT 0x93
// Receive Maximum exceeded (spec 3.3.4).
TEST(publish_in, more_qos2_than_our_receive_maximum_disconnects_0x93) {
    connect_options o;
    o.receive_maximum = 2;
    session s(o);
    scripted_peer peer(s);
    peer.open();
    EXPECT_EQ(peer.expect<connect>().props.receive_maximum, 2);
    peer.reply(connack{});
    peer.expect_event<connected>();

    peer.reply(server_publish(qos::exactly_once, 1));
    peer.reply(server_publish(qos::exactly_once, 2));
    peer.expect<pubrec>();
    peer.expect<pubrec>();
    peer.expect_event<message_received>();
    peer.expect_event<message_received>();

    peer.reply(server_publish(qos::exactly_once, 3));
    const auto d = peer.expect<mqtt::disconnect>();
    EXPECT_EQ(d.reason, reason_code::receive_maximum_exceeded);
    EXPECT_TRUE(d.props.reason_string.has_value());
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    const auto ev = peer.expect_event<disconnected>();  // the third is not delivered
    EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(ev.reason, reason_code::receive_maximum_exceeded);
    peer.expect_no_event();
}

// Within our Receive Maximum, completed exchanges make room again.
TEST(publish_in, receive_maximum_counts_only_unreleased_qos2) {
    connect_options o;
    o.receive_maximum = 1;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    for (std::uint16_t id = 1; id <= 5; ++id) {
        peer.reply(server_publish(qos::exactly_once, id));
        EXPECT_EQ(peer.expect<pubrec>().packet_id, id);
        peer.reply(rel_of(id));
        EXPECT_EQ(peer.expect<pubcomp>().packet_id, id);
        peer.expect_event<message_received>();
    }
    EXPECT_FALSE(s.wants_close());
}

}  // namespace
}  // namespace mqtt::session::test
