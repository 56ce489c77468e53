// One captured frame down to its TCP segment: the link layers libpcap names that we read (raw
// IP, BSD loopback, Ethernet with VLAN tags, Linux cooked SLL and SLL2), IPv4 or IPv6 (hop-by-hop,
// routing and destination options followed; fragments not), then TCP. Pure: bytes in, fields out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/types.hpp"

namespace mqtt::tools {

struct tcp_segment {
    std::string src, dst;  // "addr:port", "[addr]:port" for IPv6
    std::uint16_t sport = 0, dport = 0;
    std::uint32_t seq = 0;
    std::uint8_t flags = 0;
    bytes_view payload;  // into the frame: valid while the frame is
};

constexpr std::uint8_t tcp_fin = 0x01, tcp_syn = 0x02, tcp_rst = 0x04;

// Whether frames of this libpcap link type (DLT_*) are ones tcp_segment_of() reads.
bool link_type_known(int link);

// The TCP segment in a frame of `link` type and `n` captured bytes; nullopt for anything else
// (not IP, not TCP, an IP fragment, headers cut short).
std::optional<tcp_segment> tcp_segment_of(int link, const std::uint8_t* frame, std::size_t n);

}  // namespace mqtt::tools
