// Captures: the pcap files the tools write (--pcap) read by tshark with no malformed packets or
// expert warnings and the fields as sent; a capture tshark makes itself of the same traffic read
// by `mqtt-inspect pcap` and matching the tool's own capture under `mqtt-inspect diff`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <string>

#include "tools_fixture.hpp"

namespace mqtt::tools::test {
namespace {

// tshark's -T fields output, one row per frame with MQTT in it (tab-separated).
std::vector<std::string> tshark_fields(const std::filesystem::path& dir, const std::string& file,
                                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{"tshark",     "-r", file,           "-Y", "mqtt",         "-T",
                                  "fields",     "-E", "occurrence=f", "-e", "mqtt.msgtype", "-e",
                                  "mqtt.msgid", "-e", "mqtt.qos",     "-e", "mqtt.topic"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const exit_status r = run_program(argv, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    return split_lines(r.out);
}

// No malformed packets and no expert information of severity Warning or Error.
void expect_clean_in_tshark(const std::filesystem::path& dir, const std::string& file,
                            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> malformed{"tshark", "-r", file, "-Y", "_ws.malformed"};
    malformed.insert(malformed.end(), extra.begin(), extra.end());
    const exit_status m = run_program(malformed, dir);
    EXPECT_EQ(m.code, 0) << m.err;
    EXPECT_EQ(m.out, "") << "malformed packets in " << file;
    std::vector<std::string> expert{"tshark", "-r", file, "-q", "-z", "expert"};
    expert.insert(expert.end(), extra.begin(), extra.end());
    const exit_status e = run_program(expert, dir);
    EXPECT_EQ(e.code, 0) << e.err;
    EXPECT_EQ(e.out.find("Errors ("), std::string::npos) << e.out;
    EXPECT_EQ(e.out.find("Warns ("), std::string::npos) << e.out;
}

TEST_F(ToolsTest, PcapOfAQos2PublishDecodesInTsharkAsSent) {
    const std::string file = (dir / "pub.pcap").string();
    const exit_status pub = run(mqtt_pub({"--pcap", file, "-q", "2", "-t", "capture/q2", "-m",
                                          "hello", "-D", "publish", "user-property", "k", "v"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    // type, packet id, QoS, topic: CONNECT, CONNACK, PUBLISH, PUBREC, PUBREL, PUBCOMP,
    // DISCONNECT.
    const std::vector<std::string> expected{"1\t\t\t",  "2\t\t\t",  "3\t1\t2\tcapture/q2",
                                            "5\t1\t\t", "6\t1\t\t", "7\t1\t\t",
                                            "14\t\t\t"};
    EXPECT_EQ(tshark_fields(dir.path(), file), expected);
    expect_clean_in_tshark(dir.path(), file);
}

TEST_F(ToolsTest, PcapOfASubscriberAndALargeMessageDecodeInTshark) {
    const std::string file = (dir / "sub.pcap").string();
    auto sub = subscriber(
        mqtt_sub({"-d", "--pcap", file, "-q", "1", "-t", "capture/big", "-C", "1", "-F", "%l"}));
    // 150,000 bytes: more than one IPv4 packet, so several TCP segments in the capture.
    const std::string payload_file = (dir / "payload.bin").string();
    std::ofstream(payload_file, std::ios::binary) << std::string(150'000, 'x');
    ASSERT_EQ(run(mqtt_pub({"-q", "1", "-t", "capture/big", "-f", payload_file})).code, 0);
    const exit_status got = sub->finish();
    ASSERT_EQ(got.code, 0) << got.err;
    EXPECT_EQ(got.out, "150000\n");
    const std::vector<std::string> rows = tshark_fields(dir.path(), file);
    const std::vector<std::string> expected{
        "1\t\t\t",  "2\t\t\t", "8\t1\t\tcapture/big", "9\t1\t\t", "3\t1\t1\tcapture/big",
        "4\t1\t\t", "14\t\t\t"};
    EXPECT_EQ(rows, expected);
    expect_clean_in_tshark(dir.path(), file);
}

TEST_F(ToolsTest, PcapOfATlsConnectionIsPlainMqtt) {
    const std::string file = (dir / "tls.pcap").string();
    const exit_status pub =
        run({MQTT_PUB, "-h", "127.0.0.1", "-p", std::to_string(broker->tls_port), "--cafile",
             broker->files().ca_cert.string(), "--pcap", file, "-q", "1", "-t", "capture/tls", "-m",
             "over TLS"});
    ASSERT_EQ(pub.code, 0) << pub.err;
    const std::vector<std::string> expected{"1\t\t\t", "2\t\t\t", "3\t1\t1\tcapture/tls",
                                            "4\t1\t\t", "14\t\t\t"};
    EXPECT_EQ(tshark_fields(dir.path(), file), expected);
    expect_clean_in_tshark(dir.path(), file);
}

// Captured by tshark on `GetParam()`: "lo" gives Ethernet framing, "any" a Linux cooked capture
// (where loopback traffic may be seen twice, which TCP reassembly drops as retransmissions).
class LiveCapture : public ToolsTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(LiveCapture, TsharkCaptureOfTheSameTrafficMatchesTheToolsOwn) {
    const std::string port = std::to_string(broker->plain_port);
    const std::string live = (dir / "live.pcapng").string();
    const std::string own = (dir / "own.pcap").string();
    // -P -l: a line on stdout per packet captured, so the test sees when capturing has begun.
    process tshark({"tshark", "-i", GetParam(), "-f", "tcp port " + port, "-w", live, "-P", "-l"},
                   dir.path());
    ASSERT_TRUE(wait_until_capturing(tshark, broker->plain_port)) << tshark.err();
    const exit_status pub =
        run(mqtt_pub({"--pcap", own, "-i", "same-flow", "-q", "2", "-t", "capture/same", "-m",
                      "once", "-D", "publish", "content-type", "text/plain"}));
    ASSERT_EQ(pub.code, 0) << pub.err;
    // Let the last segments reach the capture, then stop it (tshark writes the file on SIGINT).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    tshark.signal(SIGINT);
    ASSERT_EQ(tshark.finish().code, 0);

    // mqtt-inspect reads tshark's pcapng (real TCP) on the broker's port.
    const exit_status read = run({MQTT_INSPECT, "pcap", live, "--port", port});
    EXPECT_EQ(read.code, 0) << read.out << read.err;
    EXPECT_TRUE(lines_in_order(
        read.out, {"stream 1: 127.0.0.1:", "-> CONNECT client_id=\"same-flow\"", "<- CONNACK",
                   "-> PUBLISH id=1 qos=2 topic=\"capture/same\"", "<- PUBREC id=1",
                   "-> PUBREL id=1", "<- PUBCOMP id=1", "-> DISCONNECT"}))
        << read.out;

    // The same flow at the MQTT level, whatever the times and ports.
    const exit_status same =
        run({MQTT_INSPECT, "diff", own, live, "--port", "1883", "--port", port});
    EXPECT_EQ(same.code, 0) << same.out << same.err;
    EXPECT_NE(same.out.find("same MQTT flow"), std::string::npos) << same.out;

    // A different flow is told apart: QoS 1 instead of 2.
    const std::string other = (dir / "other.pcap").string();
    ASSERT_EQ(run(mqtt_pub({"--pcap", other, "-i", "same-flow", "-q", "1", "-t", "capture/same",
                            "-m", "once", "-D", "publish", "content-type", "text/plain"}))
                  .code,
              0);
    const exit_status differs = run({MQTT_INSPECT, "diff", own, other});
    EXPECT_EQ(differs.code, 1) << differs.out << differs.err;
    EXPECT_NE(differs.out.find("PUBLISH"), std::string::npos) << differs.out;
}

INSTANTIATE_TEST_SUITE_P(Interfaces, LiveCapture, ::testing::Values("lo", "any"));

}  // namespace
}  // namespace mqtt::tools::test
