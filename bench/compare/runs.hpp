// One run of a benchmark program, or of a publishing tool into a subscribing tool, and the
// figures read from it. A failure never throws: it becomes the run's problem, shown in the table.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/compare/table.hpp"

namespace mqtt::bench::compare {

// mqtt-bench or a peer with --json: the figures of its summary (tools/bench/summary.hpp), the
// latency's nested keys as "latency_us.p99". Killed after `bound`.
run run_bench_program(const std::vector<std::string>& argv, std::chrono::seconds bound);

// `subscriber` (which leaves after N messages) is started first and given time to subscribe,
// then `publisher` with stdin from `lines`. Figures: wall_s (publisher's start to subscriber's
// exit), pub_cpu_s, sub_cpu_s. Both are killed `bound` after the publisher's start.
run run_tool_pair(const std::vector<std::string>& publisher,
                  const std::vector<std::string>& subscriber, const std::filesystem::path& lines,
                  std::chrono::seconds bound);

}  // namespace mqtt::bench::compare
