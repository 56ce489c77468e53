// mqtt-inspect diagram: the MQTT of a capture file as a sequence diagram: a ladder on stdout,
// and an SVG or an HTML page when asked. The drawing is tools/common/diagram.hpp.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "tools/common/capture_reader.hpp"
#include "tools/common/diagram.hpp"
#include "tools/common/trace.hpp"
#include "tools/inspect/commands.hpp"

namespace mqtt::inspect {

namespace {

bool is_packet_type(std::string name) {
    for (char& c : name)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int t = 1; t <= 15; ++t) {
        if (packet_type_name(packet_type(t)) == name) return true;
    }
    return false;
}

// Writes `text` to `path`; false (with the reason on `err`) when it cannot.
bool write_file(const std::string& path, const std::string& text, std::ostream& err) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) {
        err << fmt::format("error: cannot write {}\n", path);
        return false;
    }
    return true;
}

}  // namespace

int run_diagram(const diagram_settings& s, std::ostream& out, std::ostream& err) {
    for (const std::string& t : s.options.types) {
        if (!is_packet_type(t)) {
            err << fmt::format("error: --types {}: not a packet type (CONNECT, PUBLISH, ...)\n", t);
            return exit_bad_input;
        }
    }
    const tools::capture_options options = options_for(s.ports, s.version);
    tools::capture_contents capture;
    if (!read_capture_file(s.file, options, err, capture)) return exit_bad_input;
    const auto file_problem = [&] {
        if (capture.problem) err << "problem: " << *capture.problem << '\n';
    };
    if (capture.streams.empty()) {
        err << no_mqtt_found(s.file, options) << '\n';
        file_problem();
        return exit_problem;
    }
    for (const int n : s.options.streams) {
        if (n < 1 || std::size_t(n) > capture.streams.size()) {
            err << fmt::format("error: --stream {}: the capture has streams 1 to {}\n", n,
                               capture.streams.size());
            return exit_bad_input;
        }
    }

    const tools::diagram d = tools::make_diagram(capture, s.options);
    tools::text_options text;
    text.colour = tools::use_colour(1);
    text.times = !s.no_times;
    out << tools::render_text(d, text);
    out.flush();

    bool problems = capture.problem.has_value();
    for (const tools::diagram_column& c : d.columns) {
        for (const int n : c.streams)
            problems = problems || !capture.streams[std::size_t(n - 1)].problems.empty();
    }
    const std::string title =
        "mqtt-inspect diagram " + std::filesystem::path(s.file).filename().string();
    if (!s.svg.empty() && !write_file(s.svg, tools::render_svg(d), err)) return exit_bad_input;
    if (!s.html.empty() && !write_file(s.html, tools::render_html_page(d, title), err))
        return exit_bad_input;
    if (d.packets == 0) {
        err << fmt::format("{}: no packet matches the filters\n", s.file);
        problems = true;
    }
    file_problem();
    return problems ? exit_problem : exit_ok;
}

}  // namespace mqtt::inspect
