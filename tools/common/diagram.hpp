// Sequence diagrams of the MQTT in a capture: one column per endpoint (each client, and the
// broker in the middle), one arrow per MQTT packet, time flowing down. make_diagram() lays the
// capture out once; the renderers draw that layout as a terminal ladder, a standalone SVG, or an
// offline HTML page whose arrows show the packet's trace line and dissection on click or hover.
//
//               pub-ref00000            broker             sub-ref00000
//                    |                     |                     |
//   +0.000s          o                     |                     |   stream 3 opens ...
//   +0.000s          |-- CONNECT --------->|                     |
//   +0.000s          |<- CONNACK ----------|                     |
//   +0.042s          |-- PUBLISH id=1 q1 "a/b" ->|               |
//
// The layout (struct diagram) is plain data, so tests check it without parsing a rendering:
// - columns, left to right. A client is named by the Client Identifier of its CONNECT (or the
//   Assigned Client Identifier of the CONNACK when the CONNECT's was empty), else by its
//   address ("127.0.0.1:40312"). Streams with the same name (a client that reconnects) share
//   one column. The broker is in the middle: clients that only publish on the left, the others
//   on the right, each side in the order the clients first appear; when one side would be
//   empty the first-seen client goes left (one client: client, broker), and the later half of
//   a crowded left side goes right.
// - rows, top to bottom, in capture order: an arrow per packet, the first and last packet of
//   each stream marked (a capture does not say when TCP opened or closed, so "opens" is its
//   first packet and "ends" its last), a stream's problem after its first malformed packet (or
//   its last packet: bytes missing, a capture cut inside a packet, TLS), a gap where
//   the capture is silent for longer than options.gap, and one "N packets not shown" row where
//   the middle of a long diagram was elided.
// - x positions in character cells, shared by the ladder and the SVG (which scales them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/common/capture_reader.hpp"

namespace mqtt::tools {

struct diagram_options {
    std::vector<int> streams;          // --stream N (1-based, as mqtt-inspect pcap numbers them)
    std::vector<std::string> clients;  // --client ID (client id from CONNECT, or the address)
    std::vector<std::string> types;    // --types PUBLISH,PUBACK (packet type names, any case)
    std::optional<double> from, to;    // seconds since the first packet of the capture
    double gap = 1.0;  // silences longer than this (seconds) are drawn as a gap with their length
    std::size_t max_arrows = 2000;  // more: the first and last halves, the middle elided; 0: all
};

struct diagram_column {
    std::string name;     // "broker", a client identifier or a client address
    std::string address;  // the broker's (or "several") or the client's first address
    bool broker = false;
    std::vector<int> streams;  // the capture's stream numbers (1-based) drawn in this column
    std::size_t x = 0;         // the lifeline's position, in character cells
};

enum class row_kind : std::uint8_t {
    arrow,    // one MQTT packet between `column` and the broker
    opened,   // the stream's first packet follows
    ended,    // the stream's last packet was the arrow before
    problem,  // the stream stopped making sense (text: why), or the file stops early
    gap,      // `duration` seconds without a packet
    elided,   // `elided` packets (and their markers) not shown
};

struct diagram_row {
    row_kind kind = row_kind::arrow;
    double time = 0;         // seconds since the capture's first packet
    std::size_t column = 0;  // the client's column (problem rows of the file: the broker's)
    int stream = 0;          // the capture's stream number, 1-based (0: none)
    std::string text;        // arrow: short label ("PUBLISH id=3 q2 \"a/b\""); markers: why
    // arrow only
    bool to_broker = false;  // client to server
    bool malformed = false;  // the bytes do not decode (text says so; the trace line why)
    std::size_t index = 0;   // the packet's number among the packets the filters kept, from 1
    std::chrono::system_clock::time_point at;         // the packet's capture time
    std::vector<std::uint8_t> bytes;                  // the whole packet
    protocol_version version = protocol_version::v5;  // its stream's
    double duration = 0;                              // gap only
    std::size_t elided = 0;                           // elided only
};

struct diagram {
    std::vector<diagram_column> columns;          // left to right
    std::size_t broker = 0;                       // the broker's column
    std::vector<diagram_row> rows;                // top to bottom
    std::size_t width = 0;                        // character cells up to the rightmost lifeline
    std::size_t packets = 0;                      // packets the filters kept (arrows + elided)
    std::chrono::system_clock::time_point start;  // the capture's first packet
};

diagram make_diagram(const capture_contents& capture, const diagram_options& options);

struct text_options {
    bool colour = false;  // ANSI colours: sent and received arrows as in traces
    bool times = true;    // false: no time margin and gaps without their length (golden tests)
};
std::string render_text(const diagram& d, const text_options& options);
std::string render_text(const diagram& d, bool colour);  // the terminal ladder

std::string render_svg(const diagram& d);  // a standalone SVG document
struct svg_options {
    std::string id_prefix = "dg";  // of the ids inside (arrowhead markers)
    bool standalone = true;        // the XML declaration and the <style> (else: the page's)
    bool titles = true;            // each arrow's trace line as its <title> (a hover tooltip)
};
std::string render_svg(const diagram& d, const svg_options& options);
std::string render_html_page(const diagram& d, std::string_view title);  // a whole offline page

// For embedding several diagrams in one page (the scenario report): the <style>/<script> the
// fragments need, once per page (in <head>), and one diagram's fragment; ids inside start with
// id_prefix. The script records uncaught errors in <html data-errors="...">.
std::string diagram_html_head();
std::string render_html_fragment(const diagram& d, std::string_view id_prefix);

// Pieces the renderers share. The short label of one packet ("CONNACK 0x87 Not authorized");
// the text escaped for XML and HTML (& < > " ', control characters as \xNN).
std::string packet_label(bytes_view packet, protocol_version version = protocol_version::v5);
std::string xml_escape(std::string_view text);
std::size_t display_width(std::string_view utf8);  // code points: the terminal cells of a label
// An arrow's packet as a trace prints it ("+0.042s #1 -> PUBLISH id=1 qos=1 ... (40 B)"), and
// layer by layer as `mqtt-inspect decode` prints it (with the error of a malformed packet).
std::string trace_line(const diagram& d, const diagram_row& arrow);
std::string dissection_text(const diagram_row& arrow);
// The CSS of the SVG's classes (inside the standalone SVG, or in diagram_html_head()).
std::string_view diagram_css();

}  // namespace mqtt::tools
