// Packet vectors (packet_vectors.hpp): PUBLISH and its acknowledgements.
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "tests/protocol/packet_vectors.hpp"

namespace mqtt::test {

using namespace std::string_view_literals;

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

}  // namespace mqtt::test
