// Session tests: one test per client-side normative statement that the other session tests do not
// already cite by id. Each test is named after its statement and checks the session's behaviour on
// the wire: the bytes the session writes are taken raw from take_output() and split by hand here
// (spec 2.1), so a bug our encoder and decoder share cannot hide a violation.
//
// Not tested, because they cannot apply to this session:
//   MQTT-4.3.3-9   the session never sends PUBREC >= 0x80 (it takes every QoS 2 message), so
//                  "after a failed PUBREC, a same-id PUBLISH is new" is vacuous.
//   MQTT-3.4.2-2/3, MQTT-3.5.2-2/3, MQTT-3.6.2-2/3, MQTT-3.7.2-2/3
//                  the session puts no Reason String or User Property on PUBACK, PUBREC, PUBREL
//                  or PUBCOMP (its API has no way to ask for one), so none can be too large.
//   MQTT-3.15.2-2/3
//                  the AUTH packets the session sends carry only the Authentication Method and
//                  Data: no Reason String, no User Property.
//   MQTT-4.3.3-7, MQTT-4.3.3-13
//                  the session applies no message expiry at all: it never drops or rewrites a
//                  message for its Message Expiry Interval.
// Not the session's: the codec's (MQTT-1.5.4-3, 1.5.5-1, 2.1.3-1, 3.1.2-1, 3.6.1-1, 3.8.1-1,
// 3.10.1-1, 3.15.1-1: the encoder writes these fields), the transport's (MQTT-4.2.0-1) and
// WebSocket's (MQTT-6.0.0-1..3).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/session/authenticator.hpp"
#include "client/session/session.hpp"
#include "tests/protocol/test_support.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;
using mqtt::test::concat;
using mqtt::test::encode_to_vector;
using mqtt::test::hex;
using mqtt::test::to_hex;

// ---------------------------------------------------------------------------------------------
// Reading the session's raw output

// One packet as the session wrote it: the first byte (type and flags) and the bytes the
// Remaining Length covers, split by hand from the output.
struct raw_packet {
    std::uint8_t first = 0;
    byte_vector body;
    byte_vector whole;
    std::uint8_t type() const { return first >> 4; }
    std::uint16_t u16(std::size_t at) const {
        return at + 1 < body.size() ? std::uint16_t(body[at] << 8 | body[at + 1]) : 0;
    }
};

std::vector<raw_packet> split(const byte_vector& out) {
    std::vector<raw_packet> packets;
    std::size_t i = 0;
    while (i < out.size()) {
        raw_packet p;
        p.first = out[i];
        std::size_t j = i + 1;
        std::uint32_t length = 0;
        for (unsigned shift = 0;; shift += 7) {
            if (j >= out.size() || shift > 21) {
                ADD_FAILURE() << "bad Remaining Length in " << to_hex(out);
                return packets;
            }
            const std::uint8_t b = out[j++];
            length |= std::uint32_t(b & 0x7F) << shift;
            if (!(b & 0x80)) break;
        }
        if (out.size() - j < length) {
            ADD_FAILURE() << "truncated packet in " << to_hex(out);
            return packets;
        }
        p.body.assign(out.begin() + std::ptrdiff_t(j), out.begin() + std::ptrdiff_t(j + length));
        p.whole.assign(out.begin() + std::ptrdiff_t(i), out.begin() + std::ptrdiff_t(j + length));
        packets.push_back(std::move(p));
        i = j + length;
    }
    return packets;
}

// The only packet in `out`.
raw_packet one_packet(const byte_vector& out) {
    const std::vector<raw_packet> packets = split(out);
    if (packets.size() != 1) {
        ADD_FAILURE() << "expected one packet, the session wrote " << packets.size() << ": "
                      << to_hex(out);
        return {};
    }
    return packets.front();
}

// Packet types (spec 2.1.2).
constexpr std::uint8_t connect_type = 1, publish_type = 3, pubrel_type = 6, subscribe_type = 8,
                       auth_type = 15;

// The reason code of a PUBACK, PUBREC, PUBREL or PUBCOMP: absent (Remaining Length 2) means 0x00
// (spec 3.4.2.1).
std::uint8_t ack_reason(const raw_packet& p) {
    return p.body.size() > 2 ? p.body[2] : 0x00;
}
// The reason code of a DISCONNECT or AUTH: absent (Remaining Length 0) means 0x00.
std::uint8_t first_reason(const raw_packet& p) {
    return p.body.empty() ? 0x00 : p.body[0];
}
// The Packet Identifier of a QoS 1/2 PUBLISH: after the Topic Name.
std::uint16_t publish_id(const raw_packet& p) {
    return p.u16(2 + p.u16(0));
}

// The reason codes each packet may carry, copied from the spec's tables (not from our codec).
const std::set<std::uint8_t> puback_reasons = {0x00, 0x10, 0x80, 0x83, 0x87,
                                               0x90, 0x91, 0x97, 0x99};  // 3.4.2.1
const std::set<std::uint8_t> pubrec_reasons = puback_reasons;            // 3.5.2.1
const std::set<std::uint8_t> pubrel_reasons = {0x00, 0x92};              // 3.6.2.1
const std::set<std::uint8_t> pubcomp_reasons = {0x00, 0x92};             // 3.7.2.1
const std::set<std::uint8_t> disconnect_reasons = {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89,
                                                   0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
                                                   0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D,
                                                   0x9E, 0x9F, 0xA0, 0xA1, 0xA2};  // 3.14.2.1
const std::set<std::uint8_t> auth_reasons = {0x00, 0x18, 0x19};                    // 3.15.2.1

// ---------------------------------------------------------------------------------------------
// Driving the session

connect_options keep_session(std::uint32_t expiry = 600) {
    connect_options o;
    o.client_id = "normative";
    o.session_expiry_interval = expiry;
    return o;
}

connack session_present() {
    connack ack;
    ack.session_present = true;
    return ack;
}

// A new network connection for `c`: returns what followed CONNACK `ack`; the CONNECT sent before
// it goes to `connect_bytes`.
byte_vector reconnect(connected_session& c, const connack& ack,
                      byte_vector* connect_bytes = nullptr) {
    c.s.connection_lost(c.peer.now);
    c.s.connection_opened(c.peer.now);
    byte_vector connect = c.out();
    EXPECT_EQ(one_packet(connect).type(), connect_type) << to_hex(connect);
    if (connect_bytes) *connect_bytes = std::move(connect);
    return c.server(ack);
}

// Publishes `m`, which must go out at once as one PUBLISH; returns its Packet Identifier, read
// from the raw bytes.
std::uint16_t publish_raw(connected_session& c, message m) {
    const command_result r = c.s.publish(std::move(m), c.peer.now);
    EXPECT_TRUE(r) << r.detail;
    const std::vector<raw_packet> packets = split(c.out());
    if (packets.size() != 1 || packets[0].type() != publish_type) {
        ADD_FAILURE() << "expected one PUBLISH, the session wrote " << packets.size() << " packets";
        return 0;
    }
    return publish_id(packets[0]);
}

template <class E>
std::size_t count(const std::vector<event>& events) {
    std::size_t n = 0;
    for (const event& e : events)
        n += std::holds_alternative<E>(e) ? 1 : 0;
    return n;
}

// A command refused locally: the error, and nothing written, queued or reported.
void expect_refused(connected_session& c, const command_result& r, errc e) {
    EXPECT_FALSE(r);
    EXPECT_EQ(r.error, e) << r.error.message() << ": " << r.detail;
    const byte_vector written = c.out();
    EXPECT_TRUE(written.empty()) << "refused, yet the session wrote " << to_hex(written);
    c.peer.expect_no_event();
    EXPECT_EQ(c.s.queued(), 0u);
    EXPECT_FALSE(c.s.wants_close());
}

void expect_publish_refused(connected_session& c, message m, errc e) {
    for (qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
        SCOPED_TRACE(int(q));
        m.qos = q;
        expect_refused(c, c.s.publish(m, c.peer.now), e);
    }
}

// The SUBSCRIBE written for `filter` carries exactly that filter (UTF-8 Encoded String, 3.8.3).
void expect_subscribed(connected_session& c, const std::string& filter) {
    const command_result r = c.s.subscribe({sub(filter)}, {}, c.peer.now);
    ASSERT_TRUE(r) << filter << ": " << r.detail;
    const raw_packet p = one_packet(c.out());
    ASSERT_EQ(p.type(), subscribe_type);
    // Packet Identifier (2), Property Length 0 (1), then the filter's length and bytes.
    ASSERT_GE(p.body.size(), 5u + filter.size());
    EXPECT_EQ(p.u16(3), filter.size());
    EXPECT_EQ(std::string(p.body.begin() + 5, p.body.begin() + 5 + std::ptrdiff_t(filter.size())),
              filter);
}

// A tiny enhanced-authentication method: data "hi" to start, "ok" for every challenge.
class toy_authenticator final : public authenticator {
  public:
    bool give_up = false;
    std::string method() const override { return "TOY"; }
    std::optional<byte_vector> start(bool) override { return byte_vector{'h', 'i'}; }
    std::optional<byte_vector> step(const std::optional<byte_vector>&) override {
        if (give_up) return std::nullopt;
        return byte_vector{'o', 'k'};
    }
    bool finish(const std::optional<byte_vector>&) override { return true; }
};

auth server_auth(reason_code rc) {
    auth a;
    a.reason = rc;
    a.props.authentication_method = "TOY";
    return a;
}

// =============================================================================================
// CONNECT (spec 3.1)

// MQTT-3.1.0-1: "The first packet a client sends on a new connection is CONNECT."
TEST(normative, MQTT_3_1_0_1_first_packet_is_connect) {
    session s(keep_session());
    scripted_peer peer(s);
    // Accepted while disconnected: it waits, nothing is written without a connection.
    ASSERT_TRUE(s.publish(make_message("early"), peer.now));
    EXPECT_TRUE(s.take_output().empty());

    s.connection_opened(peer.now);
    byte_vector out = s.take_output();
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(one_packet(out).type(), connect_type) << "only CONNECT before CONNACK";
    s.receive(encode_to_vector(connack{}), peer.now);
    EXPECT_EQ(one_packet(s.take_output()).type(), publish_type);  // the waiting message

    // A new connection with a message in flight: still CONNECT first, and alone.
    s.connection_lost(peer.now);
    ASSERT_TRUE(s.publish(make_message("while away"), peer.now));
    EXPECT_TRUE(s.take_output().empty());
    s.connection_opened(peer.now);
    out = s.take_output();
    EXPECT_EQ(one_packet(out).type(), connect_type) << to_hex(out);
}

// MQTT-3.1.2-13: "Will Flag=0 requires Will Retain to be 0."
TEST(normative, MQTT_3_1_2_13_will_retain_0_without_will) {
    connect_options o;
    o.client_id = "c";
    o.keep_alive = 10;
    o.username = "u";
    o.password = byte_vector{'p'};
    session s(o);
    s.connection_opened(time_point{});
    EXPECT_EQ(s.take_output(), hex("10 14"           // CONNECT, Remaining Length 20
                                   "0004 'MQTT' 05"  // Protocol Name, Version 5
                                   "C2"          // User Name, Password, Clean Start; Will bits 0
                                   "000A"        // Keep Alive 10
                                   "00"          // Property Length 0
                                   "0001 'c'"    // Client Identifier
                                   "0001 'u'"    // User Name
                                   "0001 'p'"))  // Password
        << "Connect Flags bit 5 (Will Retain) and bits 3-4 (Will QoS) must be 0";
}

// MQTT-3.1.2-23: "Client and server retain session state after disconnect when Session Expiry
// Interval > 0."
TEST(normative, MQTT_3_1_2_23_session_state_kept_after_disconnect) {
    for (const bool by_disconnect : {true, false}) {
        SCOPED_TRACE(by_disconnect ? "ended by our DISCONNECT" : "connection lost");
        connected_session c(keep_session(600));
        const std::uint16_t one = publish_raw(c, make_message("q1", qos::at_least_once));
        const std::uint16_t two = publish_raw(c, make_message("q2", qos::exactly_once));
        c.server(pubrec{two, reason_code::success, {}});  // PUBREL out
        c.server(hex("34 07 0001 't' 0007 00 'x'"));      // inbound QoS 2, id 7
        c.peer.drain_events();

        if (by_disconnect) {
            ASSERT_TRUE(c.s.disconnect({}, c.peer.now));
            EXPECT_EQ(c.out(), hex("E0 00"));
        }
        byte_vector connect_bytes;
        const std::vector<raw_packet> resent =
            split(reconnect(c, session_present(), &connect_bytes));
        // CONNECT says Clean Start 0 (Connect Flags, after the 2+4+1 bytes of name and version).
        const raw_packet cp = one_packet(connect_bytes);
        ASSERT_GT(cp.body.size(), 7u);
        EXPECT_EQ(cp.body[7] & 0x02, 0) << "Clean Start must be 0 to resume the session";

        ASSERT_EQ(resent.size(), 2u);
        EXPECT_EQ(resent[0].type(), publish_type);
        EXPECT_EQ(publish_id(resent[0]), one);
        EXPECT_EQ(resent[1].type(), pubrel_type);
        EXPECT_EQ(resent[1].u16(0), two);
        // The inbound QoS 2 message is still known: acknowledged again, not delivered again.
        EXPECT_EQ(c.server(hex("3C 07 0001 't' 0007 00 'x'")), hex("50 02 0007"));
        EXPECT_EQ(count<message_received>(c.peer.drain_events()), 0u);
        EXPECT_EQ(c.server(hex("62 02 0007")), hex("70 02 0007"));  // PUBCOMP 0x00
    }
}

// MQTT-3.1.3-1: "CONNECT payload order: ClientID, Will Properties, Will Topic, Will Payload, User
// Name, Password."
TEST(normative, MQTT_3_1_3_1_connect_payload_order) {
    connect_options o;
    o.client_id = "cid";
    o.keep_alive = 30;
    will_options will;
    will.message = make_message("w/t", "bye", qos::at_least_once);
    will.will_delay_interval = 5;
    o.will = will;
    o.username = "u";
    o.password = byte_vector{'p', 'w'};
    session s(o);
    s.connection_opened(time_point{});
    EXPECT_EQ(s.take_output(), hex("10 27"           // CONNECT, Remaining Length 39
                                   "0004 'MQTT' 05"  // Protocol Name, Version 5
                                   "CE"              // User Name, Password, Will QoS 1, Will,
                                                     // Clean Start
                                   "001E"            // Keep Alive 30
                                   "00"              // Property Length 0
                                   "0003 'cid'"      // Client Identifier
                                   "05 18 00000005"  // Will Properties: Will Delay Interval 5
                                   "0003 'w/t'"      // Will Topic
                                   "0003 'bye'"      // Will Payload
                                   "0001 'u'"        // User Name
                                   "0002 'pw'"));    // Password
}

// MQTT-3.1.3-3: "ClientID field is always present and is the first payload field."
TEST(normative, MQTT_3_1_3_3_client_id_always_present_and_first) {
    connect_options o;  // empty Client Identifier: the server assigns one
    o.keep_alive = 60;
    o.username = "u";
    session s(o);
    s.connection_opened(time_point{});
    EXPECT_EQ(s.take_output(), hex("10 10 0004 'MQTT' 05"
                                   "82"       // User Name, Clean Start
                                   "003C 00"  // Keep Alive 60, Property Length 0
                                   "0000"     // Client Identifier: present, zero length
                                   "0001 'u'"));
}

// MQTT-3.1.3-4: "ClientID is encoded as a UTF-8 Encoded String."
TEST(normative, MQTT_3_1_3_4_client_id_utf8) {
    connect_options o;
    o.client_id = "\xC3\xA9-1";  // "é-1": 4 bytes
    o.keep_alive = 0;
    {
        session s(o);
        s.connection_opened(time_point{});
        EXPECT_EQ(s.take_output(), hex("10 11 0004 'MQTT' 05 02 0000 00"
                                       "0004 C3A9 '-1'"));  // Client Identifier, length in bytes
    }
    for (const std::string bad : {"c\xC3", "\xED\xA0\x80", "\xFF"}) {
        o.client_id = bad;
        EXPECT_EQ(check_connect_options(o).error, errc::invalid_utf8);
        // The header's contract: invalid options send nothing and report disconnected{client}.
        session s(o);
        scripted_peer peer(s);
        s.connection_opened(peer.now);
        const byte_vector out = s.take_output();
        EXPECT_TRUE(out.empty()) << "a CONNECT with an invalid Client Identifier: " << to_hex(out);
        EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::client);
    }
}

// MQTT-3.1.3-11: "Will Topic is a UTF-8 Encoded String."
TEST(normative, MQTT_3_1_3_11_will_topic_utf8) {
    connect_options o;
    o.keep_alive = 0;
    will_options will;
    will.message = make_message("\xC3\xBC/w", "", qos::at_most_once);  // "ü/w": 4 bytes
    o.will = will;
    {
        session s(o);
        s.connection_opened(time_point{});
        EXPECT_EQ(s.take_output(), hex("10 16 0004 'MQTT' 05"
                                       "06"              // Will Flag, Clean Start
                                       "0000 00"         // Keep Alive 0, Property Length 0
                                       "0000"            // Client Identifier
                                       "00"              // Will Properties: Property Length 0
                                       "0004 C3BC '/w'"  // Will Topic
                                       "0000"));         // Will Payload: empty
    }
    for (const std::string bad : {"w/\xC3", "w/\xED\xBF\xBF", "w/\xC0\xAF"}) {
        o.will->message.topic = bad;
        EXPECT_EQ(check_connect_options(o).error, errc::invalid_topic);
        session s(o);
        scripted_peer peer(s);
        s.connection_opened(peer.now);
        const byte_vector out = s.take_output();
        EXPECT_TRUE(out.empty()) << "a CONNECT with an invalid Will Topic: " << to_hex(out);
        EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::client);
    }
}

// MQTT-3.1.3-12: "User Name is a UTF-8 Encoded String."
TEST(normative, MQTT_3_1_3_12_user_name_utf8) {
    connect_options o;
    o.keep_alive = 0;
    o.username = "J\xC3\xBCrgen";  // "Jürgen": 7 bytes
    {
        session s(o);
        s.connection_opened(time_point{});
        EXPECT_EQ(s.take_output(), hex("10 16 0004 'MQTT' 05 82 0000 00"
                                       "0000"                     // Client Identifier
                                       "0007 'J' C3BC 'rgen'"));  // User Name
    }
    for (const std::string& bad :
         {std::string("\xC0\xAF"), std::string("u\xF4\x90\x80\x80"), std::string("u\0", 2)}) {
        o.username = bad;
        EXPECT_EQ(check_connect_options(o).error, errc::invalid_utf8);
        session s(o);
        scripted_peer peer(s);
        s.connection_opened(peer.now);
        const byte_vector out = s.take_output();
        EXPECT_TRUE(out.empty()) << "a CONNECT with an invalid User Name: " << to_hex(out);
        EXPECT_EQ(peer.expect_event<disconnected>().cause, disconnect_cause::client);
    }
}

// =============================================================================================
// Packet Identifiers and properties (spec 2.2)

// MQTT-2.2.1-2: "A QoS 0 PUBLISH has no Packet Identifier field."
TEST(normative, MQTT_2_2_1_2_qos0_publish_has_no_packet_identifier) {
    connected_session c;
    ASSERT_TRUE(c.s.publish(make_message("a/b", "hi", qos::at_most_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("30 08"       // PUBLISH QoS 0, Remaining Length 8
                           "0003 'a/b'"  // Topic Name, then straight to the properties
                           "00"          // Property Length 0
                           "'hi'"));     // Payload
    // Also while a QoS 1 message holds Packet Identifier 1.
    ASSERT_EQ(publish_raw(c, make_message("a/b", "hi", qos::at_least_once)), 1);
    ASSERT_TRUE(c.s.publish(make_message("a/b", "hi", qos::at_most_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("30 08 0003 'a/b' 00 'hi'"));
}

// MQTT-2.2.1-5: "PUBACK/PUBREC/PUBREL/PUBCOMP echo the Packet Identifier of the PUBLISH they
// belong to."
TEST(normative, MQTT_2_2_1_5_acks_echo_packet_identifier) {
    connected_session c;
    EXPECT_EQ(c.server(hex("32 07 0001 't' 1234 00 'x'")), hex("40 02 1234"));  // PUBACK
    EXPECT_EQ(c.server(hex("34 07 0001 't' BEEF 00 'x'")), hex("50 02 BEEF"));  // PUBREC
    EXPECT_EQ(c.server(hex("62 02 BEEF")), hex("70 02 BEEF"));                  // PUBCOMP
    // Our QoS 2 message: the PUBREL carries its identifier.
    ASSERT_TRUE(c.s.publish(make_message("o", qos::exactly_once), c.peer.now));
    const std::uint16_t id = publish_id(one_packet(c.out()));
    ASSERT_NE(id, 0);
    const byte_vector pubrec_bytes = {0x50, 0x02, std::uint8_t(id >> 8), std::uint8_t(id)};
    EXPECT_EQ(c.server(pubrec_bytes),
              (byte_vector{0x62, 0x02, std::uint8_t(id >> 8), std::uint8_t(id)}));  // PUBREL
}

// MQTT-2.2.2-1: "A packet with no properties still encodes a Property Length of zero."
TEST(normative, MQTT_2_2_2_1_property_length_zero_when_no_properties) {
    connect_options o;
    o.client_id = "c";
    o.keep_alive = 10;
    will_options will;
    will.message = make_message("w", "", qos::at_most_once);
    o.will = will;
    session s(o);
    scripted_peer peer(s);
    s.connection_opened(peer.now);
    EXPECT_EQ(s.take_output(), hex("10 14 0004 'MQTT' 05 06 000A"
                                   "00"        // CONNECT Property Length 0
                                   "0001 'c'"  // Client Identifier
                                   "00"        // Will Property Length 0
                                   "0001 'w' 0000"));
    s.receive(encode_to_vector(connack{}), peer.now);
    ASSERT_EQ(s.current_state(), state::connected);

    ASSERT_TRUE(s.subscribe({sub("a/b", qos::at_least_once)}, {}, peer.now));
    EXPECT_EQ(s.take_output(), hex("82 09 0001"
                                   "00"                // SUBSCRIBE Property Length 0
                                   "0003 'a/b' 01"));  // Topic Filter, Subscription Options
    ASSERT_TRUE(s.unsubscribe({"a/b"}, {}, peer.now));
    EXPECT_EQ(s.take_output(), hex("A2 08 0002"
                                   "00"  // UNSUBSCRIBE Property Length 0
                                   "0003 'a/b'"));
    ASSERT_TRUE(s.publish(make_message("a/b", "hi", qos::at_least_once), peer.now));
    EXPECT_EQ(s.take_output(), hex("32 0A 0003 'a/b' 0003"
                                   "00"  // PUBLISH Property Length 0
                                   "'hi'"));
    ASSERT_TRUE(s.publish(make_message("a/b", "hi", qos::at_most_once), peer.now));
    EXPECT_EQ(s.take_output(), hex("30 08 0003 'a/b' 00 'hi'"));
}

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
// Reason codes the session sends (spec 3.4 - 3.7, 3.14, 3.15)

// MQTT-3.4.2-1: "PUBACK sender uses only defined PUBACK Reason Codes."
TEST(normative, MQTT_3_4_2_1_puback_reason_codes_defined) {
    connected_session c;
    const byte_vector inbound[] = {
        hex("32 06 0001 't' 0001 00"),         // plain
        hex("3B 06 0001 't' 0002 00"),         // DUP and RETAIN
        hex("32 08 0001 't' 0003 02 01 01"),   // Payload Format Indicator 1
        hex("32 0A 0001 't' 0004 00 'data'"),  // with a payload
        hex("32 06 0001 't' 0004 00"),         // the same identifier again
    };
    for (const byte_vector& in : inbound) {
        const raw_packet ack = one_packet(c.server(in));
        EXPECT_EQ(ack.first, 0x40);
        EXPECT_TRUE(puback_reasons.contains(ack_reason(ack))) << to_hex(ack.whole);
    }
}

// MQTT-3.5.2-1: "PUBREC sender uses only defined PUBREC Reason Codes."
TEST(normative, MQTT_3_5_2_1_pubrec_reason_codes_defined) {
    connected_session c;
    const byte_vector inbound[] = {
        hex("34 06 0001 't' 0001 00"),        // new
        hex("3C 06 0001 't' 0001 00"),        // repeated before PUBREL
        hex("35 08 0001 't' 0002 02 01 00"),  // RETAIN, Payload Format Indicator 0
    };
    for (const byte_vector& in : inbound) {
        const raw_packet ack = one_packet(c.server(in));
        EXPECT_EQ(ack.first, 0x50);
        EXPECT_TRUE(pubrec_reasons.contains(ack_reason(ack))) << to_hex(ack.whole);
    }
}

// MQTT-3.6.2-1: "PUBREL sender uses only defined PUBREL Reason Codes (0x00, 0x92)."
TEST(normative, MQTT_3_6_2_1_pubrel_reason_codes_defined) {
    connected_session c(keep_session());
    const std::uint16_t id = publish_raw(c, make_message("t", qos::exactly_once));
    std::vector<raw_packet> sent;
    sent.push_back(one_packet(c.server(pubrec{id, reason_code::success, {}})));  // ours
    sent.push_back(one_packet(c.server(hex("50 02 0999"))));  // an identifier we never used
    const std::vector<raw_packet> resent = split(reconnect(c, session_present()));  // PUBREL again
    sent.insert(sent.end(), resent.begin(), resent.end());
    ASSERT_EQ(sent.size(), 3u);
    for (const raw_packet& p : sent) {
        EXPECT_EQ(p.first, 0x62);
        EXPECT_TRUE(pubrel_reasons.contains(ack_reason(p))) << to_hex(p.whole);
    }
    EXPECT_EQ(ack_reason(sent[0]), 0x00);
    EXPECT_EQ(ack_reason(sent[2]), 0x00);
}

// MQTT-3.7.2-1: "PUBCOMP sender uses only defined PUBCOMP Reason Codes (0x00, 0x92)."
TEST(normative, MQTT_3_7_2_1_pubcomp_reason_codes_defined) {
    connected_session c;
    c.server(hex("34 06 0001 't' 0001 00"));
    const raw_packet known = one_packet(c.server(hex("62 02 0001")));
    const raw_packet unknown = one_packet(c.server(hex("62 02 0001")));  // already completed
    for (const raw_packet& p : {known, unknown}) {
        EXPECT_EQ(p.first, 0x70);
        EXPECT_TRUE(pubcomp_reasons.contains(ack_reason(p))) << to_hex(p.whole);
    }
    EXPECT_EQ(ack_reason(known), 0x00);
}

// MQTT-3.14.2-1: "DISCONNECT sender uses only defined Disconnect Reason Codes."
TEST(normative, MQTT_3_14_2_1_disconnect_reason_codes_defined) {
    struct trigger {
        const char* what;
        byte_vector bytes;  // the server sends these after CONNACK
        connect_options options;
    };
    connect_options small;
    small.maximum_packet_size = 20;
    connect_options one_at_a_time;
    one_at_a_time.receive_maximum = 1;
    const std::vector<trigger> triggers = {
        {"a v5 CONNECT", hex("10 0E 0004 'MQTT' 05 02 003C 00 0001 'c'"), {}},
        // The decoder calls these 0x84 Unsupported Protocol Version, a CONNACK-only code.
        {"a v4 CONNECT", hex("10 0D 0004 'MQTT' 04 02 003C 0001 'c'"), {}},
        {"a v3 CONNECT", hex("10 0F 0006 'MQIsdp' 03 02 003C 0001 'c'"), {}},
        {"PINGREQ", hex("C0 00"), {}},
        {"SUBSCRIBE with a bad filter", hex("82 0B 0001 00 0005 'a/#/b' 00"), {}},
        {"PUBLISH QoS 3", hex("36 06 0001 't' 0001 00"), {}},
        {"PUBLISH with a wildcard", hex("30 06 0003 'a/+' 00"), {}},
        {"Topic Alias 0", hex("30 07 0001 't' 03 23 0000"), {}},
        {"a second CONNACK", hex("20 03 00 00 00"), {}},
        {"SUBACK for nothing", hex("90 04 0009 00 00"), {}},
        {"PUBACK with flags", hex("41 02 0001"), {}},
        {"over our Maximum Packet Size", concat({hex("30 1E 0001 't' 00"), byte_vector(26, 'x')}),
         small},
        {"over our Receive Maximum", hex("34 06 0001 't' 0001 00 34 06 0001 't' 0002 00"),
         one_at_a_time},
    };
    for (const trigger& t : triggers) {
        SCOPED_TRACE(t.what);
        connected_session c(t.options);
        const std::vector<raw_packet> out = split(c.server(t.bytes));
        ASSERT_FALSE(out.empty()) << "no DISCONNECT";
        const raw_packet& d = out.back();
        EXPECT_EQ(d.first, 0xE0);
        EXPECT_TRUE(disconnect_reasons.contains(first_reason(d)))
            << "DISCONNECT with reason code " << to_hex(byte_vector{first_reason(d)});
    }

    // Ours, on request: only the defined codes go out; anything else is refused.
    for (const std::uint8_t rc : {0x00, 0x04, 0x80, 0x83}) {
        connected_session c;
        disconnect_options o;
        o.reason = reason_code(rc);
        EXPECT_TRUE(c.s.disconnect(o, c.peer.now));
        EXPECT_EQ(first_reason(one_packet(c.out())), rc);
    }
    for (const std::uint8_t rc : {0x01, 0x18, 0x84, 0x92, 0xFF}) {
        connected_session c;
        disconnect_options o;
        o.reason = reason_code(rc);
        const command_result r = c.s.disconnect(o, c.peer.now);
        EXPECT_EQ(r.error, errc::invalid_argument) << int(rc);
        EXPECT_NE(r.detail.find("MQTT-3.14.2-1"), std::string::npos) << r.detail;
        EXPECT_TRUE(c.out().empty());
        EXPECT_EQ(c.s.current_state(), state::connected);
    }

    // Our authenticator gives up.
    toy_authenticator a;
    a.give_up = true;
    session s(connect_options{}, nullptr, &a);
    s.connection_opened(time_point{});
    s.take_output();
    s.receive(encode_to_vector(server_auth(reason_code::continue_authentication)), time_point{});
    const raw_packet d = one_packet(s.take_output());
    EXPECT_EQ(d.first, 0xE0);
    EXPECT_TRUE(disconnect_reasons.contains(first_reason(d))) << to_hex(d.whole);
}

// MQTT-3.14.2-3: "Omit DISCONNECT Reason String if it would exceed receiver's Maximum Packet
// Size." The server's limit is set exactly at the size of the DISCONNECT with its Reason String,
// then one byte below it.
TEST(normative, MQTT_3_14_2_3_violation_reason_string_left_out_over_server_maximum) {
    const byte_vector violations[] = {
        hex("C0 00"),                // PINGREQ from a server
        hex("30 06 0003 'a/+' 00"),  // a wildcard in a Topic Name
    };
    for (const byte_vector& v : violations) {
        SCOPED_TRACE(to_hex(v));
        byte_vector full;
        {
            connected_session c;
            full = one_packet(c.server(v)).whole;
            ASSERT_GT(full.size(), 3u) << "a DISCONNECT for a violation carries a Reason String";
        }
        {  // exactly at the limit: kept
            connack ack;
            ack.props.maximum_packet_size = std::uint32_t(full.size());
            connected_session c({}, ack);
            EXPECT_EQ(c.server(v), full);
        }
        {  // one byte below: left out, the reason code stays
            connack ack;
            ack.props.maximum_packet_size = std::uint32_t(full.size() - 1);
            connected_session c({}, ack);
            const byte_vector out = c.server(v);
            EXPECT_EQ(out, (byte_vector{0xE0, 0x01, first_reason(one_packet(full))}))
                << to_hex(out);
            const disconnected ev = c.peer.expect_event<disconnected>();
            EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
            EXPECT_FALSE(ev.detail.empty()) << "the application still learns why";
        }
    }
}

// MQTT-3.14.2-3 for a Reason String the caller gives to disconnect(): the DISCONNECT written must
// fit the server's Maximum Packet Size (the string left out), or the request be refused.
TEST(normative, MQTT_3_14_2_3_caller_reason_string_left_out_over_server_maximum) {
    connack ack;
    ack.props.maximum_packet_size = 20;
    connected_session c({}, ack);
    disconnect_options o;
    o.reason = reason_code::disconnect_with_will_message;
    o.reason_string = std::string(40, 'r');
    const command_result r = c.s.disconnect(o, c.peer.now);
    const byte_vector out = c.out();
    if (!r) {
        EXPECT_TRUE(out.empty()) << to_hex(out);
    } else {
        EXPECT_LE(out.size(), 20u)
            << "a DISCONNECT of " << out.size()
            << " bytes to a server whose Maximum Packet Size is 20: " << to_hex(out);
        EXPECT_EQ(out, hex("E0 01 04"));
    }
}

// MQTT-3.14.2-4: "Omit DISCONNECT User Properties if they would exceed receiver's Maximum Packet
// Size."
TEST(normative, MQTT_3_14_2_4_caller_user_properties_left_out_over_server_maximum) {
    for (const std::uint32_t maximum : {19u, 20u}) {
        SCOPED_TRACE(maximum);
        connack ack;
        ack.props.maximum_packet_size = maximum;
        connected_session c({}, ack);
        disconnect_options o;
        o.reason = reason_code::disconnect_with_will_message;
        o.user_properties = {{"k", "0123456789"}};  // DISCONNECT of 20 bytes with it
        const command_result r = c.s.disconnect(o, c.peer.now);
        const byte_vector out = c.out();
        if (maximum == 20) {
            EXPECT_TRUE(r) << r.detail;
            EXPECT_EQ(out, hex("E0 12 04"
                               "10 26 0001 'k' 000A '0123456789'"))  // User Property kept
                << to_hex(out);
        } else if (!r) {
            EXPECT_TRUE(out.empty()) << to_hex(out);
        } else {
            EXPECT_EQ(out, hex("E0 01 04")) << to_hex(out);  // left out
        }
    }
}

// MQTT-3.15.2-1: "AUTH sender uses only defined Authenticate Reason Codes (0x00, 0x18, 0x19)."
TEST(normative, MQTT_3_15_2_1_auth_reason_codes_defined) {
    toy_authenticator a;
    session s(connect_options{}, nullptr, &a);
    scripted_peer peer(s);
    s.connection_opened(peer.now);
    s.take_output();
    std::vector<raw_packet> sent;
    auto server = [&](const auth& p) {
        s.receive(encode_to_vector(p), peer.now);
        const byte_vector out = s.take_output();
        sent.push_back(one_packet(out));
        return out;
    };
    // Before CONNACK: a challenge, our continuation.
    EXPECT_EQ(server(server_auth(reason_code::continue_authentication)),
              hex("F0 0D"
                  "18"                                // Continue authentication
                  "0B 15 0003 'TOY' 16 0002 'ok'"));  // Method, Data
    connack ack;
    ack.props.authentication_method = "TOY";
    s.receive(encode_to_vector(ack), peer.now);
    ASSERT_EQ(s.current_state(), state::connected);
    // Re-authentication: our 0x19, then a continuation.
    ASSERT_TRUE(s.reauthenticate(peer.now));
    const byte_vector reauth = s.take_output();
    EXPECT_EQ(reauth, hex("F0 0D 19 0B 15 0003 'TOY' 16 0002 'hi'"));
    sent.push_back(one_packet(reauth));
    server(server_auth(reason_code::continue_authentication));
    s.receive(encode_to_vector(server_auth(reason_code::success)), peer.now);
    EXPECT_TRUE(s.take_output().empty());

    ASSERT_EQ(sent.size(), 3u);
    for (const raw_packet& p : sent) {
        EXPECT_EQ(p.type(), auth_type);
        EXPECT_TRUE(auth_reasons.contains(first_reason(p))) << to_hex(p.whole);
    }
}

// =============================================================================================
// SUBSCRIBE and UNSUBSCRIBE (spec 3.8, 3.10)

// MQTT-3.8.3-1: "Each SUBSCRIBE Topic Filter is a UTF-8 Encoded String."
TEST(normative, MQTT_3_8_3_1_subscribe_filter_utf8) {
    connected_session c;
    ASSERT_TRUE(c.s.subscribe({sub("\xC3\xBC/+")}, {}, c.peer.now));
    EXPECT_EQ(c.out(), hex("82 0A 0001 00"
                           "0004 C3BC '/+'"  // Topic Filter "ü/+", length in bytes
                           "00"));           // Subscription Options
    for (const std::string bad : {"a/\xFF", "\xED\xA0\x80/#", "\xC3"}) {
        expect_refused(c, c.s.subscribe({sub("ok"), sub(bad)}, {}, c.peer.now),
                       errc::invalid_topic_filter);
    }
}

// MQTT-3.10.3-1: "UNSUBSCRIBE Topic Filters are UTF-8 Encoded Strings."
TEST(normative, MQTT_3_10_3_1_unsubscribe_filter_utf8) {
    connected_session c;
    ASSERT_TRUE(c.s.unsubscribe({"\xC3\xBC/+"}, {}, c.peer.now));
    EXPECT_EQ(c.out(), hex("A2 09 0001 00"
                           "0004 C3BC '/+'"));  // Topic Filter "ü/+"
    for (const std::string bad : {"a/\xFF", "\xED\xA0\x80/#", "\xC3"}) {
        expect_refused(c, c.s.unsubscribe({"ok", bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
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
        connected_session c;  // no Receive Maximum: 65,535
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

// =============================================================================================
// Topic Names and Topic Filters (spec 4.7, 4.8): refused before anything is written

// MQTT-4.7.1-1: "'#' stands alone or after '/', and only as the filter's last character."
TEST(normative, MQTT_4_7_1_1_multi_level_wildcard_position) {
    connected_session c;
    for (const char* bad : {"a#", "a/b#", "a/#/b", "#/a", "##", "a/#/#", "$share/g/a#"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    for (const char* good : {"#", "a/#", "a/b/#", "/#", "+/#", "$share/g/#"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

// MQTT-4.7.1-2: "'+' must occupy an entire topic level."
TEST(normative, MQTT_4_7_1_2_single_level_wildcard_whole_level) {
    connected_session c;
    for (const char* bad : {"a+", "+a", "a/+b", "a/b+/c", "++", "a/++/b", "$share/g/a+"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    for (const char* good : {"+", "+/+", "a/+", "+/a/+/b", "/+", "+/", "$share/g/+/x"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

// MQTT-4.7.3-1: "Topic Names and Topic Filters contain at least one character."
TEST(normative, MQTT_4_7_3_1_topic_at_least_one_character) {
    connected_session c;
    expect_publish_refused(c, make_message(""), errc::invalid_topic);
    expect_refused(c, c.s.subscribe({sub("")}, {}, c.peer.now), errc::invalid_topic_filter);
    expect_refused(c, c.s.unsubscribe({""}, {}, c.peer.now), errc::invalid_topic_filter);
    ASSERT_TRUE(c.s.publish(make_message("a", "", qos::at_most_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("30 04 0001 'a' 00"));
}

// MQTT-4.7.3-2: "Topic Names and Topic Filters never contain U+0000."
TEST(normative, MQTT_4_7_3_2_no_null_character) {
    connected_session c;
    for (const std::string& bad :
         {std::string("a\0b", 3), std::string("\0", 1), std::string("a/\0", 3)}) {
        expect_publish_refused(c, make_message(bad), errc::invalid_topic);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
}

// MQTT-4.7.3-3: "Topic Names and Topic Filters encode to at most 65,535 bytes."
TEST(normative, MQTT_4_7_3_3_topic_at_most_65535_bytes) {
    connected_session c;
    std::string two_byte_chars;  // 32,768 "é": 65,536 bytes in UTF-8
    for (int i = 0; i < 32'768; ++i)
        two_byte_chars += "\xC3\xA9";
    for (const std::string& bad : {std::string(65'536, 'a'), two_byte_chars}) {
        for (qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
            const command_result r = c.s.publish(make_message(bad, q), c.peer.now);
            EXPECT_FALSE(r);
            EXPECT_TRUE(r.error == errc::invalid_topic || r.error == errc::packet_too_large)
                << r.error.message();
            EXPECT_TRUE(c.out().empty());
        }
        const command_result r = c.s.subscribe({sub(bad)}, {}, c.peer.now);
        EXPECT_TRUE(r.error == errc::invalid_topic_filter || r.error == errc::packet_too_large)
            << r.error.message();
        EXPECT_TRUE(c.out().empty());
    }
    c.peer.expect_no_event();
    // 65,535 bytes is fine: its length field is FF FF.
    ASSERT_TRUE(
        c.s.publish(make_message(std::string(65'535, 't'), "", qos::at_most_once), c.peer.now));
    const raw_packet p = one_packet(c.out());
    EXPECT_EQ(p.first, 0x30);
    EXPECT_EQ(p.body.size(), 2u + 65'535u + 1u);
    EXPECT_EQ(p.u16(0), 65'535);
}

// MQTT-4.8.2-1: "A shared filter begins "$share/" with a ShareName of at least one character."
TEST(normative, MQTT_4_8_2_1_share_name_at_least_one_character) {
    connected_session c;
    for (const char* bad : {"$share//a", "$share//#", "$share//"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    for (const char* good : {"$share/g/a", "$share/group-1/a/b"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

// MQTT-4.8.2-2: "ShareName excludes '/', '+', '#', and is followed by '/' and a Topic Filter."
TEST(normative, MQTT_4_8_2_2_share_name_characters_and_filter) {
    connected_session c;
    for (const char* bad : {"$share/g+/a", "$share/+/a", "$share/g#/a", "$share/#/a", "$share/g",
                            "$share/g/", "$share/+", "$share/#"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    // The ShareName ends at the first '/': "g" shares "a/b/c".
    for (const char* good : {"$share/g/a/b/c", "$share/g/+/#", "$share/g//"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

}  // namespace
}  // namespace mqtt::session::test
