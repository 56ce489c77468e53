#include "tools/common/websocket.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/format.h>

namespace mqtt::tools::websocket {

namespace {

constexpr std::size_t max_header_block = 16 * 1024;  // an HTTP header block we will hold

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// The header lines of a block, after its start line: name (lower case) and value.
struct header {
    std::string name;
    std::string_view value;
};
std::vector<header> headers_of(std::string_view block, std::string_view& start_line) {
    std::vector<header> out;
    std::size_t eol = block.find("\r\n");
    start_line = block.substr(0, eol);
    while (eol != std::string_view::npos) {
        const std::size_t from = eol + 2;
        eol = block.find("\r\n", from);
        const std::string_view line =
            block.substr(from, eol == std::string_view::npos ? eol : eol - from);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        out.push_back({lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1))});
    }
    return out;
}

// Whether a comma-separated header value lists `token` (case-insensitive).
bool lists(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        if (lower(trim(value.substr(0, comma))) == token) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

std::string_view opcode_name(std::uint8_t op) {
    switch (op) {
        case 0x0:
            return "continuation";
        case 0x1:
            return "text";
        case 0x2:
            return "binary";
        case 0x8:
            return "close";
        case 0x9:
            return "ping";
        case 0xA:
            return "pong";
        default:
            return "reserved";
    }
}

}  // namespace

bool looks_like_upgrade(bytes_view client_bytes, bool& enough) {
    const std::string_view s = as_chars(client_bytes);
    enough = true;
    if (s.size() < 4) {
        enough = std::string_view("GET ").substr(0, s.size()) != s;  // a prefix of it: wait
        return false;
    }
    if (s.substr(0, 4) != "GET ") return false;
    const std::size_t end = s.find("\r\n\r\n");
    const std::string_view block = s.substr(0, end);
    std::string_view start;
    for (const header& h : headers_of(block, start))
        if (h.name == "upgrade" && lists(h.value, "websocket")) return true;
    if (end == std::string_view::npos && s.size() < max_header_block) enough = false;
    return false;
}

bool upgrade_offers_mqtt(bytes_view client_bytes) {
    bool enough = false;
    if (!looks_like_upgrade(client_bytes, enough)) return false;
    const std::string_view s = as_chars(client_bytes);
    std::string_view start;
    for (const header& h : headers_of(s.substr(0, s.find("\r\n\r\n")), start))
        if (h.name == "sec-websocket-protocol" &&
            (lists(h.value, "mqtt") || lists(h.value, "mqttv3.1")))
            return true;
    return false;
}

std::string close_code_text(std::uint16_t code) {
    std::string_view name;
    switch (code) {
        case 1000:
            name = "Normal Closure";
            break;
        case 1001:
            name = "Going Away";
            break;
        case 1002:
            name = "Protocol error";
            break;
        case 1003:
            name = "Unsupported Data";
            break;
        case 1007:
            name = "Invalid frame payload data";
            break;
        case 1008:
            name = "Policy Violation";
            break;
        case 1009:
            name = "Message Too Big";
            break;
        case 1010:
            name = "Mandatory Extension";
            break;
        case 1011:
            name = "Internal Error";
            break;
        default:
            name = code < 3000 ? "reserved" : "application";
            break;
    }
    return fmt::format("{} {}", code, name);
}

void unwrapper::say(note::kind k, std::size_t at, std::string text) {
    notes_.push_back({k, at, std::move(text)});
}

void unwrapper::fail(std::size_t at, std::string text) {
    say(note::kind::problem, at, std::move(text));
    state_ = state::failed;
}

bool unwrapper::at_boundary() const {
    if (state_ == state::http) return http_.empty();
    return state_ == state::failed || (header_have_ == 0 && !in_payload_);
}

void unwrapper::feed(bytes_view in, std::vector<std::uint8_t>& mqtt) {
    while (!in.empty() && state_ != state::failed) {
        if (state_ == state::http)
            feed_http(in);
        else if (!in_payload_)
            feed_frame_header(in);
        else
            feed_payload(in, mqtt);
    }
    offset_ += in.size();  // what a failure left unread
}

void unwrapper::feed_http(bytes_view& in) {
    // Take bytes up to the blank line that ends the header block, and no further: what follows
    // is frames.
    const std::size_t before = http_.size();
    const std::size_t take = std::min(in.size(), max_header_block + 4 - before);
    http_.append(as_chars(in.first(take)));
    const std::size_t end = http_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (end == std::string::npos) {
        in = in.subspan(take);
        offset_ += take;
        if (http_.size() > max_header_block)
            fail(0, fmt::format("HTTP header block longer than {} bytes: not a WebSocket handshake",
                                max_header_block));
        return;
    }
    const std::size_t used = end + 4 - before;
    in = in.subspan(used);
    offset_ += used;
    const std::string block = http_.substr(0, end);
    http_.clear();
    if (parse_http(block)) state_ = state::frames;
}

bool unwrapper::parse_http(std::string_view block) {
    std::string_view start;
    const std::vector<header> hs = headers_of(block, start);
    auto value = [&](std::string_view name) -> std::optional<std::string_view> {
        for (const header& h : hs)
            if (h.name == name) return h.value;
        return std::nullopt;
    };
    const std::string protocol(value("sec-websocket-protocol").value_or(""));
    subprotocol_ = protocol;
    if (side_ == side::client) {
        // "GET /mqtt HTTP/1.1" (RFC 6455 4.1)
        if (start.substr(0, 4) != "GET " || !value("upgrade") ||
            !lists(*value("upgrade"), "websocket")) {
            fail(0, fmt::format("not a WebSocket upgrade request: \"{}\"", start));
            return false;
        }
        const std::string_view rest = start.substr(4);
        path_ = std::string(rest.substr(0, rest.find(' ')));
        say(note::kind::handshake, 0,
            fmt::format("WebSocket upgrade request: GET {}, subprotocols offered: {}", path_,
                        protocol.empty() ? "none" : protocol));
        if (!lists(protocol, "mqtt") && !lists(protocol, "mqttv3.1"))
            say(note::kind::problem, 0,
                "the client does not offer the WebSocket subprotocol \"mqtt\" (MQTT-6.0.0-3)");
        return true;
    }
    // "HTTP/1.1 101 Switching Protocols" (RFC 6455 4.2.2)
    const std::size_t sp = start.find(' ');
    const std::string_view status = sp == std::string_view::npos ? "" : start.substr(sp + 1, 3);
    if (start.substr(0, 5) != "HTTP/" || status != "101") {
        fail(0, fmt::format("{}: \"{}\"",
                            start.substr(0, 5) != "HTTP/"
                                ? "not an HTTP response to the WebSocket upgrade"
                                : "the server refused the WebSocket upgrade",
                            start));
        return false;
    }
    say(note::kind::handshake, 0,
        fmt::format("WebSocket upgrade accepted ({}), subprotocol: {}", trim(start.substr(sp + 1)),
                    protocol.empty() ? "none" : protocol));
    if (protocol != "mqtt" && protocol != "mqttv3.1")
        say(note::kind::problem, 0,
            "the server did not select the WebSocket subprotocol \"mqtt\" (MQTT-6.0.0-4)");
    if (const auto ext = value("sec-websocket-extensions"); ext && !ext->empty())
        say(note::kind::handshake, 0,
            fmt::format("WebSocket extensions agreed: {} (compressed frames cannot be read)",
                        *ext));
    return true;
}

void unwrapper::feed_frame_header(bytes_view& in) {
    if (header_have_ == 0) frame_start_ = offset_;
    // Bytes 0-1, then the extended length (2 or 8) and the masking key (4) they announce.
    auto needed = [&] {
        if (header_have_ < 2) return std::size_t(2);
        const std::uint8_t len7 = header_[1] & 0x7F;
        const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        return 2 + ext + ((header_[1] & 0x80) ? 4 : 0);
    };
    while (!in.empty() && header_have_ < needed()) {
        header_[header_have_++] = in.front();
        in = in.subspan(1);
        ++offset_;
    }
    if (header_have_ < needed()) return;

    fin_ = (header_[0] & 0x80) != 0;
    const std::uint8_t rsv = header_[0] & 0x70;
    opcode_ = header_[0] & 0x0F;
    masked_ = (header_[1] & 0x80) != 0;
    const std::uint8_t len7 = header_[1] & 0x7F;
    std::size_t at = 2;
    if (len7 == 126) {
        remaining_ = std::uint64_t(header_[2]) << 8 | header_[3];
        at = 4;
    } else if (len7 == 127) {
        remaining_ = 0;
        for (int i = 0; i < 8; ++i)
            remaining_ = remaining_ << 8 | header_[2 + i];
        at = 10;
    } else {
        remaining_ = len7;
    }
    if (masked_) std::copy_n(header_ + at, 4, mask_);
    header_have_ = 0;
    mask_index_ = 0;
    const std::size_t where = frame_start_;

    if (rsv != 0)
        return fail(where,
                    fmt::format("WebSocket frame with reserved bits {:#04x} set (an extension "
                                "such as permessage-deflate): its payload cannot be read",
                                rsv));
    if (len7 == 127 && (remaining_ >> 63) != 0)
        return fail(where,
                    "WebSocket frame length with its most significant bit set (RFC 6455 5.2)");
    if ((opcode_ >= 0x3 && opcode_ <= 0x7) || opcode_ >= 0xB)
        return fail(where, fmt::format("WebSocket frame with reserved opcode {:#x}", opcode_));
    if (masked_ != (side_ == side::client))
        say(note::kind::problem, where,
            side_ == side::client ? "unmasked WebSocket frame from the client (RFC 6455 5.1)"
                                  : "masked WebSocket frame from the server (RFC 6455 5.1)");
    const bool control = opcode_ >= 0x8;
    if (control) {
        if (!fin_ || remaining_ > 125)
            return fail(where,
                        fmt::format("WebSocket {} frame {} (RFC 6455 5.5)", opcode_name(opcode_),
                                    !fin_ ? "fragmented" : "longer than 125 bytes"));
        control_payload_.clear();
    } else if (opcode_ == 0x0) {
        if (!in_message_)
            say(note::kind::problem, where,
                "WebSocket continuation frame with no message to continue (RFC 6455 5.4)");
    } else {
        if (in_message_)
            say(note::kind::problem, where,
                fmt::format("WebSocket {} frame inside an unfinished fragmented message "
                            "(RFC 6455 5.4)",
                            opcode_name(opcode_)));
        message_is_data_ = opcode_ == 0x2;
        if (!message_is_data_)
            say(note::kind::problem, where,
                "MQTT in a WebSocket text frame, where only binary frames may carry it "
                "(MQTT-6.0.0-1); its bytes are read as MQTT");
    }
    if (!control) in_message_ = !fin_;
    in_payload_ = true;
    if (remaining_ == 0) {
        in_payload_ = false;
        if (control) finish_control();
    }
}

void unwrapper::feed_payload(bytes_view& in, std::vector<std::uint8_t>& mqtt) {
    const std::size_t n = std::size_t(std::min<std::uint64_t>(remaining_, in.size()));
    const bool control = opcode_ >= 0x8;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t b = in[i];
        if (masked_) b ^= mask_[mask_index_++ & 3];
        if (control)
            control_payload_.push_back(char(b));
        else
            mqtt.push_back(b);
    }
    in = in.subspan(n);
    offset_ += n;
    remaining_ -= n;
    if (remaining_ == 0) {
        in_payload_ = false;
        if (control) finish_control();
    }
}

void unwrapper::finish_control() {
    const std::size_t where = frame_start_;
    if (opcode_ == 0x8) {
        std::string text = "WebSocket close";
        if (control_payload_.size() >= 2) {
            const auto code = std::uint16_t(std::uint8_t(control_payload_[0]) << 8 |
                                            std::uint8_t(control_payload_[1]));
            text += ": " + close_code_text(code);
            if (control_payload_.size() > 2)
                text += fmt::format(" \"{}\"", control_payload_.substr(2));
        } else if (control_payload_.size() == 1) {
            say(note::kind::problem, where,
                "WebSocket close frame with a 1-byte body (RFC 6455 5.5.1)");
        }
        say(note::kind::control, where, std::move(text));
    } else {
        say(note::kind::control, where,
            fmt::format("WebSocket {} ({} bytes)", opcode_name(opcode_), control_payload_.size()));
    }
}

}  // namespace mqtt::tools::websocket
