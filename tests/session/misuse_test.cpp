// Caller misuse: every command the session refuses returns the right errc with a detail naming the
// field or limit, and nothing is sent, queued or reported.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

// Refused with `e`, the detail names `field`, and nothing happened.
void expect_refused(connected_session& c, const command_result& r, errc e, std::string_view field) {
    EXPECT_FALSE(r);
    EXPECT_EQ(r.error, e) << r.error.message() << ": " << r.detail;
    EXPECT_TRUE(contains_ignoring_case(r.detail, field))
        << "detail \"" << r.detail << "\" does not name " << field;
    c.peer.expect_nothing_sent();
    c.peer.expect_no_event();
    EXPECT_EQ(c.s.queued(), 0u);
    EXPECT_EQ(c.s.inflight(), 0u);
    EXPECT_FALSE(c.s.wants_close());
}

// Refuses `m` at QoS 0, 1 and 2 alike.
void expect_publish_refused(connected_session& c, message m, errc e, std::string_view field) {
    for (qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
        SCOPED_TRACE(int(q));
        m.qos = q;
        expect_refused(c, c.s.publish(m, c.peer.now), e, field);
    }
}

// MQTT-3.3.2-2, MQTT-4.7.0-1: no wildcards in a Topic Name.
TEST(misuse, wildcard_in_topic_name_MQTT_3_3_2_2_MQTT_4_7_0_1) {
    connected_session c;
    for (const char* topic : {"a/+", "a/#", "+", "#", "a/+/b", "a+b", "sport/#/x"}) {
        SCOPED_TRACE(topic);
        expect_publish_refused(c, make_message(topic), errc::invalid_topic, "Topic Name");
    }
}

// The caller cannot send an empty topic: only a Topic Alias the session chose may stand for one.
TEST(misuse, empty_topic_name) {
    connected_session c;
    expect_publish_refused(c, make_message(""), errc::invalid_topic, "Topic Name");
}

// MQTT-1.5.4-1, MQTT-1.5.4-2 in the Topic Name.
TEST(misuse, invalid_utf8_in_topic_name) {
    connected_session c;
    const std::string bad[] = {
        "a/\xC3\x28",            // truncated two-byte sequence
        "\xED\xA0\x80",          // a surrogate, U+D800
        "\xC0\xAF",              // overlong '/'
        std::string("a\0b", 3),  // U+0000
        "\xF4\x90\x80\x80",      // above U+10FFFF
    };
    for (const std::string& topic : bad) {
        expect_publish_refused(c, make_message(topic), errc::invalid_topic, "Topic Name");
    }
}

TEST(misuse, invalid_utf8_in_content_type) {
    connected_session c;
    message m = make_message("t");
    m.props.content_type = "text/\xFF";
    expect_publish_refused(c, m, errc::invalid_utf8, "Content Type");
}

TEST(misuse, invalid_utf8_in_user_property) {
    connected_session c;
    message m = make_message("t");
    m.props.user_properties = {{"fine", "fine"}, {"bad\xC3", "value"}};
    expect_publish_refused(c, m, errc::invalid_utf8, "User Property");
    m.props.user_properties = {{"name", std::string("v\0", 2)}};
    expect_publish_refused(c, m, errc::invalid_utf8, "User Property");
}

// A Response Topic is a Topic Name (spec 3.3.2.3.5): errc::invalid_topic, naming the property.
TEST(misuse, invalid_utf8_in_response_topic) {
    connected_session c;
    message m = make_message("t");
    m.props.response_topic = "reply/\xED\xBF\xBF";  // U+DFFF
    expect_publish_refused(c, m, errc::invalid_topic, "Response Topic");
}

// MQTT-3.3.2-14: no wildcards in a Response Topic.
TEST(misuse, wildcard_in_response_topic_MQTT_3_3_2_14) {
    connected_session c;
    message m = make_message("t");
    for (const char* topic : {"reply/+", "reply/#", ""}) {
        SCOPED_TRACE(topic);
        m.props.response_topic = topic;
        expect_publish_refused(c, m, errc::invalid_topic, "Response Topic");
    }
}

TEST(misuse, qos_3_is_invalid) {
    connected_session c;
    message m = make_message("t");
    m.qos = qos(3);
    expect_refused(c, c.s.publish(m, c.peer.now), errc::invalid_argument, "QoS");
}

TEST(misuse, payload_format_indicator_other_than_0_or_1) {
    connected_session c;
    message m = make_message("t");
    m.props.payload_format_indicator = 2;
    expect_publish_refused(c, m, errc::invalid_argument, "Payload Format Indicator");
}

// MQTT-3.2.2-11: never above the server's Maximum QoS.
TEST(misuse, qos_above_server_maximum_MQTT_3_2_2_11) {
    {
        connack ack;
        ack.props.maximum_qos = 1;
        connected_session c({}, ack);
        message m = make_message("t", qos::exactly_once);
        expect_refused(c, c.s.publish(m, c.peer.now), errc::qos_not_supported, "Maximum QoS");
        m.qos = qos::at_least_once;  // within the maximum
        ASSERT_TRUE(c.s.publish(m, c.peer.now));
        EXPECT_EQ(c.peer.expect<mqtt::publish>().qos, qos::at_least_once);
    }
    {
        connack ack;
        ack.props.maximum_qos = 0;
        connected_session c({}, ack);
        for (qos q : {qos::at_least_once, qos::exactly_once}) {
            expect_refused(c, c.s.publish(make_message("t", q), c.peer.now),
                           errc::qos_not_supported, "Maximum QoS");
        }
        ASSERT_TRUE(c.s.publish(make_message("t", qos::at_most_once), c.peer.now));
        c.peer.expect<mqtt::publish>();
    }
}

// MQTT-3.2.2-14: no RETAIN when the server said Retain Available 0.
TEST(misuse, retain_when_unavailable_MQTT_3_2_2_14) {
    connack ack;
    ack.props.retain_available = 0;
    connected_session c({}, ack);
    message m = make_message("t");
    m.retain = true;
    expect_publish_refused(c, m, errc::retain_not_supported, "retain");
    m.retain = false;
    ASSERT_TRUE(c.s.publish(m, c.peer.now));
    EXPECT_FALSE(c.peer.expect<mqtt::publish>().retain);
}

// MQTT-3.2.2-15: the server's Maximum Packet Size bounds the whole packet, fixed header and
// properties included, not the payload. Server maximum 100; topic "a/b":
//   QoS 0: 1 type byte + 1 Remaining Length + 2+3 topic + 1 Property Length + payload
//          -> payload 92 makes exactly 100 bytes, payload 93 makes 101.
//   QoS 1: 2 more bytes of Packet Identifier -> payload 90 fits, 91 does not.
TEST(misuse, packet_over_server_maximum_measured_on_whole_packet_MQTT_3_2_2_15) {
    connack ack;
    ack.props.maximum_packet_size = 100;
    connected_session c({}, ack);

    auto sized = [](std::size_t payload, qos q) {
        message m = make_message("a/b", q);
        m.payload.assign(payload, 'x');
        return m;
    };
    // The payload alone (93 bytes) is below the limit; the packet is not.
    expect_refused(c, c.s.publish(sized(93, qos::at_most_once), c.peer.now), errc::packet_too_large,
                   "Maximum Packet Size");
    expect_refused(c, c.s.publish(sized(91, qos::at_least_once), c.peer.now),
                   errc::packet_too_large, "Maximum Packet Size");
    expect_refused(c, c.s.publish(sized(91, qos::exactly_once), c.peer.now), errc::packet_too_large,
                   "Maximum Packet Size");

    // Properties count too: 60 bytes of payload plus a user property of 40 bytes.
    message with_props = sized(60, qos::at_most_once);
    with_props.props.user_properties = {{std::string(18, 'n'), std::string(17, 'v')}};
    expect_refused(c, c.s.publish(with_props, c.peer.now), errc::packet_too_large,
                   "Maximum Packet Size");

    // Exactly at the limit is fine.
    ASSERT_TRUE(c.s.publish(sized(92, qos::at_most_once), c.peer.now));
    const packet p0 = c.peer.expect<mqtt::publish>();
    EXPECT_EQ(encoded_size(p0), 100u);
    ASSERT_TRUE(c.s.publish(sized(90, qos::at_least_once), c.peer.now));
    const packet p1 = c.peer.expect<mqtt::publish>();
    EXPECT_EQ(encoded_size(p1), 100u);
}

// MQTT-3.2.2-15 for SUBSCRIBE and UNSUBSCRIBE too.
TEST(misuse, subscribe_over_server_maximum_MQTT_3_2_2_15) {
    connack ack;
    ack.props.maximum_packet_size = 50;
    connected_session c({}, ack);
    expect_refused(c, c.s.subscribe({sub(std::string(60, 'f'))}, {}, c.peer.now),
                   errc::packet_too_large, "Maximum Packet Size");
    expect_refused(c, c.s.unsubscribe({std::string(60, 'f')}, {}, c.peer.now),
                   errc::packet_too_large, "Maximum Packet Size");
}

// Spec 1.5.4, 1.5.6: a string or binary field holds at most 65,535 bytes (a two-byte length). A
// longer one is refused by name; it could not be encoded at all, whatever the server's limits.
TEST(misuse, fields_over_65535_bytes_refused_by_name) {
    connected_session c;
    const std::string too_long(65'536, 'x');
    message m = make_message("t");
    m.props.content_type = too_long;
    expect_publish_refused(c, m, errc::invalid_argument, "Content Type");
    m = make_message("t");
    m.props.correlation_data = byte_vector(65'536, 'x');
    expect_publish_refused(c, m, errc::invalid_argument, "Correlation Data");
    m = make_message("t");
    m.props.user_properties = {{"k", "v"}, {too_long, "v"}};
    expect_publish_refused(c, m, errc::invalid_argument, "User Property name");
    subscribe_options o;
    o.user_properties = {{"k", too_long}};
    expect_refused(c, c.s.subscribe({sub("a")}, o, c.peer.now), errc::invalid_argument,
                   "User Property value");
    expect_refused(c, c.s.unsubscribe({"a"}, {{too_long, "v"}}, c.peer.now), errc::invalid_argument,
                   "User Property name");

    // At the limit the field goes out whole.
    m = make_message("t", qos::at_most_once);
    m.props.content_type = std::string(65'535, 'x');
    ASSERT_TRUE(c.s.publish(m, c.peer.now));
    const auto sent = c.peer.expect<mqtt::publish>();
    ASSERT_TRUE(sent.props.content_type);
    EXPECT_EQ(sent.props.content_type->size(), 65'535u);

    // The same rule for CONNECT, checked before a session is made.
    connect_options co;
    co.password = byte_vector(65'536, 'p');
    const command_result r = check_connect_options(co);
    EXPECT_EQ(r.error, errc::invalid_argument);
    EXPECT_TRUE(contains_ignoring_case(r.detail, "Password")) << r.detail;
}

// disconnect() refuses a DISCONNECT it may not send, naming the field or the rule; the connection
// stays up and a valid DISCONNECT still goes out.
TEST(misuse, disconnect_refusals_name_the_field_or_rule) {
    connected_session c;  // Session Expiry Interval 0 in CONNECT
    disconnect_options o;
    o.reason = reason_code(0x05);  // not a Disconnect Reason Code
    expect_refused(c, c.s.disconnect(o, c.peer.now), errc::invalid_argument, "MQTT-3.14.2-1");
    o = {};
    o.session_expiry_interval = 60;
    expect_refused(c, c.s.disconnect(o, c.peer.now), errc::invalid_argument,
                   "Session Expiry Interval");
    o = {};
    o.reason_string = "bye \xC3";  // MQTT-1.5.4-1
    expect_refused(c, c.s.disconnect(o, c.peer.now), errc::invalid_utf8, "Reason String");
    o.reason_string = std::string(65'536, 'r');  // spec 1.5.4: never encodable
    expect_refused(c, c.s.disconnect(o, c.peer.now), errc::invalid_argument, "Reason String");
    o = {};
    o.user_properties = {{"k", std::string("v\0", 2)}};  // MQTT-1.5.4-2
    expect_refused(c, c.s.disconnect(o, c.peer.now), errc::invalid_utf8, "User Property");
    o.user_properties = {{"k", std::string(65'536, 'v')}};
    expect_refused(c, c.s.disconnect(o, c.peer.now), errc::invalid_argument, "User Property");
    EXPECT_EQ(c.s.current_state(), state::connected);

    // A Reason String at the limit is sent whole (the server set no Maximum Packet Size).
    o = {};
    o.reason_string = std::string(65'535, 'r');
    const command_result r = c.s.disconnect(o, c.peer.now);
    ASSERT_TRUE(r) << r.detail;
    EXPECT_EQ(r.ticket, 0u);  // its event, disconnected, carries no ticket
    const auto d = c.peer.expect<mqtt::disconnect>();
    ASSERT_TRUE(d.props.reason_string);
    EXPECT_EQ(d.props.reason_string->size(), 65'535u);
    EXPECT_TRUE(c.s.wants_close());
}

TEST(misuse, disconnect_without_a_connection_or_twice) {
    session s(connect_options{});
    scripted_peer peer(s);
    command_result r = s.disconnect({}, peer.now);
    EXPECT_EQ(r.error, errc::not_connected);
    EXPECT_FALSE(r.detail.empty());
    peer.expect_nothing_sent();
    peer.expect_no_event();

    peer.handshake();
    ASSERT_TRUE(s.disconnect({}, peer.now));
    peer.expect<mqtt::disconnect>();
    peer.expect_event<disconnected>();
    r = s.disconnect({}, peer.now);
    EXPECT_EQ(r.error, errc::closed);
    EXPECT_FALSE(r.detail.empty());
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

// MQTT-3.3.4-6: a client PUBLISH never carries a Subscription Identifier. A message received
// from the server carries them (inbound only); publishing it on does not put them on the wire.
TEST(misuse, subscription_identifiers_of_a_message_not_sent_MQTT_3_3_4_6) {
    connected_session c;
    mqtt::publish in;
    in.topic = "in";
    in.payload = as_bytes("forward me");
    const std::uint32_t ids[] = {1, 99};
    in.props.subscription_identifiers = std::span<const std::uint32_t>(ids);
    in.props.content_type = "text/plain";
    c.peer.reply(in);
    message m = c.peer.expect_event<message_received>().message;
    ASSERT_EQ(m.props.subscription_identifiers, (std::vector<std::uint32_t>{1, 99}));

    m.topic = "forwarded";
    for (qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
        m.qos = q;
        const auto r = c.s.publish(m, c.peer.now);
        ASSERT_TRUE(r) << r.detail;
        const auto out = c.peer.expect<mqtt::publish>();
        EXPECT_TRUE(out.props.subscription_identifiers.empty());
        EXPECT_EQ(out.props.content_type, "text/plain");
        EXPECT_EQ(as_chars(out.payload), "forward me");
    }
}

TEST(misuse, invalid_topic_filter) {
    connected_session c;
    for (const char* filter :
         {"", "a/#/b", "a#", "a/b#", "a+", "a/+b", "$share/g", "$share//a", "$share/g+/a"}) {
        SCOPED_TRACE(filter);
        expect_refused(c, c.s.subscribe({sub("fine"), sub(filter)}, {}, c.peer.now),
                       errc::invalid_topic_filter, "Topic Filter");
        expect_refused(c, c.s.unsubscribe({"fine", filter}, {}, c.peer.now),
                       errc::invalid_topic_filter, "Topic Filter");
    }
    expect_refused(c, c.s.subscribe({sub("a/\xC3")}, {}, c.peer.now), errc::invalid_topic_filter,
                   "Topic Filter");
}

// MQTT-3.8.3-2, MQTT-3.10.3-2: at least one Topic Filter.
TEST(misuse, empty_subscription_list) {
    connected_session c;
    expect_refused(c, c.s.subscribe({}, {}, c.peer.now), errc::invalid_argument, "Topic Filter");
    expect_refused(c, c.s.unsubscribe({}, {}, c.peer.now), errc::invalid_argument, "Topic Filter");
}

TEST(misuse, subscription_identifier_out_of_range) {
    connected_session c;
    for (std::uint32_t id : {0u, max_variable_byte_integer + 1}) {
        subscribe_options o;
        o.subscription_identifier = id;
        expect_refused(c, c.s.subscribe({sub("a")}, o, c.peer.now), errc::invalid_argument,
                       "Subscription Identifier");
    }
}

TEST(misuse, subscription_options_out_of_range) {
    connected_session c;
    subscription_request bad_qos = sub("a");
    bad_qos.max_qos = qos(3);
    expect_refused(c, c.s.subscribe({bad_qos}, {}, c.peer.now), errc::invalid_argument, "QoS");
    subscription_request bad_rh = sub("a");
    bad_rh.retain_handling = retain_handling(3);
    expect_refused(c, c.s.subscribe({bad_rh}, {}, c.peer.now), errc::invalid_argument,
                   "Retain Handling");
}

TEST(misuse, invalid_utf8_in_subscribe_and_unsubscribe_user_property) {
    connected_session c;
    subscribe_options o;
    o.user_properties = {{"k", "\xE2\x82"}};
    expect_refused(c, c.s.subscribe({sub("a")}, o, c.peer.now), errc::invalid_utf8,
                   "User Property");
    expect_refused(c, c.s.unsubscribe({"a"}, {{"\xFE", "v"}}, c.peer.now), errc::invalid_utf8,
                   "User Property");
}

// Without a connection: QoS 0 publishes, SUBSCRIBE and UNSUBSCRIBE are refused (QoS 1/2 wait).
TEST(misuse, qos0_publish_while_disconnected_not_connected) {
    session s(connect_options{});
    scripted_peer peer(s);
    auto refused = [&](const command_result& r) {
        EXPECT_EQ(r.error, errc::not_connected) << r.detail;
        EXPECT_FALSE(r.detail.empty());
        peer.expect_nothing_sent();
        peer.expect_no_event();
    };
    const message m = make_message("t", qos::at_most_once);
    refused(s.publish(m, peer.now));  // never connected
    refused(s.subscribe({sub("a")}, {}, peer.now));
    refused(s.unsubscribe({"a"}, {}, peer.now));

    peer.open();  // CONNECT sent, no CONNACK yet
    peer.expect<connect>();
    refused(s.publish(m, peer.now));
    refused(s.subscribe({sub("a")}, {}, peer.now));

    peer.reply(connack{});
    peer.expect_event<connected>();
    ASSERT_TRUE(s.publish(m, peer.now));
    peer.expect<mqtt::publish>();
    peer.expect_event<publish_completed>();

    peer.lose();  // the connection ended
    peer.expect_event<disconnected>();
    refused(s.publish(m, peer.now));
    refused(s.unsubscribe({"a"}, {}, peer.now));
    EXPECT_EQ(s.queued(), 0u);
}

// After DISCONNECT the session takes no more commands (MQTT-3.14.4-1: nothing after DISCONNECT).
TEST(misuse, commands_after_disconnect_refused_closed) {
    connected_session c;
    ASSERT_TRUE(c.s.disconnect({}, c.peer.now));
    c.peer.expect<mqtt::disconnect>();
    while (c.peer.next_event()) {
    }
    ASSERT_TRUE(c.s.wants_close());
    for (qos q : {qos::at_most_once, qos::at_least_once}) {
        const auto r = c.s.publish(make_message("t", q), c.peer.now);
        EXPECT_EQ(r.error, errc::closed) << r.detail;
    }
    EXPECT_EQ(c.s.subscribe({sub("a")}, {}, c.peer.now).error, errc::closed);
    EXPECT_EQ(c.s.unsubscribe({"a"}, {}, c.peer.now).error, errc::closed);
    c.peer.expect_nothing_sent();
    c.peer.expect_no_event();
    EXPECT_EQ(c.s.queued(), 0u);
}

// Misuse leaves the session intact: the next valid command works as usual.
TEST(misuse, refusal_changes_nothing) {
    connected_session c;
    expect_refused(c, c.s.publish(make_message("a/#"), c.peer.now), errc::invalid_topic,
                   "Topic Name");
    const auto r = c.s.publish(make_message("a/b"), c.peer.now);
    ASSERT_TRUE(r) << r.detail;
    EXPECT_NE(r.ticket, 0u);
    const auto p = c.peer.expect<mqtt::publish>();
    EXPECT_EQ(p.topic, "a/b");
    EXPECT_NE(p.packet_id, 0);
}

}  // namespace
}  // namespace mqtt::session::test
