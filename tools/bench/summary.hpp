// The end-of-run summary every benchmark program prints, in words or as one JSON object with
// the same keys: mqtt-bench, and the peers in bench/peers/ (libmosquitto, the raw writer), so
// that scripts/bench can set them side by side.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/bench/histogram.hpp"

namespace mqtt::bench {

// This process's CPU time so far and its peak resident set (getrusage), and its resident set
// now (/proc/self/statm).
struct resource_usage {
    double user_s = 0;
    double system_s = 0;
    std::uint64_t peak_rss_kib = 0;
};
resource_usage usage_now();
std::uint64_t current_rss_kib();

struct summary {
    std::string implementation = "mqtt-bench";  // or "libmosquitto", "raw"
    std::string mode = "pubsub";                // pub, sub, pubsub, conn
    int qos = 0;
    std::uint64_t publishers = 0;
    std::uint64_t subscribers = 0;
    std::uint64_t payload_size = 0;
    std::uint64_t window = 0;  // outbound QoS 1/2 messages in flight per publisher, at most
    double rate = 0;           // per publisher, msg/s; 0: as fast as possible

    std::uint64_t sent = 0;      // PUBLISHes written (QoS 0) or acknowledged (QoS 1/2)
    std::uint64_t received = 0;  // messages delivered to subscribers, duplicates included
    std::uint64_t expected = 0;  // what the subscribers should have received (0: unknown)
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t reordered = 0;
    std::uint64_t errors = 0;
    double elapsed_s = 0;  // first PUBLISH to last message (or last acknowledgement)
    histogram latency;     // ns, publisher's send time to subscriber's receipt
    resource_usage usage;  // the whole process, start to end
    std::optional<double> allocations_per_message;

    // conn: connections made and kept open, how fast, and what each costs.
    std::uint64_t connections = 0;
    double connect_s = 0;
    std::optional<double> memory_per_connection_kib;
    std::string note;  // a skipped part or a limit met, in words
};

// 412310.4 -> "412,310"; with 2 decimals 0.512 -> "0.51" (progress lines, bench-compare's table).
std::string thousands(double v, int decimals = 0);

double messages_per_second(const summary& s);   // of what was received, else what was sent
double megabytes_per_second(const summary& s);  // payload bytes, 10^6
double cpu_per_100k(const summary& s);          // user+system CPU seconds per 100,000 messages

nlohmann::json to_json(const summary& s);
std::string to_text(const summary& s);  // a few lines for people

}  // namespace mqtt::bench
