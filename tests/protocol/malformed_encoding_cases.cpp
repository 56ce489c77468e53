// Malformed packets (malformed.hpp): the fixed header, the Remaining Length, strings and binary
// data running past the end, invalid UTF-8.
#include <vector>

#include "tests/protocol/malformed.hpp"

namespace mqtt::test {

// Building blocks in the comments: a CONNECT variable header is 00 04 'MQTT' 05 <flags> <keep alive
// 2> <property length>; "a/b" is 00 03 61 2F 62. Offsets count from the first byte of the packet.
std::vector<malformed_case> malformed_encoding_cases() {
    return {
        // ---- Fixed header: packet type and flags (spec 2.1.2, 2.1.3) ----
        // Packet type 0 is reserved.
        {"reserved_type_0", {0x00, 0x00}, {rc::malformed_packet, "Packet Type", 0}},
        // CONNECT flags must be 0000 (MQTT-2.1.3-1).
        {"connect_flags_0001",
         {0x11, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
         {rc::malformed_packet, "Reserved", 0}},
        // CONNACK flags must be 0000 (MQTT-2.1.3-1).
        {"connack_flags_1000",
         {0x28, 0x03, 0x00, 0x00, 0x00},
         {rc::malformed_packet, "Reserved", 0}},
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
         {0x10, 0x0E, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00,
          0x00},
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
         {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x02,
          0xC1, 0x81},
         {rc::malformed_packet, "Client Identifier", 15}},
        // Client Identifier ED BF BF: the surrogate U+DFFF.
        {"connect_client_id_surrogate",
         {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x03,
          0xED, 0xBF, 0xBF},
         {rc::malformed_packet, "Client Identifier", 15}},
        // Client Identifier F7 BF BF BF: U+1FFFFF, above U+10FFFF.
        {"connect_client_id_above_10ffff",
         {0x10, 0x11, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x04,
          0xF7, 0xBF, 0xBF, 0xBF},
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
         {0x10, 0x11, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x82, 0x00, 0x3C, 0x00, 0x00, 0x00,
          0x00, 0x02, 'u', 0xC0},
         {rc::malformed_packet, "User Name", 18}},
    };
}

}  // namespace mqtt::test
