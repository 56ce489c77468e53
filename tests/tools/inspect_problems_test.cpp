// mqtt-inspect pcap, diff and diagram on messy captures: each problem where it happened, in
// text and in --json (one line each), resynced packets marked, malformed packets shown with
// what decoded, exit status 1 when anything was found and 0 for a clean capture.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture_files.hpp"
#include "handwritten_packets.hpp"
#include "run_inspect.hpp"
#include "tcp_segments.hpp"

namespace mqtt::tools::test {
namespace {

using bytes = std::vector<std::uint8_t>;
using test_files::segment;
using test_files::temp_file;
using test_files::write_raw_capture;

// Packets written by hand, a comment per field (and handwritten_packets.hpp's).
using test_packets::connack;
using test_packets::connect_v5;
using test_packets::pingreq;
using test_packets::publish;
using test_packets::publish_pfi144;
const bytes puback2 = test_packets::puback(2);
const bytes bad_length{
    0xc0, 0xff, 0xff, 0xff, 0xff,  // PINGREQ with a 5-byte Remaining Length (spec 1.5.5)
    0x7f,                          // type 7 with flags 1111: no packet starts here
};

// Frames 1-3 the handshake; 4 CONNECT; 5 CONNACK; 6 the client's PUBLISH id 2 (its PUBLISH id 1
// before it, 12 bytes from sequence number 1016, was not captured); 7 PUBACK; 8 PINGREQ.
std::vector<segment> with_gap(bool lose) {
    std::vector<segment> v{{true, 1000, 0x02, {}}, {false, 5000, 0x12, {}}, {true, 1001, 0x10, {}}};
    v.push_back({true, 1001, 0x18, connect_v5});
    v.push_back({false, 5001, 0x18, connack});
    if (!lose) v.push_back({true, 1016, 0x18, publish(1)});
    v.push_back({true, 1028, 0x18, publish(2)});
    v.push_back({false, 5006, 0x18, puback2});
    v.push_back({true, 1040, 0x18, pingreq});
    return v;
}

TEST(InspectProblems, AGapAndItsResyncInTextAndJson) {
    const std::string f = temp_file("inspect_gap.pcap"), whole = temp_file("inspect_whole.pcap");
    write_raw_capture(f, with_gap(true));
    write_raw_capture(whole, with_gap(false));
    EXPECT_EQ(run_inspect({"pcap", whole}).exit_code, 0);  // clean: 0
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(lines_in_order(
        r.out, {"stream 1: 10.0.0.1:40000 -> 10.0.0.2:1883 (5 packets) MQTT 5", "#1 <- CONNACK",
                "stream 1: problem: frame 6, client to server, offset 15: 12 bytes missing from "
                "the capture before this frame (TCP sequence numbers 1016 to 1027)",
                "stream 1: problem: frame 6, client to server, offset 27: resync: decoding "
                "resumes here",
                "+2.000s #1 -> PUBLISH id=2 qos=1 topic=\"a/b\" payload=2B \"hi\" (12 B) [resync]",
                "+3.000s #1 <- PUBACK id=2", "+4.000s #1 -> PINGREQ (2 B)"}))
        << r.out;
    EXPECT_FALSE(has_line_containing(r.out, "PINGREQ (2 B) [resync]")) << r.out;
    // --json: the packets' keys as before; the gap and the resync each a line of their own.
    const run_result json = run_inspect({"pcap", "--json", f});
    EXPECT_EQ(json.exit_code, 1);
    std::vector<nlohmann::json> lines;
    for (const std::string& line : lines_of(json.out))
        lines.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(lines.size(), 8u) << json.out;  // the stream, 5 packets, the gap, the resync
    EXPECT_EQ(lines[3]["kind"], "gap");
    EXPECT_EQ(lines[3]["stream"], 1);
    EXPECT_EQ(lines[3]["frame"], 6);
    EXPECT_EQ(lines[3]["direction"], "sent");
    EXPECT_EQ(lines[3]["offset"], 15);
    EXPECT_EQ(lines[3]["size"], 12);
    EXPECT_EQ(lines[3]["sequence"], 1016);
    EXPECT_NE(lines[3]["problem"].get<std::string>().find("12 bytes missing"), std::string::npos);
    EXPECT_EQ(lines[4]["kind"], "resync");
    EXPECT_EQ(lines[4]["offset"], 27);
    EXPECT_EQ(lines[5]["type"], "PUBLISH");
    EXPECT_EQ(lines[5]["packet_id"], 2);
    EXPECT_EQ(lines[5]["resynced"], true);
    EXPECT_FALSE(lines[6].contains("resynced"));
    // diff against the whole capture: the first difference is the lost PUBLISH's place.
    const run_result diff = run_inspect({"diff", whole, f});
    EXPECT_EQ(diff.exit_code, 1);
    EXPECT_TRUE(has_line_containing(diff.out, "stream 1, client to server, packet 3 differs:"))
        << diff.out;
    // diagram: the arrows, with the gap and the resync between them.
    const run_result diagram = run_inspect({"diagram", f});
    EXPECT_EQ(diagram.exit_code, 1) << diagram.err;
    EXPECT_TRUE(
        lines_in_order(diagram.out, {"CONNACK", "stream 1: problem: frame 6",
                                     "stream 1: problem: frame 6", "PUBLISH id=2", "PINGREQ"}))
        << diagram.out;
    std::remove(f.c_str());
    std::remove(whole.c_str());
}

TEST(InspectProblems, MalformedPacketShownWithItsFieldsAndTheRestAsHex) {
    std::vector<segment> v{{true, 1000, 0x02, {}}, {false, 5000, 0x12, {}}, {true, 1001, 0x10, {}}};
    v.push_back({true, 1001, 0x18, connect_v5});      // frame 4
    v.push_back({true, 1016, 0x18, publish_pfi144});  // frame 5
    v.push_back({true, 1028, 0x18, pingreq});         // frame 6
    const std::string f = temp_file("inspect_pfi.pcap");
    write_raw_capture(f, v);
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 1);
    // The fields before the error (offsets within the packet), the error, the rest as hex.
    EXPECT_TRUE(lines_in_order(
        r.out,
        {"#1 -> malformed: PUBLISH Payload Format Indicator: value must be 0 or 1 at offset 8 "
         "(0x82 Protocol Error) (12 B)",
         "        0002-0006  00 03 61 2f 62             Topic Name: \"a/b\"",
         "        0007       02                           Property Length: 2",
         "        0008       01                       ** PUBLISH Payload Format Indicator",
         "        0008-000b  01 90 68 69              not decoded (4 bytes)",
         "stream 1: problem: frame 5, client to server, offset 15: malformed packet: PUBLISH "
         "Payload Format Indicator: value must be 0 or 1 at offset 23 (0x82 Protocol Error)",
         "#1 -> PINGREQ (2 B)"}))
        << r.out;
    const run_result json = run_inspect({"pcap", "--json", f});
    int malformed = 0;
    for (const std::string& line : lines_of(json.out)) {
        const nlohmann::json j = nlohmann::json::parse(line);
        if (j.value("kind", "") == "malformed") {
            ++malformed;
            EXPECT_EQ(j["offset"], 15);
            EXPECT_EQ(j["size"], 12);
        }
    }
    EXPECT_EQ(malformed, 1) << json.out;
    std::remove(f.c_str());
}

TEST(InspectProblems, BadFixedHeaderThenResync) {
    std::vector<segment> v{{true, 1000, 0x02, {}}, {false, 5000, 0x12, {}}, {true, 1001, 0x10, {}}};
    bytes all = connect_v5;
    for (const bytes& b : {bad_length, pingreq, puback2})
        all.insert(all.end(), b.begin(), b.end());
    v.push_back({true, 1001, 0x18, all});  // frame 4
    const std::string f = temp_file("inspect_bad_header.pcap");
    write_raw_capture(f, v);
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(lines_in_order(
        r.out, {"#1 -> CONNECT",
                "stream 1: problem: frame 4, client to server, offset 15: bad fixed header: "
                "PINGREQ Remaining Length: Variable Byte Integer longer than 4 bytes at offset "
                "16 (0x81 Malformed Packet); skipping to the next plausible packet start",
                "stream 1: problem: frame 4, client to server, offset 21: resync: decoding "
                "resumes here, at a plausible packet start, after skipping 6 bytes",
                "#1 -> PINGREQ (2 B) [resync]", "#1 -> PUBACK id=2"}))
        << r.out;
    std::remove(f.c_str());
}

}  // namespace
}  // namespace mqtt::tools::test
