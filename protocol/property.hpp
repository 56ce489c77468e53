// Properties, spec 2.2.2: the 27 identifiers, their data types, the packets each may appear in,
// and `properties`, the decoded (or to-be-encoded) set of one packet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "protocol/list_view.hpp"
#include "protocol/types.hpp"

namespace mqtt {

enum class property_id : std::uint8_t {
    payload_format_indicator = 0x01,
    message_expiry_interval = 0x02,
    content_type = 0x03,
    response_topic = 0x08,
    correlation_data = 0x09,
    subscription_identifier = 0x0B,
    session_expiry_interval = 0x11,
    assigned_client_identifier = 0x12,
    server_keep_alive = 0x13,
    authentication_method = 0x15,
    authentication_data = 0x16,
    request_problem_information = 0x17,
    will_delay_interval = 0x18,
    request_response_information = 0x19,
    response_information = 0x1A,
    server_reference = 0x1C,
    reason_string = 0x1F,
    receive_maximum = 0x21,
    topic_alias_maximum = 0x22,
    topic_alias = 0x23,
    maximum_qos = 0x24,
    retain_available = 0x25,
    user_property = 0x26,
    maximum_packet_size = 0x27,
    wildcard_subscription_available = 0x28,
    subscription_identifier_available = 0x29,
    shared_subscription_available = 0x2A,
};

// Data types of spec 1.5.
enum class property_type : std::uint8_t {
    byte,
    two_byte_integer,
    four_byte_integer,
    variable_byte_integer,
    utf8_string,
    binary_data,
    utf8_string_pair,
};

// Where a property set lives: a packet type, or the Will Properties of a CONNECT.
enum class property_context : std::uint8_t {
    will = 0,  // shares the value of the reserved packet type 0
    connect = 1,
    connack,
    publish,
    puback,
    pubrec,
    pubrel,
    pubcomp,
    subscribe,
    suback,
    unsubscribe,
    unsuback,
    pingreq,
    pingresp,
    disconnect,
    auth,
};

constexpr property_context context_of(packet_type t) {
    return property_context(std::uint8_t(t));
}

struct property_info {
    property_id id;
    std::string_view name;      // "Message Expiry Interval"
    std::string_view json_key;  // "message_expiry_interval"
    property_type type;
    std::uint16_t contexts;  // bit (1 << property_context) for each place it may appear
    bool repeatable;         // may appear more than once (User Property; Subscription Identifier
                             // in PUBLISH only, see allowed_more_than_once)
};

// The table entry for `id`, or nullptr for an identifier the spec does not define.
const property_info* find_property(std::uint8_t id);
const property_info* find_property(std::string_view json_key);
// All 27 entries in identifier order.
std::span<const property_info> all_properties();
bool property_allowed(property_id id, property_context ctx);

// The properties of one packet (or of a Will). Absent properties are empty optionals. Decoded
// strings and binary values are views into the received packet bytes.
struct properties {
    std::optional<std::uint8_t> payload_format_indicator;
    std::optional<std::uint32_t> message_expiry_interval;
    std::optional<std::string_view> content_type;
    std::optional<std::string_view> response_topic;
    std::optional<bytes_view> correlation_data;
    list_view<std::uint32_t> subscription_identifiers;
    std::optional<std::uint32_t> session_expiry_interval;
    std::optional<std::string_view> assigned_client_identifier;
    std::optional<std::uint16_t> server_keep_alive;
    std::optional<std::string_view> authentication_method;
    std::optional<bytes_view> authentication_data;
    std::optional<std::uint8_t> request_problem_information;
    std::optional<std::uint32_t> will_delay_interval;
    std::optional<std::uint8_t> request_response_information;
    std::optional<std::string_view> response_information;
    std::optional<std::string_view> server_reference;
    std::optional<std::string_view> reason_string;
    std::optional<std::uint16_t> receive_maximum;
    std::optional<std::uint16_t> topic_alias_maximum;
    std::optional<std::uint16_t> topic_alias;
    std::optional<std::uint8_t> maximum_qos;
    std::optional<std::uint8_t> retain_available;
    list_view<string_pair> user_properties;
    std::optional<std::uint32_t> maximum_packet_size;
    std::optional<std::uint8_t> wildcard_subscription_available;
    std::optional<std::uint8_t> subscription_identifier_available;
    std::optional<std::uint8_t> shared_subscription_available;

    bool empty() const;
    friend bool operator==(const properties&, const properties&);
};

// Binary data compared by content.
bool equal_bytes(bytes_view a, bytes_view b);

// Calls f(property_id, value) for each property present in `p`, in identifier order (the order the
// encoder writes them), User Properties and Subscription Identifiers in list order. The value is
// std::uint8_t, std::uint16_t, std::uint32_t (Four Byte or Variable Byte Integer: see the table),
// std::string_view, bytes_view or string_pair. One definition of the order for the encoder, the
// renderer and the JSON writer.
template <class F>
void visit_properties(const properties& p, F&& f) {
    using id = property_id;
    auto one = [&](id i, const auto& opt) {
        if (opt) f(i, *opt);
    };
    one(id::payload_format_indicator, p.payload_format_indicator);
    one(id::message_expiry_interval, p.message_expiry_interval);
    one(id::content_type, p.content_type);
    one(id::response_topic, p.response_topic);
    one(id::correlation_data, p.correlation_data);
    for (std::uint32_t v : p.subscription_identifiers)
        f(id::subscription_identifier, v);
    one(id::session_expiry_interval, p.session_expiry_interval);
    one(id::assigned_client_identifier, p.assigned_client_identifier);
    one(id::server_keep_alive, p.server_keep_alive);
    one(id::authentication_method, p.authentication_method);
    one(id::authentication_data, p.authentication_data);
    one(id::request_problem_information, p.request_problem_information);
    one(id::will_delay_interval, p.will_delay_interval);
    one(id::request_response_information, p.request_response_information);
    one(id::response_information, p.response_information);
    one(id::server_reference, p.server_reference);
    one(id::reason_string, p.reason_string);
    one(id::receive_maximum, p.receive_maximum);
    one(id::topic_alias_maximum, p.topic_alias_maximum);
    one(id::topic_alias, p.topic_alias);
    one(id::maximum_qos, p.maximum_qos);
    one(id::retain_available, p.retain_available);
    for (const string_pair& v : p.user_properties)
        f(id::user_property, v);
    one(id::maximum_packet_size, p.maximum_packet_size);
    one(id::wildcard_subscription_available, p.wildcard_subscription_available);
    one(id::subscription_identifier_available, p.subscription_identifier_available);
    one(id::shared_subscription_available, p.shared_subscription_available);
}

}  // namespace mqtt
