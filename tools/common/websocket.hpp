// MQTT over WebSocket, as a capture shows it: one direction of a TCP stream that starts with an
// HTTP/1.1 Upgrade handshake (RFC 6455 section 4) and then carries WebSocket frames (section 5),
// whose binary payloads are the MQTT byte stream (MQTT v5 section 6: a packet may span frames,
// a frame may hold several packets). The unwrapper follows the handshake and the frames and
// gives back the MQTT bytes, so the framer and decoder see what they would see on plain TCP.
//
// Pure: no sockets, no clock. Feed one direction's bytes in order, in chunks of any size; it
// buffers at most one HTTP header block (bounded) and one frame header (at most 14 bytes), and
// unmasks payloads as they stream through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/types.hpp"

namespace mqtt::tools::websocket {

// Whether the first bytes a client sent look like the start of an HTTP request that upgrades to
// WebSocket: "GET " followed, within the header block seen so far, by an "Upgrade: websocket"
// header. `enough` is set to false when the bytes end before the header block does and nothing
// has ruled a WebSocket out yet (feed more and ask again).
bool looks_like_upgrade(bytes_view client_bytes, bool& enough);

// Whether the first bytes a client sent are an HTTP Upgrade to WebSocket whose
// Sec-WebSocket-Protocol offers "mqtt" (or 3.1's "mqttv3.1"): MQTT over WebSocket on any port.
bool upgrade_offers_mqtt(bytes_view client_bytes);

// Something the WebSocket layer said that is worth a line in a trace: the handshake, a control
// frame, a problem. `offset` is the byte of this direction's stream where it starts.
struct note {
    enum class kind : std::uint8_t { handshake, control, problem };
    kind what = kind::handshake;
    std::size_t offset = 0;
    std::string text;
};

class unwrapper {
  public:
    // Whose bytes these are: a client's frames must be masked, a server's must not (RFC 6455
    // 5.1); the client sends the HTTP request, the server the response.
    enum class side : std::uint8_t { client, server };
    explicit unwrapper(side s) : side_(s) {}

    // Consumes `in` and appends the MQTT bytes it carries to `mqtt`. Notes go to notes(). After
    // a fatal problem (not WebSocket at all, a handshake refused, a frame that cannot be read)
    // failed() is true and the rest is ignored; a problem the stream can go on after (a text
    // frame, a bad control frame) is only a note.
    void feed(bytes_view in, std::vector<std::uint8_t>& mqtt);

    // What the handshake said: the path asked for and the subprotocol (the client's offer, the
    // server's choice); empty until known.
    const std::string& path() const { return path_; }
    const std::string& subprotocol() const { return subprotocol_; }
    bool handshake_done() const { return state_ == state::frames; }
    bool failed() const { return state_ == state::failed; }
    // The notes since the last call, which takes them.
    std::vector<note> take_notes() { return std::exchange(notes_, {}); }
    // Bytes consumed so far (this direction's stream offset).
    std::size_t offset() const { return offset_; }
    // Whether the stream ended cleanly: no frame or header block left half read.
    bool at_boundary() const;

  private:
    enum class state : std::uint8_t { http, frames, failed };
    void feed_http(bytes_view& in);
    void feed_frame_header(bytes_view& in);
    void feed_payload(bytes_view& in, std::vector<std::uint8_t>& mqtt);
    bool parse_http(std::string_view block);
    void finish_control();
    void fail(std::size_t at, std::string text);
    void say(note::kind k, std::size_t at, std::string text);

    side side_;
    state state_ = state::http;
    std::size_t offset_ = 0;
    std::string http_;  // the header block, until its blank line
    std::string path_;
    std::string subprotocol_;
    std::vector<note> notes_;

    // The frame being read.
    std::uint8_t header_[14] = {};
    std::size_t header_have_ = 0;
    bool in_payload_ = false;
    std::size_t frame_start_ = 0;
    std::uint8_t opcode_ = 0;
    bool fin_ = false;
    bool masked_ = false;
    std::uint8_t mask_[4] = {};
    std::uint64_t remaining_ = 0;
    std::uint64_t mask_index_ = 0;
    std::string control_payload_;  // a control frame's payload (at most 125 bytes)
    bool in_message_ = false;      // a fragmented data message is open
    bool message_is_data_ = true;  // the open message is binary (or text, noted once)
};

// The name of a close status code (RFC 6455 7.4.1): "1000 Normal Closure", ...
std::string close_code_text(std::uint16_t code);

}  // namespace mqtt::tools::websocket
