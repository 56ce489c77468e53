// Normative statements on CONNECT (spec 3.1) and on Packet Identifiers and properties (spec 2.2),
// checked on the raw bytes the session writes (normative_support.hpp).
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

}  // namespace
}  // namespace mqtt::session::test
