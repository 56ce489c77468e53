// A server that breaks the protocol ends the tools' run: against a scripted server that
// misbehaves after CONNACK and SUBACK, mqtt-sub (and mqtt-pub, mqtt-rr) send DISCONNECT with the
// reason code the violation calls for, close the connection, and exit 1 within 2 s with one line
// naming what the server did wrong, the normative statement, and the reason code sent. A server
// that merely goes silent is a lost connection: mqtt-sub reconnects, as it always did.
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "protocol/packets.hpp"
#include "protocol/render.hpp"
#include "scripted_server.hpp"
#include "tool_process.hpp"

namespace mqtt::tools::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const byte_vector connack_ok{0x20, 0x03, 0x00, 0x00, 0x00};  // Session Present 0, Success

// SUBACK for `id`, granting QoS 1.
byte_vector suback_for(std::uint16_t id) {
    return {0x90, 0x04, std::uint8_t(id >> 8), std::uint8_t(id), 0x00, 0x01};
}

std::uint16_t subscribe_id(const std::optional<packet>& p) {
    const auto* s = p ? std::get_if<mqtt::subscribe>(&*p) : nullptr;
    return s ? s->packet_id : 0;
}

struct violation_case {
    const char* name;
    byte_vector bytes;                 // what the server sends after SUBACK
    std::uint8_t reason;               // the reason code of our DISCONNECT
    std::string said;                  // "the server broke the protocol: <said>; sent ..."
    std::vector<std::string> flags{};  // mqtt-sub's flags beyond -t t -q 1
};

void PrintTo(const violation_case& c, std::ostream* os) {
    *os << c.name;
}

std::string sent_text(std::uint8_t reason) {
    return fmt::format("0x{:02X} {}", reason,
                       reason_code_name(reason_code(reason), packet_type::disconnect));
}

class violation_test : public ::testing::TestWithParam<violation_case> {
  protected:
    scratch_dir dir;
    scripted_server server;

    std::vector<std::string> tool(const char* program, std::vector<std::string> args) const {
        std::vector<std::string> argv{program, "-h", "127.0.0.1", "-p",
                                      std::to_string(server.port())};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    // The server's side up to a subscribed mqtt-sub: CONNECT, CONNACK, SUBSCRIBE, SUBACK.
    void serve_until_subscribed() {
        ASSERT_TRUE(server.accept()) << "the tool never connected";
        const auto connect = server.next();
        ASSERT_TRUE(connect && std::holds_alternative<mqtt::connect>(*connect));
        server.send(connack_ok);
        const std::uint16_t id = subscribe_id(server.next());
        ASSERT_NE(id, 0) << "no SUBSCRIBE after CONNACK";
        server.send(suback_for(id));
    }

    // After the violation: our DISCONNECT with `reason`, then the close, then exit 1 within 2 s
    // with the line that says it all.
    void expect_disconnect_and_exit(process& p, const char* tool_name, steady::time_point sent,
                                    std::uint8_t reason, const std::string& said) {
        // Acknowledgements of what came before the violation may come first.
        auto d = server.next(2s);
        while (d && (std::holds_alternative<mqtt::puback>(*d) ||
                     std::holds_alternative<mqtt::pubrec>(*d)))
            d = server.next(2s);
        ASSERT_TRUE(d.has_value()) << "no DISCONNECT; stderr:\n" << p.err();
        const auto* disconnect = std::get_if<mqtt::disconnect>(&*d);
        ASSERT_NE(disconnect, nullptr) << "expected DISCONNECT, got " << to_string(*d);
        EXPECT_EQ(to_byte(disconnect->reason), reason) << to_string(*d);
        EXPECT_TRUE(server.closed_by_client(2s)) << "the tool kept the connection open";
        const exit_status r = p.finish(3s);
        const auto took =
            std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - sent);
        EXPECT_EQ(r.code, 1) << r.err;
        EXPECT_LT(took.count(), 2000) << "the tool took " << took.count() << " ms to leave";
        const std::string line =
            fmt::format("{}: the server broke the protocol: {}; sent DISCONNECT {}", tool_name,
                        said, sent_text(reason));
        EXPECT_NE(r.err.find(line), std::string::npos) << "expected \"" << line << "\" in:\n"
                                                       << r.err;
        EXPECT_EQ(r.err.find("reconnecting"), std::string::npos) << r.err;
    }
};

TEST_P(violation_test, mqtt_sub_disconnects_names_the_violation_and_exits_1) {
    const violation_case& c = GetParam();
    std::vector<std::string> args{"-t", "t", "-q", "1"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    process sub(tool(MQTT_SUB, args), dir.path());
    serve_until_subscribed();
    if (HasFatalFailure()) return;
    server.send(c.bytes);
    expect_disconnect_and_exit(sub, "mqtt-sub", steady::now(), c.reason, c.said);
}

// A PUBLISH of `total` bytes on topic "t" at QoS 0 (over a small Maximum Packet Size).
byte_vector publish_of_size(std::size_t total) {
    byte_vector p{0x30, std::uint8_t(total - 2), 0x00, 0x01, 't', 0x00};
    p.resize(total, 'x');
    return p;
}

const violation_case cases[] = {
    {"qos_3",
     {0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01},
     0x81,
     "PUBLISH QoS: QoS 3 is not allowed (MQTT-3.3.1-4)"},
    {"dup_on_qos_0",
     {0x38, 0x04, 0x00, 0x01, 't', 0x00},
     0x81,
     "PUBLISH DUP: DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2)"},
    {"invalid_utf8_topic",
     {0x30, 0x05, 0x00, 0x02, 0xC3, 0x28, 0x00},
     0x81,
     "PUBLISH Topic Name: invalid UTF-8 (MQTT-1.5.4-1)"},
    {"wildcard_in_topic",
     {0x30, 0x04, 0x00, 0x01, '#', 0x00},
     0x90,
     "PUBLISH Topic Name: wildcard character in a Topic Name (MQTT-3.3.2-2)"},
    {"duplicate_property",
     {0x30, 0x0E, 0x00, 0x01, 't', 0x0A, 0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 1},
     0x82,
     "PUBLISH Message Expiry Interval: property included more than once"},
    {"unknown_property",
     {0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x7F, 0x00},
     0x81,
     "PUBLISH Property Identifier: unknown property identifier"},
    {"property_not_allowed",
     {0x30, 0x09, 0x00, 0x01, 't', 0x05, 0x11, 0, 0, 0, 1},
     0x81,
     "PUBLISH Session Expiry Interval: property not allowed in this packet"},
    {"payload_format_indicator_2",
     {0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x01, 0x02},
     0x82,
     "PUBLISH Payload Format Indicator: value must be 0 or 1"},
    {"topic_alias_0",
     {0x30, 0x07, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x00},
     0x94,
     "PUBLISH Topic Alias: value must not be 0 (MQTT-3.3.2-8)"},
    {"topic_alias_above_maximum",
     {0x30, 0x07, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x05},
     0x94,
     "Topic Alias 5 is above our Topic Alias Maximum 0 (MQTT-3.3.2-11)"},
    {"packet_identifier_0",
     {0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x00, 0x00},
     0x82,
     "PUBLISH Packet Identifier: Packet Identifier of 0 (MQTT-2.2.1-3)"},
    {"reserved_packet_type", {0x00, 0x00}, 0x81, "Packet Type: reserved packet type 0"},
    {"remaining_length_too_long",
     {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01},
     0x81,
     "PUBLISH Remaining Length: Variable Byte Integer longer than 4 bytes"},
    {"puback_flags",
     {0x41, 0x02, 0x00, 0x01},
     0x81,
     "PUBACK Reserved: fixed header flags must be 0000 (MQTT-2.1.3-1)"},
    {"second_connack", connack_ok, 0x82, "a second CONNACK (MQTT-3.2.0-2)"},
    {"server_pingreq", {0xC0, 0x00}, 0x82, "a server must not send PINGREQ"},
    {"server_subscribe",
     {0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 't', 0x00},
     0x82,
     "a server must not send SUBSCRIBE"},
    {"auth_without_method",
     {0xF0, 0x00},
     0x82,
     "AUTH although CONNECT had no Authentication Method (MQTT-4.12.0-6)"},
    {"suback_for_unknown_id",
     {0x90, 0x04, 0x12, 0x34, 0x00, 0x01},
     0x82,
     "SUBACK for Packet Identifier 4660, which no SUBSCRIBE used (MQTT-2.2.1-6)"},
    {"over_our_maximum_packet_size",
     publish_of_size(100),
     0x95,
     "PUBLISH Remaining Length: packet larger than the Maximum Packet Size",
     {"-D", "connect", "maximum-packet-size", "64"}},
    {"over_our_receive_maximum",
     {0x34, 0x07, 0x00, 0x01, 't', 0x00, 0x01, 0x00, 'x',   // QoS 2, id 1
      0x34, 0x07, 0x00, 0x01, 't', 0x00, 0x02, 0x00, 'x'},  // QoS 2, id 2 before PUBREL of 1
     0x93,
     "more than our Receive Maximum of 1 QoS 2 messages unacknowledged (MQTT-3.3.4-9)",
     {"-D", "connect", "receive-maximum", "1"}},
};

INSTANTIATE_TEST_SUITE_P(Server, violation_test, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

// The same for the other tools: mqtt-pub waiting for its PUBACK, mqtt-rr for its response.
class tool_violation_test : public violation_test {};

TEST_F(tool_violation_test, mqtt_pub_waiting_for_puback_exits_1) {
    process pub(tool(MQTT_PUB, {"-t", "t", "-m", "x", "-q", "1"}), dir.path());
    ASSERT_TRUE(server.accept());
    ASSERT_TRUE(server.next().has_value());  // CONNECT
    server.send(connack_ok);
    const auto publish = server.next();
    ASSERT_TRUE(publish && std::holds_alternative<mqtt::publish>(*publish));
    server.send({0x40, 0x03, 0x00, 0x01, 0x05});  // PUBACK with reason code 0x05: undefined
    expect_disconnect_and_exit(pub, "mqtt-pub", steady::now(), 0x82,
                               "PUBACK Reason Code: reason code not defined for this packet");
}

TEST_F(tool_violation_test, mqtt_rr_waiting_for_its_response_exits_1) {
    process rr(tool(MQTT_RR, {"-t", "req", "-e", "resp", "-m", "x"}), dir.path());
    serve_until_subscribed();  // the response topic's subscription
    if (HasFatalFailure()) return;
    const auto request = server.next();
    ASSERT_TRUE(request && std::holds_alternative<mqtt::publish>(*request));
    server.send({0x36, 0x06, 0x00, 0x04, 'r', 'e', 's', 'p'});  // QoS 3
    expect_disconnect_and_exit(rr, "mqtt-rr", steady::now(), 0x81,
                               "PUBLISH QoS: QoS 3 is not allowed (MQTT-3.3.1-4)");
}

// --reconnect-on-violation: the old loop. The violation is said, the next connection works, and
// the run ends as it would have (exit 0 once -C is reached), not failed by the earlier violation.
TEST_F(tool_violation_test, reconnect_on_violation_keeps_mqtt_sub_connecting_again) {
    process sub(tool(MQTT_SUB, {"-t", "t", "-C", "1", "--reconnect-on-violation"}), dir.path());
    serve_until_subscribed();
    if (HasFatalFailure()) return;
    server.send({0xC0, 0x00});  // PINGREQ from a server
    const auto d = server.next(2s);
    ASSERT_TRUE(d && std::holds_alternative<mqtt::disconnect>(*d));
    EXPECT_TRUE(sub.wait_for_text("reconnecting", 2s)) << sub.err();
    EXPECT_NE(sub.err().find("the server broke the protocol: a server must not send PINGREQ"),
              std::string::npos)
        << sub.err();
    serve_until_subscribed();  // again: the server kept no session, so SUBSCRIBE again
    if (HasFatalFailure()) return;
    server.send({0x30, 0x05, 0x00, 0x01, 't', 0x00, 'x'});  // a QoS 0 message
    const exit_status r = sub.finish(3s);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "x\n");
}

// mqtt-pub -l with lines still coming when the server breaks the protocol: the publishes
// waiting then fail, later lines are not taken, and the tool leaves (it used to be possible for
// a line accepted just as the client stopped to wait forever).
TEST_F(tool_violation_test, mqtt_pub_reading_lines_leaves_when_the_server_breaks_the_protocol) {
    std::string lines;
    for (int i = 0; i < 2000; ++i)
        lines += "line " + std::to_string(i) + "\n";
    process pub(tool(MQTT_PUB, {"-t", "t", "-l", "-q", "1"}), dir.path(), lines);
    ASSERT_TRUE(server.accept());
    ASSERT_TRUE(server.next().has_value());  // CONNECT
    server.send(connack_ok);
    const auto first = server.next();
    ASSERT_TRUE(first && std::holds_alternative<mqtt::publish>(*first));
    server.send({0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01});  // QoS 3, no PUBACK ever
    const auto sent = steady::now();
    EXPECT_TRUE(server.closed_by_client(2s));
    const exit_status r = pub.finish(3s);
    EXPECT_LT(steady::now() - sent, 2s);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("mqtt-pub: the server broke the protocol: PUBLISH QoS: QoS 3 is not "
                         "allowed (MQTT-3.3.1-4); sent DISCONNECT 0x81 Malformed Packet"),
              std::string::npos)
        << r.err;
}

// Silence is not a violation: the keep-alive runs out, the connection is lost, and mqtt-sub
// connects again, as after any lost connection.
TEST_F(tool_violation_test, silent_server_is_a_lost_connection_and_mqtt_sub_reconnects) {
    process sub(tool(MQTT_SUB, {"-t", "t", "-k", "1"}), dir.path());
    serve_until_subscribed();
    if (HasFatalFailure()) return;
    const auto ping = server.next(3s);  // PINGREQ after 1 s of our silence; no PINGRESP
    ASSERT_TRUE(ping && std::holds_alternative<mqtt::pingreq>(*ping));
    EXPECT_TRUE(server.closed_by_client(3s)) << "the lost connection was not closed";
    ASSERT_TRUE(server.accept(3s)) << "no reconnect; stderr:\n" << sub.err();
    const auto again = server.next();
    ASSERT_TRUE(again && std::holds_alternative<mqtt::connect>(*again));
    EXPECT_TRUE(sub.wait_for_text("keep-alive timeout", 2s)) << sub.err();
    EXPECT_NE(sub.err().find("reconnecting"), std::string::npos) << sub.err();
    EXPECT_EQ(sub.err().find("broke the protocol"), std::string::npos) << sub.err();
    sub.signal(SIGKILL);
}

}  // namespace
}  // namespace mqtt::tools::test
