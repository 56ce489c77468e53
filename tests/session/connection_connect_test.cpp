// Session tests: opening a connection (spec 3.1 CONNECT, 3.2 CONNACK). What the session writes
// is decoded and checked field by field against a scripted server on virtual time; what the
// server says is encoded by our encoder.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/session/session.hpp"
#include "tests/protocol/test_support.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;
using mqtt::test::list;
using mqtt::test::same_packet;

// The spec's defaults for a CONNACK without properties (spec 3.2.2.3).
void expect_limits(const server_limits& actual, const server_limits& expected) {
    EXPECT_EQ(actual.receive_maximum, expected.receive_maximum);
    EXPECT_EQ(actual.maximum_qos, expected.maximum_qos);
    EXPECT_EQ(actual.retain_available, expected.retain_available);
    EXPECT_EQ(actual.maximum_packet_size, expected.maximum_packet_size);
    EXPECT_EQ(actual.topic_alias_maximum, expected.topic_alias_maximum);
    EXPECT_EQ(actual.wildcard_subscription_available, expected.wildcard_subscription_available);
    EXPECT_EQ(actual.subscription_identifier_available, expected.subscription_identifier_available);
    EXPECT_EQ(actual.shared_subscription_available, expected.shared_subscription_available);
    EXPECT_EQ(actual.server_keep_alive, expected.server_keep_alive);
}

// ---------------------------------------------------------------------------------------------
// CONNECT: built from connect_options (spec 3.1.2, 3.1.3)

TEST(session_connection, connect_with_default_options) {
    session s(connect_options{});
    scripted_peer peer(s);
    EXPECT_EQ(s.current_state(), state::disconnected);
    EXPECT_FALSE(s.next_deadline());

    // The network connection is up: CONNECT is the first and only packet written.
    peer.open();
    EXPECT_EQ(s.current_state(), state::connecting);
    const connect c = peer.expect<connect>();
    peer.expect_nothing_sent();

    // Clean Start (first connection), Keep Alive 60, empty Client Identifier (the server assigns
    // one), and no property at all: Session Expiry 0 is the default, so it is left out.
    connect expected;
    expected.clean_start = true;
    expected.keep_alive = 60;
    EXPECT_TRUE(same_packet(c, expected));
    EXPECT_TRUE(c.props.empty());
    EXPECT_FALSE(c.will);      // MQTT-3.1.2-11, -13: no Will fields
    EXPECT_FALSE(c.username);  // MQTT-3.1.2-16
    EXPECT_FALSE(c.password);  // MQTT-3.1.2-18
}

TEST(session_connection, connect_with_every_option_MQTT_3_1_2_9_MQTT_3_1_2_17_MQTT_3_1_2_19) {
    connect_options o;
    o.client_id = "sensor-17";
    o.keep_alive = 15;
    o.clean_start = false;
    o.session_expiry_interval = 3600;
    o.receive_maximum = 20;
    o.maximum_packet_size = 4096;
    o.topic_alias_maximum = 10;
    o.request_response_information = true;
    o.request_problem_information = false;
    o.user_properties = {{"site", "north"}, {"rack", "4"}, {"site", "south"}};
    will_options w;
    w.message = make_message("sensors/17/status", "offline", qos::at_least_once);
    w.message.retain = true;
    w.message.props.payload_format_indicator = 1;
    w.message.props.message_expiry_interval = 120;
    w.message.props.content_type = "text/plain";
    w.message.props.response_topic = "sensors/17/ack";
    w.message.props.correlation_data = byte_vector{0x01, 0x02, 0x03};
    w.message.props.user_properties = {{"reason", "lost"}, {"reason", "power"}};
    w.will_delay_interval = 30;
    o.will = w;
    o.username = "alice";
    o.password = byte_vector{0x00, 0xFF, 's', 'e'};  // binary data, a zero byte included

    session s(o);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();

    static const string_pair user_props[] = {{"site", "north"}, {"rack", "4"}, {"site", "south"}};
    static const string_pair will_user_props[] = {{"reason", "lost"}, {"reason", "power"}};
    static const std::uint8_t correlation[] = {0x01, 0x02, 0x03};
    static const std::uint8_t password[] = {0x00, 0xFF, 's', 'e'};
    connect expected;
    expected.clean_start = false;  // as asked, on the first connection
    expected.keep_alive = 15;
    expected.props.session_expiry_interval = 3600;
    expected.props.receive_maximum = 20;
    expected.props.maximum_packet_size = 4096;
    expected.props.topic_alias_maximum = 10;
    expected.props.request_response_information = 1;
    expected.props.request_problem_information = 0;
    expected.props.user_properties = list(user_props);  // in order, repeated names kept
    expected.client_id = "sensor-17";
    will_message& will = expected.will.emplace();
    will.topic = "sensors/17/status";
    will.payload = as_bytes("offline");
    will.qos = qos::at_least_once;
    will.retain = true;
    will.props.payload_format_indicator = 1;
    will.props.message_expiry_interval = 120;
    will.props.content_type = "text/plain";
    will.props.response_topic = "sensors/17/ack";
    will.props.correlation_data = bytes_view(correlation);
    will.props.will_delay_interval = 30;
    will.props.user_properties = list(will_user_props);
    expected.username = "alice";
    expected.password = bytes_view(password);
    EXPECT_TRUE(same_packet(c, expected));

    // The same, field by field, for a reader holding the spec side by side.
    EXPECT_EQ(c.client_id, "sensor-17");
    ASSERT_TRUE(c.will);  // MQTT-3.1.2-9: Will Properties, Will Topic and Will Payload present
    EXPECT_EQ(c.will->topic, "sensors/17/status");
    EXPECT_EQ(as_chars(c.will->payload), "offline");
    EXPECT_EQ(c.will->props.will_delay_interval, 30u);
    EXPECT_EQ(c.username, "alice");  // MQTT-3.1.2-17
    ASSERT_TRUE(c.password);         // MQTT-3.1.2-19
    EXPECT_TRUE(equal_bytes(*c.password, bytes_view(password)));
}

TEST(session_connection, connect_will_qos_2_without_retain_or_properties_MQTT_3_1_2_12) {
    connect_options o;
    will_options w;
    w.message = make_message("last/words", "", qos::exactly_once);  // an empty Will Payload
    o.will = w;
    session s(o);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();
    ASSERT_TRUE(c.will);
    EXPECT_EQ(c.will->topic, "last/words");
    EXPECT_TRUE(c.will->payload.empty());
    EXPECT_EQ(c.will->qos, qos::exactly_once);
    EXPECT_FALSE(c.will->retain);
    EXPECT_TRUE(c.will->props.empty());  // no Will Delay Interval when none was asked for
    EXPECT_TRUE(c.props.empty());
}

TEST(session_connection, connect_will_qos_0) {
    connect_options o;
    will_options w;
    w.message = make_message("bye", "gone", qos::at_most_once);
    w.will_delay_interval = 0;  // present, even though 0 is the default
    o.will = w;
    session s(o);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();
    ASSERT_TRUE(c.will);
    EXPECT_EQ(c.will->qos, qos::at_most_once);
    EXPECT_FALSE(c.will->retain);
    EXPECT_EQ(as_chars(c.will->payload), "gone");
    EXPECT_EQ(c.will->props.will_delay_interval, 0u);
}

TEST(session_connection, connect_user_name_without_password_and_password_without_user_name) {
    {
        connect_options o;
        o.username = "bob";
        session s(o);
        scripted_peer peer(s);
        peer.open();
        const connect c = peer.expect<connect>();
        EXPECT_EQ(c.username, "bob");  // MQTT-3.1.2-17
        EXPECT_FALSE(c.password);      // MQTT-3.1.2-18
    }
    {
        // MQTT v5 allows a Password without a User Name (spec 3.1.2.9).
        connect_options o;
        o.password = bytes_of("token-123");
        session s(o);
        scripted_peer peer(s);
        peer.open();
        const connect c = peer.expect<connect>();
        EXPECT_FALSE(c.username);  // MQTT-3.1.2-16
        ASSERT_TRUE(c.password);   // MQTT-3.1.2-19
        EXPECT_EQ(as_chars(*c.password), "token-123");
    }
}

TEST(session_connection, connect_option_values_at_their_limits) {
    connect_options o;
    o.client_id = "c";
    o.keep_alive = 65'535;
    o.session_expiry_interval = 0xFFFF'FFFF;  // never expires
    o.receive_maximum = 65'535;               // present, so sent, although it is the default
    o.maximum_packet_size = max_packet_size_limit;
    o.topic_alias_maximum = 0;
    o.request_response_information = false;
    o.request_problem_information = true;
    session s(o);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();

    connect expected;
    expected.clean_start = true;
    expected.keep_alive = 65'535;
    expected.client_id = "c";
    expected.props.session_expiry_interval = 0xFFFF'FFFF;
    expected.props.receive_maximum = 65'535;
    expected.props.maximum_packet_size = max_packet_size_limit;
    expected.props.topic_alias_maximum = 0;
    expected.props.request_response_information = 0;
    expected.props.request_problem_information = 1;
    EXPECT_TRUE(same_packet(c, expected));
}

TEST(session_connection, connect_keep_alive_zero) {
    connect_options o;
    o.keep_alive = 0;  // keep-alive off (spec 3.1.2.10)
    session s(o);
    scripted_peer peer(s);
    peer.open();
    EXPECT_EQ(peer.expect<connect>().keep_alive, 0);
}

// ---------------------------------------------------------------------------------------------
// CONNACK accepted: the server's limits (spec 3.2.2.3)

TEST(session_connection, connack_without_properties_gives_the_spec_defaults) {
    session s(connect_options{});
    scripted_peer peer(s);
    const connected ev = peer.handshake();
    EXPECT_EQ(s.current_state(), state::connected);
    EXPECT_FALSE(s.wants_close());

    EXPECT_FALSE(ev.session_present);
    expect_limits(ev.limits, server_limits{});  // Receive Maximum 65,535, Maximum QoS 2, ...
    expect_limits(s.limits(), server_limits{});
    EXPECT_EQ(ev.keep_alive, 60);  // ours: no Server Keep Alive
    EXPECT_EQ(s.keep_alive(), 60);
    EXPECT_FALSE(ev.assigned_client_identifier);
    EXPECT_FALSE(ev.response_information);
    EXPECT_FALSE(ev.server_reference);
    EXPECT_FALSE(ev.reason_string);
    EXPECT_TRUE(ev.user_properties.empty());
    // The server allows 65,535 in flight; our own window (connect_options::max_inflight) is
    // smaller.
    EXPECT_EQ(s.send_quota(), default_max_inflight);
    peer.expect_no_event();
    peer.expect_nothing_sent();
}

TEST(session_connection, connack_properties_reach_limits_and_connected_event) {
    session s(connect_options{});
    scripted_peer peer(s);

    static const string_pair user_props[] = {{"region", "eu"}, {"tier", "gold"}};
    connack ack;
    ack.props.receive_maximum = 10;
    ack.props.maximum_qos = 1;
    ack.props.retain_available = 0;
    ack.props.maximum_packet_size = 2048;
    ack.props.topic_alias_maximum = 5;
    ack.props.wildcard_subscription_available = 0;
    ack.props.subscription_identifier_available = 0;
    ack.props.shared_subscription_available = 0;
    ack.props.server_keep_alive = 30;
    ack.props.assigned_client_identifier = "auto-4f2a";
    ack.props.response_information = "responses/auto-4f2a";
    ack.props.server_reference = "backup.example:1883";
    ack.props.reason_string = "welcome";
    ack.props.user_properties = list(user_props);
    const connected ev = peer.handshake(ack);

    server_limits expected;
    expected.receive_maximum = 10;
    expected.maximum_qos = 1;
    expected.retain_available = false;
    expected.maximum_packet_size = 2048;
    expected.topic_alias_maximum = 5;
    expected.wildcard_subscription_available = false;
    expected.subscription_identifier_available = false;
    expected.shared_subscription_available = false;
    expected.server_keep_alive = 30;
    expect_limits(ev.limits, expected);
    expect_limits(s.limits(), expected);

    EXPECT_FALSE(ev.session_present);
    EXPECT_EQ(ev.keep_alive, 30);  // MQTT-3.2.2-21: the Server Keep Alive is in force
    EXPECT_EQ(s.keep_alive(), 30);
    EXPECT_EQ(ev.assigned_client_identifier, "auto-4f2a");
    EXPECT_EQ(ev.response_information, "responses/auto-4f2a");
    EXPECT_EQ(ev.server_reference, "backup.example:1883");
    EXPECT_EQ(ev.reason_string, "welcome");
    EXPECT_EQ(ev.user_properties, (user_property_list{{"region", "eu"}, {"tier", "gold"}}));
    EXPECT_EQ(s.send_quota(), 10u);  // the server's Receive Maximum (spec 4.9)
    peer.expect_nothing_sent();
}

TEST(session_connection, connack_limits_refuse_commands_locally) {
    session s(connect_options{});
    scripted_peer peer(s);
    connack ack;
    ack.props.maximum_qos = 1;
    ack.props.retain_available = 0;
    ack.props.maximum_packet_size = 20;
    ack.props.wildcard_subscription_available = 0;
    ack.props.subscription_identifier_available = 0;
    ack.props.shared_subscription_available = 0;
    peer.handshake(ack);
    const time_point now = peer.now;

    // MQTT-3.2.2-11: nothing above the server's Maximum QoS.
    EXPECT_EQ(s.publish(make_message("a", "x", qos::exactly_once), now).error,
              errc::qos_not_supported);
    // MQTT-3.2.2-14: no RETAIN when Retain Available is 0.
    message retained = make_message("a", "x", qos::at_most_once);
    retained.retain = true;
    EXPECT_EQ(s.publish(retained, now).error, errc::retain_not_supported);
    // Wildcard, Subscription Identifier and shared subscriptions the server said it lacks.
    EXPECT_EQ(s.subscribe({{"a/#"}}, {}, now).error, errc::feature_not_available);
    EXPECT_EQ(s.subscribe({{"a/+/c"}}, {}, now).error, errc::feature_not_available);
    subscribe_options with_id;
    with_id.subscription_identifier = 7;
    EXPECT_EQ(s.subscribe({{"a/b"}}, with_id, now).error, errc::feature_not_available);
    EXPECT_EQ(s.subscribe({{"$share/g/a/b"}}, {}, now).error, errc::feature_not_available);
    peer.expect_nothing_sent();

    // MQTT-3.2.2-15: the Maximum Packet Size counts the whole packet. PUBLISH QoS 0 to "t":
    // 2 bytes of fixed header + 2+1 topic + 1 Property Length + payload. 14 bytes of payload make
    // exactly 20 and pass; 15 make 21 and are refused.
    EXPECT_EQ(s.publish(make_message("t", std::string(15, 'p'), qos::at_most_once), now).error,
              errc::packet_too_large);
    peer.expect_nothing_sent();
    const command_result fits =
        s.publish(make_message("t", std::string(14, 'p'), qos::at_most_once), now);
    EXPECT_FALSE(fits.error) << fits.error.message() << " " << fits.detail;
    const publish p = peer.expect<publish>();
    EXPECT_EQ(p.payload.size(), 14u);
    EXPECT_EQ(*encoded_size(p), 20u);
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, fits.ticket);

    // What the server does allow still works: QoS 1, a plain filter.
    EXPECT_FALSE(s.publish(make_message("t", "q1", qos::at_least_once), now).error);
    EXPECT_EQ(peer.expect<publish>().qos, qos::at_least_once);
    EXPECT_FALSE(s.subscribe({{"a/b"}}, {}, now).error);
    EXPECT_EQ(peer.expect<subscribe>().subscriptions.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// CONNACK refused (spec 3.2.2.2; MQTT-4.13.2-1: a reason >= 0x80 means the connection closes)

TEST(session_connection, connack_refusal_reports_reason_and_closes) {
    struct refusal {
        reason_code reason;
        const char* reason_string;
        const char* server_reference;
    };
    const refusal cases[] = {
        {reason_code::bad_user_name_or_password, "bad credentials", nullptr},
        {reason_code::not_authorized, nullptr, nullptr},
        {reason_code::unsupported_protocol_version, nullptr, nullptr},
        {reason_code::client_identifier_not_valid, "id taken", nullptr},
        {reason_code::server_unavailable, nullptr, nullptr},
        {reason_code::banned, "go away", nullptr},
        {reason_code::use_another_server, nullptr, "mqtt2.example:1883"},
        {reason_code::server_moved, "moved for good", "mqtt.example.org"},
    };
    for (const refusal& r : cases) {
        SCOPED_TRACE(rc_name(r.reason));
        session s(connect_options{});
        scripted_peer peer(s);
        peer.open();
        peer.expect<connect>();

        // The server refuses the connection.
        connack ack;
        ack.reason = r.reason;
        if (r.reason_string) ack.props.reason_string = r.reason_string;
        if (r.server_reference) ack.props.server_reference = r.server_reference;
        peer.reply(ack);

        // The application learns why, then that the connection is over.
        const connect_refused refused = peer.expect_event<connect_refused>();
        EXPECT_EQ(refused.reason, r.reason) << rc_name(refused.reason);
        EXPECT_EQ(refused.reason_string,
                  r.reason_string ? std::optional<std::string>(r.reason_string) : std::nullopt);
        EXPECT_EQ(refused.server_reference, r.server_reference
                                                ? std::optional<std::string>(r.server_reference)
                                                : std::nullopt);
        const disconnected d = peer.expect_event<disconnected>();
        EXPECT_EQ(d.cause, disconnect_cause::connect_refused);
        EXPECT_EQ(d.reason, r.reason) << rc_name(d.reason);
        peer.expect_no_event();

        // Close the connection; nothing is sent, no timer is left, no command is taken.
        EXPECT_TRUE(s.wants_close());
        EXPECT_EQ(s.current_state(), state::closing);
        peer.expect_nothing_sent();
        EXPECT_FALSE(s.next_deadline());
        expect_commands_closed(s, peer.now);
        peer.expect_nothing_sent();
    }
}

}  // namespace
}  // namespace mqtt::session::test
