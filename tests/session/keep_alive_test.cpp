// Session tests: keep-alive and the CONNACK timeout (spec 3.1.2.10, 3.2.2.3.14, 3.12, 3.13).
// The session reads no clock: the scripted peer moves virtual time by hand, and every deadline
// the session asks for (next_deadline()) is checked to the millisecond.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

// The session's next deadline, in milliseconds after `base` (nullopt: no deadline at all).
std::optional<std::int64_t> deadline_after(const session& s, time_point base) {
    const auto d = s.next_deadline();
    if (!d) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d - base).count();
}

std::int64_t ms(duration d) {
    return d.count();
}

// A QoS 0 PUBLISH from the server: a packet received that needs no answer.
void server_publishes_qos0(scripted_peer& peer) {
    publish p;
    p.topic = "news";
    p.payload = as_bytes("hello");
    peer.reply(p);
    peer.expect_event<message_received>();
}

// When the session gives up on the connection it may say so with a DISCONNECT carrying `rc`
// (spec 4.13: SHOULD); it sends nothing else, and nothing after.
void expect_at_most_a_disconnect(scripted_peer& peer, reason_code rc) {
    if (peer.pending_packets() > 0) {
        EXPECT_EQ(peer.expect<disconnect>().reason, rc);
    }
    peer.expect_nothing_sent();
}

// The opening: CONNECT at `t0` (the scripted peer's clock when called), CONNACK `after` later.
connected connect_at(scripted_peer& peer, duration after = duration::zero(), connack ack = {}) {
    peer.open();
    peer.expect<connect>();
    peer.advance(after);
    peer.reply(ack);
    return peer.expect_event<connected>();
}

// ---------------------------------------------------------------------------------------------
// PINGREQ (MQTT-3.1.2-20): when nothing has been SENT for the keep-alive interval

TEST(session_keep_alive, pingreq_at_keep_alive_after_last_packet_sent_MQTT_3_1_2_20) {
    connect_options o;
    o.keep_alive = 60;
    session s(o);
    scripted_peer peer(s);
    const time_point t0 = peer.now;

    // CONNECT goes out at t0; CONNACK arrives 5 s later. Receiving does not count: the interval
    // runs from the last packet we sent, CONNECT.
    connect_at(peer, 5s);
    EXPECT_EQ(deadline_after(s, t0), ms(60s));

    // A packet received at t0 + 25 s does not move it either.
    peer.advance(20s);
    server_publishes_qos0(peer);
    EXPECT_EQ(deadline_after(s, t0), ms(60s));

    // One millisecond before: nothing. At the deadline: PINGREQ.
    peer.advance(35s - 1ms);
    peer.expect_nothing_sent();
    peer.advance(1ms);
    EXPECT_EQ(peer.now, t0 + 60s);
    peer.expect<pingreq>();
    peer.expect_nothing_sent();
    // Now a PINGRESP (or any packet) is due within half the keep-alive.
    EXPECT_EQ(deadline_after(s, t0), ms(60s + 30s));

    // PINGRESP 2 s later; the next PINGREQ is due 60 s after the last one.
    peer.advance(2s);
    peer.reply(pingresp{});
    EXPECT_EQ(deadline_after(s, t0), ms(120s));
    peer.advance_to_deadline();
    EXPECT_EQ(peer.now, t0 + 120s);
    peer.expect<pingreq>();
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::connected);
}

TEST(session_keep_alive, sending_any_packet_postpones_pingreq) {
    session s(connect_options{});  // keep-alive 60 s
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer);
    EXPECT_EQ(deadline_after(s, t0), ms(60s));

    // A QoS 0 PUBLISH of ours at t0 + 40 s restarts the interval.
    peer.advance(40s);
    ASSERT_TRUE(s.publish(make_message("a", "x", qos::at_most_once), peer.now));
    peer.expect<publish>();
    peer.expect_event<publish_completed>();  // QoS 0: complete once written
    EXPECT_EQ(deadline_after(s, t0), ms(100s));

    // So does an acknowledgement: the server's QoS 1 PUBLISH at t0 + 70 s gets our PUBACK.
    peer.advance(30s);
    publish in;
    in.qos = qos::at_least_once;
    in.topic = "b";
    in.packet_id = 3;
    peer.reply(in);
    EXPECT_EQ(peer.expect<puback>().packet_id, 3);
    EXPECT_EQ(deadline_after(s, t0), ms(130s));

    peer.advance(60s - 1ms);
    peer.expect_nothing_sent();
    peer.advance(1ms);
    peer.expect<pingreq>();
    EXPECT_EQ(peer.now, t0 + 130s);
}

// ---------------------------------------------------------------------------------------------
// Server Keep Alive replaces ours (MQTT-3.2.2-21, MQTT-3.1.2-21)

TEST(session_keep_alive, larger_server_keep_alive_replaces_ours_MQTT_3_2_2_21) {
    session s(connect_options{});  // we ask for 60 s
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connack ack;
    ack.props.server_keep_alive = 120;
    EXPECT_EQ(connect_at(peer, 1s, ack).keep_alive, 120);
    EXPECT_EQ(s.keep_alive(), 120);
    EXPECT_EQ(deadline_after(s, t0), ms(120s));

    peer.advance(60s);  // our own value passes: no PINGREQ
    peer.expect_nothing_sent();
    peer.advance_to_deadline();
    EXPECT_EQ(peer.now, t0 + 120s);
    peer.expect<pingreq>();
    EXPECT_EQ(deadline_after(s, t0), ms(120s + 60s));  // half of the keep-alive in force
}

TEST(session_keep_alive, smaller_server_keep_alive_replaces_ours_MQTT_3_2_2_21) {
    session s(connect_options{});  // we ask for 60 s
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connack ack;
    ack.props.server_keep_alive = 10;
    EXPECT_EQ(connect_at(peer, 1s, ack).keep_alive, 10);
    EXPECT_EQ(s.keep_alive(), 10);
    EXPECT_EQ(deadline_after(s, t0), ms(10s));

    peer.advance_to_deadline();
    EXPECT_EQ(peer.now, t0 + 10s);
    peer.expect<pingreq>();
    EXPECT_EQ(deadline_after(s, t0), ms(10s + 5s));
    peer.advance(1s);
    peer.reply(pingresp{});
    EXPECT_EQ(deadline_after(s, t0), ms(20s));
}

TEST(session_keep_alive, server_keep_alive_zero_turns_keep_alive_off) {
    session s(connect_options{});  // we ask for 60 s
    scripted_peer peer(s);
    connack ack;
    ack.props.server_keep_alive = 0;
    EXPECT_EQ(connect_at(peer, 1s, ack).keep_alive, 0);
    EXPECT_EQ(s.keep_alive(), 0);
    EXPECT_FALSE(s.next_deadline());
    peer.advance(std::chrono::hours(24));
    peer.expect_nothing_sent();
}

TEST(session_keep_alive, server_keep_alive_turns_keep_alive_on_when_ours_is_zero) {
    connect_options o;
    o.keep_alive = 0;
    session s(o);
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connack ack;
    ack.props.server_keep_alive = 30;  // the client MUST use it (MQTT-3.2.2-21)
    EXPECT_EQ(connect_at(peer, 2s, ack).keep_alive, 30);
    EXPECT_EQ(deadline_after(s, t0), ms(30s));
    peer.advance_to_deadline();
    peer.expect<pingreq>();
    EXPECT_EQ(peer.now, t0 + 30s);
}

TEST(session_keep_alive, overdue_pingreq_goes_out_at_once_after_a_slow_connack) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    // CONNECT at t0; CONNACK at t0 + 15 s says Server Keep Alive 10: the interval since the last
    // packet sent has already passed, so a PINGREQ is due now (not 10 s from now).
    connack ack;
    ack.props.server_keep_alive = 10;
    connect_at(peer, 15s, ack);
    peer.advance(0ms);  // the caller's timer fires for any deadline not in the future
    peer.expect<pingreq>();
    EXPECT_EQ(peer.now, t0 + 15s);
    // Now every deadline lies ahead: the PINGRESP one first (half of 10 s).
    EXPECT_EQ(deadline_after(s, t0), ms(15s + 5s));
}

TEST(session_keep_alive, interval_restarts_with_each_connection) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer);
    peer.advance(50s);
    peer.lose();
    peer.expect_event<disconnected>();
    EXPECT_FALSE(s.next_deadline());  // no keep-alive without a connection

    // A new connection 50 s later: CONNECT at t0 + 100 s, CONNACK 1 s after.
    peer.advance(50s);
    peer.open();
    peer.expect<connect>();
    peer.advance(1s);
    peer.reply(connack{});
    peer.expect_event<connected>();
    EXPECT_EQ(deadline_after(s, t0), ms(160s));
    peer.advance_to_deadline();
    peer.expect<pingreq>();
}

// ---------------------------------------------------------------------------------------------
// After PINGREQ: a packet must arrive in time, or the connection is dead

TEST(session_keep_alive, no_pingresp_within_half_keep_alive_is_a_timeout) {
    session s(connect_options{});  // keep-alive 60 s, ping_timeout zero: half of it
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer);
    peer.advance_to_deadline();
    peer.expect<pingreq>();
    EXPECT_EQ(deadline_after(s, t0), ms(90s));

    // Our QoS 0 PUBLISH moves the next PINGREQ, not the PINGRESP deadline.
    peer.advance(10s);
    ASSERT_TRUE(s.publish(make_message("a", "x", qos::at_most_once), peer.now));
    peer.expect<publish>();
    peer.expect_event<publish_completed>();  // QoS 0: complete once written
    EXPECT_EQ(deadline_after(s, t0), ms(90s));

    peer.advance(20s - 1ms);
    peer.expect_no_event();
    peer.advance(1ms);  // t0 + 90 s: the server is silent
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::keep_alive_timeout);
    EXPECT_TRUE(s.wants_close());
    expect_at_most_a_disconnect(peer, reason_code::keep_alive_timeout);
    EXPECT_FALSE(s.next_deadline());
    peer.advance(std::chrono::hours(1));
    peer.expect_nothing_sent();
}

TEST(session_keep_alive, custom_ping_timeout) {
    connect_options o;
    o.keep_alive = 60;
    o.ping_timeout = 5s;
    session s(o);
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer);
    peer.advance_to_deadline();
    peer.expect<pingreq>();
    EXPECT_EQ(deadline_after(s, t0), ms(65s));

    peer.advance(5s - 1ms);
    peer.expect_no_event();
    peer.advance(1ms);
    EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::keep_alive_timeout);
    EXPECT_TRUE(s.wants_close());
    expect_at_most_a_disconnect(peer, reason_code::keep_alive_timeout);
}

TEST(session_keep_alive, any_packet_after_pingreq_proves_the_server_alive) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer);
    peer.advance_to_deadline();
    peer.expect<pingreq>();  // t0 + 60 s

    // Not a PINGRESP but a PUBLISH: the connection works, the deadline is gone.
    peer.advance(10s);
    server_publishes_qos0(peer);
    EXPECT_EQ(deadline_after(s, t0), ms(120s));  // only the next PINGREQ remains
    peer.advance(30s);                           // past the old PINGRESP deadline (t0 + 90 s)
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::connected);
    peer.advance_to_deadline();
    peer.expect<pingreq>();
    EXPECT_EQ(peer.now, t0 + 120s);
}

TEST(session_keep_alive, puback_after_pingreq_proves_the_server_alive) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer);
    peer.advance(1s);
    ASSERT_TRUE(s.publish(make_message("a", "x", qos::at_least_once), peer.now));
    const publish p = peer.expect<publish>();
    peer.advance_to_deadline();
    peer.expect<pingreq>();
    EXPECT_EQ(peer.now, t0 + 61s);
    EXPECT_EQ(deadline_after(s, t0), ms(91s));

    peer.advance(20s);
    puback ack;
    ack.packet_id = p.packet_id;
    peer.reply(ack);
    peer.expect_event<publish_completed>();
    EXPECT_EQ(deadline_after(s, t0), ms(121s));
    peer.advance(15s);  // past t0 + 91 s: no timeout
    peer.expect_no_event();
    EXPECT_FALSE(s.wants_close());
}

// ---------------------------------------------------------------------------------------------
// Keep-alive 0: no PINGREQ and no PINGRESP deadline

TEST(session_keep_alive, keep_alive_zero_sets_no_deadline) {
    connect_options o;
    o.keep_alive = 0;
    o.connack_timeout = duration::zero();  // wait for CONNACK forever too
    session s(o);
    scripted_peer peer(s);
    peer.open();
    EXPECT_EQ(peer.expect<connect>().keep_alive, 0);
    EXPECT_FALSE(s.next_deadline());
    peer.advance(std::chrono::hours(1));
    peer.expect_no_event();
    peer.reply(connack{});
    EXPECT_EQ(peer.expect_event<connected>().keep_alive, 0);
    EXPECT_FALSE(s.next_deadline());

    ASSERT_TRUE(s.publish(make_message("a", "x", qos::at_most_once), peer.now));
    peer.expect<publish>();
    peer.expect_event<publish_completed>();  // QoS 0: complete once written
    EXPECT_FALSE(s.next_deadline());
    peer.advance(std::chrono::hours(48));
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

// ---------------------------------------------------------------------------------------------
// CONNACK timeout

TEST(session_keep_alive, connack_timeout_default_30_seconds) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    peer.open();
    peer.expect<connect>();
    EXPECT_EQ(deadline_after(s, t0), ms(30s));

    peer.advance(30s - 1ms);
    peer.expect_no_event();
    peer.advance(1ms);
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::connack_timeout);
    EXPECT_TRUE(s.wants_close());
    if (peer.pending_packets() > 0) {
        // A DISCONNECT is allowed after CONNECT; nothing else is.
        EXPECT_TRUE(is_failure(peer.expect<disconnect>().reason));
    }
    peer.expect_nothing_sent();
    EXPECT_FALSE(s.next_deadline());
}

TEST(session_keep_alive, connack_timeout_custom) {
    connect_options o;
    o.connack_timeout = 5s;
    session s(o);
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    peer.open();
    peer.expect<connect>();
    EXPECT_EQ(deadline_after(s, t0), ms(5s));
    peer.advance_to_deadline();
    EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::connack_timeout);
    EXPECT_TRUE(s.wants_close());
}

TEST(session_keep_alive, connack_in_time_cancels_the_connack_timeout) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connect_at(peer, 30s - 1ms);                // just in time
    EXPECT_EQ(deadline_after(s, t0), ms(60s));  // only keep-alive, from CONNECT
    peer.advance(1ms);
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::connected);
}

// ---------------------------------------------------------------------------------------------
// Flow control never holds back PINGREQ or acknowledgements (MQTT-3.3.4-8, MQTT-4.9.0-3)

TEST(session_keep_alive, pingreq_not_blocked_by_exhausted_receive_maximum_MQTT_3_3_4_8) {
    session s(connect_options{});
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    connack ack;
    ack.props.receive_maximum = 1;
    connect_at(peer, duration::zero(), ack);

    // One QoS 1 PUBLISH in flight uses the whole quota; the next one waits.
    ASSERT_TRUE(s.publish(make_message("a", "1", qos::at_least_once), peer.now));
    const publish first = peer.expect<publish>();
    ASSERT_TRUE(s.publish(make_message("a", "2", qos::at_least_once), peer.now));
    peer.expect_nothing_sent();
    EXPECT_EQ(s.send_quota(), 0u);
    EXPECT_EQ(s.queued(), 1u);

    // The keep-alive interval passes: PINGREQ goes out anyway.
    EXPECT_EQ(deadline_after(s, t0), ms(60s));
    peer.advance_to_deadline();
    peer.expect<pingreq>();
    peer.expect_nothing_sent();

    // And the server's QoS 1 PUBLISH is acknowledged at once (MQTT-4.9.0-3).
    publish in;
    in.qos = qos::at_least_once;
    in.topic = "b";
    in.packet_id = 9;
    peer.reply(in);
    EXPECT_EQ(peer.expect<puback>().packet_id, 9);
    peer.expect_nothing_sent();

    // The PUBACK for ours frees the quota: the waiting PUBLISH goes out.
    puback done;
    done.packet_id = first.packet_id;
    peer.reply(done);
    EXPECT_EQ(as_chars(peer.expect<publish>().payload), "2");
}

}  // namespace
}  // namespace mqtt::session::test
