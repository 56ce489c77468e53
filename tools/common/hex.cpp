#include "tools/common/hex.hpp"

#include <fmt/format.h>

namespace mqtt::tools {

namespace {

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Appends the bytes of `digits` (an even count of hex digits) to `out`.
bool append_pairs(std::string_view digits, std::string_view token, std::vector<std::uint8_t>& out,
                  std::string& error) {
    for (char c : digits) {
        if (digit_value(c) < 0) {
            error = fmt::format("bad hex digit '{}' in \"{}\"", c, token);
            return false;
        }
    }
    if (digits.size() % 2 != 0) {
        error = fmt::format("odd number of hex digits in \"{}\"", token);
        return false;
    }
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        out.push_back(std::uint8_t(digit_value(digits[i]) << 4 | digit_value(digits[i + 1])));
    }
    return true;
}

bool is_separator(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':';
}

}  // namespace

std::string to_hex(bytes_view bytes, std::string_view separator) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * (2 + separator.size()));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) s += separator;
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 0x0F];
    }
    return s;
}

bool parse_hex_text(std::string_view text, std::vector<std::uint8_t>& out, std::string& error) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_separator(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && !is_separator(text[end]))
            ++end;
        const std::string_view token = text.substr(i, end - i);
        i = end;
        std::string_view digits = token;
        if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
            digits.remove_prefix(2);
            if (digits.empty()) {
                error = fmt::format("no hex digits after 0x in \"{}\"", token);
                return false;
            }
            if (digits.size() == 1 && digit_value(digits[0]) >= 0) {  // "0x3": one byte
                out.push_back(std::uint8_t(digit_value(digits[0])));
                continue;
            }
        }
        if (!append_pairs(digits, token, out, error)) return false;
    }
    return true;
}

bool parse_hex_strict(std::string_view text, std::vector<std::uint8_t>& out, std::string& error) {
    return append_pairs(text, text, out, error);
}

}  // namespace mqtt::tools
