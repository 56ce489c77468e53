#include "tools/bench/options.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "protocol/topic.hpp"
#include "tools/bench/stamp.hpp"

namespace mqtt::bench {

using tools::usage_error;

const char* to_string(bench_mode m) {
    switch (m) {
        case bench_mode::pub:
            return "pub";
        case bench_mode::sub:
            return "sub";
        case bench_mode::pubsub:
            return "pubsub";
        case bench_mode::conn:
            return "conn";
    }
    return "?";
}

std::string expand_topic(const std::string& pattern, std::uint64_t index) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 'i') {
                out += std::to_string(index);
                ++i;
                continue;
            }
            if (pattern[i + 1] == '%') {
                out += '%';
                ++i;
                continue;
            }
        }
        out += pattern[i];
    }
    return out;
}

namespace {

// The filter that matches every topic of `pattern`: each level holding %i becomes '+'.
std::string filter_for(const std::string& pattern) {
    std::string out, level;
    auto flush = [&] {
        out += level.find("%i") != std::string::npos ? std::string("+") : expand_topic(level, 0);
        level.clear();
    };
    for (const char c : pattern) {
        if (c == '/') {
            flush();
            out += '/';
        } else {
            level += c;
        }
    }
    flush();
    return out;
}

}  // namespace

void add_bench_flags(CLI::App& app, bench_settings& s, bench_mode mode) {
    tools::add_common_flags(app, s.connection, tools::tool_kind::bench);
    const char* clients_help = mode == bench_mode::sub    ? "Subscribers (default 1)"
                               : mode == bench_mode::conn ? "Connections to open (default 1)"
                                                          : "Publishers (default 1)";
    app.add_option("-c,--clients", s.clients, clients_help)
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}))
        ->group("Workload");
    app.add_option("--connect-rate", s.run.connect_rate,
                   "Connections started per second (default: as fast as they complete, 100 at "
                   "a time)")
        ->check(tools::non_negative_number(1e6))
        ->group("Workload");
    app.add_option("--interval", s.run.interval,
                   "Print a progress line every S seconds (default: a live line on a terminal, "
                   "none otherwise)")
        ->check(tools::non_negative_number(tools::max_seconds))
        ->group("Output");
    app.add_flag("--json", s.run.json, "Print the summary as one JSON object")->group("Output");
    if (mode == bench_mode::conn) {
        app.add_option("--hold", s.run.hold,
                       "Keep the connections open S seconds before leaving (default 0)")
            ->check(tools::non_negative_number(tools::max_seconds))
            ->group("Workload");
        return;
    }
    if (mode == bench_mode::pubsub) {
        app.add_option("-S,--subscribers", s.subscribers, "Subscribers (default 1)")
            ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000}))
            ->group("Workload");
    }
    app.add_option("-n,--count", s.count,
                   mode == bench_mode::sub
                       ? "Messages to receive in all, then stop (default: until --duration, "
                         "Ctrl-C or --timeout without messages)"
                       : "Messages per publisher (default 100000, unless --duration)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->group("Workload");
    app.add_option("--duration", s.run.duration, "Publish (or receive) for S seconds instead of -n")
        ->check(tools::positive_number(tools::max_seconds))
        ->group("Workload");
    app.add_option("-q,--qos", s.qos, "QoS 0, 1 or 2 (default 0)")->group("Workload");
    app.add_option("-t,--topic", s.topic,
                   mode == bench_mode::sub
                       ? "Topic filter, %i: the subscriber's index (default mqtt-bench/#)"
                       : "Topic, %i: the publisher's index (default mqtt-bench/PID/%i)")
        ->group("Workload");
    app.add_option("--shared", s.shared, "Subscribers share one subscription: $share/GROUP/filter")
        ->group("Workload");
    app.add_option("--timeout", s.run.timeout,
                   "Give up after S seconds with no message in or out (default 10)")
        ->check(tools::positive_number(tools::max_seconds))
        ->group("Workload");
    if (mode == bench_mode::sub) return;
    app.add_option("-r,--rate", s.run.rate,
                   "Messages per second per publisher (default: unlimited)")
        ->check(tools::non_negative_number(1e9))
        ->group("Workload");
    app.add_option("-s,--size", s.run.size,
                   fmt::format("Payload bytes, at least {} for the stamp (default 64)", stamp_size))
        ->check(CLI::Range(std::uint64_t{stamp_size}, std::uint64_t{256} << 20))
        ->group("Workload");
}

bench_plan make_plan(const bench_settings& s, bench_mode mode) {
    bench_plan p;
    p.mode = mode;
    p.client = tools::prepare(s.connection, tools::tool_kind::bench);
    p.client.options.reconnect = false;  // a lost connection is an error of the run, counted
    p.id_prefix = s.connection.client_id_prefix.empty() ? fmt::format("mqtt-bench-{}-", ::getpid())
                                                        : s.connection.client_id_prefix;
    p.qos = tools::parse_qos(s.qos, "-q");
    p.run = s.run;
    if (s.run.duration > 0 && s.count)
        throw usage_error("-n and --duration: give one (messages, or seconds)");
    if (mode == bench_mode::conn) {
        p.connections = s.clients;
        return p;
    }
    p.count = s.count;
    if (!p.count && s.run.duration <= 0 && mode != bench_mode::sub) p.count = 100'000;
    p.publishers = mode == bench_mode::sub ? 0 : s.clients;
    p.subscribers = mode == bench_mode::pub      ? 0
                    : mode == bench_mode::pubsub ? s.subscribers
                                                 : s.clients;

    if (mode == bench_mode::sub) {
        p.filter = s.topic.empty() ? "mqtt-bench/#" : s.topic;
        p.filter_covers_all = false;  // who publishes is not ours to know
    } else {
        p.topic_pattern = s.topic.empty() ? fmt::format("mqtt-bench/{}/%i", ::getpid()) : s.topic;
        for (const std::uint64_t i : {std::uint64_t{0}, p.publishers - 1}) {
            if (const char* problem = topic_name_problem(expand_topic(p.topic_pattern, i)))
                throw usage_error(fmt::format("-t {}: {}", p.topic_pattern, problem));
        }
        p.filter = filter_for(p.topic_pattern);
    }
    if (const char* problem = topic_filter_problem(expand_topic(p.filter, 0)))
        throw usage_error(fmt::format("-t {}: {}", p.filter, problem));
    if (!s.shared.empty()) {
        if (s.shared.find_first_of("/+#") != std::string::npos)
            throw usage_error(fmt::format(
                "--shared {}: a share name has no '/', '+' or '#' (MQTT-4.8.2-2)", s.shared));
        if (mode == bench_mode::pub) throw usage_error("--shared is for subscribers (sub, pubsub)");
        p.filter = "$share/" + s.shared + "/" + p.filter;
        p.shared = true;
    }
    return p;
}

}  // namespace mqtt::bench
