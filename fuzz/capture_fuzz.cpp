// Capture files from anywhere: mqtt-inspect pcap and diff read what people hand them. Arbitrary
// bytes as a pcap/pcapng file must give streams or a capture_error, never a crash or a hang, and
// every packet that comes out is one whole MQTT packet (its fixed header frames it: its
// Remaining Length says its own size), decoded in the version its stream was given (its
// CONNECT's, or the one it decodes under). Each direction's packets do not overlap and every
// problem's place is among its stream's packets.
//
// The same bytes are also fed as one direction of a stream to the splitter that cuts captures
// into packets and resyncs after bad bytes, in chunks whose sizes come from the input: the
// resync never loops, and every byte comes out once (in a packet, skipped, or in a cut packet),
// in order, whatever the chunks.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/common/stream_splitter.hpp"

namespace {

// The packet size its fixed header's Remaining Length gives, whatever its type and flags.
std::size_t framed_size(const std::vector<std::uint8_t>& p) {
    std::size_t length = 0;
    for (std::size_t i = 0; i < 4 && i + 1 < p.size(); ++i) {
        length |= std::size_t(p[i + 1] & 0x7F) << (7 * i);
        if ((p[i + 1] & 0x80) == 0) return i + 2 + length;
    }
    return 0;  // not framed: never a packet
}

void check_splitter(const std::uint8_t* data, std::size_t size) {
    mqtt::tools::stream_splitter s;
    std::vector<mqtt::tools::split_event> events;
    std::size_t at = 0;
    for (std::size_t i = 0; at < size; ++i) {
        const std::size_t n = std::min<std::size_t>(1 + data[i % size] % 13, size - at);
        s.feed(mqtt::bytes_view(data + at, n), events);
        at += n;
    }
    s.finish(events);
    std::size_t accounted = 0;
    for (const mqtt::tools::split_event& e : events) {
        using kind = mqtt::tools::split_event::kind;
        if (e.what == kind::bad_header) continue;
        if (e.offset < accounted && e.what != kind::skipped) std::abort();
        if (e.what == kind::packet) {
            if (e.offset != accounted || framed_size(e.bytes) != e.bytes.size() ||
                !std::equal(e.bytes.begin(), e.bytes.end(), data + e.offset))
                std::abort();
            accounted += e.bytes.size();
        } else {
            accounted += e.size;
        }
    }
    if (accounted != size) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 0) check_splitter(data, size);
    std::vector<mqtt::tools::captured_stream> streams;
    try {
        streams = mqtt::tools::read_capture(mqtt::bytes_view(data, size));
    } catch (const mqtt::tools::capture_error&) {
        return 0;
    }
    for (const auto& s : streams) {
        std::array<std::size_t, 2> next_offset = {0, 0};  // per direction
        for (const auto& p : s.packets) {
            if (framed_size(p.bytes) != p.bytes.size()) std::abort();
            std::size_t& next = next_offset[p.dir == mqtt::transport::direction::sent ? 0 : 1];
            if (p.offset < next) std::abort();
            next = p.offset + p.bytes.size();
            // Each packet decodes in its stream's version (from its CONNECT, or chosen) to one
            // of the three outcomes, never need-more (it is whole), and renders in it.
            mqtt::decode_options o;
            o.version = s.version;
            const mqtt::decode_result r = mqtt::decode(p.bytes, o);
            if (r.status == mqtt::decode_status::need_more) std::abort();
            if (r.status == mqtt::decode_status::complete && r.consumed != p.bytes.size())
                std::abort();
            if (r.status == mqtt::decode_status::complete)
                (void)mqtt::to_string(r.value, s.version);
        }
        std::size_t before = 0;
        for (const auto& problem : s.problems) {
            if (problem.before_packet > s.packets.size() || problem.before_packet < before ||
                problem.text.empty())
                std::abort();
            before = problem.before_packet;
        }
    }
    return 0;
}
