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

void render(std::string& s, const connect& p) {
    s += " client_id=";
    quoted(s, p.client_id);
    fmt::format_to(out_t(s), " clean_start={} keep_alive={}", int(p.clean_start), p.keep_alive);
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

void render(std::string& s, const connack& p) {
    fmt::format_to(out_t(s), " session_present={} reason=", int(p.session_present));
    reason(s, p.reason, packet_type::connack);
    props(s, p.props);
}

void render(std::string& s, const publish& p) {
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
void render(std::string& s, const publish_response<T>& p) {
    fmt::format_to(out_t(s), " id={} reason=", p.packet_id);
    reason(s, p.reason, T);
    props(s, p.props);
}

void render(std::string& s, const subscribe& p) {
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

void render(std::string& s, const suback& p) {
    render_ack(s, p, packet_type::suback);
}
void render(std::string& s, const unsuback& p) {
    render_ack(s, p, packet_type::unsuback);
}

void render(std::string& s, const unsubscribe& p) {
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

void render(std::string&, const pingreq&) {}
void render(std::string&, const pingresp&) {}

void render(std::string& s, const disconnect& p) {
    s += " reason=";
    reason(s, p.reason, packet_type::disconnect);
    props(s, p.props);
}

void render(std::string& s, const auth& p) {
    s += " reason=";
    reason(s, p.reason, packet_type::auth);
    props(s, p.props);
}

}  // namespace

std::string to_string(const packet& p) {
    std::string s(packet_type_name(type_of(p)));
    std::visit([&s](const auto& pkt) { render(s, pkt); }, p);
    return s;
}

std::string to_string(const properties& p) {
    std::string s;
    props(s, p);
    if (!s.empty()) s.erase(0, 1);  // the leading space
    return s;
}

}  // namespace mqtt
