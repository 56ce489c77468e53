// Interoperability with Mosquitto's own tools, in both directions: mqtt-pub to mosquitto_sub and
// mosquitto_pub to mqtt-sub at each QoS with message properties (spec 3.3.2.3: the server
// forwards them unchanged, MQTT-3.3.2-4/-17/-20 for Payload Format Indicator, User Property and
// Content Type), and mqtt-rr with its responder and with mosquitto_rr (spec 4.10).
#include <regex>
#include <string>

#include "tools_fixture.hpp"

namespace mqtt::tools::test {
namespace {

// The line of `text` that starts with `marker`, or "".
std::string line_starting(const std::string& text, const std::string& marker) {
    for (const std::string& line : split_lines(text)) {
        if (line.rfind(marker, 0) == 0) return line;
    }
    return "";
}

// `args` followed by "-D publish NAME VALUE..." for each property, as mosquitto_pub and mqtt-pub
// both take them.
std::vector<std::string> with_publish_properties(
    std::vector<std::string> args, const std::vector<std::vector<std::string>>& properties) {
    for (const std::vector<std::string>& p : properties) {
        args.insert(args.end(), {"-D", "publish"});
        args.insert(args.end(), p.begin(), p.end());
    }
    return args;
}

class Interop : public ToolsTest, public ::testing::WithParamInterface<int> {};

TEST_P(Interop, MqttPubToMosquittoSubCarriesQosAndProperties) {
    const std::string qos = std::to_string(GetParam());
    const std::string topic = "interop/pub/" + qos;
    // stdbuf: mosquitto_sub's -d lines go to stdout, which a file would buffer until it exits.
    std::vector<std::string> argv = on_plain(
        "mosquitto_sub",
        {"-V", "5", "-d", "-q", "2", "-t", topic, "-C", "1", "-F", "MSG|%q|%t|%p|%C|%R|%D|%P"});
    argv.insert(argv.begin(), {"stdbuf", "-oL"});
    auto sub = subscriber(argv);
    const exit_status pub =
        run(mqtt_pub(with_publish_properties({"-t", topic, "-q", qos, "-m", "hello from mqtt-pub"},
                                             {{"content-type", "text/plain"},
                                              {"response-topic", "replies/here"},
                                              {"correlation-data", "corr-1"},
                                              {"user-property", "colour", "blue"},
                                              {"message-expiry-interval", "60"}})));
    ASSERT_EQ(pub.code, 0) << pub.err;
    const exit_status got = sub->finish();
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(line_starting(got.out, "MSG|"),
              "MSG|" + qos + "|" + topic +
                  "|hello from mqtt-pub|text/plain|replies/here|corr-1|colour:blue");
}

TEST_P(Interop, MosquittoPubToMqttSubCarriesQosAndProperties) {
    const std::string qos = std::to_string(GetParam());
    const std::string topic = "interop/sub/" + qos;
    auto sub = subscriber(mqtt_sub(
        {"-d", "-q", "2", "-t", topic, "-C", "1", "-F", "MSG|%q|%t|%p|%C|%R|%D|%P|%F|%l"}));
    const exit_status pub = run(on_plain(
        "mosquitto_pub", with_publish_properties(
                             {"-V", "5", "-t", topic, "-q", qos, "-m", "hello from mosquitto_pub"},
                             {{"content-type", "text/plain"},
                              {"response-topic", "replies/here"},
                              {"correlation-data", "corr-2"},
                              {"user-property", "size", "large"},
                              {"payload-format-indicator", "1"}})));
    ASSERT_EQ(pub.code, 0) << pub.err;
    const exit_status got = sub->finish();
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(line_starting(got.out, "MSG|"), "MSG|" + qos + "|" + topic +
                                                  "|hello from mosquitto_pub|text/plain|"
                                                  "replies/here|corr-2|size:large|1|24");
    // The QoS 2 delivery to us is the four-step flow, seen in our trace.
    if (GetParam() == 2) {
        EXPECT_TRUE(lines_in_order(got.err, {"<- PUBLISH", "-> PUBREC", "<- PUBREL", "-> PUBCOMP"}))
            << got.err;
    }
}

INSTANTIATE_TEST_SUITE_P(EachQos, Interop, ::testing::Values(0, 1, 2));

// A retained message already on the response topic answers no request of ours (spec 4.10: the
// response is matched by its Correlation Data): mqtt-rr waits for the responder's answer.
TEST_F(ToolsTest, MqttRrIgnoresAStaleRetainedMessageOnTheResponseTopic) {
    ASSERT_EQ(run(mqtt_pub({"-t", "rr/stale/answer", "-m", "STALE", "-r"})).code, 0);
    auto responder =
        subscriber(mqtt_rr({"--responder", "-d", "-t", "rr/stale", "-m", "fresh", "-C", "1"}));
    const exit_status asked =
        run(mqtt_rr({"-t", "rr/stale", "-e", "rr/stale/answer", "-m", "x", "-W", "5"}));
    EXPECT_EQ(asked.code, 0) << asked.err;
    EXPECT_EQ(asked.out, "fresh\n");
    EXPECT_EQ(responder->finish().code, 0);
    EXPECT_EQ(run(mqtt_pub({"-t", "rr/stale/answer", "-n", "-r"})).code, 0);  // cleared
}

TEST_F(ToolsTest, MqttRrGetsTheAnswerOfMqttRrResponder) {
    auto responder =
        subscriber(mqtt_rr({"--responder", "-d", "-t", "rr/time", "-m", "pong", "-C", "1"}));
    const exit_status asked = run(mqtt_rr({"-t", "rr/time", "-m", "ping", "-W", "5"}));
    EXPECT_EQ(asked.code, 0) << asked.err;
    EXPECT_EQ(asked.out, "pong\n");
    const exit_status answered = responder->finish();
    EXPECT_EQ(answered.code, 0) << answered.err;
    // The request carried a Response Topic and Correlation Data, and the answer went to that
    // topic with the same Correlation Data (spec 4.10.1, 4.10.2).
    const std::regex request(R"re(<- PUBLISH qos=0 topic="rr/time" payload=4B "ping" )re"
                             R"re(\{response_topic="([^"]+)" correlation_data=16B )re"
                             R"re((0x[0-9a-f]+|"[^"]*")\})re");
    const std::regex answer(R"re(-> PUBLISH qos=0 topic="([^"]+)" payload=4B "pong" )re"
                            R"re(\{correlation_data=16B (0x[0-9a-f]+|"[^"]*")\})re");
    std::smatch q, a;
    ASSERT_TRUE(std::regex_search(answered.err, q, request)) << answered.err;
    ASSERT_TRUE(std::regex_search(answered.err, a, answer)) << answered.err;
    EXPECT_EQ(a[1].str(), q[1].str());
    EXPECT_EQ(a[2].str(), q[2].str());
    EXPECT_EQ(answered.out, "ping\n");  // the responder prints each request
}

TEST_F(ToolsTest, MosquittoRrGetsTheAnswerOfMqttRrResponder) {
    auto responder =
        subscriber(mqtt_rr({"--responder", "--echo", "-d", "-q", "1", "-t", "rr/echo", "-C", "1"}));
    const exit_status asked =
        run(on_plain("mosquitto_rr", {"-V", "5", "-t", "rr/echo", "-e", "rr/echo/answer", "-m",
                                      "echo me", "-W", "5"}));
    EXPECT_EQ(asked.code, 0) << asked.err;
    EXPECT_EQ(asked.out, "echo me\n");
    EXPECT_EQ(responder->finish().code, 0);
}

TEST_F(ToolsTest, MqttRrTimesOutWithoutAResponder) {
    const exit_status asked = run(mqtt_rr({"-t", "rr/nobody", "-m", "hello?", "-W", "1"}));
    EXPECT_EQ(asked.code, 1);
    EXPECT_NE(asked.err.find("timed out after 1 s waiting for the response"), std::string::npos)
        << asked.err;
}

TEST_F(ToolsTest, MqttRrAnswersTheRequestsOfItsPeerInTurn) {
    auto responder = subscriber(
        mqtt_rr({"--responder", "-d", "-t", "rr/count", "-m", "ok", "-C", "2", "-F", "%t %p"}));
    for (int i = 0; i < 2; ++i) {
        const exit_status asked = run(mqtt_rr({"-t", "rr/count", "-m", "n", "-W", "5"}));
        EXPECT_EQ(asked.code, 0) << asked.err;
        EXPECT_EQ(asked.out, "ok\n");
    }
    EXPECT_EQ(responder->finish().code, 0);
}

}  // namespace
}  // namespace mqtt::tools::test
