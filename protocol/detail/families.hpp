// Internal: the per-packet pieces that codec.cpp dispatches to. Each packet family file
// (connect.cpp, publish.cpp, subscribe.cpp, control.cpp) defines, for each of its packets: the
// body decoder, the body layout (once, as a template over writer and sizer) and the flags of the
// fixed header.
#pragma once

#include <optional>

#include "protocol/detail/reader.hpp"
#include "protocol/detail/sizer.hpp"
#include "protocol/detail/writer.hpp"
#include "protocol/packets.hpp"

namespace mqtt::detail {

#define MQTT_PACKET_FAMILY_DECLARE(T)                        \
    void decode_body(reader& r, std::uint8_t flags, T& out); \
    void put_body(sizer& w, const T& p);                     \
    void put_body(writer& w, const T& p);                    \
    std::uint8_t header_flags(const T& p);

MQTT_PACKET_FAMILY_DECLARE(connect)
MQTT_PACKET_FAMILY_DECLARE(connack)
MQTT_PACKET_FAMILY_DECLARE(publish)
MQTT_PACKET_FAMILY_DECLARE(puback)
MQTT_PACKET_FAMILY_DECLARE(pubrec)
MQTT_PACKET_FAMILY_DECLARE(pubrel)
MQTT_PACKET_FAMILY_DECLARE(pubcomp)
MQTT_PACKET_FAMILY_DECLARE(subscribe)
MQTT_PACKET_FAMILY_DECLARE(suback)
MQTT_PACKET_FAMILY_DECLARE(unsubscribe)
MQTT_PACKET_FAMILY_DECLARE(unsuback)
MQTT_PACKET_FAMILY_DECLARE(pingreq)
MQTT_PACKET_FAMILY_DECLARE(pingresp)
MQTT_PACKET_FAMILY_DECLARE(disconnect)
MQTT_PACKET_FAMILY_DECLARE(auth)

#undef MQTT_PACKET_FAMILY_DECLARE

// What `version` cannot carry of `p` (v311.cpp), so encoding refuses it rather than drop it: in
// 3.1.1 properties, reason codes without a 3.1.1 form, AUTH; in both, a CONNECT whose
// protocol_version is the other one. Cheap for v5: only a CONNECT is looked at.
std::optional<decode_error> version_problem(const packet& p, protocol_version version);

// Packet Identifier, refusing 0 (MQTT-2.2.1-3; 3.1.1: MQTT-2.3.1-1).
std::uint16_t read_packet_identifier(reader& r);

// Reports each bit field of a flags byte at `offset` to the visitor.
struct bit_field {
    std::string_view name;
    std::uint8_t mask;
};
template <std::size_t N>
void report_bits(const reader& r, std::size_t offset, std::uint8_t byte,
                 const bit_field (&bits)[N]) {
    if (!r.visitor()) return;
    for (const bit_field& b : bits) {
        std::uint8_t shift = 0;
        while (!((b.mask >> shift) & 1))
            ++shift;
        r.report(b.name, offset, 1, std::uint64_t((byte & b.mask) >> shift), b.mask);
    }
}

}  // namespace mqtt::detail
