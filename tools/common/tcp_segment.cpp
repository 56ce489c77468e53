#include "tools/common/tcp_segment.hpp"

#include <arpa/inet.h>
#include <pcap/dlt.h>

#include <fmt/format.h>

namespace mqtt::tools {

namespace {

// Link types libpcap reports that have no DLT_ macro on every platform.
constexpr int linktype_raw = 101;
constexpr int dlt_linux_sll2 = 276;

std::uint16_t get16(const std::uint8_t* p) {
    return std::uint16_t(p[0] << 8 | p[1]);
}
std::uint32_t get32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// Where the IP packet starts in a frame of `link` type, or nullopt (not IP, or cut short).
std::optional<std::size_t> ip_offset(int link, const std::uint8_t* d, std::size_t n) {
    switch (link) {
        case DLT_NULL:
        case DLT_LOOP:  // 4-byte address family (host or network order): read the IP version
            return n > 4 ? std::optional<std::size_t>(4) : std::nullopt;
        case DLT_RAW:
        case linktype_raw:
        case DLT_IPV4:
        case DLT_IPV6:
            return 0;
        case DLT_EN10MB: {
            std::size_t at = 12;
            while (at + 2 <= n) {
                const std::uint16_t type = get16(d + at);
                if (type == 0x8100 || type == 0x88A8) {  // VLAN tags
                    at += 4;
                    continue;
                }
                if (type == 0x0800 || type == 0x86DD) return at + 2;
                return std::nullopt;
            }
            return std::nullopt;
        }
        case DLT_LINUX_SLL:
            if (n < 16) return std::nullopt;
            return (get16(d + 14) == 0x0800 || get16(d + 14) == 0x86DD)
                       ? std::optional<std::size_t>(16)
                       : std::nullopt;
        case dlt_linux_sll2:
            if (n < 20) return std::nullopt;
            return (get16(d) == 0x0800 || get16(d) == 0x86DD) ? std::optional<std::size_t>(20)
                                                              : std::nullopt;
        default:
            return std::nullopt;
    }
}

std::string endpoint_text(bool v6, const std::uint8_t* addr, std::uint16_t port) {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, addr, buf, sizeof buf);
    return v6 ? fmt::format("[{}]:{}", buf, port) : fmt::format("{}:{}", buf, port);
}

// Parses IPv4/IPv6 + TCP. nullopt for anything else, fragments, and truncated headers.
std::optional<tcp_segment> parse_ip(const std::uint8_t* d, std::size_t n) {
    if (n < 1) return std::nullopt;
    const int version = d[0] >> 4;
    std::size_t at = 0, end = n;
    const std::uint8_t *src = nullptr, *dst = nullptr;
    bool v6 = false;
    if (version == 4) {
        if (n < 20) return std::nullopt;
        const std::size_t ihl = std::size_t(d[0] & 0x0F) * 4;
        const std::size_t total = get16(d + 2);
        if (ihl < 20 || ihl > n || d[9] != 6) return std::nullopt;
        if ((get16(d + 6) & 0x3FFF) != 0) return std::nullopt;  // a fragment
        // A Total Length of 0 is what a capture on the sending host shows for a segment the NIC
        // will split (TCP segmentation offload): the frame's own length holds then.
        end = total == 0 ? n : std::min(n, std::max(total, ihl));
        src = d + 12;
        dst = d + 16;
        at = ihl;
    } else if (version == 6) {
        if (n < 40) return std::nullopt;
        v6 = true;
        end = std::min(n, std::size_t(40) + get16(d + 4));
        src = d + 8;
        dst = d + 24;
        std::uint8_t next = d[6];
        at = 40;
        while (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination
            if (at + 2 > end) return std::nullopt;
            next = d[at];
            at += (std::size_t(d[at + 1]) + 1) * 8;
        }
        if (next != 6) return std::nullopt;  // fragments (44) and others are not followed
    } else {
        return std::nullopt;
    }
    if (at + 20 > end) return std::nullopt;
    const std::uint8_t* t = d + at;
    const std::size_t header = std::size_t(t[12] >> 4) * 4;
    if (header < 20 || at + header > end) return std::nullopt;
    tcp_segment s;
    s.sport = get16(t);
    s.dport = get16(t + 2);
    s.seq = get32(t + 4);
    s.flags = t[13];
    s.src = endpoint_text(v6, src, s.sport);
    s.dst = endpoint_text(v6, dst, s.dport);
    s.payload = bytes_view(t + header, end - at - header);
    return s;
}

}  // namespace

bool link_type_known(int link) {
    return link == DLT_NULL || link == DLT_LOOP || link == DLT_RAW || link == linktype_raw ||
           link == DLT_IPV4 || link == DLT_IPV6 || link == DLT_EN10MB || link == DLT_LINUX_SLL ||
           link == dlt_linux_sll2;
}

std::optional<tcp_segment> tcp_segment_of(int link, const std::uint8_t* frame, std::size_t n) {
    const auto at = ip_offset(link, frame, n);
    if (!at || *at >= n) return std::nullopt;
    return parse_ip(frame + *at, n - *at);
}

}  // namespace mqtt::tools
