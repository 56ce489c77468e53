#include "tools/common/stream_splitter.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "protocol/codec.hpp"

namespace mqtt::tools {

namespace {

enum class check : std::uint8_t { need_more, no, yes };

// The packet size a fixed header at the start of `b` gives by its Remaining Length alone, read
// as a Variable Byte Integer of 1 to 4 bytes whatever the type and flags say (spec 1.5.5):
// nullopt with `need_more` when `b` ends first, nullopt without it when the integer is longer
// than 4 bytes.
std::optional<std::size_t> framed_size(bytes_view b, bool& need_more) {
    need_more = false;
    std::size_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (b.size() < i + 2) {
            need_more = true;
            return std::nullopt;
        }
        length |= std::size_t(b[i + 1] & 0x7F) << (7 * i);
        if ((b[i + 1] & 0x80) == 0) return i + 2 + length;
    }
    return std::nullopt;
}

// Whether a valid fixed header (type, flags, shortest Remaining Length) starts `b`.
check valid_header(bytes_view b) {
    const header_result h = decode_fixed_header(b);
    if (h.status == decode_status::complete) return check::yes;
    return h.status == decode_status::need_more ? check::need_more : check::no;
}

// Whether a packet of `size` bytes at the start of `b` ends where the data ends or where
// another valid fixed header starts. At the end of the data a header cut short counts as one.
// With `lenient_next`, the next header may be invalid for its type too (a second malformed
// packet in a row) if its own packet ends plausibly, by the strict rule.
check ends_plausibly(bytes_view b, std::size_t size, bool at_end, bool lenient_next = false) {
    if (b.size() < size) return at_end ? check::no : check::need_more;
    if (b.size() == size) return at_end ? check::yes : check::need_more;
    const bytes_view next = b.subspan(size);
    const check valid = valid_header(next);
    if (valid == check::need_more) return at_end ? check::yes : check::need_more;
    if (valid == check::yes || !lenient_next) return valid;
    bool more = false;
    const std::optional<std::size_t> next_size = framed_size(next, more);
    if (more) return at_end ? check::yes : check::need_more;
    return next_size ? ends_plausibly(next, *next_size, at_end) : check::no;
}

}  // namespace

void stream_splitter::feed(bytes_view bytes, std::vector<split_event>& out) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    run(false, out);
}

void stream_splitter::gap(std::size_t missing, std::vector<split_event>& out) {
    run(true, out);
    offset_ += missing;
    resyncing_ = true;
    skip_from_ = offset_;
}

void stream_splitter::finish(std::vector<split_event>& out) {
    run(true, out);
}

void stream_splitter::run(bool at_end, std::vector<split_event>& out) {
    const bytes_view all(buffer_);
    std::size_t at = 0;  // into buffer_
    while (at < all.size()) {
        const bytes_view rest = all.subspan(at);
        if (resyncing_) {
            const check header = valid_header(rest);
            if (header == check::need_more && !at_end) break;
            check plausible = check::no;
            if (header == check::yes) {
                bool more = false;
                const std::optional<std::size_t> size = framed_size(rest, more);
                plausible = size ? ends_plausibly(rest, *size, at_end) : check::no;
            }
            if (plausible == check::need_more) break;
            if (plausible == check::no) {
                ++at;
                continue;
            }
            split_event e;
            e.what = split_event::kind::resync;
            e.offset = offset_ + at;
            e.size = offset_ + at - skip_from_;
            out.push_back(std::move(e));
            resyncing_ = false;
            mark_next_ = true;
            continue;
        }
        bool more = false;
        const std::optional<std::size_t> size = framed_size(rest, more);
        const check header = valid_header(rest);
        std::string bad;  // why the header is bad, when it is (offsets in the stream)
        const decode_options here{max_packet_size_limit, offset_ + at};
        if (!size && !more) {
            bad = decode_fixed_header(rest, here).error.message();
        } else if (size && header == check::no) {
            // An invalid type or flags byte with a readable Remaining Length: a packet when it
            // ends plausibly (decoding then names the fault), else a bad header.
            const check ends = ends_plausibly(rest, *size, at_end, true);
            if (ends == check::need_more) break;
            if (ends == check::no) bad = decode_fixed_header(rest, here).error.message();
        } else if (!size || rest.size() < *size) {  // a header or packet still incomplete
            if (!at_end) break;
            split_event e;
            e.what = split_event::kind::cut;
            e.offset = offset_ + at;
            e.size = rest.size();
            e.reason = size ? fmt::format("{} of its {} bytes", rest.size(), *size)
                            : fmt::format("{} bytes of its fixed header", rest.size());
            out.push_back(std::move(e));
            at = all.size();
            break;
        }
        if (!bad.empty()) {
            split_event e;
            e.what = split_event::kind::bad_header;
            e.offset = offset_ + at;
            e.reason = std::move(bad);
            out.push_back(std::move(e));
            resyncing_ = true;
            skip_from_ = offset_ + at;
            ++at;
            continue;
        }
        split_event e;
        e.what = split_event::kind::packet;
        e.offset = offset_ + at;
        e.size = *size;
        e.bytes.assign(rest.begin(), rest.begin() + std::ptrdiff_t(*size));
        e.resynced = std::exchange(mark_next_, false);
        out.push_back(std::move(e));
        at += *size;
    }
    if (at_end && resyncing_ && offset_ + at > skip_from_) {
        split_event e;
        e.what = split_event::kind::skipped;
        e.offset = skip_from_;
        e.size = offset_ + at - skip_from_;
        out.push_back(std::move(e));
        skip_from_ = offset_ + at;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + std::ptrdiff_t(at));
    offset_ += at;
}

}  // namespace mqtt::tools
