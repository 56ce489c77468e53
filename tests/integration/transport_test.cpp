// transport/ against a real Mosquitto: TCP and TLS connections, mutual TLS, TLS failures in
// words a person can act on, the TLS key log, and the packet tap. The MQTT bytes are made by the
// protocol layer; the session and client are not involved.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "broker.hpp"
#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "transport/stream.hpp"
#include "transport/tap.hpp"

namespace mqtt::transport {
namespace {

using test::mosquitto_broker;

class transport_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { broker = std::make_unique<mosquitto_broker>(); }
    static void TearDownTestSuite() { broker.reset(); }
    static std::unique_ptr<mosquitto_broker> broker;

    struct outcome {
        connect_result connected;
        std::optional<connack> ack;  // the broker's answer to a CONNECT, if one came
        std::string error;
        std::vector<std::pair<direction, packet_type>> tapped;
        std::size_t threads_before = 0, threads_connected = 0;  // this process's
    };
    static std::size_t thread_count() {
        const std::filesystem::directory_iterator tasks("/proc/self/task");
        return std::size_t(std::distance(begin(tasks), end(tasks)));
    }

    // Connects, sends a CONNECT (client id "transport-test"), reads the CONNACK.
    outcome exchange(connect_options o, std::optional<std::string> username = std::nullopt,
                     std::optional<std::string> password = std::nullopt) {
        asio::io_context io;
        outcome out;
        out.threads_before = thread_count();
        auto tap = std::make_shared<packet_tap>();
        tap->add([&out](const tapped_packet& p) {
            out.tapped.emplace_back(p.dir, packet_type(p.bytes[0] >> 4));
        });
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                stream s(io.get_executor());
                out.connected = co_await s.connect(o);
                out.threads_connected = thread_count();
                if (!out.connected) co_return;
                connect c;
                c.client_id = "transport-test";
                c.username = username;
                if (password) c.password = as_bytes(*password);
                std::vector<std::uint8_t> bytes(*encoded_size(c));
                encode(c, bytes);
                std::error_code ec;
                co_await s.async_write(asio::buffer(bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
                tap->bytes(direction::sent, bytes, std::chrono::system_clock::now());
                if (ec) {
                    out.error = ec.message();
                    co_return;
                }
                framer f;
                std::array<std::uint8_t, 512> buf;
                while (true) {
                    const std::size_t n = co_await s.async_read_some(
                        asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) {
                        out.error = ec.message();
                        co_return;
                    }
                    tap->bytes(direction::received, bytes_view(buf.data(), n),
                               std::chrono::system_clock::now());
                    const frame_result r = f.feed(bytes_view(buf.data(), n));
                    if (r.status == decode_status::complete) {
                        const decode_result d = decode(r.packet);
                        if (d.status == decode_status::complete &&
                            std::holds_alternative<connack>(d.value)) {
                            out.ack = std::get<connack>(d.value);
                        }
                        s.close();
                        co_return;
                    }
                }
            },
            asio::detached);
        io.run_for(std::chrono::seconds(15));
        return out;
    }

    connect_options tls_to(std::uint16_t port, std::string host = "127.0.0.1") {
        connect_options o;
        o.endpoint = endpoint{std::move(host), port, true};
        o.tls.ca_file = broker->files().ca_cert.string();
        return o;
    }
};
std::unique_ptr<mosquitto_broker> transport_test::broker;

TEST_F(transport_test, plain_tcp_connect_and_connack) {
    connect_options o;
    o.endpoint = endpoint{"127.0.0.1", broker->plain_port, false};
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    ASSERT_TRUE(r.ack.has_value()) << r.error;
    EXPECT_EQ(r.ack->reason, reason_code::success);
    // An address is not resolved: no resolver thread starts (Asio's asynchronous resolver runs
    // one), so a client of 127.0.0.1 runs on its own thread alone.
    EXPECT_EQ(r.threads_connected, r.threads_before);
}

TEST_F(transport_test, name_resolution_tries_every_address) {
    // "localhost" may resolve to ::1 first, where nothing listens; IPv4 must still be tried.
    connect_options o;
    o.endpoint = endpoint{"localhost", broker->plain_port, false};
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    ASSERT_TRUE(r.ack.has_value()) << r.error;
}

TEST_F(transport_test, refused_connection_is_reported) {
    connect_options o;
    o.endpoint = endpoint{"127.0.0.1", test::free_port(), false};
    const outcome r = exchange(o);
    EXPECT_FALSE(r.connected);
    EXPECT_NE(r.connected.message.find("cannot connect to 127.0.0.1"), std::string::npos)
        << r.connected.message;
}

TEST_F(transport_test, tls_with_the_test_ca) {
    const outcome r = exchange(tls_to(broker->tls_port));
    ASSERT_TRUE(r.connected) << r.connected.message;
    ASSERT_TRUE(r.ack.has_value()) << r.error;
    EXPECT_EQ(r.ack->reason, reason_code::success);
}

TEST_F(transport_test, tls_by_host_name_with_sni) {
    const outcome r = exchange(tls_to(broker->tls_port, "localhost"));
    ASSERT_TRUE(r.connected) << r.connected.message;
    ASSERT_TRUE(r.ack.has_value()) << r.error;
}

TEST_F(transport_test, tls_unknown_ca_is_reported) {
    connect_options o = tls_to(broker->tls_port);
    o.tls.ca_file = broker->files().other_ca_cert.string();
    const outcome r = exchange(o);
    EXPECT_FALSE(r.connected);
    EXPECT_NE(r.connected.message.find("unknown CA"), std::string::npos) << r.connected.message;
}

TEST_F(transport_test, tls_host_name_mismatch_is_reported) {
    connect_options o = tls_to(broker->tls_port);
    o.tls.server_name = "broker.example.org";  // the certificate is for localhost/127.0.0.1
    const outcome r = exchange(o);
    EXPECT_FALSE(r.connected);
    EXPECT_NE(r.connected.message.find("host name mismatch"), std::string::npos)
        << r.connected.message;
}

TEST_F(transport_test, tls_insecure_skips_verification) {
    connect_options o = tls_to(broker->tls_port);
    o.tls.ca_file = broker->files().other_ca_cert.string();
    o.tls.server_name = "broker.example.org";
    o.tls.insecure = true;
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    EXPECT_TRUE(r.ack.has_value()) << r.error;
}

TEST_F(transport_test, mutual_tls_with_a_client_certificate) {
    connect_options o = tls_to(broker->mutual_tls_port);
    o.tls.cert_file = broker->files().client_cert.string();
    o.tls.key_file = broker->files().client_key.string();
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    ASSERT_TRUE(r.ack.has_value()) << r.error;
    EXPECT_EQ(r.ack->reason, reason_code::success);
}

TEST_F(transport_test, mutual_tls_without_a_client_certificate_fails) {
    const outcome r = exchange(tls_to(broker->mutual_tls_port));
    // TLS 1.3 finishes the client's handshake before the server checks the certificate, so the
    // refusal shows either at the handshake or as the connection closing before any CONNACK.
    EXPECT_TRUE(!r.connected || !r.ack.has_value());
}

TEST_F(transport_test, tls_with_a_ca_directory) {
    // A directory of CA certificates named by their hash (what `openssl rehash` makes).
    const auto dir = broker->files().dir / "ca-dir";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(broker->files().ca_cert, dir / "test-ca.pem",
                               std::filesystem::copy_options::overwrite_existing);
    ASSERT_EQ(test::run_command("openssl rehash " + dir.string() + " >/dev/null 2>&1"), 0);
    connect_options o = tls_to(broker->tls_port);
    o.tls.ca_file.clear();
    o.tls.ca_path = dir.string();
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    EXPECT_TRUE(r.ack.has_value()) << r.error;
}

TEST_F(transport_test, tls_minimum_version_1_3_and_alpn) {
    // Mosquitto speaks TLS 1.3, so a client that insists on it connects; offering ALPN "mqtt"
    // to a broker that does not select a protocol is harmless.
    connect_options o = tls_to(broker->tls_port);
    o.tls.min_version = tls_version::tls1_3;
    o.tls.alpn = {"mqtt"};
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    EXPECT_TRUE(r.ack.has_value()) << r.error;
}

TEST_F(transport_test, tls_key_log_is_written) {
    connect_options o = tls_to(broker->tls_port);
    o.tls.keylog_file = (broker->files().dir / "keys.log").string();
    const outcome r = exchange(o);
    ASSERT_TRUE(r.connected) << r.connected.message;
    std::ifstream in(o.tls.keylog_file);
    std::stringstream s;
    s << in.rdbuf();
    // NSS key log lines for TLS 1.3 (what Wireshark needs to decrypt the capture).
    EXPECT_NE(s.str().find("CLIENT_TRAFFIC_SECRET_0 "), std::string::npos) << s.str();
}

TEST_F(transport_test, tap_sees_each_packet_once_in_both_directions) {
    connect_options o;
    o.endpoint = endpoint{"127.0.0.1", broker->plain_port, false};
    const outcome r = exchange(o);
    ASSERT_TRUE(r.ack.has_value()) << r.error;
    ASSERT_EQ(r.tapped.size(), 2u);
    EXPECT_EQ(r.tapped[0], std::make_pair(direction::sent, packet_type::connect));
    EXPECT_EQ(r.tapped[1], std::make_pair(direction::received, packet_type::connack));
}

TEST_F(transport_test, credentials_on_the_auth_listener) {
    connect_options o;
    o.endpoint = endpoint{"127.0.0.1", broker->auth_port, false};
    const outcome good = exchange(o, "alice", "alice-secret");
    ASSERT_TRUE(good.ack.has_value()) << good.error;
    EXPECT_EQ(good.ack->reason, reason_code::success);
    const outcome bad = exchange(o, "alice", "wrong");
    ASSERT_TRUE(bad.ack.has_value()) << bad.error;
    // Mosquitto 2.0.11 answers a wrong password with 0x87 Not authorized (0x86 is also allowed).
    EXPECT_TRUE(bad.ack->reason == reason_code::not_authorized ||
                bad.ack->reason == reason_code::bad_user_name_or_password);
}

}  // namespace
}  // namespace mqtt::transport
