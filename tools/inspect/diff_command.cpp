// mqtt-inspect diff: two captures compared at the MQTT level, by tools/common/flow_compare.hpp
// (which says what is compared and what is not). This file reads the files and prints.
#include <ostream>

#include "tools/common/capture_reader.hpp"
#include "tools/common/flow_compare.hpp"
#include "tools/inspect/commands.hpp"

namespace mqtt::inspect {

int run_diff(const diff_settings& s, std::ostream& out, std::ostream& err) {
    const tools::capture_options options = options_for(s.ports, s.version);
    tools::capture_contents a, b;
    if (!read_capture_file(s.a, options, err, a) || !read_capture_file(s.b, options, err, b))
        return exit_bad_input;
    // A file that stops early is compared as far as it goes; its problem is said after.
    const tools::flow_comparison c = tools::compare_streams(a.streams, b.streams);
    out << c.difference.value_or(c.summary) << '\n';
    out.flush();
    if (a.streams.empty()) err << no_mqtt_found(s.a, options) << '\n';
    if (b.streams.empty()) err << no_mqtt_found(s.b, options) << '\n';
    if (a.problem) err << "problem: A: " << *a.problem << '\n';
    if (b.problem) err << "problem: B: " << *b.problem << '\n';
    return c.difference ? exit_problem : exit_ok;
}

}  // namespace mqtt::inspect
