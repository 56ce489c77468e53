// Session tests: enhanced authentication and re-authentication (spec 4.12, 3.15 AUTH).
//
// The authenticator below is a toy challenge-response with a shared secret, small enough to read
// in one go, that still shows every step of the exchange on the wire:
//
//   CONNECT  Authentication Method "FNV1A-CHALLENGE", Authentication Data = client nonce
//   AUTH in  0x18 Continue authentication, data = server nonce
//   AUTH out 0x18, data = H(secret | "client" | server nonce | client nonce)   (the client proof)
//   CONNACK  0x00, data = H(secret | "server" | client nonce | server nonce)   (the server proof)
//
// H is 64-bit FNV-1a, written big-endian: not a cryptographic hash, only a stand-in for the
// keyed digest a real method (SCRAM, ...) computes. The server proof shows the server knows the
// secret too; authenticator::finish() checks it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "client/session/authenticator.hpp"
#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view method_name = "FNV1A-CHALLENGE";

// 64-bit FNV-1a over the concatenation of `parts`, as 8 bytes, most significant first.
byte_vector keyed_digest(std::initializer_list<bytes_view> parts) {
    std::uint64_t h = 0xcbf29ce484222325u;  // offset basis
    for (bytes_view part : parts) {
        for (std::uint8_t b : part) {
            h ^= b;
            h *= 0x100000001b3u;  // FNV prime
        }
    }
    byte_vector out(8);
    for (int i = 7; i >= 0; --i, h >>= 8)
        out[std::size_t(i)] = std::uint8_t(h & 0xFF);
    return out;
}

byte_vector client_proof(std::string_view secret, bytes_view client_nonce,
                         bytes_view server_nonce) {
    return keyed_digest({as_bytes(secret), as_bytes("client"), server_nonce, client_nonce});
}
byte_vector server_proof(std::string_view secret, bytes_view client_nonce,
                         bytes_view server_nonce) {
    return keyed_digest({as_bytes(secret), as_bytes("server"), client_nonce, server_nonce});
}

// The client side of the exchange, counting its calls so tests can see when the session made
// them.
class challenge_authenticator final : public authenticator {
  public:
    explicit challenge_authenticator(std::string secret) : secret_(std::move(secret)) {}

    std::string method() const override { return std::string(method_name); }

    std::optional<byte_vector> start(bool reauthentication) override {
        ++starts;
        last_start_was_reauthentication = reauthentication;
        client_nonce_ = bytes_of("cnonce-" + std::to_string(starts));
        server_nonce_.clear();
        return client_nonce_;
    }

    std::optional<byte_vector> step(const std::optional<byte_vector>& server_data) override {
        ++steps;
        if (give_up || !server_data || server_data->empty()) return std::nullopt;
        server_nonce_ = *server_data;
        return client_proof(secret_, client_nonce_, server_nonce_);
    }

    bool finish(const std::optional<byte_vector>& server_data) override {
        ++finishes;
        last_finish_ok = server_data && !server_nonce_.empty() &&
                         *server_data == server_proof(secret_, client_nonce_, server_nonce_);
        return last_finish_ok;
    }

    bool give_up = false;  // step() refuses whatever the server sends
    int starts = 0;
    int steps = 0;
    int finishes = 0;
    bool last_start_was_reauthentication = false;
    bool last_finish_ok = false;

  private:
    std::string secret_;
    byte_vector client_nonce_;
    byte_vector server_nonce_;
};

// The scripted server's half: it knows the secret, picks nonces, checks the client's proof.
struct challenge_server {
    std::string secret;
    byte_vector client_nonce;
    byte_vector server_nonce;

    // AUTH 0x18 with our nonce, answering a CONNECT (or AUTH 0x19) that carried `client_data`.
    auth challenge(bytes_view client_data, std::string_view nonce) {
        client_nonce = to_vector(client_data);
        server_nonce = bytes_of(nonce);
        auth a;
        a.reason = reason_code::continue_authentication;
        a.props.authentication_method = method_name;
        a.props.authentication_data = bytes_view(server_nonce);
        return a;
    }
    byte_vector expected_client_proof() const {
        return client_proof(secret, client_nonce, server_nonce);
    }
    byte_vector proof() const { return server_proof(secret, client_nonce, server_nonce); }
};

// The session's AUTH must carry the method of CONNECT (MQTT-4.12.0-5) and the right data.
void expect_auth(const auth& a, reason_code rc, const std::optional<byte_vector>& data) {
    EXPECT_EQ(a.reason, rc);
    EXPECT_EQ(a.props.authentication_method, method_name);  // MQTT-4.12.0-5, MQTT-4.12.1-1
    if (data) {
        ASSERT_TRUE(a.props.authentication_data);
        EXPECT_EQ(to_vector(*a.props.authentication_data), *data);
    } else {
        EXPECT_FALSE(a.props.authentication_data);
    }
}

// The whole opening of a connection with enhanced authentication; returns `connected`.
connected authenticated_handshake(scripted_peer& peer, challenge_server& server,
                                  std::string_view nonce = "snonce-1") {
    peer.open();
    const connect c = peer.expect<connect>();
    EXPECT_EQ(c.props.authentication_method, method_name);
    if (!c.props.authentication_data) {
        ADD_FAILURE() << "CONNECT carries no Authentication Data";
        return {};
    }
    peer.reply(server.challenge(*c.props.authentication_data, nonce));
    const auth answer = peer.expect<auth>();
    expect_auth(answer, reason_code::continue_authentication, server.expected_client_proof());
    const byte_vector proof = server.proof();
    connack ack;
    ack.props.authentication_method = method_name;
    ack.props.authentication_data = bytes_view(proof);
    peer.reply(ack);
    return peer.expect_event<connected>();
}

// ---------------------------------------------------------------------------------------------
// Enhanced authentication before CONNACK (spec 4.12)

TEST(session_auth, challenge_response_exchange_on_the_wire_MQTT_4_12_0_3_MQTT_4_12_0_5) {
    challenge_authenticator authn("s3cret");
    challenge_server server{"s3cret", {}, {}};
    connect_options o;
    o.client_id = "dev-9";
    session s(o, nullptr, &authn);
    scripted_peer peer(s);
    const time_point t0 = peer.now;

    // CONNECT carries the method and the authenticator's first data: our nonce.
    peer.open();
    const connect c = peer.expect<connect>();
    EXPECT_EQ(c.client_id, "dev-9");
    EXPECT_EQ(c.props.authentication_method, method_name);
    ASSERT_TRUE(c.props.authentication_data);
    EXPECT_EQ(to_vector(*c.props.authentication_data), bytes_of("cnonce-1"));
    EXPECT_EQ(authn.starts, 1);
    EXPECT_FALSE(authn.last_start_was_reauthentication);
    peer.expect_nothing_sent();

    // 10 s later the server challenges: AUTH 0x18 with its nonce.
    peer.advance(10s);
    peer.reply(server.challenge(*c.props.authentication_data, "snonce-7f3a"));
    EXPECT_EQ(authn.steps, 1);

    // We answer AUTH 0x18 (MQTT-4.12.0-3) with the same method (MQTT-4.12.0-5) and our proof.
    const auth answer = peer.expect<auth>();
    expect_auth(answer, reason_code::continue_authentication, server.expected_client_proof());
    peer.expect_nothing_sent();
    EXPECT_EQ(s.current_state(), state::connecting);
    // Each AUTH step restarts the wait for the server (connect_options::connack_timeout).
    ASSERT_TRUE(s.next_deadline());
    EXPECT_EQ(*s.next_deadline(), t0 + 10s + 30s);

    // The server accepts: CONNACK 0x00 with the method and its own proof.
    const byte_vector proof = server.proof();
    connack ack;
    ack.props.authentication_method = method_name;
    ack.props.authentication_data = bytes_view(proof);
    peer.reply(ack);
    EXPECT_EQ(authn.finishes, 1);
    EXPECT_TRUE(authn.last_finish_ok);
    const connected ev = peer.expect_event<connected>();
    EXPECT_FALSE(ev.session_present);
    EXPECT_EQ(s.current_state(), state::connected);
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

TEST(session_auth, connect_without_initial_data) {
    // A method whose first message comes from the server: CONNECT carries the method only.
    class server_first final : public authenticator {
      public:
        std::string method() const override { return "SERVER-FIRST"; }
        std::optional<byte_vector> start(bool) override { return std::nullopt; }
        std::optional<byte_vector> step(const std::optional<byte_vector>&) override {
            return bytes_of("answer");
        }
        bool finish(const std::optional<byte_vector>&) override { return true; }
    } authn;
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();
    EXPECT_EQ(c.props.authentication_method, "SERVER-FIRST");
    EXPECT_FALSE(c.props.authentication_data);

    auth challenge;
    challenge.reason = reason_code::continue_authentication;
    challenge.props.authentication_method = "SERVER-FIRST";
    challenge.props.authentication_data = as_bytes("question");
    peer.reply(challenge);
    const auth answer = peer.expect<auth>();
    EXPECT_EQ(answer.reason, reason_code::continue_authentication);
    EXPECT_EQ(answer.props.authentication_method, "SERVER-FIRST");
    ASSERT_TRUE(answer.props.authentication_data);
    EXPECT_EQ(as_chars(*answer.props.authentication_data), "answer");

    connack ack;
    ack.props.authentication_method = "SERVER-FIRST";
    peer.reply(ack);
    peer.expect_event<connected>();
}

TEST(session_auth, only_auth_before_connack_then_the_queued_publish_MQTT_3_1_2_30) {
    challenge_authenticator authn("s3cret");
    challenge_server server{"s3cret", {}, {}};
    connect_options o;
    o.keep_alive = 10;
    o.connack_timeout = 60s;
    session s(o, nullptr, &authn);
    scripted_peer peer(s);
    const time_point t0 = peer.now;
    peer.open();
    const connect c = peer.expect<connect>();
    ASSERT_TRUE(c.props.authentication_data);

    // The application publishes while authentication is under way: accepted, held back.
    const command_result ticket =
        s.publish(make_message("early/bird", "worm", qos::at_least_once), peer.now);
    ASSERT_TRUE(ticket) << ticket.error.message();
    peer.expect_nothing_sent();

    // The challenge: our answer is an AUTH and nothing else.
    peer.advance(5s);
    peer.reply(server.challenge(*c.props.authentication_data, "snonce-x"));
    expect_auth(peer.expect<auth>(), reason_code::continue_authentication,
                server.expected_client_proof());
    peer.expect_nothing_sent();

    // The keep-alive interval passes without CONNACK: still no PINGREQ, it is not an AUTH.
    peer.advance(11s);
    EXPECT_EQ(peer.now, t0 + 16s);
    peer.expect_nothing_sent();

    // CONNACK: now the queued QoS 1 PUBLISH goes out.
    const byte_vector proof = server.proof();
    connack ack;
    ack.props.authentication_method = method_name;
    ack.props.authentication_data = bytes_view(proof);
    peer.reply(ack);
    peer.expect_event<connected>();
    const publish p = peer.expect<publish>();
    EXPECT_EQ(p.topic, "early/bird");
    EXPECT_EQ(p.qos, qos::at_least_once);
    EXPECT_FALSE(p.dup);
    EXPECT_NE(p.packet_id, 0);
    peer.expect_nothing_sent();

    puback done;
    done.packet_id = p.packet_id;
    peer.reply(done);
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, ticket.ticket);
}

TEST(session_auth, wrong_server_proof_disconnects) {
    challenge_authenticator authn("s3cret");
    challenge_server impostor{"guessed", {}, {}};  // does not know the secret
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();
    ASSERT_TRUE(c.props.authentication_data);
    peer.reply(impostor.challenge(*c.props.authentication_data, "snonce-1"));
    peer.expect<auth>();

    // CONNACK 0x00, but its proof is wrong: authenticator::finish() says no.
    const byte_vector proof = impostor.proof();
    connack ack;
    ack.props.authentication_method = method_name;
    ack.props.authentication_data = bytes_view(proof);
    peer.reply(ack);
    EXPECT_EQ(authn.finishes, 1);
    EXPECT_FALSE(authn.last_finish_ok);

    const disconnect d = peer.expect<disconnect>();
    EXPECT_TRUE(is_failure(d.reason)) << int(to_byte(d.reason));
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    std::optional<disconnected> ev;
    while (auto e = peer.next_event())
        if (auto* p = std::get_if<disconnected>(&*e)) ev = *p;
    ASSERT_TRUE(ev) << "no disconnected event";
    EXPECT_EQ(ev->reason, d.reason);
}

TEST(session_auth, authenticator_giving_up_disconnects) {
    challenge_authenticator authn("s3cret");
    authn.give_up = true;
    challenge_server server{"s3cret", {}, {}};
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    peer.open();
    const connect c = peer.expect<connect>();
    ASSERT_TRUE(c.props.authentication_data);

    // The server's challenge is one the authenticator will not answer.
    peer.reply(server.challenge(*c.props.authentication_data, "snonce-1"));
    EXPECT_EQ(authn.steps, 1);
    const disconnect d = peer.expect<disconnect>();  // no AUTH
    EXPECT_TRUE(is_failure(d.reason)) << int(to_byte(d.reason));
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    EXPECT_EQ(s.current_state(), state::closing);
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.reason, d.reason);

    // Whatever the server does now, nothing more is sent (MQTT-3.14.4-1).
    peer.reply(connack{});
    peer.advance(std::chrono::hours(1));
    peer.expect_nothing_sent();
}

// ---------------------------------------------------------------------------------------------
// Re-authentication on a live connection (spec 4.12.1)

TEST(session_auth, reauthentication_with_the_same_method_MQTT_4_12_1_1) {
    challenge_authenticator authn("s3cret");
    challenge_server server{"s3cret", {}, {}};
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    authenticated_handshake(peer, server);
    EXPECT_EQ(authn.starts, 1);

    // An hour later the application re-authenticates: AUTH 0x19 with the same method and a new
    // nonce from authenticator::start(true).
    peer.advance(std::chrono::hours(1));
    peer.expect<pingreq>();  // the keep-alive went on meanwhile
    peer.reply(pingresp{});
    EXPECT_TRUE(s.reauthenticate(peer.now));
    const auth start = peer.expect<auth>();
    expect_auth(start, reason_code::re_authenticate, bytes_of("cnonce-2"));
    EXPECT_EQ(authn.starts, 2);
    EXPECT_TRUE(authn.last_start_was_reauthentication);
    EXPECT_EQ(s.current_state(), state::connected);

    // Other packets keep flowing during re-authentication (spec 4.12.1).
    ASSERT_TRUE(s.publish(make_message("during", "reauth", qos::at_most_once), peer.now));
    EXPECT_EQ(peer.expect<publish>().topic, "during");
    peer.expect_event<publish_completed>();  // QoS 0: complete once written

    // Challenge and answer, as before.
    ASSERT_TRUE(start.props.authentication_data);
    peer.reply(server.challenge(*start.props.authentication_data, "snonce-2"));
    expect_auth(peer.expect<auth>(), reason_code::continue_authentication,
                server.expected_client_proof());

    // The server is satisfied: AUTH 0x00 Success with its proof.
    const byte_vector proof = server.proof();
    auth ok;
    ok.reason = reason_code::success;
    ok.props.authentication_method = method_name;
    ok.props.authentication_data = bytes_view(proof);
    peer.reply(ok);
    EXPECT_EQ(authn.finishes, 2);
    EXPECT_TRUE(authn.last_finish_ok);
    peer.expect_event<reauthenticated>();
    peer.expect_no_event();
    peer.expect_nothing_sent();
    EXPECT_EQ(s.current_state(), state::connected);
    EXPECT_FALSE(s.wants_close());
}

TEST(session_auth, reauthentication_with_wrong_server_proof_disconnects_MQTT_4_12_1_2) {
    challenge_authenticator authn("s3cret");
    challenge_server server{"s3cret", {}, {}};
    session s(connect_options{}, nullptr, &authn);
    scripted_peer peer(s);
    authenticated_handshake(peer, server);

    EXPECT_TRUE(s.reauthenticate(peer.now));
    const auth start = peer.expect<auth>();
    ASSERT_TRUE(start.props.authentication_data);
    peer.reply(server.challenge(*start.props.authentication_data, "snonce-2"));
    peer.expect<auth>();

    // AUTH 0x00 whose proof does not match.
    auth ok;
    ok.reason = reason_code::success;
    ok.props.authentication_method = method_name;
    ok.props.authentication_data = as_bytes("12345678");
    peer.reply(ok);
    EXPECT_FALSE(authn.last_finish_ok);
    const disconnect d = peer.expect<disconnect>();
    EXPECT_TRUE(is_failure(d.reason)) << int(to_byte(d.reason));
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    std::optional<disconnected> ev;
    while (auto e = peer.next_event()) {
        EXPECT_FALSE(std::holds_alternative<reauthenticated>(*e));
        if (auto* p = std::get_if<disconnected>(&*e)) ev = *p;
    }
    ASSERT_TRUE(ev) << "no disconnected event";
    EXPECT_EQ(ev->reason, d.reason);
}

// ---------------------------------------------------------------------------------------------
// No Authentication Method in CONNECT: AUTH has no place (MQTT-4.12.0-6, -7)

TEST(session_auth, server_auth_without_method_in_connect_is_a_protocol_error) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();

    // The server starts an AUTH exchange nobody asked for.
    auth a;
    a.reason = reason_code::continue_authentication;
    a.props.authentication_method = "SCRAM-SHA-1";
    a.props.authentication_data = as_bytes("r=fyko+d2lbbFgONRv9qkxdawL");
    peer.reply(a);

    const disconnect d = peer.expect<disconnect>();  // never an AUTH (MQTT-4.12.0-7)
    EXPECT_EQ(d.reason, reason_code::protocol_error);
    EXPECT_TRUE(d.props.reason_string && !d.props.reason_string->empty());
    peer.expect_nothing_sent();
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(ev.reason, reason_code::protocol_error);
    EXPECT_TRUE(s.wants_close());
}

TEST(session_auth, server_auth_before_connack_without_method_is_a_protocol_error) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().props.authentication_method);

    auth a;
    a.reason = reason_code::continue_authentication;
    a.props.authentication_method = "SCRAM-SHA-1";
    peer.reply(a);
    EXPECT_EQ(peer.expect<disconnect>().reason, reason_code::protocol_error);
    peer.expect_nothing_sent();
    const disconnected ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
    EXPECT_TRUE(s.wants_close());
}

TEST(session_auth, reauthenticate_without_authenticator_is_refused) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const command_result r = s.reauthenticate(peer.now);
    EXPECT_EQ(r.error, errc::no_authenticator);
    EXPECT_NE(r.detail.find("MQTT-4.12.0-7"), std::string::npos) << r.detail;
    peer.expect_nothing_sent();  // MQTT-4.12.0-7: no AUTH without a method
    peer.expect_no_event();
    EXPECT_EQ(s.current_state(), state::connected);
}

}  // namespace
}  // namespace mqtt::session::test
