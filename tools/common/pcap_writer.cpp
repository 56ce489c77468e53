#include "tools/common/pcap_writer.hpp"

#include "tools/common/libpcap.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace mqtt::tools {

namespace {

// The server's port in the file: MQTT's registered port for plain text (what Wireshark decodes
// as MQTT). The bytes we have are plain text even when the real connection was TLS on 8883.
constexpr std::uint16_t mqtt_port = 1883;
// Payload bytes per TCP segment: an MQTT packet larger than this is split, as TCP would. Keeps
// every IPv4 packet under its 65,535-byte limit.
constexpr std::size_t max_segment = 65'000;

constexpr std::uint8_t fin = 0x01, syn = 0x02, psh = 0x08, ack = 0x10;

struct address {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4
    std::uint16_t port = 0;
};

address from_endpoint(const asio::ip::tcp::endpoint& e) {
    address a;
    const asio::ip::address ip = e.address();
    if (ip.is_v6() && !ip.to_v6().is_v4_mapped()) {
        a.v6 = true;
        a.bytes = ip.to_v6().to_bytes();
    } else {
        const auto v4 =
            ip.is_v6() ? asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()) : ip.to_v4();
        const auto b = v4.to_bytes();
        std::copy(b.begin(), b.end(), a.bytes.begin());
    }
    a.port = e.port();
    return a;
}

// The connection assumed when packets come before any opened(): 127.0.0.1:49152 -> :1883 in
// the default slot, the next ports in the attached ones.
const asio::ip::address assumed_client = asio::ip::make_address_v4("127.0.0.1");
constexpr std::uint16_t assumed_port = 49152;

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b[at] = std::uint8_t(v >> 8);
    b[at + 1] = std::uint8_t(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b[at + std::size_t(i)] = std::uint8_t(v >> (24 - 8 * i));
}

// The Internet checksum (RFC 1071) of `data`, continuing from `sum`.
std::uint32_t sum16(const std::uint8_t* data, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2)
        sum += std::uint32_t(data[i] << 8 | data[i + 1]);
    if (n % 2) sum += std::uint32_t(data[n - 1] << 8);
    return sum;
}
std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return std::uint16_t(~sum);
}

}  // namespace

// One connection slot: the connection it holds now, if open, and where its TCP stands.
struct connection {
    std::uint16_t assumed_port = 0;  // the client's port when packets come before opened()
    bool open = false;
    address client, server;
    std::uint32_t client_seq = 0, server_seq = 0;  // the next sequence number each side sends
};

struct pcap_writer::state {
    std::mutex mutex;  // guards everything below: the slots and the file
    std::string path;
    std::string error;                       // the first write failure
    const libpcap_functions* lib = nullptr;  // loaded by the constructor
    pcap_t* pcap = nullptr;
    pcap_dumper_t* dumper = nullptr;
    std::uint16_t ip_id = 0;  // one counter for the file, as one host's IP stack keeps
    // The default slot first, then one per attach(). A deque: slots never move, so the taps'
    // observers keep pointers to theirs.
    std::deque<connection> slots;

    // One TCP segment of `c` from the client or the server with `payload`, in an IP packet.
    void segment(connection& c, bool from_client, std::uint8_t flags, bytes_view payload,
                 std::chrono::system_clock::time_point time) {
        const address& src = from_client ? c.client : c.server;
        const address& dst = from_client ? c.server : c.client;
        const std::size_t ip_size = src.v6 ? 40 : 20;
        std::vector<std::uint8_t> p(ip_size + 20 + payload.size());
        const std::size_t tcp_size = 20 + payload.size();
        if (src.v6) {
            p[0] = 0x60;
            put16(p, 4, std::uint16_t(tcp_size));
            p[6] = 6;   // next header: TCP
            p[7] = 64;  // hop limit
            std::copy_n(src.bytes.begin(), 16, p.begin() + 8);
            std::copy_n(dst.bytes.begin(), 16, p.begin() + 24);
        } else {
            p[0] = 0x45;
            put16(p, 2, std::uint16_t(20 + tcp_size));
            put16(p, 4, ip_id++);
            put16(p, 6, 0x4000);  // Don't Fragment
            p[8] = 64;            // TTL
            p[9] = 6;             // TCP
            std::copy_n(src.bytes.begin(), 4, p.begin() + 12);
            std::copy_n(dst.bytes.begin(), 4, p.begin() + 16);
            put16(p, 10, fold(sum16(p.data(), 20)));
        }
        std::uint32_t& seq = from_client ? c.client_seq : c.server_seq;
        const std::uint32_t other = from_client ? c.server_seq : c.client_seq;
        const std::size_t t = ip_size;
        put16(p, t, src.port);
        put16(p, t + 2, dst.port);
        put32(p, t + 4, seq);
        put32(p, t + 8, (flags & ack) ? other : 0);
        p[t + 12] = 5 << 4;  // data offset: 20 bytes, no options
        p[t + 13] = flags;
        put16(p, t + 14, 65535);  // window
        std::copy(payload.begin(), payload.end(), p.begin() + std::ptrdiff_t(t + 20));
        // Checksum over the pseudo-header (addresses, protocol, TCP length) and the segment.
        std::uint32_t s = 0;
        if (src.v6) {
            s = sum16(p.data() + 8, 32);
        } else {
            s = sum16(p.data() + 12, 8);
        }
        s += 6 + std::uint32_t(tcp_size & 0xFFFF) + std::uint32_t(tcp_size >> 16);
        put16(p, t + 16, fold(sum16(p.data() + t, tcp_size, s)));

        seq += std::uint32_t(payload.size()) + ((flags & (syn | fin)) ? 1 : 0);
        write(p, time);
    }

    void write(const std::vector<std::uint8_t>& packet, std::chrono::system_clock::time_point t) {
        pcap_pkthdr h{};
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
        h.ts.tv_sec = static_cast<decltype(h.ts.tv_sec)>(us.count() / 1'000'000);
        h.ts.tv_usec = static_cast<decltype(h.ts.tv_usec)>(us.count() % 1'000'000);
        h.caplen = h.len = static_cast<bpf_u_int32>(packet.size());
        lib->dump(reinterpret_cast<u_char*>(dumper), &h, packet.data());
    }

    void handshake(connection& c, std::chrono::system_clock::time_point time) {
        // Initial sequence numbers from the ports: the same connection gives the same file.
        c.client_seq = 0x10000000u + c.client.port;
        c.server_seq = 0x20000000u + c.client.port;
        c.open = true;
        segment(c, true, syn, {}, time);
        segment(c, false, syn | ack, {}, time);
        segment(c, true, ack, {}, time);
    }

    void opened(connection& c, const transport::connection_event& e) {
        close(c, e.time);
        c.client = from_endpoint(e.local);
        c.server = from_endpoint(e.remote);
        c.server.port = mqtt_port;
        if (c.server.v6 != c.client.v6) {  // keep one family: the client's address
            c.server = c.client;
            c.server.port = mqtt_port;
        }
        handshake(c, e.time);
        flush();
    }

    void packet(connection& c, const transport::tapped_packet& p) {
        if (!c.open) {
            c.client = from_endpoint({assumed_client, c.assumed_port});
            c.server = c.client;
            c.server.port = mqtt_port;
            handshake(c, p.time);
        }
        const bool from_client = p.dir == transport::direction::sent;
        for (std::size_t at = 0; at < p.bytes.size(); at += max_segment) {
            const bytes_view part = p.bytes.subspan(at, std::min(max_segment, p.bytes.size() - at));
            segment(c, from_client, psh | ack, part, p.time);
        }
        flush();
    }

    void close(connection& c, std::chrono::system_clock::time_point time) {
        if (!c.open) return;
        c.open = false;
        segment(c, true, fin | ack, {}, time);
        segment(c, false, fin | ack, {}, time);
        segment(c, true, ack, {}, time);
        flush();
    }

    // Out to the file after every packet, so a killed tool leaves a readable capture; the
    // first failure (a full disk) is kept for error().
    void flush() {
        if (lib->dump_flush(dumper) == 0 && std::ferror(lib->dump_file(dumper)) == 0) return;
        if (error.empty())
            error = fmt::format("writing capture {}: {}", path, std::strerror(errno));
    }
};

pcap_writer::pcap_writer(const std::string& path) : state_(std::make_unique<state>()) {
    state_->path = path;
    state_->slots.emplace_back().assumed_port = assumed_port;  // the default slot
    // Link type raw IP: each record starts with its IPv4 or IPv6 header (LINKTYPE_RAW).
    const libpcap_functions& lib = libpcap();  // throws when libpcap cannot be loaded
    state_->lib = &lib;
    state_->pcap = lib.open_dead(DLT_RAW, 262'144);
    if (state_->pcap == nullptr) throw std::runtime_error("cannot write capture " + path);
    state_->dumper = lib.dump_open(state_->pcap, path.c_str());
    if (state_->dumper == nullptr) {
        const std::string why = lib.geterr(state_->pcap);
        lib.close(state_->pcap);
        throw std::runtime_error(fmt::format("cannot write capture {}: {}", path, why));
    }
}

pcap_writer::~pcap_writer() {
    const std::lock_guard lock(state_->mutex);
    const auto now = std::chrono::system_clock::now();
    for (connection& c : state_->slots)
        state_->close(c, now);
    state_->lib->dump_close(state_->dumper);
    state_->lib->close(state_->pcap);
}

void pcap_writer::opened(const transport::connection_event& e) {
    const std::lock_guard lock(state_->mutex);
    state_->opened(state_->slots.front(), e);
}

void pcap_writer::packet(const transport::tapped_packet& p) {
    const std::lock_guard lock(state_->mutex);
    state_->packet(state_->slots.front(), p);
}

void pcap_writer::closed(std::chrono::system_clock::time_point time) {
    const std::lock_guard lock(state_->mutex);
    state_->close(state_->slots.front(), time);
}

std::string pcap_writer::error() const {
    const std::lock_guard lock(state_->mutex);
    return state_->error;
}

void pcap_writer::attach(transport::packet_tap& tap) {
    connection* c = nullptr;
    {
        const std::lock_guard lock(state_->mutex);
        const auto n = std::uint16_t(state_->slots.size());  // the n-th attach(), from 1
        c = &state_->slots.emplace_back();
        c->assumed_port = std::uint16_t(assumed_port + n);
    }
    state* s = state_.get();
    tap.add([s, c](const transport::tapped_packet& p) {
        const std::lock_guard lock(s->mutex);
        s->packet(*c, p);
    });
    tap.add_connection_observer([s, c](const transport::connection_event& e) {
        const std::lock_guard lock(s->mutex);
        if (e.opened) {
            s->opened(*c, e);
        } else {
            s->close(*c, e.time);
        }
    });
}

}  // namespace mqtt::tools
