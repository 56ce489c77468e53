// What bench-compare measured, and the one table it prints: per row the median of the rounds
// with their min-max spread, per pair of rows the ratio against its target. Rounds run
// interleaved, so each round's runs are minutes apart at most and a ratio is taken per round
// (both runs saw the same moment of a shared machine), then its median is shown.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/bench/summary.hpp"  // thousands()

namespace mqtt::bench::compare {

// One run of one program (or of a publisher and its subscriber) in one round.
struct run {
    std::map<std::string, double> figures;  // "msg_per_s", "latency_us.p99", "wall_s", ...
    std::string problem;                    // a failure, shown beside the figures: "lost 10"
    nlohmann::json summary;                 // the program's own JSON, for --json
};

// One line of the table: an implementation in one case of a section, over the rounds.
struct row {
    std::string section, case_name, implementation;  // "standard", "QoS 1", "libmosquitto"
    std::string unavailable;  // instead of figures: "not found (Debian package ...)"
    std::vector<run> runs;    // in the order of the rounds
};

struct target {
    bool at_most = true;  // value <= limit, else value >= limit
    double limit = 0;
};

struct column {
    std::string key, header;  // figure key; header in the table
    int decimals = 0;
    double scale = 1;                // shown value = figure * scale (KiB -> MiB)
    std::optional<target> aim = {};  // a target for the figure itself (KiB per connection)
    bool spread = true;              // the rounds' min-max beside the median
};

// numerator's key / denominator's key of the same case, e.g. ours/raw msg_per_s.
struct ratio {
    std::string numerator, denominator, key;
    std::optional<target> aim = {};
};

struct section {
    std::string name, title;  // "standard"; the heading, with its settings
    std::vector<std::string> implementations;
    std::vector<column> columns;
    std::vector<ratio> ratios;
};

double median(std::vector<double> values);  // NaN when empty

// The per-round values of a ratio (rounds where both runs have the figure).
std::vector<double> ratio_values(const ratio& r, const row& numerator, const row& denominator);

// The table of one section's rows (in order: case by case, implementations, then ratios).
std::string format_section(const section& s, const std::vector<row>& rows);

// Every figure of every round, and the ratios per round, for plotting.
nlohmann::json to_json(const std::vector<section>& sections, const std::vector<row>& rows);

}  // namespace mqtt::bench::compare
