// Packet vectors (packet_vectors.hpp): CONNECT and CONNACK.
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "tests/protocol/packet_vectors.hpp"

namespace mqtt::test {

using namespace std::string_view_literals;

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

}  // namespace mqtt::test
