// The packet tap: every MQTT packet sent or received on a connection, whole, with its time and
// raw bytes, goes to every observer. Traces, pcap captures and tests hang on it. It sits at the
// boundary between bytes and packets: the transport moves bytes, the tap splits them into
// packets with the protocol layer's framer (so a packet split across reads is seen once, whole).
#pragma once

#include <asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocol/framer.hpp"

namespace mqtt::transport {

enum class direction : std::uint8_t { sent, received };

struct tapped_packet {
    direction dir = direction::sent;
    std::chrono::system_clock::time_point time;  // wall-clock time, for traces and pcap files
    bytes_view bytes;                            // one whole packet; valid during the call only
};

using packet_observer = std::function<void(const tapped_packet&)>;

// A connection opened (TCP, and TLS when `tls`, are up; no MQTT packet sent yet) or closed.
// Captures use it to write the TCP handshake and the FIN; traces to say where they connected.
struct connection_event {
    bool opened = true;
    std::chrono::system_clock::time_point time;
    asio::ip::tcp::endpoint local;   // ours; unset (0.0.0.0:0) when closed
    asio::ip::tcp::endpoint remote;  // the broker's
    bool tls = false;
};

// "127.0.0.1:1883", "[::1]:1883": an endpoint as a person (and a URL) writes it.
std::string to_string(const asio::ip::tcp::endpoint& e);
using connection_observer = std::function<void(const connection_event&)>;

class packet_tap {
  public:
    void add(packet_observer observer) { observers_.push_back(std::move(observer)); }
    void add_connection_observer(connection_observer observer) {
        connection_observers_.push_back(std::move(observer));
    }
    bool empty() const { return observers_.empty() && connection_observers_.empty(); }
    // Bytes as they cross the connection, in order, for one direction: at `time`, or (the
    // second form) now, the clock read only when someone observes the packets.
    void bytes(direction d, bytes_view data, std::chrono::system_clock::time_point time);
    void bytes(direction d, bytes_view data) {
        if (!observers_.empty()) bytes(d, data, std::chrono::system_clock::now());
    }
    void reset();                            // a new connection: drops partial packets
    void opened(const connection_event& e);  // resets, then tells the connection observers
    void closed(std::chrono::system_clock::time_point time);

  private:
    std::vector<packet_observer> observers_;
    std::vector<connection_observer> connection_observers_;
    bool open_ = false;
    framer sent_{max_packet_size_limit};
    framer received_{max_packet_size_limit};
};

}  // namespace mqtt::transport
