// MQTT v5 packets written by hand, a comment per field, for the tests that build captures and
// streams from them (capture problems, mqtt-inspect's problem output, the stream splitter).
#pragma once

#include <cstdint>
#include <initializer_list>
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

inline bytes puback(std::uint8_t id) {
    return {
        0x40, 0x02,  // PUBACK, Remaining Length 2
        0x00, id,    // Packet Identifier
    };
}
inline const bytes pingreq{0xc0, 0x00};  // PINGREQ, Remaining Length 0

// Malformed ones.
inline const bytes publish_qos3{
    0x36, 0x0a,                 // PUBLISH with QoS 3 (MQTT-3.3.1-4), Remaining Length 10
    0x00, 0x03, 'a', '/', 'b',  // Topic Name "a/b"
    0x00, 0x03,                 // Packet Identifier 3
    0x00,                       // Property Length 0
    'h',  'i',                  // payload
};
inline const bytes reserved_type0{
    0x00, 0x02,  // reserved packet type 0, Remaining Length 2
    0xab, 0xcd,  // two bytes of body
};
inline const bytes publish_pfi144{
    0x30, 0x0a,                 // PUBLISH QoS 0, Remaining Length 10
    0x00, 0x03, 'a', '/', 'b',  // Topic Name "a/b"
    0x02,                       // Property Length 2
    0x01, 0x90,                 // Payload Format Indicator 144: only 0 or 1 (spec 3.3.2.3.2)
    'h',  'i',                  // payload
};

// The packets one after another, as a stream.
inline bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace mqtt::tools::test_packets
