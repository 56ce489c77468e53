// Reads MQTT conversations out of a capture file: pcap or pcapng (read with libpcap), made by
// our tools, tcpdump, tshark or Wireshark, on loopback or Ethernet, including Linux cooked
// captures (SLL and SLL2) and VLAN tags, over IPv4 or IPv6.
//
// Each TCP connection with one end on an MQTT port is one stream; so is a connection on any
// other port whose client starts with a CONNECT or a WebSocket upgrade to MQTT. A stream that
// starts with an HTTP Upgrade to WebSocket is followed through its handshake and frames, and the
// MQTT inside is read as on plain TCP. Its two directions are reassembled by sequence number
// (retransmissions and overlaps are dropped, out-of-order segments wait for the gap to fill),
// then split into whole MQTT packets with the protocol splitter (stream_splitter.hpp), so a
// packet split across segments and several packets in one segment both come out as whole
// packets. The side on the MQTT port is the server.
//
// Bad input does not end a stream: a malformed packet is kept (its problem says why), a bad
// fixed header or a segment missing from the capture (a gap that never fills) is reported
// where it is, and decoding resumes at the next plausible packet start (a resync).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "transport/tap.hpp"

namespace mqtt::tools {

struct captured_packet {
    transport::direction dir = transport::direction::sent;  // sent: client to server
    std::chrono::system_clock::time_point time;             // of the frame that completed it
    std::size_t frame = 0;                                  // that frame's number, from 1
    std::vector<std::uint8_t> bytes;                        // the whole MQTT packet
    std::size_t offset = 0;  // its stream offset: bytes of its direction before it, from 0
    bool resynced = false;   // the first packet after a resync (a gap, or a bad fixed header)
};

// What went wrong in a stream, and where.
enum class problem_kind : std::uint8_t {
    not_mqtt,    // TLS records (or other bytes that are not MQTT): the direction is not read
    malformed,   // a whole packet that does not decode (shown with its fields)
    bad_header,  // a fixed header that frames no plausible packet; a resync follows
    gap,         // bytes missing from the capture (a segment that was never captured)
    resync,      // decoding resumed at a plausible packet start after skipping bytes
    skipped,     // bytes up to the end of the data with no plausible packet start in them
    cut,         // a packet cut by a gap or by the end of the capture
};
// "malformed", "bad_header", "gap", ... (the JSON "kind").
const char* problem_kind_name(problem_kind k);

struct stream_problem {
    problem_kind kind = problem_kind::malformed;
    transport::direction dir = transport::direction::sent;
    std::size_t frame = 0;   // the frame where it shows
    std::size_t offset = 0;  // stream offset in its direction where it starts
    std::size_t size = 0;    // gap: bytes missing; resync, skipped: bytes skipped; cut: bytes held
    std::optional<std::uint32_t> sequence;  // gap: the TCP sequence number of its first byte
    // Where it goes among the stream's packets: before packets[before_packet] (packets.size():
    // after the last). A malformed packet's problem comes right after that packet.
    std::size_t before_packet = 0;
    // The whole message: "frame 7, client to server, offset 120: malformed packet: ...".
    std::string text;
};

// Where a stream's protocol version came from.
enum class version_source : std::uint8_t {
    connect,  // its CONNECT's Protocol Name and Level
    option,   // no CONNECT in the capture: capture_options::version (--protocol)
    chosen,   // no CONNECT in the capture: the version it decodes cleanly under (5 when alike)
};

// Something the layer under MQTT said, at its place in the stream: the WebSocket handshake, a
// WebSocket control frame (ping, close), or a WebSocket problem (`problem` true: a text frame, an
// unmasked client frame, a missing "mqtt" subprotocol; these make the capture's exit status 1).
struct captured_note {
    transport::direction dir = transport::direction::sent;
    std::chrono::system_clock::time_point time;
    std::size_t frame = 0;
    std::string text;
    bool problem = false;
};

struct captured_stream {
    std::string client;                    // "127.0.0.1:40312" or "[::1]:40312"
    std::string server;                    // "127.0.0.1:1883"
    std::vector<captured_packet> packets;  // both directions, in capture order
    // MQTT over WebSocket: the client's first bytes were an HTTP Upgrade to WebSocket; the
    // packets are the MQTT inside the frames' payloads (RFC 6455; MQTT v5 section 6), and
    // `notes` says what the WebSocket layer did. False for MQTT straight on TCP.
    bool websocket = false;
    std::vector<captured_note> notes;  // in capture order
    // How the stream was found when its server port is not in capture_options::ports: its first
    // bytes were a CONNECT or an HTTP Upgrade offering the "mqtt" subprotocol ("" otherwise).
    std::string found_by;
    // The version its packets are decoded by, and why: a stream speaks the version of its
    // CONNECT. `version_note` says how it was set when not by a CONNECT ("" when it was).
    protocol_version version = protocol_version::v5;
    version_source version_from = version_source::connect;
    std::string version_note;
    // Everything that went wrong, in stream order: bytes that are not MQTT (e.g. TLS on 8883:
    // "TLS records, not MQTT: ..."), malformed packets (the decoder's message), bad fixed
    // headers, gaps in the capture that never filled, resyncs, and packets cut by a gap or the
    // end of the capture. Empty for a clean stream.
    std::vector<stream_problem> problems;
};

struct capture_options {
    // A TCP port on either end marks MQTT. A connection on another port is read too when the
    // first bytes its client sends are an MQTT CONNECT (Protocol Name "MQTT" or "MQIsdp") or an
    // HTTP Upgrade to WebSocket offering the "mqtt" subprotocol (`discover`, on by default).
    std::vector<std::uint16_t> ports = {1883, 8883};
    bool discover = true;
    // The version of the streams captured without their CONNECT (--protocol); a stream with a
    // CONNECT speaks its CONNECT's version whatever this says.
    std::optional<protocol_version> version;
};

// A --protocol value: 5, 311, 31 (also 3.1.1, 3.1) or mosquitto's -V spellings mqttv5,
// mqttv311, mqttv31; nullopt for anything else.
std::optional<protocol_version> parse_protocol_version(std::string_view text);

class capture_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// What a capture file holds: its MQTT streams, in the order their first segment appears, and
// why reading stopped before the end of the file, if it did: a file cut short in the middle
// of a record (as a killed tcpdump leaves it: "FILE: the file is truncated: the record after
// frame 8 (byte offset 812) is cut short: ...") or a record libpcap cannot read. The streams
// hold every frame before that record; a stream it cut inside a packet says so in its own
// `problems`.
struct capture_contents {
    std::vector<captured_stream> streams;
    std::optional<std::string> problem;
};

// Throws capture_error when the file cannot be opened, is not a capture, or has a link type we
// do not know (naming it).
capture_contents read_capture_contents(const std::string& path,
                                       const capture_options& options = {});
// The same, from a capture file's bytes in memory (tests).
capture_contents read_capture_contents(bytes_view file, const capture_options& options = {});

// Only the streams of read_capture_contents: a file that stops early gives the streams read
// before, without saying so. For callers that want the packets alone (the fuzz target).
std::vector<captured_stream> read_capture(const std::string& path,
                                          const capture_options& options = {});
std::vector<captured_stream> read_capture(bytes_view file, const capture_options& options = {});

}  // namespace mqtt::tools
