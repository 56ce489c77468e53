// mqtt-scenario as a program: every scenario against the Mosquitto it starts itself, compared with
// the committed reference captures (captures/); a failure it is made to see; a broker without
// retained messages and with Maximum QoS 1, where those parts are skipped, not failed; Ctrl-C.
#include <signal.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../broker/tool_process.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/local/mosquitto.hpp"

namespace mqtt::tools::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The JSON lines of a --json run: one per scenario (by name), then the report.
struct json_run {
    std::map<std::string, json> scenarios;
    json report;
};

json_run parse_json_lines(const std::string& out) {
    json_run r;
    for (const std::string& line : split_lines(out)) {
        const json j = json::parse(line, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
        if (j.is_discarded()) continue;
        if (j.contains("scenario")) {
            r.scenarios[j["scenario"].get<std::string>()] = j;
        } else {
            r.report = j;
        }
    }
    return r;
}

std::string parts_of(const json& scenario) {
    std::string s;
    for (const json& p : scenario["parts"])
        s += p["result"].get<std::string>() + " " + p["part"].get<std::string>() + ": " +
             p["detail"].get<std::string>() + "\n";
    return s;
}

TEST(Scenario, ListNamesEveryScenario) {
    scratch_dir dir;
    const exit_status r = run_program({MQTT_SCENARIO, "list"}, dir.path());
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* name : {"connect", "auth", "qos", "retained", "expiry", "request-response",
                             "flow-control", "keepalive", "will", "session"}) {
        EXPECT_NE(r.out.find(std::string(name) + " "), std::string::npos) << name << "\n" << r.out;
    }
}

TEST(Scenario, UnknownScenarioIsAUsageError) {
    scratch_dir dir;
    const exit_status r = run_program({MQTT_SCENARIO, "run", "nonesuch"}, dir.path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("nonesuch"), std::string::npos) << r.err;
}

// The whole demo: all ten scenarios pass against the local broker, and each run's flow is the
// flow of its reference capture in captures/.
TEST(Scenario, AllPassAndMatchTheReferenceCaptures) {
    scratch_dir dir;
    const exit_status r = run_program(
        {MQTT_SCENARIO, "all", "--quiet", "--json", "--capture-dir", (dir / "captures").string(),
         "--compare", MQTT_SOURCE_DIR "/captures", "--report", (dir / "report").string()},
        dir.path(), "", 90s);
    const json_run run = parse_json_lines(r.out);
    EXPECT_EQ(run.scenarios.size(), 10u) << r.out;
    for (const auto& [name, j] : run.scenarios) {
        EXPECT_EQ(j["result"], "PASS") << name << ":\n" << parts_of(j);
        // The local broker offers everything: a part skipped here hides a regression.
        for (const json& p : j["parts"])
            EXPECT_NE(p["result"], "SKIP") << name << ":\n" << parts_of(j);
        bool compared = false;
        for (const json& p : j["parts"])
            if (p["part"].get<std::string>().find("the flow matches") == 0)
                compared = p["result"] == "PASS";
        EXPECT_TRUE(compared) << name << ":\n" << parts_of(j);
        EXPECT_TRUE(std::filesystem::exists(j["capture"].get<std::string>())) << name;
    }
    EXPECT_EQ(run.report["failed"], 0) << r.err;
    EXPECT_EQ(r.code, 0) << r.err;
    // The broker's feature report: what Mosquitto's CONNACK announces by default.
    EXPECT_EQ(run.report["connack"]["receive_maximum"], 20) << run.report.dump();
    EXPECT_EQ(run.report["connack"]["topic_alias_maximum"], 10) << run.report.dump();

    // The report, as a browser shows it: loaded without script errors, every scenario with its
    // verdict, its diagram (one arrow per packet of its capture) and its capture beside it.
    ASSERT_EQ(std::system("command -v chromium >/dev/null 2>&1"), 0)
        << "chromium is not installed: run scripts/setup";
    const std::string dom_file = (dir / "report.dom").string();
    const std::string command =
        "timeout 60 chromium --headless --no-sandbox --disable-gpu "
        "--dump-dom 'file://" +
        (dir / "report/index.html").string() + "' >'" + dom_file + "' 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    const std::string dom = slurp_file(dom_file);
    EXPECT_NE(dom.find("<body data-ready=\"1\""), std::string::npos) << dom.substr(0, 2000);
    EXPECT_EQ(dom.find("data-errors=\""), std::string::npos) << "script errors in the report";
    std::size_t arrows = 0;
    for (std::size_t at = dom.find("<g class=\"arrow"); at != std::string::npos;
         at = dom.find("<g class=\"arrow", at + 1))
        ++arrows;
    std::size_t expected_arrows = 0;
    for (const auto& [name, j] : run.scenarios) {
        EXPECT_NE(dom.find("<section class=\"scenario\" id=\"" + name + "\" data-result=\"PASS\""),
                  std::string::npos)
            << name;
        EXPECT_TRUE(std::filesystem::exists(dir / "report" / (name + ".pcap"))) << name;
        // One arrow per packet; a diagram past 2,000 arrows elides its middle.
        std::size_t packets = 0;
        for (const auto& stream : read_capture(j["capture"].get<std::string>()))
            packets += stream.packets.size();
        expected_arrows += std::min<std::size_t>(packets, 2000);
    }
    EXPECT_EQ(arrows, expected_arrows);
}

// A scenario that sees what it did not expect says FAIL, what it expected and what it saw.
TEST(Scenario, ABrokenExpectationFailsWithAReason) {
    scratch_dir dir;
    const exit_status r = run_program({MQTT_SCENARIO, "run", "qos", "--quiet", "--capture-dir",
                                       dir.path().string(), "--break-expectation", "qos"},
                                      dir.path());
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("FAIL qos"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("QoS 0, publisher's side: expected not PUBLISH -> (--break-expectation), "
                         "saw PUBLISH ->"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("0 passed, 1 failed, 0 skipped"), std::string::npos) << r.out;
}

// A run whose flow is not the reference's fails and names the first difference.
TEST(Scenario, AFlowThatDiffersFromItsReferenceFails) {
    scratch_dir dir;
    std::filesystem::create_directories(dir / "refs");
    // The retained scenario's capture taken as qos's reference: another flow.
    std::filesystem::copy_file(MQTT_SOURCE_DIR "/captures/retained.pcap", dir / "refs/qos.pcap");
    const exit_status r =
        run_program({MQTT_SCENARIO, "run", "qos", "--quiet", "--capture-dir",
                     (dir / "captures").string(), "--compare", (dir / "refs").string()},
                    dir.path());
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("FAIL qos"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("the flow matches " + (dir / "refs/qos.pcap").string() +
                         ": the first difference:"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("differs"), std::string::npos) << r.out;
}

// Against a broker without retained messages and with Maximum QoS 1 (its CONNACK says so), the
// parts that need them are SKIP, with the reason, and nothing fails.
TEST(Scenario, WhatTheBrokerDoesNotOfferIsSkippedNotFailed) {
    local::mosquitto_options options;
    options.retain_available = false;
    options.maximum_qos = 1;
    local::mosquitto_broker broker(options);
    scratch_dir dir;
    const exit_status r = run_program(
        {MQTT_SCENARIO, "all", "--quiet", "--json", "--capture-dir", dir.path().string(),
         "--broker", "mqtt://127.0.0.1:" + std::to_string(broker.plain_port), "--keep-alive", "1"},
        dir.path(), "", 60s);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    const json_run run = parse_json_lines(r.out);
    EXPECT_EQ(run.scenarios.size(), 10u) << r.out;
    std::string skipped;
    for (const auto& [name, j] : run.scenarios) {
        EXPECT_NE(j["result"], "FAIL") << name << ":\n" << parts_of(j);
        for (const json& p : j["parts"])
            if (p["result"] == "SKIP")
                skipped += name + ": " + p["part"].get<std::string>() + ": " +
                           p["detail"].get<std::string>() + "\n";
    }
    EXPECT_EQ(skipped,
              "auth: credentials: no listener with credentials known (give -u and -P)\n"
              "connect: CONNECT over TLS: no TLS listener known (give one with --broker-tls URL)\n"
              "qos: QoS 2: the broker's CONNACK says Maximum QoS 1\n"
              "retained: retained messages: the broker's CONNACK says Retain Available 0\n"
              "session: a QoS 2 flow cut after PUBREC: the broker's CONNACK says Maximum QoS 1\n");
    EXPECT_EQ(run.scenarios.at("retained")["result"], "SKIP");
    EXPECT_EQ(run.scenarios.at("qos")["result"], "PASS");
    EXPECT_EQ(run.report["connack"]["maximum_qos"], 1);
    EXPECT_EQ(run.report["connack"]["retain_available"], false);
}

// Ctrl-C in the middle of a run stops the broker it started and removes its files.
TEST(Scenario, InterruptLeavesNoBrokerAndNoFiles) {
    scratch_dir dir;
    process p({MQTT_SCENARIO, "run", "keepalive", "--capture-dir", dir.path().string()},
              dir.path());
    ASSERT_TRUE(p.wait_for_text("PINGREQ", 15s)) << p.out() << p.err();
    const std::regex started(R"(pid (\d+), files in (\S+)\))");
    std::smatch m;
    const std::string out = p.out();
    ASSERT_TRUE(std::regex_search(out, m, started)) << out;
    const std::string pid = m[1], files = m[2];
    ASSERT_TRUE(std::filesystem::exists(files));
    ASSERT_TRUE(std::filesystem::exists("/proc/" + pid));
    p.signal(SIGINT);
    const exit_status r = p.finish(10s);
    EXPECT_EQ(r.code, -1) << "ended by the signal, as a shell expects: " << r.out << r.err;
    EXPECT_NE(r.out.find("interrupted"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(files)) << files;
    // The broker's process is gone (reaped), or, if its number was reused, not a mosquitto.
    const std::string cmdline = slurp_file("/proc/" + pid + "/cmdline");
    EXPECT_EQ(cmdline.find("mosquitto"), std::string::npos) << cmdline;
}

}  // namespace
}  // namespace mqtt::tools::test
