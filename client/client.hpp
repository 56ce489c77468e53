// The asynchronous MQTT v5 client: the session (client/session/) driven over a transport
// stream (transport/) on an asio::io_context.
//
//   asio::io_context io;
//   mqtt::client::client c(io.get_executor(), {.url = "mqtt://127.0.0.1:1883"});
//   c.async_connect([](std::error_code ec, const mqtt::session::connected& ack) { ... });
//   c.async_publish({.topic = "a/b", .payload = {'h', 'i'}, .qos = mqtt::qos::at_least_once},
//                   [](std::error_code ec, const mqtt::session::publish_completed& done) {});
//   io.run();
//
// Every async_ operation takes an Asio completion token: a callback, asio::use_awaitable (C++20
// coroutines) or asio::use_future. Its result carries the reason code the server answered with;
// the error_code is set for local failures and for reason codes of 0x80 or more
// (client::reason_category(), so ec.message() reads "0x87 Not authorized").
//
// Threads: every member function may be called from any thread; the work happens on an internal
// strand, and completion handlers run on their associated executor (by default the client's).
// Given an io_context one thread runs, made with a concurrency hint of 1 (asio::io_context io{1}),
// the client uses no strand, and async_publish called on that thread runs at once rather than
// being posted, unless calls made before it are still waiting to run (calls keep their order) or
// it is made from inside the client's own work and callbacks (then it is posted); completions are
// still never run inside the call that started them.
// state(), stats(), last_error() and last_error_code() read a copy the strand publishes after
// every change (tests/integration/client_threads_test.cpp checks this under ThreadSanitizer).
//
// async_publish completes for QoS 0 once the PUBLISH is written to the socket (with
// errc::connection_lost if the connection ended first), for QoS 1 at PUBACK and for QoS 2 at
// PUBCOMP (or a failing PUBREC); so a publisher that waits for completions keeps pace with the
// connection, and at most connect_options::max_inflight QoS 1/2 messages are in flight.
//
// When the connection ends for good (state() becomes `disconnected`), operations still waiting
// fail: subscribes, receives, requests and publishes with errc::protocol_violation when the
// server broke the protocol, else errc::connection_closed. QoS 1/2 messages stay in the session
// (and its store) and go out again if the client connects again.
// Destroy the client after its io_context has stopped, or after async_disconnect() completed.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "client/completion.hpp"
#include "client/errors.hpp"
#include "client/options.hpp"
#include "client/session/events.hpp"
#include "client/session/session.hpp"
#include "transport/tap.hpp"

namespace mqtt::client {

// connecting -> connected -> waiting -> connecting -> ... -> disconnected. `disconnected` is
// final: async_disconnect() was called, the connection was refused, the server broke the
// protocol (unless reconnect_on_violation), or a connection ended with no reconnect to follow
// (client_options::reconnect false, or the first connection failed). A lost connection that
// will be retried shows as `waiting`.
enum class connection_state : std::uint8_t {
    disconnected,  // never connected, or stopped
    connecting,    // TCP/TLS and CONNECT/CONNACK under way (first time or reconnecting)
    connected,
    waiting,  // lost; waiting for the next reconnect attempt
};
const char* to_string(connection_state s);

struct statistics {
    // By the inbound queue's overflow policy, or on the response topic with no request waiting.
    std::size_t inbound_dropped = 0;
    std::size_t reconnects = 0;
    std::size_t messages_received = 0;
    std::size_t messages_published = 0;
    // Right now: our QoS 1/2 publishes sent or queued and not yet completed, and QoS 2
    // messages received whose PUBREL has not arrived (their flow is not finished).
    std::size_t publishes_pending = 0;
    std::size_t inbound_qos2_pending = 0;
};

class client_core;

class client {
  public:
    using connect_signature = void(std::error_code, session::connected);
    using publish_signature = void(std::error_code, session::publish_completed);
    using subscribe_signature = void(std::error_code, session::subscribe_completed);
    using unsubscribe_signature = void(std::error_code, session::unsubscribe_completed);
    using disconnect_signature = void(std::error_code);
    using message_signature = void(std::error_code, session::message_received);

    client(asio::any_io_executor executor, client_options options);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    template <class Token>
    auto async_connect(Token&& token) {
        return asio::async_initiate<Token, connect_signature>(
            [this](auto h) {
                start_connect({std::move(h), executor(), queue()});
            },
            token);
    }
    template <class Token>
    auto async_publish(session::message m, Token&& token) {
        return asio::async_initiate<Token, publish_signature>(
            [this](auto h, session::message m) {
                start_publish(std::move(m), {std::move(h), executor(), queue()});
            },
            token, std::move(m));
    }
    // async_publish(std::cref(m), token): publishes `m` by reference, copied when the operation
    // starts, so a publisher can keep one message and rewrite its payload between publishes. On
    // an io_context one thread runs (asio::io_context io{1}), called on that thread, the copy goes
    // into storage the client keeps from earlier messages: a busy publisher allocates nothing per
    // message. `m` must live until the operation starts: until async_publish returns for a
    // callback or a future, until co_await for use_awaitable.
    template <class Token>
    auto async_publish(std::reference_wrapper<const session::message> m, Token&& token) {
        return asio::async_initiate<Token, publish_signature>(
            [this](auto h, std::reference_wrapper<const session::message> m) {
                start_publish_copy(m.get(), {std::move(h), executor(), queue()});
            },
            token, m);
    }
    template <class Token>
    auto async_subscribe(std::vector<session::subscription_request> subs,
                         session::subscribe_options options, Token&& token) {
        return asio::async_initiate<Token, subscribe_signature>(
            [this](auto h, auto subs, auto options) {
                start_subscribe(std::move(subs), std::move(options),
                                {std::move(h), executor(), queue()});
            },
            token, std::move(subs), std::move(options));
    }
    template <class Token>
    auto async_unsubscribe(std::vector<std::string> filters, Token&& token) {
        return async_unsubscribe(std::move(filters), session::user_property_list{},
                                 std::forward<Token>(token));
    }
    template <class Token>
    auto async_unsubscribe(std::vector<std::string> filters,
                           session::user_property_list user_properties, Token&& token) {
        return asio::async_initiate<Token, unsubscribe_signature>(
            [this](auto h, auto filters, auto props) {
                start_unsubscribe(std::move(filters), std::move(props),
                                  {std::move(h), executor(), queue()});
            },
            token, std::move(filters), std::move(user_properties));
    }
    template <class Token>
    auto async_disconnect(session::disconnect_options options, Token&& token) {
        return asio::async_initiate<Token, disconnect_signature>(
            [this](auto h, auto options) {
                start_disconnect(std::move(options), {std::move(h), executor(), queue()});
            },
            token, std::move(options));
    }
    // The next received message (when no message handler is set).
    template <class Token>
    auto async_receive(Token&& token) {
        return asio::async_initiate<Token, message_signature>(
            [this](auto h) {
                start_receive({std::move(h), executor(), queue()});
            },
            token);
    }
    // Request/response (spec 4.10): publishes `request` with a Response Topic and Correlation
    // Data (its own, or 16 random bytes), and completes with the first response carrying the
    // same Correlation Data, or errc::timed_out. The response topic is
    // client_options::response_topic, or one derived from the server's Response Information, and
    // subscribed once. A retained message is never taken for a response.
    template <class Token>
    auto async_request(session::message request, std::chrono::milliseconds timeout, Token&& token) {
        return asio::async_initiate<Token, message_signature>(
            [this](auto h, session::message m, std::chrono::milliseconds t) {
                start_request(std::move(m), t, {std::move(h), executor(), queue()});
            },
            token, std::move(request), timeout);
    }
    // The responder's side: publishes `response` to the request's Response Topic with its
    // Correlation Data.
    template <class Token>
    auto async_reply(const session::message& request, session::message response, Token&& token) {
        return asio::async_initiate<Token, publish_signature>(
            [this](auto h, session::message req, session::message resp) {
                start_reply(req, std::move(resp), {std::move(h), executor(), queue()});
            },
            token, request, std::move(response));
    }

    // Called on the client's strand for every message (instead of the async_receive queue).
    void set_message_handler(std::function<void(const session::message_received&)> handler);
    // Called on the client's strand whenever the connection state changes. With `waiting` and
    // `disconnected`, `why` says what ended the connection, as a code (errc::connection_lost,
    // errc::protocol_violation, a reason code, ...) and in words; empty otherwise.
    void set_state_handler(
        std::function<void(connection_state, std::error_code why, const std::string& words)>
            handler);
    // Observers of every packet sent and received (traces, captures). Add before connecting.
    transport::packet_tap& tap();

    connection_state state() const;
    statistics stats() const;
    std::string last_error() const;  // the most recent transport or protocol problem, in words
    // ... and its kind: errc::connection_lost (the network dropped the connection),
    // errc::protocol_violation (the server broke the protocol), errc::transport_failed, a reason
    // code (refused, or the server's DISCONNECT), ...; empty when nothing went wrong.
    std::error_code last_error_code() const;
    asio::any_io_executor executor() const;

  private:
    void start_connect(completion<connect_signature> h);
    void start_publish(session::message m, completion<publish_signature> h);
    void start_publish_copy(const session::message& m, completion<publish_signature> h);
    completion_queue* queue() const;
    void start_subscribe(std::vector<session::subscription_request> subs,
                         session::subscribe_options options, completion<subscribe_signature> h);
    void start_unsubscribe(std::vector<std::string> filters,
                           session::user_property_list user_properties,
                           completion<unsubscribe_signature> h);
    void start_disconnect(session::disconnect_options options, completion<disconnect_signature> h);
    void start_receive(completion<message_signature> h);
    void start_request(session::message m, std::chrono::milliseconds timeout,
                       completion<message_signature> h);
    void start_reply(const session::message& request, session::message response,
                     completion<publish_signature> h);

    std::shared_ptr<client_core> core_;
};

}  // namespace mqtt::client
