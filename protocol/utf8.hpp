// UTF-8 Encoded String validation, spec 1.5.4.
#pragma once

#include <cstddef>
#include <string_view>

namespace mqtt {

// Index of the first byte that makes `s` an invalid MQTT UTF-8 string, or npos when valid:
// ill-formed UTF-8 (RFC 3629: overlong forms, surrogates U+D800..U+DFFF, code points above
// U+10FFFF, truncated sequences; MQTT-1.5.4-1) or U+0000 (MQTT-1.5.4-2). U+FEFF is kept as is
// (MQTT-1.5.4-3).
std::size_t utf8_error_index(std::string_view s);
inline bool valid_utf8(std::string_view s) {
    return utf8_error_index(s) == std::string_view::npos;
}

}  // namespace mqtt
