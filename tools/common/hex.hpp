// Hex text <-> bytes, as the tools print and read them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/types.hpp"

namespace mqtt::tools {

// Lowercase hex, bytes separated by `separator` ("" gives "300e", " " gives "30 0e").
std::string to_hex(bytes_view bytes, std::string_view separator = "");

// Hex as people paste it: bytes as pairs of digits, in tokens separated by spaces, newlines,
// commas or ':', each token optionally prefixed by 0x ("30 0e", "300e", "0x30,0x0e", "30:0e";
// "0x3" is one byte). Returns false and sets `error` (naming the offending token) on bad input.
bool parse_hex_text(std::string_view text, std::vector<std::uint8_t>& out, std::string& error);

// Strict hex, as in the JSON format: an even number of hex digits and nothing else ("" is empty).
bool parse_hex_strict(std::string_view text, std::vector<std::uint8_t>& out, std::string& error);

}  // namespace mqtt::tools
