#include "tools/local/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace mqtt::local {

namespace {

using namespace std::chrono_literals;

constexpr int poll_interval_ms = 20;  // how often a waiting thread looks at the stop flags
constexpr std::size_t client_side = 0, broker_side = 1;

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

// Small packets must leave at once (no Nagle delay), and a send to a peer that reads nothing
// gives up after a while instead of blocking the proxy's thread for ever.
void tune(int fd) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const timeval two_seconds{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof two_seconds);
}

int connect_to(in_addr address, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in a = loopback(port);
    a.sin_addr = address;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    tune(fd);
    return fd;
}

bool send_all(int fd, std::span<const std::uint8_t> data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;  // closed, cut, or the peer read nothing for 2 s
        data = data.subspan(std::size_t(n));
    }
    return true;
}

// Where a packet ends: the size of the whole packet from its fixed header (spec 2.1.1: one byte
// of type and flags, then a Variable Byte Integer of at most four bytes), 0 when more bytes are
// needed, nullopt when the header is not MQTT.
std::optional<std::size_t> packet_size(std::span<const std::uint8_t> b) {
    std::size_t remaining = 0;
    for (std::size_t i = 1; i <= 4; ++i) {
        if (i >= b.size()) return 0;
        remaining |= std::size_t(b[i] & 0x7F) << (7 * (i - 1));
        if ((b[i] & 0x80) == 0) return 1 + i + remaining;
    }
    return std::nullopt;
}

}  // namespace

const char* to_string(flow f) {
    return f == flow::to_broker ? "to broker" : "to client";
}

std::optional<std::uint16_t> proxied_packet::packet_id() const {
    std::size_t i = 1;
    while (i < bytes.size() && (bytes[i] & 0x80))
        ++i;
    ++i;              // past the Remaining Length
    if (type == 3) {  // PUBLISH: Topic Name first; a Packet Identifier only at QoS 1 and 2
        if (((flags >> 1) & 3) == 0 || i + 2 > bytes.size()) return std::nullopt;
        i += 2 + ((std::size_t(bytes[i]) << 8) | bytes[i + 1]);
    } else if (type < 4 || type > 11) {
        return std::nullopt;
    }
    if (i + 2 > bytes.size()) return std::nullopt;
    return std::uint16_t((bytes[i] << 8) | bytes[i + 1]);
}

packet_rule cut_at_packet(flow direction, std::uint8_t type, std::size_t nth, verdict when) {
    return [direction, type, nth, when, seen = std::size_t{0}](const proxied_packet& p) mutable {
        if (p.direction != direction || p.type != type || seen >= nth) return verdict::forward;
        return ++seen == nth ? when : verdict::forward;
    };
}

struct tcp_proxy::connection {
    std::uint64_t id = 0;
    int fd[2] = {-1, -1};  // client_side, broker_side; closed (and set to -1) under mutex_
    std::atomic<bool> cut{false};
    std::atomic<bool> done{false};
    std::vector<std::uint8_t> pending[2];  // a partial packet, per flow
    bool raw[2] = {false, false};          // not MQTT after all: bytes go through as they come
    std::thread thread;
};

tcp_proxy::tcp_proxy(std::uint16_t target_port, const std::string& target_ipv4)
    : target_port_(target_port) {
    if (::inet_pton(AF_INET, target_ipv4.c_str(), &target_address_) != 1) {
        throw std::runtime_error("tcp_proxy: not an IPv4 address: " + target_ipv4);
    }
    const int fd = open_listener();
    if (fd < 0) throw std::runtime_error("tcp_proxy: cannot listen on 127.0.0.1");
    listen_fd_ = fd;
    listening_ = true;
    acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_proxy::~tcp_proxy() {
    stopping_ = true;
    acceptor_.join();
    std::vector<std::unique_ptr<connection>> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& c : connections_) {
            for (const int fd : c->fd)
                if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
        }
        all = std::move(connections_);
    }
    for (auto& c : all)
        c->thread.join();
}

int tcp_proxy::open_listener() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = loopback(port_);  // 0 the first time: any free port; then the same again
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(fd);
        return -1;
    }
    if (port_ == 0) port_ = ntohs(a.sin_port);
    return fd;
}

void tcp_proxy::accept_loop() {
    while (!stopping_) {
        // Listening on and off is done here, so no other thread closes the socket polled below.
        if (want_listening_ && listen_fd_ < 0) listen_fd_ = open_listener();
        if (!want_listening_ && listen_fd_ >= 0) {
            ::close(listen_fd_);
            listen_fd_ = -1;
        }
        listening_ = listen_fd_ >= 0;

        // Join the threads of connections that ended.
        std::vector<std::unique_ptr<connection>> ended;
        {
            std::lock_guard lock(mutex_);
            for (auto it = connections_.begin(); it != connections_.end();) {
                if ((*it)->done) {
                    ended.push_back(std::move(*it));
                    it = connections_.erase(it);
                } else {
                    ++it;
                }
            }
        }
        for (auto& c : ended)
            c->thread.join();

        if (listen_fd_ < 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(poll_interval_ms / 4));
            continue;
        }
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, poll_interval_ms) <= 0) continue;
        const int client_fd = ::accept(listen_fd_, nullptr, nullptr);
        if (client_fd < 0) continue;
        const std::uint64_t id = ++accepted_;
        if (refusing_) {
            ::close(client_fd);
            continue;
        }
        tune(client_fd);
        const int broker_fd = connect_to(target_address_, target_port_);
        if (broker_fd < 0) {  // the broker is down: so is the path through the proxy
            ::close(client_fd);
            continue;
        }
        auto c = std::make_unique<connection>();
        c->id = id;
        c->fd[client_side] = client_fd;
        c->fd[broker_side] = broker_fd;
        connection& ref = *c;
        std::lock_guard lock(mutex_);
        connections_.push_back(std::move(c));
        ref.thread = std::thread([this, &ref] { pump(ref); });
    }
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    listening_ = false;
}

void tcp_proxy::pump(connection& c) {
    std::vector<std::uint8_t> buffer(64 * 1024);
    while (!stopping_ && !c.cut) {
        if (stalled_) {  // read nothing: bytes wait in the kernel, the peers hear nothing
            std::this_thread::sleep_for(std::chrono::milliseconds(poll_interval_ms / 4));
            continue;
        }
        pollfd p[2] = {{c.fd[client_side], POLLIN, 0}, {c.fd[broker_side], POLLIN, 0}};
        if (::poll(p, 2, poll_interval_ms) <= 0) continue;
        bool open = true;
        for (std::size_t side : {client_side, broker_side}) {
            if (!open || (p[side].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const ssize_t n = ::recv(c.fd[side], buffer.data(), buffer.size(), 0);
            if (n <= 0) {
                open = false;
                break;
            }
            const flow direction = side == client_side ? flow::to_broker : flow::to_client;
            std::vector<std::uint8_t>& pending = c.pending[side];
            pending.insert(pending.end(), buffer.begin(), buffer.begin() + n);
            std::size_t at = 0;
            while (open && at < pending.size()) {
                const std::span<const std::uint8_t> rest(pending.data() + at, pending.size() - at);
                std::optional<std::size_t> size = c.raw[side] ? rest.size() : packet_size(rest);
                if (!size) {
                    c.raw[side] = true;
                    size = rest.size();
                }
                if (*size == 0 || *size > rest.size()) break;  // the rest of it is still coming
                open = forward(c, direction, rest.first(*size));
                at += *size;
            }
            pending.erase(pending.begin(), pending.begin() + std::ptrdiff_t(at));
        }
        if (!open) break;
    }
    close_connection(c);
    c.done = true;
}

bool tcp_proxy::forward(connection& c, flow direction, std::span<const std::uint8_t> packet) {
    const std::size_t from = direction == flow::to_broker ? client_side : broker_side;
    const int to = c.fd[1 - from];
    verdict v = verdict::forward;
    std::optional<std::size_t> cut_within;  // cut after this many bytes of the packet
    {
        std::lock_guard lock(rule_mutex_);
        if (rule_ && !c.raw[from]) {
            const proxied_packet p{direction, std::uint8_t(packet[0] >> 4),
                                   std::uint8_t(packet[0] & 0x0F), packet, c.id};
            v = rule_(p);
        }
        std::optional<std::size_t>& limit = byte_limit_[std::size_t(direction)];
        if (v != verdict::cut_before && limit) {
            if (*limit <= packet.size()) {
                cut_within = *limit;
                limit.reset();
            } else {
                *limit -= packet.size();
            }
        }
    }
    auto cut_here = [&] {
        std::lock_guard lock(mutex_);
        begin_cut(c);
        return false;
    };
    if (v == verdict::cut_before) return cut_here();
    if (cut_within) {
        send_all(to, packet.first(*cut_within));
        return cut_here();
    }
    if (!send_all(to, packet)) return false;
    if (v == verdict::cut_after) return cut_here();
    return true;
}

// Both peers see the end now: the client's side is closed (with a reset if it still had bytes
// for us), the broker's gets our FIN. Unless cuts are hard, whatever the broker still sends is
// read and dropped until it closes too, so its writes keep succeeding as they would on a real
// broken path. (Mosquitto 2.0.11 mishandles a QoS 2 PUBREL whose write fails with a reset: it
// resends the PUBLISH on the next connection; see client_resilience_test.cpp.)
void tcp_proxy::begin_cut(connection& c) {
    if (c.cut.exchange(true)) return;
    ++cuts_;
    if (c.fd[client_side] >= 0) ::shutdown(c.fd[client_side], SHUT_RDWR);
    if (c.fd[broker_side] >= 0) ::shutdown(c.fd[broker_side], hard_cuts_ ? SHUT_RDWR : SHUT_WR);
}

void tcp_proxy::close_connection(connection& c) {
    int broker_fd = -1;
    {
        std::lock_guard lock(mutex_);
        if (c.fd[client_side] >= 0) {
            ::shutdown(c.fd[client_side], SHUT_RDWR);
            ::close(c.fd[client_side]);
            c.fd[client_side] = -1;
        }
        broker_fd = c.fd[broker_side];
        if (broker_fd >= 0) ::shutdown(broker_fd, c.cut && !hard_cuts_ ? SHUT_WR : SHUT_RDWR);
    }
    if (broker_fd >= 0 && c.cut && !hard_cuts_) {
        std::vector<std::uint8_t> sink(16 * 1024);
        const auto until = std::chrono::steady_clock::now() + 2s;
        while (!stopping_ && std::chrono::steady_clock::now() < until) {
            pollfd p{broker_fd, POLLIN, 0};
            if (::poll(&p, 1, poll_interval_ms) <= 0) continue;
            if (::recv(broker_fd, sink.data(), sink.size(), 0) <= 0) break;
        }
    }
    std::lock_guard lock(mutex_);
    if (c.fd[broker_side] >= 0) {
        ::close(c.fd[broker_side]);
        c.fd[broker_side] = -1;
    }
}

void tcp_proxy::cut() {
    std::lock_guard lock(mutex_);
    for (auto& c : connections_) {
        if (!c->done) begin_cut(*c);
    }
}

void tcp_proxy::hard_cuts(bool on) {
    hard_cuts_ = on;
}

void tcp_proxy::stall() {
    stalled_ = true;
}
void tcp_proxy::resume() {
    stalled_ = false;
}

void tcp_proxy::stop_listening() {
    want_listening_ = false;
    for (int i = 0; i < 200 && listening_; ++i)
        std::this_thread::sleep_for(10ms);
}

void tcp_proxy::start_listening() {
    want_listening_ = true;
    for (int i = 0; i < 200 && !listening_; ++i)
        std::this_thread::sleep_for(10ms);
}

void tcp_proxy::refuse_connections(bool on) {
    refusing_ = on;
}

void tcp_proxy::cut_after_bytes(flow direction, std::size_t n) {
    std::lock_guard lock(rule_mutex_);
    byte_limit_[std::size_t(direction)] = n;
}

void tcp_proxy::set_rule(packet_rule rule) {
    std::lock_guard lock(rule_mutex_);
    rule_ = std::move(rule);
}

std::size_t tcp_proxy::open_connections() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& c : connections_)
        n += c->done ? 0 : 1;
    return n;
}

}  // namespace mqtt::local
