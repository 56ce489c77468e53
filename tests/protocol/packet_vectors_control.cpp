// Packet vectors (packet_vectors.hpp): PINGREQ, PINGRESP, DISCONNECT, AUTH.
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "tests/protocol/packet_vectors.hpp"

namespace mqtt::test {

using namespace std::string_view_literals;

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

}  // namespace mqtt::test
