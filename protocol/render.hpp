// One-line human rendering of a packet: type, ids, flags, every property by name and reason codes
// by name. The tools' packet traces use this, so there is one formatter for a packet.
#pragma once

#include <string>

#include "protocol/packets.hpp"

namespace mqtt {

// e.g. PUBLISH id=7 qos=1 topic="a/b" payload=5B "hello" {message_expiry_interval=60}
std::string to_string(const packet& p);
std::string to_string(const properties& props);  // "{name=value ...}", or "" when empty

}  // namespace mqtt
