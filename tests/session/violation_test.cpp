// Session tests: the server breaks the protocol (spec 4.13). Each case feeds one violation and
// checks the session's answer: a DISCONNECT with the right reason code and a Reason String saying
// what went wrong, state closing, the event disconnected{cause=protocol_violation}, and from then
// on silence (MQTT-3.14.4-1), whatever the server still sends and however long we wait.
//
// Malformed input is written by hand, byte by byte, so the session's decoder meets bytes our
// encoder would never produce.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/session/session.hpp"
#include "tests/protocol/test_support.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;
using mqtt::test::concat;
using mqtt::test::hex;
using mqtt::test::list;

// The session's answer to a violation, and the silence after it.
void expect_violation(scripted_peer& peer, reason_code rc) {
    session& s = peer.target();
    const disconnect d = peer.expect<disconnect>();
    EXPECT_EQ(d.reason, rc) << "sent " << rc_name(d.reason) << ", expected " << rc_name(rc);
    ASSERT_TRUE(d.props.reason_string) << "a DISCONNECT for a violation says why";
    EXPECT_FALSE(d.props.reason_string->empty());
    EXPECT_FALSE(d.props.session_expiry_interval);  // not an expiry update
    peer.expect_nothing_sent();
    EXPECT_EQ(s.current_state(), state::closing);
    EXPECT_TRUE(s.wants_close());

    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(ev.reason, rc) << rc_name(ev.reason);
    EXPECT_FALSE(ev.detail.empty()) << "the event says what the server did wrong";
    peer.expect_no_event();

    // Silence: a valid QoS 1 PUBLISH gets no PUBACK, no PINGREQ ever goes out, and commands are
    // refused.
    expect_silence_from_now_on(peer);
    message m;
    m.topic = "x";
    EXPECT_EQ(s.publish(m, peer.now).error, errc::closed);
    peer.expect_nothing_sent();
}

// ---------------------------------------------------------------------------------------------
// Malformed packets: the decoder's reason code goes into the DISCONNECT (spec 4.13.1)

struct malformed_case {
    const char* what;
    byte_vector bytes;
    reason_code reason;
};

TEST(session_violation, malformed_packets_after_connack) {
    const std::vector<malformed_case> cases = {
        // MQTT-3.3.1-4: QoS 3 in a PUBLISH.
        {"PUBLISH QoS 3",
         hex("36"        // PUBLISH, QoS bits 11
             "06"        // Remaining Length 6
             "0001 't'"  // Topic Name "t"
             "0001"      // Packet Identifier 1
             "00"),      // Property Length 0
         reason_code::malformed_packet},
        // MQTT-1.5.4-1: C3 28 is not UTF-8.
        {"PUBLISH topic with invalid UTF-8",
         hex("30"         // PUBLISH, QoS 0
             "05"         // Remaining Length 5
             "0002 C328"  // Topic Name: invalid UTF-8
             "00"),       // Property Length 0
         reason_code::malformed_packet},
        // MQTT-1.5.4-2: U+0000 in a string.
        {"PUBLISH topic with U+0000",
         hex("30 06"
             "0003 'a' 00 'b'"  // Topic Name "a\0b"
             "00"),
         reason_code::malformed_packet},
        // MQTT-4.7.0-1: a wildcard in a Topic Name.
        {"PUBLISH topic with a wildcard",
         hex("30 06"
             "0003 'a/+'"  // Topic Name "a/+"
             "00"),
         reason_code::topic_name_invalid},
        // A property sent twice (spec 2.2.2.2).
        {"PUBLISH with Message Expiry Interval twice",
         hex("30 0E"
             "0001 't'"
             "0A"             // Property Length 10
             "02 00000001"    // Message Expiry Interval 1
             "02 00000002"),  // Message Expiry Interval 2
         reason_code::protocol_error},
        // A property PUBLISH may not carry.
        {"PUBLISH with Session Expiry Interval",
         hex("30 09"
             "0001 't'"
             "05 11 0000003C"),  // Session Expiry Interval 60: not a PUBLISH property
         reason_code::malformed_packet},
        // MQTT-3.3.2-8: Topic Alias 0.
        {"PUBLISH with Topic Alias 0",
         hex("30 07"
             "0001 't'"
             "03 23 0000"),  // Topic Alias 0
         reason_code::topic_alias_invalid},
        // Reserved flag bits of PUBACK must be 0000 (spec 2.1.3).
        {"PUBACK with flags 0001", hex("41 02 0001"), reason_code::malformed_packet},
        // Packet type 0 is reserved.
        {"reserved packet type 0", hex("00 00"), reason_code::malformed_packet},
        // A Remaining Length of five bytes (spec 1.5.5: at most four).
        {"Remaining Length of five bytes", hex("D0 FF FF FF FF 7F"), reason_code::malformed_packet},
        // PINGRESP has no body (spec 3.13).
        {"PINGRESP with a body", hex("D0 01 00"), reason_code::malformed_packet},
        // MQTT-3.14.1-1: DISCONNECT flags must be 0.
        {"DISCONNECT with flags 0001", hex("E1 00"), reason_code::malformed_packet},
    };
    for (const malformed_case& c : cases) {
        SCOPED_TRACE(c.what);
        connected_session cs;
        cs.peer.reply_bytes(c.bytes);
        expect_violation(cs.peer, c.reason);
    }
}

TEST(session_violation, malformed_packet_split_across_reads) {
    // The bad PUBLISH arrives one byte at a time; the answer comes when it is complete.
    connected_session cs;
    const byte_vector bytes = hex("30 05 0002 C328 00");
    for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
        cs.peer.reply_bytes(byte_vector{bytes[i]});
        cs.peer.expect_nothing_sent();
    }
    cs.peer.reply_bytes(byte_vector{bytes.back()});
    expect_violation(cs.peer, reason_code::malformed_packet);
}

TEST(session_violation, packets_after_the_violation_in_the_same_read_are_ignored) {
    connected_session cs;
    // A bad PUBLISH, then a valid QoS 1 PUBLISH in the same chunk: it gets no PUBACK.
    cs.peer.reply_bytes(concat({hex("36 06 0001 't' 0001 00"), hex("32 06 0001 'u' 0002 00")}));
    expect_violation(cs.peer, reason_code::malformed_packet);
}

TEST(session_violation, malformed_connack) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    // CONNACK with Acknowledge Flags bit 1 set (MQTT-3.2.2-1).
    peer.reply_bytes(
        hex("20 03"
            "02"     // Connect Acknowledge Flags: reserved bit set
            "00"     // Reason Code Success
            "00"));  // Property Length 0
    expect_violation(peer, reason_code::malformed_packet);
}

// The decoder refuses a CONNECT with a foreign protocol version with 0x84, a code DISCONNECT cannot
// carry (spec 3.14.2.1, MQTT-3.14.2-1): the session sends 0x82 Protocol Error instead. (Found by
// fuzz/session_fuzz.cpp.)
TEST(session_violation, decoder_reason_not_allowed_in_disconnect_becomes_protocol_error) {
    connected_session cs;
    cs.peer.reply_bytes(
        hex("10 04"  // CONNECT, Remaining Length 4
            "0000"   // Protocol Name "" (not "MQTT": 0x84 from the decoder)
            "01 20"));
    expect_violation(cs.peer, reason_code::protocol_error);
}

// ---------------------------------------------------------------------------------------------
// Packets a server never sends (spec 2.1.2 direction column): 0x82 Protocol Error

TEST(session_violation, client_only_packets_from_the_server) {
    static const subscription subs[] = {{"a/b"}};
    static const std::string_view filters[] = {"a/b"};
    subscribe sub;
    sub.packet_id = 1;
    sub.subscriptions = list(subs);
    unsubscribe unsub;
    unsub.packet_id = 2;
    unsub.topic_filters = list(filters);
    connect conn;
    conn.client_id = "server?";
    const std::vector<std::pair<const char*, packet>> cases = {
        {"CONNECT", conn},
        {"SUBSCRIBE", sub},
        {"UNSUBSCRIBE", unsub},
        {"PINGREQ", pingreq{}},
    };
    for (const auto& [what, p] : cases) {
        SCOPED_TRACE(what);
        connected_session cs;
        cs.peer.reply(p);
        expect_violation(cs.peer, reason_code::protocol_error);
    }
}

TEST(session_violation, second_connack_MQTT_3_2_0_2) {
    connected_session cs;
    cs.peer.reply(connack{});
    expect_violation(cs.peer, reason_code::protocol_error);
}

TEST(session_violation, publish_before_connack_MQTT_3_2_0_1) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    // MQTT-3.2.0-1: the server answers CONNECT with CONNACK (or AUTH) before anything else.
    publish p;
    p.qos = qos::at_least_once;
    p.topic = "too/early";
    p.packet_id = 1;
    peer.reply(p);
    expect_violation(peer, reason_code::protocol_error);  // and no PUBACK
}

TEST(session_violation, pingresp_before_connack_MQTT_3_2_0_1) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    peer.reply(pingresp{});
    expect_violation(peer, reason_code::protocol_error);
}

// ---------------------------------------------------------------------------------------------
// Acknowledgements that do not fit the request

TEST(session_violation, suback_with_wrong_number_of_reason_codes) {
    for (std::size_t count : {std::size_t(1), std::size_t(3)}) {
        SCOPED_TRACE(count);
        connected_session cs;
        ASSERT_TRUE(cs.s.subscribe({{"a/b"}, {"c/d"}}, {}, cs.peer.now));
        const subscribe sent = cs.peer.expect<subscribe>();
        ASSERT_EQ(sent.subscriptions.size(), 2u);

        // Two filters asked for, `count` reason codes returned (spec 3.9.3: one per filter).
        const std::vector<reason_code> codes(count, reason_code::granted_qos_1);
        suback ack;
        ack.packet_id = sent.packet_id;
        ack.reason_codes = list(codes);
        cs.peer.reply(ack);
        expect_violation(cs.peer, reason_code::protocol_error);
    }
}

TEST(session_violation, unsuback_with_wrong_number_of_reason_codes) {
    connected_session cs;
    ASSERT_TRUE(cs.s.unsubscribe({"a/b", "c/d", "e/f"}, {}, cs.peer.now));
    const unsubscribe sent = cs.peer.expect<unsubscribe>();
    static const reason_code codes[] = {reason_code::success, reason_code::success};
    unsuback ack;
    ack.packet_id = sent.packet_id;
    ack.reason_codes = list(codes);
    cs.peer.reply(ack);
    expect_violation(cs.peer, reason_code::protocol_error);
}

// ---------------------------------------------------------------------------------------------
// Our own limits, announced in CONNECT, broken by the server

TEST(session_violation, packet_above_our_maximum_packet_size) {
    connect_options o;
    o.maximum_packet_size = 64;
    connected_session cs(o);

    // A QoS 0 PUBLISH to "t" is 6 bytes + payload. 58 bytes of payload: exactly 64, accepted.
    publish fits;
    fits.topic = "t";
    const std::string payload(58, 'p');
    fits.payload = as_bytes(payload);
    ASSERT_EQ(*encoded_size(fits), 64u);
    cs.peer.reply(fits);
    EXPECT_EQ(cs.peer.expect_event<message_received>().message.payload.size(), 58u);
    cs.peer.expect_nothing_sent();

    // One byte more: refused from the fixed header (spec 3.1.2.11.4), 0x95 Packet Too Large.
    const std::string bigger(59, 'p');
    publish too_big;
    too_big.topic = "t";
    too_big.payload = as_bytes(bigger);
    cs.peer.reply(too_big);
    expect_violation(cs.peer, reason_code::packet_too_large);
}

TEST(session_violation, oversized_packet_refused_before_its_body_arrives) {
    connect_options o;
    o.maximum_packet_size = 1024;
    connected_session cs(o);
    // Only the fixed header of a PUBLISH announcing 1,000,000 bytes.
    cs.peer.reply_bytes(hex("30 C0 84 3D"));  // Remaining Length 1,000,000
    expect_violation(cs.peer, reason_code::packet_too_large);
}

TEST(session_violation, topic_alias_above_our_maximum) {
    connect_options o;
    o.topic_alias_maximum = 5;
    connected_session cs(o);

    // Alias 5 is ours to accept (MQTT-3.3.2-10) ...
    publish ok;
    ok.topic = "a/b";
    ok.props.topic_alias = 5;
    cs.peer.reply(ok);
    EXPECT_EQ(cs.peer.expect_event<message_received>().message.topic, "a/b");

    // ... alias 6 is above what we announced (MQTT-3.1.2-26): 0x94 Topic Alias invalid.
    publish bad;
    bad.topic = "c/d";
    bad.props.topic_alias = 6;
    cs.peer.reply(bad);
    expect_violation(cs.peer, reason_code::topic_alias_invalid);  // and not delivered
}

TEST(session_violation, topic_alias_when_we_announced_none_MQTT_3_1_2_27) {
    connected_session cs;  // no Topic Alias Maximum in CONNECT: 0
    publish bad;
    bad.topic = "a/b";
    bad.props.topic_alias = 1;
    cs.peer.reply(bad);
    expect_violation(cs.peer, reason_code::topic_alias_invalid);
}

TEST(session_violation, unknown_topic_alias_with_empty_topic) {
    connect_options o;
    o.topic_alias_maximum = 10;
    connected_session cs(o);

    // Alias 3 set, then used with an empty topic: fine.
    publish set;
    set.topic = "sensors/3";
    set.props.topic_alias = 3;
    cs.peer.reply(set);
    cs.peer.expect_event<message_received>();
    publish use;
    use.props.topic_alias = 3;
    cs.peer.reply(use);
    EXPECT_EQ(cs.peer.expect_event<message_received>().message.topic, "sensors/3");

    // Alias 4 was never set: an empty topic cannot be resolved. 0x82 Protocol Error.
    publish unknown;
    unknown.props.topic_alias = 4;
    cs.peer.reply(unknown);
    expect_violation(cs.peer, reason_code::protocol_error);
}

TEST(session_violation, our_receive_maximum_exceeded) {
    connect_options o;
    o.receive_maximum = 2;
    connected_session cs(o);

    // Two QoS 2 PUBLISHes awaiting PUBREL: that is all we allow (spec 3.3.4).
    for (std::uint16_t id : {std::uint16_t(1), std::uint16_t(2)}) {
        publish p;
        p.qos = qos::exactly_once;
        p.topic = "q2";
        p.packet_id = id;
        cs.peer.reply(p);
        EXPECT_EQ(cs.peer.expect<pubrec>().packet_id, id);
        cs.peer.expect_event<message_received>();
    }
    EXPECT_EQ(cs.s.inbound_qos2_pending(), 2u);

    // A third one before any PUBREL: 0x93 Receive Maximum exceeded; not delivered.
    publish third;
    third.qos = qos::exactly_once;
    third.topic = "q2";
    third.packet_id = 3;
    cs.peer.reply(third);
    expect_violation(cs.peer, reason_code::receive_maximum_exceeded);
}

TEST(session_violation, receive_maximum_counts_only_unreleased_qos2) {
    connect_options o;
    o.receive_maximum = 1;
    connected_session cs(o);

    // QoS 1 is acknowledged at once, so QoS 1 PUBLISHes never pile up.
    for (std::uint16_t id = 1; id <= 3; ++id) {
        publish p;
        p.qos = qos::at_least_once;
        p.topic = "q1";
        p.packet_id = id;
        cs.peer.reply(p);
        EXPECT_EQ(cs.peer.expect<puback>().packet_id, id);
        cs.peer.expect_event<message_received>();
    }
    // A QoS 2 released by PUBREL frees its place for the next one.
    for (std::uint16_t id = 10; id <= 11; ++id) {
        publish p;
        p.qos = qos::exactly_once;
        p.topic = "q2";
        p.packet_id = id;
        cs.peer.reply(p);
        EXPECT_EQ(cs.peer.expect<pubrec>().packet_id, id);
        cs.peer.expect_event<message_received>();
        pubrel rel;
        rel.packet_id = id;
        cs.peer.reply(rel);
        EXPECT_EQ(cs.peer.expect<pubcomp>().packet_id, id);
    }
    cs.peer.expect_no_event();
    EXPECT_FALSE(cs.s.wants_close());
}

}  // namespace
}  // namespace mqtt::session::test
