// Errors of the session's API, as std::error_code. Three families, kept apart (style.md):
// the caller misused the API (refused before anything is sent), the server broke the protocol
// (the session sent DISCONNECT with a reason code; a 3.1.1 session closes without one), and the
// connection was lost.
#pragma once

#include <string>
#include <system_error>

namespace mqtt::session {

enum class errc {
    // caller misuse: nothing was sent
    not_connected = 1,     // QoS 0 publish, subscribe or unsubscribe without a connection
    closed,                // the session sent or received DISCONNECT; it takes no more commands
    invalid_topic,         // a Topic Name with wildcards, empty, or invalid UTF-8
    invalid_topic_filter,  // a malformed Topic Filter
    invalid_utf8,          // a string property or user property that is not valid UTF-8
    invalid_argument,      // an out-of-range value (QoS 3, Subscription Identifier 0, ...)
    qos_not_supported,     // above the server's Maximum QoS (MQTT-3.2.2-11)
    retain_not_supported,  // RETAIN while the server said Retain Available 0 (MQTT-3.2.2-14)
    packet_too_large,      // over the server's Maximum Packet Size (MQTT-3.2.2-15)
    packet_identifiers_exhausted,  // all 65,535 packet identifiers are in use
    feature_not_available,         // wildcard/shared subscriptions or identifiers the server lacks
    no_authenticator,              // reauthenticate() without enhanced authentication
    needs_mqtt5,  // an MQTT 5 option (a property, No Local, ...) asked of a 3.1.1 session
    // outcomes reported in events
    session_discarded,      // the server did not keep the session (Session Present 0)
    connection_lost,        // the network connection ended
    keep_alive_timeout,     // no packet from the server in time after PINGREQ
    connack_timeout,        // no CONNACK in time
    protocol_violation,     // the server broke the protocol; the session sent DISCONNECT
    authentication_failed,  // the authenticator refused the server's data
};

const std::error_category& session_category();
inline std::error_code make_error_code(errc e) {
    return {int(e), session_category()};
}

}  // namespace mqtt::session

template <>
struct std::is_error_code_enum<mqtt::session::errc> : std::true_type {};
