// The subcommands of mqtt-inspect. Each returns the process exit code: 0 on success, 2 on
// malformed input or usage errors (pcap and diff: see below).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "protocol/types.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/common/diagram.hpp"

namespace mqtt::inspect {

inline constexpr int exit_ok = 0;
inline constexpr int exit_problem = 1;  // pcap: a problem in the capture; diff: different
inline constexpr int exit_bad_input = 2;

struct decode_settings {
    std::vector<std::string> hex;  // empty: read hex from stdin
    bool json = false;             // one JSON object per packet instead of the dissection
    std::uint32_t maximum_packet_size = max_packet_size_limit;
    // The version the bytes speak (--protocol); a CONNECT is decoded by its own.
    protocol_version version = protocol_version::v5;
};

// Splits the bytes into packets and prints each, layer by layer or as JSON lines. Errors go to
// `err` after the packets decoded before them.
int run_decode(const decode_settings& s, std::istream& in, std::ostream& out, std::ostream& err);

struct encode_settings {
    std::string file;    // empty or "-": read stdin
    bool force = false;  // print packets that check_packet refuses (with a warning)
};

// Reads one JSON packet per line and prints each packet's bytes as hex, one packet per line.
int run_encode(const encode_settings& s, std::istream& in, std::ostream& out, std::ostream& err);

// The capture options for `--port` flags (none: the MQTT ports 1883 and 8883) and `--protocol`
// (the version of streams captured without their CONNECT).
tools::capture_options options_for(const std::vector<std::uint16_t>& ports,
                                   std::optional<protocol_version> version);
// Reads `file` into `capture`; a file that cannot be read is "error: <why>" on `err` and false
// (the commands then exit 2).
bool read_capture_file(const std::string& file, const tools::capture_options& options,
                       std::ostream& err, tools::capture_contents& capture);
// "FILE: no MQTT found on TCP port(s) 1883, 8883; is the broker on another port? (--port N)"
std::string no_mqtt_found(const std::string& file, const tools::capture_options& o);

struct pcap_settings {
    std::string file;
    std::vector<std::uint16_t> ports;  // empty: 1883 and 8883
    bool json = false;                 // one JSON object per packet (the --trace=json format)
    bool hex = false;                  // each packet layer by layer under its line
    std::optional<protocol_version> version;  // --protocol: streams without a CONNECT
};

// Prints the MQTT streams of a capture as traces. 0: read; 1: some stream had a problem, the
// file stops early (cut short or a broken record: what was read before it is printed, then
// the problem on `err`), or there was no MQTT at all; 2: the file cannot be read.
int run_pcap(const pcap_settings& s, std::ostream& out, std::ostream& err);

struct diagram_settings {
    std::string file;
    std::vector<std::uint16_t> ports;  // empty: 1883 and 8883
    tools::diagram_options options;    // filters, gap, elision
    bool no_times = false;             // the ladder without its time margin (to compare runs)
    std::string svg, html;             // files to write too, when set
    std::optional<protocol_version> version;  // --protocol: streams without a CONNECT
};

// Draws the MQTT of a capture as a sequence diagram: the ladder on `out`, and the SVG and HTML
// files when asked. Exit codes as run_pcap's; 2 also for a bad --types or --stream, or an
// output file that cannot be written; 1 also when no packet matches the filters.
int run_diagram(const diagram_settings& s, std::ostream& out, std::ostream& err);

struct diff_settings {
    std::string a, b;
    std::vector<std::uint16_t> ports;         // empty: 1883 and 8883
    std::optional<protocol_version> version;  // --protocol: streams without a CONNECT
};

// Compares two captures at the MQTT level. 0: the same flow; 1: they differ (the first
// difference is printed); 2: a file cannot be read. A file that stops early is compared as far
// as it goes, and its problem is said on `err` after the comparison.
int run_diff(const diff_settings& s, std::ostream& out, std::ostream& err);

}  // namespace mqtt::inspect
