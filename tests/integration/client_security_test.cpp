// The asynchronous client against a real Mosquitto: TLS (server verification, mutual TLS), TLS
// failures reported in words, username/password on the auth listener, and the ACL: a refused
// publish shows in the PUBACK's reason code, a subscription outside it in what is delivered.
#include <asio/redirect_error.hpp>
#include <string_view>

#include "client_fixture.hpp"

namespace mqtt::test {
namespace {

using namespace std::chrono_literals;
using asio::use_awaitable;
using client::client;

// GCC 12 destroys temporaries of a co_await expression twice, and cannot hold an initializer
// list's array in a coroutine frame: arguments to co_await'ed calls are named values.
const session::disconnect_options bye;
const session::subscribe_options no_options;

class security_test : public client_test {
  protected:
    static std::string mutual_tls_url() {
        return "mqtts://127.0.0.1:" + std::to_string(broker->mutual_tls_port);
    }
    static mqtt::client::client_options user(std::string client_id, std::string name,
                                             std::string password) {
        mqtt::client::client_options o = options(std::move(client_id), auth_url());
        o.mqtt.username = std::move(name);
        o.mqtt.password = session::byte_vector(password.begin(), password.end());
        return o;
    }
};

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

session::message text_message(std::string topic, std::string text, qos q) {
    session::message m;
    m.topic = std::move(topic);
    m.payload.assign(text.begin(), text.end());
    m.qos = q;
    return m;
}

std::vector<session::subscription_request> one_filter(std::string filter, qos q) {
    session::subscription_request s;
    s.topic_filter = std::move(filter);
    s.max_qos = q;
    return {s};
}

// A publish/receive round trip on one client, proving the connection carries traffic.
// (A string_view parameter: a std::string built from a literal in the co_await expression would
// be a temporary with a destructor.)
asio::awaitable<void> echo(client& c, std::string_view topic_name) {
    const std::string topic(topic_name);
    const auto subs = one_filter(topic, qos::at_least_once);
    const auto granted = co_await c.async_subscribe(subs, no_options, use_awaitable);
    EXPECT_EQ(granted.reason_codes, std::vector{reason_code::granted_qos_1});
    const session::message m = text_message(topic, "over tls", qos::at_least_once);
    const auto done = co_await c.async_publish(m, use_awaitable);
    EXPECT_EQ(done.reason, reason_code::success);
    const session::message_received r = co_await c.async_receive(use_awaitable);
    EXPECT_EQ(r.message.topic, topic);
    EXPECT_EQ(r.message.payload, m.payload);
}

TEST_F(security_test, tls_with_the_test_ca) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), options("sec-tls", tls_url()));
        co_await c.async_connect(use_awaitable);
        EXPECT_EQ(c.state(), mqtt::client::connection_state::connected);
        co_await echo(c, "sec/tls");
        co_await c.async_disconnect(bye, use_awaitable);
    });
}

TEST_F(security_test, mutual_tls_with_a_client_certificate) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        mqtt::client::client_options o = options("sec-mtls", mutual_tls_url());
        o.tls.cert_file = broker->files().client_cert.string();
        o.tls.key_file = broker->files().client_key.string();
        client c(io.get_executor(), o);
        co_await c.async_connect(use_awaitable);
        EXPECT_EQ(c.state(), mqtt::client::connection_state::connected);
        co_await echo(c, "sec/mtls");
        co_await c.async_disconnect(bye, use_awaitable);
    });
}

TEST_F(security_test, mutual_tls_without_a_client_certificate_fails) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        mqtt::client::client_options o = options("sec-mtls-none", mutual_tls_url());
        o.reconnect = false;
        client c(io.get_executor(), o);
        std::error_code ec;
        auto with_ec = asio::redirect_error(use_awaitable, ec);
        co_await c.async_connect(with_ec);
        // With TLS 1.3 the client's handshake completes before the broker looks at the
        // (missing) certificate: the refusal arrives while waiting for CONNACK, as the alert
        // "tlsv13 alert certificate required" (seen every time here). Under load the broker's
        // close may overtake the alert, so a bare "connection lost" is accepted as well.
        EXPECT_TRUE(ec == mqtt::client::errc::connection_lost ||
                    ec == mqtt::client::errc::transport_failed)
            << ec.message();
        EXPECT_TRUE(contains(c.last_error(), "certificate required") ||
                    contains(c.last_error(), "connection lost") ||
                    contains(c.last_error(), "closed the connection"))
            << c.last_error();
        EXPECT_NE(c.state(), mqtt::client::connection_state::connected);
    });
}

TEST_F(security_test, wrong_ca_is_reported_as_unknown_ca) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        mqtt::client::client_options o = options("sec-wrong-ca", tls_url());
        o.tls.ca_file = broker->files().other_ca_cert.string();
        client c(io.get_executor(), o);
        std::error_code ec;
        auto with_ec = asio::redirect_error(use_awaitable, ec);
        co_await c.async_connect(with_ec);
        EXPECT_EQ(ec, mqtt::client::errc::transport_failed) << ec.message();
        EXPECT_TRUE(contains(c.last_error(), "unknown CA")) << c.last_error();
        EXPECT_EQ(c.state(), mqtt::client::connection_state::disconnected);
    });
}

TEST_F(security_test, host_name_mismatch_is_reported) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        // Still 127.0.0.1 on the wire; only the name to verify (and the SNI) differs.
        mqtt::client::client_options o = options("sec-mismatch", tls_url());
        o.tls.server_name = "not-the-broker.invalid";
        client c(io.get_executor(), o);
        std::error_code ec;
        auto with_ec = asio::redirect_error(use_awaitable, ec);
        co_await c.async_connect(with_ec);
        EXPECT_EQ(ec, mqtt::client::errc::transport_failed) << ec.message();
        EXPECT_TRUE(contains(c.last_error(), "host name mismatch")) << c.last_error();
        EXPECT_TRUE(contains(c.last_error(), "not-the-broker.invalid")) << c.last_error();
    });
}

TEST_F(security_test, good_credentials_are_accepted) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), user("sec-alice", "alice", "alice-secret"));
        const session::connected ack = co_await c.async_connect(use_awaitable);
        EXPECT_FALSE(ack.session_present);
        EXPECT_EQ(c.state(), mqtt::client::connection_state::connected);
        co_await c.async_disconnect(bye, use_awaitable);
    });
}

// A refused CONNACK is the async_connect error, in the reason-code category, named.
void expect_refused(const std::error_code& ec, const client& c) {
    EXPECT_EQ(&ec.category(), &mqtt::client::reason_category()) << ec.message();
    // Mosquitto 2.0.11 answers a wrong password, an unknown user and a missing user name alike
    // with 0x87 Not authorized (not 0x86 Bad User Name or Password).
    EXPECT_EQ(ec, mqtt::client::make_error_code(reason_code::not_authorized)) << ec.message();
    EXPECT_TRUE(contains(ec.message(), "Not authorized") ||
                contains(ec.message(), "Bad User Name or Password"))
        << ec.message();
    EXPECT_EQ(c.last_error(), "connection refused: 0x87 Not authorized");
    EXPECT_EQ(c.state(), mqtt::client::connection_state::disconnected);
}

TEST_F(security_test, wrong_password_is_refused_with_its_reason_code) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), user("sec-bad-password", "bob", "not-bobs-secret"));
        std::error_code ec;
        auto with_ec = asio::redirect_error(use_awaitable, ec);
        co_await c.async_connect(with_ec);
        expect_refused(ec, c);
    });
}

TEST_F(security_test, unknown_user_and_anonymous_are_refused) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        {
            client c(io.get_executor(), user("sec-nobody", "mallory", "guess"));
            std::error_code ec;
            auto with_ec = asio::redirect_error(use_awaitable, ec);
            co_await c.async_connect(with_ec);
            expect_refused(ec, c);
        }
        {
            client c(io.get_executor(), options("sec-anonymous", auth_url()));
            std::error_code ec;
            auto with_ec = asio::redirect_error(use_awaitable, ec);
            co_await c.async_connect(with_ec);
            expect_refused(ec, c);
        }
    });
}

// bob may only read acl/#: his QoS 1 publish there is refused in the PUBACK, and nobody gets it.
TEST_F(security_test, acl_refuses_a_publish_in_the_puback) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client alice(io.get_executor(), user("sec-acl-alice", "alice", "alice-secret"));
        client bob(io.get_executor(), user("sec-acl-bob", "bob", "bob-secret"));
        co_await alice.async_connect(use_awaitable);
        co_await bob.async_connect(use_awaitable);
        const auto alice_subs = one_filter("acl/#", qos::at_least_once);
        const auto a = co_await alice.async_subscribe(alice_subs, no_options, use_awaitable);
        EXPECT_EQ(a.reason_codes, std::vector{reason_code::granted_qos_1});
        const auto bob_subs = one_filter("acl/#", qos::at_least_once);
        const auto b = co_await bob.async_subscribe(bob_subs, no_options, use_awaitable);
        EXPECT_EQ(b.reason_codes, std::vector{reason_code::granted_qos_1});

        // Mosquitto 2.0.11 answers a PUBLISH the ACL denies with PUBACK 0x87 Not authorized
        // (it drops the message and keeps the connection); the completion carries the reason,
        // and the error_code is set because 0x87 is a failure.
        const session::message denied = text_message("acl/x", "from bob", qos::at_least_once);
        std::error_code ec;
        auto with_ec = asio::redirect_error(use_awaitable, ec);
        const session::publish_completed done = co_await bob.async_publish(denied, with_ec);
        EXPECT_EQ(done.reason, reason_code::not_authorized);
        EXPECT_EQ(ec, mqtt::client::make_error_code(reason_code::not_authorized)) << ec.message();
        EXPECT_TRUE(contains(ec.message(), "Not authorized")) << ec.message();
        EXPECT_EQ(bob.state(), mqtt::client::connection_state::connected);

        // alice may write there: her message reaches both (bob may read), and it is the first
        // alice receives, so bob's never went out.
        const session::message allowed = text_message("acl/x", "from alice", qos::at_least_once);
        const auto ok = co_await alice.async_publish(allowed, use_awaitable);
        EXPECT_EQ(ok.reason, reason_code::success);
        const session::message_received at_alice = co_await alice.async_receive(use_awaitable);
        EXPECT_EQ(at_alice.message.payload, allowed.payload);
        const session::message_received at_bob = co_await bob.async_receive(use_awaitable);
        EXPECT_EQ(at_bob.message.payload, allowed.payload);
        co_await bob.async_disconnect(bye, use_awaitable);
        co_await alice.async_disconnect(bye, use_awaitable);
    });
}

// bob subscribes to a filter outside his ACL. Mosquitto 2.0.11 checks the ACL when it delivers,
// not when it subscribes: the SUBACK grants the filter (0x01, not 0x87 Not authorized), and the
// messages published there never reach bob.
TEST_F(security_test, acl_filters_delivery_of_a_subscription_outside_it) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client bob(io.get_executor(), user("sec-acl-sub", "bob", "bob-secret"));
        // An anonymous publisher on the plain listener (no ACL there; one topic tree for all).
        client anyone(io.get_executor(), options("sec-acl-anyone"));
        co_await bob.async_connect(use_awaitable);
        co_await anyone.async_connect(use_awaitable);
        session::subscription_request inside;
        inside.topic_filter = "open/acl-marker";
        inside.max_qos = qos::at_least_once;
        session::subscription_request outside;
        outside.topic_filter = "private/x";
        outside.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{inside, outside};
        const auto done = co_await bob.async_subscribe(subs, no_options, use_awaitable);
        EXPECT_FALSE(done.error) << done.error.message();
        // One reason code per filter, in order.
        EXPECT_EQ(done.reason_codes,
                  (std::vector{reason_code::granted_qos_1, reason_code::granted_qos_1}));

        const session::message secret = text_message("private/x", "secret", qos::at_least_once);
        co_await anyone.async_publish(secret, use_awaitable);
        const session::message marker =
            text_message("open/acl-marker", "marker", qos::at_least_once);
        co_await anyone.async_publish(marker, use_awaitable);
        // The first message bob gets is the marker: the one on private/x was held back.
        const session::message_received r = co_await bob.async_receive(use_awaitable);
        EXPECT_EQ(r.message.topic, marker.topic);
        EXPECT_EQ(bob.stats().messages_received, 1u);
        co_await anyone.async_disconnect(bye, use_awaitable);
        co_await bob.async_disconnect(bye, use_awaitable);
    });
}

}  // namespace
}  // namespace mqtt::test
