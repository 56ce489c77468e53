// Internal: writes MQTT data types (spec 1.5) into a caller-owned buffer whose size was computed
// beforehand, so no call checks capacity.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "protocol/types.hpp"

namespace mqtt::detail {

constexpr std::size_t varint_size(std::uint32_t v) {
    return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

class writer {
  public:
    explicit writer(std::uint8_t* out, protocol_version version = protocol_version::v5)
        : p_(out), version_(version) {}
    // The version whose layout the packet is written in.
    bool v311() const { return version_ != protocol_version::v5; }  // 3.1.1 or 3.1

    void u8(std::uint8_t v) { *p_++ = v; }
    void u16(std::uint16_t v) {
        p_[0] = std::uint8_t(v >> 8);
        p_[1] = std::uint8_t(v);
        p_ += 2;
    }
    void u32(std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            *p_++ = std::uint8_t(v >> shift);
    }
    // Variable Byte Integer, shortest form (MQTT-1.5.5-1).
    void varint(std::uint32_t v) {
        do {
            std::uint8_t b = v & 0x7F;
            v >>= 7;
            if (v) b |= 0x80;
            *p_++ = b;
        } while (v);
    }
    void raw(bytes_view b) {
        if (!b.empty()) std::memcpy(p_, b.data(), b.size());
        p_ += b.size();
    }
    // UTF-8 Encoded String or Binary Data: two-byte length, then the bytes.
    void utf8(std::string_view s) { binary(as_bytes(s)); }
    void binary(bytes_view b) {
        u16(std::uint16_t(b.size()));
        raw(b);
    }
    std::uint8_t* position() const { return p_; }

  private:
    std::uint8_t* p_;
    protocol_version version_;
};

}  // namespace mqtt::detail
