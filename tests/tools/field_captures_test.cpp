// mqtt-inspect pcap on the captures in tests/captures/ (tests/captures/README.md says how each was
// made): MQTT 3.1, 3.1.1 and 5 from mosquitto_pub/sub captured by tshark, a capture started
// mid-connection, a capture with a segment missing. Each is compared with the output committed in
// tests/captures/expected/, and, where tshark decodes it, with tshark's decoding: the same
// streams with the same packet types in the same order.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture_files.hpp"
#include "run_inspect.hpp"

namespace mqtt::tools::test {
namespace {

const std::string dir = std::string(MQTT_SOURCE_DIR) + "/tests/captures/";

struct field_capture {
    std::string name;
    int exit_code;       // 0: clean, 1: problems found
    bool tshark_agrees;  // tshark decodes every packet as we do
};

std::ostream& operator<<(std::ostream& os, const field_capture& c) {
    return os << c.name;
}

class FieldCapture : public ::testing::TestWithParam<field_capture> {};

// The packet types of each stream, in order: ours from `pcap --json`.
std::vector<std::vector<std::string>> our_types(const std::string& file) {
    const run_result r = run_inspect({"pcap", "--json", file});
    std::map<int, std::vector<std::string>> by_stream;
    for (const std::string& line : lines_of(r.out)) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("type") && j.contains("stream"))
            by_stream[j["stream"].get<int>()].push_back(j["type"].get<std::string>());
    }
    std::vector<std::vector<std::string>> out;
    for (auto& [stream, types] : by_stream)
        out.push_back(std::move(types));
    return out;
}

// tshark's: one line per frame with MQTT, "tcp.stream<TAB>msgtype[,msgtype...]", streams in the
// order of tshark's stream numbers (the order of their first TCP segment, as ours).
std::vector<std::vector<std::string>> tshark_types(const std::string& file) {
    static const char* names[] = {"RESERVED",  "CONNECT",  "CONNACK",     "PUBLISH",
                                  "PUBACK",    "PUBREC",   "PUBREL",      "PUBCOMP",
                                  "SUBSCRIBE", "SUBACK",   "UNSUBSCRIBE", "UNSUBACK",
                                  "PINGREQ",   "PINGRESP", "DISCONNECT",  "AUTH"};
    std::map<int, std::vector<std::string>> by_stream;
    for (const std::string& line : test_files::output_lines(
             "tshark -r '" + file +
             "' -Y mqtt -T fields -E occurrence=a -E aggregator=, -e tcp.stream -e mqtt.msgtype "
             "2>/dev/null")) {
        const int stream = std::stoi(line.substr(0, line.find('\t')));
        std::string types = line.substr(line.find('\t') + 1);
        for (std::size_t at = 0; at <= types.size();) {
            const std::size_t comma = std::min(types.find(',', at), types.size());
            by_stream[stream].push_back(names[std::stoi(types.substr(at, comma - at)) & 15]);
            at = comma + 1;
        }
    }
    std::vector<std::vector<std::string>> out;
    for (auto& [stream, types] : by_stream)
        out.push_back(std::move(types));
    return out;
}

TEST_P(FieldCapture, OutputAsCommitted) {
    const field_capture& c = GetParam();
    const run_result r = run_inspect({"pcap", dir + c.name + ".pcap"});
    EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
    EXPECT_EQ(r.out, slurp(dir + "expected/" + c.name + ".txt"))
        << "regenerate with: build/bin/mqtt-inspect pcap tests/captures/" << c.name
        << ".pcap > tests/captures/expected/" << c.name << ".txt (and read the difference)";
}

TEST_P(FieldCapture, SamePacketsAsTshark) {
    const field_capture& c = GetParam();
    if (!c.tshark_agrees) GTEST_SKIP() << "compared with its committed output only";
    if (std::system("tshark -v >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
    const auto ours = our_types(dir + c.name + ".pcap");
    EXPECT_FALSE(ours.empty());
    EXPECT_EQ(ours, tshark_types(dir + c.name + ".pcap"));
}

INSTANTIATE_TEST_SUITE_P(Captures, FieldCapture,
                         ::testing::Values(field_capture{"mosquitto-v31", 0, true},
                                           field_capture{"mosquitto-v311", 0, true},
                                           field_capture{"mosquitto-v5", 0, true},
                                           field_capture{"mid-connection-v311", 0, true},
                                           field_capture{"missing-segment-v311", 1, false}),
                         [](const auto& info) {
                             std::string n = info.param.name;
                             for (char& ch : n)
                                 if (ch == '-') ch = '_';
                             return n;
                         });

}  // namespace
}  // namespace mqtt::tools::test
