// Reason codes, spec 2.4. One enum for all packets; the meaning of a value (and which values are
// allowed) depends on the packet that carries it, so naming always takes the packet type.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/types.hpp"

namespace mqtt {

enum class reason_code : std::uint8_t {
    success = 0x00,  // also Normal disconnection, Granted QoS 0
    granted_qos_1 = 0x01,
    granted_qos_2 = 0x02,
    disconnect_with_will_message = 0x04,
    no_matching_subscribers = 0x10,
    no_subscription_existed = 0x11,
    continue_authentication = 0x18,
    re_authenticate = 0x19,
    unspecified_error = 0x80,
    malformed_packet = 0x81,
    protocol_error = 0x82,
    implementation_specific_error = 0x83,
    unsupported_protocol_version = 0x84,
    client_identifier_not_valid = 0x85,
    bad_user_name_or_password = 0x86,
    not_authorized = 0x87,
    server_unavailable = 0x88,
    server_busy = 0x89,
    banned = 0x8A,
    server_shutting_down = 0x8B,
    bad_authentication_method = 0x8C,
    keep_alive_timeout = 0x8D,
    session_taken_over = 0x8E,
    topic_filter_invalid = 0x8F,
    topic_name_invalid = 0x90,
    packet_identifier_in_use = 0x91,
    packet_identifier_not_found = 0x92,
    receive_maximum_exceeded = 0x93,
    topic_alias_invalid = 0x94,
    packet_too_large = 0x95,
    message_rate_too_high = 0x96,
    quota_exceeded = 0x97,
    administrative_action = 0x98,
    payload_format_invalid = 0x99,
    retain_not_supported = 0x9A,
    qos_not_supported = 0x9B,
    use_another_server = 0x9C,
    server_moved = 0x9D,
    shared_subscriptions_not_supported = 0x9E,
    connection_rate_exceeded = 0x9F,
    maximum_connect_time = 0xA0,
    subscription_identifiers_not_supported = 0xA1,
    wildcard_subscriptions_not_supported = 0xA2,
};

constexpr std::uint8_t to_byte(reason_code rc) {
    return static_cast<std::uint8_t>(rc);
}
constexpr bool is_failure(reason_code rc) {
    return to_byte(rc) >= 0x80;
}

// The spec's name for `rc` as carried by a packet of type `t`: 0x00 is "Success" in a PUBACK,
// "Normal disconnection" in a DISCONNECT and "Granted QoS 0" in a SUBACK. Without a packet type
// (or for a code that type cannot carry) the general name is returned. Unknown values give "".
std::string_view reason_code_name(reason_code rc, packet_type t);
std::string_view reason_code_name(reason_code rc);

// Whether a packet of type `t` may carry `rc` (the tables of spec 3.2.2.2, 3.4.2.1, 3.5.2.1,
// 3.6.2.1, 3.7.2.1, 3.9.3, 3.11.3, 3.14.2.1 and 3.15.2.1). False for packets without reason codes.
bool reason_code_allowed(packet_type t, reason_code rc);

// MQTT 3.1.1 has no reason codes; its CONNACK carries a Connect Return Code (3.1.1 spec 3.2.2.3,
// Table 3.1). A decoded 3.1.1 CONNACK holds the v5 reason code of the same meaning in
// connack::reason (0x05 Not authorized is 0x87 Not authorized), so code above the codec reads one
// field whatever the version; these convert between the two and name the 3.1.1 values.
enum class connect_return_code : std::uint8_t {
    connection_accepted = 0x00,
    unacceptable_protocol_version = 0x01,
    identifier_rejected = 0x02,
    server_unavailable = 0x03,
    bad_user_name_or_password = 0x04,
    not_authorized = 0x05,
};
// The 3.1.1 return code of a v5 CONNACK reason code, or false when 3.1.1 has none for it.
bool to_connect_return_code(reason_code rc, connect_return_code& out);
// The v5 reason code of the same meaning (0x00 -> 0x00, 0x01 -> 0x84, 0x02 -> 0x85, 0x03 -> 0x88,
// 0x04 -> 0x86, 0x05 -> 0x87).
reason_code to_reason_code(connect_return_code c);
// "Connection Accepted", "Unacceptable protocol version", ..., "Not authorized" (3.1.1 Table 3.1,
// without its "Connection Refused, " prefix); "" for values over 5.
std::string_view connect_return_code_name(connect_return_code c);
// An MQTT 3.1.1 SUBACK Return Code's name (3.1.1 spec 3.9.3): "Success - Maximum QoS 0" .. "2",
// "Failure" for 0x80; "" for the values 3.1.1 does not define. The bytes are v5's Reason Codes of
// the same meaning, which v5 names differently ("Granted QoS 0", "Unspecified error").
std::string_view suback_return_code_name(std::uint8_t code);

// A reason code together with the packet that carries it: what printing a reason code needs,
// since its name depends on the packet. protocol/reason_format.hpp formats it as "0x87 Not
// authorized" or "0x00 Granted QoS 0"; without a packet type the general name is used.
struct named_reason {
    reason_code code = reason_code::success;
    packet_type packet = packet_type{0};
    friend bool operator==(const named_reason&, const named_reason&) = default;
};

}  // namespace mqtt
