// Properties (spec 2.2.2): a Property Length (Variable Byte Integer) followed by identifier/value
// pairs. This file shows each of the 27 properties on the wire in a packet where it is allowed,
// and what happens when a property appears where it is not allowed, or twice. The property table
// itself is checked against the spec's Table 2-4 in property_table_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/packets.hpp"
#include "protocol/property.hpp"
#include "test_support.hpp"

// Cases name only the fields they set, with designated initializers; the rest keep their
// defaults. GCC 12 warns about every field left out, so that warning is off here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace mqtt {
namespace {

using namespace mqtt::test;
using namespace std::string_view_literals;
using ctx = property_context;

// ---------------------------------------------------------------------------------------------
// One vector per property.

struct property_case {
    property_id id;
    byte_vector bytes;  // written by hand
    packet expected;
    std::function<void(const properties&)> check;  // reads the property's typed field
    bool in_will = false;  // the property sits in the CONNECT's Will Properties
};

void PrintTo(const property_case& c, std::ostream* os) {
    *os << find_property(std::uint8_t(c.id))->name;
}

const properties& props_of(const packet& p, bool in_will) {
    if (in_will) return std::get<connect>(p).will->props;
    return std::visit(
        [](const auto& pkt) -> const properties& {
            if constexpr (requires { pkt.props; }) {
                return pkt.props;
            } else {
                static const properties none;
                return none;
            }
        },
        p);
}

constexpr string_pair key_value[] = {{"key", "value"}};
constexpr std::uint32_t sub_id_200[] = {200};
constexpr subscription a_hash[] = {{.topic_filter = "a/#"}};
constexpr reason_code one_success[] = {reason_code::success};

std::vector<property_case> property_cases() {
    std::vector<property_case> cases;
    // PUBLISH: 30 <Remaining Length> 0001 't' <Property Length> <property>, no payload.
    cases.push_back({property_id::payload_format_indicator,
                     hex("30 06 0001 't' 02"
                         "01 01"),  // Payload Format Indicator 1: the payload is UTF-8 text
                     publish{.topic = "t", .props = {.payload_format_indicator = 1}},
                     [](const properties& p) { EXPECT_EQ(p.payload_format_indicator, 1); }});
    cases.push_back({property_id::message_expiry_interval,
                     hex("30 09 0001 't' 05"
                         "02 00000E10"),  // Message Expiry Interval 3600 s (Four Byte Integer)
                     publish{.topic = "t", .props = {.message_expiry_interval = 3600}},
                     [](const properties& p) { EXPECT_EQ(p.message_expiry_interval, 3600u); }});
    cases.push_back({property_id::content_type,
                     hex("30 10 0001 't' 0C"
                         "03 0009 'text/html'"),  // Content Type "text/html" (MQTT-3.3.2-19)
                     publish{.topic = "t", .props = {.content_type = "text/html"}},
                     [](const properties& p) { EXPECT_EQ(p.content_type, "text/html"); }});
    cases.push_back({property_id::response_topic,
                     hex("30 0E 0001 't' 0A"
                         "08 0007 'resp/42'"),  // Response Topic "resp/42" (MQTT-3.3.2-13)
                     publish{.topic = "t", .props = {.response_topic = "resp/42"}},
                     [](const properties& p) { EXPECT_EQ(p.response_topic, "resp/42"); }});
    cases.push_back({property_id::correlation_data,
                     hex("30 0A 0001 't' 06"
                         "09 0003 00 01 02"),  // Correlation Data: binary, zero bytes allowed
                     publish{.topic = "t", .props = {.correlation_data = bin("\x00\x01\x02"sv)}},
                     [](const properties& p) {
                         ASSERT_TRUE(p.correlation_data.has_value());
                         EXPECT_EQ(to_hex(*p.correlation_data), "00 01 02");
                     }});
    cases.push_back({property_id::topic_alias,
                     hex("30 07 0001 't' 03"
                         "23 FFFF"),  // Topic Alias 65535 (Two Byte Integer)
                     publish{.topic = "t", .props = {.topic_alias = 0xFFFF}},
                     [](const properties& p) { EXPECT_EQ(p.topic_alias, 0xFFFF); }});
    // SUBSCRIBE: 82 <Remaining Length> <Packet Identifier> <Property Length> ... subscriptions.
    cases.push_back(
        {property_id::subscription_identifier,
         hex("82 0C 0001 03"
             "0B C801"          // Subscription Identifier 200: Variable Byte Integer 0x48 + 1 * 128
             "0003 'a/#' 00"),  // Topic Filter "a/#", QoS 0
         subscribe{.packet_id = 1,
                   .props = {.subscription_identifiers = list(sub_id_200)},
                   .subscriptions = list(a_hash)},
         [](const properties& p) {
             EXPECT_EQ(to_vector(p.subscription_identifiers), std::vector<std::uint32_t>{200});
         }});
    // CONNECT: 10 <Remaining Length> 0004 'MQTT' 05 02 0000 <Property Length> ... 0001 'c'.
    cases.push_back(
        {property_id::session_expiry_interval,
         hex("10 13 0004 'MQTT' 05 02 0000 05"
             "11 FFFFFFFF"  // Session Expiry Interval 0xFFFFFFFF: never expires
             "0001 'c'"),
         connect{.props = {.session_expiry_interval = 0xFFFF'FFFF}, .client_id = "c"},
         [](const properties& p) { EXPECT_EQ(p.session_expiry_interval, 0xFFFF'FFFFu); }});
    cases.push_back({property_id::request_problem_information,
                     hex("10 10 0004 'MQTT' 05 02 0000 02"
                         "17 00"  // Request Problem Information 0 (MQTT-3.1.2-29)
                         "0001 'c'"),
                     connect{.props = {.request_problem_information = 0}, .client_id = "c"},
                     [](const properties& p) { EXPECT_EQ(p.request_problem_information, 0); }});
    cases.push_back({property_id::request_response_information,
                     hex("10 10 0004 'MQTT' 05 02 0000 02"
                         "19 01"  // Request Response Information 1
                         "0001 'c'"),
                     connect{.props = {.request_response_information = 1}, .client_id = "c"},
                     [](const properties& p) { EXPECT_EQ(p.request_response_information, 1); }});
    cases.push_back({property_id::receive_maximum,
                     hex("10 11 0004 'MQTT' 05 02 0000 03"
                         "21 0100"  // Receive Maximum 256
                         "0001 'c'"),
                     connect{.props = {.receive_maximum = 256}, .client_id = "c"},
                     [](const properties& p) { EXPECT_EQ(p.receive_maximum, 256); }});
    cases.push_back({property_id::maximum_packet_size,
                     hex("10 13 0004 'MQTT' 05 02 0000 05"
                         "27 00000400"  // Maximum Packet Size 1024
                         "0001 'c'"),
                     connect{.props = {.maximum_packet_size = 1024}, .client_id = "c"},
                     [](const properties& p) { EXPECT_EQ(p.maximum_packet_size, 1024u); }});
    cases.push_back(
        {property_id::will_delay_interval,
         hex("10 19 0004 'MQTT' 05"
             "06"           // Connect Flags: Will Flag, Clean Start
             "0000 00"      // Keep Alive 0, Property Length 0
             "0001 'c'"     // Client Identifier "c"
             "05"           // Will Properties: Property Length 5
             "18 0000003C"  //   Will Delay Interval 60 s: only ever a Will Property
             "0001 'w'"     // Will Topic "w"
             "0000"),       // Will Payload: empty
         connect{.client_id = "c",
                 .will = will_message{.topic = "w", .props = {.will_delay_interval = 60}}},
         [](const properties& p) { EXPECT_EQ(p.will_delay_interval, 60u); }, true});
    // CONNACK: 20 <Remaining Length> 00 <Reason Code> <Property Length> <property>.
    cases.push_back(
        {property_id::assigned_client_identifier,
         hex("20 0C 00 00 09"
             "12 0006 'auto-1'"),  // Assigned Client Identifier (MQTT-3.1.3-7)
         connack{.props = {.assigned_client_identifier = "auto-1"}},
         [](const properties& p) { EXPECT_EQ(p.assigned_client_identifier, "auto-1"); }});
    cases.push_back({property_id::server_keep_alive,
                     hex("20 06 00 00 03"
                         "13 000F"),  // Server Keep Alive 15 s (MQTT-3.1.2-21)
                     connack{.props = {.server_keep_alive = 15}},
                     [](const properties& p) { EXPECT_EQ(p.server_keep_alive, 15); }});
    cases.push_back({property_id::authentication_data,
                     hex("20 10 00 00 0D"
                         "15 0005 'PLAIN'"  // Authentication Method "PLAIN" (Data needs one)
                         "16 0002 CAFE"),   // Authentication Data CA FE
                     connack{.props = {.authentication_method = "PLAIN",
                                       .authentication_data = bin("\xCA\xFE"sv)}},
                     [](const properties& p) {
                         ASSERT_TRUE(p.authentication_data.has_value());
                         EXPECT_EQ(to_hex(*p.authentication_data), "ca fe");
                     }});
    cases.push_back({property_id::response_information,
                     hex("20 0E 00 00 0B"
                         "1A 0008 'replies/'"),  // Response Information "replies/"
                     connack{.props = {.response_information = "replies/"}},
                     [](const properties& p) { EXPECT_EQ(p.response_information, "replies/"); }});
    cases.push_back(
        {property_id::server_reference,
         hex("20 15 00"
             "9C"  // Reason Code 0x9C Use another server
             "12"
             "1C 000F 'other.host:1883'"),  // Server Reference "other.host:1883"
         connack{.reason = reason_code::use_another_server,
                 .props = {.server_reference = "other.host:1883"}},
         [](const properties& p) { EXPECT_EQ(p.server_reference, "other.host:1883"); }});
    cases.push_back({property_id::topic_alias_maximum,
                     hex("20 06 00 00 03"
                         "22 0010"),  // Topic Alias Maximum 16
                     connack{.props = {.topic_alias_maximum = 16}},
                     [](const properties& p) { EXPECT_EQ(p.topic_alias_maximum, 16); }});
    cases.push_back({property_id::maximum_qos,
                     hex("20 05 00 00 02"
                         "24 00"),  // Maximum QoS 0
                     connack{.props = {.maximum_qos = 0}},
                     [](const properties& p) { EXPECT_EQ(p.maximum_qos, 0); }});
    cases.push_back({property_id::retain_available,
                     hex("20 05 00 00 02"
                         "25 00"),  // Retain Available 0: the server does not keep messages
                     connack{.props = {.retain_available = 0}},
                     [](const properties& p) { EXPECT_EQ(p.retain_available, 0); }});
    cases.push_back({property_id::wildcard_subscription_available,
                     hex("20 05 00 00 02"
                         "28 00"),  // Wildcard Subscription Available 0
                     connack{.props = {.wildcard_subscription_available = 0}},
                     [](const properties& p) { EXPECT_EQ(p.wildcard_subscription_available, 0); }});
    cases.push_back(
        {property_id::subscription_identifier_available,
         hex("20 05 00 00 02"
             "29 00"),  // Subscription Identifier Available 0
         connack{.props = {.subscription_identifier_available = 0}},
         [](const properties& p) { EXPECT_EQ(p.subscription_identifier_available, 0); }});
    cases.push_back({property_id::shared_subscription_available,
                     hex("20 05 00 00 02"
                         "2A 00"),  // Shared Subscription Available 0
                     connack{.props = {.shared_subscription_available = 0}},
                     [](const properties& p) { EXPECT_EQ(p.shared_subscription_available, 0); }});
    // AUTH: F0 <Remaining Length> <Reason Code> <Property Length> <property>.
    cases.push_back({property_id::authentication_method,
                     hex("F0 0A"
                         "18"                 // Reason Code 0x18 Continue authentication
                         "08"                 // Property Length 8
                         "15 0005 'PLAIN'"),  // Authentication Method "PLAIN"
                     auth{.reason = reason_code::continue_authentication,
                          .props = {.authentication_method = "PLAIN"}},
                     [](const properties& p) { EXPECT_EQ(p.authentication_method, "PLAIN"); }});
    // PUBREC: 50 <Remaining Length> <Packet Identifier> <Reason Code> <Property Length> ...
    cases.push_back({property_id::reason_string,
                     hex("50 0B 0001"
                         "80"                // Reason Code 0x80 Unspecified error
                         "07"                // Property Length 7
                         "1F 0004 'full'"),  // Reason String "full"
                     pubrec{.packet_id = 1,
                            .reason = reason_code::unspecified_error,
                            .props = {.reason_string = "full"}},
                     [](const properties& p) { EXPECT_EQ(p.reason_string, "full"); }});
    // UNSUBACK: B0 <Remaining Length> <Packet Identifier> <Property Length> ... reason codes.
    cases.push_back(
        {property_id::user_property,
         hex("B0 11 0001 0D"
             "26 0003 'key' 0005 'value'"  // User Property: a UTF-8 string pair
             "00"),                        // Reason Code 0x00 Success
         unsuback{.packet_id = 1,
                  .props = {.user_properties = list(key_value)},
                  .reason_codes = list(one_success)},
         [](const properties& p) {
             EXPECT_EQ(to_vector(p.user_properties), (std::vector<string_pair>{{"key", "value"}}));
         }});
    return cases;
}

class PropertyVector : public ::testing::TestWithParam<property_case> {};

TEST_P(PropertyVector, DecodesToTypedField) {
    const auto& c = GetParam();
    decode_result r = decode(c.bytes);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_TRUE(same_packet(r.value, c.expected));
    c.check(props_of(r.value, c.in_will));
}

TEST_P(PropertyVector, EncodesByteForByte) {
    const auto& c = GetParam();
    EXPECT_EQ(encoded_size(c.expected), c.bytes.size());
    EXPECT_EQ(to_hex(encode_to_vector(c.expected)), to_hex(c.bytes));
}

TEST_P(PropertyVector, AllowedWhereItIsShown) {
    const auto& c = GetParam();
    ctx where = c.in_will ? ctx::will : context_of(type_of(c.expected));
    EXPECT_TRUE(property_allowed(c.id, where));
}

INSTANTIATE_TEST_SUITE_P(Each, PropertyVector, ::testing::ValuesIn(property_cases()),
                         [](const ::testing::TestParamInfo<property_case>& info) {
                             return std::string(
                                 find_property(std::uint8_t(info.param.id))->json_key);
                         });

TEST(PropertyVectors, CoverAll27Properties) {
    std::set<property_id> shown;
    for (const auto& c : property_cases())
        shown.insert(c.id);
    EXPECT_EQ(shown.size(), 27u);
    for (const auto& info : all_properties())
        EXPECT_TRUE(shown.count(info.id)) << info.name;
}

// ---------------------------------------------------------------------------------------------
// Repeated properties.

// User Property may appear any number of times, names may repeat, and the order on the wire is
// kept (a server forwards them unchanged and in order, MQTT-3.3.2-17, MQTT-3.3.2-18).
constexpr string_pair ordered_pairs[] = {
    {"a", "1"}, {"b", "2"}, {"a", "3"}, {"\xE6\x97\xA5\xE6\x9C\xAC", "ok"}};

TEST(UserProperty, RepeatedKeepsWireOrderAndDuplicateNames) {
    const byte_vector bytes =
        hex("30 26 0001 't'"                     // PUBLISH QoS 0, Topic Name "t"
            "22"                                 // Property Length 34
            "26 0001 'a' 0001 '1'"               // ("a", "1")
            "26 0001 'b' 0001 '2'"               // ("b", "2")
            "26 0001 'a' 0001 '3'"               // ("a", "3"): a name may repeat
            "26 0006 E697A5 E69CAC 0002 'ok'");  // ("日本", "ok")
    const publish expected{.topic = "t", .props = {.user_properties = list(ordered_pairs)}};

    decode_result r = decode(bytes);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_TRUE(same_packet(r.value, expected));
    auto pairs = to_vector(std::get<publish>(r.value).props.user_properties);
    ASSERT_EQ(pairs.size(), 4u);
    EXPECT_EQ(pairs[0], (string_pair{"a", "1"}));
    EXPECT_EQ(pairs[1], (string_pair{"b", "2"}));
    EXPECT_EQ(pairs[2], (string_pair{"a", "3"}));
    EXPECT_EQ(pairs[3].name, "\xE6\x97\xA5\xE6\x9C\xAC");
    EXPECT_EQ(to_hex(encode_to_vector(expected)), to_hex(bytes));

    // Order matters to equality: the same pairs in another order are another packet.
    const string_pair swapped[] = {{"a", "3"}, {"b", "2"}, {"a", "1"}, ordered_pairs[3]};
    const publish reordered{.topic = "t", .props = {.user_properties = list(swapped)}};
    EXPECT_FALSE(r.value == packet(reordered));
}

TEST(UserProperty, AllowedInWillPropertiesAndKeptInOrder) {  // MQTT-3.1.3-10
    const string_pair will_pairs[] = {{"z", "1"}, {"y", "2"}};
    const byte_vector bytes =
        hex("10 24 0004 'MQTT' 05"
            "06 0000 00"  // Will Flag, Clean Start; Keep Alive 0; no props
            "0001 'c'"    // Client Identifier "c"
            "0E"          // Will Properties: Property Length 14
            "26 0001 'z' 0001 '1'"
            "26 0001 'y' 0001 '2'"
            "0001 'w' 0002 'hi'");  // Will Topic "w", Will Payload "hi"
    const connect expected{
        .clean_start = true,
        .client_id = "c",
        .will = will_message{
            .topic = "w", .payload = bin("hi"), .props = {.user_properties = list(will_pairs)}}};
    decode_result r = decode(bytes);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_TRUE(same_packet(r.value, expected));
    EXPECT_EQ(to_hex(encode_to_vector(expected)), to_hex(bytes));
}

// A server sends one Subscription Identifier per matching subscription in a single PUBLISH
// (MQTT-3.3.4-4), so the property may repeat there; in SUBSCRIBE it may appear only once.
constexpr std::uint32_t ids_7_3_7[] = {7, 3, 7};

TEST(SubscriptionIdentifier, RepeatedInPublishIsAllowed) {
    const byte_vector bytes =
        hex("30 0A 0001 't'"
            "06"       // Property Length 6
            "0B 07"    // Subscription Identifier 7
            "0B 03"    // Subscription Identifier 3
            "0B 07");  // Subscription Identifier 7 again
    const publish expected{.topic = "t", .props = {.subscription_identifiers = list(ids_7_3_7)}};
    decode_result r = decode(bytes);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_TRUE(same_packet(r.value, expected));
    EXPECT_EQ(to_vector(std::get<publish>(r.value).props.subscription_identifiers),
              (std::vector<std::uint32_t>{7, 3, 7}));
    EXPECT_EQ(to_hex(encode_to_vector(expected)), to_hex(bytes));
}

TEST(SubscriptionIdentifier, RepeatedInSubscribeIsProtocolError) {  // spec 3.8.2.1.2
    const byte_vector bytes =
        hex("82 0D 0001"
            "04"     // Property Length 4
            "0B 01"  // Subscription Identifier 1
            "0B 02"  // Subscription Identifier 2: a second one
            "0003 'a/b' 00");
    decode_result r = decode(bytes);
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::protocol_error) << r.error.message();
    EXPECT_EQ(r.error.packet, packet_type::subscribe);
    EXPECT_EQ(r.error.field, "Subscription Identifier");
    EXPECT_EQ(r.error.offset, 7u);
}

// ---------------------------------------------------------------------------------------------
// A property in a packet that does not allow it: Malformed Packet (0x81, spec 2.2.2.2: "a
// Control Packet which contains an Identifier which is not valid for its packet type ... is a
// Malformed Packet").

struct misplaced_case {
    std::string name;
    byte_vector bytes;
    packet_type packet;
    std::string_view property;  // the error's field
    std::size_t offset;         // the property's identifier byte
};

void PrintTo(const misplaced_case& c, std::ostream* os) {
    *os << c.name;
}

std::vector<misplaced_case> misplaced_cases() {
    return {
        {"TopicAliasInConnack",
         hex("20 06 00 00 03"
             "23 0001"),  // Topic Alias belongs to PUBLISH
         packet_type::connack, "Topic Alias", 5},
        {"SessionExpiryIntervalInPublish",
         hex("30 09 0001 't' 05"
             "11 0000000A"),  // Session Expiry Interval belongs to CONNECT, CONNACK, DISCONNECT
         packet_type::publish, "Session Expiry Interval", 6},
        {"WillDelayIntervalInConnectProperties",
         hex("10 13 0004 'MQTT' 05 02 0000 05"
             "18 0000000A"  // Will Delay Interval belongs to the Will Properties only
             "0001 'c'"),
         packet_type::connect, "Will Delay Interval", 13},
        {"SessionExpiryIntervalInWillProperties",
         hex("10 19 0004 'MQTT' 05 06 0000 00 0001 'c'"
             "05"           // Will Properties: Property Length 5
             "11 0000000A"  //   Session Expiry Interval is not a Will Property
             "0001 'w' 0000"),
         packet_type::connect, "Session Expiry Interval", 17},
        {"PayloadFormatIndicatorInConnectProperties",
         hex("10 10 0004 'MQTT' 05 02 0000 02"
             "01 01"  // Payload Format Indicator: PUBLISH and Will Properties only
             "0001 'c'"),
         packet_type::connect, "Payload Format Indicator", 13},
        {"ReasonStringInConnect",
         hex("10 12 0004 'MQTT' 05 02 0000 04"
             "1F 0001 'x'"  // Reason String is for responses, not CONNECT
             "0001 'c'"),
         packet_type::connect, "Reason String", 13},
        {"SubscriptionIdentifierInPuback",
         hex("40 06 0001 00 02"
             "0B 01"),  // Subscription Identifier: PUBLISH and SUBSCRIBE only
         packet_type::puback, "Subscription Identifier", 6},
        {"ServerKeepAliveInDisconnect",
         hex("E0 05 00 03"
             "13 000A"),  // Server Keep Alive: CONNACK only
         packet_type::disconnect, "Server Keep Alive", 4},
        {"MaximumQosInSuback",
         hex("90 06 0001 02"
             "24 01"  // Maximum QoS: CONNACK only
             "00"),
         packet_type::suback, "Maximum QoS", 5},
        {"AuthenticationMethodInPublish",
         hex("30 0C 0001 't' 08"
             "15 0005 'PLAIN'"),  // Authentication Method: CONNECT, CONNACK, AUTH only
         packet_type::publish, "Authentication Method", 6},
    };
}

class MisplacedProperty : public ::testing::TestWithParam<misplaced_case> {};

TEST_P(MisplacedProperty, IsMalformedPacket) {
    const auto& c = GetParam();
    decode_result r = decode(c.bytes);
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::malformed_packet) << r.error.message();
    EXPECT_EQ(r.error.packet, c.packet);
    EXPECT_EQ(r.error.field, c.property) << r.error.message();
    EXPECT_EQ(r.error.offset, c.offset) << r.error.message();
    // The same property is fine where the spec allows it, so it is the place that is refused.
    const property_info* info = find_property(c.bytes[c.offset]);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, c.property);
}

INSTANTIATE_TEST_SUITE_P(Each, MisplacedProperty, ::testing::ValuesIn(misplaced_cases()),
                         [](const ::testing::TestParamInfo<misplaced_case>& info) {
                             return info.param.name;
                         });

}  // namespace
}  // namespace mqtt
