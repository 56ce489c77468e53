// mqtt-bench: throughput, latency percentiles, CPU and memory of MQTT clients against a broker.
//
//   mqtt-bench pubsub -q 1 -n 100000          one publisher and one subscriber, 100,000 messages
//   mqtt-bench pub -c 10 -r 1000 --duration 30 ten publishers at 1,000 msg/s each
//   mqtt-bench sub -t 'mqtt-bench/#' -n 50000 count what another process publishes
//   mqtt-bench conn -c 10000 --hold 5          ten thousand idle connections
//
// See tools/README.md and bench/README.md.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "tools/bench/limits.hpp"
#include "tools/bench/options.hpp"
#include "tools/bench/runner.hpp"

namespace {

using namespace mqtt;
using namespace mqtt::bench;

int run(const bench_settings& s, bench_mode mode) {
    const bench_plan plan = make_plan(s, mode);
    const std::uint64_t connections =
        mode == bench_mode::conn ? plan.connections : plan.publishers + plan.subscribers;
    if (auto problem = capacity_problem(connections, raise_open_files(connections))) {
        std::cerr << "mqtt-bench: " << *problem << "\n";
        return tools::exit_failed;
    }
    const bool live = isatty(STDERR_FILENO) && plan.run.interval <= 0 &&
                      plan.client.trace == tools::trace_mode::off;
    const std::function<void(const std::string&)> progress = [live](const std::string& line) {
        if (live)
            std::cerr << "\r\x1b[K" << line << std::flush;
        else
            std::cerr << line << "\n";
    };
    const run_result r = run_bench(plan, live, progress);
    if (live) std::cerr << "\r\x1b[K";
    if (!r.failure.empty() && !plan.client.quiet) std::cerr << "mqtt-bench: " << r.failure << "\n";
    const summary& f = r.figures;
    if (r.failure.empty() && (f.lost || f.duplicated) && !plan.client.quiet) {
        std::cerr << fmt::format("mqtt-bench: {} messages lost and {} duplicated{}\n", f.lost,
                                 f.duplicated, f.qos == 0 ? " (QoS 0 may lose messages)" : "");
    }
    const bool nothing_ran = f.sent + f.received + f.connections == 0 && !r.failure.empty();
    if (plan.run.json) {
        nlohmann::json j = to_json(f);
        if (!r.failure.empty()) j["error"] = r.failure;
        std::cout << j.dump() << "\n";
    } else if (!nothing_ran) {
        std::cout << to_text(f);
    }
    return r.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("mqtt-bench: MQTT v5 throughput, latency, CPU and memory against a broker",
                 "mqtt-bench");
    app.require_subcommand(1);
    app.set_help_flag("--help", "Print this help and exit");
    app.add_flag_callback(
        "--version", [] { throw CLI::CallForVersion("mqtt-bench " MQTT_VERSION, 0); },
        "Print the version and exit");
    struct mode_entry {
        bench_mode mode;
        const char* help;
        bench_settings settings;
        CLI::App* command = nullptr;
    };
    std::vector<mode_entry> modes;
    modes.push_back(
        {bench_mode::pub, "Publish as fast as allowed (or at -r), count acknowledgements", {}});
    modes.push_back(
        {bench_mode::sub, "Subscribe and measure what arrives (stamped by mqtt-bench)", {}});
    modes.push_back({bench_mode::pubsub,
                     "Publishers and subscribers in one process: throughput, loss, latency",
                     {}});
    modes.push_back(
        {bench_mode::conn, "Open many connections and keep them idle: rate and memory each", {}});
    for (mode_entry& m : modes) {
        m.command = app.add_subcommand(to_string(m.mode), m.help);
        add_bench_flags(*m.command, m.settings, m.mode);
    }
    return tools::parse_and_run(app, argc, argv, [&]() -> int {
        for (const mode_entry& m : modes)
            if (m.command->parsed()) return run(m.settings, m.mode);
        return tools::exit_usage;
    });
}
