#include "protocol/detail/reader.hpp"

#include "protocol/utf8.hpp"

namespace mqtt::detail {

void reader::fail_at(std::size_t offset, reason_code rc, std::string_view field,
                     std::string_view problem) {
    if (failed_) return;
    failed_ = true;
    error_ = decode_error{rc, offset, type_, field, problem};
    pos_ = end_;
}

void reader::fail(reason_code rc, std::string_view field, std::string_view problem) {
    fail_at(offset(), rc, field, problem);
}

std::string_view reader::utf8(std::string_view field) {
    const bool was_muted = muted_;
    muted_ = true;
    const std::size_t start = offset();
    const std::string_view s = as_chars(binary(field));
    muted_ = was_muted;
    if (failed_) return {};
    if (const std::size_t bad = utf8_error_index(s); bad != std::string_view::npos) {
        fail_at(start + 2 + bad, reason_code::malformed_packet, field,
                s[bad] == 0
                    ? (v311() ? "U+0000 in a UTF-8 string (MQTT-1.5.3-2)"
                              : "U+0000 in a UTF-8 string (MQTT-1.5.4-2)")
                    : (v311() ? "invalid UTF-8 (MQTT-1.5.3-1)" : "invalid UTF-8 (MQTT-1.5.4-1)"));
        return {};
    }
    report(field, start, 2 + s.size(), s);
    return s;
}

string_pair reader::pair(std::string_view field) {
    const bool was_muted = muted_;
    muted_ = true;
    const std::size_t start = offset();
    string_pair p{utf8(field), utf8(field)};
    muted_ = was_muted;
    if (failed_) return {};
    report(field, start, offset() - start, p);
    return p;
}

bytes_view reader::rest(std::string_view field) {
    const bytes_view b{pos_, remaining()};
    if (!failed_) report(field, offset(), b.size(), b);
    pos_ = end_;
    return b;
}

reason_code reader::reason(std::string_view field) {
    if (!need(1, field)) return reason_code::success;
    const std::size_t start = offset();
    const auto rc = reason_code(*pos_++);
    if (!reason_code_allowed(type_, rc)) {
        fail_at(start, reason_code::protocol_error, field,
                "reason code not defined for this packet");
        return reason_code::success;
    }
    report(field, start, 1, named_reason{rc, type_});
    return rc;
}

const std::uint8_t* reader::push_limit(std::size_t n, std::string_view field) {
    const std::uint8_t* old = end_;
    if (need(n, field)) end_ = pos_ + n;
    return old;
}

}  // namespace mqtt::detail
