// A scripted MQTT server for the tools' tests: a listening socket on 127.0.0.1 that the test
// drives by hand, one packet at a time, to make the server misbehave in ways no real broker
// does (the tools must then leave, naming what it did wrong). Blocking calls with deadlines, on
// the test's thread; packets are split with the protocol layer's framer and read with its
// decoder.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"

namespace mqtt::tools::test {

using byte_vector = std::vector<std::uint8_t>;

class scripted_server {
  public:
    scripted_server() {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(listener_, 4) != 0) {
            throw std::runtime_error("scripted_server: cannot listen on 127.0.0.1");
        }
        socklen_t len = sizeof a;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~scripted_server() {
        close_connection();
        ::close(listener_);
    }
    scripted_server(const scripted_server&) = delete;
    scripted_server& operator=(const scripted_server&) = delete;

    std::uint16_t port() const { return port_; }

    // Waits for the next client; false when none came in time.
    bool accept(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        close_connection();
        if (!readable(listener_, timeout)) return false;
        connection_ = ::accept(listener_, nullptr, nullptr);
        framer_.reset();
        pending_.clear();
        return connection_ >= 0;
    }

    // The next whole packet from the client; nullopt when the connection ended (or nothing came
    // in time: see timed_out()).
    std::optional<byte_vector> next_packet(
        std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        timed_out_ = false;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const frame_result f = framer_.feed(pending_);
            // The packet may be a view into pending_: copied before the bytes are dropped.
            std::optional<byte_vector> whole;
            if (f.status == decode_status::complete)
                whole.emplace(f.packet.begin(), f.packet.end());
            pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(f.consumed));
            if (whole) return whole;
            if (f.status == decode_status::error) return std::nullopt;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readable(connection_, left)) {
                timed_out_ = true;
                return std::nullopt;
            }
            std::uint8_t buffer[4096];
            const ssize_t n = ::recv(connection_, buffer, sizeof buffer, 0);
            if (n <= 0) return std::nullopt;  // closed by the client (or reset)
            pending_.insert(pending_.end(), buffer, buffer + n);
        }
    }
    bool timed_out() const { return timed_out_; }

    // The next packet, decoded; nullopt as next_packet().
    std::optional<packet> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        last_ = next_packet(timeout);
        if (!last_) return std::nullopt;
        decode_result d = decode(*last_);
        if (d.status != decode_status::complete) return std::nullopt;
        return d.value;  // its views point into last_, valid until the next call
    }

    void send(const byte_vector& bytes) {
        ::send(connection_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }

    // Whether the client closed the connection (EOF) within `timeout`, reading (and dropping)
    // anything it still sends.
    bool closed_by_client(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readable(connection_, left)) return false;
            std::uint8_t buffer[4096];
            if (::recv(connection_, buffer, sizeof buffer, 0) <= 0) return true;
        }
    }

    void close_connection() {
        if (connection_ >= 0) ::close(connection_);
        connection_ = -1;
    }

  private:
    static bool readable(int fd, std::chrono::milliseconds timeout) {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, int(timeout.count())) == 1;
    }

    int listener_ = -1;
    int connection_ = -1;
    std::uint16_t port_ = 0;
    framer framer_;
    byte_vector pending_;
    std::optional<byte_vector> last_;
    bool timed_out_ = false;
};

}  // namespace mqtt::tools::test
