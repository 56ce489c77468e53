#include "bench/compare/runs.hpp"

#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/compare/process.hpp"

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

}  // namespace mqtt::bench::compare
