#include "protocol/render.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "protocol/reason_format.hpp"
#include "protocol/utf8.hpp"

namespace mqtt {

namespace {

using out_t = std::back_insert_iterator<std::string>;

void quoted(std::string& s, std::string_view v) {
    s += '"';
    for (const char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            s += '\\';
            s += c;
        } else if (u < 0x20 || u == 0x7F) {
            fmt::format_to(out_t(s), "\\x{:02x}", u);
        } else {
            s += c;  // UTF-8 passes through
        }
    }
    s += '"';
}

// Text a terminal shows as it is: valid UTF-8 without control characters other than
// newline, tab and carriage return.
bool printable(bytes_view b) {
    for (const std::uint8_t c : b) {
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F) return false;
    }
    return valid_utf8(as_chars(b));
}

// Binary data: its size, then a readable preview (text in quotes, otherwise hex).
void binary(std::string& s, bytes_view b, std::size_t preview = 48) {
    fmt::format_to(out_t(s), "{}B", b.size());
    if (b.empty()) return;
    bytes_view head = b.first(std::min(b.size(), preview));
    s += ' ';
    // A preview cut inside a multi-byte character is still text: drop the partial character.
    bytes_view text = head;
    for (int drop = 0; drop < 3 && text.size() > 1 && text.size() < b.size() && !printable(text);
         ++drop)
        text = text.first(text.size() - 1);
    if (printable(text)) {
        head = text;
        quoted(s, as_chars(head));
    } else {
        s += "0x";
        for (const std::uint8_t c : head)
            fmt::format_to(out_t(s), "{:02x}", c);
    }
    if (head.size() < b.size()) s += "...";
}

void reason(std::string& s, reason_code rc, packet_type t) {
    fmt::format_to(out_t(s), "{}", named_reason{rc, t});
}

void props(std::string& s, const properties& p) {
    if (p.empty()) return;
    s += " {";
    bool first = true;
    visit_properties(p, [&](const property_info& info, const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if (!first) s += ' ';
        first = false;
        s += info.json_key;
        s += '=';
        if constexpr (std::is_same_v<T, std::string_view>) {
            quoted(s, v);
        } else if constexpr (std::is_same_v<T, bytes_view>) {
            binary(s, v);
        } else if constexpr (std::is_same_v<T, string_pair>) {
            s += '(';
            quoted(s, v.name);
            s += ',';
            quoted(s, v.value);
            s += ')';
        } else {
            fmt::format_to(out_t(s), "{}", v);
        }
    });
    s += '}';
}

// A CONNECT says its own version: only one of another version than 5 names it.
void render(std::string& s, const connect& p, bool) {
    const bool v3 = p.protocol_version != protocol_version::v5;
    if (v3) fmt::format_to(out_t(s), " version={}", protocol_version_number(p.protocol_version));
    s += " client_id=";
    quoted(s, p.client_id);
    fmt::format_to(out_t(s), " {}={} keep_alive={}", v3 ? "clean_session" : "clean_start",
                   int(p.clean_start), p.keep_alive);
    if (p.username) {
        s += " username=";
        quoted(s, *p.username);
    }
    if (p.password) fmt::format_to(out_t(s), " password=<{}B>", p.password->size());
    if (p.will) {
        s += " will={topic=";
        quoted(s, p.will->topic);
        fmt::format_to(out_t(s), " qos={} retain={} payload=", int(p.will->qos),
                       int(p.will->retain));
        binary(s, p.will->payload);
        props(s, p.will->props);
        s += '}';
    }
    props(s, p.props);
}

void render(std::string& s, const connack& p, bool v3) {
    fmt::format_to(out_t(s), " session_present={}", int(p.session_present));
    if (v3) {  // the Connect Return Code the v5 reason code stands for (3.1.1 Table 3.1)
        connect_return_code c{};
        if (to_connect_return_code(p.reason, c)) {
            fmt::format_to(out_t(s), " return_code=0x{:02X} {}", std::uint8_t(c),
                           connect_return_code_name(c));
            return;
        }
    }
    s += " reason=";
    reason(s, p.reason, packet_type::connack);
    props(s, p.props);
}

void render(std::string& s, const publish& p, bool) {
    if (p.qos != qos::at_most_once) fmt::format_to(out_t(s), " id={}", p.packet_id);
    fmt::format_to(out_t(s), " qos={}", int(p.qos));
    if (p.retain) s += " retain";
    if (p.dup) s += " dup";
    s += " topic=";
    quoted(s, p.topic);
    s += " payload=";
    binary(s, p.payload);
    props(s, p.props);
}

template <packet_type T>
void render(std::string& s, const publish_response<T>& p, bool v3) {
    fmt::format_to(out_t(s), " id={}", p.packet_id);
    if (v3 && p.reason == reason_code::success) return;  // 3.1.1: the Packet Identifier alone
    s += " reason=";
    reason(s, p.reason, T);
    props(s, p.props);
}

void render(std::string& s, const subscribe& p, bool) {
    fmt::format_to(out_t(s), " id={} [", p.packet_id);
    bool first = true;
    for (const subscription& sub : p.subscriptions) {
        if (!first) s += ", ";
        first = false;
        quoted(s, sub.topic_filter);
        fmt::format_to(out_t(s), " qos={}", int(sub.max_qos));
        if (sub.no_local) s += " no_local";
        if (sub.retain_as_published) s += " retain_as_published";
        if (sub.retain_handling != retain_handling::send_on_subscribe) {
            fmt::format_to(out_t(s), " retain_handling={}", int(sub.retain_handling));
        }
    }
    s += ']';
    props(s, p.props);
}

template <class Ack>
void render_ack(std::string& s, const Ack& p, packet_type t) {
    fmt::format_to(out_t(s), " id={} [", p.packet_id);
    bool first = true;
    for (const reason_code rc : p.reason_codes) {
        if (!first) s += ", ";
        first = false;
        reason(s, rc, t);
    }
    s += ']';
    props(s, p.props);
}

void render(std::string& s, const suback& p, bool v3) {
    if (!v3) return render_ack(s, p, packet_type::suback);
    fmt::format_to(out_t(s), " id={} [", p.packet_id);  // 3.1.1 Return Codes (3.1.1 spec 3.9.3)
    bool first = true;
    for (const reason_code rc : p.reason_codes) {
        if (!first) s += ", ";
        first = false;
        const std::string_view name = suback_return_code_name(to_byte(rc));
        fmt::format_to(out_t(s), "0x{:02X} {}", to_byte(rc), name.empty() ? "(unknown)" : name);
    }
    s += ']';
}
void render(std::string& s, const unsuback& p, bool v3) {
    if (v3 && p.reason_codes.empty()) {  // 3.1.1: the Packet Identifier alone
        fmt::format_to(out_t(s), " id={}", p.packet_id);
        return;
    }
    render_ack(s, p, packet_type::unsuback);
}

void render(std::string& s, const unsubscribe& p, bool) {
    fmt::format_to(out_t(s), " id={} [", p.packet_id);
    bool first = true;
    for (const std::string_view f : p.topic_filters) {
        if (!first) s += ", ";
        first = false;
        quoted(s, f);
    }
    s += ']';
    props(s, p.props);
}

void render(std::string&, const pingreq&, bool) {}
void render(std::string&, const pingresp&, bool) {}

void render(std::string& s, const disconnect& p, bool v3) {
    if (v3 && p.reason == reason_code::success && p.props.empty()) return;  // 3.1.1: no body
    s += " reason=";
    reason(s, p.reason, packet_type::disconnect);
    props(s, p.props);
}

void render(std::string& s, const auth& p, bool) {
    s += " reason=";
    reason(s, p.reason, packet_type::auth);
    props(s, p.props);
}

}  // namespace

std::string to_string(const packet& p, protocol_version version) {
    std::string s(packet_type_name(type_of(p)));
    const bool v3 = version != protocol_version::v5;
    std::visit([&s, v3](const auto& pkt) { render(s, pkt, v3); }, p);
    return s;
}

std::string to_string(const properties& p) {
    std::string s;
    props(s, p);
    if (!s.empty()) s.erase(0, 1);  // the leading space
    return s;
}

}  // namespace mqtt
