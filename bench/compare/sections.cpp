#include "bench/compare/sections.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "bench/compare/runs.hpp"

namespace mqtt::bench::compare {

namespace fs = std::filesystem;
using std::chrono::seconds;

namespace {

// A program's path, or why it cannot run.
struct program {
    std::string path, missing;
};

bool executable(const fs::path& p) {
    return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p);
}

program from_path(const std::string& name, const std::string& package) {
    std::istringstream dirs(std::getenv("PATH") ? std::getenv("PATH") : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (!dir.empty() && executable(fs::path(dir) / name))
            return {(fs::path(dir) / name).string(), ""};
    return {"", fmt::format("not found (Debian package {})", package)};
}

// Each round's runs get their own topic: nothing of a run reaches another.
std::string next_topic() {
    static int runs = 0;
    return fmt::format("bench-compare/{}/{}", ::getpid(), ++runs);
}

struct builder {
    explicit builder(const settings& s) : s(s) {}
    const settings& s;
    plan p;

    // One of --bin's programs; ours missing leaves nothing to compare (plan::missing).
    program in_bin(const std::string& name, bool ours, const std::string& needs = "") {
        const fs::path path = s.bin / name;
        if (executable(path)) return {path.string(), ""};
        if (ours) p.missing.push_back(path.string());
        return {"", fmt::format("not found in {} (ninja {}{})", s.bin.string(), name, needs)};
    }

    // A row, and unless `unavailable` says why not, the run that fills it each round.
    void add(const std::string& section, const std::string& case_name,
             const std::string& implementation, const std::string& unavailable,
             std::function<run()> once) {
        p.rows.push_back({section, case_name, implementation, unavailable, {}});
        if (unavailable.empty())
            p.jobs.push_back({p.rows.size() - 1,
                              fmt::format("{} {} {}", section, case_name, implementation),
                              std::move(once)});
    }
};

// The first of the programs a row needs that is missing, as its row's text; else empty.
std::string first_missing(std::initializer_list<program> programs) {
    for (const program& p : programs)
        if (!p.missing.empty()) return p.missing;
    return {};
}

// Our tools and Mosquitto's, in that order: the pairs the start and tools sections compare.
struct tool_pair {
    std::string name;
    program pub, sub;
};
std::array<tool_pair, 2> tool_pairs(builder& b) {
    return {{{"ours", b.in_bin("mqtt-pub", true), b.in_bin("mqtt-sub", true)},
             {"mosquitto", from_path("mosquitto_pub", "mosquitto-clients"),
              from_path("mosquitto_sub", "mosquitto-clients")}}};
}

// What starting costs: PUB --help and one QoS 1 publish under hyperfine (its runs per round),
// and an idle subscriber's memory and threads. Ours without -V: MQTT v5 is its default.
void plan_start(builder& b) {
    const settings& s = b.s;
    const program hyperfine = from_path("hyperfine", "hyperfine");
    const std::array<tool_pair, 2> all = tool_pairs(b);
    const hyperfine_options timed{.hyperfine = hyperfine.path,
                                  .runs = s.start_runs,
                                  .export_file = s.work_dir / "hyperfine.json",
                                  .bound = seconds(60 + s.start_runs)};
    const auto connect = [port = s.port](const tool_pair& t, const std::string& path) {
        std::vector<std::string> argv = {path, "-h", "127.0.0.1", "-p", std::to_string(port)};
        if (t.name != "ours") argv.insert(argv.end(), {"-V", "mqttv5"});  // ours: v5 by default
        return argv;
    };

    for (const tool_pair& t : all)
        b.add("start", "--help", t.name, first_missing({t.pub, hyperfine}), [=] {
            hyperfine_options o = timed;
            o.ignore_failure = true;  // mosquitto_pub --help exits with status 1
            return run_hyperfine({t.pub.path, "--help"}, o);
        });
    for (const tool_pair& t : all)
        b.add("start", "QoS 1 publish", t.name, first_missing({t.pub, hyperfine}), [=] {
            std::vector<std::string> argv = connect(t, t.pub.path);
            argv.insert(argv.end(), {"-t", next_topic(), "-m", "hello", "-q", "1"});
            return run_hyperfine(argv, timed);
        });
    // The message a subscriber has to receive comes from mosquitto_pub (ours when it is missing),
    // the same for both subscribers.
    const tool_pair& sender = all[1].pub.missing.empty() ? all[1] : all[0];
    for (const tool_pair& t : all)
        b.add("idle", "subscribed", t.name, t.sub.missing, [=] {
            const std::string topic = next_topic();
            std::vector<std::string> sub = connect(t, t.sub.path),
                                     pub = connect(sender, sender.pub.path);
            sub.insert(sub.end(), {"-t", topic});
            pub.insert(pub.end(), {"-t", topic, "-m", "hello"});
            return run_idle_subscriber(sub, pub, "hello", seconds(10));
        });

    b.p.sections.push_back(
        {"start",
         fmt::format("Start-up: hyperfine -N --warmup {} --runs {} per round; PUB --help, and PUB "
                     "-h 127.0.0.1 -p P -t T -m hello -q 1 (mosquitto_pub with -V mqttv5); wall: "
                     "the median run, CPU: the mean user + system of a run",
                     hyperfine_warmup, s.start_runs),
         {"ours", "mosquitto"},
         {{"wall_ms", "wall ms", 2}, {"cpu_ms", "CPU ms", 2}},
         {{"ours", "mosquitto", "wall_ms", target{true, 1}},
          {"ours", "mosquitto", "cpu_ms", target{true, 1}}}});
    b.p.sections.push_back(
        {"idle",
         "Idle subscriber: SUB -h 127.0.0.1 -p P -t T (mosquitto_sub with -V mqttv5), subscribed "
         "and one message received, 300 ms later: /proc/PID/status; RSS = anon (its own pages) + "
         "file (the program's and its shared libraries' pages)",
         {"ours", "mosquitto"},
         {{.key = "rss_kib", .header = "RSS MiB", .decimals = 2, .scale = 1.0 / 1024},
          {.key = "rss_anon_kib", .header = "anon MiB", .decimals = 2, .scale = 1.0 / 1024},
          {.key = "rss_file_kib", .header = "file MiB", .decimals = 2, .scale = 1.0 / 1024},
          {"threads", "threads", 0}},
         {{"ours", "mosquitto", "rss_kib", target{true, 1}},
          {"ours", "mosquitto", "threads", target{true, 1}}}});
}

void plan_tools(builder& b) {
    const settings& s = b.s;
    const fs::path lines = s.work_dir / "lines.txt";
    std::ofstream file(lines);
    for (std::uint64_t i = 0; i < s.tool_messages; ++i)
        file << fmt::format("message {:056}\n", i);
    file.close();

    const std::array<tool_pair, 2> pairs = tool_pairs(b);
    const seconds bound(std::max<std::uint64_t>(60, s.tool_messages / 1000));
    for (int qos = 0; qos <= 2; ++qos) {
        for (const tool_pair& t : pairs) {
            b.add("tools", fmt::format("QoS {}", qos), t.name, first_missing({t.pub, t.sub}),
                  [=, port = s.port] {
                      const std::vector<std::string> flags = {
                          "-h", "127.0.0.1",  "-p", std::to_string(port), "-V", "mqttv5",
                          "-t", next_topic(), "-q", std::to_string(qos)};
                      std::vector<std::string> pub = {t.pub.path}, sub = {t.sub.path};
                      pub.insert(pub.end(), flags.begin(), flags.end());
                      pub.push_back("-l");
                      sub.insert(sub.end(), flags.begin(), flags.end());
                      // mosquitto_sub's own Receive Maximum (20) breaks QoS 2 against Mosquitto
                      // 2.0.11, which sends queued messages beyond it (issue #2306): both
                      // subscribers send 65,535, our client's default.
                      sub.insert(sub.end(), {"-D", "connect", "receive-maximum", "65535", "-C",
                                             std::to_string(s.tool_messages)});
                      return run_tool_pair(pub, sub, lines, bound);
                  });
        }
    }
    b.p.sections.push_back(
        {"tools",
         fmt::format("Tools end to end: {} lines of 64 bytes, PUB -l < lines into SUB -C {}; "
                     "wall: from the publisher's start to the subscriber's exit",
                     thousands(double(s.tool_messages)), s.tool_messages),
         {"ours", "mosquitto"},
         {{"wall_s", "wall s", 2}, {"pub_cpu_s", "pub CPU s", 2}, {"sub_cpu_s", "sub CPU s", 2}},
         {{"ours", "mosquitto", "wall_s"},
          {"ours", "mosquitto", "pub_cpu_s"},
          {"ours", "mosquitto", "sub_cpu_s"}}});
}

// mqtt-bench pubsub and the two peers on one workload: one row each.
void plan_pubsub(builder& b, const std::string& section, int qos, std::uint64_t count,
                 double rate) {
    const settings& s = b.s;
    const std::pair<std::string, program> peers[] = {
        {"ours", b.in_bin("mqtt-bench", true)},
        {"libmosquitto", b.in_bin("bench-libmosquitto", false, "; needs libmosquitto-dev")},
        {"raw", b.in_bin("bench-raw", false)}};
    const seconds bound(60 + (rate > 0 ? std::uint64_t(double(count) / rate) : count / 1000));
    for (const auto& peer : peers) {
        const program prog = peer.second;
        const bool ours = peer.first == "ours";
        b.add(section, fmt::format("QoS {}", qos), peer.first, prog.missing, [=, port = s.port] {
            std::vector<std::string> argv = {prog.path};
            if (ours)
                argv.insert(argv.end(), {"pubsub", "-h", "127.0.0.1", "-p", std::to_string(port)});
            else
                argv.insert(argv.end(), {"--host", "127.0.0.1", "--port", std::to_string(port)});
            argv.insert(argv.end(),
                        {"-q", std::to_string(qos), "-n", std::to_string(count), "-s", "64", "-M",
                         std::to_string(s.window), "-t", next_topic(), "--json"});
            if (rate > 0) argv.insert(argv.end(), {"--rate", fmt::format("{:g}", rate)});
            return run_bench_program(argv, bound);
        });
    }
}

void plan_standard(builder& b) {
    for (int qos = 0; qos <= 2; ++qos)
        plan_pubsub(b, "standard", qos, b.s.messages, 0);
    b.p.sections.push_back(
        {"standard",
         fmt::format("Standard set, unpaced: {} messages of 64 bytes, window {}; mqtt-bench "
                     "pubsub, bench-libmosquitto, bench-raw (one publisher, one subscriber)",
                     thousands(double(b.s.messages)), b.s.window),
         {"ours", "libmosquitto", "raw"},
         {{"msg_per_s", "msg/s", 0},
          {"cpu_s_per_100k", "CPU s/100k", 3},
          // Unpaced, the latency is mostly queueing (seconds for libmosquitto): no spread.
          {.key = "latency_us.p50", .header = "p50 us", .spread = false},
          {.key = "latency_us.p99", .header = "p99 us", .spread = false},
          {.key = "peak_rss_kib",
           .header = "peak RSS MiB",
           .decimals = 1,
           .scale = 1.0 / 1024,
           .spread = false},
          {.key = "allocations_per_message",
           .header = "alloc/msg",
           .decimals = 1,
           .spread = false}},
         {{"ours", "raw", "msg_per_s", target{false, 0.95}},
          {"ours", "libmosquitto", "cpu_s_per_100k", target{true, 0.6}}}});
}

void plan_latency(builder& b) {
    plan_pubsub(b, "latency", 1, b.s.latency_messages, 1000);
    b.p.sections.push_back(
        {"latency",
         fmt::format("Latency at 1,000 msg/s: {} messages of 64 bytes, window {}, --rate 1000",
                     thousands(double(b.s.latency_messages)), b.s.window),
         {"ours", "libmosquitto", "raw"},
         {{"latency_us.p50", "p50 us", 0},
          {"latency_us.p99", "p99 us", 0},
          {"latency_us.p99.9", "p99.9 us", 0},
          {"latency_us.max", "max us", 0}},
         {{"ours", "libmosquitto", "latency_us.p99", target{true, 1}}}});
}

void plan_conn(builder& b) {
    const settings& s = b.s;
    const program bench = b.in_bin("mqtt-bench", true);
    const std::string n = std::to_string(s.connections);
    const std::string unavailable = !bench.missing.empty()    ? bench.missing
                                    : !s.conn_skipped.empty() ? "skipped: " + s.conn_skipped
                                                              : "";
    const seconds bound(60 + s.connections / 100);
    b.add("conn", thousands(double(s.connections)), "ours", unavailable, [=, port = s.port] {
        return run_bench_program(
            {bench.path, "conn", "-h", "127.0.0.1", "-p", std::to_string(port), "-c", n, "--json"},
            bound);
    });
    b.p.sections.push_back({"conn",
                            fmt::format("Idle connections: mqtt-bench conn -c {}; memory: this "
                                        "client's resident set per connection",
                                        thousands(double(s.connections))),
                            {"ours"},
                            {{"connections", "connected", 0},
                             {"connections_per_s", "connections/s", 0},
                             {"memory_per_connection_kib", "KiB each", 1, 1, target{true, 16}}},
                            {}});
}

}  // namespace

plan make_plan(const settings& s) {
    builder b(s);
    const auto selected = [&s](const char* name) {
        return std::find(s.only.begin(), s.only.end(), name) != s.only.end();
    };
    if (selected("start")) plan_start(b);
    if (selected("tools")) plan_tools(b);
    if (selected("standard")) plan_standard(b);
    if (selected("latency")) plan_latency(b);
    if (selected("conn")) plan_conn(b);
    std::sort(b.p.missing.begin(), b.p.missing.end());
    b.p.missing.erase(std::unique(b.p.missing.begin(), b.p.missing.end()), b.p.missing.end());
    return std::move(b.p);
}

std::string brief(const run& r) {
    const auto& f = r.figures;
    const auto has = [&f](const char* key) { return f.find(key) != f.end(); };
    std::string out;
    if (has("wall_ms"))
        out = fmt::format("{:.2f} ms, CPU {:.2f} ms", f.at("wall_ms"), f.at("cpu_ms"));
    else if (has("rss_kib"))
        out = fmt::format("{:.2f} MiB, {} thread{}", f.at("rss_kib") / 1024, f.at("threads"),
                          f.at("threads") == 1 ? "" : "s");
    else if (has("wall_s"))
        out = fmt::format("{:.2f} s", f.at("wall_s"));
    else if (has("connections_per_s"))
        out = fmt::format("{} connections/s", thousands(f.at("connections_per_s")));
    else if (has("msg_per_s"))
        out = fmt::format("{} msg/s, p99 {} us", thousands(f.at("msg_per_s")),
                          thousands(f.count("latency_us.p99") ? f.at("latency_us.p99") : 0));
    if (!r.problem.empty()) out += (out.empty() ? "" : " ") + ("(" + r.problem + "!)");
    return out;
}

}  // namespace mqtt::bench::compare
