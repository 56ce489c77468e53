// mqtt-inspect decode: hex in, packets out, layer by layer (or as JSON lines).
#include <iostream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tools/common/dissect.hpp"
#include "tools/common/hex.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/inspect/commands.hpp"

namespace mqtt::inspect {

namespace {

std::string read_all(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Hex digits needed for the largest offset, at least 4.
int offset_digits(std::size_t size) {
    int digits = 4;
    while (size > (std::size_t(1) << (4 * digits)))
        ++digits;
    return digits;
}

// What is missing from the incomplete packet at the start of `rest`.
std::string incomplete_message(bytes_view rest, const decode_options& opts) {
    const header_result h = decode_fixed_header(rest, opts);
    if (h.status == decode_status::complete && h.header.packet_size() > rest.size()) {
        return fmt::format("incomplete packet: {} more bytes needed",
                           h.header.packet_size() - rest.size());
    }
    return "incomplete packet: at least 1 more byte needed (the fixed header is cut short)";
}

}  // namespace

int run_decode(const decode_settings& s, std::istream& in, std::ostream& out, std::ostream& err) {
    std::string text;
    if (s.hex.empty()) {
        text = read_all(in);
    } else {
        for (const std::string& arg : s.hex)
            text += arg + ' ';
    }
    std::vector<std::uint8_t> bytes;
    std::string hex_error;
    if (!tools::parse_hex_text(text, bytes, hex_error)) {
        err << "error: bad hex input: " << hex_error << '\n';
        return exit_bad_input;
    }
    if (bytes.empty()) {
        err << "error: no bytes to decode (give hex as arguments or on stdin)\n";
        return exit_bad_input;
    }

    const bytes_view stream(bytes);
    decode_options opts;
    opts.maximum_packet_size = s.maximum_packet_size;
    opts.version = s.version;
    tools::dissect_style style;
    style.offset_digits = offset_digits(bytes.size());

    std::size_t pos = 0;
    for (int number = 1; pos < stream.size(); ++number) {
        const bytes_view rest = stream.subspan(pos);
        tools::dissection d;
        if (s.json) {
            decode_options at = opts;
            at.base_offset = pos;
            d.result = decode(rest, at);
        } else {
            d = tools::dissect(stream, pos, opts, style);
        }
        const decode_result& r = d.result;
        if (r.status == decode_status::need_more) {
            out.flush();
            err << fmt::format("error: {} (packet {} at offset {})\n",
                               incomplete_message(rest, opts), number, pos);
            return exit_bad_input;
        }
        if (r.status == decode_status::error) {
            if (!s.json) {
                if (number > 1) out << '\n';
                out << fmt::format("Packet {} at {:0{}x}: malformed\n", number, pos,
                                   style.offset_digits)
                    << d.text;
            }
            out.flush();
            err << "error: " << r.error.message() << '\n';
            return exit_bad_input;
        }
        if (s.json) {
            out << tools::packet_to_json(r.value, s.version)
                       .dump(-1, ' ', false, tools::json::error_handler_t::replace)
                << '\n';
        } else {
            if (number > 1) out << '\n';
            out << fmt::format("Packet {} at {:0{}x}-{:0{}x} ({} bytes): {}\n", number, pos,
                               style.offset_digits, pos + r.consumed - 1, style.offset_digits,
                               r.consumed, to_string(r.value, s.version))
                << d.text;
        }
        pos += r.consumed;
    }
    return exit_ok;
}

}  // namespace mqtt::inspect
