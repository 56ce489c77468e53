// What a scenario runs in: the broker it talks to, its clients (each with a label, a packet
// trace and a place in the scenario's capture), and its checks.
//
// A scenario is a coroutine on one io_context (scenarios.hpp). It makes clients with
// make_client(), drives them with the awaitables of scenario_client, and says what it promised
// with check(), pass() and skip(); fail() ends a part with the reason. Waiting is always on an
// event with a deadline (wait_until), never a bare sleep, except where time itself is the
// subject (an expiry, a will delay).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.hpp"
#include "tools/common/pcap_writer.hpp"
#include "tools/common/trace.hpp"
#include "tools/local/tcp_proxy.hpp"

namespace mqtt::scenario {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

enum class outcome : std::uint8_t { pass, fail, skip };
const char* to_string(outcome o);  // "PASS", "FAIL", "SKIP"

// One promise of a scenario and what became of it.
struct part_result {
    std::string part;  // "QoS 2, publisher's side"
    outcome result = outcome::pass;
    std::string detail;  // what was seen; for a failure, expected vs seen
};

// The broker a run talks to: the local Mosquitto, or --broker.
struct broker_target {
    bool local = true;
    std::string description;  // "Mosquitto 2.0.11 on 127.0.0.1 (started by mqtt-scenario)"
    std::string plain_url;    // what the scenarios use by default
    std::string tls_url;      // a listener with TLS; empty when none is known
    transport::tls_options tls;
    std::string untrusted_ca;  // a CA that signed nothing the broker uses (the local broker's)
    std::string auth_url;      // a listener that requires credentials; empty when none is known
    std::optional<std::string> username, password;  // good credentials for auth_url
    // Credentials every client sends (--broker with -u/-P); none for the local broker.
    std::optional<std::string> client_username, client_password;
    // Where a TCP proxy may forward to break a connection on purpose (plain MQTT over IPv4);
    // empty when it cannot (a TLS-only or IPv6 broker).
    std::string proxy_host;
    std::uint16_t proxy_port = 0;
};

// The flags that shape every scenario.
struct run_settings {
    tools::trace_mode trace = tools::trace_mode::line;
    bool colour = false;
    bool full_trace = false;        // every packet, even in long runs of the same kind
    std::string prefix;             // topics live under it
    std::string token;              // random per run: in the prefix and client ids
    double rate = 100;              // flow-control: publishes per second
    std::size_t queue = 1000;       // flow-control: the slow subscriber's queue
    std::uint16_t keep_alive = 2;   // keepalive: seconds
    std::string break_expectation;  // tests: this scenario's first check expects wrong
};

class context;

inline session::byte_vector to_bytes(std::string_view text) {
    return session::byte_vector(text.begin(), text.end());
}
inline std::string to_text(const session::byte_vector& b) {
    return std::string(b.begin(), b.end());
}

// A packet one client sent or received, as the scenario's checks see it.
struct seen_packet {
    transport::direction dir = transport::direction::sent;
    packet_type type = packet_type::connect;
    std::uint8_t flags = 0;
    std::optional<std::uint16_t> packet_id;
    clock::time_point time;
    std::size_t connection = 0;       // 1 for the client's first connection, then 2, ...
    std::vector<std::uint8_t> bytes;  // the whole packet
};

// How long a scenario waits for an acknowledgement (SUBACK, PUBACK, PUBCOMP) before it says so.
inline constexpr clock::duration ack_timeout = std::chrono::seconds(5);

// A client of a scenario: the library's client with a label on its trace lines, its packets in
// the scenario's capture, and what it received kept for the checks.
class scenario_client {
  public:
    scenario_client(context& ctx, std::string label, client::client_options options);
    ~scenario_client();
    scenario_client(const scenario_client&) = delete;
    scenario_client& operator=(const scenario_client&) = delete;

    const std::string& label() const { return label_; }
    client::client& get() { return *client_; }
    const client::client_options& options() const { return options_; }

    // Each returns the error (a reason code >= 0x80 is one; errc::timed_out when no answer came
    // within ack_timeout) instead of throwing.
    asio::awaitable<std::error_code> connect();
    const session::connected& connack() const { return connack_; }
    asio::awaitable<session::publish_completed> publish(session::message m);
    asio::awaitable<session::subscribe_completed> subscribe(std::string filter, mqtt::qos max_qos);
    asio::awaitable<void> disconnect(reason_code reason = reason_code::success);

    // Every message received, in order (unless the scenario takes them from the client's
    // queue itself: queued_receive()).
    std::vector<session::message_received> messages;
    // Messages are left in the client's own queue (async_receive), for a slow application.
    // Before connect().
    void queued_receive() { client_->set_message_handler(nullptr); }

    const std::vector<seen_packet>& packets() const { return packets_; }
    std::size_t count(transport::direction dir, packet_type type) const;
    std::size_t connections() const { return connections_; }
    // The connection state's last change and why (from the client's state handler).
    client::connection_state state() const { return client_->state(); }
    const std::string& end_words() const { return end_words_; }
    std::error_code end_code() const { return end_code_; }
    // The connection's trouble in words, for a failure ("certificate verify failed ...").
    std::string why(std::error_code ec) const;
    std::optional<clock::time_point> ended_at() const { return ended_at_; }

  private:
    void on_packet(const transport::tapped_packet& p);
    context& ctx_;
    std::string label_;
    client::client_options options_;
    std::unique_ptr<tools::trace_printer> trace_;
    std::unique_ptr<client::client> client_;
    session::connected connack_;
    std::vector<seen_packet> packets_;
    std::size_t connections_ = 0;
    std::string end_words_;
    std::error_code end_code_;
    std::optional<clock::time_point> ended_at_;
    // Trace elision: a long run of one packet kind shows its first few and then a count.
    std::pair<transport::direction, packet_type> run_kind_{};
    std::size_t run_length_ = 0;
    void end_run();
};

class context {
  public:
    context(asio::io_context& io, const run_settings& settings, const broker_target& broker,
            std::string scenario, std::ostream& out, tools::pcap_writer* capture);
    ~context();

    asio::io_context& io() { return io_; }
    const run_settings& settings() const { return settings_; }
    const broker_target& broker() const { return broker_; }
    const std::string& name() const { return scenario_; }

    // "mqtt-scenario/3f9a2c1b/qos/1": a topic under the run's prefix.
    std::string topic(std::string_view suffix) const;
    // "will-client-3f9a2c1b": a client id unique to the run.
    std::string client_id(std::string_view label) const;

    // Options for the default listener, the TLS one, the one that requires credentials.
    client::client_options plain() const;
    client::client_options tls() const;
    client::client_options auth(std::optional<std::string> username,
                                std::optional<std::string> password) const;
    // Through a TCP proxy to the broker's plain listener (made on first use): a connection the
    // scenario can cut or stall. nullptr when there is no way to (proxy_host empty).
    local::tcp_proxy* proxy();
    client::client_options via_proxy(local::tcp_proxy& p) const;

    // A new client; it lives until the scenario ends (then disconnected if still connected).
    // Its client id is client_id(label) unless the options name one or `assign_id` is false.
    scenario_client& make_client(std::string label, client::client_options options,
                                 bool assign_id = true);

    // A line of narration in the trace ("-- the subscriber goes offline").
    void step(std::string_view text);
    // Records a part: PASS when ok, else FAIL with "expected E, saw S".
    bool check(bool ok, std::string_view part, std::string_view expected, std::string_view seen);
    void pass(std::string_view part, std::string_view detail);
    void fail(std::string_view part, std::string_view detail);
    void skip(std::string_view part, std::string_view reason);
    // Whether `c`'s SUBSCRIBE went through; if not, records `part` as skipped when the broker
    // does not offer wildcards, else as failed, naming the reason code.
    bool subscribed(const scenario_client& c, const session::subscribe_completed& r,
                    std::string_view part);
    const std::vector<part_result>& parts() const { return parts_; }

    // Suspends until `done()` is true (checked whenever something happens: a packet, a
    // message, a state change) or `timeout` passes; returns done().
    asio::awaitable<bool> wait_until(std::function<bool()> done, clock::duration timeout);
    asio::awaitable<void> sleep(clock::duration d);
    void notify();  // something happened: wait_until looks again

    // Called as the scenario ends: every client still connected says DISCONNECT.
    asio::awaitable<void> finish();

    // Trace plumbing for scenario_client.
    tools::trace_options trace_options(const std::string& label) const;
    std::ostream& out() { return out_; }
    tools::pcap_writer* capture() { return capture_; }
    std::chrono::system_clock::time_point start() const { return start_; }

  private:
    asio::io_context& io_;
    const run_settings& settings_;
    const broker_target& broker_;
    std::string scenario_;
    std::ostream& out_;
    tools::pcap_writer* capture_;
    std::chrono::system_clock::time_point start_;
    std::vector<std::unique_ptr<scenario_client>> clients_;
    std::unique_ptr<local::tcp_proxy> proxy_;
    std::vector<part_result> parts_;
    std::set<asio::steady_timer*> waiters_;  // wait_until's, cancelled by notify()
    bool broke_one_ = false;                 // --break-expectation used up
};

}  // namespace mqtt::scenario
