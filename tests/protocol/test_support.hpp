// Helpers shared by the protocol tests: writing byte vectors by hand, printing them, comparing
// packets with a readable failure message, and feeding bytes through decode() and the framer.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "protocol/packets.hpp"
#include "protocol/render.hpp"
#include "protocol/types.hpp"

namespace mqtt::test {

using byte_vector = std::vector<std::uint8_t>;

// Parses a hand-written byte vector: pairs of hex digits, with spaces anywhere between bytes, and
// 'quoted text' for bytes written as ASCII. Adjacent C++ string literals concatenate, so a vector
// can carry a comment per field:
//
//     hex("30"            // PUBLISH, QoS 0
//         "05"            // Remaining Length 5
//         "0003 'a/b'"    // Topic Name "a/b"
//         "00")           // Property Length 0
//
// Throws std::invalid_argument on anything else (a typo in a test vector).
inline byte_vector hex(std::string_view text) {
    auto digit = [&](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument("bad hex digit in test vector: " + std::string(text));
    };
    byte_vector out;
    for (std::size_t i = 0; i < text.size();) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\t') {
            ++i;
        } else if (c == '\'') {
            auto close = text.find('\'', i + 1);
            if (close == std::string_view::npos)
                throw std::invalid_argument("unterminated quote in test vector: " +
                                            std::string(text));
            for (std::size_t j = i + 1; j < close; ++j)
                out.push_back(std::uint8_t(text[j]));
            i = close + 1;
        } else {
            if (i + 1 >= text.size())
                throw std::invalid_argument("odd number of hex digits in test vector: " +
                                            std::string(text));
            out.push_back(std::uint8_t(digit(c) * 16 + digit(text[i + 1])));
            i += 2;
        }
    }
    return out;
}

// Joins byte vectors: concat(hex("30 80 01 ..."), byte_vector(122, 'x')).
// UTF-8 encoding of one code point (RFC 3629), written independently of the code under test.
// Surrogates and values above U+10FFFF are encoded as the bit pattern asks, so tests can build
// those invalid sequences too.
inline void append_utf8(std::string& s, std::uint32_t cp) {
    if (cp < 0x80) {
        s += char(cp);
    } else if (cp < 0x800) {
        s += char(0xC0 | (cp >> 6));
        s += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += char(0xE0 | (cp >> 12));
        s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
    } else {
        s += char(0xF0 | (cp >> 18));
        s += char(0x80 | ((cp >> 12) & 0x3F));
        s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
    }
}

inline byte_vector concat(std::initializer_list<byte_vector> parts) {
    byte_vector out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// "30 05 00 03 61 2f 62", for failure messages.
inline std::string to_hex(bytes_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i) s += ' ';
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 0xF];
    }
    return s;
}

// A view of a string literal's bytes, for payloads, passwords and binary properties. Write
// binary literals with the `sv` suffix so embedded zero bytes count: bin("\x00\x01"sv).
inline bytes_view bin(std::string_view s) {
    return as_bytes(s);
}

// A list_view over items that outlive it (a namespace-scope array, a vector kept alive).
template <class T, std::size_t N>
list_view<T> list(const T (&items)[N]) {
    return list_view<T>(std::span<const T>(items, N));
}
template <class T>
list_view<T> list(const std::vector<T>& items) {
    return list_view<T>(std::span<const T>(items.data(), items.size()));
}

// EXPECT_TRUE(same_packet(actual, expected)) prints both packets rendered on failure.
inline ::testing::AssertionResult same_packet(const packet& actual, const packet& expected) {
    if (actual == expected) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "\n  actual:   " << to_string(actual) << "\n  expected: " << to_string(expected);
}

// The items of a list_view (decoded lazily from the wire or pointing at caller data), copied.
template <class T>
std::vector<T> to_vector(const list_view<T>& items) {
    return std::vector<T>(items.begin(), items.end());
}

// Encodes `p` into a buffer of exactly encoded_size(p) bytes; empty when it cannot be encoded.
inline byte_vector encode_to_vector(const packet& p) {
    auto size = encoded_size(p);
    if (!size) return {};
    byte_vector out(*size);
    std::size_t written = encode(p, out);
    out.resize(written);
    return out;
}

// Feeds `bytes` to a fresh framer one byte at a time. Every byte but the last must give
// need_more (consuming that byte); the last must give complete. Returns a copy of the framed
// packet bytes, or nullopt (after recording a failure) when the framer did something else.
inline std::optional<byte_vector> frame_byte_by_byte(bytes_view bytes) {
    framer f;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        frame_result r = f.feed(bytes.subspan(i, 1));
        bool last = i + 1 == bytes.size();
        if (r.status == decode_status::error) {
            ADD_FAILURE() << "framer error at byte " << i << ": " << r.error.message();
            return std::nullopt;
        }
        if (r.consumed != 1) {
            ADD_FAILURE() << "framer consumed " << r.consumed << " of 1 byte at byte " << i;
            return std::nullopt;
        }
        if (!last && r.status != decode_status::need_more) {
            ADD_FAILURE() << "framer completed early, at byte " << i << " of " << bytes.size();
            return std::nullopt;
        }
        if (!last && f.buffered() != i + 1) {
            ADD_FAILURE() << "framer holds " << f.buffered() << " bytes after " << i + 1;
            return std::nullopt;
        }
        if (last) {
            if (r.status != decode_status::complete) {
                ADD_FAILURE() << "framer still wants more after the last byte";
                return std::nullopt;
            }
            EXPECT_EQ(r.header.packet_size(), bytes.size());
            EXPECT_EQ(f.stream_offset(), bytes.size());
            return byte_vector(r.packet.begin(), r.packet.end());
        }
    }
    ADD_FAILURE() << "no bytes to frame";
    return std::nullopt;
}

// Feeds `bytes` to a fresh framer in two chunks split at `split` (0 < split < size): the first
// must give need_more, the second complete. Returns a copy of the framed packet bytes.
inline std::optional<byte_vector> frame_in_two(bytes_view bytes, std::size_t split) {
    framer f;
    frame_result first = f.feed(bytes.first(split));
    if (first.status != decode_status::need_more || first.consumed != split) {
        ADD_FAILURE() << "first chunk of " << split << " bytes: status " << int(first.status)
                      << ", consumed " << first.consumed
                      << (first.status == decode_status::error ? ", " + first.error.message()
                                                               : std::string());
        return std::nullopt;
    }
    frame_result second = f.feed(bytes.subspan(split));
    if (second.status != decode_status::complete || second.consumed != bytes.size() - split) {
        ADD_FAILURE() << "second chunk of " << bytes.size() - split << " bytes: status "
                      << int(second.status) << ", consumed " << second.consumed
                      << (second.status == decode_status::error ? ", " + second.error.message()
                                                                : std::string());
        return std::nullopt;
    }
    return byte_vector(second.packet.begin(), second.packet.end());
}

}  // namespace mqtt::test
