// mqtt-inspect encode: JSON lines in (the format `decode --json` prints, or a JSON trace),
// packet bytes out as hex.
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "tools/common/hex.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/inspect/commands.hpp"

namespace mqtt::inspect {

namespace {

bool blank_or_comment(const std::string& line) {
    const std::size_t first = line.find_first_not_of(" \t\r");
    return first == std::string::npos || line[first] == '#';
}

// Whether a JSON object is meant as a packet. Traces also print lines without one, made only of
// these keys: connection events {"time", "event"} (--trace=json), and in pcap --json each
// stream's {"stream", "client", "server"} and its problems {"stream", "problem", "kind", ...}.
// Anything else, even without "type", is a packet (and an error if it lacks fields). A malformed
// packet in a trace is {"time", "stream", "direction", "size", "error"}: a packet, which cannot be
// encoded.
bool carries_packet(const tools::json& j) {
    if (j.contains("type")) return true;
    // pcap --json's problems, gaps and resyncs, and its stream headers (with their version).
    if (j.contains("problem") || (j.contains("client") && j.contains("server"))) return false;
    bool said_something = false;
    for (const auto& [key, value] : j.items()) {
        if (key == "event" || key == "client" || key == "server" || key == "problem") {
            said_something = true;
        } else if (key != "time" && key != "stream") {
            return true;
        }
    }
    return !said_something;
}

// Encodes the packet of one line and prints it; returns an exit code.
int encode_line(const std::string& line, std::size_t number, bool force, std::ostream& out,
                std::ostream& err) {
    const std::string where = fmt::format("line {}", number);
    tools::json j;
    try {
        j = tools::json::parse(line);
    } catch (const tools::json::parse_error& e) {
        err << fmt::format("error: {}: invalid JSON: {}\n", where, e.what());
        return exit_bad_input;
    }
    if (j.is_object()) {
        // A line of a trace (--trace=json, mqtt-inspect pcap --json): its packet, without the
        // keys the trace adds. The trace's other lines carry no packet and are skipped.
        if (!carries_packet(j)) return exit_ok;
        if (!j.contains("type") && j.contains("error")) {
            err << fmt::format(
                "error: {}: a malformed packet in the trace ({}): it has no fields to encode\n",
                where, j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump());
            return exit_bad_input;
        }
        for (const char* key : {"time", "stream", "direction", "size", "resynced"})
            j.erase(key);
    }
    tools::owned_packet p;
    try {
        p = tools::packet_from_json(j);
    } catch (const tools::json_packet_error& e) {
        err << fmt::format("error: {}: {}\n", where, e.what());
        return exit_bad_input;
    }
    // In the version the line says (`protocol_version`, 5 when absent).
    const std::optional<decode_error> problem = check_packet(p.packet, p.version);
    if (problem && !force) {
        err << fmt::format("error: {}: invalid packet: {} (--force encodes it anyway)\n", where,
                           problem->message());
        return exit_bad_input;
    }
    const std::optional<std::size_t> size = encoded_size(p.packet, p.version);
    if (!size) {
        err << fmt::format(
            "error: {}: cannot be encoded: {}\n", where,
            problem ? problem->message()
                    : std::string("a string or binary field over 65,535 bytes, or a Remaining "
                                  "Length over 268,435,455"));
        return exit_bad_input;
    }
    if (problem) err << fmt::format("warning: {}: invalid packet: {}\n", where, problem->message());
    std::vector<std::uint8_t> bytes(*size);
    bytes.resize(encode(p.packet, bytes, p.version));
    out << tools::to_hex(bytes, " ") << '\n';
    return exit_ok;
}

}  // namespace

int run_encode(const encode_settings& s, std::istream& in, std::ostream& out, std::ostream& err) {
    std::ifstream file;
    std::istream* input = &in;
    if (!s.file.empty() && s.file != "-") {
        file.open(s.file);
        if (!file) {
            err << fmt::format("error: cannot open {}\n", s.file);
            return exit_bad_input;
        }
        input = &file;
    }
    std::string line;
    for (std::size_t number = 1; std::getline(*input, line); ++number) {
        if (blank_or_comment(line)) continue;
        if (const int rc = encode_line(line, number, s.force, out, err); rc != exit_ok) {
            out.flush();
            return rc;
        }
    }
    return exit_ok;
}

}  // namespace mqtt::inspect
