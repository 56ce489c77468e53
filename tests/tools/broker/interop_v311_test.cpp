// MQTT 3.1.1 (-V 311) interoperability with Mosquitto's own tools speaking 3.1.1 (-V mqttv311),
// in both directions: each QoS, retained messages, the Will, a persistent session (Clean Session
// 0), a refused CONNECT named by its 3.1.1 return code, and the capture of a 3.1.1 connection as
// tshark reads it. Sections cited are the 3.1.1 specification's.
#include <csignal>
#include <string>
#include <vector>

#include "tools_fixture.hpp"

namespace mqtt::tools::test {
namespace {

class V311Interop : public ToolsTest, public ::testing::WithParamInterface<int> {
  protected:
    std::vector<std::string> mosquitto_pub_311(std::vector<std::string> args) {
        args.insert(args.begin(), {"-V", "mqttv311"});
        return on_plain("mosquitto_pub", std::move(args));
    }
    // mosquitto_sub -V mqttv311 with line-buffered stdout: its -d lines go there, which a file
    // would buffer until it exits.
    std::vector<std::string> mosquitto_sub_311(std::vector<std::string> args) {
        args.insert(args.begin(), {"-V", "mqttv311"});
        std::vector<std::string> argv = on_plain("mosquitto_sub", std::move(args));
        argv.insert(argv.begin(), {"stdbuf", "-oL"});
        return argv;
    }
};

// The lines of a trace that say a packet did not decode.
bool has_malformed(const std::string& trace) {
    return trace.find("malformed") != std::string::npos;
}

TEST_P(V311Interop, MqttPubToMosquittoSub) {
    const std::string qos = std::to_string(GetParam());
    const std::string topic = "v311/pub/" + qos;
    auto sub = subscriber(
        mosquitto_sub_311({"-d", "-q", "2", "-t", topic, "-C", "1", "-F", "MSG|%q|%r|%t|%p"}));
    const exit_status pub =
        run(mqtt_pub({"-V", "311", "-d", "-t", topic, "-q", qos, "-m", "hello from mqtt-pub"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    EXPECT_FALSE(has_malformed(pub.err)) << pub.err;
    const exit_status got = sub->finish();
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_NE(got.out.find("MSG|" + qos + "|0|" + topic + "|hello from mqtt-pub"),
              std::string::npos)
        << got.out;
    // The QoS flow of 3.1.1 spec 4.3, seen in our trace.
    if (GetParam() == 1) {
        EXPECT_TRUE(lines_in_order(
            pub.err, {"-> CONNECT", "<- CONNACK", "-> PUBLISH", "<- PUBACK", "-> DISCONNECT"}))
            << pub.err;
    } else if (GetParam() == 2) {
        EXPECT_TRUE(lines_in_order(
            pub.err, {"-> PUBLISH", "<- PUBREC", "-> PUBREL", "<- PUBCOMP", "-> DISCONNECT"}))
            << pub.err;
    }
}

// %j prints no "properties": a 3.1.1 message has none.
TEST_P(V311Interop, MosquittoPubToMqttSub) {
    const std::string qos = std::to_string(GetParam());
    const std::string topic = "v311/sub/" + qos;
    auto sub = subscriber(mqtt_sub(
        {"-V", "mqttv311", "-d", "-q", "2", "-t", topic, "-C", "1", "-F", "MSG|%q|%t|%p|%j"}));
    const exit_status pub =
        run(mosquitto_pub_311({"-t", topic, "-q", qos, "-m", "hello from mosquitto_pub"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    const exit_status got = sub->finish();
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_FALSE(has_malformed(got.err)) << got.err;
    EXPECT_NE(got.out.find("MSG|" + qos + "|" + topic + "|hello from mosquitto_pub|{"),
              std::string::npos)
        << got.out;
    EXPECT_EQ(got.out.find("properties"), std::string::npos) << got.out;
    if (GetParam() == 2) {
        EXPECT_TRUE(lines_in_order(got.err, {"<- PUBLISH", "-> PUBREC", "<- PUBREL", "-> PUBCOMP"}))
            << got.err;
    } else if (GetParam() == 1) {
        EXPECT_TRUE(lines_in_order(got.err, {"<- PUBLISH", "-> PUBACK"})) << got.err;
    }
}

INSTANTIATE_TEST_SUITE_P(EachQos, V311Interop, ::testing::Values(0, 1, 2));

// A retained message (3.1.1 spec 3.3.1.3) reaches a later subscriber with RETAIN 1, both ways.
TEST_F(V311Interop, RetainedMessagesBothWays) {
    ASSERT_EQ(
        run(mqtt_pub({"-V", "311", "-t", "v311/retained/a", "-m", "kept", "-r", "-q", "1"})).code,
        0);
    const exit_status theirs =
        run(on_plain("mosquitto_sub", {"-V", "mqttv311", "-t", "v311/retained/a", "-C", "1", "-W",
                                       "5", "-F", "%r|%p"}));
    EXPECT_EQ(theirs.code, 0) << theirs.err;
    EXPECT_EQ(theirs.out, "1|kept\n");

    ASSERT_EQ(
        run(mosquitto_pub_311({"-t", "v311/retained/b", "-m", "also kept", "-r", "-q", "2"})).code,
        0);
    const exit_status ours = run(
        mqtt_sub({"-V", "311", "-t", "v311/retained/b", "-C", "1", "-W", "5", "-F", "%r|%q|%p"}));
    EXPECT_EQ(ours.code, 0) << ours.err;
    EXPECT_EQ(ours.out, "1|0|also kept\n");
    // Cleared, so that other tests do not see them.
    EXPECT_EQ(run(mqtt_pub({"-V", "311", "-t", "v311/retained/a", "-n", "-r"})).code, 0);
    EXPECT_EQ(run(mqtt_pub({"-V", "311", "-t", "v311/retained/b", "-n", "-r"})).code, 0);
}

// The Will (3.1.1 spec 3.1.2.5) is published when the connection ends without DISCONNECT: ours
// to mosquitto_sub, and mosquitto_sub's to mqtt-sub.
TEST_F(V311Interop, WillOfAKilledClientBothWays) {
    auto watcher =
        subscriber(mosquitto_sub_311({"-d", "-t", "v311/will/ours", "-C", "1", "-F", "%p"}));
    auto ours =
        subscriber(mqtt_sub({"-V", "311", "-d", "-t", "v311/will/idle", "--will-topic",
                             "v311/will/ours", "--will-payload", "ours gone", "--will-qos", "1"}));
    ours->signal(SIGKILL);
    const exit_status saw = watcher->finish();
    EXPECT_EQ(saw.code, 0) << saw.err;
    EXPECT_NE(saw.out.find("ours gone\n"), std::string::npos) << saw.out;

    auto our_watcher =
        subscriber(mqtt_sub({"-V", "311", "-d", "-t", "v311/will/theirs", "-C", "1", "-q", "1"}));
    auto theirs =
        subscriber(mosquitto_sub_311({"-d", "-t", "v311/will/idle", "--will-topic",
                                      "v311/will/theirs", "--will-payload", "theirs gone"}));
    theirs->signal(SIGKILL);
    const exit_status got = our_watcher->finish();
    EXPECT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(got.out, "theirs gone\n");
}

// Clean Session 0 (3.1.1 spec 3.1.2.4): the broker keeps the subscription and queues the QoS 1
// messages published while the client is away; the next connection has Session Present 1
// (3.1.1 spec 3.2.2.2) and receives them.
TEST_F(V311Interop, PersistentSessionOfMqttSub) {
    const std::string sessions = (dir / "sessions").string();
    const std::vector<std::string> keeper{
        "-V",     "311", "-c", "-i", "v311-keeper",      "--session-dir",
        sessions, "-q",  "1",  "-t", "v311/persist/ours"};
    std::vector<std::string> first = keeper;
    first.insert(first.end(), {"-E", "-d"});
    const exit_status subscribed = run(mqtt_sub(first));
    ASSERT_EQ(subscribed.code, 0) << subscribed.err;
    EXPECT_TRUE(lines_in_order(subscribed.err, {"-> CONNECT", "<- CONNACK session_present=0",
                                                "-> SUBSCRIBE", "<- SUBACK", "-> DISCONNECT"}))
        << subscribed.err;
    ASSERT_EQ(
        run(mosquitto_pub_311({"-t", "v311/persist/ours", "-q", "1", "-m", "while away"})).code, 0);
    std::vector<std::string> again = keeper;
    again.insert(again.end(), {"-C", "1", "-W", "5", "-d"});
    const exit_status got = run(mqtt_sub(again));
    EXPECT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(got.out, "while away\n");
    EXPECT_NE(got.err.find("<- CONNACK session_present=1"), std::string::npos) << got.err;
    // Clean up the broker's session: Clean Session 1 ends it.
    EXPECT_EQ(run(mqtt_pub({"-V", "311", "-i", "v311-keeper", "-t", "x", "-n"})).code, 0);
}

TEST_F(V311Interop, PersistentSessionOfMosquittoSubFedByMqttPub) {
    const std::vector<std::string> keeper{"-c", "-i", "v311-their-keeper",  "-q",
                                          "1",  "-t", "v311/persist/theirs"};
    std::vector<std::string> first = keeper;
    first.push_back("-E");
    ASSERT_EQ(run(on_plain("mosquitto_sub",
                           [&] {
                               std::vector<std::string> a{"-V", "mqttv311"};
                               a.insert(a.end(), first.begin(), first.end());
                               return a;
                           }()))
                  .code,
              0);
    for (const char* payload : {"one", "two"}) {
        const exit_status pub =
            run(mqtt_pub({"-V", "311", "-t", "v311/persist/theirs", "-q", "1", "-m", payload}));
        ASSERT_EQ(pub.code, 0) << pub.err;
    }
    std::vector<std::string> again{"-V", "mqttv311"};
    again.insert(again.end(), keeper.begin(), keeper.end());
    again.insert(again.end(), {"-C", "2", "-W", "5"});
    const exit_status got = run(on_plain("mosquitto_sub", again));
    EXPECT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(got.out, "one\ntwo\n");
}

// A refused CONNECT is named by the 3.1.1 Connect Return Code the broker sent (3.1.1 Table 3.1),
// not by the v5 reason code the session holds it as.
TEST_F(V311Interop, RefusedConnectNamesThe311ReturnCode) {
    const exit_status r =
        run({MQTT_PUB, "-V", "311", "-h", "127.0.0.1", "-p", std::to_string(broker->auth_port),
             "-u", "alice", "-P", "wrong", "-t", "open/x", "-m", "hi"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("mqtt-pub: connection refused: 0x05 Not authorized"), std::string::npos)
        << r.err;
}

// The capture of a 3.1.1 connection: Protocol Level 4 in tshark's reading, every packet as sent,
// nothing malformed (tshark reads the rest of the stream by the CONNECT's level).
TEST_F(V311Interop, PcapOfA311ConnectionDecodesInTshark) {
    const std::string file = (dir / "v311.pcap").string();
    process sub(mqtt_sub({"-V", "311", "-d", "--pcap", file, "-q", "2", "-t", "v311/capture", "-C",
                          "1", "-U", "v311/nothing"}),
                dir.path());
    ASSERT_TRUE(sub.wait_for_text("<- UNSUBACK")) << sub.err();
    ASSERT_EQ(run(mqtt_pub({"-V", "311", "-q", "2", "-t", "v311/capture", "-m", "x"})).code, 0);
    const exit_status got = sub.finish();
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_FALSE(has_malformed(got.err)) << got.err;
    const exit_status fields = run({"tshark", "-r", file, "-Y", "mqtt", "-T", "fields", "-E",
                                    "occurrence=f", "-e", "mqtt.msgtype", "-e", "mqtt.ver"});
    ASSERT_EQ(fields.code, 0) << fields.err;
    // CONNECT (level 4), CONNACK, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PUBLISH, PUBREC,
    // PUBREL, PUBCOMP, DISCONNECT.
    const std::vector<std::string> expected{"1\t4", "2\t", "8\t", "9\t", "10\t", "11\t",
                                            "3\t",  "5\t", "6\t", "7\t", "14\t"};
    EXPECT_EQ(split_lines(fields.out), expected) << fields.out;
    const exit_status malformed = run({"tshark", "-r", file, "-Y", "_ws.malformed"});
    EXPECT_EQ(malformed.out, "");
}

}  // namespace
}  // namespace mqtt::tools::test
