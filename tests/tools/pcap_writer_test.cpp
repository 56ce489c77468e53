// pcap_writer with several connections at once: one slot per attach(), all in one file, each
// connection its own TCP stream for our capture reader (and tshark, when installed), also when
// the clients write from different threads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "capture_files.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools {
namespace {

using bytes = std::vector<std::uint8_t>;
using transport::direction;

using test_files::t0;
using test_files::temp_file;

// CONNECT with the one-byte client id `id`: protocol name, version 5, clean start, keep alive 60,
// no properties.
bytes connect_packet(char id) {
    return {0x10, 0x0e, 0x00, 0x04, 'M',  'Q',  'T',  'T',
            0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x01, std::uint8_t(id)};
}
const bytes connack_packet{0x20, 0x03, 0x00, 0x00, 0x00};  // session present 0, success, no props
// PUBLISH QoS 1 to topic "t", packet id `pid`, no properties, payload `body` (one byte).
bytes publish_packet(std::uint16_t pid, char body) {
    return {0x32,
            0x07,
            0x00,
            0x01,
            't',
            std::uint8_t(pid >> 8),
            std::uint8_t(pid),
            0x00,
            std::uint8_t(body)};
}
bytes puback_packet(std::uint16_t pid) {
    return {0x40, 0x02, std::uint8_t(pid >> 8), std::uint8_t(pid)};
}

transport::connection_event opened_at(std::uint16_t port) {
    transport::connection_event e;
    e.time = t0;
    e.local = {asio::ip::make_address("127.0.0.1"), port};
    e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
    return e;
}

// The packets of client `id`'s session: CONNECT, CONNACK, then `publishes` PUBLISH/PUBACK pairs.
std::vector<std::pair<direction, bytes>> session(char id, int publishes) {
    std::vector<std::pair<direction, bytes>> p{{direction::sent, connect_packet(id)},
                                               {direction::received, connack_packet}};
    for (int i = 1; i <= publishes; ++i) {
        p.emplace_back(direction::sent, publish_packet(std::uint16_t(i), id));
        p.emplace_back(direction::received, puback_packet(std::uint16_t(i)));
    }
    return p;
}

void expect_stream(const captured_stream& s, const std::string& client,
                   const std::vector<std::pair<direction, bytes>>& expected) {
    SCOPED_TRACE(client);
    EXPECT_EQ(s.client, client);
    EXPECT_EQ(s.server, "127.0.0.1:1883");
    EXPECT_TRUE(s.problems.empty()) << s.problems.front().text;
    ASSERT_EQ(s.packets.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(s.packets[i].dir, expected[i].first) << i;
        EXPECT_EQ(s.packets[i].bytes, expected[i].second) << i;
    }
}

// tshark's view of a file, when tshark is installed: one line per frame with MQTT or TCP
// analysis flags, "stream<TAB>flags".
std::optional<std::vector<std::string>> tshark_lines(const std::string& file,
                                                     const std::string& filter) {
    if (std::system("tshark -v >/dev/null 2>&1") != 0) return std::nullopt;
    const std::string command = "tshark -r '" + file + "' -Y '" + filter +
                                "' -T fields -e tcp.stream -e mqtt.msgtype 2>/dev/null";
    return test_files::output_lines(command);
}

TEST(PcapWriter, TwoAttachedTapsGiveTwoStreamsInOneFile) {
    const std::string f = temp_file("two.pcap");
    const auto one = session('a', 2), two = session('b', 2);
    {
        pcap_writer w(f);
        transport::packet_tap tap_a, tap_b;
        w.attach(tap_a);
        w.attach(tap_b);
        tap_a.opened(opened_at(40001));
        tap_b.opened(opened_at(40002));
        // Interleaved packet by packet, as two clients connected at the same time write.
        for (std::size_t i = 0; i < one.size(); ++i) {
            tap_a.bytes(one[i].first, one[i].second, t0);
            tap_b.bytes(two[i].first, two[i].second, t0);
        }
        tap_a.closed(t0);
        // tap_b's connection stays open: the destructor closes it.
    }
    const capture_contents c = read_capture_contents(f);
    EXPECT_FALSE(c.problem.has_value()) << *c.problem;
    ASSERT_EQ(c.streams.size(), 2u);
    expect_stream(c.streams[0], "127.0.0.1:40001", one);
    expect_stream(c.streams[1], "127.0.0.1:40002", two);

    // tshark: two TCP streams with 6 MQTT packets each, and no TCP analysis flag (no
    // retransmission, out-of-order or lost segment: the sequence numbers add up per stream).
    if (const auto mqtt = tshark_lines(f, "mqtt")) {
        std::multiset<std::string> streams;
        for (const std::string& l : *mqtt)
            streams.insert(l.substr(0, l.find('\t')));
        EXPECT_EQ(streams.count("0"), 6u);
        EXPECT_EQ(streams.count("1"), 6u);
        EXPECT_EQ(mqtt->size(), 12u);
        EXPECT_EQ(tshark_lines(f, "tcp.analysis.flags || _ws.malformed")->size(), 0u);
    }
    std::remove(f.c_str());
}

TEST(PcapWriter, DefaultSlotAndReconnectsBesideAttachedSlots) {
    const std::string f = temp_file("slots.pcap");
    {
        pcap_writer w(f);
        transport::packet_tap tap;
        w.attach(tap);
        // The default slot: packets before any opened() assume 127.0.0.1:49152.
        w.packet({direction::sent, t0, connect_packet('d')});
        // The attached slot: packets before any connection event assume the next port.
        tap.bytes(direction::sent, connect_packet('e'), t0);
        // A reconnect in the attached slot closes its connection and opens another; the default
        // slot's connection stays open.
        tap.opened(opened_at(40005));
        tap.bytes(direction::sent, connect_packet('f'), t0);
        w.packet({direction::received, t0, connack_packet});
    }
    const capture_contents c = read_capture_contents(f);
    EXPECT_FALSE(c.problem.has_value()) << *c.problem;
    ASSERT_EQ(c.streams.size(), 3u);
    expect_stream(c.streams[0], "127.0.0.1:49152",
                  {{direction::sent, connect_packet('d')}, {direction::received, connack_packet}});
    expect_stream(c.streams[1], "127.0.0.1:49153", {{direction::sent, connect_packet('e')}});
    expect_stream(c.streams[2], "127.0.0.1:40005", {{direction::sent, connect_packet('f')}});
    std::remove(f.c_str());
}

// The header's promise: clients on different threads may share one writer. Each thread feeds
// its own tap, in pieces that split packets, while the other writes; every stream comes back
// whole and in order. (A writer without its mutex corrupts the file here, and ThreadSanitizer
// names the race.)
TEST(PcapWriter, ClientsOnDifferentThreadsShareOneWriter) {
    const std::string f = temp_file("threads.pcap");
    constexpr int clients = 4, publishes = 300;
    std::vector<std::vector<std::pair<direction, bytes>>> sessions;
    for (int i = 0; i < clients; ++i)
        sessions.push_back(session(char('a' + i), publishes));
    {
        pcap_writer w(f);
        std::vector<transport::packet_tap> taps(clients);
        for (auto& tap : taps)
            w.attach(tap);
        std::vector<std::thread> threads;
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&, i] {
                auto& tap = taps[std::size_t(i)];
                tap.opened(opened_at(std::uint16_t(41000 + i)));
                for (const auto& [dir, b] : sessions[std::size_t(i)]) {
                    const bytes_view all(b);
                    tap.bytes(dir, all.first(3), t0);  // the fixed header and a bit
                    tap.bytes(dir, all.subspan(3), t0);
                }
                tap.closed(t0);
            });
        }
        for (auto& t : threads)
            t.join();
        EXPECT_EQ(w.error(), "");
    }
    const capture_contents c = read_capture_contents(f);
    EXPECT_FALSE(c.problem.has_value()) << *c.problem;
    ASSERT_EQ(c.streams.size(), std::size_t(clients));
    std::set<std::string> seen;
    for (const captured_stream& s : c.streams) {
        const int i = std::stoi(s.client.substr(s.client.find(':') + 1)) - 41000;
        ASSERT_TRUE(i >= 0 && i < clients) << s.client;
        expect_stream(s, s.client, sessions[std::size_t(i)]);
        seen.insert(s.client);
    }
    EXPECT_EQ(seen.size(), std::size_t(clients));
    std::remove(f.c_str());
}

}  // namespace
}  // namespace mqtt::tools
