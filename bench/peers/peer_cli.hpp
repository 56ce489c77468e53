// What the two benchmark peers (bench-libmosquitto, bench-raw) share: the command line, which is
// mqtt-bench pubsub's so that a driver can run all three alike, the --rate pacing, and the end
// of a run (the summary and the exit code). See bench/peers/README.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "tools/bench/summary.hpp"

namespace mqtt::bench::peers {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;  // something lost or duplicated, or no connection
inline constexpr int exit_usage = 2;

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    int qos = 0;
    std::uint64_t count = 100'000;  // -n: messages to publish, and to receive
    std::size_t size = 64;          // -s: payload bytes, the stamp included
    std::uint32_t window = 20;      // -M: outbound QoS 1/2 messages in flight, at most
    double rate = 0;                // msg/s; 0: as fast as the window allows
    std::string topic;              // default bench/peer/<pid>
    bool json = false;
    double timeout_s = 10;  // seconds without progress before giving up
};

// The options, or the exit code to leave with: exit_ok after --help (printed), exit_usage after
// a usage error (explained on stderr).
std::variant<options, int> parse_options(int argc, char** argv, const std::string& program,
                                         const std::string& description);

// "host:port", for error messages.
std::string where(const options& o);

// A summary with the run's settings filled in; the peer adds what it measured.
summary settings_summary(const options& o, const std::string& implementation);

// Prints the summary (words, or one JSON line with --json) and returns the exit code: exit_ok
// when nothing was lost or duplicated, else exit_failed.
int report(const summary& s, const options& o);

// With --rate, message `sequence` is due at start + sequence / rate seconds (CLOCK_MONOTONIC ns);
// without, at once (start).
std::uint64_t due_ns(const options& o, std::uint64_t start_ns, std::uint64_t sequence);

// Sleeps until CLOCK_MONOTONIC reaches `t_ns` (the clock of the stamps' send times).
void sleep_until_ns(std::uint64_t t_ns);

}  // namespace mqtt::bench::peers
