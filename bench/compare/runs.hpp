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

inline constexpr int hyperfine_warmup = 3;  // runs not counted, first

struct hyperfine_options {
    std::string hyperfine;  // its path
    int runs = 30;
    bool ignore_failure = false;        // -i: for a command whose exit status is not 0 by design
    std::filesystem::path export_file;  // overwritten
    std::chrono::seconds bound{60};     // then hyperfine is killed
};

// `hyperfine -N --warmup 3 --runs N --export-json FILE COMMAND`. Figures: wall_ms (the median
// run) and cpu_ms (the mean user + system CPU of a run). When a run of the command fails,
// hyperfine stops without the command's output: the command is run once more for its reason.
// With ignore_failure, a run that a signal ended (a crash) still makes the row a problem.
run run_hyperfine(const std::vector<std::string>& command, const hyperfine_options& options);

// The footprint of a subscriber that has subscribed and received: `subscriber` is started with
// its stdout kept, `publisher` is run (again every 200 ms: neither subscriber tells when its
// SUBSCRIBE is acknowledged) until the subscriber has printed `payload`, at most `bound`; 300 ms
// later its /proc/PID/status gives rss_kib, rss_anon_kib, rss_file_kib and threads. Then it gets
// SIGTERM, and is killed if it has not left 2 s later.
run run_idle_subscriber(const std::vector<std::string>& subscriber,
                        const std::vector<std::string>& publisher, const std::string& payload,
                        std::chrono::seconds bound);

}  // namespace mqtt::bench::compare
