// Session tests: the session across connections (spec 3.2.2.1.1 Session Present, 3.1.2.4 Clean
// Start), against a scripted server on virtual time.
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
// Session Present (spec 3.2.2.1.1)

TEST(session_connection, session_present_without_session_state_closes_MQTT_3_2_2_4) {
    // A first connection with Clean Start 1: we hold no session state at all.
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    EXPECT_TRUE(peer.expect<connect>().clean_start);

    // The server claims a session we do not have.
    connack ack;
    ack.session_present = true;
    peer.reply(ack);

    // MQTT-3.2.2-4: close the connection (with DISCONNECT 0x82 Protocol Error).
    const disconnect d = peer.expect<disconnect>();
    EXPECT_EQ(d.reason, reason_code::protocol_error) << rc_name(d.reason);
    EXPECT_TRUE(d.props.reason_string && !d.props.reason_string->empty());
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    const auto all = peer.drain_events();
    EXPECT_TRUE(events_of<connected>(all).empty()) << "a connection we close is not connected";
    const auto ds = events_of<disconnected>(all);
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(ds[0].reason, reason_code::protocol_error);
    expect_silence_from_now_on(peer);
}

TEST(session_connection, session_present_without_state_on_first_resume_closes_MQTT_3_2_2_4) {
    // Clean Start 0 on the first connection, but nothing stored: still no session state.
    connect_options o;
    o.clean_start = false;
    o.session_expiry_interval = 600;
    memory_store empty;
    session s(o, &empty);
    scripted_peer peer(s);
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);

    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    EXPECT_EQ(peer.expect<disconnect>().reason, reason_code::protocol_error);
    EXPECT_TRUE(s.wants_close());
    peer.expect_nothing_sent();
}

TEST(session_connection, session_present_accepted_after_earlier_connection_with_expiry) {
    // A session with Session Expiry 3600 was established; it holds no message, but it exists on
    // both sides, so a server that kept it rightly says Session Present 1 on the next connection.
    connect_options o;
    o.session_expiry_interval = 3600;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    peer.lose();
    EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::connection_lost);

    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    const connected ev = peer.expect_event<connected>();
    EXPECT_TRUE(ev.session_present);
    EXPECT_EQ(s.current_state(), state::connected);
    peer.expect_nothing_sent();  // nothing to resend
}

TEST(session_connection, session_present_with_state_resends_in_flight_MQTT_4_4_0_1) {
    connect_options o;
    o.session_expiry_interval = 3600;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    ASSERT_TRUE(s.publish(make_message("a/b", "one", qos::at_least_once), peer.now));
    const publish first = peer.expect<publish>();
    peer.lose();
    peer.expect_event<disconnected>();

    // Reconnect: Clean Start 0; the server kept the session.
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    EXPECT_TRUE(peer.expect_event<connected>().session_present);
    const publish again = peer.expect<publish>();
    EXPECT_TRUE(again.dup);
    EXPECT_EQ(again.packet_id, first.packet_id);
    EXPECT_EQ(again.topic, "a/b");
    peer.expect_nothing_sent();
}

TEST(session_connection, session_present_0_with_state_discards_it_MQTT_3_2_2_5) {
    connect_options o;
    o.session_expiry_interval = 3600;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();

    // Our state: a QoS 1 and a QoS 2 PUBLISH in flight, and an inbound QoS 2 awaiting PUBREL.
    const command_result t1 = s.publish(make_message("out/1", "a", qos::at_least_once), peer.now);
    const command_result t2 = s.publish(make_message("out/2", "b", qos::exactly_once), peer.now);
    ASSERT_TRUE(t1);
    ASSERT_TRUE(t2);
    peer.expect<publish>();
    peer.expect<publish>();
    publish in;
    in.qos = qos::exactly_once;
    in.topic = "in/1";
    in.packet_id = 7;
    peer.reply(in);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 7);
    peer.expect_event<message_received>();
    EXPECT_EQ(s.inflight(), 2u);
    EXPECT_EQ(s.inbound_qos2_pending(), 1u);

    peer.lose();
    peer.expect_event<disconnected>();

    // The server lost our session: Session Present 0.
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
    peer.reply(connack{});

    // MQTT-3.2.2-5: the state is discarded, each dropped message reported, nothing resent.
    const auto all = peer.drain_events();
    const auto c = events_of<connected>(all);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_FALSE(c[0].session_present);
    const auto sd = events_of<session_discarded>(all);
    ASSERT_EQ(sd.size(), 1u);
    EXPECT_EQ(sd[0].outbound_dropped, 2u);
    EXPECT_EQ(sd[0].inbound_qos2_dropped, 1u);
    const auto done = events_of<publish_completed>(all);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].ticket, t1.ticket);
    EXPECT_EQ(done[0].error, errc::session_discarded);
    EXPECT_EQ(done[1].ticket, t2.ticket);
    EXPECT_EQ(done[1].error, errc::session_discarded);
    peer.expect_nothing_sent();
    EXPECT_EQ(s.inflight(), 0u);
    EXPECT_EQ(s.inbound_qos2_pending(), 0u);

    // The server's new session may reuse id 7 for a new message: it is delivered.
    in.topic = "in/2";
    peer.reply(in);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 7);
    EXPECT_EQ(peer.expect_event<message_received>().message.topic, "in/2");
}

// ---------------------------------------------------------------------------------------------
// Clean Start across connections (spec 3.1.2.4)

TEST(session_connection, clean_start_on_first_connection_only_MQTT_3_1_2_4) {
    connect_options o;
    o.session_expiry_interval = 300;
    session s(o);
    scripted_peer peer(s);
    peer.open();
    EXPECT_TRUE(peer.expect<connect>().clean_start);  // a new session
    peer.reply(connack{});
    peer.expect_event<connected>();

    // Later connections resume the session.
    for (int i = 0; i < 2; ++i) {
        peer.lose();
        EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::connection_lost);
        peer.open();
        EXPECT_FALSE(peer.expect<connect>().clean_start) << "connection " << i + 2;
        connack ack;
        ack.session_present = true;
        peer.reply(ack);
        EXPECT_TRUE(peer.expect_event<connected>().session_present);
    }
}

TEST(session_connection, clean_start_0_when_the_store_holds_state) {
    // A store left by an earlier process: one QoS 1 PUBLISH sent with id 5, not acknowledged.
    memory_store store;
    stored_outbound entry;
    entry.ticket = 1;
    entry.packet_id = 5;
    entry.stage = outbound_stage::awaiting_ack;
    entry.message = make_message("saved/topic", "kept", qos::at_least_once);
    store.put_outbound(entry);

    connect_options o;
    o.clean_start = true;  // overridden: a new session would throw the stored one away
    o.session_expiry_interval = 3600;
    session s(o, &store);
    scripted_peer peer(s);
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);

    connack ack;
    ack.session_present = true;  // accepted: we hold state (MQTT-3.2.2-4 does not apply)
    peer.reply(ack);
    EXPECT_TRUE(peer.expect_event<connected>().session_present);
    const publish again = peer.expect<publish>();  // MQTT-4.4.0-1
    EXPECT_TRUE(again.dup);
    EXPECT_EQ(again.packet_id, 5);
    EXPECT_EQ(again.topic, "saved/topic");
    EXPECT_EQ(as_chars(again.payload), "kept");
}

}  // namespace
}  // namespace mqtt::session::test
