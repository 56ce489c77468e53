// Internal: between the session's owning types and the protocol layer's views.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/session/types.hpp"
#include "protocol/packets.hpp"

namespace mqtt::session::detail {

// Views of owned user properties; the vector must outlive the packet that uses it.
std::vector<string_pair> pair_views(const user_property_list& list);
user_property_list owned_pairs(const list_view<string_pair>& list);

inline std::optional<std::string> owned(const std::optional<std::string_view>& s) {
    return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}
inline std::optional<byte_vector> owned(const std::optional<bytes_view>& b) {
    return b ? std::optional<byte_vector>(byte_vector(b->begin(), b->end())) : std::nullopt;
}
inline std::optional<bytes_view> view(const std::optional<byte_vector>& b) {
    return b ? std::optional<bytes_view>(bytes_view(*b)) : std::nullopt;
}
inline std::optional<std::string_view> view(const std::optional<std::string>& s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

// The message's PUBLISH (no Packet Identifier, DUP or Topic Alias yet). Subscription Identifiers
// are never copied into an outbound PUBLISH (MQTT-3.3.4-6).
mqtt::publish publish_view(const message& m, std::vector<string_pair>& pairs);
// A received PUBLISH as an owned message, under its resolved topic.
message owned_message(const mqtt::publish& p, std::string_view topic);

}  // namespace mqtt::session::detail
