// Internal: between the session's owning types and the protocol layer's views, and the checks
// that an owned value can become a field of a packet.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/session/session.hpp"
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

// Whether a value given to a command can be sent as a field of that name; the refusal names the
// field and the rule. The commands check every string and binary field they take with these,
// so a packet they build always encodes.
// A UTF-8 Encoded String (spec 1.5.4): well-formed UTF-8 without U+0000 (MQTT-1.5.4-1, -2), at
// most 65,535 bytes.
command_result check_string(std::string_view field, std::string_view s);
// Binary Data (spec 1.5.6): at most 65,535 bytes.
command_result check_binary(std::string_view field, bytes_view b);
// User Properties: each name and value a UTF-8 Encoded String (spec 1.5.7, MQTT-1.5.7-1).
command_result check_user_properties(const user_property_list& list);
// MQTT 3.1.1 sessions: what 3.1.1 cannot carry is refused by name before anything is sent.
// The first property of `p` a 3.1.1 PUBLISH (or Will) cannot carry ("Message Expiry Interval"),
// or null when it has none: 3.1.1 has no properties at all.
const char* v5_only_property(const message_properties& p);
// The first option of `o` MQTT 3.1.1 has no place for ("Session Expiry Interval", "Will
// Properties: Content Type"), or "" when `o` asks for none.
std::string v5_only_connect_option(const connect_options& o);
// errc::needs_mqtt5 with "<what> is MQTT 5 only: an MQTT 3.1.1 session cannot send it".
command_result refuse_v5_only(std::string_view what);

// A packet whose every field is within its length may still be too large as a whole: for the
// server's Maximum Packet Size (MQTT-3.2.2-15), or for MQTT itself (spec 2.1.4).
command_result check_size(const packet& p, std::uint32_t maximum_packet_size);

// The message's PUBLISH (no Packet Identifier, DUP or Topic Alias yet). Subscription Identifiers
// are never copied into an outbound PUBLISH (MQTT-3.3.4-6). `pairs` receives the views of the
// User Properties (its capacity is reused) and must outlive the packet.
mqtt::publish publish_view(const message& m, std::vector<string_pair>& pairs);
// A received PUBLISH as an owned message, under its resolved topic.
message owned_message(const mqtt::publish& p, std::string_view topic);
// The same, written into `into`, whatever it held before: every field is set (a property `p` lacks
// ends up absent), and the strings and vectors `into` already has keep their capacity, so a
// message used again allocates nothing for fields that fit.
void assign_owned_message(message& into, const mqtt::publish& p, std::string_view topic);

}  // namespace mqtt::session::detail
