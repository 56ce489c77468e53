// mosquitto_sub's output, learnt from mosquitto 2.0.11 (client/sub_client_output.c and
// client_shared.c's check_format, and by running mosquitto_sub against a broker). Where
// mosquitto is inconsistent (a width on %p cuts the payload, %q ignores widths, %5R of an
// absent property prints nothing but %5C prints five spaces), we follow printf: one rule for
// every field, spelled out at format_field below.
#include "tools/common/message_format.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/common/hex.hpp"

namespace mqtt::tools {

namespace {

using sys_time = std::chrono::system_clock::time_point;

constexpr std::string_view percent_specifiers = "%tplxXqrmjJIUACDEFPRS";
// The conversions glibc's strftime(3) knows, one character each, plus N (nanoseconds) and @.
constexpr std::string_view time_specifiers = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%N@";
constexpr std::size_t max_width = 4096;  // a larger width or precision is clamped to this

std::string_view chars_of(const session::byte_vector& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string hex_of(const session::byte_vector& b, bool upper) {
    std::string s = to_hex(b);
    if (upper)
        std::transform(s.begin(), s.end(), s.begin(), [](char c) { return char(std::toupper(c)); });
    return s;
}

// The receive time, broken down in local time (TZ) once per message.
struct receive_time {
    explicit receive_time(sys_time t) {
        const auto since = t.time_since_epoch();
        const auto whole = std::chrono::floor<std::chrono::seconds>(since);
        seconds = std::time_t(whole.count());
        nanoseconds = long(std::chrono::nanoseconds(since - whole).count());
        ::localtime_r(&seconds, &local);
    }
    std::string strftime(const char* format) const {
        char buf[128];
        return std::string(buf, std::strftime(buf, sizeof buf, format, &local));
    }
    std::time_t seconds;
    long nanoseconds;  // 0 to 999,999,999
    std::tm local{};
};

// JSON text written in order, as mosquitto's cJSON writes it: keys in mosquitto's order and, in
// "user-properties", one key per User Property even when names repeat (as mosquitto does).
class json_object {
  public:
    static std::string quoted(std::string_view bytes) {
        // Invalid UTF-8 (binary payloads) becomes U+FFFD instead of an exception.
        return nlohmann::json(std::string(bytes))
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    void add_json(std::string_view key, std::string_view json) {
        text_ += text_.size() == 1 ? "" : ",";
        text_ += quoted(key);
        text_ += ':';
        text_ += json;
    }
    void add(std::string_view key, std::string_view s) { add_json(key, quoted(s)); }
    void add(std::string_view key, std::uint64_t n) { add_json(key, std::to_string(n)); }
    bool empty() const { return text_.size() == 1; }
    std::string close() const { return text_ + "}"; }

  private:
    std::string text_ = "{";
};

std::string properties_json(const session::message_received& r) {
    const session::message_properties& p = r.message.props;
    json_object o;
    for (const std::uint32_t id : p.subscription_identifiers)
        o.add("subscription-identifier", id);
    if (r.topic_alias) o.add("topic-alias", *r.topic_alias);
    if (p.payload_format_indicator) o.add("payload-format-indicator", *p.payload_format_indicator);
    if (p.content_type) o.add("content-type", *p.content_type);
    if (p.response_topic) o.add("response-topic", *p.response_topic);
    if (p.correlation_data) o.add("correlation-data", chars_of(*p.correlation_data));
    if (!p.user_properties.empty()) {
        json_object users;
        for (const auto& [name, value] : p.user_properties)
            users.add(name, value);
        o.add_json("user-properties", users.close());
    }
    // Last, as a mosquitto broker forwards it (it rewrites the remaining interval).
    if (p.message_expiry_interval) o.add("message-expiry-interval", *p.message_expiry_interval);
    return o.empty() ? std::string() : o.close();
}

// Whether JSON text nests arrays and objects deeper than `limit`. nlohmann's parser does not
// recurse but its dump() does: a payload of 100,000 '[' would overflow our stack. cJSON
// (mosquitto's) refuses beyond 1,000 levels too.
bool nested_deeper_than(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

// %j (payload as a string) and %J (payload embedded as JSON when it is JSON). mosquitto's %J
// prints an error instead of a payload that is not JSON; we print it as a string, as %j does.
std::string message_json(const session::message_received& r, const receive_time& t,
                         bool embed_json) {
    const session::message& m = r.message;
    json_object o;
    // mosquitto's tst: local time, microseconds, then a 'Z' *and* the offset, exactly so.
    o.add("tst", t.strftime("%Y-%m-%dT%H:%M:%S.") + fmt::format("{:06d}", t.nanoseconds / 1000) +
                     "Z" + t.strftime("%z"));
    o.add("topic", m.topic);
    o.add("qos", std::uint64_t(m.qos));
    o.add("retain", std::uint64_t(m.retain ? 1 : 0));
    o.add("payloadlen", m.payload.size());
    if (m.qos != qos::at_most_once) o.add("mid", r.packet_id);
    if (const std::string props = properties_json(r); !props.empty())
        o.add_json("properties", props);
    const std::string_view payload = chars_of(m.payload);
    if (payload.empty()) {
        o.add_json("payload", "null");  // libmosquitto hands an empty payload over as NULL
        return o.close();
    }
    if (embed_json && !nested_deeper_than(payload, 1000)) {
        // ordered_json keeps the payload's keys in their order, as cJSON does.
        const auto parsed =
            nlohmann::ordered_json::parse(payload.begin(), payload.end(), nullptr, false);
        if (!parsed.is_discarded()) {
            o.add_json("payload",
                       parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            return o.close();
        }
    }
    o.add("payload", payload);
    return o.close();
}

// A % field's flags, width and precision: %-20t, %08l, %.10p, %10.3p.
struct field_spec {
    bool left = false, zero = false;
    std::size_t width = 0;
    std::optional<std::size_t> precision;
};

// A field's value: text, or the decimal digits of a number (formatted as printf's %d).
struct field_value {
    std::string text;
    bool number = false;
};

field_value number(std::uint64_t n) {
    return {std::to_string(n), true};
}

// printf's rules. Text: precision keeps the first bytes, width pads with spaces (right-aligned,
// '-' left), '0' is ignored. Numbers: precision is the minimum number of digits, '0' pads with
// zeros when there is no precision. An absent property is empty text, so a width keeps columns
// aligned with spaces (mosquitto prints nothing, spaces or zeros depending on the specifier).
std::string format_field(field_value v, const field_spec& f) {
    if (!v.number && f.precision && v.text.size() > *f.precision) v.text.resize(*f.precision);
    if (v.number && f.precision && v.text.size() < *f.precision)
        v.text.insert(0, *f.precision - v.text.size(), '0');
    if (v.text.size() >= f.width) return std::move(v.text);
    const std::size_t fill = f.width - v.text.size();
    if (f.left) return v.text + std::string(fill, ' ');
    const bool zeros = v.number && f.zero && !f.precision;
    return std::string(fill, zeros ? '0' : ' ') + v.text;
}

field_value field(char c, const session::message_received& r, const receive_time& t) {
    const session::message& m = r.message;
    const session::message_properties& p = m.props;
    switch (c) {
        case 't':
            return {m.topic};
        case 'p':
            return {std::string(chars_of(m.payload))};
        case 'l':
            return number(m.payload.size());
        case 'x':
            return {hex_of(m.payload, false)};
        case 'X':
            return {hex_of(m.payload, true)};
        case 'q':
            return number(std::uint64_t(m.qos));
        case 'r':
            return number(m.retain ? 1 : 0);
        case 'm':
            return number(r.packet_id);
        case 'j':
            return {message_json(r, t, false)};
        case 'J':
            return {message_json(r, t, true)};
        case 'I':
            return {t.strftime("%Y-%m-%dT%H:%M:%S%z")};
        case 'U':
            return {fmt::format("{}.{:09d}", t.seconds, t.nanoseconds)};
        case 'A':
            return r.topic_alias ? number(*r.topic_alias) : field_value{};
        case 'C':
            return {p.content_type.value_or("")};
        case 'D':
            return {p.correlation_data ? std::string(chars_of(*p.correlation_data)) : ""};
        case 'E':
            return p.message_expiry_interval ? number(*p.message_expiry_interval) : field_value{};
        case 'F':
            return p.payload_format_indicator ? number(*p.payload_format_indicator) : field_value{};
        case 'R':
            return {p.response_topic.value_or("")};
        case 'P': {
            std::string s;
            for (const auto& [name, value] : p.user_properties)
                s += (s.empty() ? "" : " ") + name + ":" + value;
            return {s};
        }
        case 'S': {
            // mosquitto prints the first identifier only; a message that matched several of our
            // subscriptions carries them all, so we print them all, comma separated.
            if (p.subscription_identifiers.size() == 1)
                return number(p.subscription_identifiers[0]);
            std::string s;
            for (const std::uint32_t id : p.subscription_identifiers)
                s += (s.empty() ? "" : ",") + std::to_string(id);
            return {s};
        }
        default:
            return {};  // not reached: formatted() prints unknown specifiers itself
    }
}

// The byte a backslash escape stands for, or nullopt for an unknown escape.
std::optional<char> escape(char c) {
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
            return std::nullopt;
    }
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads the flags, width and precision after the '%' at f[i - 1]; returns the index of the
// conversion character (f.size() when the format ends first).
std::size_t read_spec(std::string_view f, std::size_t i, field_spec& spec) {
    for (; i < f.size() && (f[i] == '-' || f[i] == '0'); ++i)
        (f[i] == '-' ? spec.left : spec.zero) = true;
    const auto read_number = [&](std::size_t& n) {
        for (; i < f.size() && is_digit(f[i]); ++i)
            n = std::min(n * 10 + std::size_t(f[i] - '0'), max_width);
    };
    read_number(spec.width);
    if (i < f.size() && f[i] == '.') {
        ++i;
        read_number(spec.precision.emplace(0));
    }
    return i;
}

std::string formatted(std::string_view f, const session::message_received& r, sys_time time) {
    const receive_time t(time);
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) {
        const char c = f[i];
        const bool has_next = i + 1 < f.size();
        if (c == '%') {
            field_spec spec;
            const std::size_t conv = read_spec(f, i + 1, spec);
            if (conv >= f.size()) {  // incomplete: print it as it is
                out += f.substr(i);
                break;
            }
            if (f[conv] == '%') {
                out += '%';  // no width, as mosquitto
            } else if (percent_specifiers.find(f[conv]) == std::string_view::npos) {
                out += f.substr(i, conv + 1 - i);  // unknown: printed as it is, flags and all
            } else {
                out += format_field(field(f[conv], r, t), spec);
            }
            i = conv;
        } else if (c == '@' && has_next &&
                   time_specifiers.find(f[i + 1]) != std::string_view::npos) {
            const char x = f[++i];
            if (x == '@') {
                out += '@';
            } else if (x == 'N') {
                out += fmt::format("{:09d}", t.nanoseconds);
            } else {
                const char conversion[3] = {'%', x, '\0'};
                out += t.strftime(conversion);
            }
        } else if (c == '\\' && has_next && escape(f[i + 1])) {
            out += *escape(f[++i]);
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> check_message_format(std::string_view f) {
    const auto problem = [&](std::string_view what, std::size_t from, std::size_t to) {
        return fmt::format("-F \"{}\": {} {} at offset {}", f, what, f.substr(from, to - from),
                           from);
    };
    for (std::size_t i = 0; i < f.size(); ++i) {
        const char c = f[i];
        if (c == '%') {
            field_spec spec;
            const std::size_t conv = read_spec(f, i + 1, spec);
            if (conv >= f.size()) return problem("incomplete format specifier", i, f.size());
            if (percent_specifiers.find(f[conv]) == std::string_view::npos)
                return problem("unknown format specifier", i, conv + 1);
            i = conv;
        } else if (c == '@') {
            if (i + 1 >= f.size()) return problem("incomplete format specifier", i, i + 1);
            if (time_specifiers.find(f[i + 1]) == std::string_view::npos)
                return problem("unknown format specifier", i, i + 2);
            ++i;
        } else if (c == '\\') {
            if (i + 1 >= f.size()) return problem("incomplete escape", i, i + 1);
            if (!escape(f[i + 1])) return problem("unknown escape", i, i + 2);
            ++i;
        }
    }
    return std::nullopt;
}

std::string format_message(const message_output& how, const session::message_received& r,
                           std::chrono::system_clock::time_point time) {
    if (how.format) {
        std::string out = formatted(*how.format, r, time);
        if (how.end_of_line) out += '\n';
        return out;
    }
    // As mosquitto_sub: an empty payload prints nothing, or "topic (null)" with -v (and nothing
    // at all with -v -N).
    if (r.message.payload.empty())
        return how.verbose && how.end_of_line ? r.message.topic + " (null)\n" : std::string();
    std::string out = how.verbose ? r.message.topic + " " : std::string();
    out += chars_of(r.message.payload);
    if (how.end_of_line) out += '\n';
    return out;
}

}  // namespace mqtt::tools
