// A packet printed layer by layer, the way Wireshark's packet-details and packet-bytes panes show
// it: one line per section (Fixed Header, Variable Header, Properties, Payload, ...) and per
// field, each with its byte offsets and raw bytes, then the field's name and decoded value:
//
//   0002-0006  00 03 61 2f 62             Topic Name: "a/b"
//   0000       .... .01.                  QoS: 1 (At least once)
//   000a-000e  02 00 00 00 3c               Message Expiry Interval (0x02): 60
//
// `dissector` is an mqtt::field_visitor: pass it to mqtt::decode(), which reports every field it
// reads, then render(). Offsets are those the decoder reports (decode_options::base_offset plus
// the position in the decoded bytes), so a stream's packets keep their stream offsets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/visitor.hpp"

namespace mqtt::tools {

struct dissect_style {
    int offset_digits = 4;          // hex digits per offset (more for long streams)
    std::size_t bytes_per_row = 8;  // raw bytes per line; longer fields continue on more lines
    std::size_t max_rows = 8;       // lines of raw bytes per field before "... N more bytes"
};

class dissector final : public field_visitor {
  public:
    // `stream` holds the bytes the decoder reports on; its first byte is at offset `stream_base`.
    explicit dissector(bytes_view stream, std::size_t stream_base = 0, dissect_style style = {});

    void begin_section(std::string_view name, std::size_t offset) override;
    void end_section(std::size_t end_offset) override;
    void field(const field_event& e) override;

    // The lines recorded so far, each ending in '\n'. Sections still open (the decoder stopped
    // at an error) show their start offset only.
    std::string render() const;
    // render(), then a line marking where `error` happened and why.
    std::string render(const decode_error& error) const;

  private:
    struct line {
        int depth = 0;
        bool section = false;
        bool closed = true;  // sections: end offset known
        std::size_t offset = 0;
        std::size_t size = 0;
        std::uint8_t bit_mask = 0;
        std::string label;  // "Topic Name: \"a/b\""
    };
    std::string offset_column(std::size_t offset, std::size_t size, bool range) const;
    void render_line(const line& l, std::string& out) const;
    bytes_view bytes_at(std::size_t offset, std::size_t size) const;

    bytes_view stream_;
    std::size_t stream_base_;
    dissect_style style_;
    std::vector<line> lines_;
    std::vector<std::size_t> open_;  // indices of the open sections' lines
};

// Decodes the packet that starts `offset` bytes into `stream` (whose first byte is at stream
// offset opts.base_offset), recording it with a dissector. On error, `text` holds the fields
// read before the error and the error line.
struct dissection {
    decode_result result;
    std::string text;
};
dissection dissect(bytes_view stream, std::size_t offset, const decode_options& opts = {},
                   const dissect_style& style = {});

// The bytes of `packet` from `from` on (where decoding stopped), as rows of hex in the
// dissection's columns, the first row saying how many bytes were not decoded; "" when none.
std::string undecoded_rows(bytes_view packet, std::size_t from, const dissect_style& style = {});

// How the tools show values: a string quoted with C-style escapes for control characters and
// invalid UTF-8 ("a\tb", "\x00"); binary data as lowercase hex, followed by the quoted text when
// it is printable UTF-8 (`68656c6c6f "hello"`), cut after `max_bytes` with "... (N bytes)".
std::string quoted(std::string_view s);
std::string binary_summary(bytes_view b, std::size_t max_bytes = 32);

}  // namespace mqtt::tools
