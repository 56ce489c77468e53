// A server that breaks MQTT 3.1.1 ends mqtt-sub's run at -V 311: against a scripted server that
// misbehaves after CONNACK and SUBACK, mqtt-sub closes the connection without sending a packet
// (3.1.1 has no reason codes, and a DISCONNECT would make the server drop the Will; 3.1.1
// MQTT-4.8.0-1) and exits 1 naming what the server did.
#include <chrono>
#include <string>
#include <vector>

#include "scripted_server.hpp"
#include "tool_process.hpp"

namespace mqtt::tools::test {
namespace {

using namespace std::chrono_literals;

struct v311_violation {
    const char* name;
    byte_vector bytes;  // what the server sends after SUBACK
    std::string said;   // "the server broke the protocol: <said>; closed the connection ..."
};

void PrintTo(const v311_violation& c, std::ostream* os) {
    *os << c.name;
}

class V311Violation : public ::testing::TestWithParam<v311_violation> {
  protected:
    scratch_dir dir;
    scripted_server server;
};

TEST_P(V311Violation, MqttSubClosesWithoutAPacketAndExits1) {
    const v311_violation& c = GetParam();
    process sub({MQTT_SUB, "-V", "311", "-h", "127.0.0.1", "-p", std::to_string(server.port()),
                 "-t", "t", "-q", "1"},
                dir.path());
    ASSERT_TRUE(server.accept()) << "mqtt-sub never connected";
    const std::optional<byte_vector> connect = server.next_packet();
    ASSERT_TRUE(connect.has_value());
    ASSERT_GE(connect->size(), 9u);
    EXPECT_EQ((*connect)[8], 0x04) << "Protocol Level 4 (3.1.1 MQTT-3.1.2-2)";
    server.send({0x20, 0x02, 0x00, 0x00});  // CONNACK: 0x00 Connection Accepted
    const std::optional<byte_vector> subscribe = server.next_packet();
    ASSERT_TRUE(subscribe && subscribe->size() >= 4 && (*subscribe)[0] == 0x82);
    server.send({0x90, 0x03, (*subscribe)[2], (*subscribe)[3], 0x01});  // SUBACK: QoS 1
    server.send(c.bytes);
    // Nothing more from mqtt-sub: the connection just closes.
    const std::optional<byte_vector> after = server.next_packet(2s);
    EXPECT_FALSE(after.has_value()) << "mqtt-sub sent a packet of " << after->size() << " B";
    EXPECT_FALSE(server.timed_out()) << "mqtt-sub kept the connection open";
    const exit_status r = sub.finish(3s);
    EXPECT_EQ(r.code, 1) << r.err;
    const std::string line = "mqtt-sub: the server broke the protocol: " + c.said +
                             "; closed the connection (MQTT 3.1.1 has no DISCONNECT for it)";
    EXPECT_NE(r.err.find(line), std::string::npos) << "expected \"" << line << "\" in:\n" << r.err;
    EXPECT_EQ(r.err.find("reconnecting"), std::string::npos) << r.err;
}

const v311_violation cases[] = {
    {"disconnect_from_server",
     {0xE0, 0x00},
     "DISCONNECT from the server: in MQTT 3.1.1 only a client sends it (3.1.1 spec 3.14)"},
    {"auth", {0xF0, 0x00}, "AUTH Packet Type: packet type 15 (AUTH) is reserved in MQTT 3.1.1"},
    {"second_connack", {0x20, 0x02, 0x00, 0x00}, "a second CONNACK (MQTT-3.2.0-2)"},
};

INSTANTIATE_TEST_SUITE_P(Cases, V311Violation, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace mqtt::tools::test
