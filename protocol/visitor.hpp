// An optional observer of every field a decoder reads, with its offset and size. The decoder's
// hot path passes nullptr; mqtt-inspect passes a visitor to print a packet layer by layer, the
// way Wireshark's packet-details pane does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "protocol/reason_code.hpp"
#include "protocol/types.hpp"

namespace mqtt {

// The decoded value of one field: nothing (a section or raw bytes), an integer, a UTF-8
// string, binary data, a string pair or a reason code (with the packet that carries it, which
// its name depends on).
using field_value = std::variant<std::monostate, std::uint64_t, std::string_view, bytes_view,
                                 string_pair, named_reason>;

struct field_event {
    std::string_view name;      // "Packet Identifier", "Topic Name", "Message Expiry Interval", ...
    std::size_t offset = 0;     // first byte of the field (property: its identifier byte)
    std::size_t size = 0;       // bytes the field occupies
    std::uint8_t bit_mask = 0;  // non-zero for a bit field inside one byte (flags)
    field_value value;
};

class field_visitor {
  public:
    virtual ~field_visitor() = default;
    // Sections nest: "Fixed Header", "Variable Header", "Properties", "Payload", "Will", ...
    virtual void begin_section(std::string_view name, std::size_t offset) = 0;
    virtual void end_section(std::size_t end_offset) = 0;
    virtual void field(const field_event& e) = 0;
};

}  // namespace mqtt
