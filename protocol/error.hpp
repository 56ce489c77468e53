// What a decoder reports when the bytes break the protocol: the reason code a DISCONNECT must
// carry, where it happened, and which field. Holds only static strings, so reporting an error
// never allocates.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/reason_code.hpp"
#include "protocol/types.hpp"

namespace mqtt {

struct decode_error {
    reason_code reason = reason_code::malformed_packet;  // 0x81, 0x82, 0x84, 0x95, ...
    std::size_t offset = 0;               // byte offset of the offending field in the input
    packet_type packet = packet_type{0};  // 0 when the type byte itself could not be read
    std::string_view field;               // e.g. "topic name"
    std::string_view problem;             // e.g. "invalid UTF-8"

    // "PUBLISH Topic Name: invalid UTF-8 (MQTT-1.5.4-1)": what is wrong, and where in the packet
    std::string description() const;
    // The description, then the offset and the reason code:
    // "PUBLISH Topic Name: invalid UTF-8 (MQTT-1.5.4-1) at offset 9 (0x81 Malformed Packet)"
    std::string message() const;
};

}  // namespace mqtt
