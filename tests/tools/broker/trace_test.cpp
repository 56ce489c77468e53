// Packet traces (-d, --trace=hex, --trace=json) of real exchanges with the test Mosquitto, line
// by line: a QoS 2 publish (the four steps of spec 4.3.3) and keep-alive pings (spec 3.1.2.10,
// 3.12, 3.13).
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "tools_fixture.hpp"

namespace mqtt::tools::test {
namespace {

TEST_F(ToolsTest, TraceOfAQos2PublishShowsEveryStepOnItsOwnLine) {
    const exit_status pub =
        run(mqtt_pub({"-d", "-i", "trace-q2", "-q", "2", "-t", "trace/q2", "-m", "hello", "-D",
                      "publish", "message-expiry-interval", "30"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    std::vector<std::string> packets;
    const std::regex line(R"(^\+\d+\.\d{3}s (->|<-) ([A-Z]+)(.*) \((\d+) B\)$)");
    for (const std::string& l : split_lines(pub.err)) {
        std::smatch m;
        if (std::regex_match(l, m, line)) packets.push_back(m[1].str() + " " + m[2].str());
    }
    // CONNECT/CONNACK, PUBLISH/PUBREC/PUBREL/PUBCOMP (MQTT-4.3.3-1..-5), DISCONNECT.
    const std::vector<std::string> expected{"-> CONNECT", "<- CONNACK", "-> PUBLISH",   "<- PUBREC",
                                            "-> PUBREL",  "<- PUBCOMP", "-> DISCONNECT"};
    EXPECT_EQ(packets, expected) << pub.err;
    // Every property by name with its value, packet ids, flags, reason codes by name, sizes.
    EXPECT_TRUE(lines_in_order(
        pub.err, {"-> CONNECT client_id=\"trace-q2\" clean_start=1 keep_alive=60 (23 B)",
                  "<- CONNACK session_present=0 reason=0x00 Success {receive_maximum=20 "
                  "topic_alias_maximum=10",
                  "-> PUBLISH id=1 qos=2 topic=\"trace/q2\" payload=5B \"hello\" "
                  "{message_expiry_interval=30} (25 B)",
                  "<- PUBREC id=1", "-> PUBREL id=1 reason=0x00 Success (4 B)", "<- PUBCOMP id=1",
                  "-> DISCONNECT reason=0x00 Normal disconnection (2 B)"}))
        << pub.err;
    // Not a terminal: no colour codes.
    EXPECT_EQ(pub.err.find('\x1b'), std::string::npos);
}

TEST_F(ToolsTest, TraceShowsKeepAlivePings) {
    // Keep-alive 1 s: a PINGREQ after each idle second, each answered (MQTT-3.12.4-1).
    const exit_status sub = run(mqtt_sub({"-d", "-k", "1", "-t", "trace/idle", "-W", "2.6"}));
    EXPECT_EQ(sub.code, 1) << sub.err;  // -W ran out: a timeout
    EXPECT_TRUE(lines_in_order(sub.err, {"-> CONNECT client_id=\"\" clean_start=1 keep_alive=1",
                                         "<- SUBACK", "-> PINGREQ (2 B)", "<- PINGRESP (2 B)",
                                         "-> PINGREQ (2 B)", "<- PINGRESP (2 B)"}))
        << sub.err;
    EXPECT_NE(sub.err.find("timed out after 2.6 s (0 messages received)"), std::string::npos);
}

TEST_F(ToolsTest, TraceJsonIsOneObjectPerPacketWithTimeAndDirection) {
    const exit_status pub =
        run(mqtt_pub({"--trace=json", "-q", "1", "-t", "trace/json", "-m", "x"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    std::vector<std::string> types;
    for (const std::string& l : split_lines(pub.err)) {
        const auto j = nlohmann::json::parse(l);  // every line is one JSON object
        ASSERT_TRUE(j.contains("time")) << l;
        if (!j.contains("type")) continue;  // connection events
        EXPECT_TRUE(j["direction"] == "sent" || j["direction"] == "received") << l;
        types.push_back(j["direction"].get<std::string>() + " " + j["type"].get<std::string>());
        if (j["type"] == "PUBLISH") {
            EXPECT_EQ(j["topic"], "trace/json");
            EXPECT_EQ(j["qos"], 1);
            EXPECT_EQ(j["packet_id"], 1);
        }
    }
    const std::vector<std::string> expected{"sent CONNECT", "received CONNACK", "sent PUBLISH",
                                            "received PUBACK", "sent DISCONNECT"};
    EXPECT_EQ(types, expected);
}

// The tool's own errors join a JSON trace as events, so it stays one JSON object per line.
TEST_F(ToolsTest, TraceJsonCarriesTheToolsErrorsAsEvents) {
    const exit_status sub = run(mqtt_sub({"--trace=json", "-t", "trace/quiet", "-W", "1"}));
    EXPECT_EQ(sub.code, 1) << sub.err;
    bool timed_out = false;
    for (const std::string& l : split_lines(sub.err)) {
        const auto j = nlohmann::json::parse(l);  // throws, failing the test, on a plain line
        timed_out = timed_out || j.value("event", "").find("mqtt-sub: timed out") == 0;
    }
    EXPECT_TRUE(timed_out) << sub.err;
}

TEST_F(ToolsTest, TraceHexAddsTheLayerByLayerBytes) {
    const exit_status pub = run(mqtt_pub({"--trace=hex", "-t", "trace/hex", "-m", "hi"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    EXPECT_TRUE(lines_in_order(pub.err, {"-> PUBLISH qos=0", "Fixed Header", "QoS: 0",
                                         "Topic Name: \"trace/hex\"", "Payload: 6869"}))
        << pub.err;
}

// A bare --trace is --trace=line, as -d.
TEST_F(ToolsTest, BareTraceFlagMeansLines) {
    const exit_status pub = run(mqtt_pub({"--trace", "-t", "trace/bare", "-m", "hi"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    EXPECT_TRUE(lines_in_order(pub.err, {"-> CONNECT", "-> PUBLISH qos=0", "-> DISCONNECT"}))
        << pub.err;
}

}  // namespace
}  // namespace mqtt::tools::test
