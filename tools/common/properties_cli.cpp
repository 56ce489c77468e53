#include "tools/common/properties_cli.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "protocol/property.hpp"
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

std::uint32_t parse_number(const std::vector<std::string>& flag, std::uint32_t max,
                           std::uint32_t min = 0) {
    const std::string& text = flag[2];
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max || value < min) {
        throw usage_error(
            fmt::format("{}: expected a number from {} to {}", flag_text(flag), min, max));
    }
    return value;
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
    std::string key = flag[1];
    for (char& c : key)
        c = c == '-' ? '_' : c;
    const property_info* info = find_property(key);
    if (info == nullptr) throw usage_error(flag_text(flag) + ": unknown property identifier");
    if (!property_allowed(info->id, cmd->context)) {
        throw usage_error(
            fmt::format("{}: {} is not allowed in {}", flag_text(flag), info->name, cmd->name));
    }
    const bool pair = info->type == property_type::utf8_string_pair;
    if (flag.size() != (pair ? 4u : 3u)) {
        throw usage_error(flag_text(flag) + (pair ? ": user-property takes a NAME and a VALUE"
                                                  : ": takes one VALUE"));
    }
    const std::string& value = flag[2];
    const std::pair<std::string, std::string> user{flag[2], pair ? flag[3] : ""};
    const auto bytes = [&] { return session::byte_vector(value.begin(), value.end()); };
    using id = property_id;
    session::message_properties* message = nullptr;  // publish or will
    session::will_options* will = nullptr;
    if (cmd->context == property_context::publish) message = &out.publish;
    if (cmd->context == property_context::will) {
        if (!connect.will) connect.will.emplace();  // its topic comes from --will-topic
        will = &*connect.will;
        message = &will->message.props;
    }

    switch (cmd->context) {
        case property_context::connect:
            switch (info->id) {
                case id::session_expiry_interval:
                    connect.session_expiry_interval = parse_number(flag, 0xFFFFFFFF);
                    return;
                case id::receive_maximum:  // 0 is a Protocol Error (spec 3.1.2.11.3)
                    connect.receive_maximum = std::uint16_t(parse_number(flag, 65535, 1));
                    return;
                case id::maximum_packet_size:  // 0 is a Protocol Error (spec 3.1.2.11.4)
                    connect.maximum_packet_size = parse_number(flag, max_packet_size_limit, 1);
                    return;
                case id::topic_alias_maximum:
                    connect.topic_alias_maximum = std::uint16_t(parse_number(flag, 65535));
                    return;
                case id::request_response_information:
                    connect.request_response_information = parse_number(flag, 1) == 1;
                    return;
                case id::request_problem_information:
                    connect.request_problem_information = parse_number(flag, 1) == 1;
                    return;
                case id::user_property:
                    connect.user_properties.push_back(user);
                    return;
                default:
                    break;
            }
            break;
        case property_context::publish:
        case property_context::will:
            switch (info->id) {
                case id::payload_format_indicator:
                    message->payload_format_indicator = std::uint8_t(parse_number(flag, 1));
                    return;
                case id::message_expiry_interval:
                    message->message_expiry_interval = parse_number(flag, 0xFFFFFFFF);
                    return;
                case id::content_type:
                    message->content_type = value;
                    return;
                case id::response_topic:
                    message->response_topic = value;
                    return;
                case id::correlation_data:
                    message->correlation_data = bytes();
                    return;
                case id::user_property:
                    message->user_properties.push_back(user);
                    return;
                case id::will_delay_interval:
                    will->will_delay_interval = parse_number(flag, 0xFFFFFFFF);
                    return;
                case id::topic_alias:
                    throw usage_error(flag_text(flag) +
                                      ": the client picks topic aliases itself, within the "
                                      "server's Topic Alias Maximum");
                case id::subscription_identifier:
                    throw usage_error(flag_text(flag) +
                                      ": a client must not send a Subscription Identifier in "
                                      "PUBLISH (MQTT-3.3.4-6); use -D subscribe");
                default:
                    break;
            }
            break;
        case property_context::subscribe:
            if (info->id == id::subscription_identifier) {
                const std::uint32_t v = parse_number(flag, 268'435'455);
                if (v == 0) throw usage_error(flag_text(flag) + ": 0 is not a valid identifier");
                out.subscribe.subscription_identifier = v;
                return;
            }
            out.subscribe.user_properties.push_back(user);  // the only other one allowed
            return;
        case property_context::unsubscribe:
            out.unsubscribe.push_back(user);  // User Property is the only one allowed
            return;
        case property_context::disconnect:
            switch (info->id) {
                case id::session_expiry_interval:
                    out.disconnect.session_expiry_interval = parse_number(flag, 0xFFFFFFFF);
                    return;
                case id::reason_string:
                    out.disconnect.reason_string = value;
                    return;
                case id::user_property:
                    out.disconnect.user_properties.push_back(user);
                    return;
                default:
                    break;
            }
            break;
        default:
            break;
    }
    throw usage_error(fmt::format("{}: {} is set by the client itself or sent only by a server",
                                  flag_text(flag), info->name));
}

}  // namespace mqtt::tools
