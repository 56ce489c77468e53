// Session tests: Authentication Data that no AUTH can carry (spec 1.5.6: Binary Data holds at
// most 65,535 bytes) or that the server would not take (MQTT-3.2.2-15). reauthenticate() refuses
// it with a detail; an answer to the server's challenge that cannot be sent ends the exchange
// with DISCONNECT 0x87. Never is an AUTH dropped while the session waits for its answer.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/session/authenticator.hpp"
#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

// Gives `start_size` and `step_size` bytes of data.
class sized_authenticator final : public authenticator {
  public:
    std::string method() const override { return "SIZED"; }
    std::optional<byte_vector> start(bool) override { return byte_vector(start_size, 'd'); }
    std::optional<byte_vector> step(const std::optional<byte_vector>&) override {
        return byte_vector(step_size, 'd');
    }
    bool finish(const std::optional<byte_vector>&) override { return true; }
    std::size_t start_size = 2;
    std::size_t step_size = 2;
};

auth sized_challenge() {
    auth a;
    a.reason = reason_code::continue_authentication;
    a.props.authentication_method = "SIZED";
    return a;
}

connack sized_connack(std::optional<std::uint32_t> maximum_packet_size = std::nullopt) {
    connack ack;
    ack.props.authentication_method = "SIZED";
    ack.props.maximum_packet_size = maximum_packet_size;
    return ack;
}

// The authentication failed: DISCONNECT 0x87 and no AUTH; the event says why.
void expect_authentication_failed(scripted_peer& peer, std::string_view why) {
    EXPECT_EQ(peer.expect<disconnect>().reason, reason_code::not_authorized);
    peer.expect_nothing_sent();
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::authentication_failed);
    EXPECT_NE(ev.detail.find(why), std::string::npos) << ev.detail;
    EXPECT_TRUE(peer.target().wants_close());
}

TEST(session_auth, answer_over_65535_bytes_ends_the_exchange) {
    {  // at the limit: sent
        sized_authenticator authn;
        authn.step_size = 65'535;
        session s(connect_options{}, nullptr, &authn);
        scripted_peer peer(s);
        peer.open();
        peer.expect<connect>();
        peer.reply(sized_challenge());
        const auth answer = peer.expect<auth>();
        ASSERT_TRUE(answer.props.authentication_data);
        EXPECT_EQ(answer.props.authentication_data->size(), 65'535u);
    }
    sized_authenticator authn;
    authn.step_size = 65'536;
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    peer.reply(sized_challenge());
    expect_authentication_failed(peer, "Authentication Data");
}

TEST(session_auth, reauthenticate_refusals_name_the_reason) {
    sized_authenticator authn;
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    auto refused = [&](const command_result& r, errc e, std::string_view why) {
        EXPECT_EQ(r.error, e) << r.detail;
        EXPECT_NE(r.detail.find(why), std::string::npos) << r.detail;
        peer.expect_nothing_sent();
        peer.expect_no_event();
    };
    refused(s.reauthenticate(peer.now), errc::not_connected, "connection");
    peer.open();
    peer.expect<connect>();
    refused(s.reauthenticate(peer.now), errc::not_connected, "CONNACK");  // spec 4.12.1
    peer.reply(sized_connack());
    peer.expect_event<connected>();

    authn.start_size = 65'536;  // no AUTH can carry it (spec 1.5.6)
    refused(s.reauthenticate(peer.now), errc::invalid_argument, "Authentication Data");
    EXPECT_EQ(s.current_state(), state::connected);

    authn.start_size = 2;  // the refusal left nothing behind: this one goes out
    const command_result r = s.reauthenticate(peer.now);
    ASSERT_TRUE(r) << r.detail;
    EXPECT_EQ(r.ticket, 0u);  // its event, reauthenticated, carries no ticket
    EXPECT_EQ(peer.expect<auth>().reason, reason_code::re_authenticate);
    refused(s.reauthenticate(peer.now), errc::invalid_argument, "in progress");

    ASSERT_TRUE(s.disconnect({}, peer.now));
    peer.expect<disconnect>();
    peer.expect_event<disconnected>();
    refused(s.reauthenticate(peer.now), errc::closed, "closing");
}

// MQTT-3.2.2-15: an AUTH over the server's Maximum Packet Size is never sent. AUTH 0x19 with
// method "SIZED" and 16 bytes of data is 1 + 1 + 1 + 1 + (1 + 2 + 5) + (1 + 2 + 16) = 31 bytes.
TEST(session_auth, reauthentication_within_server_maximum_packet_size_MQTT_3_2_2_15) {
    sized_authenticator authn;
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    peer.handshake(sized_connack(30));

    authn.start_size = 16;
    const command_result r = s.reauthenticate(peer.now);
    EXPECT_EQ(r.error, errc::packet_too_large);
    EXPECT_NE(r.detail.find("31 bytes"), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("MQTT-3.2.2-15"), std::string::npos) << r.detail;
    peer.expect_nothing_sent();

    // 15 bytes fit; then the server challenges and the answer would not: the exchange fails.
    authn.start_size = 15;
    ASSERT_TRUE(s.reauthenticate(peer.now));
    EXPECT_EQ(peer.expect<auth>().reason, reason_code::re_authenticate);
    authn.step_size = 16;
    peer.reply(sized_challenge());
    expect_authentication_failed(peer, "Maximum Packet Size");
}

}  // namespace
}  // namespace mqtt::session::test
