// MQTT 3.1.1 (protocol level 4), decoded and encoded with decode_options::version and the version
// parameter of encode(). Byte vectors written by hand from the 3.1.1 specification's figures, a
// comment per field; every vector is decoded whole, fed one byte at a time through the framer
// (framing is the same in both versions), followed by trailing bytes, and encoded back to the same
// bytes. Then a table of malformed 3.1.1 input, and what encoding refuses to put into 3.1.1.
// Normative ids here are the 3.1.1 specification's (MQTT-3.1.2-22 ...), not v5's.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "tests/protocol/packet_vectors.hpp"

namespace mqtt::test {
namespace {

using namespace std::string_view_literals;
constexpr protocol_version v311 = protocol_version::v311;

decode_options v311_options() {
    decode_options o;
    o.version = v311;
    return o;
}

constexpr subscription two_filters[] = {{.topic_filter = "a/b", .max_qos = qos::at_least_once},
                                        {.topic_filter = "#", .max_qos = qos::exactly_once}};
constexpr reason_code four_return_codes[] = {reason_code::success, reason_code::granted_qos_1,
                                             reason_code::granted_qos_2,
                                             reason_code::unspecified_error};
constexpr std::string_view two_topic_filters[] = {"a/b", "#"};

std::vector<packet_case> v311_cases() {
    std::vector<packet_case> c;
    // ---- CONNECT (3.1.1 spec 3.1): no Properties; Protocol Level 4 (MQTT-3.1.2-2) ----
    c.push_back(
        {"CONNECT_minimal",
         hex("10"           // CONNECT, reserved flags 0000
             "0E"           // Remaining Length 14
             "0004 'MQTT'"  // Protocol Name (MQTT-3.1.2-1)
             "04"           // Protocol Level 4: MQTT 3.1.1
             "02"           // Connect Flags: Clean Session
             "003C"         // Keep Alive 60 s
             "0002 'c1'"),  // Client Identifier "c1" (MQTT-3.1.3-3)
         connect{
             .clean_start = true, .keep_alive = 60, .client_id = "c1", .protocol_version = v311}});
    c.push_back({"CONNECT_empty_client_id_clean_session",  // MQTT-3.1.3-6, -7
                 hex("10 0C"                               // CONNECT, Remaining Length 12
                     "0004 'MQTT'"                         // Protocol Name
                     "04"                                  // Protocol Level 4
                     "02"      // Connect Flags: Clean Session (required: MQTT-3.1.3-7)
                     "0000"    // Keep Alive 0: off
                     "0000"),  // Client Identifier "": the server assigns one
                 connect{.clean_start = true, .client_id = "", .protocol_version = v311}});
    // The flags of 3.1.1 Figure 3.6's example, CE: User Name, Password, Will QoS 1, Will Flag,
    // Clean Session; Keep Alive 10.
    c.push_back(
        {"CONNECT_will_and_credentials",
         hex("10 22"         // CONNECT, Remaining Length 34
             "0004 'MQTT'"   // Protocol Name
             "04"            // Protocol Level 4
             "CE"            // Connect Flags: 1100 1110
             "000A"          // Keep Alive 10 s
             "0002 'id'"     // Client Identifier "id"
             "0003 'w/t'"    // Will Topic "w/t" (MQTT-3.1.3-10)
             "0002 'hi'"     // Will Message "hi": two-byte length, then bytes
             "0004 'user'"   // User Name "user" (MQTT-3.1.2-19)
             "0003 'pwd'"),  // Password "pwd" (MQTT-3.1.2-21)
         connect{
             .clean_start = true,
             .keep_alive = 10,
             .client_id = "id",
             .will = will_message{.topic = "w/t", .payload = bin("hi"), .qos = qos::at_least_once},
             .username = "user",
             .password = bin("pwd"),
             .protocol_version = v311},
         {},
         [](const packet& p) {
             const auto& k = std::get<connect>(p);
             EXPECT_EQ(k.protocol_version, v311);
             ASSERT_TRUE(k.will.has_value());
             EXPECT_TRUE(k.will->props.empty());
             EXPECT_EQ(k.username, "user");
         }});
    c.push_back(
        {"CONNECT_will_qos2_retain_user_name_only",
         hex("10 18"          // CONNECT, Remaining Length 24
             "0004 'MQTT'"    // Protocol Name
             "04"             // Protocol Level 4
             "B4"             // Connect Flags: User Name, Will Retain, Will QoS 2, Will
                              // Flag; Clean Session 0
             "0000"           // Keep Alive 0
             "0001 'x'"       // Client Identifier "x"
             "0001 't'"       // Will Topic "t"
             "0000"           // Will Message: empty
             "0004 'user'"),  // User Name "user"; no Password (MQTT-3.1.2-20)
         connect{.clean_start = false,
                 .client_id = "x",
                 .will = will_message{.topic = "t", .qos = qos::exactly_once, .retain = true},
                 .username = "user",
                 .protocol_version = v311}});
    // ---- CONNACK (3.1.1 spec 3.2): flags, Connect Return Code; Remaining Length 2 ----
    // The return code is held as the v5 reason code of the same meaning.
    c.push_back({"CONNACK_0x00_accepted",
                 hex("20 02"  // CONNACK, Remaining Length 2
                     "00"     // Connect Acknowledge Flags: Session Present 0
                     "00"),   // Return Code 0x00 Connection Accepted
                 connack{.reason = reason_code::success}});
    c.push_back({"CONNACK_0x00_session_present",  // MQTT-3.2.2-2
                 hex("20 02"                      // CONNACK, Remaining Length 2
                     "01"                         // Connect Acknowledge Flags: Session Present 1
                     "00"),                       // Return Code 0x00 Connection Accepted
                 connack{.session_present = true}});
    c.push_back({"CONNACK_0x01_unacceptable_protocol_version",  // MQTT-3.1.2-2
                 hex("20 02 00"  // CONNACK, Remaining Length 2, Session Present 0 (MQTT-3.2.2-4)
                     "01"),      // Return Code 0x01 unacceptable protocol version
                 connack{.reason = reason_code::unsupported_protocol_version}});
    c.push_back({"CONNACK_0x02_identifier_rejected",  // MQTT-3.1.3-8, -9
                 hex("20 02 00"  // CONNACK, Remaining Length 2, Session Present 0
                     "02"),      // Return Code 0x02 identifier rejected
                 connack{.reason = reason_code::client_identifier_not_valid}});
    c.push_back({"CONNACK_0x03_server_unavailable",
                 hex("20 02 00"  // CONNACK, Remaining Length 2, Session Present 0
                     "03"),      // Return Code 0x03 Server unavailable
                 connack{.reason = reason_code::server_unavailable}});
    c.push_back({"CONNACK_0x04_bad_user_name_or_password",
                 hex("20 02 00"  // CONNACK, Remaining Length 2, Session Present 0
                     "04"),      // Return Code 0x04 bad user name or password
                 connack{.reason = reason_code::bad_user_name_or_password}});
    c.push_back({"CONNACK_0x05_not_authorized",
                 hex("20 02 00"  // CONNACK, Remaining Length 2, Session Present 0
                     "05"),      // Return Code 0x05 not authorized
                 connack{.reason = reason_code::not_authorized}});
    // ---- PUBLISH (3.1.1 spec 3.3): Topic Name, Packet Identifier at QoS 1 and 2, payload ----
    c.push_back({"PUBLISH_qos0",
                 hex("30"          // PUBLISH, DUP 0, QoS 0, RETAIN 0
                     "0A"          // Remaining Length 10
                     "0003 'a/b'"  // Topic Name "a/b" (MQTT-3.3.2-1); no Packet Identifier
                     "'hello'"),   // Payload: the rest of the packet
                 publish{.topic = "a/b", .payload = bin("hello")}});
    c.push_back(
        {"PUBLISH_qos1",
         hex("32"          // PUBLISH, QoS 1
             "09"          // Remaining Length 9
             "0003 'a/b'"  // Topic Name "a/b"
             "0001"        // Packet Identifier 1 (MQTT-2.3.1-1)
             "'hi'"),      // Payload "hi"
         publish{.qos = qos::at_least_once, .topic = "a/b", .packet_id = 1, .payload = bin("hi")}});
    c.push_back({"PUBLISH_qos2_dup_retain_empty_payload",
                 hex("3D"          // PUBLISH, DUP 1, QoS 2, RETAIN 1: 0011 1101
                     "07"          // Remaining Length 7
                     "0003 'a/b'"  // Topic Name "a/b"
                     "FFFF"),      // Packet Identifier 65535; empty payload
                 publish{.dup = true,
                         .qos = qos::exactly_once,
                         .retain = true,
                         .topic = "a/b",
                         .packet_id = 65535}});
    // ---- PUBACK, PUBREC, PUBREL, PUBCOMP (3.1.1 spec 3.4 - 3.7): Packet Identifier only ----
    c.push_back({"PUBACK",
                 hex("40 02"   // PUBACK, Remaining Length 2
                     "0001"),  // Packet Identifier 1
                 puback{.packet_id = 1}});
    c.push_back({"PUBREC",
                 hex("50 02"   // PUBREC, Remaining Length 2
                     "0002"),  // Packet Identifier 2
                 pubrec{.packet_id = 2}});
    c.push_back({"PUBREL",
                 hex("62 02"   // PUBREL, flags 0010 (MQTT-3.6.1-1), Remaining Length 2
                     "0003"),  // Packet Identifier 3
                 pubrel{.packet_id = 3}});
    c.push_back({"PUBCOMP",
                 hex("70 02"   // PUBCOMP, Remaining Length 2
                     "0004"),  // Packet Identifier 4
                 pubcomp{.packet_id = 4}});
    // ---- SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (3.1.1 spec 3.8 - 3.11) ----
    c.push_back({"SUBSCRIBE_two_filters",
                 hex("82"          // SUBSCRIBE, flags 0010 (MQTT-3.8.1-1)
                     "0C"          // Remaining Length 12
                     "000A"        // Packet Identifier 10
                     "0003 'a/b'"  // Topic Filter "a/b" (MQTT-3.8.3-1)
                     "01"          // Requested QoS 1; bits 7-2 reserved (MQTT-3.8.3-4)
                     "0001 '#'"    // Topic Filter "#"
                     "02"),        // Requested QoS 2
                 subscribe{.packet_id = 10, .subscriptions = list(two_filters)}});
    c.push_back({"SUBACK_each_return_code",
                 hex("90"        // SUBACK
                     "06"        // Remaining Length 6
                     "000A"      // Packet Identifier 10
                     "00 01 02"  // Return Codes: Success - Maximum QoS 0, 1, 2
                     "80"),      // Return Code 0x80 Failure (MQTT-3.9.3-2)
                 suback{.packet_id = 10, .reason_codes = list(four_return_codes)}});
    c.push_back({"UNSUBSCRIBE_two_filters",
                 hex("A2"          // UNSUBSCRIBE, flags 0010 (MQTT-3.10.1-1)
                     "0A"          // Remaining Length 10
                     "000B"        // Packet Identifier 11
                     "0003 'a/b'"  // Topic Filter "a/b" (MQTT-3.10.3-1)
                     "0001 '#'"),  // Topic Filter "#"
                 unsubscribe{.packet_id = 11, .topic_filters = list(two_topic_filters)}});
    c.push_back({"UNSUBACK",
                 hex("B0 02"   // UNSUBACK, Remaining Length 2
                     "000B"),  // Packet Identifier 11; no payload (3.1.1 spec 3.11.3)
                 unsuback{.packet_id = 11}});
    // ---- PINGREQ, PINGRESP, DISCONNECT (3.1.1 spec 3.12 - 3.14): the fixed header alone ----
    c.push_back({"PINGREQ", hex("C0 00"), pingreq{}});
    c.push_back({"PINGRESP", hex("D0 00"), pingresp{}});
    c.push_back({"DISCONNECT", hex("E0 00"),  // reserved flags 0000 (MQTT-3.14.1-1)
                 disconnect{}});
    return c;
}

class V311Vector : public ::testing::TestWithParam<packet_case> {};

TEST_P(V311Vector, DecodesWhole) {
    const auto& c = GetParam();
    decode_result r = decode(c.bytes, v311_options());
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_TRUE(same_packet(r.value, c.expected));
    if (c.spot_check) c.spot_check(r.value);
}

TEST_P(V311Vector, EncodesByteForByte) {
    const auto& c = GetParam();
    EXPECT_EQ(encoded_size(c.expected, v311), c.bytes.size());
    byte_vector out(c.bytes.size() + 8, 0xEE);
    ASSERT_EQ(encode(c.expected, out, v311), c.bytes.size());
    out.resize(c.bytes.size());
    EXPECT_EQ(to_hex(out), to_hex(c.bytes));
    byte_vector short_buffer(c.bytes.size() - 1);
    EXPECT_EQ(encode(c.expected, short_buffer, v311), 0u);
    EXPECT_FALSE(check_packet(c.expected, v311).has_value());
}

TEST_P(V311Vector, EveryPrefixNeedsMore) {
    const auto& bytes = GetParam().bytes;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        decode_result r = decode(bytes_view(bytes).first(n), v311_options());
        EXPECT_EQ(r.status, decode_status::need_more) << n << " bytes: " << r.error.message();
    }
}

TEST_P(V311Vector, FramedOneByteAtATime) {
    const auto& c = GetParam();
    auto framed = frame_byte_by_byte(c.bytes);
    ASSERT_TRUE(framed.has_value());
    decode_result r = decode(*framed, v311_options());
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_TRUE(same_packet(r.value, c.expected));
}

TEST_P(V311Vector, FollowedByTrailingBytes) {
    const auto& c = GetParam();
    const byte_vector stream = concat({c.bytes, hex("30 0A 00")});
    decode_result r = decode(stream, v311_options());
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_TRUE(same_packet(r.value, c.expected));
}

INSTANTIATE_TEST_SUITE_P(v311, V311Vector, ::testing::ValuesIn(v311_cases()),
                         [](const auto& info) { return info.param.name; });

// Every 3.1.1 packet type has a vector (AUTH does not exist in 3.1.1).
TEST(V311Vectors, CoverEveryPacketType) {
    std::vector<bool> seen(16, false);
    for (const auto& c : v311_cases())
        seen[std::size_t(type_of(c.expected))] = true;
    for (int t = 1; t <= 14; ++t)
        EXPECT_TRUE(seen[std::size_t(t)]) << packet_type_name(packet_type(t));
}

// CONNECT says its own version, whatever the stream's setting (3.1.1 and v5 spec 3.1.2.2).
TEST(V311Connect, Level4DecodesAs311UnderTheDefaultOption) {
    const byte_vector bytes = v311_cases()[0].bytes;
    decode_result r = decode(bytes);  // the default: v5
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(std::get<connect>(r.value).protocol_version, v311);
    EXPECT_TRUE(same_packet(r.value, v311_cases()[0].expected));
}

TEST(V311Connect, Level5DecodesAsV5UnderThe311Option) {
    const byte_vector bytes = hex("10 0F 0004 'MQTT' 05 02 003C 00 0002 'c1'");
    decode_result r = decode(bytes, v311_options());
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(std::get<connect>(r.value).protocol_version, protocol_version::v5);
}

// What a server does with a stream: the framer needs no version (framing is the same), the
// decoder takes it from the CONNECT at the stream's start for every packet after it.
TEST(V311Connect, StreamLearnsItsVersionFromTheConnect) {
    const byte_vector stream = concat({v311_cases()[0].bytes,              // CONNECT, level 4
                                       hex("32 09 0003 'a/b' 0001 'hi'"),  // PUBLISH QoS 1
                                       hex("40 03 0001 00")});  // a PUBACK 3.1.1 does not have
    framer f;
    decode_options opts;  // v5 until the CONNECT says otherwise
    bytes_view in = stream;
    std::vector<decode_result> results;
    while (!in.empty()) {
        frame_result fr = f.feed(in);
        ASSERT_EQ(fr.status, decode_status::complete);
        in = in.subspan(fr.consumed);
        results.push_back(decode(fr.packet, opts));
        if (const auto* c = std::get_if<connect>(&results.back().value))
            opts.version = c->protocol_version;
    }
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[1].status, decode_status::complete) << results[1].error.message();
    EXPECT_TRUE(same_packet(results[1].value, v311_cases()[12].expected));
    EXPECT_EQ(results[2].status, decode_status::error);
    EXPECT_EQ(results[2].error.field, "Remaining Length");
}

// The same bytes mean different things in each version: a v5 PUBACK with Reason Code 0x00 is
// Remaining Length 3, a 3.1.1 PUBACK has no such form.
TEST(V311Connect, VersionIsAnInputOfDecoding) {
    const byte_vector bytes = hex("40 03 0001 00");
    EXPECT_EQ(decode(bytes).status, decode_status::complete);
    EXPECT_EQ(decode(bytes, v311_options()).status, decode_status::error);
}

TEST(V311ReturnCodes, NamesAndV5Meanings) {
    struct row {
        std::uint8_t code;
        std::string_view name;
        reason_code v5;
    };
    const row rows[] = {
        {0x00, "Connection Accepted", reason_code::success},
        {0x01, "Unacceptable protocol version", reason_code::unsupported_protocol_version},
        {0x02, "Identifier rejected", reason_code::client_identifier_not_valid},
        {0x03, "Server unavailable", reason_code::server_unavailable},
        {0x04, "Bad user name or password", reason_code::bad_user_name_or_password},
        {0x05, "Not authorized", reason_code::not_authorized}};
    for (const row& r : rows) {
        const auto c = connect_return_code(r.code);
        EXPECT_EQ(connect_return_code_name(c), r.name);
        EXPECT_EQ(to_reason_code(c), r.v5);
        connect_return_code back{};
        ASSERT_TRUE(to_connect_return_code(r.v5, back));
        EXPECT_EQ(back, c);
    }
    connect_return_code unused{};
    EXPECT_FALSE(to_connect_return_code(reason_code::banned, unused));
    EXPECT_EQ(connect_return_code_name(connect_return_code(6)), "");
}

// ---- Malformed 3.1.1 input: the same three outcomes and precise errors as v5 ----
struct v311_malformed {
    const char* name;
    byte_vector input;
    reason_code reason;
    std::string_view field;
    std::size_t offset;
};

void PrintTo(const v311_malformed& c, std::ostream* os) {
    *os << c.name;
}

std::vector<v311_malformed> malformed_cases() {
    using rc = reason_code;
    return {
        // Bytes where 3.1.1 has none.
        {"puback_remaining_length_3", hex("40 03 0001 00"), rc::malformed_packet,
         "Remaining Length", 4},
        {"pubrel_reason_and_property_length", hex("62 04 0001 00 00"), rc::malformed_packet,
         "Remaining Length", 4},
        {"pubcomp_reason_code", hex("70 03 0001 92"), rc::malformed_packet, "Remaining Length", 4},
        {"unsuback_with_reason_code", hex("B0 03 0001 00"), rc::malformed_packet,
         "Remaining Length", 4},
        {"disconnect_with_reason_code", hex("E0 01 00"), rc::malformed_packet, "Remaining Length",
         2},
        {"connack_with_property_length", hex("20 03 00 00 00"), rc::malformed_packet,
         "Remaining Length", 4},
        {"pingreq_with_a_byte", hex("C0 01 00"), rc::malformed_packet, "Remaining Length", 2},
        // A v5 CONNECT's Property Length 0 read as 3.1.1 at level 4: the Client Identifier is
        // then "" and three bytes are left over.
        {"connect_with_property_length", hex("10 0E 0004 'MQTT' 04 02 003C 00 0001 'c'"),
         rc::malformed_packet, "Remaining Length", 14},
        // SUBSCRIBE with a Property Length: its 00 00 reads as an empty Topic Filter.
        {"subscribe_with_property_length", hex("82 07 0001 00 0001 'a' 00"),
         rc::topic_filter_invalid, "Topic Filter", 4},
        // AUTH is packet type 15, reserved in 3.1.1 (3.1.1 spec 2.2.1).
        {"auth", hex("F0 00"), rc::malformed_packet, "Packet Type", 0},
        // CONNECT rules of 3.1.1.
        {"connect_level_6", hex("10 0C 0004 'MQTT' 06 02 003C 0000"),
         rc::unsupported_protocol_version, "Protocol Version", 8},
        {"connect_reserved_flag_MQTT_3_1_2_3", hex("10 0C 0004 'MQTT' 04 03 003C 0000"),
         rc::malformed_packet, "Reserved", 9},
        {"connect_will_qos_without_will_MQTT_3_1_2_13", hex("10 0C 0004 'MQTT' 04 0A 003C 0000"),
         rc::malformed_packet, "Will QoS", 9},
        {"connect_will_qos_3_MQTT_3_1_2_14",
         hex("10 12 0004 'MQTT' 04 1E 003C 0001 'c' 0001 't' 0000"), rc::malformed_packet,
         "Will QoS", 9},
        {"connect_will_retain_without_will_MQTT_3_1_2_15", hex("10 0C 0004 'MQTT' 04 22 003C 0000"),
         rc::malformed_packet, "Will Retain", 9},
        {"connect_password_without_user_name_MQTT_3_1_2_22",
         hex("10 10 0004 'MQTT' 04 42 003C 0001 'c' 0001 'p'"), rc::malformed_packet,
         "Password Flag", 9},
        {"connect_empty_client_id_clean_session_0_MQTT_3_1_3_7",
         hex("10 0C 0004 'MQTT' 04 00 003C 0000"), rc::client_identifier_not_valid,
         "Client Identifier", 12},
        {"connect_will_message_missing_MQTT_3_1_2_9",
         hex("10 10 0004 'MQTT' 04 06 003C 0001 'c' 0001 't'"), rc::malformed_packet,
         "Will Message", 18},
        {"connect_user_name_missing_MQTT_3_1_2_19", hex("10 0D 0004 'MQTT' 04 82 003C 0001 'c'"),
         rc::malformed_packet, "User Name", 15},
        // CONNACK.
        {"connack_return_code_6", hex("20 02 00 06"), rc::protocol_error, "Connect Return Code", 3},
        {"connack_session_present_with_refusal_MQTT_3_2_2_4", hex("20 02 01 05"),
         rc::protocol_error, "Session Present", 2},
        {"connack_reserved_flags", hex("20 02 02 00"), rc::malformed_packet,
         "Connect Acknowledge Flags", 2},
        // PUBLISH.
        {"publish_empty_topic_MQTT_4_7_3_1", hex("30 02 0000"), rc::topic_name_invalid,
         "Topic Name", 2},
        {"publish_wildcard_topic_MQTT_3_3_2_2", hex("30 05 0003 'a/+'"), rc::topic_name_invalid,
         "Topic Name", 2},
        {"publish_packet_identifier_0_MQTT_2_3_1_1", hex("32 07 0003 'a/b' 0000"),
         rc::protocol_error, "Packet Identifier", 7},
        {"publish_qos_3_MQTT_3_3_1_4", hex("36 05 0003 'a/b'"), rc::malformed_packet, "QoS", 0},
        {"puback_packet_identifier_0", hex("40 02 0000"), rc::protocol_error, "Packet Identifier",
         2},
        {"pubrel_flags_0000_MQTT_2_2_2_1", hex("60 02 0001"), rc::malformed_packet, "Reserved", 0},
        // SUBSCRIBE, SUBACK, UNSUBSCRIBE.
        {"subscribe_reserved_bit_MQTT_3_8_3_4", hex("82 06 0001 0001 'a' 04"), rc::malformed_packet,
         "Reserved", 7},
        {"subscribe_qos_3_MQTT_3_8_3_4", hex("82 06 0001 0001 'a' 03"), rc::malformed_packet,
         "Requested QoS", 7},
        {"subscribe_no_filter_MQTT_3_8_3_3", hex("82 02 0001"), rc::protocol_error, "Payload", 4},
        {"suback_return_code_0x87_MQTT_3_9_3_2", hex("90 04 0001 00 87"), rc::protocol_error,
         "Return Code", 5},
        {"suback_no_return_code", hex("90 02 0001"), rc::protocol_error, "Payload", 4},
        {"unsubscribe_no_filter_MQTT_3_10_3_2", hex("A2 02 0001"), rc::protocol_error, "Payload",
         4},
        {"disconnect_flags_MQTT_3_14_1_1", hex("E1 00"), rc::malformed_packet, "Reserved", 0},
    };
}

class V311Malformed : public ::testing::TestWithParam<v311_malformed> {
  protected:
    void check(const decode_error& e) const {
        const auto& c = GetParam();
        EXPECT_EQ(to_byte(e.reason), to_byte(c.reason)) << e.message();
        EXPECT_EQ(e.field, c.field) << e.message();
        EXPECT_EQ(e.offset, c.offset) << e.message();
    }
};

TEST_P(V311Malformed, Whole) {
    decode_result r = decode(GetParam().input, v311_options());
    ASSERT_EQ(r.status, decode_status::error);
    check(r.error);
}

TEST_P(V311Malformed, WithTrailingBytes) {
    decode_result r = decode(concat({GetParam().input, hex("C0 00 E0")}), v311_options());
    ASSERT_EQ(r.status, decode_status::error);
    check(r.error);
}

TEST_P(V311Malformed, FramedOneByteAtATime) {
    const auto& in = GetParam().input;
    framer f;
    for (std::size_t i = 0; i < in.size(); ++i) {
        frame_result r = f.feed(bytes_view(in).subspan(i, 1));
        if (r.status == decode_status::error) return check(r.error);
        if (r.status == decode_status::complete) {
            decode_result d = decode(r.packet, v311_options());
            ASSERT_EQ(d.status, decode_status::error);
            return check(d.error);
        }
    }
    FAIL() << "still need_more after the whole input";
}

INSTANTIATE_TEST_SUITE_P(v311, V311Malformed, ::testing::ValuesIn(malformed_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(V311Malformed, MessageNamesPacketFieldAndReason) {
    decode_result r = decode(hex("40 03 0001 00"), v311_options());
    const std::string m = r.error.message();
    EXPECT_NE(m.find("PUBACK Remaining Length"), std::string::npos) << m;
    EXPECT_NE(m.find("offset 4"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x81 Malformed Packet)"), std::string::npos) << m;
}

// ---- Encoding refuses what 3.1.1 cannot carry, rather than dropping it ----
constexpr subscription no_local_filter[] = {{.topic_filter = "a", .no_local = true}};
constexpr reason_code v5_only_suback_code[] = {reason_code::not_authorized};
constexpr reason_code one_unsuback_code[] = {reason_code::success};

TEST(V311Encode, RefusesWhat311CannotCarry) {
    struct row {
        const char* what;
        packet p;
        std::string_view field;
    };
    const row rows[] = {
        {"properties", publish{.topic = "t", .props = {.message_expiry_interval = 60}},
         "Properties"},
        {"will properties",
         connect{.client_id = "c",
                 .will = will_message{.topic = "t", .props = {.will_delay_interval = 5}},
                 .protocol_version = v311},
         "Will Properties"},
        {"a v5 CONNECT", connect{.client_id = "c"}, "Protocol Version"},
        {"a CONNACK reason without return code", connack{.reason = reason_code::banned},
         "Reason Code"},
        {"a PUBACK reason code", puback{.packet_id = 1, .reason = reason_code::quota_exceeded},
         "Reason Code"},
        {"a PUBREL reason code",
         pubrel{.packet_id = 1, .reason = reason_code::packet_identifier_not_found}, "Reason Code"},
        {"No Local", subscribe{.packet_id = 1, .subscriptions = list(no_local_filter)},
         "Subscription Options"},
        {"a SUBACK reason code 0x87",
         suback{.packet_id = 1, .reason_codes = list(v5_only_suback_code)}, "Return Code"},
        {"UNSUBACK reason codes", unsuback{.packet_id = 1, .reason_codes = list(one_unsuback_code)},
         "Payload"},
        {"a DISCONNECT reason code",
         disconnect{.reason = reason_code::disconnect_with_will_message}, "Reason Code"},
        {"AUTH", auth{}, "Packet Type"},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.what);
        EXPECT_FALSE(encoded_size(r.p, v311).has_value());
        byte_vector out(64);
        EXPECT_EQ(encode(r.p, out, v311), 0u);
        const auto e = check_packet(r.p, v311);
        ASSERT_TRUE(e.has_value());
        EXPECT_EQ(e->field, r.field) << e->message();
        EXPECT_EQ(e->packet, type_of(r.p));
    }
}

// A 3.1.1 CONNECT encoded as v5 is refused too: the packet's version and the stream's must agree.
TEST(V311Encode, RefusesA311ConnectAsV5) {
    const packet p = connect{.client_id = "c", .protocol_version = v311};
    EXPECT_FALSE(encoded_size(p).has_value());
    const auto e = check_packet(p);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->field, "Protocol Version");
}

// check_packet applies the 3.1.1 decoder's rules to what can be encoded.
TEST(V311Encode, CheckPacketAppliesThe311Rules) {
    const packet no_user =
        connect{.client_id = "c", .password = bin("p"), .protocol_version = v311};
    EXPECT_TRUE(encoded_size(no_user, v311).has_value());  // encodable: the flags exist
    auto e = check_packet(no_user, v311);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->field, "Password Flag");  // MQTT-3.1.2-22

    const packet empty_id = connect{.clean_start = false, .protocol_version = v311};
    e = check_packet(empty_id, v311);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->reason, reason_code::client_identifier_not_valid);  // MQTT-3.1.3-7
}

}  // namespace
}  // namespace mqtt::test
