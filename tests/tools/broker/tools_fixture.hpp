// A test Mosquitto per test (tests/integration/broker.hpp) and the command lines that reach it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../../integration/broker.hpp"
#include "tool_process.hpp"

namespace mqtt::tools::test {

class ToolsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { broker = std::make_unique<mqtt::test::mosquitto_broker>(); }
    static void TearDownTestSuite() { broker.reset(); }
    static std::unique_ptr<mqtt::test::mosquitto_broker> broker;

    // A tool (or mosquitto_*) with -h 127.0.0.1 -p <plain port> and `args`.
    static std::vector<std::string> on_plain(const std::string& program,
                                             std::vector<std::string> args) {
        std::vector<std::string> argv{program, "-h", "127.0.0.1", "-p",
                                      std::to_string(broker->plain_port)};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    static std::vector<std::string> mqtt_pub(std::vector<std::string> args) {
        return on_plain(MQTT_PUB, std::move(args));
    }
    static std::vector<std::string> mqtt_sub(std::vector<std::string> args) {
        return on_plain(MQTT_SUB, std::move(args));
    }
    static std::vector<std::string> mqtt_rr(std::vector<std::string> args) {
        return on_plain(MQTT_RR, std::move(args));
    }

    // Starts a subscriber and waits until its SUBACK is in (our tools: the trace line on
    // stderr with -d; mosquitto_sub: its -d line on stdout).
    std::unique_ptr<process> subscriber(std::vector<std::string> argv) {
        auto p = std::make_unique<process>(std::move(argv), dir.path());
        const bool ready = p->wait_for([](const std::string& t) {
            return t.find("<- SUBACK") != std::string::npos ||
                   t.find("received SUBACK") != std::string::npos;
        });
        EXPECT_TRUE(ready) << "the subscriber never got its SUBACK:\n" << p->out() << p->err();
        return p;
    }

    exit_status run(std::vector<std::string> argv, const std::string& input = "") {
        return run_program(std::move(argv), dir.path(), input);
    }

    scratch_dir dir;
};

inline std::unique_ptr<mqtt::test::mosquitto_broker> ToolsTest::broker;

}  // namespace mqtt::tools::test
