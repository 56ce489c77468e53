#include "bench/peers/peer_cli.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <ctime>
#include <iostream>

#include "tools/bench/stamp.hpp"

namespace mqtt::bench::peers {

std::variant<options, int> parse_options(int argc, char** argv, const std::string& program,
                                         const std::string& description) {
    options o;
    CLI::App app{description, program};
    app.add_option("--host", o.host, "Broker address")->capture_default_str();
    app.add_option("--port", o.port, "Broker port")->capture_default_str();
    app.add_option("-q,--qos", o.qos, "QoS of the PUBLISHes and of the subscription")
        ->check(CLI::Range(0, 2))
        ->capture_default_str();
    app.add_option("-n,--count", o.count, "Messages to publish (and to receive)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}))
        ->capture_default_str();
    // The stamp takes the first 24 bytes; 256 MiB is MQTT's largest packet.
    app.add_option("-s,--size", o.size, "Payload bytes (at least 24, the stamp)")
        ->check(CLI::Range(stamp_size, std::size_t{256'000'000}))
        ->capture_default_str();
    app.add_option("-M,--window", o.window, "QoS 1/2 messages in flight, at most")
        ->check(CLI::Range(1, 65535))  // Receive Maximum's range
        ->capture_default_str();
    app.add_option("--rate", o.rate, "Messages per second (0: as fast as possible)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("-t,--topic", o.topic, "Topic (default bench/peer/<pid>)");
    app.add_flag("--json", o.json, "Print the summary as one JSON object");
    app.add_option("--timeout", o.timeout_s, "Seconds without progress before giving up")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help: printed
        std::cerr << program << ": " << e.what() << " (see " << program << " --help)\n";
        return exit_usage;
    }
    if (o.topic.empty()) o.topic = fmt::format("bench/peer/{}", ::getpid());
    return o;
}

std::string where(const options& o) {
    return fmt::format("{}:{}", o.host, o.port);
}

summary settings_summary(const options& o, const std::string& implementation) {
    summary s;
    s.implementation = implementation;
    s.mode = "pubsub";
    s.qos = o.qos;
    s.publishers = 1;
    s.subscribers = 1;
    s.payload_size = o.size;
    s.window = o.window;
    s.rate = o.rate;
    s.expected = o.count;
    return s;
}

int report(const summary& s, const options& o) {
    if (o.json)
        std::cout << to_json(s).dump() << '\n';
    else
        std::cout << to_text(s);
    std::cout.flush();
    return s.lost == 0 && s.duplicated == 0 ? exit_ok : exit_failed;
}

std::uint64_t due_ns(const options& o, std::uint64_t start_ns, std::uint64_t sequence) {
    if (o.rate <= 0) return start_ns;
    return start_ns + std::uint64_t(double(sequence) * 1e9 / o.rate);
}

void sleep_until_ns(std::uint64_t t_ns) {
    timespec ts{};
    ts.tv_sec = time_t(t_ns / 1'000'000'000u);
    ts.tv_nsec = long(t_ns % 1'000'000'000u);
    // An absolute deadline: a signal that interrupts the sleep does not stretch it.
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

}  // namespace mqtt::bench::peers
