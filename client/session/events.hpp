// What the session tells the application, drained with session::poll_event(). Every event is a
// value, so a test can compare it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "client/session/types.hpp"
#include "protocol/reason_code.hpp"

namespace mqtt::session {

// CONNACK accepted the connection (spec 3.2).
struct connected {
    bool session_present = false;
    server_limits limits;
    std::uint16_t keep_alive = 0;  // in force: the Server Keep Alive if sent (MQTT-3.2.2-21)
    std::optional<std::string> assigned_client_identifier;
    std::optional<std::string> response_information;
    std::optional<std::string> server_reference;
    std::optional<std::string> reason_string;
    user_property_list user_properties;
    friend bool operator==(const connected&, const connected&) = default;
};

// CONNACK refused the connection: its reason code (>= 0x80) and what came with it.
struct connect_refused {
    reason_code reason = reason_code::unspecified_error;
    std::optional<std::string> reason_string;
    std::optional<std::string> server_reference;
    friend bool operator==(const connect_refused&, const connect_refused&) = default;
};

// The server kept no session although we had one (Session Present 0, MQTT-3.2.2-5): our
// in-flight messages and inbound QoS 2 state were dropped. Each dropped outbound message is also
// reported as a publish_completed with errc::session_discarded.
struct session_discarded {
    std::size_t outbound_dropped = 0;
    std::size_t inbound_qos2_dropped = 0;
    friend bool operator==(const session_discarded&, const session_discarded&) = default;
};

struct message_received {
    mqtt::session::message message;
    std::uint16_t packet_id = 0;  // 0 for QoS 0
    bool dup = false;
    std::optional<std::uint16_t> topic_alias;  // as received; message.topic is already resolved
    friend bool operator==(const message_received&, const message_received&) = default;
};

// A publish ended: QoS 0 once written, QoS 1 at PUBACK, QoS 2 at PUBCOMP (or at a PUBREC
// >= 0x80), or failed locally (error set, e.g. errc::session_discarded).
struct publish_completed {
    std::uint64_t ticket = 0;
    std::uint16_t packet_id = 0;
    reason_code reason = reason_code::success;
    std::optional<std::string> reason_string;
    user_property_list user_properties;
    std::error_code error;
    friend bool operator==(const publish_completed&, const publish_completed&) = default;
};

// SUBACK or UNSUBACK arrived: one reason code per filter, in order.
// If the connection ended before the ack, reason_codes is empty and error is
// errc::connection_lost (SUBSCRIBE and UNSUBSCRIBE are not resent on a new connection).
struct subscribe_completed {
    std::uint64_t ticket = 0;
    std::vector<reason_code> reason_codes;
    std::optional<std::string> reason_string;
    user_property_list user_properties;
    std::error_code error;
    friend bool operator==(const subscribe_completed&, const subscribe_completed&) = default;
};
struct unsubscribe_completed {
    std::uint64_t ticket = 0;
    std::vector<reason_code> reason_codes;
    std::optional<std::string> reason_string;
    user_property_list user_properties;
    std::error_code error;
    friend bool operator==(const unsubscribe_completed&, const unsubscribe_completed&) = default;
};

// Enhanced authentication or re-authentication finished successfully (AUTH 0x00).
struct reauthenticated {
    friend bool operator==(const reauthenticated&, const reauthenticated&) = default;
};

enum class disconnect_cause : std::uint8_t {
    client,                 // we sent DISCONNECT (session::disconnect)
    server,                 // the server sent DISCONNECT
    protocol_violation,     // the server broke the protocol; we sent DISCONNECT with `reason`
    connection_lost,        // the network connection ended (session::connection_lost)
    keep_alive_timeout,     // nothing arrived in time after PINGREQ
    connack_timeout,        // no CONNACK (or AUTH) in time
    connect_refused,        // CONNACK with a failure reason code (also reported as connect_refused)
    authentication_failed,  // our authenticator refused the server's data; we sent DISCONNECT
};

// The connection is over, or must be closed now (session::wants_close()).
struct disconnected {
    disconnect_cause cause = disconnect_cause::connection_lost;
    reason_code reason = reason_code::success;  // carried by the DISCONNECT, either way
    std::optional<std::string> reason_string;
    std::optional<std::string> server_reference;
    user_property_list user_properties;
    std::string detail;  // for protocol_violation: what the server did wrong
    friend bool operator==(const disconnected&, const disconnected&) = default;
};

using event =
    std::variant<connected, connect_refused, session_discarded, message_received, publish_completed,
                 subscribe_completed, unsubscribe_completed, reauthenticated, disconnected>;

}  // namespace mqtt::session
