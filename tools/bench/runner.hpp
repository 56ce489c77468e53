// The runs themselves: publishers and subscribers (pub, sub, pubsub) or idle connections
// (conn), all on one io_context in one thread (no thread per connection), each client an
// mqtt::client::client. The clients' handlers run on that thread, so the counters, the
// histogram and the sequence trackers need no locks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tools/bench/options.hpp"
#include "tools/bench/summary.hpp"

namespace mqtt::bench {

// Counters as a run goes, for the progress line.
struct progress_counters {
    double elapsed_s = 0;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t in_flight = 0;
    std::uint64_t errors = 0;
    std::uint64_t connected = 0;  // conn
};
// "  12.0 s  out 51,234 msg/s  in 51,200 msg/s  in flight 100  errors 0", from two snapshots
// `seconds` apart.
std::string progress_line(const progress_counters& now, const progress_counters& before,
                          bench_mode mode);

struct run_result {
    summary figures;
    int exit_code = 0;    // 0 all well; 1 something failed, was lost or duplicated
    std::string failure;  // what failed, in words (for stderr)
};

// Runs the plan. `progress` (may be empty) gets a line every plan.interval seconds, or every
// second when `live` (a terminal: the caller redraws one line).
run_result run_bench(const bench_plan& plan, bool live,
                     const std::function<void(const std::string&)>& progress);

}  // namespace mqtt::bench
