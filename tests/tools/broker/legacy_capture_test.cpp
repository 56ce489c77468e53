// Captures of mosquitto_pub and mosquitto_sub speaking each MQTT version (-V mqttv311, ...) to the
// test Mosquitto, made by tshark on the loopback interface, read by `mqtt-inspect pcap` and
// compared with tshark's own decoding of the same file: the same packets in each stream, the
// CONNECT's version, the CONNACK's return code, the topics and the packet identifiers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tools_fixture.hpp"

namespace mqtt::tools::test {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> v;
    if (s.empty()) return v;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, sep);)
        v.push_back(item);
    return v;
}

// What both decoders say of one stream, packet by packet in capture order.
struct stream_view {
    std::vector<std::string> types;         // message type numbers: "1" CONNECT, "2" CONNACK, ...
    std::vector<std::string> versions;      // CONNECT Protocol Levels
    std::vector<std::string> return_codes;  // CONNACK return / reason codes
    std::vector<std::string> topics;        // PUBLISH and SUBSCRIBE topics
    std::vector<std::string> ids;           // packet identifiers, where the packet has one
    friend bool operator==(const stream_view&, const stream_view&) = default;
};

std::ostream& operator<<(std::ostream& o, const stream_view& s) {
    const auto list = [&o](const char* name, const std::vector<std::string>& v) {
        o << name << "=[";
        for (const std::string& x : v)
            o << x << ' ';
        o << "] ";
    };
    list("types", s.types);
    list("versions", s.versions);
    list("codes", s.return_codes);
    list("topics", s.topics);
    list("ids", s.ids);
    return o;
}

const char* const type_numbers[] = {"",          "CONNECT",  "CONNACK",     "PUBLISH",
                                    "PUBACK",    "PUBREC",   "PUBREL",      "PUBCOMP",
                                    "SUBSCRIBE", "SUBACK",   "UNSUBSCRIBE", "UNSUBACK",
                                    "PINGREQ",   "PINGRESP", "DISCONNECT",  "AUTH"};

// tshark's decoding: one row per frame, every occurrence of each field (a frame may carry
// several MQTT packets), grouped by TCP stream; streams without MQTT (the knocks) left out.
std::vector<stream_view> tshark_view(const std::filesystem::path& dir, const std::string& file,
                                     const std::string& port) {
    const exit_status r = run_program({"tshark",
                                       "-r",
                                       file,
                                       "-d",
                                       "tcp.port==" + port + ",mqtt",
                                       "-Y",
                                       "mqtt",
                                       "-T",
                                       "fields",
                                       "-E",
                                       "occurrence=a",
                                       "-E",
                                       "aggregator=,",
                                       "-e",
                                       "tcp.stream",
                                       "-e",
                                       "mqtt.msgtype",
                                       "-e",
                                       "mqtt.ver",
                                       "-e",
                                       "mqtt.conack.val",
                                       "-e",
                                       "mqtt.topic",
                                       "-e",
                                       "mqtt.msgid",
                                       "-e",
                                       "mqtt.connack.reason_code"},
                                      dir);
    EXPECT_EQ(r.code, 0) << r.err;
    std::map<int, stream_view> by_stream;
    std::vector<int> order;
    for (const std::string& row : split_lines(r.out)) {
        std::vector<std::string> f = split(row, '\t');
        f.resize(7);
        const int stream = std::stoi(f[0]);
        if (!by_stream.count(stream)) order.push_back(stream);
        stream_view& s = by_stream[stream];
        const auto add = [](std::vector<std::string>& to, const std::string& values) {
            for (const std::string& v : split(values, ','))
                to.push_back(v);
        };
        add(s.types, f[1]);
        add(s.versions, f[2]);
        add(s.return_codes, f[3]);
        add(s.topics, f[4]);
        add(s.ids, f[5]);
        add(s.return_codes, f[6]);  // a v5 CONNACK's Reason Code
    }
    std::vector<stream_view> v;
    for (const int s : order)
        v.push_back(by_stream[s]);
    return v;
}

// mqtt-inspect's decoding of the same file, from pcap --json.
std::vector<stream_view> inspect_view(const std::string& json_lines) {
    std::vector<stream_view> v;
    for (const std::string& line : split_lines(json_lines)) {
        const nlohmann::json j = nlohmann::json::parse(line);
        if (j.contains("server")) {
            v.emplace_back();
            continue;
        }
        if (!j.contains("type") || v.empty()) continue;
        stream_view& s = v.back();
        const std::string type = j["type"];
        for (int t = 1; t < 16; ++t) {
            if (type == type_numbers[t]) s.types.push_back(std::to_string(t));
        }
        if (type == "CONNECT") s.versions.push_back(std::to_string(j.value("protocol_version", 5)));
        if (type == "CONNACK") {
            s.return_codes.push_back(std::to_string(j.contains("return_code")
                                                        ? j["return_code"].get<int>()
                                                        : j["reason_code"].get<int>()));
        }
        if (j.contains("topic")) s.topics.push_back(j["topic"]);
        if (j.contains("subscriptions")) {
            for (const auto& sub : j["subscriptions"])
                s.topics.push_back(sub["topic_filter"]);
        }
        if (j.contains("packet_id")) s.ids.push_back(std::to_string(j["packet_id"].get<int>()));
    }
    return v;
}

// -V argument of mosquitto_pub/sub, and the Protocol Level its CONNECT carries.
struct version_case {
    const char* mosquitto_flag;
    int level;
    const char* name;  // as the stream header says it
};

class LegacyCapture : public ToolsTest, public ::testing::WithParamInterface<version_case> {};

TEST_P(LegacyCapture, MosquittoClientsCapturedByTsharkReadAsTsharkReadsThem) {
    const version_case v = GetParam();
    const std::string port = std::to_string(broker->plain_port);
    const std::string live = (dir / "legacy.pcapng").string();
    process tshark({"tshark", "-i", "lo", "-f", "tcp port " + port, "-w", live, "-P", "-l"},
                   dir.path());
    ASSERT_TRUE(wait_until_capturing(tshark, broker->plain_port)) << tshark.err();
    const std::string topic = std::string("legacy/") + v.mosquitto_flag;
    // stdbuf: mosquitto_sub's -d lines go to stdout, which a file would buffer until it exits.
    std::vector<std::string> sub_argv = on_plain(
        "mosquitto_sub",
        {"-V", v.mosquitto_flag, "-i", "legacy-sub", "-q", "1", "-t", topic, "-C", "1", "-d"});
    sub_argv.insert(sub_argv.begin(), {"stdbuf", "-oL"});
    auto sub = subscriber(sub_argv);
    ASSERT_EQ(run(on_plain("mosquitto_pub", {"-V", v.mosquitto_flag, "-i", "legacy-pub", "-q", "1",
                                             "-t", topic, "-m", "hello"}))
                  .code,
              0);
    ASSERT_EQ(sub->finish().code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    tshark.signal(SIGINT);
    ASSERT_EQ(tshark.finish().code, 0);

    const exit_status text = run({MQTT_INSPECT, "pcap", live, "--port", port});
    EXPECT_EQ(text.code, 0) << text.out << text.err;
    EXPECT_TRUE(lines_in_order(
        text.out, {std::string("packets) ") + v.name, std::string("packets) ") + v.name}))
        << text.out;
    const exit_status json = run({MQTT_INSPECT, "pcap", "--json", live, "--port", port});
    ASSERT_EQ(json.code, 0) << json.out << json.err;
    const std::vector<stream_view> ours = inspect_view(json.out);
    const std::vector<stream_view> theirs = tshark_view(dir.path(), live, port);
    ASSERT_EQ(ours.size(), 2u) << json.out;
    EXPECT_EQ(ours, theirs) << json.out;
    for (const stream_view& s : ours) {
        ASSERT_FALSE(s.versions.empty());
        EXPECT_EQ(s.versions[0], std::to_string(v.level));
    }
}

INSTANTIATE_TEST_SUITE_P(Versions, LegacyCapture,
                         ::testing::Values(version_case{"mqttv31", 3, "MQTT 3.1"},
                                           version_case{"mqttv311", 4, "MQTT 3.1.1"},
                                           version_case{"5", 5, "MQTT 5"}),
                         [](const auto& info) {
                             return std::string(info.param.mosquitto_flag) == "5"
                                        ? std::string("mqttv5")
                                        : std::string(info.param.mosquitto_flag);
                         });

}  // namespace
}  // namespace mqtt::tools::test
