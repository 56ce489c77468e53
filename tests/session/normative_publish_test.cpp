// Normative statements on PUBLISH (spec 3.3), the session state and QoS flows (spec 4.1, 4.3) and
// flow control (spec 4.9), checked on the raw bytes the session writes (normative_support.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/session/normative_support.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

// =============================================================================================
// PUBLISH (spec 3.3)

// MQTT-3.3.1-1: "DUP=1 whenever a PUBLISH is being re-delivered."
TEST(normative, MQTT_3_3_1_1_dup_set_on_redelivery) {
    connected_session c(keep_session());
    ASSERT_TRUE(c.s.publish(make_message("a", "1", qos::at_least_once), c.peer.now));
    ASSERT_TRUE(c.s.publish(make_message("b", "2", qos::exactly_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("32 07 0001 'a' 0001 00 '1'"  // first sends: DUP 0
                           "34 07 0001 'b' 0002 00 '2'"));
    EXPECT_EQ(reconnect(c, session_present()),
              hex("3A 07 0001 'a' 0001 00 '1'"     // PUBLISH, DUP 1, QoS 1
                  "3C 07 0001 'b' 0002 00 '2'"));  // PUBLISH, DUP 1, QoS 2
    // Again on the next connection, as long as they stay unacknowledged.
    EXPECT_EQ(reconnect(c, session_present()),
              hex("3A 07 0001 'a' 0001 00 '1' 3C 07 0001 'b' 0002 00 '2'"));
}

// MQTT-3.3.1-2: "DUP=0 on every QoS 0 PUBLISH."
TEST(normative, MQTT_3_3_1_2_dup_0_on_qos0) {
    connected_session c(keep_session());
    ASSERT_TRUE(c.s.publish(make_message("a", "0", qos::at_most_once), c.peer.now));
    ASSERT_TRUE(c.s.publish(make_message("a", "r", qos::at_most_once, true), c.peer.now));
    EXPECT_EQ(c.out(), hex("30 05 0001 'a' 00 '0'"     // DUP 0, QoS 0
                           "31 05 0001 'a' 00 'r'"));  // DUP 0, QoS 0, RETAIN
    // Right after a resend with DUP 1, a QoS 0 message still has DUP 0.
    publish_raw(c, make_message("b", "1", qos::at_least_once));
    EXPECT_EQ(reconnect(c, session_present()), hex("3A 07 0001 'b' 0001 00 '1'"));
    ASSERT_TRUE(c.s.publish(make_message("a", "0", qos::at_most_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("30 05 0001 'a' 00 '0'"));
}

// MQTT-3.3.2-1: "Topic Name is the first variable-header field of PUBLISH and is UTF-8 encoded."
TEST(normative, MQTT_3_3_2_1_topic_name_first_and_utf8) {
    connected_session c;
    ASSERT_TRUE(c.s.publish(make_message("\xC3\xBC/x", "p", qos::at_least_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("32 0A"
                           "0004 C3BC '/x'"  // Topic Name "ü/x", first, length in bytes
                           "0001 00 'p'"));  // Packet Identifier, Property Length, Payload
    for (const std::string bad : {"a/\xC3\x28", "\xED\xA0\x80", "\xC0\xAF", "\xFE"}) {
        expect_publish_refused(c, make_message(bad), errc::invalid_topic);
    }
}

// MQTT-3.3.4-1: "Receiver of a PUBLISH answers as its QoS requires (nothing, PUBACK, or PUBREC)."
TEST(normative, MQTT_3_3_4_1_receiver_answers_as_qos_requires) {
    connected_session c;
    EXPECT_TRUE(c.server(hex("30 04 0001 't' 00")).empty()) << "QoS 0: no answer";
    EXPECT_EQ(c.server(hex("32 06 0001 't' 0005 00")), hex("40 02 0005"));  // QoS 1: PUBACK
    EXPECT_EQ(c.server(hex("34 06 0001 't' 0006 00")), hex("50 02 0006"));  // QoS 2: PUBREC
    EXPECT_EQ(count<message_received>(c.peer.drain_events()), 3u);
}

// =============================================================================================
// Session state and QoS flows (spec 4.1, 4.3)

// MQTT-4.1.0-1: "Neither side discards session state while the network connection is open."
// Session Expiry 0: the state ends with the connection, but not before.
TEST(normative, MQTT_4_1_0_1_session_state_kept_while_connected) {
    connect_options o;
    o.keep_alive = 10;
    connected_session c(o);
    const std::uint16_t one = publish_raw(c, make_message("q1", qos::at_least_once));
    const std::uint16_t two = publish_raw(c, make_message("q2", qos::exactly_once));
    EXPECT_EQ(one_packet(c.server(pubrec{two, reason_code::success, {}})).type(), pubrel_type);
    EXPECT_EQ(c.server(hex("34 06 0001 't' 0007 00")), hex("50 02 0007"));
    c.peer.drain_events();

    // A long time, keep-alive rounds and other traffic.
    for (int round = 0; round < 20; ++round) {
        c.peer.advance_to_deadline();
        c.peer.expect<pingreq>();
        c.peer.reply(pingresp{});
        ASSERT_TRUE(c.s.publish(make_message("other", qos::at_most_once), c.peer.now));
        c.peer.expect<mqtt::publish>();
    }
    ASSERT_TRUE(c.s.subscribe({sub("x")}, {}, c.peer.now));
    const mqtt::subscribe s = c.peer.expect<mqtt::subscribe>();
    const reason_code granted[] = {reason_code::success};
    c.peer.reply(suback{s.packet_id, {}, mqtt::test::list(granted)});
    const std::vector<event> during = c.peer.drain_events();
    EXPECT_EQ(count<session_discarded>(during), 0u);
    EXPECT_EQ(count<disconnected>(during), 0u);
    EXPECT_EQ(c.s.inflight(), 2u);
    EXPECT_EQ(c.s.inbound_qos2_pending(), 1u);

    // Everything is still known.
    EXPECT_EQ(c.server(hex("3C 06 0001 't' 0007 00")), hex("50 02 0007"));
    EXPECT_EQ(count<message_received>(c.peer.drain_events()), 0u) << "delivered twice";
    EXPECT_EQ(c.server(hex("62 02 0007")), hex("70 02 0007"));  // 0x00, not 0x92
    EXPECT_TRUE(c.server(puback{one, reason_code::success, {}}).empty());
    EXPECT_TRUE(c.server(pubcomp{two, reason_code::success, {}}).empty());
    const std::vector<event> done = c.peer.drain_events();
    ASSERT_EQ(count<publish_completed>(done), 2u);
    for (const event& e : done) {
        if (auto* p = std::get_if<publish_completed>(&e)) {
            EXPECT_FALSE(p->error);
        }
    }
}

// MQTT-4.3.2-1: "QoS 1 sender allocates an unused Packet Identifier per new message."
// Identifiers 1 (a QoS 1 message) and 2 (a SUBSCRIBE) stay in use while 65,533 other messages go
// round the whole range; the next one wraps around past them.
TEST(normative, MQTT_4_3_2_1_qos1_unused_packet_identifier) {
    connected_session c;
    ASSERT_EQ(publish_raw(c, make_message("held", qos::at_least_once)), 1);
    ASSERT_TRUE(c.s.subscribe({sub("x")}, {}, c.peer.now));
    ASSERT_EQ(one_packet(c.out()).u16(0), 2);
    for (std::uint32_t expected = 3; expected <= 65'535; ++expected) {
        const std::uint16_t id = publish_raw(c, make_message("t", qos::at_least_once));
        ASSERT_EQ(std::uint32_t(id), expected);
        c.s.receive(byte_vector{0x40, 0x02, std::uint8_t(id >> 8), std::uint8_t(id)}, c.peer.now);
        while (c.s.poll_event()) {
        }
    }
    EXPECT_EQ(publish_raw(c, make_message("t", qos::at_least_once)), 3) << "1 and 2 are in use";
    EXPECT_EQ(publish_raw(c, make_message("t", qos::at_least_once)), 4);
}

// MQTT-4.3.2-3: "QoS 1 sender treats the PUBLISH as unacknowledged until the matching PUBACK."
TEST(normative, MQTT_4_3_2_3_qos1_unacknowledged_until_matching_puback) {
    connected_session c(keep_session());
    const std::uint16_t id = publish_raw(c, make_message("t", "1", qos::at_least_once));
    ASSERT_EQ(id, 1);
    EXPECT_TRUE(c.server(hex("40 02 0002")).empty());  // PUBACK for another identifier
    EXPECT_TRUE(c.server(hex("70 02 0001")).empty());  // PUBCOMP is not its acknowledgement
    EXPECT_EQ(count<publish_completed>(c.peer.drain_events()), 0u);
    EXPECT_EQ(c.s.inflight(), 1u);
    // Still unacknowledged on the next connection: sent again.
    EXPECT_EQ(reconnect(c, session_present()), hex("3A 07 0001 't' 0001 00 '1'"));
    EXPECT_TRUE(c.server(hex("40 02 0001")).empty());  // the matching PUBACK
    const std::vector<event> done = c.peer.drain_events();
    EXPECT_EQ(count<publish_completed>(done), 1u);
    EXPECT_EQ(c.s.inflight(), 0u);
    EXPECT_TRUE(reconnect(c, session_present()).empty()) << "acknowledged: never sent again";
}

// MQTT-4.3.2-4: "QoS 1 receiver sends PUBACK with the same identifier after taking ownership."
TEST(normative, MQTT_4_3_2_4_qos1_receiver_puback_same_identifier) {
    connected_session c;
    EXPECT_EQ(c.server(hex("32 06 0001 't' 0007 00"
                           "32 06 0001 't' FFFF 00"
                           "32 06 0001 't' 0001 00")),
              hex("40 02 0007 40 02 FFFF 40 02 0001"));
    EXPECT_EQ(count<message_received>(c.peer.drain_events()), 3u);
}

// MQTT-4.3.3-1: "QoS 2 sender allocates an unused Packet Identifier per new message."
// Identifier 1 waits for PUBCOMP, 2 for PUBREC, while 65,533 other QoS 2 messages complete.
TEST(normative, MQTT_4_3_3_1_qos2_unused_packet_identifier) {
    connected_session c;
    ASSERT_EQ(publish_raw(c, make_message("a", qos::exactly_once)), 1);
    EXPECT_EQ(c.server(hex("50 02 0001")), hex("62 02 0001"));  // now awaiting PUBCOMP
    ASSERT_EQ(publish_raw(c, make_message("b", qos::exactly_once)), 2);
    for (std::uint32_t expected = 3; expected <= 65'535; ++expected) {
        const std::uint16_t id = publish_raw(c, make_message("t", qos::exactly_once));
        ASSERT_EQ(std::uint32_t(id), expected);
        const std::uint8_t hi = std::uint8_t(id >> 8), lo = std::uint8_t(id);
        c.s.receive(byte_vector{0x50, 0x02, hi, lo}, c.peer.now);  // PUBREC
        ASSERT_EQ(c.out(), (byte_vector{0x62, 0x02, hi, lo}));
        c.s.receive(byte_vector{0x70, 0x02, hi, lo}, c.peer.now);  // PUBCOMP
        while (c.s.poll_event()) {
        }
    }
    EXPECT_EQ(publish_raw(c, make_message("t", qos::exactly_once)), 3) << "1 and 2 are in use";
}

// MQTT-4.3.3-3: "QoS 2 sender treats the PUBLISH as unacknowledged until the matching PUBREC."
TEST(normative, MQTT_4_3_3_3_qos2_unacknowledged_until_matching_pubrec) {
    connected_session c(keep_session());
    ASSERT_EQ(publish_raw(c, make_message("t", "2", qos::exactly_once)), 1);
    // PUBREC for another identifier: answered for that identifier only, not taken as ours.
    EXPECT_EQ(c.server(hex("50 02 0002")), hex("62 03 0002 92"));
    EXPECT_TRUE(c.server(hex("40 02 0001")).empty());  // PUBACK is not its acknowledgement
    EXPECT_EQ(count<publish_completed>(c.peer.drain_events()), 0u);
    // Still unacknowledged: the PUBLISH is sent again, not a PUBREL.
    EXPECT_EQ(reconnect(c, session_present()), hex("3C 07 0001 't' 0001 00 '2'"));
    EXPECT_EQ(c.server(hex("50 02 0001")), hex("62 02 0001"));  // the matching PUBREC
}

// MQTT-4.3.3-5: "QoS 2 sender treats the PUBREL as unacknowledged until the matching PUBCOMP."
TEST(normative, MQTT_4_3_3_5_pubrel_unacknowledged_until_matching_pubcomp) {
    connected_session c(keep_session());
    ASSERT_EQ(publish_raw(c, make_message("t", qos::exactly_once)), 1);
    EXPECT_EQ(c.server(hex("50 02 0001")), hex("62 02 0001"));
    EXPECT_TRUE(c.server(hex("70 02 0002")).empty());  // PUBCOMP for another identifier
    EXPECT_EQ(count<publish_completed>(c.peer.drain_events()), 0u);
    EXPECT_EQ(reconnect(c, session_present()), hex("62 02 0001"));  // the PUBREL again
    EXPECT_EQ(reconnect(c, session_present()), hex("62 02 0001"));
    EXPECT_TRUE(c.server(hex("70 02 0001")).empty());  // the matching PUBCOMP
    EXPECT_EQ(count<publish_completed>(c.peer.drain_events()), 1u);
    EXPECT_TRUE(reconnect(c, session_present()).empty()) << "complete: never sent again";
}

// MQTT-4.3.3-8: "QoS 2 receiver sends PUBREC with the same identifier after taking ownership."
TEST(normative, MQTT_4_3_3_8_qos2_receiver_pubrec_same_identifier) {
    connected_session c;
    EXPECT_EQ(c.server(hex("34 06 0001 't' 0007 00"
                           "34 06 0001 't' FFFF 00"
                           "34 06 0001 't' 0001 00")),
              hex("50 02 0007 50 02 FFFF 50 02 0001"));
    EXPECT_EQ(count<message_received>(c.peer.drain_events()), 3u);
}

// MQTT-4.3.3-11: "Receiver answers PUBREL with PUBCOMP carrying the same identifier."
TEST(normative, MQTT_4_3_3_11_pubcomp_same_identifier_as_pubrel) {
    connected_session c;
    c.server(hex("34 06 0001 't' 0007 00 34 06 0001 't' FFFF 00 34 06 0001 't' 0001 00"));
    EXPECT_EQ(c.server(hex("62 02 FFFF 62 02 0001 62 02 0007")),
              hex("70 02 FFFF 70 02 0001 70 02 0007"));
    EXPECT_EQ(c.s.inbound_qos2_pending(), 0u);
}

// =============================================================================================
// Flow control (spec 4.9)

// MQTT-4.9.0-1: "Initial send quota is non-zero and not above the peer's Receive Maximum."
TEST(normative, MQTT_4_9_0_1_initial_send_quota) {
    {
        connect_options o;
        o.max_inflight = 0;      // no window of our own
        connected_session c(o);  // no Receive Maximum: 65,535
        EXPECT_EQ(c.s.send_quota(), 65'535u);
    }
    for (const std::uint16_t maximum : {1, 3}) {
        SCOPED_TRACE(maximum);
        connack ack;
        ack.props.receive_maximum = maximum;
        connected_session c({}, ack);
        EXPECT_EQ(c.s.send_quota(), maximum);
        for (int i = 0; i < 5; ++i)
            ASSERT_TRUE(c.s.publish(make_message("t", qos::at_least_once), c.peer.now));
        EXPECT_EQ(split(c.out()).size(), maximum);
        EXPECT_EQ(c.s.queued(), 5u - maximum);
        EXPECT_EQ(c.s.send_quota(), 0u);
    }
    {  // Receive Maximum 0 would mean a zero quota: a Protocol Error, never accepted.
        session s(connect_options{});
        s.connection_opened(time_point{});
        s.take_output();
        s.receive(hex("20 06 00 00 03 21 0000"), time_point{});  // CONNACK, Receive Maximum 0
        const raw_packet d = one_packet(s.take_output());
        EXPECT_EQ(d.first, 0xE0);
        EXPECT_EQ(first_reason(d), 0x82);
        EXPECT_NE(s.current_state(), state::connected);
    }
}

// Our own window (connect_options::max_inflight, libmosquitto's max_inflight_messages) keeps
// fewer in flight than the server allows, and never more: the smaller of the two applies
// (MQTT-3.3.4-7 for the server's).
TEST(normative, MQTT_3_3_4_7_own_window_below_receive_maximum) {
    struct case_t {
        std::uint16_t window;                  // ours; 0: none
        std::optional<std::uint16_t> maximum;  // the server's; absent: 65,535
        std::size_t expected;
    };
    for (const case_t k : {case_t{3, std::nullopt, 3}, case_t{3, 2, 2}, case_t{2, 3, 2},
                           case_t{0, 4, 4}, case_t{default_max_inflight, std::nullopt, 100}}) {
        SCOPED_TRACE(::testing::Message()
                     << "window " << k.window << " maximum " << k.maximum.value_or(65'535));
        connect_options o;
        o.max_inflight = k.window;
        connack ack;
        ack.props.receive_maximum = k.maximum;
        connected_session c(o, ack);
        EXPECT_EQ(c.s.send_quota(), k.expected);
        for (std::size_t i = 0; i < k.expected + 2; ++i)
            ASSERT_TRUE(c.s.publish(make_message("t", qos::exactly_once), c.peer.now));
        const auto sent = split(c.out());
        ASSERT_EQ(sent.size(), k.expected);
        EXPECT_EQ(c.s.queued(), 2u);
        // One completed flow (PUBREC, PUBREL, PUBCOMP) lets exactly one more out.
        const std::uint16_t id = publish_id(sent[0]);
        c.server(pubrec{id, reason_code::success, {}});
        EXPECT_EQ(c.server(pubcomp{id, reason_code::success, {}}).empty(), false);
        EXPECT_EQ(c.s.queued(), 1u);
        EXPECT_EQ(c.s.inflight(), k.expected);
    }
}

}  // namespace
}  // namespace mqtt::session::test
