// mqtt-scenario: each of MQTT's features as a short, explained, traced and checked run against a
// broker it starts itself (or --broker). `list`, `run NAME...`, `all`. See tools/README.md.
#include <unistd.h>

#include <exception>
#include <iostream>
#include <random>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "tools/common/trace.hpp"
#include "tools/scenario/runner.hpp"

namespace {

using namespace mqtt::scenario;

std::string random_token() {
    std::random_device rd;
    return fmt::format("{:08x}", std::uniform_int_distribution<std::uint32_t>()(rd));
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "Shows and checks MQTT v5 features one scenario at a time, every packet traced, "
        "against a Mosquitto it starts itself or any broker (--broker).",
        "mqtt-scenario"};
    app.set_version_flag("--version", "mqtt-scenario " MQTT_VERSION);
    app.require_subcommand(1);
    app.fallthrough();

    run_options o;
    std::vector<std::string> names;
    std::string trace = "line";
    std::string prefix;
    std::string capture_dir = MQTT_BUILD_DIR "/captures";
    std::string compare_dir;
    bool update = false;
    std::string break_expectation;

    CLI::App* list_cmd = app.add_subcommand("list", "List the scenarios.");
    CLI::App* run_cmd = app.add_subcommand("run", "Run the scenarios named, in that order.");
    std::vector<std::string> known;
    for (const scenario& s : all_scenarios())
        known.push_back(s.name);
    run_cmd->add_option("names", names, "Scenario names (see list)")
        ->required()
        ->check(CLI::IsMember(known));
    CLI::App* all_cmd = app.add_subcommand("all", "Run every scenario.");

    app.add_flag("--quiet", o.quiet, "Print only the verdicts and the summary");
    app.add_option("--trace", trace, "How packets are printed: line (default), hex or json")
        ->check(CLI::IsMember({"line", "hex", "json"}));
    app.add_flag("--full-trace", o.settings.full_trace,
                 "Print every packet, also in long runs of one kind (shortened by default)");
    app.add_flag("--json", o.json,
                 "Print the results as JSON lines on stdout (one per scenario, then the broker's "
                 "report); the rest goes to stderr");
    app.add_option("--broker", o.broker_url,
                   "Run against this broker (mqtt://host:port or mqtts://...) instead of a local "
                   "Mosquitto");
    app.add_option("--broker-tls", o.broker_tls_url,
                   "With --broker: a TLS listener of the same broker, for the connect scenario");
    app.add_option("-u,--username", o.username, "With --broker: the user name every client sends");
    app.add_option("-P,--pw", o.password, "With --broker: the password every client sends");
    app.add_option("--cafile", o.cafile, "With --broker: CA certificates (PEM) to verify TLS");
    app.add_option("--cert", o.cert, "With --broker: client certificate (PEM) for TLS");
    app.add_option("--key", o.key, "With --broker: the client certificate's key (PEM)");
    app.add_flag("--insecure", o.insecure, "With --broker: do not verify the server's certificate");
    app.add_option("--prefix", prefix,
                   "Topic prefix (default mqtt-scenario/<random>): runs on a shared broker never "
                   "see each other's messages");
    app.add_option("--capture-dir", capture_dir, "Where each scenario's capture is written")
        ->capture_default_str();
    app.add_option("--compare", compare_dir,
                   "Compare each scenario's flow with DIR/<scenario>.pcap (e.g. captures/)");
    std::string report_dir;
    app.add_option("--report", report_dir,
                   "Write DIR/index.html: each scenario's explanation, verdict, sequence diagram, "
                   "trace and capture, in one page that works offline");
    app.add_flag("--update-captures", update,
                 "Write each scenario's capture as the new reference (into --compare DIR, or the "
                 "source tree's captures/)");
    app.add_option("--rate", o.settings.rate, "flow-control: publishes per second")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 10000.0));
    app.add_option("--queue", o.settings.queue, "flow-control: the slow subscriber's queue")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    app.add_option("--keep-alive", o.settings.keep_alive, "keepalive: seconds")
        ->capture_default_str()
        ->check(CLI::Range(1, 60));
    app.add_option("--break-expectation", break_expectation,
                   "For the tool's own tests: the named scenario's first check expects the "
                   "opposite, to show a failure")
        ->group("");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    if (list_cmd->parsed()) {
        for (const scenario& s : all_scenarios())
            std::cout << fmt::format("{:<18} {}\n", s.name, s.title);
        return 0;
    }
    o.names = all_cmd->parsed() ? known : names;
    o.settings.trace = *mqtt::tools::parse_trace_mode(trace);
    o.settings.colour = !o.json && mqtt::tools::use_colour(STDOUT_FILENO);
    o.settings.token = random_token();
    o.settings.prefix = prefix.empty() ? "mqtt-scenario/" + o.settings.token : prefix;
    o.settings.break_expectation = break_expectation;
    o.capture_dir = capture_dir;
    if (!report_dir.empty()) o.report_dir = report_dir;
    if (!compare_dir.empty()) o.compare_dir = compare_dir;
    // The references were made with the local broker and the default flags.
    const run_settings defaults;
    if (!o.broker_url.empty()) {
        o.not_comparable = "they were made with the local Mosquitto, not the --broker";
    } else if (o.settings.rate != defaults.rate || o.settings.queue != defaults.queue ||
               o.settings.keep_alive != defaults.keep_alive) {
        o.not_comparable = "they were made with the default --rate, --queue and --keep-alive";
    }
    if (update && !o.broker_url.empty()) {
        std::cerr << "mqtt-scenario: --update-captures: the references are made with the local "
                     "broker, not with --broker\n";
        return 2;
    }
    if (update) {
        // References are made with a fixed prefix and token, replaced when comparing.
        o.update_dir = compare_dir.empty() ? std::filesystem::path(MQTT_SOURCE_DIR "/captures")
                                           : std::filesystem::path(compare_dir);
        o.settings.token = reference_token;
        o.settings.prefix = reference_prefix;
        o.compare_dir.reset();
    }
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "mqtt-scenario: " << e.what() << '\n';
        return 1;
    }
}
