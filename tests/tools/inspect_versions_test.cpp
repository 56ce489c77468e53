// mqtt-inspect on MQTT 3.1.1 (and 3.1) packets and streams: decode --protocol, the JSON of each
// version read back by encode, and captures whose streams say their version by their CONNECT, or
// by --protocol when captured without it. Captures are written here with pcap_writer around
// hand-written packets (a comment per field).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture_files.hpp"
#include "run_inspect.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools::test {
namespace {

using bytes = std::vector<std::uint8_t>;
using test_files::t0;
using test_files::temp_file;
using transport::direction;

// MQTT 3.1.1 packets (3.1.1 spec chapter 3).
const bytes connect_v311{0x10, 0x0d,                      // CONNECT, Remaining Length 13
                         0x00, 0x04, 'M', 'Q', 'T', 'T',  // Protocol Name "MQTT"
                         0x04,                            // Protocol Level 4: 3.1.1
                         0x02,                            // Connect Flags: Clean Session
                         0x00, 0x3c,                      // Keep Alive 60
                         0x00, 0x01, 'c'};                // Client Identifier "c"
const bytes connack_v311_refused{0x20, 0x02,              // CONNACK, Remaining Length 2
                                 0x00,                    // Connect Acknowledge Flags: none
                                 0x05};                   // Connect Return Code 5: Not authorized
const bytes connack_v311{0x20, 0x02, 0x00, 0x00};    // Session Present 0, return code 0 (Accepted)
const bytes publish_v311{0x32, 0x08,                 // PUBLISH QoS 1, Remaining Length 8
                         0x00, 0x03, 'a', '/', 'b',  // Topic Name "a/b"
                         0x00, 0x07,                 // Packet Identifier 7
                         'x'};                       // Payload "x" (no Properties in 3.1.1)
const bytes puback_v311{0x40, 0x02, 0x00, 0x07};     // PUBACK, Packet Identifier 7 and nothing else
const bytes subscribe_v311{0x82, 0x06,               // SUBSCRIBE (flags 0010), Remaining Length 6
                           0x00, 0x01,               // Packet Identifier 1
                           0x00, 0x01, 's',          // Topic Filter "s"
                           0x01};                    // Requested QoS 1
const bytes suback_v311{0x90, 0x04,                  // SUBACK, Remaining Length 4
                        0x00, 0x01,                  // Packet Identifier 1
                        0x01,                        // Return Code 0x01: Success - Maximum QoS 1
                        0x80};                       // ... and 0x80 Failure (MQTT-3.9.3-2)
const bytes disconnect_v311{0xe0, 0x00};             // DISCONNECT, no body (3.1.1 spec 3.14)

// One connection holding `packets`, client port `port`.
void write_stream(pcap_writer& w, std::uint16_t port,
                  const std::vector<std::pair<direction, bytes>>& packets) {
    transport::connection_event e;
    e.time = t0;
    e.local = {asio::ip::make_address("127.0.0.1"), port};
    e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
    w.opened(e);
    for (const auto& [dir, b] : packets)
        w.packet({dir, t0, b});
    w.closed(t0);
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    for (const std::string& line : lines_of(out))
        v.push_back(nlohmann::json::parse(line));
    return v;
}

TEST(InspectVersions, DecodeShowsV311PacketsAsWhatTheyAre) {
    const run_result r = run_inspect({"decode", "--protocol", "311", "20 02 00 05", "40 02 00 07",
                                      "90 04 00 01 01 80", "e0 00"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has_line_containing(r.out,
                                    "CONNACK session_present=0 return_code=0x05 Not "
                                    "authorized"))
        << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "Connect Return Code: 0x05 Not authorized")) << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "(4 bytes): PUBACK id=7\n") ||
                has_line_containing(r.out, "(4 bytes): PUBACK id=7"))
        << r.out;
    EXPECT_FALSE(has_line_containing(r.out, "reason")) << r.out;      // 3.1.1 has none
    EXPECT_FALSE(has_line_containing(r.out, "Properties")) << r.out;  // nor properties
    EXPECT_TRUE(has_line_containing(r.out, "Return Code: 0x80 Failure")) << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "(2 bytes): DISCONNECT")) << r.out;
    // mosquitto's spelling, and the same bytes as v5: a v5 PUBACK shows its reason code.
    EXPECT_EQ(run_inspect({"decode", "--protocol", "mqttv311", "40 02 00 07"}).exit_code, 0);
    EXPECT_TRUE(has_line_containing(run_inspect({"decode", "40 02 00 07"}).out,
                                    "PUBACK id=7 reason=0x00 Success"));
    // An unknown version is a usage error naming what is accepted.
    const run_result bad = run_inspect({"decode", "--protocol", "4", "c0 00"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("mqttv311"), std::string::npos) << bad.err;
}

TEST(InspectVersions, V311JsonSaysItsVersionAndEncodesBack) {
    const std::string hex = "20 02 00 05 40 02 00 07 90 04 00 01 01 80 b0 02 00 03 e0 00";
    const run_result r = run_inspect({"decode", "--json", "--protocol", "311", hex});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = json_lines(r.out);
    ASSERT_EQ(lines.size(), 5u) << r.out;
    EXPECT_EQ(lines[0], nlohmann::json::parse(R"({"type":"CONNACK","protocol_version":4,)"
                                              R"("session_present":false,"return_code":5})"));
    EXPECT_EQ(lines[1],
              nlohmann::json::parse(R"({"type":"PUBACK","protocol_version":4,"packet_id":7})"));
    EXPECT_EQ(lines[2], nlohmann::json::parse(R"({"type":"SUBACK","protocol_version":4,)"
                                              R"("packet_id":1,"return_codes":[1,128]})"));
    EXPECT_EQ(lines[4], nlohmann::json::parse(R"({"type":"DISCONNECT","protocol_version":4})"));
    // encode reads them back into the same bytes, in 3.1.1.
    const run_result back = run_inspect({"encode"}, r.out);
    ASSERT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(back.out, "20 02 00 05\n40 02 00 07\n90 04 00 01 01 80\nb0 02 00 03\ne0 00\n");
    // A v5 key in a 3.1.1 object is refused, naming it; 3.1 is read, not written.
    const run_result v5_key = run_inspect(
        {"encode"}, R"({"type":"PUBACK","protocol_version":4,"packet_id":7,"reason_code":16})");
    EXPECT_EQ(v5_key.exit_code, 2);
    EXPECT_NE(v5_key.err.find("reason_code: not in MQTT 3.1.1"), std::string::npos) << v5_key.err;
    const run_result v31 = run_inspect({"encode"}, R"({"type":"PINGREQ","protocol_version":3})");
    EXPECT_EQ(v31.exit_code, 2);
    EXPECT_NE(v31.err.find("MQTT 3.1 (3) is read, not encoded"), std::string::npos) << v31.err;
}

TEST(InspectVersions, PcapReadsEachStreamsVersionFromItsConnect) {
    const std::string f = temp_file("versions.pcap");
    {
        pcap_writer w(f);
        // A 3.1.1 client refused, then one that publishes at QoS 1 and subscribes.
        write_stream(
            w, 40001,
            {{direction::sent, connect_v311}, {direction::received, connack_v311_refused}});
        write_stream(w, 40002,
                     {{direction::sent, connect_v311},
                      {direction::received, connack_v311},
                      {direction::sent, publish_v311},
                      {direction::received, puback_v311},
                      {direction::sent, subscribe_v311},
                      {direction::received, suback_v311},
                      {direction::sent, disconnect_v311}});
        // A v5 client: CONNECT level 5, CONNACK with an empty property block, PUBACK.
        write_stream(w, 40003,
                     {{direction::sent,
                       {0x10, 0x0e, 0x00, 0x04, 'M', 'Q', 'T', 'T',  // "MQTT"
                        0x05, 0x02, 0x00, 0x3c,                      // level 5, Clean Start, 60 s
                        0x00,                                        // Property Length 0
                        0x00, 0x01, 'd'}},                           // Client Identifier "d"
                      {direction::received, {0x20, 0x03, 0x00, 0x00, 0x00}},
                      {direction::received, {0x40, 0x02, 0x00, 0x07}}});
    }
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(lines_in_order(
        r.out,
        {"stream 1: 127.0.0.1:40001 -> 127.0.0.1:1883 (2 packets) MQTT 3.1.1",
         "#1 -> CONNECT version=3.1.1 client_id=\"c\" clean_session=1 keep_alive=60 (15 B)",
         "#1 <- CONNACK session_present=0 return_code=0x05 Not authorized (4 B)",
         "stream 2: 127.0.0.1:40002 -> 127.0.0.1:1883 (7 packets) MQTT 3.1.1",
         "#2 -> PUBLISH id=7 qos=1 topic=\"a/b\" payload=1B \"x\" (10 B)",
         "#2 <- PUBACK id=7 (4 B)",
         "#2 <- SUBACK id=1 [0x01 Success - Maximum QoS 1, 0x80 Failure] (6 B)",
         "#2 -> DISCONNECT (2 B)", "stream 3: 127.0.0.1:40003 -> 127.0.0.1:1883 (3 packets) MQTT 5",
         "#3 <- PUBACK id=7 reason=0x00 Success (4 B)"}))
        << r.out;
    EXPECT_FALSE(has_line_containing(r.out, "note:")) << r.out;  // every stream had its CONNECT

    const run_result j = run_inspect({"pcap", "--json", f});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto lines = json_lines(j.out);
    ASSERT_EQ(lines.size(), 15u) << j.out;
    EXPECT_EQ(lines[0]["protocol_version"], 4);
    EXPECT_EQ(lines[2]["return_code"], 5);
    EXPECT_FALSE(lines[2].contains("reason_code"));
    EXPECT_EQ(lines[11]["protocol_version"], 5);           // stream 3's header
    EXPECT_FALSE(lines[12].contains("protocol_version"));  // a v5 packet: 5 goes without saying
    std::remove(f.c_str());
}

TEST(InspectVersions, ProtocolSetsTheVersionOfAStreamWithoutItsConnect) {
    const std::string f = temp_file("noconnect.pcap");
    {
        pcap_writer w(f);
        // The capture began after CONNECT/CONNACK: a 3.1.1 PUBLISH and its PUBACK.
        write_stream(w, 40004,
                     {{direction::sent, publish_v311}, {direction::received, puback_v311}});
    }
    for (const char* flag : {"311", "mqttv311"}) {
        const run_result r = run_inspect({"pcap", "--protocol", flag, f});
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        EXPECT_TRUE(lines_in_order(r.out, {"(2 packets) MQTT 3.1.1",
                                           "stream 1: note: no CONNECT in the capture: decoded as "
                                           "MQTT 3.1.1, as --protocol says",
                                           "-> PUBLISH id=7 qos=1 topic=\"a/b\" payload=1B \"x\"",
                                           "<- PUBACK id=7 (4 B)"}))
            << r.out;
    }
    // --protocol does not override a stream's CONNECT.
    const std::string g = temp_file("withconnect.pcap");
    {
        pcap_writer w(g);
        write_stream(
            w, 40005,
            {{direction::sent, connect_v311}, {direction::received, connack_v311_refused}});
    }
    const run_result r = run_inspect({"pcap", "--protocol", "5", g});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(has_line_containing(r.out, "return_code=0x05 Not authorized")) << r.out;
    std::remove(f.c_str());
    std::remove(g.c_str());
}

TEST(InspectVersions, WithoutConnectTheVersionUnderWhichTheStreamDecodesIsChosenAndSaid) {
    const std::string f = temp_file("chosen.pcap");
    {
        pcap_writer w(f);
        // 3.1.1: as v5 the PUBLISH's payload "x" would be a Property Length of 120.
        write_stream(w, 40010,
                     {{direction::sent, publish_v311}, {direction::received, puback_v311}});
        // v5: a PUBACK with Reason Code 0x10 No matching subscribers, which 3.1.1 has no room for.
        write_stream(w, 40011, {{direction::received, {0x40, 0x03, 0x00, 0x07, 0x10}}});
        // Only packets that read the same in both: MQTT 5, the default.
        write_stream(w, 40012,
                     {{direction::sent, {0xc0, 0x00}}, {direction::received, {0xd0, 0x00}}});
    }
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // a choice is not a problem
    EXPECT_TRUE(lines_in_order(
        r.out,
        {"stream 1: 127.0.0.1:40010 -> 127.0.0.1:1883 (2 packets) MQTT 3.1.1",
         "stream 1: note: no CONNECT in the capture: decoded as MQTT 3.1.1 (3.1 is the same "
         "without a CONNECT): malformed packets as MQTT 3.1.1: none, as MQTT 5: 1 (--protocol "
         "sets it)",
         "#1 -> PUBLISH id=7 qos=1 topic=\"a/b\" payload=1B \"x\" (10 B)",
         "#1 <- PUBACK id=7 (4 B)",
         "stream 2: 127.0.0.1:40011 -> 127.0.0.1:1883 (1 packets) MQTT 5",
         "stream 2: note: no CONNECT in the capture: decoded as MQTT 5: malformed packets as "
         "MQTT 5: none, as MQTT 3.1.1: 1 (--protocol sets it)",
         "#2 <- PUBACK id=7 reason=0x10 No matching subscribers (5 B)",
         "stream 3: 127.0.0.1:40012 -> 127.0.0.1:1883 (2 packets) MQTT 5",
         "stream 3: note: no CONNECT in the capture: decoded as MQTT 5: malformed packets as "
         "MQTT 5 and as MQTT 3.1.1 alike: none (--protocol sets it)"}))
        << r.out;
    const run_result j = run_inspect({"pcap", "--json", f});
    const auto lines = json_lines(j.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0]["protocol_version"], 4);
    EXPECT_EQ(lines[0]["version_from"], "chosen");
    EXPECT_NE(lines[0]["version_note"].get<std::string>().find("decoded as MQTT 3.1.1"),
              std::string::npos);
    // --protocol overrides the choice (here: stream 1 as v5 is malformed, exit 1).
    const run_result forced = run_inspect({"pcap", "--protocol", "5", f});
    EXPECT_EQ(forced.exit_code, 1) << forced.out;
    EXPECT_TRUE(has_line_containing(forced.out, "decoded as MQTT 5, as --protocol says"))
        << forced.out;
    std::remove(f.c_str());
}

TEST(InspectVersions, Mqtt31StreamsSayTheirVersion) {
    const std::string f = temp_file("v31.pcap");
    {
        pcap_writer w(f);
        write_stream(w, 40013,
                     {{direction::sent,
                       {0x10, 0x11,                                // CONNECT, Remaining Length 17
                        0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',  // Protocol Name "MQIsdp"
                        0x03,                                      // Protocol Version 3
                        0x02,                                      // Clean Session
                        0x00, 0x3c,                                // Keep Alive 60
                        0x00, 0x03, 'o', 'l', 'd'}},               // Client Identifier "old"
                      {direction::received, connack_v311},         // the same CONNACK as 3.1.1
                      {direction::sent, publish_v311},             // and PUBLISH
                      {direction::received, puback_v311}});
    }
    const run_result r = run_inspect({"pcap", f});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(lines_in_order(
        r.out, {"(4 packets) MQTT 3.1", "-> CONNECT version=3.1 client_id=\"old\" clean_session=1",
                "<- CONNACK session_present=0 return_code=0x00 Connection "
                "Accepted",
                "<- PUBACK id=7 (4 B)"}))
        << r.out;
    const run_result hex = run_inspect({"pcap", "--hex", f});
    EXPECT_TRUE(has_line_containing(hex.out, "Protocol Version: 3 (MQTT 3.1)")) << hex.out;
    const auto lines = json_lines(run_inspect({"pcap", "--json", f}).out);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(lines[0]["protocol_version"], 3);
    EXPECT_EQ(lines[1]["protocol_version"], 3);
    EXPECT_EQ(lines[1]["clean_session"], true);
    // decode --protocol takes 3.1 in each spelling.
    for (const char* v : {"31", "mqttv31", "3.1"}) {
        const run_result d = run_inspect({"decode", "--protocol", v, "20 02 00 04"});
        EXPECT_EQ(d.exit_code, 0) << v << d.err;
        EXPECT_TRUE(has_line_containing(d.out, "return_code=0x04 Bad user name or password"))
            << d.out;
    }
    std::remove(f.c_str());
}

TEST(InspectVersions, DiffComparesEachStreamInItsVersion) {
    const std::string a = temp_file("diff311a.pcap"), b = temp_file("diff311b.pcap"),
                      c = temp_file("diff311c.pcap");
    const std::vector<std::pair<direction, bytes>> flow{{direction::sent, connect_v311},
                                                        {direction::received, connack_v311},
                                                        {direction::sent, publish_v311},
                                                        {direction::received, puback_v311}};
    {
        pcap_writer w(a);
        write_stream(w, 40006, flow);
    }
    {
        pcap_writer w(b);
        write_stream(w, 40007, flow);
    }
    {
        pcap_writer w(c);  // the same, but the CONNACK says Not authorized
        std::vector<std::pair<direction, bytes>> refused = flow;
        refused[1].second = connack_v311_refused;
        write_stream(w, 40008, refused);
    }
    const run_result same = run_inspect({"diff", a, b});
    EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
    const run_result differs = run_inspect({"diff", a, c});
    EXPECT_EQ(differs.exit_code, 1) << differs.out << differs.err;
    EXPECT_TRUE(has_line_containing(differs.out, "return_code=0x05 Not authorized")) << differs.out;
    std::remove(a.c_str());
    std::remove(b.c_str());
    std::remove(c.c_str());
}

}  // namespace
}  // namespace mqtt::tools::test
