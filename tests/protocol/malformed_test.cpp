// Negative tests of the decoder: one table of hand-written malformed or protocol-violating packets.
// Every case is fed whole to decode(), one byte at a time through a framer (then the framed packet
// decoded), and both again followed by trailing bytes; every path must report the same reason code
// (and, where the table gives them, the same field and offset). need_more is accepted only before
// the whole input has been given.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"

namespace mqtt {
namespace {

using rc = reason_code;
using bytes = std::vector<std::uint8_t>;

constexpr std::string_view any_field = "";
constexpr std::size_t any_offset = std::numeric_limits<std::size_t>::max();

struct expected {
    reason_code reason;
    std::string_view field = any_field;  // decode_error::field, when stable
    std::size_t offset = any_offset;     // decode_error::offset, when stable
};

struct malformed_case {
    const char* name;  // the gtest parameter name
    bytes input;
    expected expect;
    std::uint32_t maximum_packet_size = max_packet_size_limit;
};

void PrintTo(const malformed_case& c, std::ostream* os) {
    *os << c.name;
}

// Building blocks in the comments: a CONNECT variable header is 00 04 'MQTT' 05 <flags> <keep alive
// 2> <property length>; "a/b" is 00 03 61 2F 62. Offsets count from the first byte of the packet.
const std::vector<malformed_case> cases = {
    // ---- Fixed header: packet type and flags (spec 2.1.2, 2.1.3) ----
    // Packet type 0 is reserved.
    {"reserved_type_0", {0x00, 0x00}, {rc::malformed_packet, "Packet Type", 0}},
    // CONNECT flags must be 0000 (MQTT-2.1.3-1).
    {"connect_flags_0001",
     {0x11, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Reserved", 0}},
    // CONNACK flags must be 0000 (MQTT-2.1.3-1).
    {"connack_flags_1000", {0x28, 0x03, 0x00, 0x00, 0x00}, {rc::malformed_packet, "Reserved", 0}},
    // PUBACK flags must be 0000 (MQTT-2.1.3-1).
    {"puback_flags_0001", {0x41, 0x02, 0x00, 0x01}, {rc::malformed_packet, "Reserved", 0}},
    // PUBREC flags must be 0000 (MQTT-2.1.3-1).
    {"pubrec_flags_0010", {0x52, 0x02, 0x00, 0x01}, {rc::malformed_packet, "Reserved", 0}},
    // PUBREL flags must be 0010, here 0000 (MQTT-3.6.1-1).
    {"pubrel_flags_0000", {0x60, 0x02, 0x00, 0x01}, {rc::malformed_packet, "Reserved", 0}},
    // PUBREL flags must be 0010, here 0011 (MQTT-3.6.1-1).
    {"pubrel_flags_0011", {0x63, 0x02, 0x00, 0x01}, {rc::malformed_packet, "Reserved", 0}},
    // PUBCOMP flags must be 0000 (MQTT-2.1.3-1).
    {"pubcomp_flags_0100", {0x74, 0x02, 0x00, 0x01}, {rc::malformed_packet, "Reserved", 0}},
    // SUBSCRIBE flags must be 0010, here 0000 (MQTT-3.8.1-1); body: id 1, no props, "a" QoS 0.
    {"subscribe_flags_0000",
     {0x80, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x00},
     {rc::malformed_packet, "Reserved", 0}},
    // SUBSCRIBE flags must be 0010, here 1010 (MQTT-3.8.1-1).
    {"subscribe_flags_1010",
     {0x8A, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x00},
     {rc::malformed_packet, "Reserved", 0}},
    // SUBACK flags must be 0000 (MQTT-2.1.3-1).
    {"suback_flags_0010",
     {0x92, 0x04, 0x00, 0x01, 0x00, 0x00},
     {rc::malformed_packet, "Reserved", 0}},
    // UNSUBSCRIBE flags must be 0010, here 0000 (MQTT-3.10.1-1).
    {"unsubscribe_flags_0000",
     {0xA0, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 'a'},
     {rc::malformed_packet, "Reserved", 0}},
    // UNSUBACK flags must be 0000 (MQTT-2.1.3-1).
    {"unsuback_flags_0001",
     {0xB1, 0x04, 0x00, 0x01, 0x00, 0x00},
     {rc::malformed_packet, "Reserved", 0}},
    // PINGREQ flags must be 0000 (MQTT-2.1.3-1).
    {"pingreq_flags_0010", {0xC2, 0x00}, {rc::malformed_packet, "Reserved", 0}},
    // PINGRESP flags must be 0000 (MQTT-2.1.3-1).
    {"pingresp_flags_1000", {0xD8, 0x00}, {rc::malformed_packet, "Reserved", 0}},
    // DISCONNECT flags must be 0000 (MQTT-3.14.1-1).
    {"disconnect_flags_0010", {0xE2, 0x00}, {rc::malformed_packet, "Reserved", 0}},
    // AUTH flags must be 0000 (MQTT-3.15.1-1).
    {"auth_flags_0001", {0xF1, 0x00}, {rc::malformed_packet, "Reserved", 0}},
    // PUBLISH with both QoS bits set (MQTT-3.3.1-4).
    {"publish_qos_3",
     {0x36, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 0x00},
     {rc::malformed_packet, "QoS", 0}},
    // PUBLISH QoS 0 with DUP=1 (MQTT-3.3.1-2).
    {"publish_dup_on_qos_0",
     {0x38, 0x06, 0x00, 0x03, 'a', '/', 'b', 0x00},
     {rc::malformed_packet, "DUP", 0}},

    // ---- Remaining Length (spec 1.5.5, 2.1.4) ----
    // PINGREQ with Remaining Length 0 written in two bytes 80 00 (MQTT-1.5.5-1).
    {"pingreq_length_non_minimal",
     {0xC0, 0x80, 0x00},
     {rc::malformed_packet, "Remaining Length", 1}},
    // PUBLISH with Remaining Length 6 written as 86 00 (MQTT-1.5.5-1).
    {"publish_length_non_minimal_2",
     {0x30, 0x86, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x00},
     {rc::malformed_packet, "Remaining Length", 1}},
    // PUBLISH with Remaining Length 6 written as 86 80 00 (MQTT-1.5.5-1).
    {"publish_length_non_minimal_3",
     {0x30, 0x86, 0x80, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x00},
     {rc::malformed_packet, "Remaining Length", 1}},
    // A five-byte Variable Byte Integer: at most four bytes are allowed.
    {"publish_length_five_bytes",
     {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F},
     {rc::malformed_packet, "Remaining Length", 1}},
    // PUBACK whose Remaining Length 1 cuts the Packet Identifier.
    {"puback_length_cuts_packet_id",
     {0x40, 0x01, 0x00},
     {rc::malformed_packet, "Packet Identifier", 2}},
    // CONNACK whose Remaining Length 1 leaves out the Reason Code.
    {"connack_length_1", {0x20, 0x01, 0x00}, {rc::malformed_packet, "Reason Code", 3}},
    // CONNACK without Property Length (unlike PUBACK or DISCONNECT, CONNACK cannot omit it).
    {"connack_without_property_length",
     {0x20, 0x02, 0x00, 0x00},
     {rc::malformed_packet, "Property Length", 4}},
    // PUBLISH with Remaining Length 2: the 3-byte topic "a/b" runs past it.
    {"publish_length_cuts_topic",
     {0x30, 0x02, 0x00, 0x03, 'a', '/', 'b'},
     {rc::malformed_packet, "Topic Name", 4}},
    // PUBLISH QoS 1 with Remaining Length 6: one byte of the Packet Identifier missing.
    {"publish_length_cuts_packet_id",
     {0x32, 0x06, 0x00, 0x03, 'a', '/', 'b', 0x00},
     {rc::malformed_packet, "Packet Identifier", 7}},
    // PUBLISH without Property Length (it is never optional in PUBLISH).
    {"publish_without_property_length",
     {0x30, 0x05, 0x00, 0x03, 'a', '/', 'b'},
     {rc::malformed_packet, "Property Length", 7}},
    // CONNECT whose Remaining Length ends in the middle of Keep Alive.
    {"connect_length_cuts_keep_alive",
     {0x10, 0x09, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00},
     {rc::malformed_packet, "Keep Alive", 10}},
    // SUBSCRIBE entry "a" without its Subscription Options byte.
    {"subscribe_missing_options",
     {0x82, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 'a'},
     {rc::malformed_packet, "Subscription Options", 8}},
    // PUBACK with one byte (FF) after its Properties, inside the Remaining Length.
    {"puback_trailing_byte",
     {0x40, 0x05, 0x00, 0x01, 0x00, 0x00, 0xFF},
     {rc::malformed_packet, "Remaining Length", 6}},
    // CONNACK with one byte after its Properties.
    {"connack_trailing_byte",
     {0x20, 0x04, 0x00, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Remaining Length", 5}},
    // Minimal CONNECT with one byte after the Client Identifier.
    {"connect_trailing_byte",
     {0x10, 0x0E, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Remaining Length", 15}},
    // DISCONNECT with one byte after its Properties.
    {"disconnect_trailing_byte",
     {0xE0, 0x03, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Remaining Length", 4}},

    // ---- Strings and binary data running past the end ----
    // A field cut short is reported at its first missing-or-short data byte: for a string, the
    // byte after its two-byte length.
    // PUBLISH topic length 9 with only 3 bytes left in the Remaining Length.
    {"publish_topic_past_end",
     {0x30, 0x06, 0x00, 0x09, 'a', '/', 'b', 0x00},
     {rc::malformed_packet, "Topic Name", 4}},
    // CONNECT Client Identifier length 5, two bytes present.
    {"connect_client_id_past_end",
     {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x05, 'a',
      'b'},
     {rc::malformed_packet, "Client Identifier", 15}},
    // CONNECT Protocol Name length 4, two bytes present.
    {"connect_protocol_name_past_end",
     {0x10, 0x04, 0x00, 0x04, 'M', 'Q'},
     {rc::malformed_packet, "Protocol Name", 4}},
    // PUBACK User Property ("k", value of length 5 with one byte) overruns Property Length 7.
    {"puback_user_property_value_past_end",
     {0x40, 0x0B, 0x00, 0x01, 0x00, 0x07, 0x26, 0x00, 0x01, 'k', 0x00, 0x05, 'v'},
     {rc::malformed_packet, "User Property", 12}},
    // PUBLISH Correlation Data of length 4 with two bytes in the Property Length.
    {"publish_correlation_data_past_end",
     {0x30, 0x0B, 0x00, 0x03, 'a', '/', 'b', 0x05, 0x09, 0x00, 0x04, 0x01, 0x02},
     {rc::malformed_packet, "Correlation Data", 11}},
    // PUBLISH Message Expiry Interval with 2 of its 4 bytes inside Property Length 3.
    {"publish_message_expiry_past_end",
     {0x30, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x03, 0x02, 0x00, 0x00},
     {rc::malformed_packet, "Message Expiry Interval", 9}},
    // UNSUBSCRIBE: after filter "a", one byte of a second filter's length.
    {"unsubscribe_filter_past_end",
     {0xA2, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x00},
     {rc::malformed_packet, "Topic Filter", 8}},
    // CONNECT with a Will: Will Payload of length 5 with one byte present.
    {"connect_will_payload_past_end",
     {0x10, 0x14, 0x00, 0x04, 'M',  'Q',  'T',  'T', 0x05, 0x06, 0x00,
      0x3C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'w', 0x00, 0x05, 'x'},
     {rc::malformed_packet, "Will Payload", 21}},

    // ---- Invalid UTF-8 (MQTT-1.5.4-1, MQTT-1.5.4-2) ----
    // Topic "a" C0 AF: overlong encoding of '/'.
    {"publish_topic_overlong",
     {0x30, 0x06, 0x00, 0x03, 'a', 0xC0, 0xAF, 0x00},
     {rc::malformed_packet, "Topic Name", 5}},
    // Topic ED A0 80: the surrogate U+D800.
    {"publish_topic_surrogate",
     {0x30, 0x06, 0x00, 0x03, 0xED, 0xA0, 0x80, 0x00},
     {rc::malformed_packet, "Topic Name", 4}},
    // Topic F4 90 80 80: U+110000, above U+10FFFF.
    {"publish_topic_above_10ffff",
     {0x30, 0x07, 0x00, 0x04, 0xF4, 0x90, 0x80, 0x80, 0x00},
     {rc::malformed_packet, "Topic Name", 4}},
    // Topic "a" E2: a three-byte sequence cut after its first byte.
    {"publish_topic_truncated_sequence",
     {0x30, 0x05, 0x00, 0x02, 'a', 0xE2, 0x00},
     {rc::malformed_packet, "Topic Name", 5}},
    // Topic "a" 00 "b": U+0000 (MQTT-1.5.4-2, MQTT-4.7.3-2).
    {"publish_topic_nul",
     {0x30, 0x06, 0x00, 0x03, 'a', 0x00, 'b', 0x00},
     {rc::malformed_packet, "Topic Name", 5}},
    // Client Identifier C1 81: overlong two-byte form.
    {"connect_client_id_overlong",
     {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x02, 0xC1,
      0x81},
     {rc::malformed_packet, "Client Identifier", 15}},
    // Client Identifier ED BF BF: the surrogate U+DFFF.
    {"connect_client_id_surrogate",
     {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x03, 0xED,
      0xBF, 0xBF},
     {rc::malformed_packet, "Client Identifier", 15}},
    // Client Identifier F7 BF BF BF: U+1FFFFF, above U+10FFFF.
    {"connect_client_id_above_10ffff",
     {0x10, 0x11, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x04, 0xF7,
      0xBF, 0xBF, 0xBF},
     {rc::malformed_packet, "Client Identifier", 15}},
    // Client Identifier "a" 00: U+0000 (MQTT-1.5.4-2).
    {"connect_client_id_nul",
     {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x02, 'a',
      0x00},
     {rc::malformed_packet, "Client Identifier", 16}},
    // PUBACK User Property key "k" FF: FF never appears in UTF-8.
    {"puback_user_property_key_invalid",
     {0x40, 0x0C, 0x00, 0x01, 0x00, 0x08, 0x26, 0x00, 0x02, 'k', 0xFF, 0x00, 0x01, 'v'},
     {rc::malformed_packet, "User Property", 10}},
    // PUBACK User Property value "v" E2 82: truncated three-byte sequence.
    {"puback_user_property_value_truncated",
     {0x40, 0x0D, 0x00, 0x01, 0x00, 0x09, 0x26, 0x00, 0x01, 'k', 0x00, 0x03, 'v', 0xE2, 0x82},
     {rc::malformed_packet, "User Property", 13}},
    // PUBACK User Property value 00: U+0000 (MQTT-1.5.4-2).
    {"puback_user_property_value_nul",
     {0x40, 0x0B, 0x00, 0x01, 0x00, 0x07, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 0x00},
     {rc::malformed_packet, "User Property", 12}},
    // PUBLISH Content Type ED B0 80: the surrogate U+DC00.
    {"publish_content_type_surrogate",
     {0x30, 0x0C, 0x00, 0x03, 'a', '/', 'b', 0x06, 0x03, 0x00, 0x03, 0xED, 0xB0, 0x80},
     {rc::malformed_packet, "Content Type", 11}},
    // PUBLISH Content Type C0 80: "modified UTF-8" NUL, overlong.
    {"publish_content_type_overlong_nul",
     {0x30, 0x0B, 0x00, 0x03, 'a', '/', 'b', 0x05, 0x03, 0x00, 0x02, 0xC0, 0x80},
     {rc::malformed_packet, "Content Type", 11}},
    // DISCONNECT Reason String 80: a lone continuation byte.
    {"disconnect_reason_string_invalid",
     {0xE0, 0x06, 0x00, 0x04, 0x1F, 0x00, 0x01, 0x80},
     {rc::malformed_packet, "Reason String", 7}},
    // CONNECT Will Topic ED A0 80: a surrogate.
    {"connect_will_topic_surrogate",
     {0x10, 0x15, 0x00, 0x04, 'M',  'Q',  'T',  'T',  0x05, 0x06, 0x00, 0x3C,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xED, 0xA0, 0x80, 0x00, 0x00},
     {rc::malformed_packet, "Will Topic", 18}},
    // CONNECT User Name "u" C0: C0 is never valid.
    {"connect_user_name_invalid",
     {0x10, 0x11, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x82, 0x00, 0x3C, 0x00, 0x00, 0x00, 0x00,
      0x02, 'u', 0xC0},
     {rc::malformed_packet, "User Name", 18}},

    // ---- CONNECT (spec 3.1) ----
    // Protocol Name "MQTX".
    {"connect_protocol_name_mqtx",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'X', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::unsupported_protocol_version, "Protocol Name", 2}},
    // MQTT 3.1 CONNECT: Protocol Name "MQIsdp", version 3.
    {"connect_protocol_name_mqisdp",
     {0x10, 0x0E, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03, 0x02, 0x00, 0x3C, 0x00, 0x00},
     {rc::unsupported_protocol_version, "Protocol Name", 2}},
    // MQTT 3.1.1 CONNECT: version 4 (no Properties in 3.1.1).
    {"connect_version_4",
     {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00},
     {rc::unsupported_protocol_version, "Protocol Version", 8}},
    // Protocol Version 6.
    {"connect_version_6",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::unsupported_protocol_version, "Protocol Version", 8}},
    // Connect Flags 03: the reserved bit 0 set (MQTT-3.1.2-3).
    {"connect_reserved_flag",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x03, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Reserved", 9}},
    // Connect Flags 1E: Will Flag with Will QoS 3; Will "w", empty payload.
    {"connect_will_qos_3",
     {0x10, 0x13, 0x00, 0x04, 'M',  'Q',  'T',  'T', 0x05, 0x1E, 0x00,
      0x3C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'w', 0x00, 0x00},
     {rc::malformed_packet, "Will QoS", 9}},
    // Connect Flags 0A: Will QoS 1 without the Will Flag (MQTT-3.1.2-11).
    {"connect_will_qos_without_will",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x0A, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Will QoS", 9}},
    // Connect Flags 22: Will Retain without the Will Flag (MQTT-3.1.2-13).
    {"connect_will_retain_without_will",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x22, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Will Retain", 9}},
    // Connect Flags 42: Password Flag, but the packet ends after the Client Identifier.
    {"connect_password_missing",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x42, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "Password", 15}},
    // Connect Flags 82: User Name Flag, but no User Name.
    {"connect_user_name_missing",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x82, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::malformed_packet, "User Name", 15}},
    // Will Topic "w/#": a wildcard in a topic name (MQTT-3.3.2-2 applies to the Will Topic too).
    {"connect_will_topic_wildcard",
     {0x10, 0x15, 0x00, 0x04, 'M',  'Q',  'T', 'T', 0x05, 0x06, 0x00, 0x3C,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'w', '/', '#',  0x00, 0x00},
     {rc::topic_name_invalid, "Will Topic", 16}},
    // Will Properties with Session Expiry Interval, which only CONNECT itself may carry.
    {"connect_will_property_not_allowed",
     {0x10, 0x18, 0x00, 0x04, 'M',  'Q',  'T',  'T',  0x05, 0x06, 0x00, 0x3C, 0x00,
      0x00, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'w',  0x00, 0x00},
     {rc::malformed_packet, "Session Expiry Interval", 16}},
    // Authentication Data (16) without Authentication Method, reported at the property.
    {"connect_auth_data_without_method",
     {0x10, 0x11, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x04, 0x16, 0x00, 0x01,
      0xAA, 0x00, 0x00},
     {rc::protocol_error, "Authentication Data", 13}},
    // Receive Maximum 0.
    {"connect_receive_maximum_0",
     {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x03, 0x21, 0x00, 0x00,
      0x00, 0x00},
     {rc::protocol_error, "Receive Maximum", 13}},
    // Maximum Packet Size 0.
    {"connect_maximum_packet_size_0",
     {0x10, 0x12, 0x00, 0x04, 'M',  'Q',  'T',  'T',  0x05, 0x02,
      0x00, 0x3C, 0x05, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
     {rc::protocol_error, "Maximum Packet Size", 13}},
    // Request Problem Information 2 (a boolean byte: 0 or 1).
    {"connect_request_problem_information_2",
     {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x02, 0x17, 0x02, 0x00,
      0x00},
     {rc::protocol_error, "Request Problem Information", 13}},
    // Request Response Information 2.
    {"connect_request_response_information_2",
     {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x02, 0x19, 0x02, 0x00,
      0x00},
     {rc::protocol_error, "Request Response Information", 13}},
    // Topic Alias is not a CONNECT property.
    {"connect_topic_alias_not_allowed",
     {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x03, 0x23, 0x00, 0x01,
      0x00, 0x00},
     {rc::malformed_packet, "Topic Alias", 13}},
    // Session Expiry Interval twice (Four Byte Integer duplicate).
    {"connect_duplicate_session_expiry",
     {0x10, 0x17, 0x00, 0x04, 'M',  'Q',  'T',  'T',  0x05, 0x02, 0x00, 0x3C, 0x0A,
      0x11, 0x00, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00},
     {rc::protocol_error, "Session Expiry Interval", 18}},
    // Authentication Method twice (UTF-8 string duplicate).
    {"connect_duplicate_authentication_method",
     {0x10, 0x15, 0x00, 0x04, 'M', 'Q',  'T',  'T',  0x05, 0x02, 0x00, 0x3C,
      0x08, 0x15, 0x00, 0x01, 'x', 0x15, 0x00, 0x01, 'y',  0x00, 0x00},
     {rc::protocol_error, "Authentication Method", 17}},

    // ---- CONNACK (spec 3.2) ----
    // Connect Acknowledge Flags 02: a reserved bit set.
    {"connack_reserved_flag_bit_1",
     {0x20, 0x03, 0x02, 0x00, 0x00},
     {rc::malformed_packet, "Connect Acknowledge Flags", 2}},
    // Connect Acknowledge Flags 80: the top reserved bit set.
    {"connack_reserved_flag_bit_7",
     {0x20, 0x03, 0x80, 0x00, 0x00},
     {rc::malformed_packet, "Connect Acknowledge Flags", 2}},
    // Session Present 1 with reason 87 Not authorized (MQTT-3.2.2-6), reported at the
    // Connect Acknowledge Flags byte that holds the Session Present bit.
    {"connack_session_present_with_failure",
     {0x20, 0x03, 0x01, 0x87, 0x00},
     {rc::protocol_error, "Session Present", 2}},
    // Reason Code 05: not defined at all.
    {"connack_reason_05", {0x20, 0x03, 0x00, 0x05, 0x00}, {rc::protocol_error, "Reason Code", 3}},
    // Reason Code 8E Session taken over: a DISCONNECT code, not a CONNACK one.
    {"connack_reason_8e", {0x20, 0x03, 0x00, 0x8E, 0x00}, {rc::protocol_error, "Reason Code", 3}},
    // Maximum Packet Size 0.
    {"connack_maximum_packet_size_0",
     {0x20, 0x08, 0x00, 0x00, 0x05, 0x27, 0x00, 0x00, 0x00, 0x00},
     {rc::protocol_error, "Maximum Packet Size", 5}},
    // Receive Maximum 0.
    {"connack_receive_maximum_0",
     {0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00},
     {rc::protocol_error, "Receive Maximum", 5}},
    // Maximum QoS 2 (only 0 or 1 may be sent).
    {"connack_maximum_qos_2",
     {0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02},
     {rc::protocol_error, "Maximum QoS", 5}},
    // Retain Available 2.
    {"connack_retain_available_2",
     {0x20, 0x05, 0x00, 0x00, 0x02, 0x25, 0x02},
     {rc::protocol_error, "Retain Available", 5}},
    // Wildcard Subscription Available 2.
    {"connack_wildcard_subscription_available_2",
     {0x20, 0x05, 0x00, 0x00, 0x02, 0x28, 0x02},
     {rc::protocol_error, "Wildcard Subscription Available", 5}},
    // Subscription Identifier Available 2.
    {"connack_subscription_identifier_available_2",
     {0x20, 0x05, 0x00, 0x00, 0x02, 0x29, 0x02},
     {rc::protocol_error, "Subscription Identifier Available", 5}},
    // Shared Subscription Available 2.
    {"connack_shared_subscription_available_2",
     {0x20, 0x05, 0x00, 0x00, 0x02, 0x2A, 0x02},
     {rc::protocol_error, "Shared Subscription Available", 5}},
    // Server Keep Alive twice (Two Byte Integer duplicate).
    {"connack_duplicate_server_keep_alive",
     {0x20, 0x09, 0x00, 0x00, 0x06, 0x13, 0x00, 0x0A, 0x13, 0x00, 0x14},
     {rc::protocol_error, "Server Keep Alive", 8}},
    // Will Delay Interval is a Will property, not a CONNACK one.
    {"connack_will_delay_not_allowed",
     {0x20, 0x08, 0x00, 0x00, 0x05, 0x18, 0x00, 0x00, 0x00, 0x01},
     {rc::malformed_packet, "Will Delay Interval", 5}},

    // ---- Properties in PUBLISH (spec 2.2.2, 3.3.2.3) ----
    // Property identifier 04 is not defined.
    {"publish_unknown_property_04",
     {0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x02, 0x04, 0x00},
     {rc::malformed_packet, "Property Identifier", 8}},
    // Property identifier 00 is not defined.
    {"publish_unknown_property_00",
     {0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x02, 0x00, 0x00},
     {rc::malformed_packet, "Property Identifier", 8}},
    // Session Expiry Interval is not a PUBLISH property.
    {"publish_session_expiry_not_allowed",
     {0x30, 0x0B, 0x00, 0x03, 'a', '/', 'b', 0x05, 0x11, 0x00, 0x00, 0x00, 0x0A},
     {rc::malformed_packet, "Session Expiry Interval", 8}},
    // Receive Maximum is not a PUBLISH property.
    {"publish_receive_maximum_not_allowed",
     {0x30, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x03, 0x21, 0x00, 0x05},
     {rc::malformed_packet, "Receive Maximum", 8}},
    // Payload Format Indicator twice (Byte duplicate).
    {"publish_duplicate_payload_format_indicator",
     {0x30, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x04, 0x01, 0x00, 0x01, 0x01},
     {rc::protocol_error, "Payload Format Indicator", 10}},
    // Message Expiry Interval twice (Four Byte Integer duplicate).
    {"publish_duplicate_message_expiry",
     {0x30, 0x10, 0x00, 0x03, 'a', '/', 'b', 0x0A, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00,
      0x00, 0x02},
     {rc::protocol_error, "Message Expiry Interval", 13}},
    // Topic Alias twice (Two Byte Integer duplicate).
    {"publish_duplicate_topic_alias",
     {0x30, 0x0C, 0x00, 0x03, 'a', '/', 'b', 0x06, 0x23, 0x00, 0x01, 0x23, 0x00, 0x02},
     {rc::protocol_error, "Topic Alias", 11}},
    // Content Type twice (UTF-8 string duplicate).
    {"publish_duplicate_content_type",
     {0x30, 0x0E, 0x00, 0x03, 'a', '/', 'b', 0x08, 0x03, 0x00, 0x01, 'x', 0x03, 0x00, 0x01, 'y'},
     {rc::protocol_error, "Content Type", 12}},
    // Correlation Data twice (Binary Data duplicate).
    {"publish_duplicate_correlation_data",
     {0x30, 0x0E, 0x00, 0x03, 'a', '/', 'b', 0x08, 0x09, 0x00, 0x01, 0xAA, 0x09, 0x00, 0x01, 0xBB},
     {rc::protocol_error, "Correlation Data", 12}},
    // Payload Format Indicator 2 (a boolean byte).
    {"publish_payload_format_indicator_2",
     {0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x02, 0x01, 0x02},
     {rc::protocol_error, "Payload Format Indicator", 8}},
    // Topic Alias 0.
    {"publish_topic_alias_0",
     {0x30, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x03, 0x23, 0x00, 0x00},
     {rc::topic_alias_invalid, "Topic Alias", 8}},
    // Subscription Identifier 0.
    {"publish_subscription_identifier_0",
     {0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x02, 0x0B, 0x00},
     {rc::protocol_error, "Subscription Identifier", 8}},
    // Property Length 5 with two bytes left in the Remaining Length.
    {"publish_property_length_past_end",
     {0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x05, 0x01, 0x00},
     {rc::malformed_packet, "Property Length", 8}},
    // Property Length 0 written as 80 00 (MQTT-1.5.5-1).
    {"publish_property_length_non_minimal",
     {0x30, 0x07, 0x00, 0x03, 'a', '/', 'b', 0x80, 0x00},
     {rc::malformed_packet, "Property Length", 7}},

    // ---- PUBLISH (spec 3.3) ----
    // QoS 1 with Packet Identifier 0.
    {"publish_qos_1_packet_id_0",
     {0x32, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x00, 0x00},
     {rc::protocol_error, "Packet Identifier", 7}},
    // QoS 2 with Packet Identifier 0.
    {"publish_qos_2_packet_id_0",
     {0x34, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x00, 0x00},
     {rc::protocol_error, "Packet Identifier", 7}},
    // Topic "a/+" (MQTT-3.3.2-2, MQTT-4.7.0-1).
    {"publish_topic_plus",
     {0x30, 0x06, 0x00, 0x03, 'a', '/', '+', 0x00},
     {rc::topic_name_invalid, "Topic Name", 2}},
    // Topic "#" (MQTT-3.3.2-2).
    {"publish_topic_hash",
     {0x30, 0x04, 0x00, 0x01, '#', 0x00},
     {rc::topic_name_invalid, "Topic Name", 2}},
    // Topic "a+b": a wildcard character inside a level is still forbidden in a name.
    {"publish_topic_embedded_plus",
     {0x30, 0x06, 0x00, 0x03, 'a', '+', 'b', 0x00},
     {rc::topic_name_invalid, "Topic Name", 2}},
    // Empty Topic Name and no Topic Alias (spec 3.3.2.1).
    {"publish_empty_topic_without_alias",
     {0x30, 0x03, 0x00, 0x00, 0x00},
     {rc::protocol_error, "Topic Name", 2}},
    // Response Topic "r/#" (MQTT-3.3.2-14).
    {"publish_response_topic_wildcard",
     {0x30, 0x0C, 0x00, 0x03, 'a', '/', 'b', 0x06, 0x08, 0x00, 0x03, 'r', '/', '#'},
     {rc::protocol_error, "Response Topic", 8}},

    // ---- PUBACK, PUBREC, PUBREL, PUBCOMP (spec 3.4 - 3.7) ----
    // PUBACK Reason Code 92 (a PUBREL/PUBCOMP code) (MQTT-3.4.2-1).
    {"puback_reason_92", {0x40, 0x03, 0x00, 0x01, 0x92}, {rc::protocol_error, "Reason Code", 4}},
    // PUBACK Reason Code 04 (a DISCONNECT code) (MQTT-3.4.2-1).
    {"puback_reason_04", {0x40, 0x03, 0x00, 0x01, 0x04}, {rc::protocol_error, "Reason Code", 4}},
    // PUBREC Reason Code 92 (MQTT-3.5.2-1).
    {"pubrec_reason_92", {0x50, 0x03, 0x00, 0x01, 0x92}, {rc::protocol_error, "Reason Code", 4}},
    // PUBREL Reason Code 10 (a PUBACK code) (MQTT-3.6.2-1).
    {"pubrel_reason_10", {0x62, 0x03, 0x00, 0x01, 0x10}, {rc::protocol_error, "Reason Code", 4}},
    // PUBREL Reason Code 80 (MQTT-3.6.2-1: only 00 and 92).
    {"pubrel_reason_80", {0x62, 0x03, 0x00, 0x01, 0x80}, {rc::protocol_error, "Reason Code", 4}},
    // PUBCOMP Reason Code 80 (MQTT-3.7.2-1).
    {"pubcomp_reason_80", {0x70, 0x03, 0x00, 0x01, 0x80}, {rc::protocol_error, "Reason Code", 4}},
    // PUBACK Packet Identifier 0.
    {"puback_packet_id_0", {0x40, 0x02, 0x00, 0x00}, {rc::protocol_error, "Packet Identifier", 2}},
    // Topic Alias is not a PUBACK property.
    {"puback_topic_alias_not_allowed",
     {0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01},
     {rc::malformed_packet, "Topic Alias", 6}},
    // Reason String twice.
    {"puback_duplicate_reason_string",
     {0x40, 0x0C, 0x00, 0x01, 0x00, 0x08, 0x1F, 0x00, 0x01, 'x', 0x1F, 0x00, 0x01, 'y'},
     {rc::protocol_error, "Reason String", 10}},

    // ---- SUBSCRIBE (spec 3.8) ----
    // No Topic Filter at all (MQTT-3.8.3-2).
    {"subscribe_empty_payload", {0x82, 0x03, 0x00, 0x01, 0x00}, {rc::protocol_error, "Payload", 5}},
    // Subscription Options C0: the two reserved bits set (MQTT-3.8.3-5).
    {"subscribe_reserved_option_bits",
     {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0xC0},
     {rc::malformed_packet, "Reserved", 10}},
    // Subscription Options 40: reserved bit 6 set (MQTT-3.8.3-5).
    {"subscribe_reserved_option_bit_6",
     {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x40},
     {rc::malformed_packet, "Reserved", 10}},
    // Maximum QoS 3 (spec 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value
    // 3").
    {"subscribe_maximum_qos_3",
     {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x03},
     {rc::protocol_error, "Maximum QoS", 10}},
    // Retain Handling 3 (spec 3.8.3.1: a Protocol Error).
    {"subscribe_retain_handling_3",
     {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x30},
     {rc::protocol_error, "Retain Handling", 10}},
    // No Local on "$share/g/a" (MQTT-3.8.3-4).
    {"subscribe_no_local_on_shared",
     {0x82, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'a',
      0x04},
     {rc::protocol_error, "No Local", 17}},
    // Filter "a/#/b": '#' not last (MQTT-4.7.1-1).
    {"subscribe_filter_hash_not_last",
     {0x82, 0x0B, 0x00, 0x01, 0x00, 0x00, 0x05, 'a', '/', '#', '/', 'b', 0x00},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // Filter "a#": '#' not a whole level (MQTT-4.7.1-1).
    {"subscribe_filter_hash_in_level",
     {0x82, 0x08, 0x00, 0x01, 0x00, 0x00, 0x02, 'a', '#', 0x00},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // Filter "a+": '+' not a whole level (MQTT-4.7.1-2).
    {"subscribe_filter_plus_in_level",
     {0x82, 0x08, 0x00, 0x01, 0x00, 0x00, 0x02, 'a', '+', 0x00},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // Filter "$share/x": a ShareName but no filter after it (MQTT-4.8.2-2).
    {"subscribe_shared_without_filter",
     {0x82, 0x0E, 0x00, 0x01, 0x00, 0x00, 0x08, '$', 's', 'h', 'a', 'r', 'e', '/', 'x', 0x00},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // Filter "$share//a": empty ShareName (MQTT-4.8.2-1).
    {"subscribe_shared_empty_share_name",
     {0x82, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x09, '$', 's', 'h', 'a', 'r', 'e', '/', '/', 'a', 0x00},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // Filter "" (MQTT-4.7.3-1).
    {"subscribe_empty_filter",
     {0x82, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // Filter C0 80: invalid UTF-8 is Malformed, not just an invalid filter.
    {"subscribe_filter_invalid_utf8",
     {0x82, 0x08, 0x00, 0x01, 0x00, 0x00, 0x02, 0xC0, 0x80, 0x00},
     {rc::malformed_packet, "Topic Filter", 7}},
    // Two Subscription Identifiers (1 and 2): at most one in SUBSCRIBE.
    {"subscribe_two_subscription_identifiers",
     {0x82, 0x0B, 0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01, 'a', 0x00},
     {rc::protocol_error, "Subscription Identifier", 7}},
    // Subscription Identifier 0.
    {"subscribe_subscription_identifier_0",
     {0x82, 0x09, 0x00, 0x01, 0x02, 0x0B, 0x00, 0x00, 0x01, 'a', 0x00},
     {rc::protocol_error, "Subscription Identifier", 5}},
    // Packet Identifier 0.
    {"subscribe_packet_id_0",
     {0x82, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 'a', 0x00},
     {rc::protocol_error, "Packet Identifier", 2}},

    // ---- SUBACK, UNSUBSCRIBE, UNSUBACK (spec 3.9 - 3.11) ----
    // SUBACK Reason Code 03 (not defined).
    {"suback_reason_03",
     {0x90, 0x04, 0x00, 0x01, 0x00, 0x03},
     {rc::protocol_error, "Reason Code", 5}},
    // SUBACK Reason Code 92 (a PUBREL code).
    {"suback_reason_92",
     {0x90, 0x04, 0x00, 0x01, 0x00, 0x92},
     {rc::protocol_error, "Reason Code", 5}},
    // SUBACK without Reason Codes.
    {"suback_empty", {0x90, 0x03, 0x00, 0x01, 0x00}, {rc::protocol_error, "Payload", 5}},
    // UNSUBACK Reason Code 01 (a SUBACK code).
    {"unsuback_reason_01",
     {0xB0, 0x04, 0x00, 0x01, 0x00, 0x01},
     {rc::protocol_error, "Reason Code", 5}},
    // UNSUBACK without Reason Codes.
    {"unsuback_empty", {0xB0, 0x03, 0x00, 0x01, 0x00}, {rc::protocol_error, "Payload", 5}},
    // UNSUBSCRIBE without Topic Filters (MQTT-3.10.3-2).
    {"unsubscribe_empty_payload",
     {0xA2, 0x03, 0x00, 0x01, 0x00},
     {rc::protocol_error, "Payload", 5}},
    // UNSUBSCRIBE filter "a/#/b" (MQTT-4.7.1-1).
    {"unsubscribe_filter_hash_not_last",
     {0xA2, 0x0A, 0x00, 0x01, 0x00, 0x00, 0x05, 'a', '/', '#', '/', 'b'},
     {rc::topic_filter_invalid, "Topic Filter", 5}},
    // UNSUBSCRIBE Packet Identifier 0.
    {"unsubscribe_packet_id_0",
     {0xA2, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 'a'},
     {rc::protocol_error, "Packet Identifier", 2}},

    // ---- PINGREQ, PINGRESP, DISCONNECT, AUTH (spec 3.12 - 3.15) ----
    // PINGREQ has no variable header: Remaining Length must be 0.
    {"pingreq_length_1", {0xC0, 0x01, 0x00}, {rc::malformed_packet, "Remaining Length", 2}},
    // PINGRESP with Remaining Length 2.
    {"pingresp_length_2", {0xD0, 0x02, 0x00, 0x00}, {rc::malformed_packet, "Remaining Length", 2}},
    // DISCONNECT Reason Code 01 (MQTT-3.14.2-1).
    {"disconnect_reason_01", {0xE0, 0x01, 0x01}, {rc::protocol_error, "Reason Code", 2}},
    // DISCONNECT Reason Code 84 (a CONNACK-only code) (MQTT-3.14.2-1).
    {"disconnect_reason_84", {0xE0, 0x01, 0x84}, {rc::protocol_error, "Reason Code", 2}},
    // Topic Alias is not a DISCONNECT property.
    {"disconnect_topic_alias_not_allowed",
     {0xE0, 0x05, 0x00, 0x03, 0x23, 0x00, 0x01},
     {rc::malformed_packet, "Topic Alias", 4}},
    // AUTH Reason Code 87 (MQTT-3.15.2-1: only 00, 18, 19).
    {"auth_reason_87", {0xF0, 0x02, 0x87, 0x00}, {rc::protocol_error, "Reason Code", 2}},
    // AUTH with a Reason Code but no Property Length: only Remaining Length 0 may omit it
    // (spec 3.15.2.1), unlike DISCONNECT.
    {"auth_reason_without_property_length",
     {0xF0, 0x01, 0x18},
     {rc::malformed_packet, "Property Length", 3}},
    // AUTH Reason Code 01 (MQTT-3.15.2-1).
    {"auth_reason_01", {0xF0, 0x02, 0x01, 0x00}, {rc::protocol_error, "Reason Code", 2}},
    // AUTH Continue authentication with Authentication Data but no Authentication Method.
    {"auth_data_without_method",
     {0xF0, 0x06, 0x18, 0x04, 0x16, 0x00, 0x01, 0xAA},
     {rc::protocol_error, "Authentication Data", 4}},

    // ---- Packet Too Large (spec 3.1.2.11.4) ----
    // A 17-byte PUBLISH against a Maximum Packet Size of 16.
    {"publish_too_large",
     {0x30, 0x0F, 0x00, 0x03, 'a', '/', 'b', 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9},
     {rc::packet_too_large, "Remaining Length", 1},
     16},
    // A 15-byte CONNECT against a Maximum Packet Size of 10.
    {"connect_too_large",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
     {rc::packet_too_large, "Remaining Length", 1},
     10},
};

// Valid near misses of the cases above: each must decode. They show the table's cases fail for
// the stated reason and not for a typo elsewhere in the bytes.
const std::vector<std::pair<const char*, bytes>> near_misses = {
    {"connect_minimal",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00}},
    {"connect_with_will", {0x10, 0x13, 0x00, 0x04, 'M',  'Q',  'T',  'T', 0x05, 0x0E, 0x00,
                           0x3C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'w', 0x00, 0x00}},
    {"connect_with_user_name_and_password",
     {0x10, 0x13, 0x00, 0x04, 'M',  'Q',  'T', 'T',  0x05, 0xC2, 0x00,
      0x3C, 0x00, 0x00, 0x00, 0x00, 0x01, 'u', 0x00, 0x01, 'p'}},
    {"connack_session_present_success", {0x20, 0x03, 0x01, 0x00, 0x00}},
    {"connack_failure", {0x20, 0x03, 0x00, 0x87, 0x00}},
    {"publish_a_b", {0x30, 0x06, 0x00, 0x03, 'a', '/', 'b', 0x00}},
    {"publish_qos_1", {0x32, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 0x00}},
    {"publish_empty_topic_with_alias", {0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01}},
    {"publish_bom_topic", {0x30, 0x06, 0x00, 0x03, 0xEF, 0xBB, 0xBF, 0x00}},  // MQTT-1.5.4-3
    {"publish_two_subscription_identifiers",
     {0x30, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x04, 0x0B, 0x01, 0x0B, 0x02}},
    {"publish_dup_qos_1", {0x3A, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 0x00}},
    {"puback_length_2", {0x40, 0x02, 0x00, 0x01}},
    {"puback_length_3", {0x40, 0x03, 0x00, 0x01, 0x10}},
    {"puback_length_4", {0x40, 0x04, 0x00, 0x01, 0x00, 0x00}},
    {"pubrel_reason_92", {0x62, 0x03, 0x00, 0x01, 0x92}},
    {"subscribe_a", {0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x00}},
    {"subscribe_all_options", {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x2E}},
    {"subscribe_shared",
     {0x82, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'a',
      0x00}},
    {"suback_granted", {0x90, 0x05, 0x00, 0x01, 0x00, 0x02, 0x80}},
    {"unsubscribe_a", {0xA2, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 'a'}},
    {"unsuback_no_subscription", {0xB0, 0x04, 0x00, 0x01, 0x00, 0x11}},
    {"pingreq", {0xC0, 0x00}},
    {"disconnect_length_0", {0xE0, 0x00}},
    {"disconnect_length_1", {0xE0, 0x01, 0x04}},
    {"auth_length_0", {0xF0, 0x00}},
    {"auth_with_method", {0xF0, 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, 'x'}},
};

// A complete PINGREQ and the start of a DISCONNECT: what may follow a packet in a stream.
const bytes trailing = {0xC0, 0x00, 0xE0};

void check_error(const decode_error& e, const malformed_case& c, std::size_t base = 0) {
    const expected& x = c.expect;
    EXPECT_EQ(to_byte(e.reason), to_byte(x.reason)) << e.message();
    if (!x.field.empty()) {
        EXPECT_EQ(e.field, x.field) << e.message();
    }
    if (x.offset != any_offset) {
        EXPECT_EQ(e.offset, x.offset + base) << e.message();
    }
}

// Decodes a packet the framer delimited and expects the case's error.
void check_framed(bytes_view packet, const malformed_case& c, const decode_options& opts) {
    auto r = decode(packet, opts);
    ASSERT_EQ(r.status, decode_status::error) << "the framed packet decoded";
    check_error(r.error, c);
}

class malformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(malformed, whole) {
    const auto& c = GetParam();
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    auto r = decode(c.input, opts);
    ASSERT_EQ(r.status, decode_status::error);
    check_error(r.error, c);
    // The same input placed at offset 1000 of a stream reports offsets from the stream start.
    opts.base_offset = 1000;
    r = decode(c.input, opts);
    ASSERT_EQ(r.status, decode_status::error);
    check_error(r.error, c, 1000);
}

TEST_P(malformed, whole_with_trailing_bytes) {
    const auto& c = GetParam();
    bytes input = c.input;
    input.insert(input.end(), trailing.begin(), trailing.end());
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    auto r = decode(input, opts);
    ASSERT_EQ(r.status, decode_status::error);
    check_error(r.error, c);
}

TEST_P(malformed, framer_one_byte_at_a_time) {
    const auto& c = GetParam();
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    framer f(c.maximum_packet_size);
    for (std::size_t i = 0; i < c.input.size(); ++i) {
        SCOPED_TRACE("after byte " + std::to_string(i));
        auto r = f.feed(bytes_view(c.input).subspan(i, 1));
        if (r.status == decode_status::error) return check_error(r.error, c);
        ASSERT_EQ(r.consumed, 1u);
        if (r.status == decode_status::complete) return check_framed(r.packet, c, opts);
    }
    FAIL() << "still need_more after the whole input";
}

TEST_P(malformed, framer_with_trailing_bytes) {
    const auto& c = GetParam();
    bytes input = c.input;
    input.insert(input.end(), trailing.begin(), trailing.end());
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    framer f(c.maximum_packet_size);
    auto r = f.feed(input);
    if (r.status == decode_status::error) return check_error(r.error, c);
    ASSERT_EQ(r.status, decode_status::complete);
    check_framed(r.packet, c, opts);
}

INSTANTIATE_TEST_SUITE_P(table, malformed, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(malformed_table, has_at_least_70_cases) {
    EXPECT_GE(cases.size(), 70u);
}

TEST(malformed_table, near_misses_decode) {
    for (const auto& [name, input] : near_misses) {
        SCOPED_TRACE(name);
        auto r = decode(input);
        EXPECT_EQ(r.status, decode_status::complete) << r.error.message();
        EXPECT_EQ(r.consumed, input.size());
        framer f;
        frame_result fr;
        for (std::size_t i = 0; i < input.size(); ++i) {
            fr = f.feed(bytes_view(input).subspan(i, 1));
            EXPECT_EQ(fr.status,
                      i + 1 < input.size() ? decode_status::need_more : decode_status::complete);
        }
    }
}

const malformed_case& find_case(std::string_view name) {
    for (const auto& c : cases)
        if (c.name == name) return c;
    throw std::logic_error("no such case");
}

std::string message_of(std::string_view name) {
    const auto& c = find_case(name);
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    return decode(c.input, opts).error.message();
}

// error.message() names the packet, the field, the offset and the reason code with its name.
TEST(malformed_message, names_packet_field_and_reason) {
    auto m = message_of("publish_topic_surrogate");
    EXPECT_NE(m.find("PUBLISH"), std::string::npos) << m;
    EXPECT_NE(m.find("Topic Name"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x81 Malformed Packet)"), std::string::npos) << m;

    m = message_of("connect_receive_maximum_0");
    EXPECT_NE(m.find("CONNECT Receive Maximum"), std::string::npos) << m;
    EXPECT_NE(m.find("offset 13"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x82 Protocol Error)"), std::string::npos) << m;

    m = message_of("subscribe_filter_hash_not_last");
    EXPECT_NE(m.find("SUBSCRIBE Topic Filter"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x8F Topic Filter invalid)"), std::string::npos) << m;

    m = message_of("publish_topic_alias_0");
    EXPECT_NE(m.find("PUBLISH Topic Alias"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x94 Topic Alias invalid)"), std::string::npos) << m;

    m = message_of("connect_version_4");
    EXPECT_NE(m.find("CONNECT Protocol Version"), std::string::npos) << m;
    EXPECT_NE(m.find("offset 8"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x84 Unsupported Protocol Version)"), std::string::npos) << m;

    m = message_of("publish_too_large");
    EXPECT_NE(m.find("PUBLISH"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x95 Packet too large)"), std::string::npos) << m;
}

}  // namespace
}  // namespace mqtt
