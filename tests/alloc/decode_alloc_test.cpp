// Decoding allocates nothing: the global operator new/delete are replaced by counting versions
// (tools/bench/alloc_count.cpp), and the tests count heap allocations made while decode(), list
// iteration, framer.feed() (once its buffer has grown) and encode() into a caller buffer run. A
// separate binary, because replacing operator new affects the whole program.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "tools/bench/alloc_count.hpp"

namespace mqtt {
namespace {

using bench::allocation_counter;  // the global allocation functions count (alloc_count.cpp)

using bytes = std::vector<std::uint8_t>;

// PUBLISH QoS 1, topic "sensors/room1/t1" (16 bytes), Packet Identifier 42, properties in
// identifier order (as the encoder writes them), 64-byte payload 00..3F.
bytes publish_packet() {
    bytes b = {
        0x32, 0x7C,  // PUBLISH QoS 1, Remaining Length 124
        0x00, 0x10, 's',  'e',  'n',  's',  'o',  'r', 's', '/', 'r', 'o', 'o', 'm', '1', '/', 't',
        '1',                           // Topic Name
        0x00, 0x2A,                    // Packet Identifier 42
        0x27,                          // Property Length 39
        0x02, 0x00, 0x00, 0x00, 0x3C,  // Message Expiry Interval 60
        0x03, 0x00, 0x0A, 't',  'e',  'x',  't',  '/', 'p', 'l', 'a', 'i', 'n',  // Content Type
        0x09, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF,                                // Correlation Data
        0x26, 0x00, 0x01, 'a',  0x00, 0x01, '1',  // User Property a=1
        0x26, 0x00, 0x01, 'b',  0x00, 0x01, '2',  // User Property b=2
    };
    for (std::uint8_t i = 0; i < 64; ++i)
        b.push_back(i);  // Payload
    return b;
}

TEST(decode_alloc, publish_with_properties_allocates_nothing) {
    const bytes input = publish_packet();
    ASSERT_EQ(input.size(), 126u);
    decode_result r;
    std::size_t n;
    {
        allocation_counter counter;
        r = decode(input);
        n = counter.count();
    }
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(n, 0u);
    const auto& p = std::get<publish>(r.value);
    EXPECT_EQ(p.topic, "sensors/room1/t1");
    EXPECT_EQ(p.packet_id, 42);
    EXPECT_EQ(p.payload.size(), 64u);
    EXPECT_EQ(p.props.message_expiry_interval, 60u);
    EXPECT_EQ(p.props.content_type, "text/plain");
    EXPECT_EQ(p.props.user_properties.size(), 2u);
}

TEST(decode_alloc, iterating_user_properties_allocates_nothing) {
    const bytes input = publish_packet();
    const auto r = decode(input);
    ASSERT_EQ(r.status, decode_status::complete);
    const auto& p = std::get<publish>(r.value);
    std::array<string_pair, 2> seen{};
    std::size_t i = 0, n;
    {
        allocation_counter counter;
        for (const string_pair& up : p.props.user_properties) {
            if (i < seen.size()) seen[i] = up;
            ++i;
        }
        n = counter.count();
    }
    EXPECT_EQ(n, 0u);
    ASSERT_EQ(i, 2u);
    EXPECT_EQ(seen[0], (string_pair{"a", "1"}));
    EXPECT_EQ(seen[1], (string_pair{"b", "2"}));
}

// SUBSCRIBE id 5, Subscription Identifier 7, three filters.
bytes subscribe_3_filters() {
    return {
        0x82, 0x1B,                        // SUBSCRIBE, Remaining Length 27
        0x00, 0x05,                        // Packet Identifier 5
        0x02, 0x0B, 0x07,                  // Property Length 2, Subscription Identifier 7
        0x00, 0x03, 'a',  '/', 'b', 0x01,  // "a/b", Maximum QoS 1
        0x00, 0x03, 'c',  '/', '+', 0x06,  // "c/+", Maximum QoS 2, No Local
        0x00, 0x07, 's',  'p', 'o', 'r',  't', '/', '#',
        0x28,  // "sport/#", Retain As Published, Retain Handling 2
    };
}

TEST(decode_alloc, subscribe_with_three_filters_allocates_nothing) {
    const bytes input = subscribe_3_filters();
    decode_result r;
    std::array<subscription, 3> seen{};
    std::size_t i = 0, n;
    {
        allocation_counter counter;
        r = decode(input);
        if (r.status == decode_status::complete) {
            for (const subscription& s : std::get<subscribe>(r.value).subscriptions) {
                if (i < seen.size()) seen[i] = s;
                ++i;
            }
        }
        n = counter.count();
    }
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(n, 0u);
    ASSERT_EQ(i, 3u);
    EXPECT_EQ(seen[0].topic_filter, "a/b");
    EXPECT_EQ(seen[1].topic_filter, "c/+");
    EXPECT_TRUE(seen[1].no_local);
    EXPECT_EQ(seen[2].topic_filter, "sport/#");
    EXPECT_EQ(seen[2].retain_handling, retain_handling::do_not_send);
}

// A malformed packet is reported without allocating too (decode_error holds static strings).
TEST(decode_alloc, error_allocates_nothing) {
    bytes input = publish_packet();
    input[6] = '+';  // a wildcard in the Topic Name
    decode_result r;
    std::size_t n;
    {
        allocation_counter counter;
        r = decode(input);
        n = counter.count();
    }
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::topic_name_invalid);
    EXPECT_EQ(n, 0u);
}

// Once its buffer has grown to the largest packet, feeding the framer allocates nothing.
TEST(decode_alloc, framer_steady_state_allocates_nothing) {
    bytes stream = publish_packet();
    const bytes sub = subscribe_3_filters();
    stream.insert(stream.end(), sub.begin(), sub.end());
    stream.insert(stream.end(), {0xC0, 0x00});  // PINGREQ

    framer f;
    // Feeds the stream in 10-byte chunks (so packets are buffered) and decodes every packet.
    const auto run = [&] {
        std::size_t packets = 0;
        for (std::size_t pos = 0; pos < stream.size(); pos += 10) {
            bytes_view in =
                bytes_view(stream).subspan(pos, std::min<std::size_t>(10, stream.size() - pos));
            while (!in.empty()) {
                const frame_result r = f.feed(in);
                if (r.status == decode_status::error) return std::size_t(0);
                if (r.status == decode_status::complete) {
                    if (decode(r.packet).status != decode_status::complete) return std::size_t(0);
                    ++packets;
                }
                in = in.subspan(r.consumed);
            }
        }
        return packets;
    };
    ASSERT_EQ(run(), 3u);  // grows the buffer
    std::size_t packets, n;
    {
        allocation_counter counter;
        packets = run();
        n = counter.count();
    }
    EXPECT_EQ(packets, 3u);
    EXPECT_EQ(n, 0u);
}

TEST(decode_alloc, encode_publish_into_caller_buffer_allocates_nothing) {
    const bytes input = publish_packet();
    const auto r = decode(input);
    ASSERT_EQ(r.status, decode_status::complete);
    const packet& p = r.value;
    std::array<std::uint8_t, 256> out{};
    std::size_t written, n;
    std::optional<std::size_t> size;
    {
        allocation_counter counter;
        size = encoded_size(p);
        written = encode(p, out);
        n = counter.count();
    }
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(size, input.size());
    ASSERT_EQ(written, input.size());
    EXPECT_EQ(bytes(out.begin(), out.begin() + std::ptrdiff_t(written)), input);
}

// The same from a packet built by the caller (list_views over the caller's arrays).
TEST(decode_alloc, encode_caller_built_publish_allocates_nothing) {
    const std::array<string_pair, 2> user = {string_pair{"a", "1"}, string_pair{"b", "2"}};
    const std::array<std::uint8_t, 4> correlation = {0xDE, 0xAD, 0xBE, 0xEF};
    std::array<std::uint8_t, 64> payload{};
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = std::uint8_t(i);
    publish p;
    p.qos = qos::at_least_once;
    p.topic = "sensors/room1/t1";
    p.packet_id = 42;
    p.props.message_expiry_interval = 60;
    p.props.content_type = "text/plain";
    p.props.correlation_data = bytes_view(correlation);
    p.props.user_properties = std::span<const string_pair>(user);
    p.payload = payload;
    const packet pk = p;  // constructing the variant copies views only

    std::array<std::uint8_t, 256> out{};
    std::size_t written, n;
    {
        allocation_counter counter;
        written = encode(pk, out);
        n = counter.count();
    }
    EXPECT_EQ(n, 0u);
    const bytes expected = publish_packet();
    ASSERT_EQ(written, expected.size());
    EXPECT_EQ(bytes(out.begin(), out.begin() + std::ptrdiff_t(written)), expected);
}

// The counter itself works: a vector allocation is seen.
std::vector<int>* volatile sink = nullptr;

TEST(decode_alloc, counter_sees_allocations) {
    std::size_t n;
    {
        allocation_counter counter;
        sink = new std::vector<int>(100);  // through a volatile, so it cannot be elided
        delete sink;
        n = counter.count();
    }
    EXPECT_EQ(n, 2u);
}

}  // namespace
}  // namespace mqtt
