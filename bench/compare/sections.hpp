// The five sections of bench-compare, as a plan: the table's layout (sections, rows) and the runs
// that fill the rows, in the order of one round. bench/README.md says what each one measures.
//
//   start     mqtt-pub --help, one QoS 1 publish (hyperfine), an idle mqtt-sub's memory and
//             threads, beside mosquitto_pub and mosquitto_sub
//   tools     mqtt-pub -l into mqtt-sub -C N, beside mosquitto_pub and mosquitto_sub
//   standard  mqtt-bench pubsub, bench-libmosquitto, bench-raw at QoS 0, 1, 2, unpaced
//   latency   the same three at 1,000 msg/s, QoS 1
//   conn      mqtt-bench conn: idle connections, their rate and memory each
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench/compare/table.hpp"

namespace mqtt::bench::compare {

inline const std::vector<std::string> all_sections = {"start", "tools", "standard", "latency",
                                                      "conn"};

struct settings {
    int rounds = 5;
    int start_runs = 30;                     // start: hyperfine's runs per round
    std::uint64_t messages = 100'000;        // standard
    std::uint64_t tool_messages = 50'000;    // tools
    std::uint64_t latency_messages = 5'000;  // latency
    std::uint64_t connections = 10'000;      // conn
    std::uint32_t window = 100;              // -M, QoS 1/2 in flight
    std::filesystem::path bin;               // our programs and the peers
    std::filesystem::path work_dir;          // the tools' input file, hyperfine's export
    std::vector<std::string> only = all_sections;
    std::uint16_t port = 0;    // the broker's plain listener
    std::string conn_skipped;  // why the machine cannot hold the connections, if it cannot
};

// Fills rows[row] with one more round.
struct job {
    std::size_t row;
    std::string label;  // "standard QoS 1 libmosquitto", for the progress line
    std::function<run()> once;
};

struct plan {
    std::vector<section> sections;
    std::vector<row> rows;
    std::vector<job> jobs;             // one round; rows not available have none
    std::vector<std::string> missing;  // our own programs that are not there: nothing to compare
};

// The plan for the selected sections; writes the tools' input file into work_dir.
plan make_plan(const settings& s);

// A line for the progress output: the run's main figure or its problem.
std::string brief(const run& r);

}  // namespace mqtt::bench::compare
