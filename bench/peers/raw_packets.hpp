// The few MQTT v5 packets bench-raw writes and reads, byte by byte, with no MQTT library: this
// peer measures the broker's ceiling, so it does as little as a client can. Section numbers are
// the MQTT 5.0 specification's. Everything is read from whole packets (next_frame() first), and
// every read is checked against the packet's end, never the buffer's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tools/bench/stamp.hpp"

namespace mqtt::bench::raw {

using bytes = std::vector<std::uint8_t>;

inline void put_u16(bytes& b, std::uint16_t v) {
    b.push_back(std::uint8_t(v >> 8));  // big-endian (1.5.2)
    b.push_back(std::uint8_t(v));
}
// Variable Byte Integer (1.5.5): 7 bits a byte, low first, the top bit says "more follows".
inline void put_varint(bytes& b, std::uint32_t v) {
    do {
        const auto digit = std::uint8_t(v & 0x7F);
        v >>= 7;
        b.push_back(v ? std::uint8_t(digit | 0x80) : digit);
    } while (v);
}
// UTF-8 Encoded String (1.5.4): a two-byte length, then the bytes.
inline void put_string(bytes& b, std::string_view s) {
    put_u16(b, std::uint16_t(s.size()));
    // Not insert(): GCC 12 at -O3 takes it for an out-of-bounds memmove (-Warray-bounds).
    for (const char c : s)
        b.push_back(std::uint8_t(c));
}
// The fixed header (2.1.1): the packet type and flags byte, Remaining Length, then the body.
inline bytes with_fixed_header(std::uint8_t first, const bytes& body) {
    bytes b{first};
    put_varint(b, std::uint32_t(body.size()));
    b.insert(b.end(), body.begin(), body.end());
    return b;
}

// CONNECT (3.1). No Receive Maximum: the broker may have 65,535 QoS 1/2 messages in flight
// towards us, as towards our client by default (-M is the publisher's window, not this one).
inline bytes connect(std::string_view client_id) {
    bytes b;
    put_string(b, "MQTT");  // Protocol Name
    b.push_back(5);         // Protocol Version 5
    b.push_back(0x02);      // Connect Flags: Clean Start; no Will, User Name or Password
    // Keep Alive 0: we never send PINGREQ (the subscriber at QoS 0 sends nothing at all);
    // Mosquitto answers with its max_keepalive (65535 s by default) as Server Keep Alive.
    put_u16(b, 0);
    b.push_back(0);            // Property Length: none
    put_string(b, client_id);  // Payload: Client Identifier
    return with_fixed_header(0x10, b);
}

// SUBSCRIBE (3.8) to one topic filter.
inline bytes subscribe(std::uint16_t packet_id, std::string_view filter, int qos) {
    bytes b;
    put_u16(b, packet_id);              // Packet Identifier
    b.push_back(0);                     // Property Length: none
    put_string(b, filter);              // Topic Filter
    b.push_back(std::uint8_t(qos));     // Subscription Options: Maximum QoS; the other bits 0
    return with_fixed_header(0x82, b);  // SUBSCRIBE's flags are 0010 (3.8.1)
}

// PUBLISH (3.3), encoded once: each message copies it and patches in its Packet Identifier and
// the stamp at the start of the payload.
struct publish_template {
    bytes packet;
    std::size_t packet_id_at = 0;  // QoS 1/2 only
    std::size_t payload_at = 0;
};
inline publish_template publish(std::string_view topic, int qos, std::size_t payload_size) {
    bytes b;
    put_string(b, topic);  // Topic Name
    std::size_t packet_id_at = b.size();
    if (qos > 0) put_u16(b, 0);  // Packet Identifier, patched per message
    b.push_back(0);              // Property Length: none
    const std::size_t payload_at = b.size();
    const bytes payload = make_payload(payload_size);  // "MQB1" stamp, then filler
    b.insert(b.end(), payload.begin(), payload.end());
    // First byte: PUBLISH (3), DUP 0, QoS in bits 1-2, RETAIN 0.
    publish_template t{with_fixed_header(std::uint8_t(0x30 | qos << 1), b)};
    const std::size_t header = t.packet.size() - b.size();
    t.packet_id_at = header + packet_id_at;
    t.payload_at = header + payload_at;
    return t;
}

// PUBACK 0x40, PUBREC 0x50, PUBREL 0x62 (flags 0010), PUBCOMP 0x70 (3.4-3.7): Remaining
// Length 2 and the Packet Identifier; Reason Code 0x00 and no properties may be left out.
inline void put_ack(bytes& out, std::uint8_t first, std::uint16_t packet_id) {
    out.insert(out.end(), {first, 0x02, std::uint8_t(packet_id >> 8), std::uint8_t(packet_id)});
}

// DISCONNECT (3.14): Remaining Length 0, which means Reason Code 0x00, normal disconnection.
inline constexpr std::uint8_t disconnect[] = {0xE0, 0x00};

// The packet type, from the fixed header's first byte (2.1.2): 2 CONNACK, 3 PUBLISH, 4 PUBACK, ...
inline int packet_type(std::uint8_t first) {
    return first >> 4;
}

// One packet found at the start of a buffer: need_more until its last byte has arrived.
struct frame {
    enum class status : std::uint8_t { complete, need_more, malformed } state = status::need_more;
    std::uint8_t first = 0;  // packet type (high nibble) and flags
    std::size_t body = 0;    // where the variable header starts
    std::size_t end = 0;     // one past the packet's last byte (known once body is)
};
inline frame next_frame(std::span<const std::uint8_t> in) {
    frame f;
    if (in.size() < 2) return f;
    std::uint32_t length = 0;
    for (std::size_t i = 1;; ++i) {
        if (i > 4) return {frame::status::malformed};  // Remaining Length has 4 bytes at most
        if (i >= in.size()) return f;
        length |= std::uint32_t(in[i] & 0x7F) << (7 * (i - 1));
        if (!(in[i] & 0x80)) {
            f = {frame::status::need_more, in[0], i + 1, i + 1 + length};
            break;
        }
    }
    if (in.size() >= f.end) f.state = frame::status::complete;
    return f;
}

// The body (variable header and payload) of a whole packet that starts at in[0].
inline std::span<const std::uint8_t> body_of(std::span<const std::uint8_t> in, const frame& f) {
    return in.subspan(f.body, f.end - f.body);
}

// Reads the fields of one whole packet's body; a read past its end sets ok to false.
class body_reader {
  public:
    explicit body_reader(std::span<const std::uint8_t> body) : b_(body) {}
    bool ok() const { return ok_; }
    std::size_t left() const { return b_.size() - pos_; }
    std::uint8_t u8() { return take(1) ? b_[pos_ - 1] : 0; }
    std::uint16_t u16() { return take(2) ? std::uint16_t(b_[pos_ - 2] << 8 | b_[pos_ - 1]) : 0; }
    std::uint32_t varint() {
        std::uint32_t v = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            const std::uint8_t byte = u8();
            v |= std::uint32_t(byte & 0x7F) << shift;
            if (!(byte & 0x80)) return v;
        }
        ok_ = false;
        return 0;
    }
    std::span<const std::uint8_t> take_span(std::size_t n) {
        return take(n) ? b_.subspan(pos_ - n, n) : std::span<const std::uint8_t>{};
    }
    std::span<const std::uint8_t> rest() { return take_span(left()); }

  private:
    bool take(std::size_t n) {
        if (!ok_ || n > left()) {
            ok_ = false;
            return false;
        }
        pos_ += n;
        return true;
    }
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

// How each property's value is encoded (2.2.2.2), by identifier: a size in bytes, or one of
// these. Only to step over the properties find_receive_maximum() does not want.
namespace value_kind {
inline constexpr std::int8_t unknown = 0, varint = -1, counted = -2, string_pair = -3;
}
inline constexpr std::array<std::int8_t, 0x2B> property_values = [] {
    std::array<std::int8_t, 0x2B> t{};
    // Byte
    for (const int id : {0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A})
        t[id] = 1;
    // Two Byte Integer
    for (const int id : {0x13, 0x21, 0x22, 0x23})
        t[id] = 2;
    // Four Byte Integer
    for (const int id : {0x02, 0x11, 0x18, 0x27})
        t[id] = 4;
    // Subscription Identifier: a Variable Byte Integer
    t[0x0B] = value_kind::varint;
    // UTF-8 string or Binary Data: a two-byte length, then the bytes
    for (const int id : {0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F})
        t[id] = value_kind::counted;
    // User Property: two strings
    t[0x26] = value_kind::string_pair;
    return t;
}();

// The Receive Maximum (0x21) among a CONNACK's properties, if the broker sent one.
inline std::optional<std::uint16_t> find_receive_maximum(std::span<const std::uint8_t> props) {
    body_reader r(props);
    while (r.ok() && r.left() > 0) {
        const std::uint32_t id = r.varint();
        if (id == 0x21) return r.u16();
        const int value = id < property_values.size() ? property_values[id] : value_kind::unknown;
        if (value > 0) {
            r.take_span(std::size_t(value));
        } else if (value == value_kind::varint) {
            r.varint();
        } else if (value == value_kind::counted) {
            r.take_span(r.u16());
        } else if (value == value_kind::string_pair) {
            r.take_span(r.u16());
            r.take_span(r.u16());
        } else {
            return std::nullopt;  // malformed: stop looking
        }
    }
    return std::nullopt;
}

}  // namespace mqtt::bench::raw
