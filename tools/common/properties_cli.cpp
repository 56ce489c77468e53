#include "tools/common/properties_cli.hpp"

#include <charconv>
#include <optional>
#include <variant>

#include <fmt/format.h>

#include "protocol/property.hpp"
#include "protocol/topic.hpp"
#include "tools/common/client_cli.hpp"

namespace mqtt::tools {

namespace {

struct command {
    const char* name;
    property_context context;
};

constexpr command commands[] = {
    {"connect", property_context::connect},       {"publish", property_context::publish},
    {"subscribe", property_context::subscribe},   {"unsubscribe", property_context::unsubscribe},
    {"disconnect", property_context::disconnect}, {"will", property_context::will},
};

std::string flag_text(const std::vector<std::string>& flag) {
    std::string s = "-D";
    for (const std::string& v : flag)
        s += " " + v;
    return s;
}

// A property by its -D name; the JSON key (underscores) is taken too.
const property_info* find_by_name(std::string_view name) {
    for (const property_info& info : all_properties()) {
        if (info.cli_name == name || info.json_key == name) return &info;
    }
    return nullptr;
}

// The number in flag[2], in the property's range (its data type's, narrowed by its rule).
std::uint32_t parse_number(const std::vector<std::string>& flag, const property_info& info) {
    const std::string& text = flag[2];
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < info.min() ||
        value > info.max()) {
        throw usage_error(fmt::format("{}: expected a number from {} to {}", flag_text(flag),
                                      info.min(), info.max()));
    }
    return value;
}

// The field of the client's options a -D property goes to.
using destination =
    std::variant<std::monostate, std::optional<std::uint8_t>*, std::optional<std::uint16_t>*,
                 std::optional<std::uint32_t>*, std::uint32_t*, std::optional<bool>*,
                 std::optional<std::string>*, std::optional<session::byte_vector>*,
                 session::user_property_list*>;

// The properties a client sends, by packet; none for those a server sends or the client sets
// itself.
destination destination_of(property_context c, property_id id, session::connect_options& connect,
                           packet_properties& out) {
    using ctx = property_context;
    using pid = property_id;
    if (c == ctx::connect) {
        switch (id) {
            case pid::session_expiry_interval:
                return &connect.session_expiry_interval;
            case pid::receive_maximum:
                return &connect.receive_maximum;
            case pid::maximum_packet_size:
                return &connect.maximum_packet_size;
            case pid::topic_alias_maximum:
                return &connect.topic_alias_maximum;
            case pid::request_response_information:
                return &connect.request_response_information;
            case pid::request_problem_information:
                return &connect.request_problem_information;
            case pid::user_property:
                return &connect.user_properties;
            default:
                return {};
        }
    }
    if (c == ctx::publish || c == ctx::will) {
        session::message_properties& m = c == ctx::will ? connect.will->message.props : out.publish;
        switch (id) {
            case pid::payload_format_indicator:
                return &m.payload_format_indicator;
            case pid::message_expiry_interval:
                return &m.message_expiry_interval;
            case pid::content_type:
                return &m.content_type;
            case pid::response_topic:
                return &m.response_topic;
            case pid::correlation_data:
                return &m.correlation_data;
            case pid::user_property:
                return &m.user_properties;
            case pid::will_delay_interval:  // the table allows it only in the Will
                if (c == ctx::will) return &connect.will->will_delay_interval;
                return {};
            default:
                return {};
        }
    }
    if (c == ctx::subscribe && id == pid::subscription_identifier) {
        return &out.subscribe.subscription_identifier;
    }
    if (c == ctx::subscribe && id == pid::user_property) return &out.subscribe.user_properties;
    if (c == ctx::unsubscribe && id == pid::user_property) return &out.unsubscribe;
    if (c == ctx::disconnect) {
        switch (id) {
            case pid::session_expiry_interval:
                return &out.disconnect.session_expiry_interval;
            case pid::reason_string:
                return &out.disconnect.reason_string;
            case pid::user_property:
                return &out.disconnect.user_properties;
            default:
                return {};
        }
    }
    return {};
}

}  // namespace

void apply_property_flag(const std::vector<std::string>& flag, session::connect_options& connect,
                         packet_properties& out) {
    if (flag.size() < 3) throw usage_error(flag_text(flag) + ": expected COMMAND IDENTIFIER VALUE");
    const command* cmd = nullptr;
    for (const command& c : commands) {
        if (flag[0] == c.name) cmd = &c;
    }
    if (cmd == nullptr) {
        throw usage_error(flag_text(flag) +
                          ": unknown command; expected connect, publish, subscribe, "
                          "unsubscribe, disconnect or will");
    }
    const property_info* info = find_by_name(flag[1]);
    if (info == nullptr) throw usage_error(flag_text(flag) + ": unknown property identifier");
    if (!info->allowed_in(cmd->context)) {
        throw usage_error(
            fmt::format("{}: {} is not allowed in {}", flag_text(flag), info->name, cmd->name));
    }
    const bool pair = info->type == property_type::utf8_string_pair;
    if (flag.size() != (pair ? 4u : 3u)) {
        throw usage_error(flag_text(flag) +
                          (pair ? fmt::format(": {} takes a NAME and a VALUE", info->cli_name)
                                : std::string(": takes one VALUE")));
    }
    // Rules of the client's own (not the table's): the session picks aliases, and a
    // Subscription Identifier is the server's to send in a PUBLISH.
    if (cmd->context == property_context::publish || cmd->context == property_context::will) {
        if (info->id == property_id::topic_alias) {
            throw usage_error(flag_text(flag) +
                              ": the client picks topic aliases itself, within the server's "
                              "Topic Alias Maximum");
        }
        if (info->id == property_id::subscription_identifier) {
            throw usage_error(flag_text(flag) +
                              ": a client must not send a Subscription Identifier in PUBLISH "
                              "(MQTT-3.3.4-6); use -D subscribe");
        }
    }
    if (cmd->context == property_context::will && !connect.will) {
        connect.will.emplace();  // its topic comes from --will-topic
    }
    const std::string& value = flag[2];
    if (info->rule.check == value_check::topic_name) {
        if (const char* problem = topic_name_problem(value)) {
            throw usage_error(
                fmt::format("{}: {}: {}", flag_text(flag), info->rule.problem, problem));
        }
    }
    const auto number = [&] { return parse_number(flag, *info); };
    std::visit(
        [&](auto field) {
            using P = decltype(field);
            if constexpr (std::is_same_v<P, std::monostate>) {
                throw usage_error(
                    fmt::format("{}: {} is set by the client itself or sent only by a server",
                                flag_text(flag), info->name));
            } else {
                using F = std::remove_pointer_t<P>;
                if constexpr (std::is_same_v<F, std::optional<std::uint8_t>>) {
                    *field = std::uint8_t(number());
                } else if constexpr (std::is_same_v<F, std::optional<std::uint16_t>>) {
                    *field = std::uint16_t(number());
                } else if constexpr (std::is_same_v<F, std::optional<std::uint32_t>> ||
                                     std::is_same_v<F, std::uint32_t>) {
                    *field = number();
                } else if constexpr (std::is_same_v<F, std::optional<bool>>) {
                    *field = number() == 1;  // a property whose rule is zero_or_one
                } else if constexpr (std::is_same_v<F, std::optional<std::string>>) {
                    *field = value;
                } else if constexpr (std::is_same_v<F, std::optional<session::byte_vector>>) {
                    *field = session::byte_vector(value.begin(), value.end());
                } else {
                    field->emplace_back(flag[2], flag[3]);
                }
            }
        },
        destination_of(cmd->context, info->id, connect, out));
}

}  // namespace mqtt::tools
