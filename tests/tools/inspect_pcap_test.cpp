// mqtt-inspect pcap and diff as programs, on captures written here with pcap_writer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture_files.hpp"
#include "run_inspect.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools::test {
namespace {

using bytes = std::vector<std::uint8_t>;
using transport::direction;

using test_files::t0;
using test_files::temp_file;

// CONNECT with client id `id`; the client's QoS 1 PUBLISH `pid` to `topic`; the server's QoS 1
// PUBLISH `spid`; the acks.
struct flow {
    char id = 'a';
    std::uint16_t pid = 1;
    char topic = 't';
    std::uint16_t spid = 9;
    std::uint16_t puback_id = 0;  // 0: pid
};

// One connection after another in one capture.
void write_flows(const std::string& path, const std::vector<flow>& flows) {
    pcap_writer w(path);
    for (const flow& f : flows) {
        const auto hi = [](std::uint16_t v) { return std::uint8_t(v >> 8); };
        const auto lo = [](std::uint16_t v) { return std::uint8_t(v); };
        const std::uint16_t ack = f.puback_id ? f.puback_id : f.pid;
        const std::vector<std::pair<direction, bytes>> packets{
            {direction::sent,
             {0x10, 0x0e, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x01,
              std::uint8_t(f.id)}},
            {direction::received, {0x20, 0x03, 0x00, 0x00, 0x00}},
            {direction::sent,
             {0x32, 0x08, 0x00, 0x01, std::uint8_t(f.topic), hi(f.pid), lo(f.pid), 0x00, 'h', 'i'}},
            {direction::received, {0x40, 0x02, hi(ack), lo(ack)}},
            {direction::received, {0x32, 0x06, 0x00, 0x01, 's', hi(f.spid), lo(f.spid), 0x00}},
            {direction::sent, {0x40, 0x02, hi(f.spid), lo(f.spid)}},
        };
        transport::connection_event e;
        e.time = t0;
        e.local = {asio::ip::make_address("127.0.0.1"),
                   std::uint16_t(40000 + f.id)};  // ports differ too
        e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
        w.opened(e);
        for (const auto& [dir, b] : packets)
            w.packet({dir, t0, b});
    }
}

void write_flow(const std::string& path, const flow& f) {
    write_flows(path, {f});
}

TEST(InspectPcap, PrintsEachStreamAsATrace) {
    const std::string f = temp_file("trace.pcap");
    write_flow(f, {});
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has_line_containing(r.out,
                                    "stream 1: 127.0.0.1:40097 -> 127.0.0.1:1883 (6 "
                                    "packets)"))
        << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "+0.000s #1 -> CONNECT client_id=\"a\"")) << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "#1 <- PUBACK id=1 reason=0x00 Success (4 B)")) << r.out;
    const run_result json = run_inspect({"pcap", "--json", f});
    EXPECT_EQ(json.exit_code, 0);
    int packets = 0;
    for (const std::string& line : lines_of(json.out)) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("type")) {
            ++packets;
            EXPECT_EQ(j["stream"], 1);
        }
    }
    EXPECT_EQ(packets, 6);
    const run_result hex = run_inspect({"pcap", "--hex", f});
    EXPECT_TRUE(has_line_containing(hex.out, "Topic Name: \"t\"")) << hex.out;
    std::remove(f.c_str());
}

TEST(InspectPcap, ExitCodes) {
    EXPECT_EQ(run_inspect({"pcap", "/no/such.pcap"}).exit_code, 2);
    const std::string f = temp_file("other_port.pcap");
    write_flow(f, {});
    const run_result none = run_inspect({"pcap", "--port", "18830", f});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_NE(none.err.find("no MQTT found on TCP port(s) 18830"), std::string::npos) << none.err;
    std::remove(f.c_str());
}

TEST(InspectPcap, MqttOverWebSocketShowsTheFramesNotesBesideThePackets) {
    // pcap_writer writes whatever bytes it is given as a segment: here the WebSocket handshake
    // and frames around a CONNECT and a CONNACK, then a text frame (MQTT-6.0.0-1).
    const auto text = [](std::string_view s) { return bytes(s.begin(), s.end()); };
    const bytes connect = {0x10, 0x0d, 0x00, 0x04, 'M',  'Q',  'T', 'T',
                           0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x00};
    const auto frame = [](std::uint8_t first, bool masked, const bytes& payload) {
        bytes f(2 + (masked ? 4 : 0) + payload.size(), 0x00);  // key 00 00 00 00: payload as is
        f[0] = first;
        f[1] = std::uint8_t((masked ? 0x80 : 0) | payload.size());
        std::copy(payload.begin(), payload.end(), f.end() - std::ptrdiff_t(payload.size()));
        return f;
    };
    const std::string f = temp_file("ws.pcap");
    {
        pcap_writer w(f);
        const auto put = [&](direction d, const bytes& b) { w.packet({d, t0, b}); };
        put(direction::sent,
            text("GET /mqtt HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        put(direction::received, text("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                      "Sec-WebSocket-Protocol: mqtt\r\n\r\n"));
        put(direction::sent, frame(0x82, true, connect));
        put(direction::received, frame(0x82, false, {0x20, 0x03, 0x00, 0x00, 0x00}));
        put(direction::sent, frame(0x81, true, {0xC0, 0x00}));  // PINGREQ in a text frame
    }
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the text frame is a problem
    EXPECT_TRUE(lines_in_order(
        r.out, {"stream 1: 127.0.0.1:49152 -> 127.0.0.1:1883 (3 packets) MQTT 5 over WebSocket",
                "#1 -- -> WebSocket upgrade request: GET /mqtt, subprotocols offered: mqtt",
                "#1 -- <- WebSocket upgrade accepted (101 Switching Protocols), subprotocol: mqtt",
                "#1 -> CONNECT", "#1 <- CONNACK",
                "#1 -- -> problem: MQTT in a WebSocket text frame", "#1 -> PINGREQ"}))
        << r.out;
    const run_result json = run_inspect({"pcap", "--json", f});
    EXPECT_EQ(json.exit_code, 1);
    int problems = 0, packets = 0;
    for (const std::string& line : lines_of(json.out)) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("websocket") && j["websocket"].is_boolean()) {
            EXPECT_EQ(j["stream"], 1);
        }
        if (j.contains("problem")) ++problems;
        if (j.contains("type")) ++packets;
    }
    EXPECT_EQ(problems, 1);
    EXPECT_EQ(packets, 3);
    std::remove(f.c_str());

    // The capture fuzz target's WebSocket seed, frames one second apart on port 9001 (found by
    // its upgrade request): times count from the handshake, the first frame with a payload.
    const run_result seed = run_inspect(
        {"pcap", std::string(MQTT_SOURCE_DIR) + "/fuzz/corpus/capture/websocket_9001.pcap"});
    EXPECT_EQ(seed.exit_code, 0) << seed.out << seed.err;
    EXPECT_TRUE(lines_in_order(
        seed.out,
        {"stream 1: 10.0.0.1:40000 -> 10.0.0.2:9001 (3 packets) MQTT 3.1.1 over WebSocket",
         "+0.000s #1 -- -> WebSocket upgrade request: GET /mqtt",
         "+1.000s #1 -- <- WebSocket upgrade accepted", "+2.000s #1 -> CONNECT version=3.1.1",
         "+3.000s #1 <- CONNACK", "+5.000s #1 -- <- WebSocket ping (0 bytes)",
         "+6.000s #1 -> PUBLISH qos=0 topic=\"t\" payload=4B \"hiya\""}))
        << seed.out;
}

TEST(InspectDiff, SameFlowDespiteClientIdPortsAndRenamedIds) {
    const std::string a = temp_file("a.pcap"), b = temp_file("b.pcap");
    write_flow(a, {});
    EXPECT_EQ(run_inspect({"diff", a, a}).exit_code, 0);
    write_flow(b, {.id = 'z', .pid = 7, .spid = 300});
    const run_result r = run_inspect({"diff", a, b});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "same MQTT flow: 1 stream, 6 packets\n");
    std::remove(a.c_str());
    std::remove(b.c_str());
}

// Several clients at once: the connections open in another order from one capture to the next.
// Streams pair by content; what is left pairs in order and is compared.
TEST(InspectDiff, StreamsPairByContentWhateverOrderTheyOpenedIn) {
    const std::string a = temp_file("a.pcap"), b = temp_file("b.pcap");
    write_flows(a, {{.id = 'a', .topic = 't'}, {.id = 'b', .topic = 'u'}});
    write_flows(b, {{.id = 'c', .topic = 'u'}, {.id = 'd', .topic = 't'}});
    const run_result same = run_inspect({"diff", a, b});
    EXPECT_EQ(same.exit_code, 0) << same.out;
    EXPECT_EQ(same.out,
              "same MQTT flow: 2 streams, 12 packets (streams opened in another order: A1 = B2, "
              "A2 = B1)\n");
    write_flows(b, {{.id = 'c', .topic = 'u'}, {.id = 'd', .topic = 'v'}});
    const run_result differ = run_inspect({"diff", a, b});
    EXPECT_EQ(differ.exit_code, 1) << differ.out;
    EXPECT_TRUE(has_line_containing(differ.out, "stream 1 of A against stream 2 of B:"))
        << differ.out;
    EXPECT_TRUE(has_line_containing(differ.out, "  topic: \"t\" vs \"v\"")) << differ.out;
    std::remove(a.c_str());
    std::remove(b.c_str());
}

TEST(InspectDiff, ShowsTheFirstDifference) {
    const std::string a = temp_file("a.pcap"), b = temp_file("b.pcap");
    write_flow(a, {});
    write_flow(b, {.topic = 'u'});
    const run_result r = run_inspect({"diff", a, b});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(has_line_containing(r.out, "stream 1, client to server, packet 2 differs:"))
        << r.out;
    EXPECT_TRUE(has_line_containing(r.out,
                                    "  A (frame 6, +0.000s): PUBLISH id=1 qos=1 "
                                    "topic=\"t\""))
        << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "  topic: \"t\" vs \"u\"")) << r.out;
    std::remove(a.c_str());
    std::remove(b.c_str());
}

TEST(InspectDiff, InconsistentRenamingIsADifference) {
    // B acknowledges packet id 2 where A acknowledged the id of its PUBLISH.
    const std::string a = temp_file("a.pcap"), b = temp_file("b.pcap");
    write_flow(a, {});
    write_flow(b, {.pid = 5, .puback_id = 2});
    const run_result r = run_inspect({"diff", a, b});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(has_line_containing(r.out, "stream 1, server to client, packet 2 differs:"))
        << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "packet id: 1 in A and 2 in B")) << r.out;
    EXPECT_EQ(run_inspect({"diff", a, "/no/such.pcap"}).exit_code, 2);
    std::remove(a.c_str());
    std::remove(b.c_str());
}

// The first `size` bytes of `from` into `to`, as `head -c` or a killed tcpdump leaves a file.
void cut_file(const std::string& from, const std::string& to, std::size_t size) {
    const std::string b = slurp(from);
    ASSERT_LT(size, b.size());
    std::ofstream(to, std::ios::binary).write(b.data(), std::streamsize(size));
}

// Where each record of a pcap file starts: after the 24-byte file header, a 16-byte record
// header (caplen at byte 8, in this host's byte order: the writer's) and caplen bytes.
std::vector<std::size_t> record_offsets(const std::string& path) {
    const std::string b = slurp(path);
    std::vector<std::size_t> offsets;
    for (std::size_t at = 24; at + 16 <= b.size();) {
        offsets.push_back(at);
        std::uint32_t caplen = 0;
        std::memcpy(&caplen, b.data() + at + 8, 4);
        at += 16 + caplen;
    }
    return offsets;
}

TEST(InspectPcap, TruncatedFilePrintsWhatCameBeforeTheCut) {
    const std::string f = temp_file("whole.pcap"), cut = temp_file("cut.pcap");
    write_flow(f, {});
    // Frames 1-3 the handshake, 4-9 the six packets, 10-12 the FINs.
    const std::vector<std::size_t> records = record_offsets(f);
    ASSERT_EQ(records.size(), 12u);
    const std::size_t last_packet = records[8];  // frame 9: the client's PUBACK
    // Cut in the middle of the last packet's record, then in the middle of its record header.
    for (const std::size_t size : {last_packet + 16 + 30, last_packet + 5}) {
        SCOPED_TRACE(size);
        cut_file(f, cut, size);
        const std::string problem = "problem: " + cut +
                                    ": the file is truncated: the record after frame 8 (byte "
                                    "offset " +
                                    std::to_string(last_packet) + ") is cut short: ";
        const run_result r = run_inspect({"pcap", cut});
        EXPECT_EQ(r.exit_code, 1) << r.err;  // a capture with a problem (tools/README.md)
        EXPECT_TRUE(
            has_line_containing(r.out, "stream 1: 127.0.0.1:40097 -> 127.0.0.1:1883 (5 packets)"))
            << r.out;
        EXPECT_TRUE(has_line_containing(r.out, "+0.000s #1 -> CONNECT client_id=\"a\"")) << r.out;
        EXPECT_TRUE(has_line_containing(r.out, "#1 <- PUBLISH id=9 qos=1 topic=\"s\"")) << r.out;
        EXPECT_FALSE(has_line_containing(r.out, "#1 -> PUBACK")) << r.out;  // cut off
        EXPECT_FALSE(has_line_containing(r.out, "problem")) << r.out;       // no stream has one
        EXPECT_NE(r.err.find(problem), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("truncated dump file"), std::string::npos) << r.err;
        // --json: the five packets on stdout, the problem on stderr.
        const run_result json = run_inspect({"pcap", "--json", cut});
        EXPECT_EQ(json.exit_code, 1);
        int packets = 0;
        for (const std::string& line : lines_of(json.out))
            packets += nlohmann::json::parse(line).contains("type") ? 1 : 0;
        EXPECT_EQ(packets, 5);
        EXPECT_NE(json.err.find(problem), std::string::npos) << json.err;
        // diff: compared as far as the cut; B has one packet less, and B's cut is named.
        const run_result diff = run_inspect({"diff", f, cut});
        EXPECT_EQ(diff.exit_code, 1) << diff.out;
        EXPECT_TRUE(has_line_containing(diff.out,
                                        "stream 1, client to server: A has 1 more "
                                        "packet, the first:"))
            << diff.out;
        EXPECT_NE(diff.err.find("problem: B: " + problem.substr(9)), std::string::npos) << diff.err;
    }
    std::remove(f.c_str());
    std::remove(cut.c_str());
}

TEST(InspectPcap, TruncationInsideAPacketIsThatStreamsProblem) {
    // CONNECT, then a PUBLISH of 70,008 bytes in two segments (frames 5 and 6); the file ends in
    // the middle of the second.
    bytes big{0x30, 0xf4, 0xa2, 0x04, 0x00, 0x01, 'b', 0x00};  // Remaining Length 70,004
    big.resize(8 + 70'000, 'x');
    const std::string f = temp_file("big.pcap"), cut = temp_file("big_cut.pcap");
    {
        pcap_writer w(f);
        transport::connection_event e;
        e.time = t0;
        e.local = {asio::ip::make_address("127.0.0.1"), 40001};
        e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
        w.opened(e);
        const bytes connect{0x10, 0x0d, 0x00, 0x04, 'M',  'Q',  'T', 'T',
                            0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x00};
        w.packet({direction::sent, t0, connect});
        w.packet({direction::sent, t0, big});
    }
    const std::vector<std::size_t> records = record_offsets(f);
    ASSERT_EQ(records.size(), 9u);
    cut_file(f, cut, records[5] + 100);
    const run_result r = run_inspect({"pcap", cut});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(has_line_containing(r.out, "(1 packets)")) << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "#1 -> CONNECT")) << r.out;
    EXPECT_TRUE(has_line_containing(r.out,
                                    "stream 1: problem: frame 5, client to server, offset 15: "
                                    "a packet cut by the end of the capture: 65000 of its "
                                    "70008 bytes in the capture"))
        << r.out;
    EXPECT_NE(r.err.find("the file is truncated: the record after frame 5"), std::string::npos)
        << r.err;
    std::remove(f.c_str());
    std::remove(cut.c_str());
}

}  // namespace
}  // namespace mqtt::tools::test
