// The framer splits a byte stream into packets: any chunking gives the same packets in order; an
// oversized packet is refused from its fixed header, before its body is buffered; errors are
// sticky until reset(); error offsets count from the start of the stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"

namespace mqtt {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes concat(const std::vector<bytes>& parts) {
    bytes out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A PUBLISH of topic "t", QoS 0, no properties, 200 payload bytes: Remaining Length 204 = CC 01.
bytes publish_200() {
    bytes b = {0x30, 0xCC, 0x01, 0x00, 0x01, 't', 0x00};
    for (int i = 0; i < 200; ++i)
        b.push_back(std::uint8_t(i));
    return b;
}

// Several different packets, hand-written.
const std::vector<bytes> packets = {
    // CONNECT: "MQTT" v5, Clean Start, Keep Alive 60, no properties, empty Client Identifier.
    {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00},
    // PUBLISH QoS 1 "a/b" id 7, Message Expiry 60, User Property k=v, payload "hello".
    {0x32, 0x19, 0x00, 0x03, 'a', '/',  'b',  0x00, 0x07, 0x0C, 0x02, 0x00, 0x00, 0x00,
     0x3C, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  'h',  'e',  'l',  'l',  'o'},
    // PUBACK id 7.
    {0x40, 0x02, 0x00, 0x07},
    // SUBSCRIBE id 2, "a" at QoS 1.
    {0x82, 0x07, 0x00, 0x02, 0x00, 0x00, 0x01, 'a', 0x01},
    // SUBACK id 2, granted QoS 1.
    {0x90, 0x04, 0x00, 0x02, 0x00, 0x01},
    // PINGREQ.
    {0xC0, 0x00},
    // PUBLISH with a two-byte Remaining Length.
    publish_200(),
    // DISCONNECT, Normal disconnection.
    {0xE0, 0x00},
};

// Feeds `stream` in chunks of `chunk` bytes and returns the packets that come out.
std::vector<bytes> frame_all(framer& f, const bytes& stream, std::size_t chunk) {
    std::vector<bytes> out;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
        bytes_view in = bytes_view(stream).subspan(pos, std::min(chunk, stream.size() - pos));
        while (true) {
            const frame_result r = f.feed(in);
            if (r.status == decode_status::error) {
                ADD_FAILURE() << r.error.message();
                return out;
            }
            EXPECT_LE(f.buffered(), 207u);  // never more than the largest packet of the stream
            if (r.status == decode_status::need_more) {
                EXPECT_EQ(r.consumed, in.size());
                break;
            }
            EXPECT_EQ(r.packet.size(), r.header.packet_size());
            out.emplace_back(r.packet.begin(), r.packet.end());
            in = in.subspan(r.consumed);
            if (in.empty()) break;
        }
    }
    return out;
}

TEST(framer, every_chunk_size_gives_the_same_packets) {
    const bytes stream = concat(packets);
    for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        SCOPED_TRACE("chunk size " + std::to_string(chunk));
        framer f;
        const auto out = frame_all(f, stream, chunk);
        ASSERT_EQ(out, packets);
        EXPECT_EQ(f.stream_offset(), stream.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            const auto r = decode(out[i]);
            EXPECT_EQ(r.status, decode_status::complete) << r.error.message();
            EXPECT_EQ(std::uint8_t(type_of(r.value)), packets[i][0] >> 4);
        }
    }
}

// One packet per call: a chunk holding several packets gives them one at a time.
TEST(framer, one_packet_per_call) {
    const bytes stream = concat(packets);
    framer f;
    bytes_view in = stream;
    for (const auto& p : packets) {
        const auto r = f.feed(in);
        ASSERT_EQ(r.status, decode_status::complete);
        EXPECT_EQ(r.consumed, p.size());
        EXPECT_EQ(bytes(r.packet.begin(), r.packet.end()), p);
        EXPECT_EQ(r.header.type, packet_type(p[0] >> 4));
        in = in.subspan(r.consumed);
    }
    EXPECT_TRUE(in.empty());
    const auto r = f.feed(in);
    EXPECT_EQ(r.status, decode_status::need_more);
    EXPECT_EQ(r.consumed, 0u);
}

TEST(framer, empty_input_needs_more) {
    framer f;
    const auto r = f.feed({});
    EXPECT_EQ(r.status, decode_status::need_more);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(f.buffered(), 0u);
}

// A PUBLISH announcing Remaining Length 1000 (E8 07): 1003 bytes in all.
bytes publish_1003() {
    bytes b = {0x30, 0xE8, 0x07, 0x00, 0x01, 't', 0x00};
    b.resize(1003, 0x5A);
    return b;
}

// Whole packet in one chunk: refused from the fixed header (3 bytes), its body not taken.
TEST(framer, too_large_refused_from_fixed_header_whole) {
    const bytes big = publish_1003();
    framer f(100);
    const auto r = f.feed(big);
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::packet_too_large);
    EXPECT_EQ(r.error.packet, packet_type::publish);
    EXPECT_EQ(r.error.offset, 1u);  // the Remaining Length
    EXPECT_LE(f.buffered(), 3u);
    // Only the fixed header's bytes are taken, as when the bytes come one at a time.
    EXPECT_EQ(r.consumed, 3u);
    EXPECT_EQ(f.stream_offset(), 3u);
}

// A byte at a time: need_more until the third header byte, then 0x95 at once.
TEST(framer, too_large_refused_from_fixed_header_byte_by_byte) {
    const bytes big = publish_1003();
    framer f(100);
    EXPECT_EQ(f.feed(bytes_view(big).subspan(0, 1)).status, decode_status::need_more);
    EXPECT_EQ(f.feed(bytes_view(big).subspan(1, 1)).status, decode_status::need_more);
    const auto r = f.feed(bytes_view(big).subspan(2, 1));
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::packet_too_large);
    EXPECT_EQ(r.consumed, 1u);
    EXPECT_LE(f.buffered(), 3u);
    EXPECT_EQ(f.stream_offset(), 3u);
}

// The type byte first, then the rest of the packet in one chunk: only the rest of the header is
// taken, and nothing of the body is buffered.
TEST(framer, too_large_refused_before_body_is_buffered) {
    const bytes big = publish_1003();
    framer f(100);
    ASSERT_EQ(f.feed(bytes_view(big).first(1)).status, decode_status::need_more);
    const auto r = f.feed(bytes_view(big).subspan(1));
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::packet_too_large);
    EXPECT_EQ(r.consumed, 2u);
    EXPECT_LE(f.buffered(), 3u);
}

// Maximum Packet Size counts the whole packet, fixed header included.
TEST(framer, maximum_packet_size_boundary) {
    const bytes& connect = packets[0];  // 15 bytes
    {
        framer f(15);
        EXPECT_EQ(f.feed(connect).status, decode_status::complete);
    }
    {
        framer f(14);
        const auto r = f.feed(connect);
        ASSERT_EQ(r.status, decode_status::error);
        EXPECT_EQ(r.error.reason, reason_code::packet_too_large);
    }
    {
        framer f(2);
        EXPECT_EQ(f.feed(bytes{0xC0, 0x00}).status, decode_status::complete);
    }
}

TEST(framer, set_maximum_packet_size_applies_to_the_next_packet) {
    const bytes stream = concat({packets[0], packets[0]});
    framer f;
    auto r = f.feed(stream);
    ASSERT_EQ(r.status, decode_status::complete);
    f.set_maximum_packet_size(14);
    r = f.feed(bytes_view(stream).subspan(r.consumed));
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::packet_too_large);
    EXPECT_EQ(r.error.offset, 16u);  // Remaining Length of the second CONNECT
}

// After an error the framer stays failed and takes nothing; reset() starts a new stream.
TEST(framer, stays_failed_until_reset) {
    framer f;
    const bytes bad = {0x36, 0x05, 0x00, 0x03, 'a', '/', 'b'};  // PUBLISH QoS 3 (MQTT-3.3.1-4)
    auto r = f.feed(bad);
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
    EXPECT_EQ(r.error.field, "QoS");
    const std::size_t offset_after_error = f.stream_offset();

    const bytes pingreq = {0xC0, 0x00};
    for (int i = 0; i < 3; ++i) {
        r = f.feed(pingreq);
        ASSERT_EQ(r.status, decode_status::error);
        EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
        EXPECT_EQ(r.error.field, "QoS");
        EXPECT_EQ(r.error.offset, 0u);
        EXPECT_EQ(r.consumed, 0u);
        EXPECT_EQ(f.stream_offset(), offset_after_error);
    }

    f.reset();
    EXPECT_EQ(f.buffered(), 0u);
    r = f.feed(pingreq);
    ASSERT_EQ(r.status, decode_status::complete);
    EXPECT_EQ(r.consumed, 2u);
    EXPECT_EQ(f.stream_offset(), 2u);  // a new stream
}

// reset() also drops a partial packet.
TEST(framer, reset_drops_partial_packet) {
    framer f;
    const bytes& publish = packets[1];
    ASSERT_EQ(f.feed(bytes_view(publish).first(10)).status, decode_status::need_more);
    EXPECT_EQ(f.buffered(), 10u);
    f.reset();
    EXPECT_EQ(f.buffered(), 0u);
    const auto r = f.feed(publish);
    ASSERT_EQ(r.status, decode_status::complete);
    EXPECT_EQ(bytes(r.packet.begin(), r.packet.end()), publish);
}

// Error offsets count from the stream start, whether the bad packet arrives whole or in pieces.
TEST(framer, error_offsets_count_from_stream_start) {
    // PINGREQ (2 bytes), PUBACK (4 bytes), then a PUBLISH with QoS 3 at stream offset 6.
    const bytes stream = concat({{0xC0, 0x00}, {0x40, 0x02, 0x00, 0x01}, {0x36, 0x02, 0x00, 0x01}});
    for (std::size_t chunk : {1u, 3u, 100u}) {
        SCOPED_TRACE("chunk size " + std::to_string(chunk));
        framer f;
        decode_error error;
        bool failed = false;
        int complete = 0;
        for (std::size_t pos = 0; pos < stream.size() && !failed; pos += chunk) {
            bytes_view in = bytes_view(stream).subspan(pos, std::min(chunk, stream.size() - pos));
            while (!in.empty()) {
                const auto r = f.feed(in);
                if (r.status == decode_status::error) {
                    error = r.error;
                    failed = true;
                    break;
                }
                if (r.status == decode_status::complete) ++complete;
                in = in.subspan(r.consumed);
            }
        }
        EXPECT_EQ(complete, 2);
        ASSERT_TRUE(failed);
        EXPECT_EQ(error.reason, reason_code::malformed_packet);
        EXPECT_EQ(error.field, "QoS");
        EXPECT_EQ(error.offset, 6u);
    }
}

TEST(framer, remaining_length_error_offset_from_stream_start) {
    // PINGREQ, then a PINGREQ whose Remaining Length is written 80 00 (MQTT-1.5.5-1).
    const bytes stream = {0xC0, 0x00, 0xC0, 0x80, 0x00};
    framer f;
    auto r = f.feed(stream);
    ASSERT_EQ(r.status, decode_status::complete);
    r = f.feed(bytes_view(stream).subspan(r.consumed));
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
    EXPECT_EQ(r.error.field, "Remaining Length");
    EXPECT_EQ(r.error.offset, 3u);
}

// Errors inside a packet's body come from decode(); giving it the packet's stream offset as
// base_offset makes them count from the stream start too.
TEST(framer, body_error_offset_with_base_offset) {
    // PINGREQ, PUBACK, then PUBLISH "a/+" (MQTT-3.3.2-2) at stream offset 6.
    const bytes stream = concat(
        {{0xC0, 0x00}, {0x40, 0x02, 0x00, 0x01}, {0x30, 0x06, 0x00, 0x03, 'a', '/', '+', 0x00}});
    framer f;
    bytes_view in = stream;
    frame_result r;
    for (int i = 0; i < 3; ++i) {
        r = f.feed(in);
        ASSERT_EQ(r.status, decode_status::complete);
        in = in.subspan(r.consumed);
    }
    decode_options opts;
    opts.base_offset = f.stream_offset() - r.packet.size();
    EXPECT_EQ(opts.base_offset, 6u);
    const auto d = decode(r.packet, opts);
    ASSERT_EQ(d.status, decode_status::error);
    EXPECT_EQ(d.error.reason, reason_code::topic_name_invalid);
    EXPECT_EQ(d.error.offset, 8u);  // the Topic Name
}

// A 1 MiB PUBLISH fed in 4 KiB chunks, followed in the last chunk by a PINGREQ.
TEST(framer, one_mebibyte_publish_in_4_kib_chunks) {
    constexpr std::size_t payload_size = 1 << 20;
    // Remaining Length = topic "big" (5) + Property Length (1) + 1,048,576 = 1,048,582 = 86 80 40.
    bytes stream = {0x30, 0x86, 0x80, 0x40, 0x00, 0x03, 'b', 'i', 'g', 0x00};
    const std::size_t header_and_topic = stream.size();
    for (std::size_t i = 0; i < payload_size; ++i)
        stream.push_back(std::uint8_t(i * 7 + (i >> 12)));
    const std::size_t publish_size = stream.size();
    stream.insert(stream.end(), {0xC0, 0x00});

    framer f;
    std::vector<bytes> out;
    constexpr std::size_t chunk = 4096;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
        bytes_view in = bytes_view(stream).subspan(pos, std::min(chunk, stream.size() - pos));
        while (!in.empty()) {
            const auto r = f.feed(in);
            ASSERT_NE(r.status, decode_status::error) << r.error.message();
            if (r.status == decode_status::need_more) {
                ASSERT_EQ(r.consumed, in.size());
                ASSERT_LE(f.buffered(), publish_size);
                break;
            }
            if (out.empty()) {  // the big one: decode it while the view is valid
                EXPECT_EQ(r.header.remaining_length, 1'048'582u);
                EXPECT_EQ(r.header.size, 4u);
                const auto d = decode(r.packet);
                ASSERT_EQ(d.status, decode_status::complete) << d.error.message();
                const auto& p = std::get<publish>(d.value);
                EXPECT_EQ(p.topic, "big");
                ASSERT_EQ(p.payload.size(), payload_size);
                EXPECT_TRUE(std::equal(p.payload.begin(), p.payload.end(),
                                       stream.begin() + std::ptrdiff_t(header_and_topic)));
            }
            out.emplace_back(r.packet.begin(), r.packet.end());
            in = in.subspan(r.consumed);
        }
    }
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].size(), publish_size);
    EXPECT_EQ(out[1], (bytes{0xC0, 0x00}));
    EXPECT_EQ(f.stream_offset(), stream.size());
}

}  // namespace
}  // namespace mqtt
