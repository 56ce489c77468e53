#include "protocol/property.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "protocol/detail/reader.hpp"
#include "protocol/topic.hpp"

namespace mqtt {

namespace {

using ctx = property_context;
constexpr std::uint16_t in(std::initializer_list<ctx> where) {
    std::uint16_t mask = 0;
    for (ctx c : where)
        mask |= std::uint16_t(1u << std::uint8_t(c));
    return mask;
}
constexpr std::uint16_t everywhere_with_properties =
    in({ctx::will, ctx::connect, ctx::connack, ctx::publish, ctx::puback, ctx::pubrec, ctx::pubrel,
        ctx::pubcomp, ctx::subscribe, ctx::suback, ctx::unsubscribe, ctx::unsuback, ctx::disconnect,
        ctx::auth});

using pt = property_type;
using id = property_id;

// Spec 2.2.2.2, table 2-4.
constexpr std::array<property_info, 27> table = {{
    {id::payload_format_indicator, "Payload Format Indicator", "payload_format_indicator", pt::byte,
     in({ctx::publish, ctx::will}), false},
    {id::message_expiry_interval, "Message Expiry Interval", "message_expiry_interval",
     pt::four_byte_integer, in({ctx::publish, ctx::will}), false},
    {id::content_type, "Content Type", "content_type", pt::utf8_string,
     in({ctx::publish, ctx::will}), false},
    {id::response_topic, "Response Topic", "response_topic", pt::utf8_string,
     in({ctx::publish, ctx::will}), false},
    {id::correlation_data, "Correlation Data", "correlation_data", pt::binary_data,
     in({ctx::publish, ctx::will}), false},
    {id::subscription_identifier, "Subscription Identifier", "subscription_identifier",
     pt::variable_byte_integer, in({ctx::publish, ctx::subscribe}), true},
    {id::session_expiry_interval, "Session Expiry Interval", "session_expiry_interval",
     pt::four_byte_integer, in({ctx::connect, ctx::connack, ctx::disconnect}), false},
    {id::assigned_client_identifier, "Assigned Client Identifier", "assigned_client_identifier",
     pt::utf8_string, in({ctx::connack}), false},
    {id::server_keep_alive, "Server Keep Alive", "server_keep_alive", pt::two_byte_integer,
     in({ctx::connack}), false},
    {id::authentication_method, "Authentication Method", "authentication_method", pt::utf8_string,
     in({ctx::connect, ctx::connack, ctx::auth}), false},
    {id::authentication_data, "Authentication Data", "authentication_data", pt::binary_data,
     in({ctx::connect, ctx::connack, ctx::auth}), false},
    {id::request_problem_information, "Request Problem Information", "request_problem_information",
     pt::byte, in({ctx::connect}), false},
    {id::will_delay_interval, "Will Delay Interval", "will_delay_interval", pt::four_byte_integer,
     in({ctx::will}), false},
    {id::request_response_information, "Request Response Information",
     "request_response_information", pt::byte, in({ctx::connect}), false},
    {id::response_information, "Response Information", "response_information", pt::utf8_string,
     in({ctx::connack}), false},
    {id::server_reference, "Server Reference", "server_reference", pt::utf8_string,
     in({ctx::connack, ctx::disconnect}), false},
    {id::reason_string, "Reason String", "reason_string", pt::utf8_string,
     in({ctx::connack, ctx::puback, ctx::pubrec, ctx::pubrel, ctx::pubcomp, ctx::suback,
         ctx::unsuback, ctx::disconnect, ctx::auth}),
     false},
    {id::receive_maximum, "Receive Maximum", "receive_maximum", pt::two_byte_integer,
     in({ctx::connect, ctx::connack}), false},
    {id::topic_alias_maximum, "Topic Alias Maximum", "topic_alias_maximum", pt::two_byte_integer,
     in({ctx::connect, ctx::connack}), false},
    {id::topic_alias, "Topic Alias", "topic_alias", pt::two_byte_integer, in({ctx::publish}),
     false},
    {id::maximum_qos, "Maximum QoS", "maximum_qos", pt::byte, in({ctx::connack}), false},
    {id::retain_available, "Retain Available", "retain_available", pt::byte, in({ctx::connack}),
     false},
    {id::user_property, "User Property", "user_property", pt::utf8_string_pair,
     everywhere_with_properties, true},
    {id::maximum_packet_size, "Maximum Packet Size", "maximum_packet_size", pt::four_byte_integer,
     in({ctx::connect, ctx::connack}), false},
    {id::wildcard_subscription_available, "Wildcard Subscription Available",
     "wildcard_subscription_available", pt::byte, in({ctx::connack}), false},
    {id::subscription_identifier_available, "Subscription Identifier Available",
     "subscription_identifier_available", pt::byte, in({ctx::connack}), false},
    {id::shared_subscription_available, "Shared Subscription Available",
     "shared_subscription_available", pt::byte, in({ctx::connack}), false},
}};

// Identifier -> index into `table` (+1; 0 = undefined).
constexpr std::array<std::uint8_t, 0x2B> index_by_id = [] {
    std::array<std::uint8_t, 0x2B> idx{};
    for (std::size_t i = 0; i < table.size(); ++i)
        idx[std::uint8_t(table[i].id)] = std::uint8_t(i + 1);
    return idx;
}();

std::uint16_t be16(const std::uint8_t* p) {
    return std::uint16_t(p[0] << 8 | p[1]);
}

// Skips one property value of type t in validated bytes.
const std::uint8_t* skip_value(property_type t, const std::uint8_t* p) {
    switch (t) {
        case pt::byte:
            return p + 1;
        case pt::two_byte_integer:
            return p + 2;
        case pt::four_byte_integer:
            return p + 4;
        case pt::variable_byte_integer:
            while (*p++ & 0x80) {
            }
            return p;
        case pt::utf8_string:
        case pt::binary_data:
            return p + 2 + be16(p);
        case pt::utf8_string_pair:
            p += 2 + be16(p);
            return p + 2 + be16(p);
    }
    return p;
}

// list_view wire readers over a validated property block: each yields the next property of one
// identifier, skipping the others.
bool next_user_property(const std::uint8_t*& p, const std::uint8_t* end, string_pair& out) {
    while (p < end) {
        const std::uint8_t pid = *p++;
        if (pid == std::uint8_t(id::user_property)) {
            const std::uint16_t kn = be16(p);
            out.name = {reinterpret_cast<const char*>(p + 2), kn};
            p += 2 + kn;
            const std::uint16_t vn = be16(p);
            out.value = {reinterpret_cast<const char*>(p + 2), vn};
            p += 2 + vn;
            return true;
        }
        p = skip_value(find_property(pid)->type, p);
    }
    return false;
}

bool next_subscription_identifier(const std::uint8_t*& p, const std::uint8_t* end,
                                  std::uint32_t& out) {
    while (p < end) {
        const std::uint8_t pid = *p++;
        if (pid == std::uint8_t(id::subscription_identifier)) {
            std::uint32_t v = 0;
            int shift = 0;
            std::uint8_t b;
            do {
                b = *p++;
                v |= std::uint32_t(b & 0x7F) << shift;
                shift += 7;
            } while (b & 0x80);
            out = v;
            return true;
        }
        p = skip_value(find_property(pid)->type, p);
    }
    return false;
}

template <class T>
bool eq(const std::optional<T>& a, const std::optional<T>& b) {
    return a == b;
}
bool eq(const std::optional<bytes_view>& a, const std::optional<bytes_view>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || equal_bytes(*a, *b);
}

}  // namespace

const property_info* find_property(std::uint8_t pid) {
    if (pid >= index_by_id.size() || index_by_id[pid] == 0) return nullptr;
    return &table[index_by_id[pid] - 1];
}

const property_info* find_property(std::string_view json_key) {
    for (const auto& info : table) {
        if (info.json_key == json_key) return &info;
    }
    return nullptr;
}

std::span<const property_info> all_properties() {
    return table;
}

bool property_allowed(property_id pid, property_context c) {
    const property_info* info = find_property(std::uint8_t(pid));
    return info && (info->contexts & (1u << std::uint8_t(c)));
}

bool equal_bytes(bytes_view a, bytes_view b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool properties::empty() const {
    bool any = false;
    visit_properties(*this, [&any](property_id, const auto&) { any = true; });
    return !any;
}

bool operator==(const properties& a, const properties& b) {
    return eq(a.payload_format_indicator, b.payload_format_indicator) &&
           eq(a.message_expiry_interval, b.message_expiry_interval) &&
           eq(a.content_type, b.content_type) && eq(a.response_topic, b.response_topic) &&
           eq(a.correlation_data, b.correlation_data) &&
           a.subscription_identifiers == b.subscription_identifiers &&
           eq(a.session_expiry_interval, b.session_expiry_interval) &&
           eq(a.assigned_client_identifier, b.assigned_client_identifier) &&
           eq(a.server_keep_alive, b.server_keep_alive) &&
           eq(a.authentication_method, b.authentication_method) &&
           eq(a.authentication_data, b.authentication_data) &&
           eq(a.request_problem_information, b.request_problem_information) &&
           eq(a.will_delay_interval, b.will_delay_interval) &&
           eq(a.request_response_information, b.request_response_information) &&
           eq(a.response_information, b.response_information) &&
           eq(a.server_reference, b.server_reference) && eq(a.reason_string, b.reason_string) &&
           eq(a.receive_maximum, b.receive_maximum) &&
           eq(a.topic_alias_maximum, b.topic_alias_maximum) && eq(a.topic_alias, b.topic_alias) &&
           eq(a.maximum_qos, b.maximum_qos) && eq(a.retain_available, b.retain_available) &&
           a.user_properties == b.user_properties &&
           eq(a.maximum_packet_size, b.maximum_packet_size) &&
           eq(a.wildcard_subscription_available, b.wildcard_subscription_available) &&
           eq(a.subscription_identifier_available, b.subscription_identifier_available) &&
           eq(a.shared_subscription_available, b.shared_subscription_available);
}

namespace detail {

namespace {

// A property value as read from the wire, before it is stored in its field.
struct wire_value {
    std::uint32_t number = 0;
    std::string_view text;
    bytes_view binary;
    string_pair pair;
};

field_value shown(property_type t, const wire_value& v) {
    switch (t) {
        case pt::utf8_string:
            return v.text;
        case pt::binary_data:
            return v.binary;
        case pt::utf8_string_pair:
            return v.pair;
        default:
            return std::uint64_t(v.number);
    }
}

// Range rules for single values (spec 3.1.2.11, 3.2.2.3, 3.3.2.3): nullptr when fine.
const char* value_problem(id pid, const wire_value& v, reason_code& rc) {
    rc = reason_code::protocol_error;
    switch (pid) {
        case id::payload_format_indicator:
        case id::request_problem_information:
        case id::request_response_information:
        case id::maximum_qos:
        case id::retain_available:
        case id::wildcard_subscription_available:
        case id::subscription_identifier_available:
        case id::shared_subscription_available:
            return v.number > 1 ? "value must be 0 or 1" : nullptr;
        case id::receive_maximum:
            return v.number == 0 ? "Receive Maximum of 0" : nullptr;
        case id::maximum_packet_size:
            return v.number == 0 ? "Maximum Packet Size of 0" : nullptr;
        case id::subscription_identifier:
            return v.number == 0 ? "Subscription Identifier of 0" : nullptr;
        case id::topic_alias:
            rc = reason_code::topic_alias_invalid;
            return v.number == 0 ? "Topic Alias of 0 (MQTT-3.3.2-8)" : nullptr;
        case id::response_topic:
            return topic_name_problem(v.text) ? "not a valid Topic Name (MQTT-3.3.2-14)" : nullptr;
        default:
            return nullptr;
    }
}

void store(properties& out, id pid, const wire_value& v) {
    const auto u8 = std::uint8_t(v.number);
    const auto u16 = std::uint16_t(v.number);
    switch (pid) {
        case id::payload_format_indicator:
            out.payload_format_indicator = u8;
            break;
        case id::message_expiry_interval:
            out.message_expiry_interval = v.number;
            break;
        case id::content_type:
            out.content_type = v.text;
            break;
        case id::response_topic:
            out.response_topic = v.text;
            break;
        case id::correlation_data:
            out.correlation_data = v.binary;
            break;
        case id::session_expiry_interval:
            out.session_expiry_interval = v.number;
            break;
        case id::assigned_client_identifier:
            out.assigned_client_identifier = v.text;
            break;
        case id::server_keep_alive:
            out.server_keep_alive = u16;
            break;
        case id::authentication_method:
            out.authentication_method = v.text;
            break;
        case id::authentication_data:
            out.authentication_data = v.binary;
            break;
        case id::request_problem_information:
            out.request_problem_information = u8;
            break;
        case id::will_delay_interval:
            out.will_delay_interval = v.number;
            break;
        case id::request_response_information:
            out.request_response_information = u8;
            break;
        case id::response_information:
            out.response_information = v.text;
            break;
        case id::server_reference:
            out.server_reference = v.text;
            break;
        case id::reason_string:
            out.reason_string = v.text;
            break;
        case id::receive_maximum:
            out.receive_maximum = u16;
            break;
        case id::topic_alias_maximum:
            out.topic_alias_maximum = u16;
            break;
        case id::topic_alias:
            out.topic_alias = u16;
            break;
        case id::maximum_qos:
            out.maximum_qos = u8;
            break;
        case id::retain_available:
            out.retain_available = u8;
            break;
        case id::maximum_packet_size:
            out.maximum_packet_size = v.number;
            break;
        case id::wildcard_subscription_available:
            out.wildcard_subscription_available = u8;
            break;
        case id::subscription_identifier_available:
            out.subscription_identifier_available = u8;
            break;
        case id::shared_subscription_available:
            out.shared_subscription_available = u8;
            break;
        case id::subscription_identifier:  // lists: built from the block afterwards
        case id::user_property:
            break;
    }
}

}  // namespace

void read_properties(reader& r, property_context c, properties& out, std::string_view section) {
    r.begin(section);
    const std::uint32_t length = r.varint("Property Length");
    const std::uint8_t* old_end = r.push_limit(length, "Property Length");
    const std::uint8_t* block = r.position();
    std::uint64_t seen = 0;  // bit per identifier
    std::size_t users = 0, subscription_ids = 0;
    std::size_t authentication_data_at = 0;
    while (!r.failed() && !r.at_end()) {
        const std::size_t start = r.offset();
        r.mute(true);
        const std::uint32_t raw_id = r.varint("Property Identifier");
        const property_info* info = raw_id <= 0xFF ? find_property(std::uint8_t(raw_id)) : nullptr;
        if (r.failed()) break;
        if (!info) {
            r.fail_at(start, reason_code::malformed_packet, "Property Identifier",
                      "unknown property identifier");
            break;
        }
        if (!(info->contexts & (1u << std::uint8_t(c)))) {
            r.fail_at(start, reason_code::malformed_packet, info->name,
                      c == property_context::will ? "property not allowed in Will Properties"
                                                  : "property not allowed in this packet");
            break;
        }
        const std::uint64_t bit = std::uint64_t(1) << raw_id;
        const bool repeatable =
            info->id == id::user_property ||
            (info->id == id::subscription_identifier && c == property_context::publish);
        if ((seen & bit) && !repeatable) {
            r.fail_at(start, reason_code::protocol_error, info->name,
                      "property included more than once");
            break;
        }
        seen |= bit;
        wire_value v;
        switch (info->type) {
            case pt::byte:
                v.number = r.u8(info->name);
                break;
            case pt::two_byte_integer:
                v.number = r.u16(info->name);
                break;
            case pt::four_byte_integer:
                v.number = r.u32(info->name);
                break;
            case pt::variable_byte_integer:
                v.number = r.varint(info->name);
                break;
            case pt::utf8_string:
                v.text = r.utf8(info->name);
                break;
            case pt::binary_data:
                v.binary = r.binary(info->name);
                break;
            case pt::utf8_string_pair:
                v.pair = r.pair(info->name);
                break;
        }
        r.mute(false);
        if (r.failed()) break;
        reason_code rc;
        if (const char* problem = value_problem(info->id, v, rc)) {
            r.fail_at(start, rc, info->name, problem);
            break;
        }
        if (info->id == id::user_property) ++users;
        if (info->id == id::subscription_identifier) ++subscription_ids;
        if (info->id == id::authentication_data) authentication_data_at = start;
        store(out, info->id, v);
        if (r.visitor()) r.report(info->name, start, r.offset() - start, shown(info->type, v));
    }
    r.mute(false);
    const bytes_view wire{block, r.position()};
    if (r.failed()) users = subscription_ids = 0;  // never walk bytes that failed validation
    if (users)
        out.user_properties = list_view<string_pair>::from_wire(wire, users, next_user_property);
    if (subscription_ids) {
        out.subscription_identifiers = list_view<std::uint32_t>::from_wire(
            wire, subscription_ids, next_subscription_identifier);
    }
    if (!r.failed() && out.authentication_data && !out.authentication_method) {
        r.fail_at(authentication_data_at, reason_code::protocol_error, "Authentication Data",
                  "Authentication Data without an Authentication Method");
    }
    r.pop_limit(old_end);
    r.end();
}

}  // namespace detail

}  // namespace mqtt
