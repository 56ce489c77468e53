// A run of mqtt-scenario: the broker (started here, or --broker), each scenario in turn with its
// capture, the comparison with reference captures, and the report (a summary table and the
// broker's feature report, or JSON lines).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tools/scenario/context.hpp"
#include "tools/scenario/scenarios.hpp"

namespace mqtt::scenario {

struct run_options {
    run_settings settings;
    std::vector<std::string> names;  // in the order given; all_scenarios() for `all`
    bool quiet = false;              // only the verdicts and the summary
    bool json = false;               // results as JSON lines on stdout (the rest on stderr)
    std::filesystem::path capture_dir;
    std::optional<std::filesystem::path> compare_dir;  // --compare
    std::optional<std::filesystem::path> update_dir;   // --update-captures: write references here
    std::optional<std::filesystem::path> report_dir;   // --report DIR: DIR/index.html
    // Why this run's flows cannot be compared with the references (another broker, other
    // --rate/--queue/--keep-alive); empty when they can.
    std::string not_comparable;

    // --broker and the like; empty broker_url: start a local Mosquitto.
    std::string broker_url, broker_tls_url;
    std::optional<std::string> username, password;
    std::string cafile, cert, key;
    bool insecure = false;
};

// The prefix and token of the reference captures (--update-captures runs with them), replaced
// like a run's own when comparing.
inline constexpr const char* reference_token = "ref00000";
inline constexpr const char* reference_prefix = "mqtt-scenario/ref00000";

// The result of one scenario.
struct scenario_result {
    std::string name;
    outcome result = outcome::pass;
    double seconds = 0;
    std::vector<part_result> parts;
    std::string capture;  // the file written
};

// Runs the scenarios; returns the exit status (0 when nothing failed, 1 otherwise).
// Throws std::runtime_error for what stops the run before it starts (no mosquitto, a bad URL).
int run(const run_options& options);

// The verdict of a scenario from its parts: FAIL if one failed, SKIP if all were skipped (or
// there were none), else PASS.
outcome verdict(const std::vector<part_result>& parts);

}  // namespace mqtt::scenario
