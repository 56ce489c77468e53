// A catalogue of the MQTT v5 wire formats: for each of the 15 control packets, byte vectors
// written by hand (a comment per field) next to the packet struct they mean. One table drives
// both directions: every vector must decode to its packet, and the packet must encode back to the
// same bytes. Every vector is also fed whole, one byte at a time through the framer, and followed
// by the start of another packet.
//
// Reading guide: every packet starts with the fixed header (spec 2.1): one byte with the packet
// type in the high nibble and flags in the low nibble, then the Remaining Length as a Variable
// Byte Integer (spec 1.5.5). Strings are a two-byte big-endian length and UTF-8 bytes (1.5.4),
// binary data the same with raw bytes (1.5.6), and properties are a Property Length followed by
// identifier/value pairs (2.2.2).
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "protocol/packets.hpp"
#include "tests/protocol/test_support.hpp"

// Cases name only the fields they set, with designated initializers; the rest keep their
// defaults. GCC 12 warns about every field left out, so that warning is off where cases are built.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace mqtt::test {

struct packet_case {
    std::string name;
    byte_vector bytes;  // written by hand
    packet expected;
    // What encode(expected) writes when it is not `bytes`: the decoder accepts longer forms than
    // the encoder writes (e.g. an explicit Reason Code 0x00), see the AlternativeForms suite.
    byte_vector canonical = {};
    // Extra checks of single fields of the decoded packet, to show where each value lands.
    std::function<void(const packet&)> spot_check = {};
};

inline void PrintTo(const packet_case& c, std::ostream* os) {
    *os << c.name;
}

// Values several families of cases point at.
inline constexpr string_pair kv[] = {{"k", "v"}};
inline constexpr string_pair ab[] = {{"a", "b"}};
inline constexpr string_pair unit_c[] = {{"unit", "C"}};
inline constexpr string_pair lang_fr[] = {{"lang", "fr"}};
inline constexpr std::uint32_t sub_id_42[] = {42};
inline constexpr std::uint32_t sub_id_5[] = {5};
inline constexpr std::uint32_t three_sub_ids[] = {1, 128, 268'435'455};

// The cases of each family, in packet_vectors_<family>.cpp.
std::vector<packet_case> connect_cases();           // CONNECT
std::vector<packet_case> connack_cases();           // CONNACK
std::vector<packet_case> publish_cases();           // PUBLISH
std::vector<packet_case> publish_response_cases();  // PUBACK, PUBREC, PUBREL, PUBCOMP
std::vector<packet_case> subscribe_cases();         // SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK
std::vector<packet_case> control_cases();           // PINGREQ, PINGRESP, DISCONNECT, AUTH

}  // namespace mqtt::test
