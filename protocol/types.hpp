// Basic vocabulary of MQTT v5: bytes, QoS, control packet types (spec 2.1.2).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace mqtt {

// A view of binary data. Decoded values are views into the buffer that was decoded; they stay
// valid as long as that buffer is neither freed nor overwritten.
using bytes_view = std::span<const std::uint8_t>;

inline bytes_view as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(bytes_view b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

// MQTT Control Packet types, spec 2.1.2 (value 0 is reserved).
enum class packet_type : std::uint8_t {
    connect = 1,
    connack = 2,
    publish = 3,
    puback = 4,
    pubrec = 5,
    pubrel = 6,
    pubcomp = 7,
    subscribe = 8,
    suback = 9,
    unsubscribe = 10,
    unsuback = 11,
    pingreq = 12,
    pingresp = 13,
    disconnect = 14,
    auth = 15,
};

// "PUBLISH", "CONNACK", ...; "RESERVED" for 0.
std::string_view packet_type_name(packet_type t);

// The protocol version a stream speaks: the CONNECT's Protocol Level (v5 spec 3.1.2.2, 3.1.1 spec
// 3.1.2.2). It is a per-stream setting of decoding and encoding, like the Maximum Packet Size:
// nothing else in a packet says which version it is, except a CONNECT's own Protocol Level.
// MQTT 3.1 (Protocol Name "MQIsdp", level 3) is decoded, by 3.1.1's rules but for its CONNECT,
// and never encoded: it is there to read captures of old devices.
enum class protocol_version : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

// "MQTT 3.1", "MQTT 3.1.1", "MQTT 5".
constexpr std::string_view protocol_version_name(protocol_version v) {
    return v == protocol_version::v31    ? "MQTT 3.1"
           : v == protocol_version::v311 ? "MQTT 3.1.1"
                                         : "MQTT 5";
}
// "3.1", "3.1.1", "5": the version as people write it.
constexpr std::string_view protocol_version_number(protocol_version v) {
    return v == protocol_version::v31 ? "3.1" : v == protocol_version::v311 ? "3.1.1" : "5";
}

// A UTF-8 String Pair (spec 1.5.7), used by User Property.
struct string_pair {
    std::string_view name;
    std::string_view value;
    friend bool operator==(const string_pair&, const string_pair&) = default;
};

// The largest value a Variable Byte Integer can hold (spec 1.5.5).
inline constexpr std::uint32_t max_variable_byte_integer = 268'435'455;
// The largest packet MQTT can frame: 1 type byte + 4 length bytes + 268,435,455.
inline constexpr std::uint32_t max_packet_size_limit = 268'435'460;

}  // namespace mqtt
