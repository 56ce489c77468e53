// Packet vectors (packet_vectors.hpp): SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK.
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "tests/protocol/packet_vectors.hpp"

namespace mqtt::test {

using namespace std::string_view_literals;

namespace {

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

}  // namespace

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

}  // namespace mqtt::test
