// Properties, spec 2.2.2: what protocol/property_table.hpp (the one table) turns into types and
// functions: property_id, the property_info rows (name, type, places, repetition, value rule,
// JSON key, -D name), `properties` (the decoded or to-be-encoded set of one packet), and
// visitors over its members.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "protocol/list_view.hpp"
#include "protocol/property_table.hpp"
#include "protocol/reason_code.hpp"
#include "protocol/types.hpp"

namespace mqtt {

enum class property_id : std::uint8_t {
#define MQTT_PROPERTY_ID(key, member, id, ...) key = id,
    MQTT_PROPERTIES(MQTT_PROPERTY_ID)
#undef MQTT_PROPERTY_ID
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

// The largest value of a numeric data type (spec 1.5.2, 1.5.3, 1.5.5); 0 for the others.
constexpr std::uint32_t max_of(property_type t) {
    switch (t) {
        case property_type::byte:
            return 0xFF;
        case property_type::two_byte_integer:
            return 0xFFFF;
        case property_type::four_byte_integer:
            return 0xFFFF'FFFF;
        case property_type::variable_byte_integer:
            return max_variable_byte_integer;
        default:
            return 0;
    }
}

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

// Sets of contexts (bit 1 << property_context), for the table's `allowed` and `repeats` columns.
namespace where {
constexpr std::uint16_t bit(property_context c) {
    return std::uint16_t(1u << std::uint8_t(c));
}
inline constexpr std::uint16_t none = 0;
inline constexpr std::uint16_t will = bit(property_context::will);
inline constexpr std::uint16_t connect = bit(property_context::connect);
inline constexpr std::uint16_t connack = bit(property_context::connack);
inline constexpr std::uint16_t publish = bit(property_context::publish);
inline constexpr std::uint16_t puback = bit(property_context::puback);
inline constexpr std::uint16_t pubrec = bit(property_context::pubrec);
inline constexpr std::uint16_t pubrel = bit(property_context::pubrel);
inline constexpr std::uint16_t pubcomp = bit(property_context::pubcomp);
inline constexpr std::uint16_t subscribe = bit(property_context::subscribe);
inline constexpr std::uint16_t suback = bit(property_context::suback);
inline constexpr std::uint16_t unsubscribe = bit(property_context::unsubscribe);
inline constexpr std::uint16_t unsuback = bit(property_context::unsuback);
inline constexpr std::uint16_t disconnect = bit(property_context::disconnect);
inline constexpr std::uint16_t auth = bit(property_context::auth);
// Every place with a property block: all packets but PINGREQ and PINGRESP, and the Will.
inline constexpr std::uint16_t all = will | connect | connack | publish | puback | pubrec | pubrel |
                                     pubcomp | subscribe | suback | unsubscribe | unsuback |
                                     disconnect | auth;
}  // namespace where

// What a property's value must obey beyond its data type's range.
enum class value_check : std::uint8_t {
    none,
    zero_or_one,  // a boolean byte
    non_zero,     // 1 up to the type's maximum
    topic_name,   // a valid Topic Name (spec 4.7): no wildcards, not empty
};

struct value_rule {
    value_check check = value_check::none;
    reason_code violation = reason_code::protocol_error;  // what a refusal carries
    std::string_view problem;                             // decode_error::problem of a refusal
};

// The rules the table names.
namespace rule {
inline constexpr value_rule any{};
inline constexpr value_rule zero_or_one{value_check::zero_or_one, reason_code::protocol_error,
                                        "value must be 0 or 1"};
inline constexpr value_rule non_zero{value_check::non_zero, reason_code::protocol_error,
                                     "value must not be 0"};
// A Topic Alias of 0 is a 0x94 Topic Alias invalid (MQTT-3.3.2-8, spec 3.3.4).
inline constexpr value_rule topic_alias_non_zero{
    value_check::non_zero, reason_code::topic_alias_invalid, "value must not be 0 (MQTT-3.3.2-8)"};
inline constexpr value_rule topic_name{value_check::topic_name, reason_code::protocol_error,
                                       "not a valid Topic Name (MQTT-3.3.2-14)"};
}  // namespace rule

// One row of the table.
struct property_info {
    property_id id;
    std::string_view name;      // "Message Expiry Interval"
    std::string_view json_key;  // "message_expiry_interval"
    std::string_view cli_name;  // "message-expiry-interval"
    property_type type;
    std::uint16_t allowed;  // where::... it may appear
    std::uint16_t repeats;  // where::... it may appear more than once
    value_rule rule;

    constexpr bool allowed_in(property_context c) const { return (allowed & where::bit(c)) != 0; }
    constexpr bool repeatable_in(property_context c) const {
        return (repeats & where::bit(c)) != 0;
    }
    // Repeatable somewhere, so `properties` holds it as a list.
    constexpr bool repeatable() const { return repeats != where::none; }
    // The range of a numeric property: its type's, narrowed by its rule.
    constexpr std::uint32_t min() const { return rule.check == value_check::non_zero ? 1 : 0; }
    constexpr std::uint32_t max() const {
        return rule.check == value_check::zero_or_one ? 1 : max_of(type);
    }
};

namespace detail {

// "message_expiry_interval" -> "message-expiry-interval", kept in static storage.
template <std::size_t N>
struct hyphenated {
    char text[N] = {};
    constexpr explicit hyphenated(const char (&key)[N]) {
        for (std::size_t i = 0; i < N; ++i)
            text[i] = key[i] == '_' ? '-' : key[i];
    }
    constexpr std::string_view view() const { return {text, N - 1}; }
};
#define MQTT_PROPERTY_CLI_NAME(key, ...) inline constexpr hyphenated cli_name_##key{#key};
MQTT_PROPERTIES(MQTT_PROPERTY_CLI_NAME)
#undef MQTT_PROPERTY_CLI_NAME

// Each property's index in property_table.
// clang-format off
enum property_row : std::size_t {
#define MQTT_PROPERTY_ROW(key, ...) row_##key,
    MQTT_PROPERTIES(MQTT_PROPERTY_ROW)
#undef MQTT_PROPERTY_ROW
    property_rows
};
// clang-format on

// The C++ type of a value of each data type; decoded strings and binary data are views.
template <property_type T>
struct value_of {
    using type = std::uint32_t;  // Four Byte and Variable Byte Integer
};
template <>
struct value_of<property_type::byte> {
    using type = std::uint8_t;
};
template <>
struct value_of<property_type::two_byte_integer> {
    using type = std::uint16_t;
};
template <>
struct value_of<property_type::utf8_string> {
    using type = std::string_view;
};
template <>
struct value_of<property_type::binary_data> {
    using type = bytes_view;
};
template <>
struct value_of<property_type::utf8_string_pair> {
    using type = string_pair;
};

}  // namespace detail

// The member type of a property in `properties`.
template <property_type T, bool Repeatable>
using property_storage =
    std::conditional_t<Repeatable, list_view<typename detail::value_of<T>::type>,
                       std::optional<typename detail::value_of<T>::type>>;

// All 27 rows in identifier order.
// clang-format off
inline constexpr std::array<property_info, detail::property_rows> property_table = {{
#define MQTT_PROPERTY_INFO(key, member, id, name, type, allowed, repeats, rule_)        \
    {property_id::key, name, #key, detail::cli_name_##key.view(), property_type::type, \
     allowed, repeats, rule::rule_},
    MQTT_PROPERTIES(MQTT_PROPERTY_INFO)
#undef MQTT_PROPERTY_INFO
}};
// clang-format on

// The table entry for `id`, or nullptr for an identifier the spec does not define.
const property_info* find_property(std::uint8_t id);
const property_info* find_property(std::string_view json_key);
// All 27 entries in identifier order.
std::span<const property_info> all_properties();
bool property_allowed(property_id id, property_context ctx);

// The properties of one packet (or of a Will), one member per table row (the row's `member`,
// e.g. message_expiry_interval, user_properties): std::optional for a property that appears at
// most once, list_view for a repeatable one (Subscription Identifier, User Property). Absent
// properties are empty. Decoded strings, binary values and lists are views into the received
// packet bytes.
struct properties {
#define MQTT_PROPERTY_MEMBER(key, member, id, name, type, allowed, repeats, rule_) \
    property_storage<property_type::type, (repeats) != where::none> member;
    MQTT_PROPERTIES(MQTT_PROPERTY_MEMBER)
#undef MQTT_PROPERTY_MEMBER

    bool empty() const;
    friend bool operator==(const properties&, const properties&);
};

// Binary data compared by content.
bool equal_bytes(bytes_view a, bytes_view b);

namespace detail {
template <class T, class F>
void visit_present(const property_info& info, const std::optional<T>& v, F& f) {
    if (v) f(info, *v);
}
template <class T, class F>
void visit_present(const property_info& info, const list_view<T>& list, F& f) {
    for (const T& v : list)
        f(info, v);
}
}  // namespace detail

// Calls f(const property_info&, value) for each property present in `p`, in identifier order (the
// order the encoder writes them), User Properties and Subscription Identifiers in list order. The
// value has the C++ type of the row's data type: std::uint8_t, std::uint16_t, std::uint32_t (Four
// Byte or Variable Byte Integer), std::string_view, bytes_view or string_pair.
template <class F>
void visit_properties(const properties& p, F&& f) {
#define MQTT_PROPERTY_VISIT(key, member, ...) \
    detail::visit_present(property_table[detail::row_##key], p.member, f);
    MQTT_PROPERTIES(MQTT_PROPERTY_VISIT)
#undef MQTT_PROPERTY_VISIT
}

// Calls f(member) with the member of `p` that holds property `id`: a std::optional<T>, or a
// list_view<T> for a repeatable property.
template <class F>
void visit_member(properties& p, property_id id, F&& f) {
    switch (id) {
#define MQTT_PROPERTY_CASE(key, member, ...) \
    case property_id::key:                   \
        f(p.member);                         \
        return;
        MQTT_PROPERTIES(MQTT_PROPERTY_CASE)
#undef MQTT_PROPERTY_CASE
    }
}

}  // namespace mqtt
