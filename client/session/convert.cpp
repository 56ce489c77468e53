#include "client/session/convert.hpp"

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/utf8.hpp"

namespace mqtt::session::detail {

namespace {

// The longest UTF-8 Encoded String or Binary Data: a two-byte length prefix (spec 1.5.4, 1.5.6).
constexpr std::size_t max_field_length = 65'535;

}  // namespace

command_result check_string(std::string_view field, std::string_view s) {
    if (s.size() > max_field_length) {
        return command_result::refused(
            errc::invalid_argument,
            fmt::format("{} is {} bytes; a UTF-8 Encoded String holds at most 65,535 (spec 1.5.4)",
                        field, s.size()));
    }
    if (const std::size_t at = utf8_error_index(s); at != std::string_view::npos) {
        return command_result::refused(
            errc::invalid_utf8,
            fmt::format("{} is not valid UTF-8 (or holds U+0000) at byte {} (MQTT-1.5.4-1, -2)",
                        field, at));
    }
    return {};
}

command_result check_binary(std::string_view field, bytes_view b) {
    if (b.size() > max_field_length) {
        return command_result::refused(
            errc::invalid_argument,
            fmt::format("{} is {} bytes; Binary Data holds at most 65,535 (spec 1.5.6)", field,
                        b.size()));
    }
    return {};
}

command_result check_user_properties(const user_property_list& list) {
    for (const auto& [name, value] : list) {
        if (command_result bad = check_string("User Property name", name); !bad) return bad;
        if (command_result bad = check_string("User Property value", value); !bad) return bad;
    }
    return {};
}

const char* v5_only_property(const message_properties& p) {
    if (p.payload_format_indicator) return "Payload Format Indicator";
    if (p.message_expiry_interval) return "Message Expiry Interval";
    if (p.content_type) return "Content Type";
    if (p.response_topic) return "Response Topic";
    if (p.correlation_data) return "Correlation Data";
    if (!p.user_properties.empty()) return "User Property";
    if (!p.subscription_identifiers.empty()) return "Subscription Identifier";
    return nullptr;
}

std::string v5_only_connect_option(const connect_options& o) {
    // 3.1.1 keeps a session by Clean Session 0 (3.1.1 spec 3.1.2.4), not by an expiry.
    if (o.session_expiry_interval != 0) return "Session Expiry Interval";
    if (o.receive_maximum) return "Receive Maximum";
    if (o.maximum_packet_size) return "Maximum Packet Size";
    if (o.topic_alias_maximum) return "Topic Alias Maximum";
    if (o.request_response_information) return "Request Response Information";
    if (o.request_problem_information) return "Request Problem Information";
    if (!o.user_properties.empty()) return "User Property";
    if (o.will) {
        if (o.will->will_delay_interval) return "Will Delay Interval";
        if (const char* p = v5_only_property(o.will->message.props))
            return fmt::format("Will Properties: {}", p);
    }
    return {};
}

command_result refuse_v5_only(std::string_view what) {
    return command_result::refused(
        errc::needs_mqtt5,
        fmt::format("{} is MQTT 5 only: an MQTT 3.1.1 session cannot send it", what));
}

command_result check_size(const packet& p, std::uint32_t maximum_packet_size) {
    const std::optional<std::size_t> size = encoded_size(p);
    if (!size) {
        return command_result::refused(
            errc::packet_too_large,
            fmt::format("the {} would have a Remaining Length over 268,435,455 bytes, the most "
                        "MQTT can frame (spec 2.1.4)",
                        packet_type_name(type_of(p))));
    }
    if (*size > maximum_packet_size) {
        return command_result::refused(
            errc::packet_too_large,
            fmt::format("the {} would be {} bytes; the server's Maximum Packet Size is {} "
                        "(MQTT-3.2.2-15)",
                        packet_type_name(type_of(p)), *size, maximum_packet_size));
    }
    return {};
}

std::vector<string_pair> pair_views(const user_property_list& list) {
    std::vector<string_pair> out;
    out.reserve(list.size());
    for (const auto& [name, value] : list)
        out.push_back({name, value});
    return out;
}

user_property_list owned_pairs(const list_view<string_pair>& list) {
    user_property_list out;
    out.reserve(list.size());
    for (const string_pair& p : list)
        out.emplace_back(p.name, p.value);
    return out;
}

mqtt::publish publish_view(const message& m, std::vector<string_pair>& pairs) {
    mqtt::publish p;
    p.qos = m.qos;
    p.retain = m.retain;
    p.topic = m.topic;
    p.payload = m.payload;
    p.props.payload_format_indicator = m.props.payload_format_indicator;
    p.props.message_expiry_interval = m.props.message_expiry_interval;
    p.props.content_type = view(m.props.content_type);
    p.props.response_topic = view(m.props.response_topic);
    p.props.correlation_data = view(m.props.correlation_data);
    pairs.clear();
    for (const auto& [name, value] : m.props.user_properties)
        pairs.push_back({name, value});
    p.props.user_properties = std::span<const string_pair>(pairs);
    return p;
}

namespace {

// An optional field set to `from`, into the string or vector `into` already holds if it does.
template <class Owned, class View>
void assign_optional(std::optional<Owned>& into, const std::optional<View>& from) {
    if (!from) {
        into.reset();
    } else if (into) {
        into->assign(from->begin(), from->end());
    } else {
        into.emplace(from->begin(), from->end());
    }
}

}  // namespace

void assign_owned_message(message& into, const mqtt::publish& p, std::string_view topic) {
    into.topic.assign(topic);
    into.payload.assign(p.payload.begin(), p.payload.end());
    into.qos = p.qos;
    into.retain = p.retain;
    message_properties& props = into.props;
    props.payload_format_indicator = p.props.payload_format_indicator;
    props.message_expiry_interval = p.props.message_expiry_interval;
    assign_optional(props.content_type, p.props.content_type);
    assign_optional(props.response_topic, p.props.response_topic);
    assign_optional(props.correlation_data, p.props.correlation_data);
    // Pairs already there take the new names and values in place; extra ones go.
    props.user_properties.resize(p.props.user_properties.size());
    auto pair = props.user_properties.begin();
    for (const string_pair& up : p.props.user_properties) {
        pair->first.assign(up.name);
        pair->second.assign(up.value);
        ++pair;
    }
    props.subscription_identifiers.assign(p.props.subscription_identifiers.begin(),
                                          p.props.subscription_identifiers.end());
}

message owned_message(const mqtt::publish& p, std::string_view topic) {
    message m;
    assign_owned_message(m, p, topic);
    return m;
}

}  // namespace mqtt::session::detail
