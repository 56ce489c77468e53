#include "tools/common/message_format.hpp"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mqtt::tools {

namespace {

using ojson = nlohmann::ordered_json;

constexpr std::string_view percent_specifiers = "%tplxXqrmjJIUACDEFPRS";

bool known_time_field(char c) {
    // strftime(3) conversions (C99 and POSIX), and N for nanoseconds.
    return std::string_view("aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZN@").find(c) !=
           std::string_view::npos;
}

std::string text_of(const session::byte_vector& b) {
    return {b.begin(), b.end()};
}

std::string hex_of(const session::byte_vector& b, bool upper) {
    std::string s;
    s.reserve(b.size() * 2);
    for (const std::uint8_t c : b)
        s += upper ? fmt::format("{:02X}", c) : fmt::format("{:02x}", c);
    return s;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    ::localtime_r(&secs, &local);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
    return std::string(buf, n);
}

long nanoseconds_of(std::chrono::system_clock::time_point t) {
    const auto since = t.time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since);
    return long(std::chrono::duration_cast<std::chrono::nanoseconds>(since - secs).count());
}

std::string strftime_field(char c, std::chrono::system_clock::time_point t) {
    if (c == 'N') return fmt::format("{:09d}", nanoseconds_of(t));
    if (c == '@') return "@";
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    ::localtime_r(&secs, &local);
    const char spec[3] = {'%', c, '\0'};
    char buf[128];
    const std::size_t n = std::strftime(buf, sizeof buf, spec, &local);
    return std::string(buf, n);
}

// The message as mosquitto_sub's %j / %J print it: receive time, topic, QoS, retain, payload
// length, packet id (QoS 1 and 2), the MQTT v5 properties present, then the payload.
std::string json_of(const session::message_received& r, std::chrono::system_clock::time_point t,
                    bool payload_as_json) {
    const session::message& m = r.message;
    ojson j;
    j["tst"] = iso_time(t);
    j["topic"] = m.topic;
    j["qos"] = int(m.qos);
    j["retain"] = m.retain ? 1 : 0;
    j["payloadlen"] = m.payload.size();
    if (m.qos != qos::at_most_once) j["mid"] = r.packet_id;
    ojson props = ojson::object();
    const session::message_properties& p = m.props;
    if (p.payload_format_indicator) props["payload-format-indicator"] = *p.payload_format_indicator;
    if (p.message_expiry_interval) props["message-expiry-interval"] = *p.message_expiry_interval;
    if (p.content_type) props["content-type"] = *p.content_type;
    if (p.response_topic) props["response-topic"] = *p.response_topic;
    if (p.correlation_data) props["correlation-data"] = text_of(*p.correlation_data);
    if (!p.subscription_identifiers.empty())
        props["subscription-identifier"] = p.subscription_identifiers;
    if (r.topic_alias) props["topic-alias"] = *r.topic_alias;
    if (!p.user_properties.empty()) {
        ojson users = ojson::array();
        for (const auto& [name, value] : p.user_properties)
            users.push_back(ojson::object({{name, value}}));
        props["user-properties"] = users;
    }
    if (!props.empty()) j["properties"] = props;
    const std::string payload = text_of(m.payload);
    bool embedded = false;
    if (payload_as_json) {
        ojson parsed = ojson::parse(payload, nullptr, false);
        if (!parsed.is_discarded()) {
            j["payload"] = std::move(parsed);
            embedded = true;
        }
    }
    if (!embedded) j["payload"] = payload;
    // Invalid UTF-8 (binary payloads) is replaced rather than thrown on.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The value of one % conversion.
std::string conversion(char c, const session::message_received& r,
                       std::chrono::system_clock::time_point t) {
    const session::message& m = r.message;
    const session::message_properties& p = m.props;
    switch (c) {
        case '%':
            return "%";
        case 't':
            return m.topic;
        case 'p':
            return text_of(m.payload);
        case 'l':
            return std::to_string(m.payload.size());
        case 'x':
            return hex_of(m.payload, false);
        case 'X':
            return hex_of(m.payload, true);
        case 'q':
            return std::to_string(int(m.qos));
        case 'r':
            return m.retain ? "1" : "0";
        case 'm':
            return std::to_string(r.packet_id);
        case 'j':
            return json_of(r, t, false);
        case 'J':
            return json_of(r, t, true);
        case 'I':
            return iso_time(t);
        case 'U':
            return fmt::format("{}.{:09d}", std::chrono::system_clock::to_time_t(t),
                               nanoseconds_of(t));
        case 'A':
            return r.topic_alias ? std::to_string(*r.topic_alias) : "";
        case 'C':
            return p.content_type.value_or("");
        case 'D':
            return p.correlation_data ? text_of(*p.correlation_data) : "";
        case 'E':
            return p.message_expiry_interval ? std::to_string(*p.message_expiry_interval) : "";
        case 'F':
            return p.payload_format_indicator ? std::to_string(*p.payload_format_indicator) : "";
        case 'P': {
            std::string s;
            for (const auto& [name, value] : p.user_properties) {
                if (!s.empty()) s += ' ';
                s += name + ":" + value;
            }
            return s;
        }
        case 'R':
            return p.response_topic.value_or("");
        case 'S': {
            std::string s;
            for (const std::uint32_t id : p.subscription_identifiers) {
                if (!s.empty()) s += ',';
                s += std::to_string(id);
            }
            return s;
        }
        default:
            return std::string("%") + c;
    }
}

bool numeric(char c) {
    return std::string_view("lqrmEFA").find(c) != std::string_view::npos;
}

// A % field's flags, width and precision: %-20t, %08l, %.10p.
struct field_spec {
    bool left = false, zero = false;
    std::size_t width = 0;
    std::optional<std::size_t> precision;
};

std::string pad(std::string value, const field_spec& f, char conv) {
    if (f.precision && value.size() > *f.precision) value.resize(*f.precision);
    if (value.size() >= f.width) return value;
    const std::size_t fill = f.width - value.size();
    if (f.left) return value + std::string(fill, ' ');
    return std::string(fill, f.zero && numeric(conv) ? '0' : ' ') + value;
}

char escape(char c) {
    switch (c) {
        case '\\':
            return '\\';
        case '0':
            return '\0';
        case 'a':
            return '\a';
        case 'e':
            return '\x1b';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        case 'v':
            return '\v';
        default:
            return 0x7f;  // not an escape
    }
}

// Reads the flags, width and precision after a '%' at `i`; returns the index of the conversion.
std::size_t read_spec(std::string_view f, std::size_t i, field_spec& spec) {
    for (; i < f.size() && (f[i] == '-' || f[i] == '0'); ++i)
        (f[i] == '-' ? spec.left : spec.zero) = true;
    for (; i < f.size() && f[i] >= '0' && f[i] <= '9'; ++i)
        spec.width = spec.width * 10 + std::size_t(f[i] - '0');
    if (i < f.size() && f[i] == '.') {
        std::size_t p = 0;
        for (++i; i < f.size() && f[i] >= '0' && f[i] <= '9'; ++i)
            p = p * 10 + std::size_t(f[i] - '0');
        spec.precision = p;
    }
    return i;
}

}  // namespace

std::optional<std::string> check_message_format(std::string_view f) {
    const auto problem = [&](std::string_view what, std::size_t at) {
        return fmt::format("-F \"{}\": {} at offset {}", f, what, at);
    };
    for (std::size_t i = 0; i < f.size(); ++i) {
        const char c = f[i];
        if (c == '%') {
            field_spec spec;
            const std::size_t conv = read_spec(f, i + 1, spec);
            if (conv >= f.size()) return problem("a lone % at the end", i);
            if (percent_specifiers.find(f[conv]) == std::string_view::npos)
                return problem(fmt::format("unknown format specifier %{}", f[conv]), i);
            i = conv;
        } else if (c == '@') {
            if (i + 1 >= f.size()) return problem("a lone @ at the end", i);
            if (!known_time_field(f[i + 1]))
                return problem(fmt::format("unknown time field @{}", f[i + 1]), i);
            ++i;
        } else if (c == '\\') {
            if (i + 1 >= f.size()) return problem("a lone \\ at the end", i);
            if (escape(f[i + 1]) == 0x7f)
                return problem(fmt::format("unknown escape \\{}", f[i + 1]), i);
            ++i;
        }
    }
    return std::nullopt;
}

std::string format_message(const message_output& how, const session::message_received& r,
                           std::chrono::system_clock::time_point time) {
    std::string out;
    if (!how.format) {
        if (how.verbose) out = r.message.topic + " ";
        out += text_of(r.message.payload);
    } else {
        const std::string_view f = *how.format;
        for (std::size_t i = 0; i < f.size(); ++i) {
            const char c = f[i];
            if (c == '%' && i + 1 < f.size()) {
                field_spec spec;
                const std::size_t conv = read_spec(f, i + 1, spec);
                if (conv >= f.size()) {
                    out += f.substr(i);
                    break;
                }
                out += pad(conversion(f[conv], r, time), spec, f[conv]);
                i = conv;
            } else if (c == '@' && i + 1 < f.size() && known_time_field(f[i + 1])) {
                out += strftime_field(f[++i], time);
            } else if (c == '\\' && i + 1 < f.size() && escape(f[i + 1]) != 0x7f) {
                out += escape(f[++i]);
            } else {
                out += c;
            }
        }
    }
    if (how.end_of_line) out += '\n';
    return out;
}

}  // namespace mqtt::tools
