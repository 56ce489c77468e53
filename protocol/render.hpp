// One-line human rendering of a packet: type, ids, flags, every property by name and reason codes
// by name. The tools' packet traces use this, so there is one formatter for a packet.
#pragma once

#include <string>

#include "protocol/packets.hpp"

namespace mqtt {

// e.g. PUBLISH id=7 qos=1 topic="a/b" payload=5B "hello" {message_expiry_interval=60}
//
// `version` is the stream's (a CONNECT says its own): a packet of an MQTT 3.1.1 or 3.1 stream is
// shown as what it is there: a CONNECT names its version and says clean_session, a CONNACK shows
// its Connect Return Code by its 3.1.1 name (return_code=0x05 Not authorized), the four
// acknowledgements, UNSUBACK and DISCONNECT have no reason code, a SUBACK shows Return Codes
// (0x80 Failure), and nothing has properties.
std::string to_string(const packet& p, protocol_version version = protocol_version::v5);
std::string to_string(const properties& props);  // "{name=value ...}", or "" when empty

}  // namespace mqtt
