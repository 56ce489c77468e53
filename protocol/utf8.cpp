#include "protocol/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace mqtt {

// A hand-rolled DFA-free validator: each lead byte says how many continuation bytes follow and
// which range the second byte must fall in (RFC 3629 table 3.7 of Unicode), which rules out
// overlong forms, surrogates and code points above U+10FFFF in one comparison.
std::size_t utf8_error_index(std::string_view s) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        // Fast path: eight ASCII bytes at a time, none of them zero (topics are mostly ASCII).
        while (n - i >= 8) {
            std::uint64_t v;
            std::memcpy(&v, p + i, 8);
            constexpr std::uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
            if ((v & high) != 0 || ((v - ones) & ~v & high) != 0) break;
            i += 8;
        }
        if (i >= n) break;
        const std::uint8_t b = p[i];
        if (b < 0x80) {
            if (b == 0) return i;  // U+0000, MQTT-1.5.4-2
            ++i;
            continue;
        }
        std::size_t len;
        std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            if (b == 0xE0) lo = 0xA0;  // overlong
            if (b == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            if (b == 0xF0) lo = 0x90;  // overlong
            if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return i;  // continuation byte, overlong lead C0/C1, or F5..FF
        }
        if (n - i < len) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

}  // namespace mqtt
