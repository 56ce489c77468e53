// Session tests: ending a connection (spec 3.14 DISCONNECT, from us or the server; the network
// connection lost), against a scripted server on virtual time.
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

// ---------------------------------------------------------------------------------------------
// DISCONNECT sent by us (spec 3.14)

TEST(session_connection, disconnect_normal_then_nothing_sent_MQTT_3_14_4_1) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();

    EXPECT_TRUE(s.disconnect({}, peer.now));
    const disconnect d = peer.expect<disconnect>();
    EXPECT_EQ(d.reason, reason_code::success);  // Normal disconnection: the Will is dropped
    EXPECT_TRUE(d.props.empty());
    peer.expect_nothing_sent();
    EXPECT_EQ(s.current_state(), state::closing);
    EXPECT_TRUE(s.wants_close());  // MQTT-3.14.4-2: now close the connection
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::client);
    EXPECT_EQ(ev.reason, reason_code::success);
    EXPECT_FALSE(s.next_deadline());

    expect_commands_closed(s, peer.now);
    expect_silence_from_now_on(peer);

    // The connection ends; a later connection resumes with Clean Start 0.
    peer.lose();
    EXPECT_EQ(s.current_state(), state::disconnected);
    EXPECT_FALSE(s.wants_close());
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
}

TEST(session_connection, disconnect_with_will_message_0x04) {
    connect_options o;
    will_options w;
    w.message = make_message("status", "dead", qos::at_least_once);
    o.will = w;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();

    disconnect_options d;
    d.reason = reason_code::disconnect_with_will_message;  // the server publishes the Will
    EXPECT_TRUE(s.disconnect(d, peer.now));
    EXPECT_EQ(peer.expect<disconnect>().reason, reason_code::disconnect_with_will_message);
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::client);
    EXPECT_EQ(ev.reason, reason_code::disconnect_with_will_message);
    EXPECT_TRUE(s.wants_close());
    expect_silence_from_now_on(peer);
}

TEST(session_connection, disconnect_updates_session_expiry_with_reason_string_and_properties) {
    connect_options o;
    o.session_expiry_interval = 3600;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();

    // End the session with the connection (spec 3.14.2.2.2): Session Expiry 0.
    disconnect_options opt;
    opt.session_expiry_interval = 0;
    opt.reason_string = "shutting down";
    opt.user_properties = {{"who", "operator"}};
    EXPECT_TRUE(s.disconnect(opt, peer.now));
    const disconnect d = peer.expect<disconnect>();
    static const string_pair user_props[] = {{"who", "operator"}};
    disconnect expected;
    expected.props.session_expiry_interval = 0;
    expected.props.reason_string = "shutting down";
    expected.props.user_properties = list(user_props);
    EXPECT_TRUE(same_packet(d, expected));
    EXPECT_TRUE(s.wants_close());
}

TEST(session_connection, disconnect_refuses_session_expiry_update_when_connect_had_zero) {
    session s(connect_options{});  // Session Expiry 0 in CONNECT
    scripted_peer peer(s);
    peer.handshake();

    // A non-zero Session Expiry in DISCONNECT after 0 in CONNECT is a Protocol Error
    // (spec 3.14.2.2.2): refused locally, nothing sent, still connected.
    disconnect_options opt;
    opt.session_expiry_interval = 60;
    const command_result r = s.disconnect(opt, peer.now);
    EXPECT_EQ(r.error, errc::invalid_argument);
    EXPECT_EQ(r.detail,
              "a non-zero Session Expiry Interval in DISCONNECT is not allowed when CONNECT's was "
              "0 (spec 3.14.2.2.2)");
    peer.expect_nothing_sent();
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::connected);
    EXPECT_FALSE(s.wants_close());

    // A valid DISCONNECT still goes out.
    EXPECT_TRUE(s.disconnect({}, peer.now));
    EXPECT_EQ(peer.expect<disconnect>().reason, reason_code::success);
}

// ---------------------------------------------------------------------------------------------
// DISCONNECT sent by the server (spec 3.14)

TEST(session_connection, server_disconnect_reports_reason_reference_and_nothing_sent_after) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();

    static const string_pair user_props[] = {{"maintenance", "02:00"}};
    disconnect d;
    d.reason = reason_code::use_another_server;
    d.props.reason_string = "moving";
    d.props.server_reference = "mqtt2.example:1883";
    d.props.user_properties = list(user_props);
    peer.reply(d);

    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::server);
    EXPECT_EQ(ev.reason, reason_code::use_another_server);
    EXPECT_EQ(ev.reason_string, "moving");
    EXPECT_EQ(ev.server_reference, "mqtt2.example:1883");
    EXPECT_EQ(ev.user_properties, (user_property_list{{"maintenance", "02:00"}}));
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::closing);
    EXPECT_TRUE(s.wants_close());
    peer.expect_nothing_sent();  // no DISCONNECT back
    EXPECT_FALSE(s.next_deadline());

    expect_commands_closed(s, peer.now);
    expect_silence_from_now_on(peer);
}

TEST(session_connection, server_disconnect_without_properties) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();

    disconnect d;
    d.reason = reason_code::server_shutting_down;
    peer.reply(d);
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::server);
    EXPECT_EQ(ev.reason, reason_code::server_shutting_down);
    EXPECT_FALSE(ev.reason_string);
    EXPECT_FALSE(ev.server_reference);
    EXPECT_TRUE(ev.user_properties.empty());
    EXPECT_TRUE(s.wants_close());
    peer.expect_nothing_sent();
}

// ---------------------------------------------------------------------------------------------
// The network connection lost

TEST(session_connection, connection_lost_while_connecting) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    EXPECT_TRUE(s.next_deadline());  // the CONNACK timeout

    peer.lose();
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::connection_lost);
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::disconnected);
    EXPECT_FALSE(s.wants_close());
    EXPECT_FALSE(s.next_deadline());  // no timer without a connection
    peer.expect_nothing_sent();

    // A new connection starts over with CONNECT.
    peer.open();
    peer.expect<connect>();
    peer.reply(connack{});
    peer.expect_event<connected>();
}

TEST(session_connection, connection_lost_while_connected_keeps_the_session) {
    connect_options o;
    o.session_expiry_interval = 3600;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    const command_result t1 = s.publish(make_message("a", "1", qos::at_least_once), peer.now);
    ASSERT_TRUE(t1);
    const publish first = peer.expect<publish>();

    peer.lose();
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::connection_lost);
    peer.expect_no_event();  // the in-flight PUBLISH is not completed: it waits
    EXPECT_EQ(s.current_state(), state::disconnected);
    EXPECT_FALSE(s.wants_close());
    EXPECT_FALSE(s.next_deadline());
    EXPECT_EQ(s.inflight(), 1u);

    // Without a connection: QoS 0 is refused, QoS 1 waits in the queue.
    EXPECT_EQ(s.publish(make_message("a", "0", qos::at_most_once), peer.now).error,
              errc::not_connected);
    const command_result t2 = s.publish(make_message("a", "2", qos::at_least_once), peer.now);
    ASSERT_TRUE(t2);
    EXPECT_EQ(s.queued(), 1u);
    peer.expect_nothing_sent();

    // Reconnect and resume: the old one again with DUP, then the queued one.
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();
    const publish again = peer.expect<publish>();
    EXPECT_TRUE(again.dup);
    EXPECT_EQ(again.packet_id, first.packet_id);
    const publish queued = peer.expect<publish>();
    EXPECT_FALSE(queued.dup);
    EXPECT_EQ(as_chars(queued.payload), "2");
    EXPECT_NE(queued.packet_id, first.packet_id);
}

}  // namespace
}  // namespace mqtt::session::test
