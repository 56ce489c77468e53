// The splitter that cuts a captured direction into packets and keeps going past bad bytes:
// hand-written streams, each fed whole and one byte at a time (the events must not depend on
// how the bytes arrive in segments).
#include "tools/common/stream_splitter.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "handwritten_packets.hpp"

namespace mqtt::tools {
namespace {

using bytes = std::vector<std::uint8_t>;

// Packets written by hand, a comment per field (and handwritten_packets.hpp's).
using test_packets::connect_v5;
const bytes publish_qos1 = test_packets::publish(2);  // Packet Identifier 2
const bytes puback = test_packets::puback(2);
using test_packets::concat;
using test_packets::pingreq;
using test_packets::publish_qos3;
using test_packets::reserved_type0;

// The events as text, one a line: "packet 15+12 resynced", "bad_header 0: ...", ...
std::string text(const std::vector<split_event>& events) {
    std::string out;
    for (const split_event& e : events) {
        switch (e.what) {
            case split_event::kind::packet:
                out += fmt::format("packet {}+{}{}\n", e.offset, e.bytes.size(),
                                   e.resynced ? " resynced" : "");
                break;
            case split_event::kind::bad_header:
                out += fmt::format("bad_header {}: {}\n", e.offset, e.reason);
                break;
            case split_event::kind::resync:
                out += fmt::format("resync {} after {}\n", e.offset, e.size);
                break;
            case split_event::kind::skipped:
                out += fmt::format("skipped {}+{}\n", e.offset, e.size);
                break;
            case split_event::kind::cut:
                out += fmt::format("cut {}: {}\n", e.offset, e.reason);
                break;
        }
    }
    return out;
}

// `stream` fed whole, then finished.
std::vector<split_event> split_whole(const bytes& stream) {
    stream_splitter s;
    std::vector<split_event> events;
    s.feed(stream, events);
    s.finish(events);
    return events;
}

// `stream` fed one byte at a time, then finished.
std::vector<split_event> split_bytewise(const bytes& stream) {
    stream_splitter s;
    std::vector<split_event> events;
    for (const std::uint8_t b : stream)
        s.feed(bytes_view(&b, 1), events);
    s.finish(events);
    return events;
}

void expect_split(const bytes& stream, const std::string& expected) {
    EXPECT_EQ(text(split_whole(stream)), expected);
    EXPECT_EQ(text(split_bytewise(stream)), expected);
}

TEST(StreamSplitter, CleanStreamIsItsPackets) {
    const bytes stream = concat({connect_v5, publish_qos1, puback, pingreq});
    expect_split(stream, "packet 0+15\npacket 15+12\npacket 27+4\npacket 31+2\n");
    const std::vector<split_event> events = split_whole(stream);
    EXPECT_EQ(events[1].bytes, publish_qos1);
}

// An invalid type or flags byte whose Remaining Length frames a packet that ends where the next
// plausible one starts: handed out whole (decoding names the fault), and the stream goes on.
TEST(StreamSplitter, KeepsGoingAfterAPacketWithInvalidTypeOrFlags) {
    expect_split(concat({connect_v5, publish_qos3, reserved_type0, pingreq}),
                 "packet 0+15\npacket 15+12\npacket 27+4\npacket 31+2\n");
    // The last packet of the data too.
    expect_split(concat({pingreq, publish_qos3}), "packet 0+2\npacket 2+12\n");
}

// A Remaining Length longer than 4 bytes (spec 1.5.5) frames nothing: a bad header, then bytes
// are skipped up to a fixed header whose packet ends right before another valid one.
TEST(StreamSplitter, ResyncsAfterABadFixedHeader) {
    const bytes garbage{
        0xc0, 0xff, 0xff, 0xff, 0xff,  // PINGREQ with a 5-byte Remaining Length
        0x7f,                          // type 7 (PUBCOMP) with flags 1111: not a start
    };
    expect_split(
        concat({garbage, pingreq, puback}),
        "bad_header 0: PINGREQ Remaining Length: Variable Byte Integer longer than 4 bytes at "
        "offset 1 (0x81 Malformed Packet)\n"
        "resync 6 after 6\npacket 6+2 resynced\npacket 8+4\n");
    // A bad type byte whose Remaining Length leads nowhere plausible: the QoS 3 PUBLISH's 12
    // bytes are followed by 0xff (AUTH with flags 1111), so it is not taken as a packet.
    expect_split(concat({publish_qos3, {0xff, 0xff}, pingreq}),
                 "bad_header 0: PUBLISH QoS: QoS 3 is not allowed (MQTT-3.3.1-4) at offset 0 "
                 "(0x81 Malformed Packet)\n"
                 "resync 14 after 14\npacket 14+2 resynced\n");
}

// Nothing plausible up to the end: the bytes are said to be skipped, none lost silently.
TEST(StreamSplitter, NothingPlausibleToTheEnd) {
    expect_split({0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02},
                 "bad_header 0: AUTH Reserved: fixed header flags must be 0000 (MQTT-2.1.3-1) at "
                 "offset 0 (0x81 Malformed Packet)\n"
                 "skipped 0+7\n");
}

// A gap cuts a PUBLISH (5 of its 12 bytes are there) and the first 3 bytes of the next; after
// it, the rest of that PUBLISH is skipped, including 0x62 0x00 (a valid PUBREL header whose
// packet is followed by 0x02, type 0: not plausible), up to the PINGREQ.
TEST(StreamSplitter, AGapCutsAPacketThenResyncs) {
    const bytes second{0x32, 0x0a, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x02, 0x00, 'h', 'i'};
    for (const bool bytewise : {false, true}) {
        SCOPED_TRACE(bytewise);
        stream_splitter s;
        std::vector<split_event> events;
        const auto feed = [&](const bytes& b) {
            if (!bytewise) return s.feed(b, events);
            for (const std::uint8_t c : b)
                s.feed(bytes_view(&c, 1), events);
        };
        feed(concat({connect_v5, bytes(publish_qos1.begin(), publish_qos1.begin() + 5)}));
        s.gap(7 + 3, events);
        EXPECT_EQ(s.offset(), 30u);
        feed(concat({bytes(second.begin() + 3, second.end()), pingreq}));
        s.finish(events);
        EXPECT_EQ(text(events),
                  "packet 0+15\ncut 15: 5 of its 12 bytes\nresync 39 after 9\n"
                  "packet 39+2 resynced\n");
    }
}

TEST(StreamSplitter, TheEndCutsAHeaderOrAPacket) {
    expect_split({0x30}, "cut 0: 1 bytes of its fixed header\n");
    expect_split(concat({pingreq, bytes(publish_qos1.begin(), publish_qos1.begin() + 4)}),
                 "packet 0+2\ncut 2: 4 of its 12 bytes\n");
}

// Whatever the bytes and however they arrive: the same events, and every byte accounted for
// once (in a packet, skipped, or in a cut packet), at increasing offsets.
TEST(StreamSplitter, AnyBytesAreAccountedForOnce) {
    std::mt19937 random(15);
    for (int round = 0; round < 300; ++round) {
        bytes stream(random() % 200);
        for (std::uint8_t& b : stream)
            b = std::uint8_t(random() % 4 == 0 ? 0x00 : random());
        if (round % 3 == 0) stream.insert(stream.end(), pingreq.begin(), pingreq.end());
        const std::vector<split_event> whole = split_whole(stream);
        stream_splitter s;
        std::vector<split_event> chunked;
        for (std::size_t at = 0; at < stream.size();) {
            const std::size_t n = std::min<std::size_t>(1 + random() % 7, stream.size() - at);
            s.feed(bytes_view(stream).subspan(at, n), chunked);
            at += n;
        }
        s.finish(chunked);
        ASSERT_EQ(text(whole), text(chunked)) << round;
        std::size_t accounted = 0;
        for (const split_event& e : whole) {
            if (e.what == split_event::kind::packet) {
                ASSERT_EQ(e.offset, accounted) << text(whole);
                accounted += e.bytes.size();
            } else if (e.what != split_event::kind::bad_header) {
                accounted += e.size;
            }
        }
        EXPECT_EQ(accounted, stream.size()) << text(whole);
    }
}

}  // namespace
}  // namespace mqtt::tools
