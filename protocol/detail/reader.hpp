// Internal: reads MQTT data types (spec 1.5) from one packet's bytes, bounded by its Remaining
// Length (or a narrower limit, such as a property block). Errors are sticky: the first one is
// kept, the reader jumps to its limit, and every later read returns an empty value, so decoders
// read straight through and check failed() where a value steers control flow. Every read names
// its field: for the error message, and for the optional visitor.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/error.hpp"
#include "protocol/property.hpp"
#include "protocol/visitor.hpp"

namespace mqtt::detail {

class reader {
  public:
    reader(bytes_view bytes, std::size_t base_offset, packet_type type, field_visitor* visitor,
           protocol_version version = protocol_version::v5)
        : begin_(bytes.data()),
          pos_(bytes.data()),
          end_(bytes.data() + bytes.size()),
          base_(base_offset),
          type_(type),
          visitor_(visitor),
          version_(version) {}

    std::uint8_t u8(std::string_view field);
    std::uint16_t u16(std::string_view field);
    std::uint32_t u32(std::string_view field);
    std::uint32_t varint(std::string_view field);
    std::string_view utf8(std::string_view field);  // validated: MQTT-1.5.4-1, -2
    bytes_view binary(std::string_view field);
    string_pair pair(std::string_view field);  // MQTT-1.5.7-1
    bytes_view rest(std::string_view field);   // everything up to the limit (PUBLISH payload)
    // A reason code, checked against the codes the packet may carry (0x82 otherwise).
    reason_code reason(std::string_view field = "Reason Code");

    // Records the first error; the reader then reads nothing more.
    void fail(reason_code rc, std::string_view field, std::string_view problem);
    void fail_at(std::size_t offset, reason_code rc, std::string_view field,
                 std::string_view problem);
    bool failed() const { return failed_; }
    const decode_error& error() const { return error_; }

    std::size_t offset() const { return base_ + std::size_t(pos_ - begin_); }
    std::size_t remaining() const { return std::size_t(end_ - pos_); }
    bool at_end() const { return pos_ == end_; }
    const std::uint8_t* position() const { return pos_; }
    packet_type type() const { return type_; }
    // The version whose rules the packet is read by (a CONNECT switches it to its own).
    protocol_version version() const { return version_; }
    // 3.1.1's rules, which MQTT 3.1 follows too but for its CONNECT.
    bool v311() const { return version_ != protocol_version::v5; }
    bool v31() const { return version_ == protocol_version::v31; }
    void set_version(protocol_version v) { version_ = v; }

    // Narrows reads to the next n bytes (0x81 if fewer remain); returns the old limit.
    const std::uint8_t* push_limit(std::size_t n, std::string_view field);
    void pop_limit(const std::uint8_t* old_end) { end_ = failed_ ? pos_ : old_end; }

    // Visitor plumbing. While muted, reads report nothing (a property's parts are reported once,
    // as the property).
    field_visitor* visitor() const { return muted_ ? nullptr : visitor_; }
    void mute(bool m) { muted_ = m; }
    // The value becomes a field_value only when there is a visitor: building the variant on the
    // hot path (no visitor) costs a store-forwarding stall per field.
    template <class V>
    void report(std::string_view name, std::size_t offset, std::size_t size, const V& value,
                std::uint8_t bit_mask = 0) const {
        if (field_visitor* v = visitor())
            v->field(field_event{name, offset, size, bit_mask, field_value(value)});
    }
    void begin(std::string_view section) const;
    void end() const;

  private:
    bool need(std::size_t n, std::string_view field);

    const std::uint8_t* begin_;
    const std::uint8_t* pos_;
    const std::uint8_t* end_;
    std::size_t base_;
    packet_type type_;
    field_visitor* visitor_;
    protocol_version version_;
    bool muted_ = false;
    bool failed_ = false;
    decode_error error_;
};

inline std::uint8_t reader::u8(std::string_view field) {
    if (!need(1, field)) return 0;
    const std::uint8_t v = *pos_++;
    report(field, offset() - 1, 1, std::uint64_t(v));
    return v;
}

inline std::uint16_t reader::u16(std::string_view field) {
    if (!need(2, field)) return 0;
    const auto v = std::uint16_t(pos_[0] << 8 | pos_[1]);
    pos_ += 2;
    report(field, offset() - 2, 2, std::uint64_t(v));
    return v;
}

inline std::uint32_t reader::u32(std::string_view field) {
    if (!need(4, field)) return 0;
    const std::uint32_t v = std::uint32_t(pos_[0]) << 24 | std::uint32_t(pos_[1]) << 16 |
                            std::uint32_t(pos_[2]) << 8 | std::uint32_t(pos_[3]);
    pos_ += 4;
    report(field, offset() - 4, 4, std::uint64_t(v));
    return v;
}

inline std::uint32_t reader::varint(std::string_view field) {
    const std::size_t start = offset();
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        if (!need(1, field)) return 0;
        const std::uint8_t b = *pos_++;
        v |= std::uint32_t(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            if (i > 0 && b == 0) {
                fail_at(start, reason_code::malformed_packet, field,
                        "Variable Byte Integer not in its shortest form (MQTT-1.5.5-1)");
                return 0;
            }
            report(field, start, std::size_t(i + 1), std::uint64_t(v));
            return v;
        }
    }
    fail_at(start, reason_code::malformed_packet, field,
            "Variable Byte Integer longer than 4 bytes");
    return 0;
}

inline bytes_view reader::binary(std::string_view field) {
    const std::size_t start = offset();
    if (!need(2, field)) return {};
    const std::size_t n = std::size_t(pos_[0] << 8 | pos_[1]);
    pos_ += 2;
    if (!need(n, field)) return {};
    const bytes_view b{pos_, n};
    pos_ += n;
    report(field, start, 2 + n, b);
    return b;
}

inline bool reader::need(std::size_t n, std::string_view field) {
    if (failed_) return false;
    if (remaining() < n) {
        fail(reason_code::malformed_packet, field, "truncated: runs past the end of its length");
        return false;
    }
    return true;
}

inline void reader::begin(std::string_view section) const {
    if (field_visitor* v = visitor()) v->begin_section(section, offset());
}

inline void reader::end() const {
    if (field_visitor* v = visitor()) v->end_section(offset());
}

// Reads the Properties of a packet or Will (spec 2.2.2): Property Length, then properties, each
// checked against its row of the property table: defined (0x81), allowed in `ctx` (0x81), not
// repeated where it may not repeat (0x82), and obeying its value rule (the rule's reason code).
void read_properties(reader& r, property_context ctx, properties& out,
                     std::string_view section = "Properties");

}  // namespace mqtt::detail
