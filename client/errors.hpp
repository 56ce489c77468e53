// Errors of the asynchronous client, as std::error_code. Reason codes from the server are errors
// of their own category, so `ec.message()` reads "0x86 Bad User Name or Password".
#pragma once

#include <system_error>

#include "protocol/reason_code.hpp"

namespace mqtt::client {

enum class errc {
    offline_queue_full = 1,  // more QoS 1/2 publishes waiting offline than max_offline_queue
    not_connected,           // the operation needs a connection (or async_connect first)
    already_connecting,      // async_connect while connecting or connected
    timed_out,               // async_request got no response in time
    transport_failed,        // could not reach the broker (resolve, TCP, TLS); see last_error()
    connection_closed,       // the connection ended before the operation finished
    shut_down,               // async_disconnect was called
    no_response_topic,       // async_reply to a message without a Response Topic
    // Why a connection ended (client::last_error_code(); operations pending then fail with it):
    connection_lost,     // the network dropped it: reset, EOF, write failure, keep-alive timeout
    protocol_violation,  // the server broke the protocol; we sent DISCONNECT with a reason code
};

const std::error_category& client_category();
inline std::error_code make_error_code(errc e) {
    return {int(e), client_category()};
}

// A reason code of 0x80 or more as an error: category "mqtt.reason", value = the code.
const std::error_category& reason_category();
inline std::error_code make_error_code(reason_code rc) {
    return {int(rc), reason_category()};
}

}  // namespace mqtt::client

template <>
struct std::is_error_code_enum<mqtt::client::errc> : std::true_type {};
