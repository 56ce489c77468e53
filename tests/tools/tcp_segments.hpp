// Captures written segment by segment, the way tcpdump stores what it sees: IPv4 and TCP
// headers made here around each payload, so a test can lose, reorder, repeat or overlap
// segments. The link layer is the caller's (`frame` wraps the IP packet).
#pragma once

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mqtt::tools::test_files {

// A segment: IPv4 10.0.0.1:client_port <-> 10.0.0.2:server_port (client to server when
// `from_client`), TCP with the given sequence number and flags.
struct segment {
    bool from_client = true;
    std::uint32_t seq = 0;
    std::uint8_t flags = 0x18;  // PSH ACK
    std::vector<std::uint8_t> payload;
};

inline std::vector<std::uint8_t> ipv4_tcp(const segment& s, std::uint16_t client_port,
                                          std::uint16_t server_port) {
    std::vector<std::uint8_t> p(40 + s.payload.size());
    p[0] = 0x45;
    const std::size_t total = p.size();
    p[2] = std::uint8_t(total >> 8);
    p[3] = std::uint8_t(total);
    p[8] = 64;
    p[9] = 6;
    const std::uint8_t client[4] = {10, 0, 0, 1}, server[4] = {10, 0, 0, 2};
    std::copy_n(s.from_client ? client : server, 4, p.begin() + 12);
    std::copy_n(s.from_client ? server : client, 4, p.begin() + 16);
    const std::uint16_t sport = s.from_client ? client_port : server_port;
    const std::uint16_t dport = s.from_client ? server_port : client_port;
    p[20] = std::uint8_t(sport >> 8);
    p[21] = std::uint8_t(sport);
    p[22] = std::uint8_t(dport >> 8);
    p[23] = std::uint8_t(dport);
    for (int i = 0; i < 4; ++i)
        p[24 + std::size_t(i)] = std::uint8_t(s.seq >> (24 - 8 * i));
    p[32] = 0x50;
    p[33] = s.flags;
    std::copy(s.payload.begin(), s.payload.end(), p.begin() + 40);
    return p;
}

// Writes `segments` with `link` framing, the link-layer header made by `header`.
inline void write_capture(
    const std::string& path, int link, const std::vector<segment>& segments,
    const std::function<std::vector<std::uint8_t>(const std::vector<std::uint8_t>& ip)>& frame,
    std::uint16_t server_port = 1883) {
    pcap_t* pcap = ::pcap_open_dead(link, 262144);
    pcap_dumper_t* d = ::pcap_dump_open(pcap, path.c_str());
    ASSERT_NE(d, nullptr) << ::pcap_geterr(pcap);
    int n = 0;
    for (const segment& s : segments) {
        const std::vector<std::uint8_t> f = frame(ipv4_tcp(s, 40000, server_port));
        pcap_pkthdr h{};
        h.ts.tv_sec = 1'700'000'000 + n++;
        h.caplen = h.len = bpf_u_int32(f.size());
        ::pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
    }
    ::pcap_dump_close(d);
    ::pcap_close(pcap);
}

// Raw IP frames (DLT_RAW): `segments` as they are.
inline void write_raw_capture(const std::string& path, const std::vector<segment>& segments,
                              std::uint16_t server_port = 1883) {
    write_capture(
        path, DLT_RAW, segments, [](const std::vector<std::uint8_t>& ip) { return ip; },
        server_port);
}

}  // namespace mqtt::tools::test_files
