// A catalogue of the MQTT v5 wire formats: for each of the 15 control packets, byte vectors
// written by hand (a comment per field) next to the packet struct they mean. One table drives
// both directions: every vector must decode to its packet, and the packet must encode back to the
// same bytes. Every vector is also fed whole, one byte at a time through the framer, and followed
// by the start of another packet.
//
// Reading guide: every packet starts with the fixed header (spec 2.1): one byte with the packet
// type in the high nibble and flags in the low nibble, then the Remaining Length as a Variable
// Byte Integer (spec 1.5.5). Strings are a two-byte big-endian length and UTF-8 bytes (1.5.4),
// binary data the same with raw bytes (1.5.6), and properties are a Property Length followed by
// identifier/value pairs (2.2.2).
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "protocol/packets.hpp"
#include "test_support.hpp"

// Cases name only the fields they set, with designated initializers; the rest keep their
// defaults. GCC 12 warns about every field left out, so that warning is off here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace mqtt {
namespace {

using namespace mqtt::test;
using namespace std::string_view_literals;

struct packet_case {
    std::string name;
    byte_vector bytes;  // written by hand
    packet expected;
    // What encode(expected) writes when it is not `bytes`: the decoder accepts longer forms than
    // the encoder writes (e.g. an explicit Reason Code 0x00), see the AlternativeForms suite.
    byte_vector canonical = {};
    // Extra checks of single fields of the decoded packet, to show where each value lands.
    std::function<void(const packet&)> spot_check = {};
};

void PrintTo(const packet_case& c, std::ostream* os) {
    *os << c.name;
}

constexpr string_pair kv[] = {{"k", "v"}};
constexpr string_pair ab[] = {{"a", "b"}};
constexpr string_pair unit_c[] = {{"unit", "C"}};
constexpr string_pair lang_fr[] = {{"lang", "fr"}};
constexpr std::uint32_t sub_id_42[] = {42};
constexpr std::uint32_t sub_id_5[] = {5};
constexpr std::uint32_t three_sub_ids[] = {1, 128, 268'435'455};

// ---------------------------------------------------------------------------------------------
// CONNECT (spec 3.1): fixed header 0x10, then Protocol Name "MQTT", Protocol Version 5, Connect
// Flags, Keep Alive, Properties; the payload holds Client Identifier, Will Properties, Will
// Topic, Will Payload, User Name, Password, in that order, each only if its flag says so
// (MQTT-3.1.3-1).
std::vector<packet_case> connect_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"CONNECT_minimal",
                     hex("10"           // CONNECT, reserved flags 0000 (MQTT-2.1.3-1)
                         "0F"           // Remaining Length 15
                         "0004 'MQTT'"  // Protocol Name (MQTT-3.1.2-1)
                         "05"           // Protocol Version 5
                         "02"           // Connect Flags: Clean Start
                         "003C"         // Keep Alive 60 s
                         "00"           // Property Length 0 (MQTT-2.2.2-1)
                         "0002 'c1'"),  // Client Identifier "c1" (MQTT-3.1.3-3)
                     connect{.clean_start = true, .keep_alive = 60, .client_id = "c1"}});
    cases.push_back({"CONNECT_empty_client_id_no_clean_start",
                     hex("10 0D"        // CONNECT, Remaining Length 13
                         "0004 'MQTT'"  // Protocol Name
                         "05"           // Protocol Version 5
                         "00"           // Connect Flags: none (Clean Start 0: resume a session)
                         "0000"         // Keep Alive 0: off
                         "00"           // Property Length 0
                         "0000"),       // Client Identifier "": the server assigns one
                     connect{.clean_start = false, .keep_alive = 0, .client_id = ""}});
    cases.push_back({"CONNECT_user_name_and_password",
                     hex("10 1B"               // CONNECT, Remaining Length 27
                         "0004 'MQTT' 05"      // Protocol Name, Protocol Version 5
                         "C2"                  // Connect Flags: User Name, Password, Clean Start
                         "001E"                // Keep Alive 30 s
                         "00"                  // Property Length 0
                         "0002 'id'"           // Client Identifier "id"
                         "0004 'user'"         // User Name "user" (MQTT-3.1.2-17)
                         "0004 00 01 02 FF"),  // Password: binary data, any bytes (MQTT-3.1.2-19)
                     connect{.clean_start = true,
                             .keep_alive = 30,
                             .client_id = "id",
                             .username = "user",
                             .password = bin("\x00\x01\x02\xFF"sv)},
                     {},
                     [](const packet& p) {
                         const auto& c = std::get<connect>(p);
                         EXPECT_EQ(c.username, "user");
                         ASSERT_TRUE(c.password.has_value());
                         EXPECT_EQ(to_hex(*c.password), "00 01 02 ff");
                         EXPECT_FALSE(c.will.has_value());
                     }});
    cases.push_back(
        {"CONNECT_password_without_user_name",  // allowed since MQTT v5
         hex("10 13"                            // CONNECT, Remaining Length 19
             "0004 'MQTT' 05"                   // Protocol Name, Protocol Version 5
             "40"                               // Connect Flags: Password only
             "000A"                             // Keep Alive 10 s
             "00"                               // Property Length 0
             "0001 'p'"                         // Client Identifier "p"
             "0003 'abc'"),                     // Password "abc"
         connect{
             .clean_start = false, .keep_alive = 10, .client_id = "p", .password = bin("abc")}});
    cases.push_back(
        {"CONNECT_will_qos1",
         hex("10 1D"           // CONNECT, Remaining Length 29
             "0004 'MQTT' 05"  // Protocol Name, Protocol Version 5
             "0E"              // Connect Flags: Will QoS 1 (bits 4-3 = 01), Will Flag, Clean Start
             "003C"            // Keep Alive 60 s
             "00"              // Property Length 0
             "0002 'c1'"       // Client Identifier "c1"
             "00"              // Will Properties: Property Length 0 (MQTT-3.1.2-9)
             "0006 'will/t'"   // Will Topic "will/t"
             "0003 'bye'"),    // Will Payload "bye"
         connect{.clean_start = true,
                 .keep_alive = 60,
                 .client_id = "c1",
                 .will = will_message{
                     .topic = "will/t", .payload = bin("bye"), .qos = qos::at_least_once}}});
    cases.push_back({"CONNECT_will_with_properties_user_name_password",
                     hex("10 7E"           // CONNECT, Remaining Length 126
                         "0004 'MQTT' 05"  // Protocol Name, Protocol Version 5
                         // Connect Flags 1111 0110: User Name, Password, Will Retain, Will
                         // QoS 2 (bits 4-3), Will Flag, Clean Start; bit 0 reserved (MQTT-3.1.2-3)
                         "F6"                        // Connect Flags
                         "0078"                      // Keep Alive 120 s
                         "17"                        // Property Length 23
                         "11 00000E10"               //   Session Expiry Interval 3600 s
                         "21 0014"                   //   Receive Maximum 20
                         "22 000A"                   //   Topic Alias Maximum 10
                         "26 0001 'k' 0001 'v'"      //   User Property ("k", "v")
                         "27 0000FFFF"               //   Maximum Packet Size 65535
                         "0005 'dev-1'"              // Client Identifier "dev-1"
                         "31"                        // Will Properties: Property Length 49
                         "01 01"                     //   Payload Format Indicator 1: UTF-8 text
                         "02 0000003C"               //   Message Expiry Interval 60 s
                         "03 000A 'text/plain'"      //   Content Type "text/plain"
                         "08 0005 'reply'"           //   Response Topic "reply"
                         "09 0002 BEEF"              //   Correlation Data BE EF
                         "18 0000001E"               //   Will Delay Interval 30 s (Will only)
                         "26 0004 'lang' 0002 'fr'"  //   User Property ("lang", "fr")
                         "000C 'status/dev-1'"       // Will Topic "status/dev-1"
                         "0007 'offline'"            // Will Payload "offline"
                         "0005 'admin'"              // User Name "admin"
                         "0003 010203"),             // Password 01 02 03
                     connect{.clean_start = true,
                             .keep_alive = 120,
                             .props = {.session_expiry_interval = 3600,
                                       .receive_maximum = 20,
                                       .topic_alias_maximum = 10,
                                       .user_properties = list(kv),
                                       .maximum_packet_size = 65535},
                             .client_id = "dev-1",
                             .will = will_message{.topic = "status/dev-1",
                                                  .payload = bin("offline"),
                                                  .qos = qos::exactly_once,
                                                  .retain = true,
                                                  .props = {.payload_format_indicator = 1,
                                                            .message_expiry_interval = 60,
                                                            .content_type = "text/plain",
                                                            .response_topic = "reply",
                                                            .correlation_data = bin("\xBE\xEF"sv),
                                                            .will_delay_interval = 30,
                                                            .user_properties = list(lang_fr)}},
                             .username = "admin",
                             .password = bin("\x01\x02\x03"sv)},
                     {},
                     [](const packet& p) {
                         const auto& c = std::get<connect>(p);
                         EXPECT_TRUE(c.clean_start);
                         EXPECT_EQ(c.keep_alive, 120);
                         EXPECT_EQ(c.props.session_expiry_interval, 3600u);
                         EXPECT_EQ(c.props.maximum_packet_size, 65535u);
                         EXPECT_FALSE(
                             c.props.will_delay_interval.has_value());  // it is a Will Property
                         ASSERT_TRUE(c.will.has_value());
                         EXPECT_EQ(c.will->topic, "status/dev-1");
                         EXPECT_EQ(as_chars(c.will->payload), "offline");
                         EXPECT_EQ(c.will->qos, qos::exactly_once);
                         EXPECT_TRUE(c.will->retain);
                         EXPECT_EQ(c.will->props.will_delay_interval, 30u);
                         EXPECT_EQ(c.will->props.content_type, "text/plain");
                         EXPECT_EQ(to_vector(c.will->props.user_properties),
                                   (std::vector<string_pair>{{"lang", "fr"}}));
                         EXPECT_EQ(c.username, "admin");
                     }});
    cases.push_back({"CONNECT_enhanced_authentication",
                     hex("10 27"                  // CONNECT, Remaining Length 39
                         "0004 'MQTT' 05"         // Protocol Name, Protocol Version 5
                         "02"                     // Connect Flags: Clean Start
                         "003C"                   // Keep Alive 60 s
                         "18"                     // Property Length 24
                         "15 000B 'SCRAM-SHA-1'"  // Authentication Method "SCRAM-SHA-1"
                         "16 0003 010203"         //   Authentication Data 01 02 03
                         "17 00"                  //   Request Problem Information 0
                         "19 01"                  //   Request Response Information 1
                         "0002 'c1'"),            // Client Identifier "c1"
                     connect{.clean_start = true,
                             .keep_alive = 60,
                             .props = {.authentication_method = "SCRAM-SHA-1",
                                       .authentication_data = bin("\x01\x02\x03"sv),
                                       .request_problem_information = 0,
                                       .request_response_information = 1},
                             .client_id = "c1"}});
    return cases;
}

// CONNACK (spec 3.2): fixed header 0x20, Connect Acknowledge Flags (bit 0 Session Present),
// Connect Reason Code, Properties. No payload.
std::vector<packet_case> connack_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"CONNACK_success",
                     hex("20 03"  // CONNACK, Remaining Length 3
                         "00"     // Connect Acknowledge Flags: Session Present 0
                         "00"     // Reason Code 0x00 Success
                         "00"),   // Property Length 0
                     connack{}});
    cases.push_back({"CONNACK_session_present",
                     hex("20 03"  // CONNACK, Remaining Length 3
                         "01"     // Connect Acknowledge Flags: Session Present 1
                         "00"     // Reason Code 0x00 Success
                         "00"),   // Property Length 0
                     connack{.session_present = true}});
    cases.push_back({"CONNACK_failure_not_authorized",
                     hex("20 03"  // CONNACK, Remaining Length 3
                         "00"     // Session Present 0 (always with a failure, MQTT-3.2.2-6)
                         "87"     // Reason Code 0x87 Not authorized
                         "00"),   // Property Length 0
                     connack{.reason = reason_code::not_authorized}});
    cases.push_back({"CONNACK_failure_with_reason_string",
                     hex("20 12"                     // CONNACK, Remaining Length 18
                         "00"                        // Session Present 0
                         "86"                        // Reason Code 0x86 Bad User Name or Password
                         "0F"                        // Property Length 15
                         "1F 000C 'bad password'"),  //   Reason String "bad password"
                     connack{.reason = reason_code::bad_user_name_or_password,
                             .props = {.reason_string = "bad password"}}});
    cases.push_back({"CONNACK_server_capabilities",
                     hex("20 2B"               // CONNACK, Remaining Length 43
                         "00 00"               // Session Present 0, Reason Code 0x00 Success
                         "28"                  // Property Length 40
                         "11 00000078"         //   Session Expiry Interval 120 s
                         "12 0008 'auto-123'"  //   Assigned Client Identifier "auto-123"
                         "13 001E"             //   Server Keep Alive 30 s
                         "21 000A"             //   Receive Maximum 10
                         "22 0005"             //   Topic Alias Maximum 5
                         "24 01"               //   Maximum QoS 1
                         "25 00"               //   Retain Available 0
                         "27 00100000"         //   Maximum Packet Size 1 MiB
                         "28 01"               //   Wildcard Subscription Available 1
                         "29 00"               //   Subscription Identifier Available 0
                         "2A 01"),             //   Shared Subscription Available 1
                     connack{.props = {.session_expiry_interval = 120,
                                       .assigned_client_identifier = "auto-123",
                                       .server_keep_alive = 30,
                                       .receive_maximum = 10,
                                       .topic_alias_maximum = 5,
                                       .maximum_qos = 1,
                                       .retain_available = 0,
                                       .maximum_packet_size = 1'048'576,
                                       .wildcard_subscription_available = 1,
                                       .subscription_identifier_available = 0,
                                       .shared_subscription_available = 1}},
                     {},
                     [](const packet& p) {
                         const auto& c = std::get<connack>(p);
                         EXPECT_EQ(c.reason, reason_code::success);
                         EXPECT_EQ(c.props.assigned_client_identifier, "auto-123");
                         EXPECT_EQ(c.props.server_keep_alive, 30);
                         EXPECT_EQ(c.props.maximum_qos, 1);
                         EXPECT_EQ(c.props.retain_available,
                                   0);  // present with value 0, not absent
                         EXPECT_EQ(c.props.maximum_packet_size, 1'048'576u);
                         EXPECT_FALSE(c.props.authentication_method.has_value());
                     }});
    return cases;
}

// PUBLISH (spec 3.3): fixed header 0x3X where X = DUP (bit 3), QoS (bits 2-1), RETAIN (bit 0);
// Topic Name, Packet Identifier (QoS 1 and 2 only, MQTT-2.2.1-2), Properties; the payload is
// whatever is left.
std::vector<packet_case> publish_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"PUBLISH_qos0",
                     hex("30"          // PUBLISH, DUP 0, QoS 0, RETAIN 0
                         "08"          // Remaining Length 8
                         "0003 'a/b'"  // Topic Name "a/b"
                         "00"          // Property Length 0 (no Packet Identifier at QoS 0)
                         "'hi'"),      // Payload "hi"
                     publish{.topic = "a/b", .payload = bin("hi")}});
    cases.push_back({"PUBLISH_qos0_retain_empty_payload",  // clears a retained message
                     hex("31"                              // PUBLISH, QoS 0, RETAIN 1
                         "06"                              // Remaining Length 6
                         "0003 'a/b'"                      // Topic Name "a/b"
                         "00"),                            // Property Length 0, empty payload
                     publish{.retain = true, .topic = "a/b"}});
    cases.push_back(
        {"PUBLISH_qos1",
         hex("32"          // PUBLISH, QoS 1 (bits 2-1 = 01)
             "0D"          // Remaining Length 13
             "0003 'a/b'"  // Topic Name "a/b"
             "0001"        // Packet Identifier 1
             "00"          // Property Length 0
             "'hello'"),   // Payload "hello"
         publish{
             .qos = qos::at_least_once, .topic = "a/b", .packet_id = 1, .payload = bin("hello")},
         {},
         [](const packet& p) {
             const auto& pub = std::get<publish>(p);
             EXPECT_FALSE(pub.dup);
             EXPECT_EQ(pub.qos, qos::at_least_once);
             EXPECT_FALSE(pub.retain);
             EXPECT_EQ(pub.packet_id, 1);
             EXPECT_EQ(as_chars(pub.payload), "hello");
         }});
    cases.push_back({"PUBLISH_qos1_dup",  // a re-delivery (MQTT-3.3.1-1)
                     hex("3A"             // PUBLISH, DUP 1 (bit 3), QoS 1
                         "0D"             // Remaining Length 13
                         "0003 'a/b'"     // Topic Name "a/b"
                         "1234"           // Packet Identifier 0x1234
                         "00"             // Property Length 0
                         "'hello'"),      // Payload "hello"
                     publish{.dup = true,
                             .qos = qos::at_least_once,
                             .topic = "a/b",
                             .packet_id = 0x1234,
                             .payload = bin("hello")}});
    cases.push_back({"PUBLISH_qos2_dup_retain_binary_payload",
                     hex("3D"          // PUBLISH, DUP 1, QoS 2 (bits 2-1 = 10), RETAIN 1
                         "0A"          // Remaining Length 10
                         "0003 's/t'"  // Topic Name "s/t"
                         "FFFF"        // Packet Identifier 65535
                         "00"          // Property Length 0
                         "00 FF"),     // Payload: two raw bytes
                     publish{.dup = true,
                             .qos = qos::exactly_once,
                             .retain = true,
                             .topic = "s/t",
                             .packet_id = 0xFFFF,
                             .payload = bin("\x00\xFF"sv)}});
    cases.push_back({"PUBLISH_qos1_with_properties",
                     hex("32"                          // PUBLISH, QoS 1
                         "55"                          // Remaining Length 85
                         "000C 'sensors/temp'"         // Topic Name "sensors/temp"
                         "000A"                        // Packet Identifier 10
                         "40"                          // Property Length 64
                         "01 01"                       //   Payload Format Indicator 1: UTF-8
                         "02 0000012C"                 //   Message Expiry Interval 300 s
                         "03 0010 'application/json'"  //   Content Type
                         "08 000D 'sensors/reply'"     //   Response Topic
                         "09 0004 01020304"            //   Correlation Data
                         "0B 05"    //   Subscription Identifier 5 (server to client)
                         "23 0003"  //   Topic Alias 3
                         "26 0004 'unit' 0001 'C'"  //   User Property ("unit", "C")
                         "'21.5'"),                 // Payload "21.5"
                     publish{.qos = qos::at_least_once,
                             .topic = "sensors/temp",
                             .packet_id = 10,
                             .props = {.payload_format_indicator = 1,
                                       .message_expiry_interval = 300,
                                       .content_type = "application/json",
                                       .response_topic = "sensors/reply",
                                       .correlation_data = bin("\x01\x02\x03\x04"sv),
                                       .subscription_identifiers = list(sub_id_5),
                                       .topic_alias = 3,
                                       .user_properties = list(unit_c)},
                             .payload = bin("21.5")},
                     {},
                     [](const packet& p) {
                         const auto& pub = std::get<publish>(p);
                         EXPECT_EQ(pub.props.payload_format_indicator, 1);
                         EXPECT_EQ(pub.props.message_expiry_interval, 300u);
                         EXPECT_EQ(pub.props.response_topic, "sensors/reply");
                         ASSERT_TRUE(pub.props.correlation_data.has_value());
                         EXPECT_EQ(to_hex(*pub.props.correlation_data), "01 02 03 04");
                         EXPECT_EQ(to_vector(pub.props.subscription_identifiers),
                                   std::vector<std::uint32_t>{5});
                         EXPECT_EQ(pub.props.topic_alias, 3);
                         EXPECT_EQ(as_chars(pub.payload), "21.5");
                     }});
    cases.push_back({"PUBLISH_topic_alias_with_empty_topic",  // spec 3.3.2.3.4
                     hex("30 07"                              // PUBLISH QoS 0, Remaining Length 7
                         "0000"     // Topic Name "": use the topic mapped to the alias
                         "03"       // Property Length 3
                         "23 0007"  //   Topic Alias 7
                         "'x'"),    // Payload "x"
                     publish{.topic = "", .props = {.topic_alias = 7}, .payload = bin("x")}});
    cases.push_back(
        {"PUBLISH_multiple_subscription_identifiers",  // one per matching subscription
         hex("30 0E"                                   // PUBLISH QoS 0, Remaining Length 14
             "0001 't'"                                // Topic Name "t"
             "0A"                                      // Property Length 10
             "0B 01"                                   //   Subscription Identifier 1
             "0B 8001"        //   Subscription Identifier 128 (Variable Byte Integer, 2 bytes)
             "0B FFFFFF7F"),  //   Subscription Identifier 268,435,455 (the maximum, 4 bytes)
         publish{.topic = "t", .props = {.subscription_identifiers = list(three_sub_ids)}},
         {},
         [](const packet& p) {
             EXPECT_EQ(to_vector(std::get<publish>(p).props.subscription_identifiers),
                       (std::vector<std::uint32_t>{1, 128, 268'435'455}));
         }});
    cases.push_back({"PUBLISH_multibyte_utf8_topic",
                     hex("30 0F"       // PUBLISH QoS 0, Remaining Length 15
                         "0009"        // Topic Name: 9 bytes, 6 characters
                         "'caf' C3A9"  //   "café": U+00E9 takes 2 bytes
                         "'/' E29895"  //   "/☕": U+2615 takes 3 bytes
                         "00"          // Property Length 0
                         "'hot'"),     // Payload "hot"
                     publish{.topic = "caf\xC3\xA9/\xE2\x98\x95", .payload = bin("hot")}});
    // Remaining Length 128 needs two bytes: 0x80 0x01 = 0 + 1 * 128 (spec 1.5.5, shortest form
    // MQTT-1.5.5-1).
    static const std::string payload_122(122, 'x');
    cases.push_back({"PUBLISH_two_byte_remaining_length",
                     concat({hex("30"                  // PUBLISH QoS 0
                                 "80 01"               // Remaining Length 128
                                 "0003 'a/b'"          // Topic Name "a/b"
                                 "00"),                // Property Length 0
                             byte_vector(122, 'x')}),  // Payload: 122 x 'x'
                     publish{.topic = "a/b", .payload = bin(payload_122)}});
    // Remaining Length 16,384 needs three: 0x80 0x80 0x01 = 0 + 0 * 128 + 1 * 128^2.
    static const std::string payload_16378(16'378, 'x');
    cases.push_back({"PUBLISH_three_byte_remaining_length",
                     concat({hex("30"                     // PUBLISH QoS 0
                                 "80 80 01"               // Remaining Length 16,384
                                 "0003 'a/b'"             // Topic Name "a/b"
                                 "00"),                   // Property Length 0
                             byte_vector(16'378, 'x')}),  // Payload: 16,378 x 'x'
                     publish{.topic = "a/b", .payload = bin(payload_16378)}});
    // The Property Length is a Variable Byte Integer too: 128 takes two bytes.
    static const std::string value_122(122, 'v');
    static const string_pair long_pair[] = {{"k", value_122}};
    cases.push_back({"PUBLISH_two_byte_property_length",
                     concat({hex("30"                  // PUBLISH QoS 0
                                 "85 01"               // Remaining Length 133 = 5 + 1 * 128
                                 "0001 't'"            // Topic Name "t"
                                 "80 01"               // Property Length 128
                                 "26"                  //   User Property:
                                 "0001 'k'"            //     name "k"
                                 "007A"),              //     value: 122 bytes ...
                             byte_vector(122, 'v')}),  // ... of 'v'; no payload
                     publish{.topic = "t", .props = {.user_properties = list(long_pair)}}});
    return cases;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP (spec 3.4 - 3.7): Packet Identifier, then optionally a Reason
// Code, then optionally Properties. Reason Code 0x00 with no properties is sent as the short form
// (Remaining Length 2); a failure with no properties as Remaining Length 3. PUBREL's fixed header
// flags are 0010 (MQTT-2.1.3-1).
std::vector<packet_case> publish_response_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"PUBACK_short",
                     hex("40 02"   // PUBACK, Remaining Length 2
                         "0001"),  // Packet Identifier 1; Reason Code 0x00 Success implied
                     puback{.packet_id = 1}});
    cases.push_back({"PUBACK_reason_only",
                     hex("40 03"  // PUBACK, Remaining Length 3
                         "0002"   // Packet Identifier 2
                         "10"),   // Reason Code 0x10 No matching subscribers; no properties
                     puback{.packet_id = 2, .reason = reason_code::no_matching_subscribers}});
    cases.push_back(
        {"PUBACK_reason_and_properties",
         hex("40 1C"                     // PUBACK, Remaining Length 28
             "0003"                      // Packet Identifier 3
             "97"                        // Reason Code 0x97 Quota exceeded
             "18"                        // Property Length 24
             "1F 000E 'quota exceeded'"  //   Reason String
             "26 0001 'a' 0001 'b'"),    //   User Property ("a", "b")
         puback{.packet_id = 3,
                .reason = reason_code::quota_exceeded,
                .props = {.reason_string = "quota exceeded", .user_properties = list(ab)}}});
    cases.push_back({"PUBREC_short",
                     hex("50 02"   // PUBREC, Remaining Length 2
                         "0005"),  // Packet Identifier 5
                     pubrec{.packet_id = 5}});
    cases.push_back({"PUBREC_reason_only",
                     hex("50 03"  // PUBREC, Remaining Length 3
                         "0006"   // Packet Identifier 6
                         "91"),   // Reason Code 0x91 Packet Identifier in use
                     pubrec{.packet_id = 6, .reason = reason_code::packet_identifier_in_use}});
    cases.push_back({"PUBREC_reason_and_properties",
                     hex("50 0D"               // PUBREC, Remaining Length 13
                         "0007"                // Packet Identifier 7
                         "80"                  // Reason Code 0x80 Unspecified error
                         "09"                  // Property Length 9
                         "1F 0006 'failed'"),  //   Reason String "failed"
                     pubrec{.packet_id = 7,
                            .reason = reason_code::unspecified_error,
                            .props = {.reason_string = "failed"}}});
    cases.push_back({"PUBREL_short",
                     hex("62"      // PUBREL, flags 0010 (MQTT-2.1.3-1)
                         "02"      // Remaining Length 2
                         "0005"),  // Packet Identifier 5
                     pubrel{.packet_id = 5}});
    cases.push_back({"PUBREL_reason_only",
                     hex("62 03"  // PUBREL, Remaining Length 3
                         "0006"   // Packet Identifier 6
                         "92"),   // Reason Code 0x92 Packet Identifier not found
                     pubrel{.packet_id = 6, .reason = reason_code::packet_identifier_not_found}});
    cases.push_back({"PUBREL_reason_and_properties",
                     hex("62 15"                   // PUBREL, Remaining Length 21
                         "0007"                    // Packet Identifier 7
                         "92"                      // Reason Code 0x92
                         "11"                      // Property Length 17
                         "1F 0007 'unknown'"       //   Reason String "unknown"
                         "26 0001 'k' 0001 'v'"),  //   User Property ("k", "v")
                     pubrel{.packet_id = 7,
                            .reason = reason_code::packet_identifier_not_found,
                            .props = {.reason_string = "unknown", .user_properties = list(kv)}}});
    cases.push_back({"PUBCOMP_short",
                     hex("70 02"   // PUBCOMP, Remaining Length 2
                         "0005"),  // Packet Identifier 5
                     pubcomp{.packet_id = 5}});
    cases.push_back({"PUBCOMP_reason_only",
                     hex("70 03"  // PUBCOMP, Remaining Length 3
                         "0006"   // Packet Identifier 6
                         "92"),   // Reason Code 0x92 Packet Identifier not found
                     pubcomp{.packet_id = 6, .reason = reason_code::packet_identifier_not_found}});
    cases.push_back({"PUBCOMP_success_with_properties",
                     hex("70 0B"  // PUBCOMP, Remaining Length 11
                         "0007"   // Packet Identifier 7
                         "00"     // Reason Code 0x00: written, as properties follow
                         "07"     // Property Length 7
                         "26 0001 'k' 0001 'v'"),  //   User Property ("k", "v")
                     pubcomp{.packet_id = 7, .props = {.user_properties = list(kv)}}});
    return cases;
}

// SUBSCRIBE (spec 3.8), fixed header 0x82: Packet Identifier, Properties, then one or more
// Topic Filter + Subscription Options byte: bits 1-0 Maximum QoS, bit 2 No Local, bit 3 Retain As
// Published, bits 5-4 Retain Handling, bits 7-6 reserved (0).
// SUBACK (3.9): Packet Identifier, Properties, one Reason Code per subscription, in the order of
// the SUBSCRIBE (MQTT-3.9.3-1).
// UNSUBSCRIBE (3.10), fixed header 0xA2: Packet Identifier, Properties, one or more Topic Filters.
// UNSUBACK (3.11): Packet Identifier, Properties, one Reason Code per Topic Filter, in order
// (MQTT-3.11.3-1).
constexpr subscription all_options[] = {
    {.topic_filter = "a/+/c", .max_qos = qos::at_least_once},
    {.topic_filter = "sport/#",
     .max_qos = qos::exactly_once,
     .no_local = true,
     .retain_as_published = true,
     .retain_handling = retain_handling::send_if_new_subscription},
    {.topic_filter = "#", .retain_handling = retain_handling::do_not_send},
    {.topic_filter = "$share/g1/jobs/+",
     .max_qos = qos::at_least_once,
     .retain_as_published = true},
    {.topic_filter = "+",
     .max_qos = qos::exactly_once,
     .retain_as_published = true,
     .retain_handling = retain_handling::do_not_send},
};
constexpr subscription one_subscription[] = {{.topic_filter = "a/b"}};
constexpr reason_code granted_qos_1[] = {reason_code::granted_qos_1};
constexpr reason_code every_suback_code[] = {
    reason_code::success,  // Granted QoS 0
    reason_code::granted_qos_1,
    reason_code::granted_qos_2,
    reason_code::unspecified_error,
    reason_code::implementation_specific_error,
    reason_code::not_authorized,
    reason_code::topic_filter_invalid,
    reason_code::packet_identifier_in_use,
    reason_code::quota_exceeded,
    reason_code::shared_subscriptions_not_supported,
    reason_code::subscription_identifiers_not_supported,
    reason_code::wildcard_subscriptions_not_supported,
};
constexpr reason_code not_authorized[] = {reason_code::not_authorized};
constexpr std::string_view one_filter[] = {"a/b"};
constexpr std::string_view three_filters[] = {"a/+/c", "#", "$share/g/news/#"};
constexpr reason_code success[] = {reason_code::success};
constexpr reason_code every_unsuback_code[] = {
    reason_code::success,
    reason_code::no_subscription_existed,
    reason_code::unspecified_error,
    reason_code::implementation_specific_error,
    reason_code::not_authorized,
    reason_code::topic_filter_invalid,
    reason_code::packet_identifier_in_use,
};

std::vector<packet_case> subscribe_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"SUBSCRIBE_single",
                     hex("82"          // SUBSCRIBE, flags 0010 (MQTT-2.1.3-1)
                         "09"          // Remaining Length 9
                         "0001"        // Packet Identifier 1
                         "00"          // Property Length 0
                         "0003 'a/b'"  // Topic Filter "a/b"
                         "00"),        // Subscription Options: QoS 0, everything else 0
                     subscribe{.packet_id = 1, .subscriptions = list(one_subscription)}});
    cases.push_back(
        {"SUBSCRIBE_several_with_all_options",
         hex("82 39"                       // SUBSCRIBE, Remaining Length 57
             "000A"                        // Packet Identifier 10
             "09"                          // Property Length 9
             "0B 2A"                       //   Subscription Identifier 42
             "26 0001 'k' 0001 'v'"        //   User Property ("k", "v")
             "0005 'a/+/c'   01"           // "a/+/c": Maximum QoS 1
             "0007 'sport/#' 1E"           // "sport/#": QoS 2, No Local, Retain As Published,
                                           //   Retain Handling 1 (00 01 1 1 10)
             "0001 '#'       20"           // "#": QoS 0, Retain Handling 2 (00 10 0 0 00)
             "0010 '$share/g1/jobs/+' 09"  // shared subscription: QoS 1, Retain As Published
                                           //   (No Local must be 0 here, MQTT-3.8.3-4)
             "0001 '+'       2A"),         // "+": QoS 2, Retain As Published, Retain Handling 2
         subscribe{
             .packet_id = 10,
             .props = {.subscription_identifiers = list(sub_id_42), .user_properties = list(kv)},
             .subscriptions = list(all_options)},
         {},
         [](const packet& p) {
             auto subs = to_vector(std::get<subscribe>(p).subscriptions);
             ASSERT_EQ(subs.size(), 5u);
             EXPECT_EQ(subs[1].topic_filter, "sport/#");
             EXPECT_EQ(subs[1].max_qos, qos::exactly_once);
             EXPECT_TRUE(subs[1].no_local);
             EXPECT_TRUE(subs[1].retain_as_published);
             EXPECT_EQ(subs[1].retain_handling, retain_handling::send_if_new_subscription);
             EXPECT_EQ(subs[2].retain_handling, retain_handling::do_not_send);
             EXPECT_EQ(subs[3].topic_filter, "$share/g1/jobs/+");
         }});
    cases.push_back({"SUBACK_single",
                     hex("90 04"  // SUBACK, Remaining Length 4
                         "0001"   // Packet Identifier 1
                         "00"     // Property Length 0
                         "01"),   // Reason Code 0x01 Granted QoS 1
                     suback{.packet_id = 1, .reason_codes = list(granted_qos_1)}});
    cases.push_back(
        {"SUBACK_every_reason_code",
         hex("90 0F"              // SUBACK, Remaining Length 15
             "000A"               // Packet Identifier 10
             "00"                 // Property Length 0
             "00 01 02"           // Granted QoS 0, 1, 2
             "80 83 87 8F 91 97"  // Unspecified, Implementation specific, Not authorized,
                                  //   Topic Filter invalid, Packet Identifier in use, Quota
             "9E A1 A2"),         // Shared / Subscription Identifiers / Wildcards not supported
         suback{.packet_id = 10, .reason_codes = list(every_suback_code)},
         {},
         [](const packet& p) {
             auto codes = to_vector(std::get<suback>(p).reason_codes);
             ASSERT_EQ(codes.size(), 12u);
             EXPECT_EQ(codes[0], reason_code::success);
             EXPECT_EQ(codes[2], reason_code::granted_qos_2);
             EXPECT_EQ(codes[11], reason_code::wildcard_subscriptions_not_supported);
         }});
    cases.push_back({"SUBACK_with_properties",
                     hex("90 12"                 // SUBACK, Remaining Length 18
                         "0002"                  // Packet Identifier 2
                         "0E"                    // Property Length 14
                         "1F 0004 'nope'"        //   Reason String "nope"
                         "26 0001 'k' 0001 'v'"  //   User Property ("k", "v")
                         "87"),                  // Reason Code 0x87 Not authorized
                     suback{.packet_id = 2,
                            .props = {.reason_string = "nope", .user_properties = list(kv)},
                            .reason_codes = list(not_authorized)}});
    cases.push_back({"UNSUBSCRIBE_single",
                     hex("A2"            // UNSUBSCRIBE, flags 0010 (MQTT-3.10.1-1)
                         "08"            // Remaining Length 8
                         "0001"          // Packet Identifier 1
                         "00"            // Property Length 0
                         "0003 'a/b'"),  // Topic Filter "a/b"
                     unsubscribe{.packet_id = 1, .topic_filters = list(one_filter)}});
    cases.push_back({"UNSUBSCRIBE_several_with_user_property",
                     hex("A2 25"                     // UNSUBSCRIBE, Remaining Length 37
                         "0003"                      // Packet Identifier 3
                         "07"                        // Property Length 7
                         "26 0001 'k' 0001 'v'"      //   User Property ("k", "v")
                         "0005 'a/+/c'"              // Topic Filter "a/+/c"
                         "0001 '#'"                  // Topic Filter "#"
                         "000F '$share/g/news/#'"),  // Topic Filter "$share/g/news/#"
                     unsubscribe{.packet_id = 3,
                                 .props = {.user_properties = list(kv)},
                                 .topic_filters = list(three_filters)}});
    cases.push_back({"UNSUBACK_single",
                     hex("B0 04"  // UNSUBACK, Remaining Length 4
                         "0001"   // Packet Identifier 1
                         "00"     // Property Length 0
                         "00"),   // Reason Code 0x00 Success
                     unsuback{.packet_id = 1, .reason_codes = list(success)}});
    cases.push_back({"UNSUBACK_every_reason_code_with_reason_string",
                     hex("B0 10"             // UNSUBACK, Remaining Length 16
                         "0007"              // Packet Identifier 7
                         "06"                // Property Length 6
                         "1F 0003 'why'"     //   Reason String "why"
                         "00 11"             // Success, No subscription existed
                         "80 83 87 8F 91"),  // Unspecified, Implementation specific, Not
                                             //   authorized, Topic Filter invalid, Id in use
                     unsuback{.packet_id = 7,
                              .props = {.reason_string = "why"},
                              .reason_codes = list(every_unsuback_code)}});
    return cases;
}

// PINGREQ, PINGRESP (3.12, 3.13): a fixed header and nothing else.
// DISCONNECT (3.14): Reason Code and Properties, both omitted for a normal disconnection.
// AUTH (3.15): the same shape, for enhanced authentication (spec 4.12); Reason Codes 0x00, 0x18
// and 0x19 only (MQTT-3.15.2-1).
std::vector<packet_case> control_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"PINGREQ", hex("C0 00"), pingreq{}});    // PINGREQ, Remaining Length 0
    cases.push_back({"PINGRESP", hex("D0 00"), pingresp{}});  // PINGRESP, Remaining Length 0
    cases.push_back({"DISCONNECT_short",
                     hex("E0"    // DISCONNECT
                         "00"),  // Remaining Length 0: Reason Code 0x00 Normal disconnection
                     disconnect{}});
    cases.push_back({"DISCONNECT_reason_only",
                     hex("E0 01"  // DISCONNECT, Remaining Length 1
                         "04"),   // Reason Code 0x04 Disconnect with Will Message
                     disconnect{.reason = reason_code::disconnect_with_will_message}});
    // Sent by a client: a server never puts Session Expiry Interval in a DISCONNECT
    // (MQTT-3.14.2-2).
    cases.push_back(
        {"DISCONNECT_with_properties",
         hex("E0 13"                  // DISCONNECT, Remaining Length 19
             "00"                     // Reason Code 0x00 Normal disconnection
             "11"                     // Property Length 17
             "11 0000012C"            //   Session Expiry Interval 300 s
             "1F 0009 'going off'"),  //   Reason String "going off"
         disconnect{.props = {.session_expiry_interval = 300, .reason_string = "going off"}}});
    cases.push_back(
        {"DISCONNECT_server_moved",
         hex("E0 18"                   // DISCONNECT, Remaining Length 24
             "9D"                      // Reason Code 0x9D Server moved
             "16"                      // Property Length 22
             "1C 000C 'broker2:1883'"  //   Server Reference "broker2:1883"
             "26 0001 'k' 0001 'v'"),  //   User Property ("k", "v")
         disconnect{.reason = reason_code::server_moved,
                    .props = {.server_reference = "broker2:1883", .user_properties = list(kv)}},
         {},
         [](const packet& p) {
             const auto& d = std::get<disconnect>(p);
             EXPECT_EQ(d.reason, reason_code::server_moved);
             EXPECT_EQ(d.props.server_reference, "broker2:1883");
         }});
    cases.push_back({"AUTH_short",
                     hex("F0"    // AUTH
                         "00"),  // Remaining Length 0: Reason Code 0x00 Success
                     auth{}});
    // With a Remaining Length under 2 the Property Length is taken as 0 (spec 3.15.2.2.1).
    // AUTH has no Remaining Length 1 form (spec 3.15.2.1 omits Reason Code and Property Length
    // together only): a Reason Code is followed by a Property Length, even a zero one.
    cases.push_back({"AUTH_reason_no_properties",
                     hex("F0 02"  // AUTH, Remaining Length 2
                         "18"     // Reason Code 0x18 Continue authentication
                         "00"),   // Property Length 0
                     auth{.reason = reason_code::continue_authentication}});
    cases.push_back({"AUTH_continue_authentication",
                     hex("F0 19"                    // AUTH, Remaining Length 25
                         "18"                       // Reason Code 0x18 Continue authentication
                         "17"                       // Property Length 23
                         "15 000D 'SCRAM-SHA-256'"  //   Authentication Method
                         "16 0004 01020304"),       //   Authentication Data
                     auth{.reason = reason_code::continue_authentication,
                          .props = {.authentication_method = "SCRAM-SHA-256",
                                    .authentication_data = bin("\x01\x02\x03\x04"sv)}},
                     {},
                     [](const packet& p) {
                         const auto& a = std::get<auth>(p);
                         EXPECT_EQ(a.reason, reason_code::continue_authentication);
                         EXPECT_EQ(a.props.authentication_method, "SCRAM-SHA-256");
                     }});
    cases.push_back({"AUTH_re_authenticate",
                     hex("F0 21"                    // AUTH, Remaining Length 33
                         "19"                       // Reason Code 0x19 Re-authenticate
                         "1F"                       // Property Length 31
                         "15 000D 'SCRAM-SHA-256'"  //   Authentication Method
                         "1F 0005 'again'"          //   Reason String "again"
                         "26 0001 'k' 0001 'v'"),   //   User Property ("k", "v")
                     auth{.reason = reason_code::re_authenticate,
                          .props = {.authentication_method = "SCRAM-SHA-256",
                                    .reason_string = "again",
                                    .user_properties = list(kv)}}});
    return cases;
}

std::vector<packet_case> canonical_cases() {
    std::vector<packet_case> all;
    for (auto family : {connect_cases, connack_cases, publish_cases, publish_response_cases,
                        subscribe_cases, control_cases}) {
        for (auto& c : family())
            all.push_back(std::move(c));
    }
    return all;
}

// Forms the decoder must accept but the encoder never writes (it always writes the shortest).
std::vector<packet_case> alternative_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"PUBACK_explicit_success_code",
                     hex("40 03"  // PUBACK, Remaining Length 3
                         "0001"   // Packet Identifier 1
                         "00"),   // Reason Code 0x00 written out
                     puback{.packet_id = 1}, hex("40 02 0001")});
    cases.push_back({"PUBACK_explicit_property_length_zero",
                     hex("40 04"  // PUBACK, Remaining Length 4
                         "0001"   // Packet Identifier 1
                         "10"     // Reason Code 0x10
                         "00"),   // Property Length 0 written out
                     puback{.packet_id = 1, .reason = reason_code::no_matching_subscribers},
                     hex("40 03 0001 10")});
    cases.push_back({"PUBREL_explicit_success_and_property_length",
                     hex("62 04"    // PUBREL, Remaining Length 4
                         "0001"     // Packet Identifier 1
                         "00 00"),  // Reason Code 0x00, Property Length 0
                     pubrel{.packet_id = 1}, hex("62 02 0001")});
    cases.push_back({"DISCONNECT_explicit_normal_disconnection",
                     hex("E0 01"  // DISCONNECT, Remaining Length 1
                         "00"),   // Reason Code 0x00 written out
                     disconnect{}, hex("E0 00")});
    cases.push_back({"DISCONNECT_explicit_property_length_zero",
                     hex("E0 02"  // DISCONNECT, Remaining Length 2
                         "8E"     // Reason Code 0x8E Session taken over
                         "00"),   // Property Length 0
                     disconnect{.reason = reason_code::session_taken_over}, hex("E0 01 8E")});
    cases.push_back({"AUTH_explicit_success_and_property_length",
                     hex("F0 02"    // AUTH, Remaining Length 2
                         "00 00"),  // Reason Code 0x00, Property Length 0
                     auth{}, hex("F0 00")});
    cases.push_back(
        {"PUBLISH_properties_in_any_order",  // spec 2.2.2.2 sets no order
         hex("30 0C"                         // PUBLISH QoS 0, Remaining Length 12
             "0001 't'"                      // Topic Name "t"
             "08"                            // Property Length 8
             "23 0007"                       //   Topic Alias 7 ...
             "02 0000003C"),                 //   ... before Message Expiry Interval 60
         publish{.topic = "t", .props = {.message_expiry_interval = 60, .topic_alias = 7}},
         hex("30 0C 0001 't' 08 02 0000003C 23 0007")});
    return cases;
}

class PacketVector : public ::testing::TestWithParam<packet_case> {
  protected:
    const byte_vector& encoding() const {
        const auto& c = GetParam();
        return c.canonical.empty() ? c.bytes : c.canonical;
    }
};

// A check of the hand-written vector itself, independent of the code under test: the fixed
// header's Remaining Length must count exactly the bytes that follow it.
TEST_P(PacketVector, VectorIsSelfConsistent) {
    const auto& bytes = GetParam().bytes;
    ASSERT_GE(bytes.size(), 2u);
    std::uint32_t remaining = 0;
    std::size_t i = 1;
    for (std::uint32_t multiplier = 1; i < bytes.size(); multiplier *= 128) {
        remaining += (bytes[i] & 0x7F) * multiplier;
        if ((bytes[i++] & 0x80) == 0) break;
    }
    EXPECT_EQ(i + remaining, bytes.size()) << "Remaining Length does not match the vector";
}

TEST_P(PacketVector, DecodesWhole) {
    const auto& c = GetParam();
    decode_result r = decode(c.bytes);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_EQ(type_of(r.value), packet_type(c.bytes[0] >> 4));
    EXPECT_TRUE(same_packet(r.value, c.expected));
    if (c.spot_check) c.spot_check(r.value);
}

TEST_P(PacketVector, FixedHeader) {
    const auto& c = GetParam();
    header_result h = decode_fixed_header(c.bytes);
    ASSERT_EQ(h.status, decode_status::complete) << h.error.message();
    EXPECT_EQ(h.header.type, type_of(c.expected));
    EXPECT_EQ(h.header.flags, c.bytes[0] & 0x0F);
    EXPECT_EQ(h.header.packet_size(), c.bytes.size());
}

TEST_P(PacketVector, EncodesByteForByte) {
    const auto& c = GetParam();
    const byte_vector& want = encoding();
    EXPECT_EQ(encoded_size(c.expected), want.size());
    byte_vector out(want.size() + 8, 0xEE);
    ASSERT_EQ(encode(c.expected, out), want.size());
    out.resize(want.size());
    EXPECT_EQ(to_hex(out), to_hex(want));
    // A buffer one byte short is refused, not overrun.
    byte_vector short_buffer(want.size() - 1);
    EXPECT_EQ(encode(c.expected, short_buffer), 0u);
}

TEST_P(PacketVector, EveryPrefixNeedsMore) {
    const auto& bytes = GetParam().bytes;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        decode_result r = decode(bytes_view(bytes).first(n));
        EXPECT_EQ(r.status, decode_status::need_more)
            << "prefix of " << n << " bytes: " << r.error.message();
    }
}

TEST_P(PacketVector, FramedOneByteAtATime) {
    const auto& c = GetParam();
    auto framed = frame_byte_by_byte(c.bytes);
    ASSERT_TRUE(framed.has_value());
    EXPECT_EQ(to_hex(*framed), to_hex(c.bytes));
    decode_result r = decode(*framed);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_TRUE(same_packet(r.value, c.expected));
}

TEST_P(PacketVector, FollowedByTrailingBytes) {
    const auto& c = GetParam();
    // The first three bytes of another PUBLISH: a reader must stop at the packet's end.
    const byte_vector trailing = hex("30 0A 00");
    byte_vector stream = concat({c.bytes, trailing});

    decode_result r = decode(stream);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_TRUE(same_packet(r.value, c.expected));

    framer f;
    frame_result first = f.feed(stream);
    ASSERT_EQ(first.status, decode_status::complete) << first.error.message();
    EXPECT_EQ(first.consumed, c.bytes.size());
    EXPECT_EQ(to_hex(first.packet), to_hex(c.bytes));
    decode_result framed = decode(first.packet);
    ASSERT_EQ(framed.status, decode_status::complete) << framed.error.message();
    EXPECT_TRUE(same_packet(framed.value, c.expected));

    frame_result rest = f.feed(bytes_view(stream).subspan(first.consumed));
    EXPECT_EQ(rest.status, decode_status::need_more);
    EXPECT_EQ(rest.consumed, trailing.size());
    EXPECT_EQ(f.buffered(), trailing.size());
    EXPECT_EQ(f.stream_offset(), stream.size());
}

std::string case_name(const ::testing::TestParamInfo<packet_case>& info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Canonical, PacketVector, ::testing::ValuesIn(canonical_cases()),
                         case_name);
INSTANTIATE_TEST_SUITE_P(AlternativeForms, PacketVector, ::testing::ValuesIn(alternative_cases()),
                         case_name);

// The catalogue covers all 15 packet types.
TEST(PacketVectors, CoverEveryPacketType) {
    std::vector<bool> seen(16, false);
    for (const auto& c : canonical_cases())
        seen[std::size_t(type_of(c.expected))] = true;
    for (int t = 1; t <= 15; ++t) {
        EXPECT_TRUE(seen[std::size_t(t)]) << packet_type_name(packet_type(t));
    }
}

// Spec 1.5.5: a Variable Byte Integer carries 7 bits per byte, low group first, with bit 7 saying
// "more follows". The boundaries of each size, shown through the Remaining Length of a PUBLISH
// with Topic Name "a/b" (5 bytes), Property Length 0 (1 byte) and a payload making up the rest.
// The encoder always writes the shortest form (MQTT-1.5.5-1).
TEST(RemainingLength, BoundariesOfEachSize) {
    struct boundary {
        std::uint32_t remaining_length;
        const char* fixed_header;
    };
    const boundary boundaries[] = {
        {6, "30 06"},                   // 1 byte
        {127, "30 7F"},                 // the largest 1-byte value
        {128, "30 80 01"},              // the smallest 2-byte value
        {16'383, "30 FF 7F"},           // the largest 2-byte value
        {16'384, "30 80 80 01"},        // the smallest 3-byte value
        {2'097'151, "30 FF FF 7F"},     // the largest 3-byte value
        {2'097'152, "30 80 80 80 01"},  // the smallest 4-byte value
    };
    for (const auto& b : boundaries) {
        SCOPED_TRACE(b.remaining_length);
        const std::string body(b.remaining_length - 6, 'x');
        const publish p{.topic = "a/b", .payload = bin(body)};
        const byte_vector header = hex(b.fixed_header);
        byte_vector bytes = encode_to_vector(p);
        ASSERT_EQ(bytes.size(), header.size() + b.remaining_length);
        EXPECT_EQ(to_hex(bytes_view(bytes).first(header.size())), to_hex(header));

        header_result h = decode_fixed_header(bytes);
        ASSERT_EQ(h.status, decode_status::complete) << h.error.message();
        EXPECT_EQ(h.header.remaining_length, b.remaining_length);
        EXPECT_EQ(h.header.size, header.size());
        decode_result r = decode(bytes);
        ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
        EXPECT_EQ(r.consumed, bytes.size());
        EXPECT_TRUE(r.value == packet(p));
    }
}

}  // namespace
}  // namespace mqtt
