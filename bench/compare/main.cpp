// bench-compare: our client beside Mosquitto's tools, libmosquitto and a client with no MQTT
// library (bench-raw), all against one local Mosquitto, in one table of medians over rounds run
// interleaved (A B C A B C ...), because the machine is shared and its noise comes and goes; and
// what our tools cost to start and to keep idle, beside Mosquitto's.
//
//   bench-compare                          5 rounds of every section (several minutes)
//   bench-compare --quick                  1 round of small runs (scripts/test)
//   bench-compare --only standard,latency --rounds 3 --json figures.json
//
// Exit status: 0 when the runs ran (a missed target is information, not a failure), 1 when the
// broker could not start or our own programs are missing, 2 usage error, 130 interrupted.
// See bench/README.md.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include "bench/compare/process.hpp"
#include "bench/compare/sections.hpp"
#include "tools/bench/limits.hpp"
#include "tools/local/mosquitto.hpp"

namespace {

using namespace mqtt::bench::compare;
namespace fs = std::filesystem;

// Where the tools' input file lives, removed at the end.
struct temporary_directory {
    fs::path path;
    temporary_directory() {
        std::string name = "/tmp/bench-compare-XXXXXX";
        if (::mkdtemp(name.data())) path = name;
    }
    ~temporary_directory() {
        std::error_code ignored;
        if (!path.empty()) fs::remove_all(path, ignored);
    }
};

std::string mosquitto_version() {
    std::FILE* p = ::popen("mosquitto -h 2>&1", "r");
    if (!p) return "Mosquitto";
    char line[128] = "";
    const bool read = std::fgets(line, sizeof line, p) != nullptr;
    ::pclose(p);
    std::string v = read ? line : "Mosquitto";
    return v.substr(0, v.find_last_not_of("\n") + 1);  // "mosquitto version 2.0.11"
}

std::string today() {
    char text[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", std::localtime(&now));
    return text;
}

bool selected(const settings& s, const std::string& section) {
    return std::find(s.only.begin(), s.only.end(), section) != s.only.end();
}

int run_all(settings s, const std::string& json_file, const std::vector<std::string>& command) {
    if (selected(s, "conn")) {
        // Before the broker starts: it inherits this limit, and needs a descriptor per
        // connection as much as mqtt-bench does.
        const auto limits = mqtt::bench::raise_open_files(s.connections, 64);
        if (auto problem = mqtt::bench::capacity_problem(s.connections, limits, 64))
            s.conn_skipped = *problem;
    }
    const temporary_directory work;
    if (work.path.empty()) {
        std::cerr << "bench-compare: cannot make a directory in /tmp\n";
        return 1;
    }
    s.work_dir = work.path;
    std::unique_ptr<mqtt::local::mosquitto_broker> broker;
    try {
        broker = std::make_unique<mqtt::local::mosquitto_broker>(
            mqtt::local::mosquitto_options{.unlimited = true});
    } catch (const std::exception& e) {
        std::cerr << "bench-compare: " << e.what() << "\n";
        return 1;
    }
    s.port = broker->plain_port;
    plan p = make_plan(s);
    if (!p.missing.empty()) {
        std::cerr << fmt::format(
            "bench-compare: nothing to compare without {} (build them: ninja -C BUILD mqtt-bench "
            "mqtt-pub mqtt-sub, or scripts/build; or say where they are with --bin)\n",
            fmt::join(p.missing, ", "));
        return 1;
    }

    watch_interrupts();
    const bool live = ::isatty(STDERR_FILENO);
    const auto began = clock::now();
    for (int round = 1; round <= s.rounds; ++round) {
        for (const job& j : p.jobs) {
            if (interrupted()) break;
            if (live) std::cerr << fmt::format("round {}/{}: {} ...", round, s.rounds, j.label);
            run r = j.once();
            if (live) std::cerr << " " << brief(r) << std::endl;
            p.rows[j.row].runs.push_back(std::move(r));
        }
    }
    const double minutes = std::chrono::duration<double>(clock::now() - began).count() / 60;

    std::cout << fmt::format(
        "bench-compare, {}: {} on 127.0.0.1 without limits, {} round{} run interleaved in {:.1f} "
        "min\nEach figure: the median of the rounds (min-max). A ratio: the median of its "
        "per-round ratios (target, ok or MISSED).\n\n",
        today(), mosquitto_version(), s.rounds, s.rounds == 1 ? "" : "s", minutes);
    for (const section& sec : p.sections)
        std::cout << sec.title << "\n" << format_section(sec, p.rows) << "\n";
    std::cout.flush();

    if (!json_file.empty()) {
        nlohmann::json j = to_json(p.sections, p.rows);
        j["command"] = command;
        j["date"] = today();
        j["broker"] = mosquitto_version();
        j["settings"] = {{"rounds", s.rounds},
                         {"start_runs", s.start_runs},
                         {"messages", s.messages},
                         {"tool_messages", s.tool_messages},
                         {"latency_messages", s.latency_messages},
                         {"connections", s.connections},
                         {"window", s.window},
                         {"bin", s.bin.string()}};
        std::ofstream(json_file) << j.dump(1) << "\n";
    }
    if (interrupted()) {
        std::cerr << "bench-compare: interrupted; the table has the rounds that ran\n";
        return 130;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    bool quick = false;
    std::string json_file;
    CLI::App app{
        "Our MQTT client beside mosquitto_pub/sub, libmosquitto and a library-less "
        "client, against one local Mosquitto: one table of medians over rounds",
        "bench-compare"};
    using u64 = std::uint64_t;
    const auto count = CLI::Range(u64{1}, u64{1'000'000'000});
    auto* rounds = app.add_option("--rounds", s.rounds, "Rounds, run interleaved (default 5)")
                       ->check(CLI::Range(1, 1000));
    auto* start_runs =
        app.add_option("--start-runs", s.start_runs,
                       "hyperfine's runs per round of the start section (default 30)")
            ->check(CLI::Range(1, 10'000));
    auto* messages = app.add_option("--messages", s.messages,
                                    "Messages per run of the standard set (default 100000)")
                         ->check(count);
    auto* tool_messages =
        app.add_option("--tool-messages", s.tool_messages, "Lines per tools run (default 50000)")
            ->check(count);
    auto* latency_messages = app.add_option("--latency-messages", s.latency_messages,
                                            "Messages per run at 1,000 msg/s (default 5000)")
                                 ->check(count);
    auto* connections =
        app.add_option("--connections", s.connections, "Idle connections (default 10000)")
            ->check(CLI::Range(u64{1}, u64{1'000'000}));
    app.add_option("-M,--window", s.window, "QoS 1/2 messages in flight (default 100)")
        ->check(CLI::Range(1, 65535));
    app.add_flag("--quick", quick,
                 "1 round, 10 start runs, 10,000 messages, 5,000 tool messages, 500 latency "
                 "messages, 1,000 connections (what is given explicitly stays)");
    app.add_option("--bin", s.bin,
                   "Directory of mqtt-bench, mqtt-pub, mqtt-sub, bench-libmosquitto, bench-raw "
                   "(default: this program's; mosquitto_pub, mosquitto_sub and hyperfine come "
                   "from PATH)");
    app.add_option("--json", json_file, "Write every figure of every round to FILE");
    app.add_option("--only", s.only,
                   "Sections: start, tools, standard, latency, conn (comma-separated)")
        ->delimiter(',')
        ->check(CLI::IsMember(all_sections));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help
        std::cerr << "bench-compare: " << e.what() << " (see bench-compare --help)\n";
        return 2;
    }
    if (quick) {
        if (!rounds->count()) s.rounds = 1;
        if (!start_runs->count()) s.start_runs = 10;
        if (!messages->count()) s.messages = 10'000;
        if (!tool_messages->count()) s.tool_messages = 5'000;
        if (!latency_messages->count()) s.latency_messages = 500;
        if (!connections->count()) s.connections = 1'000;
    }
    if (s.bin.empty()) s.bin = fs::read_symlink("/proc/self/exe").parent_path();
    return run_all(s, json_file, std::vector<std::string>(argv, argv + argc));
}
