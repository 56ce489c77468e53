// Reading captures: our own pcap_writer's files, and frames built here by hand the way tcpdump,
// tshark and Wireshark store them (Ethernet with VLAN tags, Linux cooked SLL and SLL2, BSD
// loopback, pcapng), with TCP segments split, merged, reordered and retransmitted.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "capture_files.hpp"
#include "tcp_segments.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools {
namespace {

using bytes = std::vector<std::uint8_t>;
using transport::direction;

using test_files::ipv4_tcp;
using test_files::segment;
using test_files::t0;
using test_files::temp_file;
using test_files::write_capture;

// Packets of a short session, written by hand.
const bytes connect_packet{0x10, 0x0d, 0x00, 0x04, 'M',  'Q',  'T', 'T',
                           0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x00};
const bytes connack_packet{0x20, 0x03, 0x00, 0x00, 0x00};
const bytes publish_packet{0x32, 0x0a, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 0x00, 'h', 'i'};
const bytes puback_packet{0x40, 0x02, 0x00, 0x01};

// A stream's problems, one a line ("" when clean).
std::string all_problems(const captured_stream& s) {
    std::string out;
    for (const stream_problem& p : s.problems)
        out += p.text + '\n';
    return out;
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A session: handshake; CONNECT and CONNACK; PUBLISH split across two segments together with
// nothing else; PUBACK.
std::vector<segment> session_segments() {
    const std::uint32_t c = 1000, s = 5000;
    std::vector<segment> v{
        {true, c, 0x02, {}},
        {false, s, 0x12, {}},
        {true, c + 1, 0x10, {}},
    };
    std::uint32_t cs = c + 1, ss = s + 1;
    v.push_back({true, cs, 0x18, connect_packet});
    cs += std::uint32_t(connect_packet.size());
    v.push_back({false, ss, 0x18, connack_packet});
    ss += std::uint32_t(connack_packet.size());
    const bytes first(publish_packet.begin(), publish_packet.begin() + 5);
    const bytes rest(publish_packet.begin() + 5, publish_packet.end());
    v.push_back({true, cs, 0x18, first});
    v.push_back({true, cs + 5, 0x18, rest});
    v.push_back({false, ss, 0x18, puback_packet});
    return v;
}

void expect_session(const std::vector<captured_stream>& streams) {
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_EQ(s.client, "10.0.0.1:40000");
    EXPECT_EQ(s.server, "10.0.0.2:1883");
    EXPECT_TRUE(s.problems.empty()) << all_problems(s);
    ASSERT_EQ(s.packets.size(), 4u);
    EXPECT_EQ(s.packets[0].bytes, connect_packet);
    EXPECT_EQ(s.packets[0].dir, direction::sent);
    EXPECT_EQ(s.packets[1].bytes, connack_packet);
    EXPECT_EQ(s.packets[1].dir, direction::received);
    EXPECT_EQ(s.packets[2].bytes, publish_packet);
    EXPECT_EQ(s.packets[2].frame, 7u);  // completed by the second half
    EXPECT_EQ(s.packets[3].bytes, puback_packet);
}

bytes with_header(const bytes& header, const bytes& ip) {
    return concat({header, ip});
}

TEST(CaptureReader, ReadsRawIp) {
    const std::string f = temp_file("raw.pcap");
    write_capture(f, DLT_RAW, session_segments(), [](const bytes& ip) { return ip; });
    expect_session(read_capture(f));
    std::remove(f.c_str());
}

TEST(CaptureReader, ReadsSegmentsCapturedBeforeSegmentationOffload) {
    // A capture on the sending host shows IPv4 Total Length 0 for what the NIC splits (TSO).
    const std::string f = temp_file("tso.pcap");
    write_capture(f, DLT_RAW, session_segments(), [](const bytes& ip) {
        bytes b = ip;
        b[2] = b[3] = 0;  // Total Length
        return b;
    });
    expect_session(read_capture(f));
    std::remove(f.c_str());
}

TEST(CaptureReader, ReadsEthernetWithVlanTags) {
    const std::string f = temp_file("eth.pcap");
    write_capture(f, DLT_EN10MB, session_segments(), [](const bytes& ip) {
        // Destination and source MAC, an 802.1Q tag, then IPv4.
        return with_header(
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00}, ip);
    });
    expect_session(read_capture(f));
    std::remove(f.c_str());
}

TEST(CaptureReader, ReadsLinuxCookedSllAndSll2) {
    const std::string f = temp_file("sll.pcap");
    write_capture(f, DLT_LINUX_SLL, session_segments(), [](const bytes& ip) {
        // Packet type, ARPHRD, address length, 8 address bytes, protocol 0x0800.
        return with_header({0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00}, ip);
    });
    expect_session(read_capture(f));
    const std::string f2 = temp_file("sll2.pcap");
    write_capture(f2, 276 /* LINUX_SLL2 */, session_segments(), [](const bytes& ip) {
        // Protocol 0x0800, reserved, interface index, ARPHRD, packet type, address length,
        // 8 address bytes.
        return with_header({0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}, ip);
    });
    expect_session(read_capture(f2));
    std::remove(f.c_str());
    std::remove(f2.c_str());
}

TEST(CaptureReader, ReadsBsdLoopback) {
    const std::string f = temp_file("null.pcap");
    write_capture(f, DLT_NULL, session_segments(), [](const bytes& ip) {
        return with_header({2, 0, 0, 0}, ip);
    });
    expect_session(read_capture(f));
    std::remove(f.c_str());
}

TEST(CaptureReader, ReadsPcapng) {
    const std::string f = temp_file("conv.pcap"), ng = temp_file("conv.pcapng");
    write_capture(f, DLT_EN10MB, session_segments(), [](const bytes& ip) {
        return with_header({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00}, ip);
    });
    const std::string command = "editcap -F pcapng '" + f + "' '" + ng + "' 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
    expect_session(read_capture(ng));
    std::remove(f.c_str());
    std::remove(ng.c_str());
}

TEST(CaptureReader, PutsReorderedAndRetransmittedSegmentsBackInOrder) {
    std::vector<segment> v = session_segments();
    // The PUBLISH's second half arrives before its first, and the first is sent twice.
    std::swap(v[5], v[6]);
    v.insert(v.begin() + 7, v[6]);
    const std::string f = temp_file("reorder.pcap");
    write_capture(f, DLT_RAW, v, [](const bytes& ip) { return ip; });
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    ASSERT_EQ(streams[0].packets.size(), 4u);
    EXPECT_EQ(streams[0].packets[2].bytes, publish_packet);
    EXPECT_TRUE(streams[0].problems.empty()) << all_problems(streams[0]);
    std::remove(f.c_str());
}

TEST(CaptureReader, SeveralPacketsInOneSegment) {
    const std::vector<segment> v{
        {true, 1, 0x18, concat({connect_packet, publish_packet})},
        {false, 9, 0x18, concat({connack_packet, puback_packet})},
    };
    const std::string f = temp_file("merged.pcap");
    write_capture(f, DLT_RAW, v, [](const bytes& ip) { return ip; });
    const auto streams = read_capture(f);  // no SYN: the capture began mid-connection
    ASSERT_EQ(streams.size(), 1u);
    ASSERT_EQ(streams[0].packets.size(), 4u);
    EXPECT_EQ(streams[0].packets[1].bytes, publish_packet);
    EXPECT_EQ(streams[0].packets[3].bytes, puback_packet);
    std::remove(f.c_str());
}

TEST(CaptureReader, SaysWhatIsWrongWithAStream) {
    const std::string f = temp_file("problems.pcap");
    // A gap that never fills.
    write_capture(f, DLT_RAW, {{true, 1, 0x18, connect_packet}, {true, 500, 0x18, {0xc0, 0x00}}},
                  [](const bytes& ip) { return ip; });
    EXPECT_NE(all_problems(read_capture(f).at(0)).find("bytes missing"), std::string::npos);
    // A capture that ends inside a packet.
    write_capture(f, DLT_RAW,
                  {{true, 1, 0x18, bytes(publish_packet.begin(), publish_packet.end() - 3)}},
                  [](const bytes& ip) { return ip; });
    EXPECT_NE(all_problems(read_capture(f).at(0)).find("a packet cut by the end of the capture"),
              std::string::npos);
    // A malformed packet: a wildcard in a PUBLISH Topic Name (MQTT-3.3.2-2). It is still shown.
    write_capture(f, DLT_RAW, {{true, 1, 0x18, {0x30, 0x06, 0x00, 0x03, 'a', '/', '#', 0x00}}},
                  [](const bytes& ip) { return ip; });
    const auto malformed = read_capture(f);
    EXPECT_NE(
        all_problems(malformed.at(0)).find("frame 1, client to server, offset 0: malformed packet"),
        std::string::npos);
    EXPECT_EQ(malformed.at(0).packets.size(), 1u);
    // A PUBLISH with QoS 3 (MQTT-3.3.1-4) whose Remaining Length frames it: a malformed packet,
    // kept (the stream goes on after it: see KeepsGoingAfterAMalformedPacket).
    write_capture(f, DLT_RAW, {{true, 1, 0x18, {0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01}}},
                  [](const bytes& ip) { return ip; });
    const auto unframed = read_capture(f);
    EXPECT_EQ(unframed.at(0).packets.size(), 1u);
    EXPECT_NE(all_problems(unframed.at(0)).find("malformed packet: PUBLISH QoS: QoS 3"),
              std::string::npos)
        << all_problems(unframed.at(0));
    EXPECT_NE(all_problems(unframed.at(0)).find("0x81"), std::string::npos);
    // TLS on 8883.
    write_capture(
        f, DLT_RAW, {{true, 1, 0x18, {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5}}},
        [](const bytes& ip) { return ip; }, 8883);
    EXPECT_NE(all_problems(read_capture(f).at(0)).find("TLS records, not MQTT"), std::string::npos);
    std::remove(f.c_str());
}

// A broken record's timestamp is clamped to what a time_point holds (capture_fuzz found a
// pcapng timestamp that overflowed the conversion); here a microsecond field out of range.
TEST(CaptureReader, AbsurdTimestampsAreClamped) {
    const std::string f = temp_file("time.pcap");
    pcap_t* pcap = ::pcap_open_dead(DLT_RAW, 262144);
    pcap_dumper_t* d = ::pcap_dump_open(pcap, f.c_str());
    const bytes ip = ipv4_tcp({true, 1, 0x18, connect_packet}, 40000, 1883);
    pcap_pkthdr h{};
    h.ts.tv_sec = 2'000'000'000;
    h.ts.tv_usec = 999'999'999;
    h.caplen = h.len = bpf_u_int32(ip.size());
    ::pcap_dump(reinterpret_cast<u_char*>(d), &h, ip.data());
    ::pcap_dump_close(d);
    ::pcap_close(pcap);
    const auto streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    EXPECT_EQ(streams[0].packets.at(0).bytes, connect_packet);
    EXPECT_EQ(streams[0].packets.at(0).time.time_since_epoch(),
              std::chrono::seconds(2'000'000'000) + std::chrono::microseconds(999'999));
    std::remove(f.c_str());
}

TEST(CaptureReader, OtherPortsWhenToldOrWhenTheClientStartsWithAConnect) {
    const std::string f = temp_file("port.pcap");
    write_capture(
        f, DLT_RAW, session_segments(), [](const bytes& ip) { return ip; }, 18830);
    capture_options off;
    off.discover = false;
    EXPECT_TRUE(read_capture(f, off).empty());
    // Found by its first bytes, a CONNECT, and said so.
    const std::vector<captured_stream> found = read_capture(f);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].packets.size(), 4u);
    EXPECT_EQ(found[0].found_by,
              "port 18830 is not one of --port's: its client's first bytes are a CONNECT");
    capture_options o;
    o.ports = {18830};
    const std::vector<captured_stream> told = read_capture(f, o);
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].packets.size(), 4u);
    EXPECT_EQ(told[0].found_by, "");
    std::remove(f.c_str());
}

TEST(CaptureReader, OtherTrafficOnOtherPortsIsIgnored) {
    // An HTTP request that is no WebSocket upgrade, and bytes that are no CONNECT, on port 8080.
    const bytes http = {'G', 'E', 'T', ' ', '/', ' ',  'H',  'T',  'T',
                        'P', '/', '1', '.', '1', '\r', '\n', '\r', '\n'};
    const bytes other = {0x10, 0x05, 0x00, 0x03, 'F', 'O', 'O'};
    for (const bytes& first : {http, other}) {
        const std::string f = temp_file("other.pcap");
        write_capture(
            f, DLT_RAW, {{true, 1, 0x18, first}}, [](const bytes& ip) { return ip; }, 8080);
        EXPECT_TRUE(read_capture(f).empty());
        std::remove(f.c_str());
    }
}

TEST(CaptureReader, ErrorsNameTheFile) {
    try {
        read_capture("/no/such/capture.pcap");
        FAIL() << "no error";
    } catch (const capture_error& e) {
        EXPECT_NE(std::string(e.what()).find("/no/such/capture.pcap"), std::string::npos);
    }
    const std::string f = temp_file("wifi.pcap");
    write_capture(f, DLT_IEEE802_11, {}, [](const bytes& ip) { return ip; });
    try {
        read_capture(f);
        FAIL() << "no error";
    } catch (const capture_error& e) {
        EXPECT_NE(std::string(e.what()).find("is not one we read"), std::string::npos) << e.what();
    }
    std::remove(f.c_str());
}

TEST(CaptureReader, ReadsBackWhatPcapWriterWrote) {
    const std::string f = temp_file("own.pcap");
    const bytes big_payload(150'000, 'x');
    bytes big{0x30};  // PUBLISH QoS 0, topic "b", 150,000 bytes: Remaining Length 150,004
    std::uint32_t rl = 150'004;
    do {
        std::uint8_t b = rl % 128;
        rl /= 128;
        big.push_back(std::uint8_t(b | (rl ? 0x80 : 0)));
    } while (rl);
    big.insert(big.end(), {0x00, 0x01, 'b', 0x00});
    big.insert(big.end(), big_payload.begin(), big_payload.end());
    for (const char* ip : {"127.0.0.1", "::1"}) {
        const asio::ip::address address = asio::ip::make_address(ip);
        const asio::ip::tcp::endpoint local{address,
                                            std::uint16_t(address.is_v6() ? 40002 : 40001)};
        {
            pcap_writer w(f);
            transport::connection_event e;
            e.time = t0;
            e.local = local;
            e.remote = {address, 8883};
            e.tls = true;
            w.opened(e);
            for (const auto& [dir, b] :
                 std::vector<std::pair<direction, bytes>>{{direction::sent, connect_packet},
                                                          {direction::received, connack_packet},
                                                          {direction::sent, big}}) {
                w.packet({dir, t0, b});
            }
        }  // closes: FIN both ways
        const auto streams = read_capture(f);
        ASSERT_EQ(streams.size(), 1u);
        EXPECT_EQ(streams[0].client, transport::to_string(local));
        EXPECT_NE(streams[0].server.find(":1883"), std::string::npos);  // plain MQTT's port
        ASSERT_EQ(streams[0].packets.size(), 3u);
        EXPECT_EQ(streams[0].packets[2].bytes, big);
        EXPECT_TRUE(streams[0].problems.empty()) << all_problems(streams[0]);
    }
    std::remove(f.c_str());
}

// A file cut short, as a killed tcpdump leaves it (or `head -c`): the frames before the cut are
// read, as tshark lists them, and the cut is named. The records are found in the file by
// walking it: a 24-byte file header, then per record a 16-byte header (caplen at byte 8, in
// the writer's byte order: this host's) and caplen bytes.
std::vector<std::size_t> record_offsets(const bytes& file) {
    std::vector<std::size_t> offsets;
    for (std::size_t at = 24; at + 16 <= file.size();) {
        offsets.push_back(at);
        std::uint32_t caplen = 0;
        std::memcpy(&caplen, file.data() + at + 8, 4);
        at += 16 + caplen;
    }
    return offsets;
}

bytes file_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const bytes& b, std::size_t size) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), std::streamsize(size));
}

// With pcap_writer: the handshake (frames 1-3), one frame per packet, or one per 65,000 bytes
// of a larger one, and the FINs.
void write_own_session(const std::string& path, const std::vector<std::pair<direction, bytes>>& p) {
    pcap_writer w(path);
    transport::connection_event e;
    e.time = t0;
    e.local = {asio::ip::make_address("127.0.0.1"), 40001};
    e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
    w.opened(e);
    for (const auto& [dir, b] : p)
        w.packet({dir, t0, b});
}

TEST(CaptureReader, TruncatedFileKeepsTheFramesBeforeTheCut) {
    const std::string f = temp_file("whole.pcap"), cut = temp_file("cut.pcap");
    write_own_session(f, {{direction::sent, connect_packet},
                          {direction::received, connack_packet},
                          {direction::sent, publish_packet},
                          {direction::received, puback_packet}});
    const bytes whole = file_bytes(f);
    const std::vector<std::size_t> records = record_offsets(whole);
    ASSERT_EQ(records.size(), 10u);                // 3 handshake, 4 packets, 3 closing
    const std::size_t puback_record = records[6];  // frame 7
    // Cut in the middle of the PUBACK's bytes, then in the middle of its record header.
    for (const std::size_t size : {puback_record + 16 + 30, puback_record + 8}) {
        SCOPED_TRACE(size);
        write_bytes(cut, whole, size);
        const capture_contents c = read_capture_contents(cut);
        ASSERT_EQ(c.streams.size(), 1u);
        ASSERT_EQ(c.streams[0].packets.size(), 3u);
        EXPECT_EQ(c.streams[0].packets[0].bytes, connect_packet);
        EXPECT_EQ(c.streams[0].packets[1].bytes, connack_packet);
        EXPECT_EQ(c.streams[0].packets[2].bytes, publish_packet);
        EXPECT_TRUE(c.streams[0].problems.empty()) << all_problems(c.streams[0]);  // nothing half
        ASSERT_TRUE(c.problem.has_value());
        EXPECT_NE(c.problem->find(cut +
                                  ": the file is truncated: the record after frame 6 (byte "
                                  "offset " +
                                  std::to_string(puback_record) + ") is cut short: "),
                  std::string::npos)
            << *c.problem;
        EXPECT_NE(c.problem->find("truncated dump file"), std::string::npos) << *c.problem;
        // From memory too, and read_capture (the fuzz target's) keeps the same packets.
        const bytes in_memory(whole.begin(), whole.begin() + std::ptrdiff_t(size));
        const capture_contents m = read_capture_contents(bytes_view(in_memory));
        ASSERT_EQ(m.streams.size(), 1u);
        EXPECT_EQ(m.streams[0].packets.size(), 3u);
        EXPECT_NE(m.problem.value_or("").find("(memory): the file is truncated"),
                  std::string::npos);
        EXPECT_EQ(read_capture(bytes_view(in_memory)).at(0).packets.size(), 3u);
    }
    // Cut between two records, a file is a shorter capture: nothing to say.
    write_bytes(cut, whole, puback_record);
    const capture_contents between = read_capture_contents(cut);
    EXPECT_FALSE(between.problem.has_value()) << *between.problem;
    EXPECT_EQ(between.streams.at(0).packets.size(), 3u);
    // The whole file has no problem.
    EXPECT_FALSE(read_capture_contents(f).problem.has_value());
    std::remove(f.c_str());
    std::remove(cut.c_str());
}

// A record libpcap refuses (here a captured length over the snapshot length) stops the reading
// the same way, with libpcap's reason.
TEST(CaptureReader, ABrokenRecordKeepsTheFramesBeforeIt) {
    const std::string f = temp_file("broken.pcap");
    write_own_session(f, {{direction::sent, connect_packet},
                          {direction::received, connack_packet},
                          {direction::sent, publish_packet}});
    bytes b = file_bytes(f);
    const std::size_t publish_record = record_offsets(b).at(5);  // frame 6
    const std::uint32_t absurd = 0x7fffffff;
    std::memcpy(b.data() + publish_record + 8, &absurd, 4);
    write_bytes(f, b, b.size());
    const capture_contents c = read_capture_contents(f);
    ASSERT_EQ(c.streams.size(), 1u);
    EXPECT_EQ(c.streams[0].packets.size(), 2u);
    EXPECT_NE(c.problem.value_or("").find(f + ": the record after frame 5 (byte offset " +
                                          std::to_string(publish_record) + ") cannot be read: "),
              std::string::npos)
        << c.problem.value_or("");
    std::remove(f.c_str());
}

TEST(CaptureReader, TruncationInsideAPacketSaysItIsIncomplete) {
    // A PUBLISH of 150,008 bytes is written in three segments (frames 6, 7, 8); the file ends in
    // the middle of the second.
    bytes big{0x30, 0xf4, 0x93, 0x09, 0x00, 0x01, 'b', 0x00};  // Remaining Length 150,004
    big.resize(8 + 150'000, 'x');
    const std::string f = temp_file("big.pcap"), cut = temp_file("big_cut.pcap");
    write_own_session(f, {{direction::sent, connect_packet},
                          {direction::received, connack_packet},
                          {direction::sent, big}});
    const bytes whole = file_bytes(f);
    const std::vector<std::size_t> records = record_offsets(whole);
    ASSERT_EQ(records.size(), 11u);
    write_bytes(cut, whole, records[6] + 1000);
    const capture_contents c = read_capture_contents(cut);
    ASSERT_EQ(c.streams.size(), 1u);
    ASSERT_EQ(c.streams[0].packets.size(), 2u);
    EXPECT_EQ(c.streams[0].packets[1].bytes, connack_packet);
    EXPECT_EQ(all_problems(c.streams[0]),
              "frame 6, client to server, offset 15: a packet cut by the end of the capture: "
              "65000 of its 150008 bytes in the capture\n");
    EXPECT_NE(c.problem.value_or("").find("the file is truncated: the record after frame 6"),
              std::string::npos)
        << c.problem.value_or("");
    std::remove(f.c_str());
    std::remove(cut.c_str());
}

TEST(CaptureReader, TruncatedPcapng) {
    const std::string f = temp_file("cut_src.pcap"), ng = temp_file("cut.pcapng");
    write_capture(f, DLT_EN10MB, session_segments(), [](const bytes& ip) {
        return with_header({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00}, ip);
    });
    const std::string command = "editcap -F pcapng '" + f + "' '" + ng + "' 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
    // The last block is the PUBACK's (frame 8): cut 10 bytes off it.
    const bytes whole = file_bytes(ng);
    write_bytes(ng, whole, whole.size() - 10);
    const capture_contents c = read_capture_contents(ng);
    ASSERT_EQ(c.streams.size(), 1u);
    ASSERT_EQ(c.streams[0].packets.size(), 3u);
    EXPECT_EQ(c.streams[0].packets[2].bytes, publish_packet);
    EXPECT_NE(c.problem.value_or("").find("the file is truncated: the record after frame 7"),
              std::string::npos)
        << c.problem.value_or("");
    std::remove(f.c_str());
    std::remove(ng.c_str());
}

// MQTT over WebSocket (RFC 6455; MQTT v5 section 6), on port 9001, which is not an MQTT port:
// found by the client's upgrade request offering "mqtt". Frames written by hand; the client's
// frames are masked, with the key 00 00 00 00 where the payload is meant to stay readable.
class websocket_session {
  public:
    void client(const bytes& b) { add(true, b); }
    void server(const bytes& b) { add(false, b); }
    const std::vector<segment>& segments() const { return v_; }

  private:
    void add(bool from_client, const bytes& b) {
        std::uint32_t& seq = from_client ? c_ : s_;
        v_.push_back({from_client, seq, 0x18, b});
        seq += std::uint32_t(b.size());
    }
    std::uint32_t c_ = 1001, s_ = 5001;
    std::vector<segment> v_{
        {true, 1000, 0x02, {}}, {false, 5000, 0x12, {}}, {true, 1001, 0x10, {}}};
};

bytes text_bytes(std::string_view s) {
    return bytes(s.begin(), s.end());
}

const std::string upgrade_request =
    "GET /mqtt HTTP/1.1\r\nHost: 10.0.0.2:9001\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
const std::string upgrade_response =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";

std::vector<segment> websocket_segments() {
    websocket_session w;
    w.client(text_bytes(upgrade_request));
    w.server(text_bytes(upgrade_response));
    // The CONNECT in one binary frame, masked with the key 01 02 03 04.
    w.client({0x82, 0x8F, 0x01, 0x02, 0x03, 0x04, 0x11, 0x0F, 0x03, 0x00, 0x4C,
              0x53, 0x57, 0x50, 0x04, 0x00, 0x03, 0x38, 0x01, 0x02, 0x03});
    w.server(concat({{0x82, 0x05}, connack_packet}));  // FIN binary, 5 bytes, unmasked
    // The PUBLISH in two frames (a binary frame without FIN, then a continuation with FIN), the
    // second frame split across two TCP segments.
    w.client(concat(
        {{0x02, 0x85, 0, 0, 0, 0}, bytes(publish_packet.begin(), publish_packet.begin() + 5)}));
    w.client({0x80, 0x87, 0, 0, 0, 0, publish_packet[5], publish_packet[6]});
    w.client(bytes(publish_packet.begin() + 7, publish_packet.end()));
    w.server(concat({{0x82, 0x04}, puback_packet}));
    w.server({0x89, 0x00});                          // ping, no payload
    w.client({0x8A, 0x80, 0, 0, 0, 0});              // pong, masked, no payload
    w.client({0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8});  // close 1000
    w.server({0x88, 0x02, 0x03, 0xE8});              // close 1000
    return w.segments();
}

TEST(CaptureReader, MqttOverWebSocketIsFoundAndUnwrapped) {
    const std::string f = temp_file("ws.pcap");
    write_capture(
        f, DLT_RAW, websocket_segments(), [](const bytes& ip) { return ip; }, 9001);
    const std::vector<captured_stream> streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    const captured_stream& s = streams[0];
    EXPECT_TRUE(s.websocket);
    EXPECT_EQ(s.server, "10.0.0.2:9001");
    EXPECT_EQ(s.found_by,
              "port 9001 is not one of --port's: its client's first bytes are a WebSocket upgrade "
              "offering the mqtt subprotocol");
    EXPECT_TRUE(s.problems.empty()) << all_problems(s);
    ASSERT_EQ(s.packets.size(), 4u);
    EXPECT_EQ(s.packets[0].bytes, connect_packet);
    EXPECT_EQ(s.packets[1].bytes, connack_packet);
    EXPECT_EQ(s.packets[2].bytes, publish_packet);
    EXPECT_EQ(s.packets[2].frame, 10u);  // completed by the segment with the frame's last bytes
    EXPECT_EQ(s.packets[3].bytes, puback_packet);
    std::vector<std::string> notes;
    for (const captured_note& n : s.notes) {
        EXPECT_FALSE(n.problem) << n.text;
        notes.push_back(std::to_string(n.frame) + " " + n.text);
    }
    EXPECT_EQ(notes,
              (std::vector<std::string>{
                  "4 WebSocket upgrade request: GET /mqtt, subprotocols offered: mqtt",
                  "5 WebSocket upgrade accepted (101 Switching Protocols), subprotocol: mqtt",
                  "12 WebSocket ping (0 bytes)",
                  "13 WebSocket pong (0 bytes)",
                  "14 WebSocket close: 1000 Normal Closure",
                  "15 WebSocket close: 1000 Normal Closure",
              }));
    std::remove(f.c_str());
}

TEST(CaptureReader, WebSocketProblemsAreSaid) {
    // A text frame (MQTT-6.0.0-1) is a problem note, and its bytes are read; a refused upgrade
    // ends the stream with the server's status line.
    websocket_session w;
    w.client(text_bytes(upgrade_request));
    w.server(text_bytes(upgrade_response));
    w.client(concat({{0x81, 0x8F, 0, 0, 0, 0}, connect_packet}));
    const std::string f = temp_file("ws-text.pcap");
    write_capture(
        f, DLT_RAW, w.segments(), [](const bytes& ip) { return ip; }, 9001);
    const std::vector<captured_stream> streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    ASSERT_EQ(streams[0].packets.size(), 1u);
    EXPECT_EQ(streams[0].packets[0].bytes, connect_packet);
    ASSERT_EQ(streams[0].notes.size(), 3u);
    EXPECT_TRUE(streams[0].notes[2].problem);
    EXPECT_NE(streams[0].notes[2].text.find("MQTT-6.0.0-1"), std::string::npos);

    websocket_session refused;
    refused.client(text_bytes(upgrade_request));
    refused.server(text_bytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
    write_capture(
        f, DLT_RAW, refused.segments(), [](const bytes& ip) { return ip; }, 9001);
    const std::vector<captured_stream> r = read_capture(f);
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(r[0].problems.size(), 1u) << all_problems(r[0]);
    EXPECT_EQ(r[0].problems[0].kind, problem_kind::not_mqtt);
    EXPECT_EQ(r[0].problems[0].text,
              "frame 5, server to client, offset 0: the server refused the WebSocket upgrade: "
              "\"HTTP/1.1 403 Forbidden\"");
    std::remove(f.c_str());
}

TEST(CaptureReader, CaptureEndingInsideAWebSocketFrameSaysSo) {
    websocket_session w;
    w.client(text_bytes(upgrade_request));
    w.client({0x82, 0x8F, 0, 0, 0, 0, 0x10, 0x0D});  // 15 bytes announced, 2 captured
    const std::string f = temp_file("ws-cut.pcap");
    write_capture(
        f, DLT_RAW, w.segments(), [](const bytes& ip) { return ip; }, 9001);
    const std::vector<captured_stream> streams = read_capture(f);
    ASSERT_EQ(streams.size(), 1u);
    // The MQTT packet the frame's two bytes began, and the frame itself.
    EXPECT_EQ(all_problems(streams[0]),
              "frame 5, client to server, offset 0: a packet cut by the end of the capture: 2 of "
              "its 15 bytes in the capture\n"
              "frame 5, client to server, offset 2: the capture ends inside a WebSocket frame\n");
    std::remove(f.c_str());
}

}  // namespace
}  // namespace mqtt::tools
