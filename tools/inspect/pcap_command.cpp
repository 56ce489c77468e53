// mqtt-inspect pcap: the MQTT streams of a capture file, printed as traces.
#include <iostream>
#include <limits>

#include <fmt/format.h>

#include "tools/common/capture_reader.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/common/trace.hpp"
#include "tools/inspect/commands.hpp"

namespace mqtt::inspect {

tools::capture_options options_for(const std::vector<std::uint16_t>& ports,
                                   std::optional<protocol_version> version) {
    tools::capture_options o;
    // --port names the ports to read, and only those; without it, 1883 and 8883 and any
    // connection whose client starts like MQTT (a CONNECT, a WebSocket upgrade to MQTT).
    if (!ports.empty()) {
        o.ports = ports;
        o.discover = false;
    }
    o.version = version;
    return o;
}

bool read_capture_file(const std::string& file, const tools::capture_options& options,
                       std::ostream& err, tools::capture_contents& capture) {
    try {
        capture = tools::read_capture_contents(file, options);
        return true;
    } catch (const tools::capture_error& e) {
        err << "error: " << e.what() << '\n';
        return false;
    }
}

std::string no_mqtt_found(const std::string& file, const tools::capture_options& o) {
    std::string ports;
    for (const std::uint16_t p : o.ports)
        ports += (ports.empty() ? "" : ", ") + std::to_string(p);
    return fmt::format(
        "{}: no MQTT found on TCP port(s) {}; is the broker on another port? (--port N)", file,
        ports);
}

int run_pcap(const pcap_settings& s, std::ostream& out, std::ostream& err) {
    const tools::capture_options options = options_for(s.ports, s.version);
    tools::capture_contents capture;
    if (!read_capture_file(s.file, options, err, capture)) return exit_bad_input;
    const std::vector<tools::captured_stream>& streams = capture.streams;
    // A file that stops early (cut short, or a broken record) is said last, after what was read
    // before it.
    const auto file_problem = [&] {
        if (capture.problem) err << "problem: " << *capture.problem << '\n';
    };
    if (streams.empty()) {
        err << no_mqtt_found(s.file, options) << '\n';
        file_problem();
        return exit_problem;
    }
    std::chrono::system_clock::time_point start = std::chrono::system_clock::time_point::max();
    for (const auto& st : streams) {
        if (!st.packets.empty()) start = std::min(start, st.packets.front().time);
        if (!st.notes.empty()) start = std::min(start, st.notes.front().time);  // a handshake
    }
    if (start == std::chrono::system_clock::time_point::max()) start = {};
    const tools::trace_mode mode = s.json  ? tools::trace_mode::json
                                   : s.hex ? tools::trace_mode::hex
                                           : tools::trace_mode::line;
    tools::trace_printer trace(out, {mode, !s.json && tools::use_colour(1)}, start);
    bool problems = false;
    int number = 0;
    for (const auto& st : streams) {
        ++number;
        const std::string header =
            fmt::format("stream {}: {} -> {} ({} packets) {}{}", number, st.client, st.server,
                        st.packets.size(), protocol_version_name(st.version),
                        st.websocket ? " over WebSocket" : "");
        if (s.json) {
            tools::json j = {{"stream", number},
                             {"client", st.client},
                             {"server", st.server},
                             {"protocol_version", int(st.version)}};
            if (st.websocket) j["websocket"] = true;
            if (!st.found_by.empty()) j["found_by"] = st.found_by;
            if (!st.version_note.empty()) {
                j["version_from"] =
                    st.version_from == tools::version_source::option ? "option" : "chosen";
                j["version_note"] = st.version_note;
            }
            out << j.dump() << '\n';
        } else {
            out << header << '\n';
            if (!st.found_by.empty())
                out << fmt::format("stream {}: note: {}\n", number, st.found_by);
            if (!st.version_note.empty())
                out << fmt::format("stream {}: note: {}\n", number, st.version_note);
        }
        // Packets and the notes of the layer under MQTT (WebSocket), in capture order: a note
        // comes before the packets its frame completes.
        auto note = st.notes.begin();
        const auto print_notes_until = [&](std::size_t frame) {
            for (; note != st.notes.end() && note->frame <= frame; ++note) {
                problems = problems || note->problem;
                const std::string arrow = note->dir == transport::direction::sent ? "->" : "<-";
                if (s.json) {
                    tools::json j = {
                        {"stream", number},
                        {"time", std::chrono::duration<double>(note->time - start).count()},
                        {"direction",
                         note->dir == transport::direction::sent ? "sent" : "received"},
                        {"websocket", note->text}};
                    if (note->problem) j["problem"] = note->text;
                    out << j.dump() << '\n';
                } else {
                    trace.note(
                        note->time,
                        fmt::format("{} {}{}", arrow, note->problem ? "problem: " : "", note->text),
                        number);
                }
            }
        };
        // Each problem where it happened: among the packets, a malformed one right after its
        // packet.
        std::size_t next_problem = 0;
        const auto problems_before = [&](std::size_t packet) {
            for (; next_problem < st.problems.size() &&
                   st.problems[next_problem].before_packet <= packet;
                 ++next_problem) {
                const tools::stream_problem& pr = st.problems[next_problem];
                problems = true;
                if (s.json) {
                    tools::json j = {
                        {"stream", number},
                        {"problem", pr.text},
                        {"kind", tools::problem_kind_name(pr.kind)},
                        {"frame", pr.frame},
                        {"direction", pr.dir == transport::direction::sent ? "sent" : "received"},
                        {"offset", pr.offset}};
                    if (pr.size > 0) j["size"] = pr.size;
                    if (pr.sequence) j["sequence"] = *pr.sequence;
                    out << j.dump() << '\n';
                } else {
                    out << fmt::format("stream {}: problem: {}\n", number, pr.text);
                }
            }
        };
        for (std::size_t i = 0; i < st.packets.size(); ++i) {
            problems_before(i);
            const tools::captured_packet& p = st.packets[i];
            print_notes_until(p.frame);
            trace.packet(p.dir, p.time, p.bytes, number, st.version, p.resynced);
        }
        print_notes_until(std::numeric_limits<std::size_t>::max());
        problems_before(st.packets.size());
    }
    out.flush();
    file_problem();
    return problems || capture.problem ? exit_problem : exit_ok;
}

}  // namespace mqtt::inspect
