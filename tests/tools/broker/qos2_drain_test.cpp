// Leaving with a QoS 2 message half done: the client's async_disconnect() lets the server's
// QoS 2 flows finish first (PUBREL in, PUBCOMP out), at most 2 s, so the message the tool printed
// is not sent again to the next session. The PUBREL's timing is the point here, which no real
// broker lets a test choose: a scripted server (scripted_server.hpp) plays the broker.
#include <chrono>
#include <string>
#include <vector>

#include "protocol/packets.hpp"
#include "scripted_server.hpp"
#include "tool_process.hpp"

namespace mqtt::tools::test {
namespace {

using namespace std::chrono_literals;

const byte_vector connack_ok{0x20, 0x03, 0x00, 0x00, 0x00};
const byte_vector qos2_publish{0x34, 0x07, 0x00, 0x01, 't', 0x00, 0x07, 0x00, 'x'};  // id 7
const byte_vector pubrel_7{0x62, 0x02, 0x00, 0x07};

class qos2_drain_test : public ::testing::Test {
  protected:
    scratch_dir dir;
    scripted_server server;

    // mqtt-sub -C 1 -q 2 up to its SUBACK, then the QoS 2 message; returns once PUBREC is in.
    void deliver_one_qos2_message() {
        ASSERT_TRUE(server.accept());
        ASSERT_TRUE(server.next().has_value());  // CONNECT
        server.send(connack_ok);
        const auto sub = server.next();
        const auto* s = sub ? std::get_if<mqtt::subscribe>(&*sub) : nullptr;
        ASSERT_NE(s, nullptr);
        server.send(
            {0x90, 0x04, std::uint8_t(s->packet_id >> 8), std::uint8_t(s->packet_id), 0x00, 0x02});
        server.send(qos2_publish);
        const auto rec = server.next();
        ASSERT_TRUE(rec && std::holds_alternative<mqtt::pubrec>(*rec));
    }

    std::vector<std::string> sub_argv() const {
        return {MQTT_SUB, "-h", "127.0.0.1", "-p", std::to_string(server.port()), "-t", "t",
                "-q",     "2",  "-C",        "1"};
    }
};

// The PUBREL comes 100 ms later: PUBCOMP, then DISCONNECT; nothing said about waiting, so the
// output is what mosquitto_sub prints.
TEST_F(qos2_drain_test, disconnect_waits_for_a_pubrel_that_comes_and_says_nothing) {
    process sub(sub_argv(), dir.path());
    deliver_one_qos2_message();
    if (HasFatalFailure()) return;
    // The message is printed; the tool wants to leave, and must not yet.
    EXPECT_FALSE(server.next(100ms).has_value()) << "sent something before the PUBREL";
    EXPECT_TRUE(server.timed_out());
    server.send(pubrel_7);
    const auto comp = server.next();
    ASSERT_TRUE(comp && std::holds_alternative<mqtt::pubcomp>(*comp));
    const auto bye = server.next();
    ASSERT_TRUE(bye && std::holds_alternative<mqtt::disconnect>(*bye));
    EXPECT_TRUE(server.closed_by_client(2s));
    const exit_status r = sub.finish(3s);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "x\n");
    EXPECT_EQ(r.err, "") << "mosquitto_sub says nothing here either";
}

// No PUBREL at all: after 300 ms the tool says what it waits for, and after 2 s it leaves.
TEST_F(qos2_drain_test, disconnect_gives_up_on_a_missing_pubrel_after_two_seconds) {
    process sub(sub_argv(), dir.path());
    deliver_one_qos2_message();
    if (HasFatalFailure()) return;
    const auto start = std::chrono::steady_clock::now();
    const auto bye = server.next(4s);
    const auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(bye && std::holds_alternative<mqtt::disconnect>(*bye));
    EXPECT_GE(waited, 1900ms);
    EXPECT_LE(waited, 3s);
    const exit_status r = sub.finish(3s);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("mqtt-sub: waiting up to 2 s for the PUBREL of 1 QoS 2 message"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace mqtt::tools::test
