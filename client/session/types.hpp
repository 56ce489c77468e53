// Owning value types of the session's API: messages, connect options, subscriptions. The protocol
// layer's packets hold views; these hold their bytes, so they can wait in queues and stores.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/packets.hpp"

namespace mqtt::session {

// The session reads no clock: every input carries the current time, taken by the caller from a
// monotonic clock (tests pass virtual time).
using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using duration = std::chrono::milliseconds;

using byte_vector = std::vector<std::uint8_t>;
using user_property_list = std::vector<std::pair<std::string, std::string>>;

// The properties a message carries end to end (spec 3.3.2.3).
struct message_properties {
    std::optional<std::uint8_t> payload_format_indicator;
    std::optional<std::uint32_t> message_expiry_interval;  // seconds
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<byte_vector> correlation_data;
    user_property_list user_properties;  // in order
    // Inbound only: the identifiers of the subscriptions that matched (spec 3.3.4).
    std::vector<std::uint32_t> subscription_identifiers;
    friend bool operator==(const message_properties&, const message_properties&) = default;
};

struct message {
    std::string topic;
    byte_vector payload;
    mqtt::qos qos = qos::at_most_once;
    bool retain = false;
    message_properties props;
    friend bool operator==(const message&, const message&) = default;
};

struct will_options {
    mqtt::session::message message;
    std::optional<std::uint32_t> will_delay_interval;  // seconds
};

inline constexpr std::uint16_t default_max_inflight = 100;

// What CONNECT asks for (spec 3.1.2). Absent optionals are left out of the packet, so the
// server's defaults apply.
struct connect_options {
    // The protocol the session speaks. MQTT 3.1.1 (CONNECT at Protocol Level 4) has no
    // properties, reason codes, topic aliases, enhanced authentication or Session Expiry: every
    // option below marked "v5" must be left unset then, or the session refuses it by name
    // (check_connect_options, and publish/subscribe/... for their own options). The session is
    // kept by Clean Session 0 instead (`clean_start` false), on every connection.
    mqtt::protocol_version protocol_version = mqtt::protocol_version::v5;
    std::string client_id;          // empty: the server assigns one
    std::uint16_t keep_alive = 60;  // seconds; 0 turns keep-alive off
    // v5: for the first connection (see session::connection_opened); 3.1.1: Clean Session, the
    // same on every connection (false keeps the session on the server across connections).
    bool clean_start = true;
    std::uint32_t session_expiry_interval = 0;         // v5; seconds; 0xFFFFFFFF never expires
    std::optional<std::uint16_t> receive_maximum;      // v5; ours, default 65,535
    std::optional<std::uint32_t> maximum_packet_size;  // v5; ours, default no limit
    std::optional<std::uint16_t> topic_alias_maximum;  // v5; ours, default 0 (no inbound aliases)
    std::optional<bool> request_response_information;  // v5
    std::optional<bool> request_problem_information;   // v5
    user_property_list user_properties;                // v5
    std::optional<will_options> will;  // 3.1.1: no Will Delay Interval, no message properties
    std::optional<std::string> username;
    std::optional<byte_vector> password;
    // How long to wait for CONNACK (and for each AUTH step before it); zero waits forever.
    duration connack_timeout = std::chrono::seconds(30);
    // How long to wait for any packet after a PINGREQ; zero means half the keep-alive.
    duration ping_timeout = duration::zero();
    // Give outgoing topics aliases when the server allows them (its Topic Alias Maximum), most
    // recently used kept. Off: every PUBLISH carries its topic and no alias.
    bool outbound_topic_aliases = true;
    // Our QoS 1/2 PUBLISHes in flight (sent, not yet completed) at most: the outbound window,
    // libmosquitto's max_inflight_messages. The server's Receive Maximum caps it further (spec
    // 4.9); 0 leaves only that cap. A window of thousands gains nothing once the round trip is
    // covered and makes some brokers crawl (Mosquitto 2.0.11 with 20,000 QoS 2 messages in
    // flight from one client delivers a quarter of what it does with 100); bench/README.md has
    // the measurements behind the default.
    // MQTT 3.1.1 has no Receive Maximum, so there this window is the only cap (0: libmosquitto's
    // 20, v311_default_max_inflight).
    std::uint16_t max_inflight = default_max_inflight;
};

// The outbound window of a 3.1.1 session whose max_inflight is 0: libmosquitto's default
// (max_inflight_messages), since no Receive Maximum from the server bounds it.
inline constexpr std::uint16_t v311_default_max_inflight = 20;

// The QoS 1/2 PUBLISHes a client keeps in flight at most: its own max_inflight (0: none of its
// own), never more than the server's Receive Maximum (MQTT-3.3.4-7).
inline std::uint16_t outbound_window(std::uint16_t max_inflight, std::uint16_t receive_maximum) {
    return max_inflight != 0 && max_inflight < receive_maximum ? max_inflight : receive_maximum;
}

// One entry of a SUBSCRIBE (spec 3.8.3.1).
struct subscription_request {
    std::string topic_filter;
    mqtt::qos max_qos = qos::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    mqtt::retain_handling retain_handling = retain_handling::send_on_subscribe;
};

struct subscribe_options {
    std::optional<std::uint32_t> subscription_identifier;
    user_property_list user_properties;
};

// What the server said in its CONNACK (spec 3.2.2.3), with the spec's defaults filled in for
// absent properties. A 3.1.1 CONNACK has no properties: all defaults.
struct server_limits {
    std::uint16_t receive_maximum = 65'535;
    std::uint8_t maximum_qos = 2;
    bool retain_available = true;
    std::uint32_t maximum_packet_size = max_packet_size_limit;
    std::uint16_t topic_alias_maximum = 0;
    bool wildcard_subscription_available = true;
    bool subscription_identifier_available = true;
    bool shared_subscription_available = true;
    std::optional<std::uint16_t> server_keep_alive;
    friend bool operator==(const server_limits&, const server_limits&) = default;
};

}  // namespace mqtt::session
