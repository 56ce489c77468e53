#include "bench/compare/runs.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/compare/process.hpp"
#include "bench/compare/readings.hpp"

namespace mqtt::bench::compare {

namespace {

// The last non-empty line of the program's stdout: its summary (discarded if not JSON).
nlohmann::json summary_of(const std::string& out) {
    std::string line = out.substr(0, out.find_last_not_of('\n') + 1);
    line = line.substr(line.find_last_of('\n') + 1);
    return nlohmann::json::parse(line, nullptr, false);
}

void add_numbers(const nlohmann::json& j, const std::string& prefix, run& r) {
    for (const auto& [key, value] : j.items()) {
        if (value.is_number()) r.figures[prefix + key] = value.get<double>();
        if (value.is_object() && prefix.empty()) add_numbers(value, key + ".", r);
    }
}

std::string contents(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

run run_bench_program(const std::vector<std::string>& argv, std::chrono::seconds bound) {
    child c({.argv = argv, .keep_stdout = true});
    child* const children[] = {&c};
    wait_all(children, c.started + bound);
    run r;
    r.summary = summary_of(c.out);
    if (c.killed || !r.summary.is_object()) {
        const std::string why = c.failure();
        r.problem = why.empty() ? "no summary on its output" : why;
        r.summary = nullptr;
        return r;
    }
    add_numbers(r.summary, "", r);
    std::vector<std::string> problems;
    for (const char* count : {"lost", "duplicated"})
        if (const auto it = r.figures.find(count); it != r.figures.end() && it->second > 0)
            problems.push_back(fmt::format("{} {}", count, it->second));
    const bool counted = !problems.empty();              // lost or duplicated: figures stand
    const bool broke_off = r.summary.contains("error");  // no connection, no progress
    if (broke_off) problems.push_back(r.summary["error"].get<std::string>());
    const bool failed = !counted && !broke_off && !c.failure().empty();
    if (failed) problems.push_back(c.failure());
    // The figures of a run that broke off are not those of the workload: no median takes them.
    if (broke_off || failed) r.figures.clear();
    r.problem = fmt::format("{}", fmt::join(problems, ", "));
    return r;
}

run run_tool_pair(const std::vector<std::string>& publisher,
                  const std::vector<std::string>& subscriber, const std::filesystem::path& lines,
                  std::chrono::seconds bound) {
    child sub({.argv = subscriber});
    // Neither tool tells (without -d, whose per-message output would cost CPU) when its
    // SUBSCRIBE is acknowledged; on loopback that takes a few milliseconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    child pub({.argv = publisher, .stdin_file = lines});
    child* const children[] = {&sub, &pub};
    wait_all(children, pub.started + bound);

    run r;
    std::vector<std::string> problems;
    if (const std::string f = pub.failure(); f.empty())
        r.figures["pub_cpu_s"] = pub.cpu_s;
    else
        problems.push_back("publisher " + f);
    if (const std::string f = sub.failure(); f.empty()) {
        r.figures["sub_cpu_s"] = sub.cpu_s;
        r.figures["wall_s"] = std::chrono::duration<double>(sub.ended - pub.started).count();
    } else {
        problems.push_back("subscriber " + f);
    }
    r.problem = fmt::format("{}", fmt::join(problems, ", "));
    return r;
}

run run_hyperfine(const std::vector<std::string>& command, const hyperfine_options& options) {
    std::error_code ignored;
    std::filesystem::remove(options.export_file, ignored);  // not the previous run's
    std::vector<std::string> argv = {options.hyperfine, "-N",
                                     "--warmup",        std::to_string(hyperfine_warmup),
                                     "--runs",          std::to_string(options.runs),
                                     "--export-json",   options.export_file.string()};
    if (options.ignore_failure) argv.push_back("-i");
    argv.push_back(command_line(command));
    child h({.argv = argv});
    child* const children[] = {&h};
    wait_all(children, h.started + options.bound);

    run r;
    if (const std::string f = h.failure(); !f.empty()) {
        r.problem = "hyperfine " + f;
        // hyperfine 1.15: "Command terminated with non-zero exit code: 5. Use the '-i'/..."
        if (!h.killed && h.err.find("non-zero exit code") != std::string::npos) {
            child once({.argv = command});
            child* const again[] = {&once};
            wait_all(again, once.started + std::chrono::seconds(10));
            if (!once.failure().empty()) r.problem = "a run failed: " + once.failure();
        }
        return r;
    }
    const hyperfine_export e = parse_hyperfine(contents(options.export_file));
    if (!e.error.empty() || e.results.size() != 1) {
        r.problem = "hyperfine's export: " + (e.error.empty() ? "not one result" : e.error);
        return r;
    }
    const hyperfine_result& x = e.results[0];
    if (std::find(x.exit_codes.begin(), x.exit_codes.end(), -1) != x.exit_codes.end()) {
        r.problem = "a run was ended by a signal";
        return r;
    }
    r.figures["wall_ms"] = x.median_s * 1e3;
    r.figures["cpu_ms"] = (x.user_s + x.system_s) * 1e3;
    return r;
}

run run_idle_subscriber(const std::vector<std::string>& subscriber,
                        const std::vector<std::string>& publisher, const std::string& payload,
                        std::chrono::seconds bound) {
    using std::chrono::milliseconds;
    child sub({.argv = subscriber, .keep_stdout = true});
    const clock::time_point deadline = sub.started + bound;
    bool received = false;
    std::string publisher_failure;
    while (!received && sub.running() && clock::now() < deadline && !interrupted()) {
        child pub({.argv = publisher});
        child* const once[] = {&pub};
        wait_all(once, deadline);
        publisher_failure = pub.failure();
        received = sub.read_until(payload, std::min(deadline, clock::now() + milliseconds(200)));
    }
    const bool left_by_itself = !sub.running();

    run r;
    if (received) {
        // Whatever it does after its first message (freeing buffers, a lazy allocation) is done.
        std::this_thread::sleep_for(milliseconds(300));
        const process_status status =
            parse_status(contents(fmt::format("/proc/{}/status", sub.pid())));
        if (status.missing.empty()) {
            r.figures["rss_kib"] = double(status.vm_rss_kib);
            r.figures["rss_anon_kib"] = double(status.rss_anon_kib);
            r.figures["rss_file_kib"] = double(status.rss_file_kib);
            r.figures["threads"] = double(status.threads);
        } else {
            r.problem = fmt::format("no {} in /proc/PID/status", fmt::join(status.missing, ", "));
        }
    }
    sub.terminate();
    child* const children[] = {&sub};
    wait_all(children, clock::now() + std::chrono::seconds(2));

    if (interrupted() && !received)
        r.problem = "interrupted";
    else if (left_by_itself)
        r.problem = "subscriber " + (sub.failure().empty() ? "left" : sub.failure());
    else if (!received)
        r.problem =
            fmt::format("nothing received in {} s{}", bound.count(),
                        publisher_failure.empty() ? "" : " (publisher " + publisher_failure + ")");
    else if (sub.killed)
        r.problem = "still running 2 s after SIGTERM";
    return r;
}

}  // namespace mqtt::bench::compare
