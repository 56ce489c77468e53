// mqtt-bench run as a process against the test Mosquitto, with no queue limits (its default of
// 1,000 queued messages per client drops what a fast publisher sends to a busy subscriber, and
// mqtt-bench would rightly count them lost) and Receive Maximum 65,535: short runs at each QoS lose
// and duplicate nothing, a subscriber in another process counts what a publisher sent, a shared
// subscription splits the messages, many idle connections are counted, and a run the machine cannot
// hold is refused before it starts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/tools/broker/tool_process.hpp"
#include "tools/local/mosquitto.hpp"

namespace mqtt::tools::test {
namespace {

class BenchTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        local::mosquitto_options o;
        o.unlimited = true;
        broker = std::make_unique<local::mosquitto_broker>(o);
    }
    static void TearDownTestSuite() { broker.reset(); }
    static std::unique_ptr<local::mosquitto_broker> broker;

    static std::vector<std::string> bench(const std::string& mode, std::vector<std::string> args) {
        std::vector<std::string> argv{MQTT_BENCH,  mode, "-h",
                                      "127.0.0.1", "-p", std::to_string(broker->plain_port),
                                      "--json"};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    // The run's summary; the test fails (and the object is empty) if the output is not one.
    static nlohmann::json summary_of(const exit_status& r) {
        const auto j = nlohmann::json::parse(r.out, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            ADD_FAILURE() << "not a JSON summary: " << r.out << "\nstderr: " << r.err;
            return nlohmann::json::object();
        }
        return j;
    }
    scratch_dir dir;
};
std::unique_ptr<local::mosquitto_broker> BenchTest::broker;

TEST_F(BenchTest, PubsubLosesAndDuplicatesNothingAtEachQos) {
    for (const char* qos : {"0", "1", "2"}) {
        SCOPED_TRACE(qos);
        const exit_status r = run_program(
            bench("pubsub", {"-q", qos, "-n", "3000", "-c", "2", "-S", "2"}), dir.path());
        EXPECT_EQ(r.code, 0) << r.err;
        const nlohmann::json j = summary_of(r);
        EXPECT_EQ(j.value("sent", 0), 6000);
        EXPECT_EQ(j.value("expected", 0), 12'000);  // each subscriber gets every message
        EXPECT_EQ(j.value("received", 0), 12'000);
        EXPECT_EQ(j.value("lost", 1), 0);
        EXPECT_EQ(j.value("duplicated", 1), 0);
        EXPECT_EQ(j.value("errors", 1), 0);
        ASSERT_TRUE(j.contains("latency_us"));
        EXPECT_EQ(j["latency_us"].value("count", 0), 12'000);
        EXPECT_LE(j["latency_us"].value("p50", 0.0), j["latency_us"].value("p99", 0.0));
        EXPECT_GT(j.value("msg_per_s", 0.0), 0.0);
        EXPECT_GT(j.value("cpu_s_per_100k", 0.0), 0.0);
        // The window is ours (100 by default): the broker's Receive Maximum is 65,535.
        if (std::string(qos) != "0") {
            EXPECT_EQ(j.value("window", 0), 100);
        }
    }
}

// -M is our outbound window (mosquitto_pub's -M): never more QoS 1/2 messages in flight.
TEST_F(BenchTest, WindowFlagSetsMessagesInFlight) {
    const exit_status r =
        run_program(bench("pubsub", {"-q", "2", "-n", "500", "-M", "7"}), dir.path());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(summary_of(r).value("window", 0), 7);
}

TEST_F(BenchTest, SubscriberInAnotherProcessCountsWhatWasPublished) {
    process sub(bench("sub", {"-t", "bench-test/cross/+", "-n", "2000", "-q", "1"}), dir.path());
    // Its SUBACK is in once the broker has the subscription: publish after a short grace.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const exit_status pub = run_program(
        bench("pub", {"-t", "bench-test/cross/%i", "-n", "2000", "-q", "1"}), dir.path());
    EXPECT_EQ(pub.code, 0) << pub.err;
    EXPECT_EQ(summary_of(pub).value("sent", 0), 2000);
    const exit_status got = sub.finish();
    EXPECT_EQ(got.code, 0) << got.err;
    const nlohmann::json j = summary_of(got);
    EXPECT_EQ(j.value("received", 0), 2000);
    EXPECT_EQ(j.value("lost", 1), 0);  // no gaps in the sequence numbers
    EXPECT_EQ(j["latency_us"].value("count", 0), 2000);
}

TEST_F(BenchTest, SharedSubscriptionSplitsTheMessages) {
    const exit_status r = run_program(
        bench("pubsub", {"-q", "1", "-n", "2000", "-S", "3", "--shared", "benchers"}), dir.path());
    EXPECT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = summary_of(r);
    EXPECT_EQ(j.value("expected", 0), 2000);  // the group, not each subscriber
    EXPECT_EQ(j.value("received", 0), 2000);
    EXPECT_EQ(j.value("lost", 1), 0);
}

TEST_F(BenchTest, RateLimitsEachPublisher) {
    const exit_status r =
        run_program(bench("pubsub", {"-q", "1", "-n", "200", "-r", "400"}), dir.path());
    EXPECT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = summary_of(r);
    // 200 messages at 400/s take about half a second: never less than the slots allow.
    EXPECT_GE(j.value("elapsed_s", 0.0), 199.0 / 400 - 0.01);
    EXPECT_LE(j.value("msg_per_s", 1e9), 400 * 1.05);
}

TEST_F(BenchTest, ConnCountsIdleConnectionsAndTheirMemory) {
    const exit_status r = run_program(bench("conn", {"-c", "300"}), dir.path());
    EXPECT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = summary_of(r);
    EXPECT_EQ(j.value("connections", 0), 300);
    EXPECT_GT(j.value("connections_per_s", 0.0), 0.0);
    EXPECT_TRUE(j.contains("memory_per_connection_kib"));
}

TEST_F(BenchTest, RefusesWhatTheOpenFileLimitCannotHold) {
    const exit_status r =
        run_program({"/bin/sh", "-c",
                     "ulimit -n 64 && exec " + std::string(MQTT_BENCH) + " conn -h 127.0.0.1 -p " +
                         std::to_string(broker->plain_port) + " -c 1000"},
                    dir.path());
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("ulimit -n"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");  // nothing was started
}

TEST_F(BenchTest, UnreachableBrokerNamesTheAddress) {
    const exit_status r = run_program({MQTT_BENCH, "pub", "-h", "127.0.0.1", "-p",
                                       std::to_string(local::free_port()), "-n", "10"},
                                      dir.path());
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("pub0 cannot connect to mqtt://127.0.0.1:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mqtt::tools::test
