// -D COMMAND IDENTIFIER VALUE [VALUE]: a property for one kind of packet, as mosquitto_pub/sub
// take it. COMMAND is connect, publish, subscribe, unsubscribe, disconnect or will; IDENTIFIER
// is the property's name in mosquitto's spelling (message-expiry-interval, user-property, ...);
// user-property takes two values, a name and a value.
#pragma once

#include <string>
#include <vector>

#include "client/session/session.hpp"

namespace mqtt::tools {

struct packet_properties;

// Sets the property in `connect` (connect and will) or `out`. Throws usage_error naming the
// flag and why: an unknown command or identifier, a property that packet cannot carry, one a
// client must not send, or a value out of range.
void apply_property_flag(const std::vector<std::string>& flag, session::connect_options& connect,
                         packet_properties& out);

}  // namespace mqtt::tools
