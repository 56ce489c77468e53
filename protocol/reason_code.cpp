#include "protocol/reason_code.hpp"

#include <algorithm>
#include <array>

namespace mqtt {

std::string_view packet_type_name(packet_type t) {
    static constexpr std::array<std::string_view, 16> names = {
        "RESERVED", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
        "PUBREL",   "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
        "PINGREQ",  "PINGRESP", "DISCONNECT", "AUTH"};
    const auto i = std::uint8_t(t);
    return i < names.size() ? names[i] : "RESERVED";
}

std::string_view reason_code_name(reason_code rc) {
    switch (rc) {
        case reason_code::success:
            return "Success";
        case reason_code::granted_qos_1:
            return "Granted QoS 1";
        case reason_code::granted_qos_2:
            return "Granted QoS 2";
        case reason_code::disconnect_with_will_message:
            return "Disconnect with Will Message";
        case reason_code::no_matching_subscribers:
            return "No matching subscribers";
        case reason_code::no_subscription_existed:
            return "No subscription existed";
        case reason_code::continue_authentication:
            return "Continue authentication";
        case reason_code::re_authenticate:
            return "Re-authenticate";
        case reason_code::unspecified_error:
            return "Unspecified error";
        case reason_code::malformed_packet:
            return "Malformed Packet";
        case reason_code::protocol_error:
            return "Protocol Error";
        case reason_code::implementation_specific_error:
            return "Implementation specific error";
        case reason_code::unsupported_protocol_version:
            return "Unsupported Protocol Version";
        case reason_code::client_identifier_not_valid:
            return "Client Identifier not valid";
        case reason_code::bad_user_name_or_password:
            return "Bad User Name or Password";
        case reason_code::not_authorized:
            return "Not authorized";
        case reason_code::server_unavailable:
            return "Server unavailable";
        case reason_code::server_busy:
            return "Server busy";
        case reason_code::banned:
            return "Banned";
        case reason_code::server_shutting_down:
            return "Server shutting down";
        case reason_code::bad_authentication_method:
            return "Bad authentication method";
        case reason_code::keep_alive_timeout:
            return "Keep Alive timeout";
        case reason_code::session_taken_over:
            return "Session taken over";
        case reason_code::topic_filter_invalid:
            return "Topic Filter invalid";
        case reason_code::topic_name_invalid:
            return "Topic Name invalid";
        case reason_code::packet_identifier_in_use:
            return "Packet Identifier in use";
        case reason_code::packet_identifier_not_found:
            return "Packet Identifier not found";
        case reason_code::receive_maximum_exceeded:
            return "Receive Maximum exceeded";
        case reason_code::topic_alias_invalid:
            return "Topic Alias invalid";
        case reason_code::packet_too_large:
            return "Packet too large";
        case reason_code::message_rate_too_high:
            return "Message rate too high";
        case reason_code::quota_exceeded:
            return "Quota exceeded";
        case reason_code::administrative_action:
            return "Administrative action";
        case reason_code::payload_format_invalid:
            return "Payload format invalid";
        case reason_code::retain_not_supported:
            return "Retain not supported";
        case reason_code::qos_not_supported:
            return "QoS not supported";
        case reason_code::use_another_server:
            return "Use another server";
        case reason_code::server_moved:
            return "Server moved";
        case reason_code::shared_subscriptions_not_supported:
            return "Shared Subscriptions not supported";
        case reason_code::connection_rate_exceeded:
            return "Connection rate exceeded";
        case reason_code::maximum_connect_time:
            return "Maximum connect time";
        case reason_code::subscription_identifiers_not_supported:
            return "Subscription Identifiers not supported";
        case reason_code::wildcard_subscriptions_not_supported:
            return "Wildcard Subscriptions not supported";
    }
    return "";
}

std::string_view reason_code_name(reason_code rc, packet_type t) {
    if (rc == reason_code::success) {
        if (t == packet_type::disconnect) return "Normal disconnection";
        if (t == packet_type::suback) return "Granted QoS 0";
    }
    return reason_code_name(rc);
}

namespace {

template <std::size_t N>
bool contains(const std::array<std::uint8_t, N>& codes, reason_code rc) {
    return std::find(codes.begin(), codes.end(), to_byte(rc)) != codes.end();
}

}  // namespace

bool reason_code_allowed(packet_type t, reason_code rc) {
    // Spec 3.2.2.2
    static constexpr std::array<std::uint8_t, 22> connack = {
        0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
    // Spec 3.4.2.1 and 3.5.2.1
    static constexpr std::array<std::uint8_t, 9> puback = {0x00, 0x10, 0x80, 0x83, 0x87,
                                                           0x90, 0x91, 0x97, 0x99};
    // Spec 3.6.2.1 and 3.7.2.1
    static constexpr std::array<std::uint8_t, 2> pubrel = {0x00, 0x92};
    // Spec 3.9.3
    static constexpr std::array<std::uint8_t, 12> suback = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                                                            0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
    // Spec 3.11.3
    static constexpr std::array<std::uint8_t, 7> unsuback = {0x00, 0x11, 0x80, 0x83,
                                                             0x87, 0x8F, 0x91};
    // Spec 3.14.2.1
    static constexpr std::array<std::uint8_t, 29> disconnect = {
        0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94,
        0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
    // Spec 3.15.2.1
    static constexpr std::array<std::uint8_t, 3> auth = {0x00, 0x18, 0x19};

    switch (t) {
        case packet_type::connack:
            return contains(connack, rc);
        case packet_type::puback:
        case packet_type::pubrec:
            return contains(puback, rc);
        case packet_type::pubrel:
        case packet_type::pubcomp:
            return contains(pubrel, rc);
        case packet_type::suback:
            return contains(suback, rc);
        case packet_type::unsuback:
            return contains(unsuback, rc);
        case packet_type::disconnect:
            return contains(disconnect, rc);
        case packet_type::auth:
            return contains(auth, rc);
        default:
            return false;
    }
}

namespace {

// 3.1.1 Table 3.1, in return-code order, and the v5 reason code of the same meaning. The table
// writes "Connection Refused, " before each refusal; the names here leave it out, as v5's do.
struct return_code_row {
    std::string_view name;
    reason_code v5;
};
constexpr std::array<return_code_row, 6> return_codes = {{
    {"Connection Accepted", reason_code::success},
    {"Unacceptable protocol version", reason_code::unsupported_protocol_version},
    {"Identifier rejected", reason_code::client_identifier_not_valid},
    {"Server unavailable", reason_code::server_unavailable},
    {"Bad user name or password", reason_code::bad_user_name_or_password},
    {"Not authorized", reason_code::not_authorized},
}};

}  // namespace

bool to_connect_return_code(reason_code rc, connect_return_code& out) {
    for (std::size_t i = 0; i < return_codes.size(); ++i) {
        if (return_codes[i].v5 == rc) {
            out = connect_return_code(i);
            return true;
        }
    }
    return false;
}

reason_code to_reason_code(connect_return_code c) {
    const auto i = std::size_t(c);
    return i < return_codes.size() ? return_codes[i].v5 : reason_code::unspecified_error;
}

std::string_view connect_return_code_name(connect_return_code c) {
    const auto i = std::size_t(c);
    return i < return_codes.size() ? return_codes[i].name : std::string_view{};
}

std::string_view suback_return_code_name(std::uint8_t code) {
    switch (code) {
        case 0x00:
            return "Success - Maximum QoS 0";
        case 0x01:
            return "Success - Maximum QoS 1";
        case 0x02:
            return "Success - Maximum QoS 2";
        case 0x80:
            return "Failure";
        default:
            return {};
    }
}

}  // namespace mqtt
