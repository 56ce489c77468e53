// Opening bench-raw's two connections, before the run: TCP, CONNECT and CONNACK, SUBSCRIBE and
// SUBACK, on blocking sockets. Failures throw setup_error with a message that names host:port.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "bench/peers/peer_cli.hpp"
#include "bench/peers/raw_packets.hpp"

namespace mqtt::bench::raw {

// No connection, or a CONNACK or SUBACK that refuses: the run cannot start.
struct setup_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A TCP connection to --host:--port with TCP_NODELAY (we batch ourselves), and SO_RCVTIMEO and
// SO_SNDTIMEO of `timeout_s`, so that blocking calls give up when the broker goes quiet.
int connect_to(const peers::options& o, double timeout_s);

// Writes all of `b` on a blocking socket; false on error (errno says which).
bool send_all(int fd, std::span<const std::uint8_t> b);

// CONNECT, then CONNACK; returns the broker's Receive Maximum if it sent one. `in` keeps what
// was read beyond the CONNACK.
std::optional<std::uint16_t> handshake(int fd, bytes& in, const std::string& client_id,
                                       const peers::options& o);

// SUBSCRIBE to --topic at --qos, then SUBACK. `in` keeps what was read beyond the SUBACK.
void subscribe_to(int fd, bytes& in, const peers::options& o);

}  // namespace mqtt::bench::raw
