// Packet traces: one line per packet, as mqtt-pub/sub/rr print with -d and mqtt-inspect prints
// for a capture.
//
//   +0.004s -> CONNECT client_id="" clean_start=1 keep_alive=60 (15 B)
//   +0.006s <- CONNACK session_present=0 reason=0x00 Success {topic_alias_maximum=10 ...} (28 B)
//
// Time since the start of the trace, the direction (-> client to server, <- server to client),
// then the protocol layer's rendering of the packet (mqtt::to_string, the one formatter for a
// packet) and its size on the wire. trace_mode::hex adds the layer-by-layer dissection under
// each line (the one `mqtt-inspect decode` prints); trace_mode::json prints one JSON object per
// packet instead: {"time": seconds, "direction": "sent"|"received", "size": bytes, ...the
// packet's keys as `mqtt-inspect decode --json` prints them}.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "protocol/types.hpp"
#include "transport/tap.hpp"

namespace mqtt::tools {

enum class trace_mode : std::uint8_t { off, line, hex, json };

// "line" (or ""), "hex", "json"; nullopt for anything else.
std::optional<trace_mode> parse_trace_mode(std::string_view text);

// Whether to colour output written to file descriptor `fd`: a terminal and NO_COLOR unset.
bool use_colour(int fd);

// ANSI SGR sequences of traces (and of diagrams, which colour arrows as traces do); empty
// strings when colour is off.
struct trace_palette {
    const char* dim = "";
    const char* sent = "";
    const char* received = "";
    const char* bold = "";
    const char* error = "";
    const char* reset = "";
};
inline trace_palette trace_colours(bool on) {
    if (!on) return {};
    return {"\x1b[2m", "\x1b[36m", "\x1b[32m", "\x1b[1m", "\x1b[31m", "\x1b[0m"};
}

struct trace_options {
    trace_mode mode = trace_mode::line;
    bool colour = false;
    // Whose packets these are, when several clients trace to one output (mqtt-scenario's
    // "pub", "sub", ...): after the time, padded to `label_width`; in json mode a "client" key.
    std::string label;
    std::size_t label_width = 0;
};

class trace_printer {
  public:
    trace_printer(std::ostream& out, trace_options options,
                  std::chrono::system_clock::time_point start);

    // One packet, whole. `dir` is from the client's side: sent = client to server ("->"). A
    // capture's trace says which stream a packet belongs to with `stream` (0: not shown), and the
    // version the stream speaks with `version`; without it, packets are decoded in the version of
    // the last CONNECT seen (v5 until then), as a server learns its stream's version. A CONNECT
    // is decoded by its own. A packet that does not decode is shown with the fields read before
    // the error (as the hex mode's dissection), the error at its offset, and the rest of its
    // bytes as hex. `resynced` marks the first packet of a capture's stream after a resync
    // ("[resync]" at the end of its line, "resynced": true in json mode).
    void packet(transport::direction dir, std::chrono::system_clock::time_point time,
                bytes_view bytes, int stream = 0,
                std::optional<protocol_version> version = std::nullopt, bool resynced = false);
    // A line of context ("connected to 127.0.0.1:1883 from 127.0.0.1:40312"), in the trace's
    // time column; in json mode an object {"time": s, "event": text}.
    void note(std::chrono::system_clock::time_point time, std::string_view text, int stream = 0);
    // Observers to hang on a client's tap.
    void attach(transport::packet_tap& tap);

  private:
    double seconds(std::chrono::system_clock::time_point t) const;
    std::string prefix(std::chrono::system_clock::time_point t, int stream) const;

    std::ostream& out_;
    trace_options options_;
    std::chrono::system_clock::time_point start_;
    protocol_version version_ = protocol_version::v5;
};

}  // namespace mqtt::tools
