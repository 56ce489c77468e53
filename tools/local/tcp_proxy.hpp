// A TCP proxy for the client's resilience tests and mqtt-scenario: listens on a free port of
// 127.0.0.1 and forwards every connection to a broker (by default on 127.0.0.1), so a test or a
// scenario can break the path between a client and the broker at moments it chooses:
//
//   cut()             closes every current connection, both sides, at once (see hard_cuts())
//   stall()/resume()  stops forwarding but keeps the sockets open (a half-dead connection)
//   stop_listening()  new connections are refused (ECONNREFUSED); start_listening() on the same
//                     port again
//   refuse_connections(true)  accepts each new connection and closes it at once
//   cut_after_bytes() cuts after N more bytes forwarded in one direction (possibly mid-packet)
//   set_rule()        sees every whole MQTT packet before it is forwarded and may cut the
//                     connection before or right after forwarding it (e.g. after the broker's
//                     k-th PUBREC, before our PUBREL)
//
// The proxy splits each direction into MQTT packets by their fixed header (spec 2.1: the type in
// the first byte's high nibble, then the Remaining Length as a Variable Byte Integer) and forwards
// whole packets. It is plain POSIX sockets and threads: one thread accepts, one per connection
// pumps both directions with poll(); every wait is bounded (poll timeouts, send timeouts), so the
// destructor stops everything promptly.
//
// Thread safety: every member function may be called from any thread. A rule runs on a
// connection's thread, under the proxy's rule lock (one rule call at a time); it may call cut(),
// stall() and resume(), not set_rule() or cut_after_bytes().
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace mqtt::local {

enum class flow : std::uint8_t { to_broker, to_client };
const char* to_string(flow f);

// What to do with a packet about to be forwarded.
enum class verdict : std::uint8_t {
    forward,
    cut_before,  // close the connection without forwarding it (it is lost)
    cut_after,   // forward it, then close the connection (whatever answers it is lost)
};

struct proxied_packet {
    flow direction = flow::to_broker;
    std::uint8_t type = 0;   // spec 2.1.2: 1 CONNECT ... 6 PUBREL ... 15 AUTH (mqtt::packet_type)
    std::uint8_t flags = 0;  // the first byte's low nibble
    std::span<const std::uint8_t> bytes;  // the whole packet; valid during the call
    std::uint64_t connection = 0;         // 1 for the first connection accepted, then 2, ...
    // The Packet Identifier, when the packet carries one (PUBLISH at QoS 1/2, PUBACK to
    // UNSUBACK).
    std::optional<std::uint16_t> packet_id() const;
};

using packet_rule = std::function<verdict(const proxied_packet&)>;

// A one-shot rule: cuts at the `nth` (1-based) packet of `type` going `direction`, counted from
// when the rule is made, then forwards everything.
packet_rule cut_at_packet(flow direction, std::uint8_t type, std::size_t nth, verdict when);

class tcp_proxy {
  public:
    explicit tcp_proxy(std::uint16_t target_port, const std::string& target_ipv4 = "127.0.0.1");
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;

    std::uint16_t port() const { return port_; }

    void cut();  // every current connection: both sides closed now
    void stall();
    void resume();
    void stop_listening();  // returns once the port refuses connections
    void start_listening();
    void refuse_connections(bool on);
    void cut_after_bytes(flow direction, std::size_t n);  // one shot, on the next connection too
    void set_rule(packet_rule rule);                      // empty: forward everything
    // A cut closes the client's side at once and sends the broker a FIN; by default the proxy
    // then reads and drops what the broker still sends until it closes its side (its writes
    // succeed, as on a path that broke somewhere in the network). Hard cuts close the broker's
    // side at once too, so its next writes fail with a reset.
    void hard_cuts(bool on);

    std::uint64_t accepted() const { return accepted_; }  // connections accepted (and refused)
    std::uint64_t cuts() const { return cuts_; }  // connections closed by cut(), a rule, bytes
    std::size_t open_connections() const;

  private:
    struct connection;
    void accept_loop();
    void pump(connection& c);
    bool forward(connection& c, flow direction, std::span<const std::uint8_t> packet);
    void begin_cut(connection& c);  // under mutex_
    void close_connection(connection& c);
    int open_listener();

    std::uint16_t target_port_;
    in_addr target_address_{};
    std::uint16_t port_ = 0;  // set once, by the constructor
    int listen_fd_ = -1;      // the acceptor thread's, after the constructor
    std::atomic<bool> stopping_{false};
    std::atomic<bool> stalled_{false};
    std::atomic<bool> want_listening_{true};
    std::atomic<bool> listening_{false};
    std::atomic<bool> refusing_{false};
    std::atomic<bool> hard_cuts_{false};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> cuts_{0};

    mutable std::mutex mutex_;  // connections_ and every connection's file descriptors
    std::vector<std::unique_ptr<connection>> connections_;
    std::mutex rule_mutex_;  // rule_ and byte_limit_
    packet_rule rule_;
    std::optional<std::size_t> byte_limit_[2];
    std::thread acceptor_;
};

}  // namespace mqtt::local
