// mqtt-scenario --report DIR: DIR/index.html, one page that works offline (no scripts, fonts or
// styles from elsewhere): a summary table, then per scenario its explanation, its verdict with
// each check, its sequence diagram (tools/common/diagram.hpp, drawn from its capture), its
// trace, and a link to its pcap (copied into DIR).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tools/scenario/runner.hpp"

namespace mqtt::scenario {

struct report_entry {
    const scenario* what = nullptr;
    scenario_result result;
    std::string trace;  // what the run printed for it (colours removed)
};

struct report_header {
    std::string broker;                     // target.description
    std::vector<std::string> capabilities;  // the broker's CONNACK in words
    std::string prefix;                     // the topics' prefix
};

// Writes DIR/index.html and copies each capture into DIR. Throws std::runtime_error naming the
// file it could not write.
void write_report(const std::filesystem::path& dir, const report_header& header,
                  const std::vector<report_entry>& entries);

// `text` without ANSI colour sequences (ESC [ ... m).
std::string without_colours(std::string_view text);

}  // namespace mqtt::scenario
