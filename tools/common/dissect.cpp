#include "tools/common/dissect.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "protocol/property.hpp"
#include "protocol/reason_format.hpp"
#include "protocol/utf8.hpp"
#include "tools/common/hex.hpp"

namespace mqtt::tools {

namespace {

using out_t = std::back_insert_iterator<std::string>;

// Valid UTF-8 apart from U+0000 (which MQTT forbids in strings but we can still escape).
bool utf8_apart_from_nul(std::string_view s) {
    std::string copy(s);
    std::replace(copy.begin(), copy.end(), '\0', ' ');
    return valid_utf8(copy);
}

bool printable_text(bytes_view b) {
    for (const std::uint8_t c : b) {
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F) return false;
    }
    return valid_utf8(as_chars(b));
}

std::string_view qos_meaning(std::uint64_t q) {
    switch (q) {
        case 0:
            return "At most once";
        case 1:
            return "At least once";
        case 2:
            return "Exactly once";
        default:
            return "invalid";
    }
}

std::string_view retain_handling_meaning(std::uint64_t v) {
    switch (v) {
        case 0:
            return "send retained messages at subscribe";
        case 1:
            return "send retained messages only for a new subscription";
        case 2:
            return "do not send retained messages";
        default:
            return "invalid";
    }
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// An integer field, with its meaning where the spec gives the values one.
std::string integer_text(std::string_view name, std::uint64_t v, std::size_t size,
                         std::uint8_t bit_mask) {
    if (name == "Packet Type") {
        return fmt::format("{} ({})", packet_type_name(packet_type(v)), v);
    }
    if (ends_with(name, "QoS")) return fmt::format("{} ({})", v, qos_meaning(v));
    if (name == "Retain Handling") return fmt::format("{} ({})", v, retain_handling_meaning(v));
    if (name == "Protocol Version") {
        const std::string_view version = v == 5   ? "MQTT 5.0"
                                         : v == 4 ? "MQTT 3.1.1"
                                         : v == 3 ? "MQTT 3.1"
                                                  : "unknown";
        return fmt::format("{} ({})", v, version);
    }
    // MQTT 3.1.1 and 3.1 have return codes where v5 has reason codes, named by their own tables.
    if (name == "Connect Return Code") {
        const std::string_view n = connect_return_code_name(connect_return_code(std::uint8_t(v)));
        return fmt::format("0x{:02X} {}", v, n.empty() ? "(reserved)" : n);
    }
    if (name == "Return Code") {  // SUBACK's
        const std::string_view n = suback_return_code_name(std::uint8_t(v));
        return fmt::format("0x{:02X} {}", v, n.empty() ? "(reserved)" : n);
    }
    if (name == "Payload Format Indicator") {
        return fmt::format("{} ({})", v,
                           v == 0   ? "unspecified bytes"
                           : v == 1 ? "UTF-8 text"
                                    : "invalid");
    }
    if (bit_mask == 0 && size == 1 &&
        (ends_with(name, "Flags") || name == "Subscription Options")) {
        return fmt::format("0x{:02x}", v);
    }
    return fmt::format("{}", v);
}

std::string value_text(const field_event& e) {
    struct visitor {
        const field_event& e;
        std::string operator()(std::monostate) const { return {}; }
        std::string operator()(std::uint64_t v) const {
            return integer_text(e.name, v, e.size, e.bit_mask);
        }
        std::string operator()(std::string_view s) const { return quoted(s); }
        std::string operator()(bytes_view b) const { return binary_summary(b); }
        std::string operator()(const string_pair& p) const {
            return fmt::format("{} = {}", quoted(p.name), quoted(p.value));
        }
        std::string operator()(const named_reason& r) const { return fmt::format("{}", r); }
    };
    return std::visit(visitor{e}, e.value);
}

// "0011 ...." for the bits of `byte` under `mask`.
std::string bit_pattern(std::uint8_t byte, std::uint8_t mask) {
    std::string s;
    for (int bit = 7; bit >= 0; --bit) {
        s += ((mask >> bit) & 1) ? char('0' + ((byte >> bit) & 1)) : '.';
        if (bit == 4) s += ' ';
    }
    return s;
}

}  // namespace

std::string quoted(std::string_view s) {
    const bool utf8 = utf8_apart_from_nul(s);
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            default:
                break;
        }
        if (u < 0x20 || u == 0x7F || (u >= 0x80 && !utf8)) {
            fmt::format_to(out_t(out), "\\x{:02x}", u);
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

std::string binary_summary(bytes_view b, std::size_t max_bytes) {
    if (b.empty()) return "(empty)";
    const bytes_view head = b.first(std::min(b.size(), max_bytes));
    std::string s = to_hex(head);
    if (head.size() < b.size()) fmt::format_to(out_t(s), "... ({} bytes)", b.size());
    if (printable_text(b)) {
        std::size_t n = std::min(b.size(), max_bytes * 2);
        while (n < b.size() && n > 0 && (b[n] & 0xC0) == 0x80)
            --n;  // whole characters only
        s += "  " + quoted(as_chars(b.first(n)));
        if (n < b.size()) s += "...";
    }
    return s;
}

dissector::dissector(bytes_view stream, std::size_t stream_base, dissect_style style)
    : stream_(stream), stream_base_(stream_base), style_(style) {}

void dissector::begin_section(std::string_view name, std::size_t offset) {
    line l;
    l.depth = int(open_.size());
    l.section = true;
    l.closed = false;
    l.offset = offset;
    l.label = std::string(name);
    open_.push_back(lines_.size());
    lines_.push_back(std::move(l));
}

void dissector::end_section(std::size_t end_offset) {
    if (open_.empty()) return;
    line& l = lines_[open_.back()];
    open_.pop_back();
    l.closed = true;
    l.size = end_offset >= l.offset ? end_offset - l.offset : 0;
    if (l.size == 0) l.label += " (empty)";
}

void dissector::field(const field_event& e) {
    line l;
    l.depth = int(open_.size());
    // Bit fields right after their whole byte (Connect Flags, Subscription Options) nest under it.
    if (e.bit_mask != 0 && !lines_.empty() && !lines_.back().section &&
        lines_.back().offset == e.offset) {
        const line& before = lines_.back();
        l.depth = before.bit_mask == 0 ? before.depth + 1 : before.depth;
    }
    l.offset = e.offset;
    l.size = e.size;
    l.bit_mask = e.bit_mask;
    std::string name(e.name);
    // A property (a field named as the table names the identifier in its first byte): its
    // identifier after its name.
    if (e.bit_mask == 0 && e.size >= 2) {
        const bytes_view first = bytes_at(e.offset, 1);
        const property_info* info = first.empty() ? nullptr : find_property(first[0]);
        if (info && info->name == e.name) {
            name = fmt::format("{} (0x{:02X})", e.name, std::uint8_t(info->id));
        }
    }
    const std::string value = value_text(e);
    if (!value.empty()) {
        l.label = fmt::format("{}: {}", name, value);
    } else if (e.size == 0) {
        l.label = name + ": (empty)";
    } else {
        l.label = std::move(name);
    }
    lines_.push_back(std::move(l));
}

bytes_view dissector::bytes_at(std::size_t offset, std::size_t size) const {
    if (offset < stream_base_) return {};
    const std::size_t at = offset - stream_base_;
    if (at >= stream_.size()) return {};
    return stream_.subspan(at, std::min(size, stream_.size() - at));
}

std::string dissector::offset_column(std::size_t offset, std::size_t size, bool range) const {
    const int d = style_.offset_digits;
    std::string s = range && size > 1
                        ? fmt::format("{:0{}x}-{:0{}x}", offset, d, offset + size - 1, d)
                        : fmt::format("{:0{}x}", offset, d);
    s.resize(std::max<std::size_t>(s.size(), std::size_t(2 * d + 1)), ' ');
    return s;
}

void dissector::render_line(const line& l, std::string& out) const {
    const std::size_t bytes_width = style_.bytes_per_row * 3 - 1;
    const std::string indent(std::size_t(2 * l.depth), ' ');
    if (l.section) {
        out += offset_column(l.offset, l.size, l.closed);
        fmt::format_to(out_t(out), "  {:{}}  {}{}\n", "", bytes_width, indent, l.label);
        return;
    }
    const bytes_view raw = bytes_at(l.offset, l.size);
    if (l.bit_mask != 0) {
        out += offset_column(l.offset, 1, false);
        const std::string bits = raw.empty() ? std::string() : bit_pattern(raw[0], l.bit_mask);
        fmt::format_to(out_t(out), "  {:{}}  {}{}\n", bits, bytes_width, indent, l.label);
        return;
    }
    // The first row carries the label; longer fields continue with more rows of raw bytes.
    const std::size_t per_row = style_.bytes_per_row;
    out += offset_column(l.offset, l.size, true);
    fmt::format_to(out_t(out), "  {:{}}  {}{}\n",
                   to_hex(raw.first(std::min(raw.size(), per_row)), " "), bytes_width, indent,
                   l.label);
    std::size_t shown = std::min(raw.size(), per_row);
    for (std::size_t row = 1; shown < raw.size(); ++row) {
        if (row == style_.max_rows) {
            fmt::format_to(out_t(out), "{:{}}  ... {} more bytes\n", "",
                           std::size_t(2 * style_.offset_digits + 1), raw.size() - shown);
            break;
        }
        const std::size_t n = std::min(raw.size() - shown, per_row);
        out += offset_column(l.offset + shown, 1, false);
        fmt::format_to(out_t(out), "  {}\n", to_hex(raw.subspan(shown, n), " "));
        shown += n;
    }
}

std::string dissector::render() const {
    std::string out;
    for (const line& l : lines_)
        render_line(l, out);
    return out;
}

std::string dissector::render(const decode_error& error) const {
    std::string out;
    for (const line& l : lines_) {
        // The decoder closes the sections it was in and may open (empty) ones after an error;
        // those say nothing.
        if (l.section && l.closed && l.size == 0 && l.offset >= error.offset) continue;
        render_line(l, out);
    }
    const bytes_view raw = bytes_at(error.offset, 1);
    out += offset_column(error.offset, 1, false);
    fmt::format_to(out_t(out), "  {:{}}  ** {}\n", to_hex(raw, " "), style_.bytes_per_row * 3 - 1,
                   error.message());
    return out;
}

dissection dissect(bytes_view stream, std::size_t offset, const decode_options& opts,
                   const dissect_style& style) {
    dissection d;
    dissector visitor(stream, opts.base_offset, style);
    decode_options at = opts;
    at.base_offset = opts.base_offset + offset;
    d.result = decode(stream.subspan(std::min(offset, stream.size())), at, &visitor);
    if (d.result.status == decode_status::error) {
        d.text = visitor.render(d.result.error);
    } else if (d.result.status == decode_status::complete) {
        d.text = visitor.render();
    }
    return d;
}

std::string undecoded_rows(bytes_view packet, std::size_t from, const dissect_style& style) {
    std::string out;
    const int d = style.offset_digits;
    const std::size_t width = style.bytes_per_row * 3 - 1;
    for (std::size_t at = from; at < packet.size(); at += style.bytes_per_row) {
        const std::size_t n = std::min(style.bytes_per_row, packet.size() - at);
        std::string column = fmt::format("{:0{}x}-{:0{}x}", at, d, at + n - 1, d);
        std::string row =
            fmt::format("{:{}}  {:{}}  {}", column, std::size_t(2 * d + 1),
                        to_hex(packet.subspan(at, n), " "), width,
                        at == from ? fmt::format("not decoded ({} bytes)", packet.size() - from)
                                   : std::string());
        row.erase(row.find_last_not_of(' ') + 1);
        out += row + '\n';
    }
    return out;
}

}  // namespace mqtt::tools
