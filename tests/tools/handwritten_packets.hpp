// MQTT v5 packets written by hand, a comment per field, for the tests that build captures and
// streams from them (capture problems, mqtt-inspect's problem output, the stream splitter).
#pragma once

#include <cstdint>
#include <vector>

namespace mqtt::tools::test_packets {

using bytes = std::vector<std::uint8_t>;

inline const bytes connect_v5{
    0x10, 0x0d,                      // CONNECT, Remaining Length 13
    0x00, 0x04, 'M', 'Q', 'T', 'T',  // Protocol Name
    0x05,                            // Protocol Version 5
    0x02,                            // Connect Flags: Clean Start
    0x00, 0x3c,                      // Keep Alive 60
    0x00,                            // Property Length 0
    0x00, 0x00,                      // Client Identifier ""
};
inline const bytes connack{
    0x20, 0x03,  // CONNACK, Remaining Length 3
    0x00,        // Connect Acknowledge Flags
    0x00,        // Reason Code 0x00 Success
    0x00,        // Property Length 0
};
// A QoS 1 PUBLISH to "a/b" with Packet Identifier `id` and payload "hi".
inline bytes publish(std::uint8_t id) {
    return {
        0x32, 0x0a,                 // PUBLISH QoS 1, Remaining Length 10
        0x00, 0x03, 'a', '/', 'b',  // Topic Name "a/b"
        0x00, id,                   // Packet Identifier
        0x00,                       // Property Length 0
        'h',  'i',                  // payload
    };
}

}  // namespace mqtt::tools::test_packets
