// The trace printer on its own: the line format, colours, hex and JSON modes, malformed bytes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/common/trace.hpp"

namespace mqtt::tools {
namespace {

using namespace std::chrono_literals;

const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

// PUBLISH QoS 1, packet id 7, topic "a/b", Message Expiry Interval 60, payload "hi".
const std::vector<std::uint8_t> publish_bytes{0x32, 0x0f,  // PUBLISH QoS 1, Remaining Length 15
                                              0x00, 0x03, 'a',  '/',  'b',  // Topic Name
                                              0x00, 0x07,                   // Packet Identifier
                                              0x05, 0x02, 0x00, 0x00, 0x00,
                                              0x3c,  // Properties: Message Expiry Interval 60
                                              'h',  'i'};

std::string trace(trace_options o, transport::direction d, const std::vector<std::uint8_t>& b,
                  std::chrono::milliseconds after = 1234ms, int stream = 0) {
    std::ostringstream out;
    trace_printer t(out, o, start);
    t.packet(d, start + after, b, stream);
    return out.str();
}

TEST(TracePrinter, OneLinePerPacketWithTimeDirectionAndSize) {
    EXPECT_EQ(trace({}, transport::direction::sent, publish_bytes),
              "+1.234s -> PUBLISH id=7 qos=1 topic=\"a/b\" payload=2B \"hi\" "
              "{message_expiry_interval=60} (17 B)\n");
    EXPECT_EQ(trace({}, transport::direction::received, {0x40, 0x02, 0x00, 0x07}, 1500ms),
              "+1.500s <- PUBACK id=7 reason=0x00 Success (4 B)\n");
    EXPECT_EQ(trace({}, transport::direction::sent, {0xc0, 0x00}, 2ms, 3),
              "+0.002s #3 -> PINGREQ (2 B)\n");
}

TEST(TracePrinter, MalformedBytesAreSaidSo) {
    // PUBLISH with QoS 3 (MQTT-3.3.1-4).
    const std::string line =
        trace({}, transport::direction::received, {0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01});
    EXPECT_NE(line.find("<- malformed: "), std::string::npos) << line;
    EXPECT_NE(line.find("0x81"), std::string::npos) << line;
}

TEST(TracePrinter, ColoursOnlyWhenAsked) {
    const std::string plain = trace({}, transport::direction::sent, {0xc0, 0x00});
    EXPECT_EQ(plain.find('\x1b'), std::string::npos);
    const std::string coloured =
        trace({trace_mode::line, true}, transport::direction::sent, {0xc0, 0x00});
    EXPECT_NE(coloured.find("\x1b[1mPINGREQ\x1b[0m"), std::string::npos) << coloured;
}

TEST(TracePrinter, HexModeAddsTheDissection) {
    const std::string text =
        trace({trace_mode::hex, false}, transport::direction::sent, publish_bytes);
    EXPECT_NE(text.find("Topic Name: \"a/b\""), std::string::npos) << text;
    EXPECT_NE(text.find("Message Expiry Interval (0x02): 60"), std::string::npos) << text;
}

TEST(TracePrinter, JsonModeIsThePacketsJsonWithTimeDirectionAndSize) {
    const std::string text =
        trace({trace_mode::json, false}, transport::direction::received, publish_bytes);
    const auto j = nlohmann::json::parse(text);
    EXPECT_DOUBLE_EQ(j["time"].get<double>(), 1.234);
    EXPECT_EQ(j["direction"], "received");
    EXPECT_EQ(j["size"], 17);
    EXPECT_EQ(j["type"], "PUBLISH");
    EXPECT_EQ(j["packet_id"], 7);
    EXPECT_EQ(j["properties"]["message_expiry_interval"], 60);
}

TEST(TracePrinter, NotesInTheTimeColumn) {
    std::ostringstream out;
    trace_printer t(out, {}, start);
    t.note(start + 10ms, "connected to 127.0.0.1:1883 from 127.0.0.1:40000");
    EXPECT_EQ(out.str(), "+0.010s -- connected to 127.0.0.1:1883 from 127.0.0.1:40000\n");
    std::ostringstream none;
    trace_printer off(none, {trace_mode::off, false}, start);
    off.note(start, "x");
    off.packet(transport::direction::sent, start, std::vector<std::uint8_t>{0xc0, 0x00});
    EXPECT_EQ(none.str(), "");
}

TEST(TracePrinter, NoColourWithNoColorSetOrWithoutATerminal) {
    ::setenv("NO_COLOR", "1", 1);
    EXPECT_FALSE(use_colour(2));
    ::unsetenv("NO_COLOR");
    const int fd = ::open("/dev/null", O_WRONLY);
    EXPECT_FALSE(use_colour(fd));  // not a terminal
    ::close(fd);
}

TEST(TracePrinter, ModeNames) {
    EXPECT_EQ(parse_trace_mode(""), trace_mode::line);
    EXPECT_EQ(parse_trace_mode("line"), trace_mode::line);
    EXPECT_EQ(parse_trace_mode("hex"), trace_mode::hex);
    EXPECT_EQ(parse_trace_mode("json"), trace_mode::json);
    EXPECT_FALSE(parse_trace_mode("yaml").has_value());
}

}  // namespace
}  // namespace mqtt::tools

namespace mqtt::tools {
namespace {

// After a 3.1.1 CONNECT (Protocol Level 4) the rest of the connection is decoded as 3.1.1: a
// two-byte CONNACK and a SUBACK whose return code is not a property length, named as 3.1.1 names
// it (3.1.1 spec 3.2, 3.9.3).
TEST(TracePrinter, DecodesInTheVersionOfTheConnect) {
    const std::vector<std::uint8_t> connect{0x10, 0x0c, 0x00, 0x04, 'M',  'Q',  'T',
                                            'T',  0x04, 0x02, 0x00, 0x3c, 0x00, 0x00};
    const std::vector<std::uint8_t> connack{0x20, 0x02, 0x00, 0x00};
    const std::vector<std::uint8_t> suback{0x90, 0x03, 0x00, 0x01, 0x01};
    std::ostringstream out;
    trace_printer t(out, {}, start);
    // Before any CONNECT: v5, where this SUBACK's return code reads as a Property Length of 1
    // with no property after it.
    t.packet(transport::direction::received, start, suback);
    EXPECT_NE(out.str().find("malformed"), std::string::npos) << out.str();
    out.str("");
    t.packet(transport::direction::sent, start, connect);
    t.packet(transport::direction::received, start, connack);
    t.packet(transport::direction::received, start, suback);
    EXPECT_EQ(out.str().find("malformed"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("<- CONNACK session_present=0"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("<- SUBACK id=1 [0x01 Success - Maximum QoS 1] (5 B)"),
              std::string::npos)
        << out.str();
}

}  // namespace
}  // namespace mqtt::tools
