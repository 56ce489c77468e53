// Malformed packets (malformed.hpp): the rules of each packet type, CONNECT to AUTH, and Packet
// Too Large.
#include <vector>

#include "tests/protocol/malformed.hpp"

namespace mqtt::test {

// Building blocks in the comments: a CONNECT variable header is 00 04 'MQTT' 05 <flags> <keep alive
// 2> <property length>; "a/b" is 00 03 61 2F 62. Offsets count from the first byte of the packet.
std::vector<malformed_case> malformed_packet_cases() {
    return {
        // ---- CONNECT (spec 3.1) ----
        // Protocol Name "MQTX".
        {"connect_protocol_name_mqtx",
         {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'X', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
         {rc::unsupported_protocol_version, "Protocol Name", 2}},
        // MQTT 3.1 CONNECT: Protocol Name "MQIsdp", version 3, is decoded (tests/protocol/
        // v31_test.cpp), but its Client Identifier has 1 to 23 characters (3.1 spec 3.1): not 0.
        {"connect_v31_empty_client_id",
         {0x10, 0x0E, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03, 0x02, 0x00, 0x3C, 0x00, 0x00},
         {rc::client_identifier_not_valid, "Client Identifier", 14}},
        // Protocol Name "MQTT" with version 3 (MQTT 3.1 was "MQIsdp" 3). Version 4 is MQTT 3.1.1,
        // decoded as such (tests/protocol/v311_test.cpp).
        {"connect_version_3",
         {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x03, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
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
        // Will Topic "w/#": a wildcard in a topic name (MQTT-3.3.2-2 applies to the Will Topic
        // too).
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
         {0x10, 0x11, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x04, 0x16, 0x00,
          0x01, 0xAA, 0x00, 0x00},
         {rc::protocol_error, "Authentication Data", 13}},
        // Receive Maximum 0.
        {"connect_receive_maximum_0",
         {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x03, 0x21, 0x00,
          0x00, 0x00, 0x00},
         {rc::protocol_error, "Receive Maximum", 13}},
        // Maximum Packet Size 0.
        {"connect_maximum_packet_size_0",
         {0x10, 0x12, 0x00, 0x04, 'M',  'Q',  'T',  'T',  0x05, 0x02,
          0x00, 0x3C, 0x05, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
         {rc::protocol_error, "Maximum Packet Size", 13}},
        // Request Problem Information 2 (a boolean byte: 0 or 1).
        {"connect_request_problem_information_2",
         {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x02, 0x17, 0x02,
          0x00, 0x00},
         {rc::protocol_error, "Request Problem Information", 13}},
        // Request Response Information 2.
        {"connect_request_response_information_2",
         {0x10, 0x0F, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x02, 0x19, 0x02,
          0x00, 0x00},
         {rc::protocol_error, "Request Response Information", 13}},
        // Topic Alias is not a CONNECT property.
        {"connect_topic_alias_not_allowed",
         {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x03, 0x23, 0x00,
          0x01, 0x00, 0x00},
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
        {"connack_reason_05",
         {0x20, 0x03, 0x00, 0x05, 0x00},
         {rc::protocol_error, "Reason Code", 3}},
        // Reason Code 8E Session taken over: a DISCONNECT code, not a CONNACK one.
        {"connack_reason_8e",
         {0x20, 0x03, 0x00, 0x8E, 0x00},
         {rc::protocol_error, "Reason Code", 3}},
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
         {0x30, 0x10, 0x00, 0x03, 'a', '/', 'b', 0x0A, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00,
          0x00, 0x00, 0x02},
         {rc::protocol_error, "Message Expiry Interval", 13}},
        // Topic Alias twice (Two Byte Integer duplicate).
        {"publish_duplicate_topic_alias",
         {0x30, 0x0C, 0x00, 0x03, 'a', '/', 'b', 0x06, 0x23, 0x00, 0x01, 0x23, 0x00, 0x02},
         {rc::protocol_error, "Topic Alias", 11}},
        // Content Type twice (UTF-8 string duplicate).
        {"publish_duplicate_content_type",
         {0x30, 0x0E, 0x00, 0x03, 'a', '/', 'b', 0x08, 0x03, 0x00, 0x01, 'x', 0x03, 0x00, 0x01,
          'y'},
         {rc::protocol_error, "Content Type", 12}},
        // Correlation Data twice (Binary Data duplicate).
        {"publish_duplicate_correlation_data",
         {0x30, 0x0E, 0x00, 0x03, 'a', '/', 'b', 0x08, 0x09, 0x00, 0x01, 0xAA, 0x09, 0x00, 0x01,
          0xBB},
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
        {"puback_reason_92",
         {0x40, 0x03, 0x00, 0x01, 0x92},
         {rc::protocol_error, "Reason Code", 4}},
        // PUBACK Reason Code 04 (a DISCONNECT code) (MQTT-3.4.2-1).
        {"puback_reason_04",
         {0x40, 0x03, 0x00, 0x01, 0x04},
         {rc::protocol_error, "Reason Code", 4}},
        // PUBREC Reason Code 92 (MQTT-3.5.2-1).
        {"pubrec_reason_92",
         {0x50, 0x03, 0x00, 0x01, 0x92},
         {rc::protocol_error, "Reason Code", 4}},
        // PUBREL Reason Code 10 (a PUBACK code) (MQTT-3.6.2-1).
        {"pubrel_reason_10",
         {0x62, 0x03, 0x00, 0x01, 0x10},
         {rc::protocol_error, "Reason Code", 4}},
        // PUBREL Reason Code 80 (MQTT-3.6.2-1: only 00 and 92).
        {"pubrel_reason_80",
         {0x62, 0x03, 0x00, 0x01, 0x80},
         {rc::protocol_error, "Reason Code", 4}},
        // PUBCOMP Reason Code 80 (MQTT-3.7.2-1).
        {"pubcomp_reason_80",
         {0x70, 0x03, 0x00, 0x01, 0x80},
         {rc::protocol_error, "Reason Code", 4}},
        // PUBACK Packet Identifier 0.
        {"puback_packet_id_0",
         {0x40, 0x02, 0x00, 0x00},
         {rc::protocol_error, "Packet Identifier", 2}},
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
        {"subscribe_empty_payload",
         {0x82, 0x03, 0x00, 0x01, 0x00},
         {rc::protocol_error, "Payload", 5}},
        // Subscription Options C0: the two reserved bits set (MQTT-3.8.3-5).
        {"subscribe_reserved_option_bits",
         {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0xC0},
         {rc::malformed_packet, "Reserved", 10}},
        // Subscription Options 40: reserved bit 6 set (MQTT-3.8.3-5).
        {"subscribe_reserved_option_bit_6",
         {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x40},
         {rc::malformed_packet, "Reserved", 10}},
        // Maximum QoS 3 (spec 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the
        // value
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
         {0x82, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/',
          'a', 0x04},
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
         {0x82, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x09, '$', 's', 'h', 'a', 'r', 'e', '/', '/', 'a',
          0x00},
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
        {"pingresp_length_2",
         {0xD0, 0x02, 0x00, 0x00},
         {rc::malformed_packet, "Remaining Length", 2}},
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
}

}  // namespace mqtt::test
