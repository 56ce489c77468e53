// The table of malformed and protocol-violating packets the decoder must refuse, written by hand
// byte by byte (malformed_test.cpp runs it). Its cases live in two files: the encodings every
// packet shares (malformed_encoding_cases.cpp) and the rules of each packet type
// (malformed_packet_cases.cpp).
#pragma once

#include <cstdint>
#include <limits>
#include <ostream>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"

namespace mqtt::test {

using rc = reason_code;
using bytes = std::vector<std::uint8_t>;

inline constexpr std::string_view any_field = "";
inline constexpr std::size_t any_offset = std::numeric_limits<std::size_t>::max();

struct expected_error {
    reason_code reason;
    std::string_view field = any_field;  // decode_error::field, when stable
    std::size_t offset = any_offset;     // decode_error::offset, when stable
};

struct malformed_case {
    const char* name;  // the gtest parameter name
    bytes input;
    expected_error expect;
    std::uint32_t maximum_packet_size = max_packet_size_limit;
};

inline void PrintTo(const malformed_case& c, std::ostream* os) {
    *os << c.name;
}

// Fixed header, Remaining Length, strings and binary data, UTF-8: what every packet shares.
std::vector<malformed_case> malformed_encoding_cases();
// The rules of each packet type (spec 3.1 - 3.15), and Packet Too Large.
std::vector<malformed_case> malformed_packet_cases();

}  // namespace mqtt::test
