// Messy captures, as engineers bring them from the field: a segment missing, segments
// reordered and retransmitted, malformed packets in the middle of a stream, a capture cut
// inside a packet, TLS. The reader reports each problem where it is and keeps going; tshark
// (when installed) decodes the same frames as the same packet types where it decodes them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "capture_files.hpp"
#include "handwritten_packets.hpp"
#include "protocol/codec.hpp"
#include "tcp_segments.hpp"
#include "tools/common/capture_reader.hpp"

namespace mqtt::tools {
namespace {

using bytes = std::vector<std::uint8_t>;
using test_files::segment;
using test_files::temp_file;
using test_files::write_raw_capture;
using transport::direction;

// The packets, written by hand in handwritten_packets.hpp.
using test_packets::concat;
using test_packets::connack;
using test_packets::connect_v5;
using test_packets::pingreq;
using test_packets::puback;
using test_packets::publish;
using test_packets::publish_pfi144;
using test_packets::publish_qos3;
using test_packets::reserved_type0;

// The handshake (frames 1-3) of a connection whose first data byte is 1001 from the client and
// 5001 from the server.
std::vector<segment> handshake() {
    return {{true, 1000, 0x02, {}}, {false, 5000, 0x12, {}}, {true, 1001, 0x10, {}}};
}

std::string all_problems(const captured_stream& s) {
    std::string out;
    for (const stream_problem& p : s.problems)
        out += p.text + '\n';
    return out;
}

// Each packet as "frame:type" ("6:3" a PUBLISH in frame 6), in capture order.
std::vector<std::string> frames_and_types(const captured_stream& s) {
    std::vector<std::string> out;
    for (const captured_packet& p : s.packets)
        out.push_back(std::to_string(p.frame) + ":" + std::to_string(p.bytes[0] >> 4));
    return out;
}

// tshark's MQTT packets in the same form (a frame with two packets gives two), or nullopt
// without tshark. tshark waits for a missing segment forever: after a gap it shows nothing.
std::optional<std::vector<std::string>> tshark_frames_and_types(const std::string& file) {
    if (std::system("tshark -v >/dev/null 2>&1") != 0) return std::nullopt;
    std::vector<std::string> out;
    for (const std::string& line : test_files::output_lines(
             "tshark -r '" + file +
             "' -o tcp.reassemble_out_of_order:TRUE -Y mqtt -T fields -E occurrence=a "
             "-E aggregator=, -e frame.number -e mqtt.msgtype 2>/dev/null")) {
        const std::size_t tab = line.find('\t');
        if (tab == std::string::npos) continue;
        const std::string frame = line.substr(0, tab);
        std::string types = line.substr(tab + 1);
        for (std::size_t at = 0; at <= types.size();) {
            const std::size_t comma = std::min(types.find(',', at), types.size());
            out.push_back(frame + ":" + types.substr(at, comma - at));
            at = comma + 1;
        }
    }
    return out;
}

// A segment (the client's PUBLISH id 1, frame 6 had it been captured) is missing mid-stream:
// the gap is reported with its sequence numbers and size, and decoding resumes right after it.
TEST(CaptureProblems, AMissingSegmentMidStream) {
    std::vector<segment> v = handshake();
    v.push_back({true, 1001, 0x18, connect_v5});  // frame 4
    v.push_back({false, 5001, 0x18, connack});    // frame 5
    // Not captured: {true, 1016, 0x18, publish(1)}.
    v.push_back({true, 1028, 0x18, publish(2)});  // frame 6
    v.push_back({false, 5006, 0x18, puback(2)});  // frame 7
    v.push_back({true, 1040, 0x18, pingreq});     // frame 8
    const std::string f = temp_file("gap.pcap");
    write_raw_capture(f, v);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_EQ(frames_and_types(s), (std::vector<std::string>{"4:1", "5:2", "6:3", "7:4", "8:12"}));
    EXPECT_EQ(s.packets[2].bytes, publish(2));
    EXPECT_EQ(s.packets[2].offset, 27u);
    EXPECT_TRUE(s.packets[2].resynced);
    EXPECT_FALSE(s.packets[3].resynced);
    EXPECT_EQ(all_problems(s),
              "frame 6, client to server, offset 15: 12 bytes missing from the capture before "
              "this frame (TCP sequence numbers 1016 to 1027): a segment was not captured\n"
              "frame 6, client to server, offset 27: resync: decoding resumes here, at a "
              "plausible packet start, after skipping 0 bytes\n");
    ASSERT_EQ(s.problems.size(), 2u);
    EXPECT_EQ(s.problems[0].kind, problem_kind::gap);
    EXPECT_EQ(s.problems[0].size, 12u);
    EXPECT_EQ(s.problems[0].sequence, 1016u);
    EXPECT_EQ(s.problems[0].before_packet, 2u);
    EXPECT_EQ(s.problems[1].kind, problem_kind::resync);
    EXPECT_EQ(s.problems[1].before_packet, 2u);
    // tshark shows the same packets in the same frames up to the gap, and none after it (it
    // waits for the missing bytes): ours before frame 6 and the server's PUBACK in frame 7.
    if (const auto tshark = tshark_frames_and_types(f)) {
        EXPECT_EQ(*tshark, (std::vector<std::string>{"4:1", "5:2", "7:4"}));
    }
    std::remove(f.c_str());
}

// The missing segment held the second half of one PUBLISH and the first 3 bytes of the next:
// the first is reported as cut, the rest of the second is skipped, decoding resumes at the
// PINGREQ. (tshark shows nothing for frame 6; expected text instead.)
TEST(CaptureProblems, AGapCutsAPacket) {
    const bytes first = publish(1), second = publish(2);
    std::vector<segment> v = handshake();
    v.push_back({true, 1001, 0x18, concat({connect_v5, bytes(first.begin(), first.begin() + 5)})});
    // Not captured: 7 bytes of `first`, 3 of `second`, from sequence number 1021.
    v.push_back({true, 1031, 0x18, concat({bytes(second.begin() + 3, second.end()), pingreq})});
    const std::string f = temp_file("gap_cut.pcap");
    write_raw_capture(f, v);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_EQ(frames_and_types(s), (std::vector<std::string>{"4:1", "5:12"}));
    EXPECT_TRUE(s.packets[1].resynced);
    EXPECT_EQ(all_problems(s),
              "frame 4, client to server, offset 15: a packet cut by the gap after it: 5 of its "
              "12 bytes in the capture\n"
              "frame 5, client to server, offset 20: 10 bytes missing from the capture before "
              "this frame (TCP sequence numbers 1021 to 1030): a segment was not captured\n"
              "frame 5, client to server, offset 39: resync: decoding resumes here, at a "
              "plausible packet start, after skipping 9 bytes\n");
    std::remove(f.c_str());
}

// A segment that arrived early (frame 5) stays behind a gap that never fills, while the
// segment before the gap arrives after it (frame 6): the direction is still shown in stream
// order, each packet with its own frame.
TEST(CaptureProblems, AnEarlySegmentBehindAGapComesAfterWhatPrecedesIt) {
    std::vector<segment> v = handshake();
    v.push_back({true, 1001, 0x18, connect_v5});  // frame 4
    v.push_back({true, 1040, 0x18, pingreq});     // frame 5: after the gap
    v.push_back({true, 1016, 0x18, publish(1)});  // frame 6: before it
    // Not captured: 12 bytes from sequence number 1028 (publish(2)).
    const std::string f = temp_file("early_behind_gap.pcap");
    write_raw_capture(f, v);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_EQ(frames_and_types(s), (std::vector<std::string>{"4:1", "6:3", "5:12"}));
    EXPECT_EQ(s.packets[2].offset, 39u);
    EXPECT_EQ(all_problems(s),
              "frame 5, client to server, offset 27: 12 bytes missing from the capture before "
              "this frame (TCP sequence numbers 1028 to 1039): a segment was not captured\n"
              "frame 5, client to server, offset 39: resync: decoding resumes here, at a "
              "plausible packet start, after skipping 0 bytes\n");
    EXPECT_EQ(s.problems.at(0).before_packet, 2u);
    std::remove(f.c_str());
}

// Sequence numbers wrap around inside the gap: the segment after it is found (the first in
// sequence space, though numerically the smallest) and the gap's numbers are said as TCP has
// them.
TEST(CaptureProblems, AGapAcrossTheSequenceNumberWrap) {
    const std::uint32_t isn = 0xffffffdf;  // the client's first data byte is 0xffffffe0
    std::vector<segment> v{
        {true, isn, 0x02, {}}, {false, 5000, 0x12, {}}, {true, isn + 1, 0x10, {}}};
    v.push_back({true, isn + 1, 0x18, connect_v5});  // frame 4: 0xffffffe0 to 0xffffffee
    // Not captured: publish(1) and publish(2), 24 bytes from 0xffffffef to 0x00000006.
    v.push_back({true, 0x00000007, 0x18, pingreq});  // frame 5
    v.push_back({true, 0x00000009, 0x18, pingreq});  // frame 6
    const std::string f = temp_file("wrap.pcap");
    write_raw_capture(f, v);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_EQ(frames_and_types(s), (std::vector<std::string>{"4:1", "5:12", "6:12"}));
    EXPECT_EQ(s.packets[1].offset, 39u);
    EXPECT_EQ(all_problems(s),
              "frame 5, client to server, offset 15: 24 bytes missing from the capture before "
              "this frame (TCP sequence numbers 4294967279 to 6): a segment was not captured\n"
              "frame 5, client to server, offset 39: resync: decoding resumes here, at a "
              "plausible packet start, after skipping 0 bytes\n");
    std::remove(f.c_str());
}

// Reordered, retransmitted and overlapping segments are TCP doing its job: the stream is clean.
TEST(CaptureProblems, ReorderedAndRetransmittedSegmentsStayClean) {
    const bytes p1 = publish(1);
    std::vector<segment> v = handshake();
    v.push_back({true, 1016, 0x18, bytes(p1.begin(), p1.begin() + 4)});  // 4: before CONNECT
    v.push_back({true, 1001, 0x18, connect_v5});                         // 5
    v.push_back({true, 1001, 0x18, connect_v5});                         // 6: retransmitted
    v.push_back({false, 5001, 0x18, connack});                           // 7
    // 8: overlaps the first 4 bytes again and carries 4 more.
    v.push_back({true, 1016, 0x18, bytes(p1.begin(), p1.begin() + 8)});
    v.push_back({true, 1024, 0x18, concat({bytes(p1.begin() + 8, p1.end()), pingreq})});  // 9
    v.push_back({true, 1024, 0x18, bytes(p1.begin() + 8, p1.end())});  // 10: again, older
    v.push_back({false, 5006, 0x18, puback(1)});                       // 11
    const std::string f = temp_file("reordered.pcap");
    write_raw_capture(f, v);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_TRUE(s.problems.empty()) << all_problems(s);
    EXPECT_EQ(frames_and_types(s), (std::vector<std::string>{"5:1", "7:2", "9:3", "9:12", "11:4"}));
    EXPECT_EQ(s.packets[2].bytes, p1);
    for (const captured_packet& p : s.packets)
        EXPECT_FALSE(p.resynced);
    // tshark (reassembling out-of-order segments) sees the same packets in the same frames.
    if (const auto tshark = tshark_frames_and_types(f)) {
        EXPECT_EQ(*tshark, frames_and_types(s));
    }
    std::remove(f.c_str());
}

// Malformed packets mid-stream, each in its own segment and then all in one: each is kept and
// reported at its offset, and the packets after them are decoded.
TEST(CaptureProblems, MalformedPacketsMidStream) {
    const std::vector<bytes> client{connect_v5, publish_qos3, reserved_type0, publish_pfi144,
                                    pingreq};
    const std::string expected =
        "frame {q}, client to server, offset 15: malformed packet: PUBLISH QoS: QoS 3 is not "
        "allowed (MQTT-3.3.1-4) at offset 15 (0x81 Malformed Packet)\n"
        "frame {t}, client to server, offset 27: malformed packet: Packet Type: reserved packet "
        "type 0 at offset 27 (0x81 Malformed Packet)\n"
        "frame {p}, client to server, offset 31: malformed packet: PUBLISH Payload Format "
        "Indicator: value must be 0 or 1 at offset 39 (0x82 Protocol Error)\n";
    const auto with_frames = [&](int q, int t, int p) {
        std::string e = expected;
        for (const auto& [key, n] : {std::pair{"{q}", q}, {"{t}", t}, {"{p}", p}})
            e.replace(e.find(key), 3, std::to_string(n));
        return e;
    };
    const std::string f = temp_file("malformed.pcap");
    for (const bool one_segment : {false, true}) {
        SCOPED_TRACE(one_segment);
        std::vector<segment> v = handshake();
        std::uint32_t seq = 1001;
        if (one_segment) {
            v.push_back(
                {true, seq, 0x18, concat({client[0], client[1], client[2], client[3], client[4]})});
        } else {
            for (const bytes& b : client) {
                v.push_back({true, seq, 0x18, b});
                seq += std::uint32_t(b.size());
            }
        }
        write_raw_capture(f, v);
        const auto streams = read_capture(f);
        ASSERT_EQ(streams.size(), 1u);
        const captured_stream& s = streams[0];
        ASSERT_EQ(s.packets.size(), 5u);
        for (std::size_t i = 0; i < client.size(); ++i)
            EXPECT_EQ(s.packets[i].bytes, client[i]) << i;
        EXPECT_EQ(all_problems(s), one_segment ? with_frames(4, 4, 4) : with_frames(5, 6, 7));
        ASSERT_EQ(s.problems.size(), 3u);
        EXPECT_EQ(s.problems[0].before_packet, 2u);  // right after its packet
        EXPECT_EQ(s.problems[2].before_packet, 4u);
        EXPECT_EQ(s.problems[2].kind, problem_kind::malformed);
        if (!one_segment) {
            // tshark frames the same packets; it decodes type 0 as "Unknown" and shows it too.
            if (const auto tshark = tshark_frames_and_types(f)) {
                EXPECT_EQ(*tshark, frames_and_types(s));
            }
        }
    }
    std::remove(f.c_str());
}

// A capture that stops inside a packet (the last segment holds part of it).
TEST(CaptureProblems, ACaptureCutMidPacket) {
    const bytes p1 = publish(1);
    std::vector<segment> v = handshake();
    v.push_back({true, 1001, 0x18, concat({connect_v5, bytes(p1.begin(), p1.begin() + 7)})});
    const std::string f = temp_file("cut_mid_packet.pcap");
    write_raw_capture(f, v);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    EXPECT_EQ(streams[0].packets.size(), 1u);
    EXPECT_EQ(all_problems(streams[0]),
              "frame 4, client to server, offset 15: a packet cut by the end of the capture: 7 "
              "of its 12 bytes in the capture\n");
    EXPECT_EQ(streams[0].problems.at(0).kind, problem_kind::cut);
    EXPECT_EQ(streams[0].problems.at(0).before_packet, 1u);
    std::remove(f.c_str());
}

// Someone else's TLS capture: the hint says what helps them, not only our client's flags.
TEST(CaptureProblems, TlsStreamSaysHowToReadIt) {
    std::vector<segment> v = handshake();
    // A TLS record header (handshake 0x16, version 0x0301, length 5), then 5 bytes of it.
    v.push_back({true, 1001, 0x18, {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5}});
    v.push_back({false, 5001, 0x18, {0x16, 0x03, 0x03, 0x00, 0x02, 1, 2}});  // the server's
    const std::string f = temp_file("tls.pcap");
    write_raw_capture(f, v, 8883);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    EXPECT_TRUE(streams[0].packets.empty());
    ASSERT_EQ(streams[0].problems.size(), 2u);
    EXPECT_EQ(streams[0].problems[1].text,
              "frame 5, server to client, offset 0: TLS records, not MQTT, as in the other "
              "direction");
    const stream_problem& p = streams[0].problems[0];
    EXPECT_EQ(p.kind, problem_kind::not_mqtt);
    EXPECT_EQ(p.text,
              "frame 4, client to server, offset 0: TLS records, not MQTT: the capture holds "
              "only the encrypted bytes. To read them, capture again with our tools' --pcap "
              "FILE (it writes the plain MQTT the client sends and receives), or decrypt this "
              "capture in Wireshark with the TLS key log of the client that made the "
              "connection (run it with SSLKEYLOGFILE=FILE set, or our tools with --keylog "
              "FILE)");
    std::remove(f.c_str());
}

}  // namespace
}  // namespace mqtt::tools
