// Writes the packets of a client's connections to a pcap file that Wireshark and tshark decode
// as MQTT: each MQTT packet becomes the payload of a synthesized TCP segment (split in several
// segments when it is larger than one IPv4 packet can carry), in IPv4 or IPv6 headers with the
// connection's real addresses, and sequence and acknowledgement numbers consistent across both
// directions. Every connection starts with a SYN, SYN-ACK, ACK handshake and ends with FIN/ACK
// in both directions, so Wireshark's TCP analysis has nothing to warn about.
//
// The bytes are those at the MQTT layer: plain text even when the connection used TLS. The
// server's port in the file is therefore always 1883 (MQTT's port for plain text, which
// Wireshark decodes as MQTT); the client's port is the real one. The file itself is written
// with libpcap (link type raw IP), one record per segment, flushed after each packet so a
// capture is readable while the tool runs.
#pragma once

#include <memory>
#include <string>

#include "transport/tap.hpp"

namespace mqtt::tools {

class pcap_writer {
  public:
    // Creates or truncates `path`. Throws std::runtime_error naming the file and the reason.
    explicit pcap_writer(const std::string& path);
    ~pcap_writer();  // closes an open connection (FIN both ways) and the file
    pcap_writer(const pcap_writer&) = delete;
    pcap_writer& operator=(const pcap_writer&) = delete;

    // A connection opened: the TCP handshake. An open connection is closed first.
    void opened(const transport::connection_event& e);
    // One whole MQTT packet. Before any opened(), a connection 127.0.0.1:49152 -> :1883 is
    // assumed.
    void packet(const transport::tapped_packet& p);
    // The connection closed: FIN/ACK from the client, then from the server.
    void closed(std::chrono::system_clock::time_point time);

    // Observers on a client's tap that call the three functions above.
    void attach(transport::packet_tap& tap);
    // Why writing the file failed (the first failure), or empty while every packet was written.
    const std::string& error() const;

  private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace mqtt::tools
