// mqtt-bench's command line: the mode, the connection flags the other tools take
// (tools/common/client_cli.hpp), and the workload. parse_bench() turns argv into a checked plan
// or a usage error naming the flag, so the tests can drive it without running anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/common/client_cli.hpp"

namespace mqtt::bench {

enum class bench_mode : std::uint8_t { pub, sub, pubsub, conn };
const char* to_string(bench_mode m);

// The flags the plan takes as they are (checked by their CLI11 validators).
struct run_settings {
    double duration = 0;      // --duration seconds instead of -n
    double rate = 0;          // -r: per publisher, msg/s; 0: unlimited
    std::uint64_t size = 64;  // -s: payload bytes
    double connect_rate = 0;  // --connect-rate: connections per second; 0: unlimited
    double interval = 0;      // --interval: progress lines every S seconds
    bool json = false;        // --json
    double timeout = 10;      // --timeout: seconds without progress before giving up
    double hold = 0;          // conn --hold: seconds to keep the connections open
};

// The flags as given.
struct bench_settings {
    tools::common_settings connection;
    std::uint64_t clients = 1;           // -c: publishers (pub, pubsub), subscribers (sub), conn
    std::uint64_t subscribers = 1;       // -S: subscribers of pubsub
    std::optional<std::uint64_t> count;  // -n: messages per publisher (sub: in all)
    int qos = 0;                         // -q
    std::string topic;                   // -t: topic pattern (%i: client index)
    std::string shared;                  // --shared GROUP: $share/GROUP/filter
    run_settings run;
};

// What the run does, checked.
struct bench_plan {
    bench_mode mode = bench_mode::pubsub;
    tools::prepared_settings client;  // options for every client (its id is set per client)
    std::string id_prefix;            // + "pub3", "sub0", "conn12"
    std::uint64_t publishers = 0;
    std::uint64_t subscribers = 0;
    std::uint64_t connections = 0;       // conn
    std::optional<std::uint64_t> count;  // per publisher (sub: in all); none with a duration
    mqtt::qos qos = qos::at_most_once;
    std::string topic_pattern;      // publishers' topic, %i = index
    std::string filter;             // subscribers' filter (%i = index), $share/... included
    bool filter_covers_all = true;  // each subscriber (or the group) gets every message sent
    bool shared = false;
    run_settings run;
};

// The pattern with %i replaced by `index` (and %% by %).
std::string expand_topic(const std::string& pattern, std::uint64_t index);

// Adds every flag to `app` (one subcommand per mode is the caller's business).
void add_bench_flags(CLI::App& app, bench_settings& s, bench_mode mode);
// Checks and converts; throws tools::usage_error naming the flag.
bench_plan make_plan(const bench_settings& s, bench_mode mode);

}  // namespace mqtt::bench
