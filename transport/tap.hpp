// The packet tap: every MQTT packet sent or received on a connection, whole, with its time and
// raw bytes, goes to every observer. Traces, pcap captures and tests hang on it. It sits at the
// boundary between bytes and packets: the transport moves bytes, the tap splits them into
// packets with the protocol layer's framer (so a packet split across reads is seen once, whole).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
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

class packet_tap {
  public:
    void add(packet_observer observer) { observers_.push_back(std::move(observer)); }
    bool empty() const { return observers_.empty(); }
    // Bytes as they cross the connection, in order, for one direction.
    void bytes(direction d, bytes_view data, std::chrono::system_clock::time_point time);
    void reset();  // a new connection

  private:
    std::vector<packet_observer> observers_;
    framer sent_{max_packet_size_limit};
    framer received_{max_packet_size_limit};
};

}  // namespace mqtt::transport
