#include "bench/peers/raw_connection.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mqtt::bench::raw {

namespace {

// Reads until `in` starts with one whole packet (a blocking socket, during the handshake);
// returns its frame. `what` names the packet awaited, for the error message.
frame read_packet(int fd, bytes& in, const peers::options& o, const char* what) {
    for (;;) {
        const frame f = next_frame(in);
        if (f.state == frame::status::complete) return f;
        if (f.state == frame::status::malformed)
            throw setup_error(fmt::format("malformed {} from {}", what, peers::where(o)));
        std::uint8_t chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw setup_error(fmt::format("no {} from {}: {}", what, peers::where(o),
                                          n == 0 ? "it closed the connection"
                                          : errno == EAGAIN || errno == EWOULDBLOCK
                                              ? fmt::format("nothing within {} s", o.timeout_s)
                                              : std::strerror(errno)));
        in.insert(in.end(), chunk, chunk + n);
    }
}

}  // namespace

int connect_to(const peers::options& o, double timeout_s) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int gai = getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found);
    if (gai != 0)
        throw setup_error(
            fmt::format("cannot connect to {}: {}", peers::where(o), gai_strerror(gai)));
    int fd = -1, error = 0;
    for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            error = errno;
        } else if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            error = errno;
            ::close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0)
        throw setup_error(
            fmt::format("cannot connect to {}: {}", peers::where(o), std::strerror(error)));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{time_t(timeout_s), suseconds_t((timeout_s - double(time_t(timeout_s))) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

bool send_all(int fd, std::span<const std::uint8_t> b) {
    while (!b.empty()) {
        const ssize_t n = ::send(fd, b.data(), b.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        b = b.subspan(std::size_t(n));
    }
    return true;
}

// CONNECT, then CONNACK (3.2: Acknowledge Flags, Reason Code, properties); returns the broker's
// Receive Maximum if it sent one.
std::optional<std::uint16_t> handshake(int fd, bytes& in, const std::string& client_id,
                                       const peers::options& o) {
    if (!send_all(fd, connect(client_id)))
        throw setup_error(
            fmt::format("cannot send CONNECT to {}: {}", peers::where(o), std::strerror(errno)));
    const frame f = read_packet(fd, in, o, "CONNACK");
    body_reader r(body_of(in, f));
    r.u8();  // Acknowledge Flags: Session Present is 0 after Clean Start
    const std::uint8_t reason = r.u8();
    const auto props = r.take_span(r.varint());
    if (packet_type(f.first) != 2 || !r.ok())
        throw setup_error(
            fmt::format("{} answered CONNECT with something else than a CONNACK", peers::where(o)));
    if (reason >= 0x80)
        throw setup_error(fmt::format("{} refused the connection: CONNACK reason code 0x{:02X}",
                                      peers::where(o), reason));
    const auto broker_maximum = find_receive_maximum(props);
    in.erase(in.begin(), in.begin() + std::ptrdiff_t(f.end));
    return broker_maximum;
}

// SUBSCRIBE, then SUBACK (3.9: Packet Identifier, properties, one Reason Code per filter).
void subscribe_to(int fd, bytes& in, const peers::options& o) {
    if (!send_all(fd, subscribe(1, o.topic, o.qos)))
        throw setup_error(
            fmt::format("cannot send SUBSCRIBE to {}: {}", peers::where(o), std::strerror(errno)));
    const frame f = read_packet(fd, in, o, "SUBACK");
    body_reader r(body_of(in, f));
    r.u16();                  // Packet Identifier: 1
    r.take_span(r.varint());  // properties
    const std::uint8_t reason = r.u8();
    if (packet_type(f.first) != 9 || !r.ok())
        throw setup_error(fmt::format("{} answered SUBSCRIBE with something else than a SUBACK",
                                      peers::where(o)));
    if (reason >= 0x80)
        throw setup_error(fmt::format("{} refused the subscription to {}: reason code 0x{:02X}",
                                      peers::where(o), o.topic, reason));
    in.erase(in.begin(), in.begin() + std::ptrdiff_t(f.end));
}

}  // namespace mqtt::bench::raw
