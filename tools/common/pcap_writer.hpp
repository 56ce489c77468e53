// Writes the packets of clients' connections to a pcap file that Wireshark and tshark decode
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
//
// Several connections at once: each attach() gets its own connection slot (its addresses,
// sequence numbers, open or not), so several clients attached to one writer, connected at the
// same time, give one file in which each TCP connection is its own stream. A client that
// reconnects opens a new connection in its slot (the previous one is closed first). All slots
// write to the one file: records appear in the order of the calls, IPv4 ids count across all.
// The three functions opened(), packet() and closed() act on a slot of their own, the default
// slot, apart from every attached one.
//
// Sequence numbers are deterministic: a connection's initial sequence numbers derive from the
// client's port, so the same connections give the same file (connections open at the same time
// have different ports, hence different sequence numbers).
//
// Threads: every member function may be called from any thread, also at the same time (clients
// attached to one writer may run on different strands or threads): one mutex guards the slots
// and the file. The taps themselves are not thread-safe: each tap is fed by one client, as
// usual. The writer must outlive the taps it is attached to (their observers point to it) or
// at least their last packet.
#pragma once

#include <memory>
#include <string>

#include "transport/tap.hpp"

namespace mqtt::tools {

class pcap_writer {
  public:
    // Creates or truncates `path`. Throws std::runtime_error naming the file and the reason.
    explicit pcap_writer(const std::string& path);
    ~pcap_writer();  // closes every open connection, slot by slot (FIN both ways), and the file
    pcap_writer(const pcap_writer&) = delete;
    pcap_writer& operator=(const pcap_writer&) = delete;

    // On the default slot. A connection opened: the TCP handshake. An open connection is
    // closed first.
    void opened(const transport::connection_event& e);
    // One whole MQTT packet. Before any opened(), a connection 127.0.0.1:49152 -> :1883 is
    // assumed.
    void packet(const transport::tapped_packet& p);
    // The connection closed: FIN/ACK from the client, then from the server.
    void closed(std::chrono::system_clock::time_point time);

    // A new connection slot, and observers on a client's tap that do what the three functions
    // above do, in that slot. A packet before any connection event on the tap assumes the
    // connection 127.0.0.1:(49152 + n) -> :1883 for the n-th attach() (from 1).
    void attach(transport::packet_tap& tap);
    // Why writing the file failed (the first failure), or empty while every packet was written.
    std::string error() const;

  private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace mqtt::tools
