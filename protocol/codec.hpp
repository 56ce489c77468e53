// Bytes <-> packets. Decoding is a pure function of its input with three outcomes: a packet,
// need-more-bytes, or an error carrying the reason code a DISCONNECT must send. Encoding writes
// into a buffer the caller owns, whose size encoded_size() tells beforehand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "protocol/error.hpp"
#include "protocol/packets.hpp"
#include "protocol/visitor.hpp"

namespace mqtt {

enum class decode_status : std::uint8_t { complete, need_more, error };

// The fixed header of spec 2.1: type and flags byte, then Remaining Length.
struct fixed_header {
    packet_type type = packet_type{0};
    std::uint8_t flags = 0;  // low nibble of the first byte
    std::uint32_t remaining_length = 0;
    std::uint8_t size = 0;  // bytes of the fixed header itself: 2..5
    std::uint32_t packet_size() const { return size + remaining_length; }
};

struct header_result {
    decode_status status = decode_status::need_more;
    fixed_header header;
    decode_error error;
};

struct decode_options {
    // Packets larger than this (whole packet: fixed header included) are refused with 0x95
    // Packet Too Large as soon as the fixed header is read (spec 3.1.2.11.4, 3.2.2.3.6).
    std::uint32_t maximum_packet_size = max_packet_size_limit;
    // Added to every offset reported in errors and to visitors (the input's place in a stream).
    std::size_t base_offset = 0;
    // The version the stream speaks. Every packet but CONNECT is decoded by its rules; a CONNECT
    // is decoded by the Protocol Level it carries (4: 3.1.1, 5: v5), whatever this says, and
    // records it in connect::protocol_version, so a server learns its stream's version from it.
    // Under 3.1.1: no properties, no reason codes (a CONNACK's return code is mapped onto the v5
    // reason code of the same meaning, see connect_return_code), no AUTH; errors carry the reason
    // code a v5 peer would send, though 3.1.1 sends none (the connection is closed).
    protocol_version version = protocol_version::v5;
};

// Reads a fixed header from the start of `bytes`: the packet type, the flags (checked against
// spec 2.1.3 for the type: PUBREL/SUBSCRIBE/UNSUBSCRIBE 0b0010, PUBLISH's QoS 3 and DUP on QoS 0
// refused), and the Remaining Length (shortest-form Variable Byte Integer, MQTT-1.5.5-1).
header_result decode_fixed_header(bytes_view bytes, const decode_options& opts = {});

struct decode_result {
    decode_status status = decode_status::need_more;
    packet value;
    std::size_t consumed = 0;  // bytes of the packet when complete
    decode_error error;
};

// The version a CONNECT announces by its Protocol Name and Level ("MQTT" 5: v5, "MQTT" 4: 3.1.1,
// "MQIsdp" 3: 3.1),
// read from the start of `bytes` without decoding the rest, so a stream's version is known even
// when its CONNECT is malformed further on; nullopt when `bytes` does not start with a CONNECT
// naming a version we know.
std::optional<protocol_version> connect_version(bytes_view bytes);

// Decodes the first packet at the start of `bytes`, which may hold less than a packet (need_more)
// or more than one (consumed tells where the next starts). Allocates nothing; views in the result
// point into `bytes`. A non-null visitor sees every field with its offset.
decode_result decode(bytes_view bytes, const decode_options& opts = {},
                     field_visitor* visitor = nullptr);

// The whole encoded size of `p` (fixed header included) in `version`, or nullopt when it cannot be
// encoded: a string or binary field over 65,535 bytes, a Remaining Length over 268,435,455, or,
// in 3.1.1, anything 3.1.1 cannot carry (see check_packet). A CONNECT is encoded in its own
// connect::protocol_version, which must equal `version`.
std::optional<std::size_t> encoded_size(const packet& p,
                                        protocol_version version = protocol_version::v5);

// Writes `p` into `out` and returns the bytes written, or 0 when `out` is smaller than
// encoded_size(p, version) or p cannot be encoded. Encoding writes what it is given: check_packet()
// says whether that is a valid packet, and why a packet cannot be encoded in 3.1.1.
std::size_t encode(const packet& p, std::span<std::uint8_t> out,
                   protocol_version version = protocol_version::v5);

// Whether `p` obeys every rule the decoder enforces in `version` (the error says which field breaks
// which rule). Encodes into a scratch buffer and decodes it, so both sides share one set of rules;
// meant for checking input from people and programs, not for the hot path. In 3.1.1 it first names
// what 3.1.1 cannot carry, which encoding refuses rather than drops: properties, a reason code
// other than Success in an acknowledgement or DISCONNECT (a SUBACK's other than 0x00-0x02 and
// 0x80, a CONNACK's without a 3.1.1 return code), an UNSUBACK's reason codes, an AUTH, a CONNECT
// of the other version.
std::optional<decode_error> check_packet(const packet& p,
                                         protocol_version version = protocol_version::v5);

}  // namespace mqtt
