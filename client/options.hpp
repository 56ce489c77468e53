// How the asynchronous client connects, reconnects and paces traffic.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "client/session/authenticator.hpp"
#include "client/session/store.hpp"
#include "client/session/types.hpp"
#include "transport/tls.hpp"

namespace mqtt::client {

// What to do when messages arrive faster than the application takes them with async_receive().
enum class overflow_policy : std::uint8_t {
    wait,         // stop reading from the socket until there is room (TCP pushes back)
    drop_oldest,  // make room by dropping the oldest waiting message
    drop_newest,  // drop the message that just arrived
};

struct client_options {
    // mqtt://host:port or mqtts://host:port (transport/url.hpp); credentials in it
    // (mqtt://user:password@host) are used when `mqtt` has none.
    std::string url = "mqtt://127.0.0.1:1883";
    transport::tls_options tls;
    std::chrono::milliseconds connect_timeout{10'000};
    session::connect_options mqtt;  // client id, keep-alive, will, credentials, ...

    // After a connection that reached CONNACK is lost, connect again with exponential backoff
    // (initial, doubling up to maximum, each wait randomised by +-jitter), resuming the session
    // (Clean Start 0). A first async_connect() that fails is reported, not retried.
    bool reconnect = true;
    std::chrono::milliseconds reconnect_initial{250};
    std::chrono::milliseconds reconnect_maximum{30'000};
    double reconnect_jitter = 0.2;
    // A server that breaks the protocol (a malformed packet, a second CONNACK, a Receive Maximum
    // overrun, ...) gets DISCONNECT with the reason code, and then no reconnect: the client stops
    // with errc::protocol_violation, since connecting again would most likely meet the same
    // fault. True treats a violation as a lost connection (reconnect, as above).
    bool reconnect_on_violation = false;

    // async_disconnect() first lets the QoS 2 flows the server started finish (PUBREL in,
    // PUBCOMP out), waiting at most this long: a message is delivered at its PUBLISH, and leaving
    // before PUBREL makes the server keep it and send it again to the next session.
    std::chrono::milliseconds disconnect_drain_timeout{2'000};

    // QoS 1/2 publishes accepted while not connected, at most; beyond it async_publish fails
    // with client::errc::offline_queue_full.
    std::size_t max_offline_queue = 10'000;
    // Publishes per second, at most (0: no limit). Publishes over the rate wait their turn.
    double publish_rate = 0;
    // Messages received and not yet taken by async_receive(), at most (0: no limit), and what
    // happens beyond. Unused when a message handler is set.
    std::size_t inbound_queue_limit = 0;
    overflow_policy inbound_overflow = overflow_policy::wait;
    // SUBSCRIBE again what was subscribed when the server did not keep the session.
    bool resubscribe = true;

    // Request/response (async_request): the topic responses come to, subscribed once before the
    // first request with this Maximum QoS. Empty: one made up under the server's Response
    // Information when it offers one (spec 4.10), else under "responses/".
    std::string response_topic;
    mqtt::qos response_qos = qos::at_least_once;

    session::session_store* store = nullptr;  // e.g. a file_store; default: in memory
    session::authenticator* authenticator = nullptr;
};

}  // namespace mqtt::client
