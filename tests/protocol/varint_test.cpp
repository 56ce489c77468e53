// Variable Byte Integers (spec 1.5.5) at every length boundary, read as a Remaining Length and as a
// Subscription Identifier; non-minimal and five-byte forms refused (MQTT-1.5.5-1); incomplete
// forms need more bytes; encoding picks the right fixed-header length.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/codec.hpp"

namespace mqtt {
namespace {

using bytes = std::vector<std::uint8_t>;

struct varint_case {
    std::uint32_t value;
    bytes encoded;  // written by hand: 7 bits per byte, least significant group first
};

const std::vector<varint_case> boundaries = {
    {0, {0x00}},
    {127, {0x7F}},
    {128, {0x80, 0x01}},
    {16'383, {0xFF, 0x7F}},
    {16'384, {0x80, 0x80, 0x01}},
    {2'097'151, {0xFF, 0xFF, 0x7F}},
    {2'097'152, {0x80, 0x80, 0x80, 0x01}},
    {268'435'455, {0xFF, 0xFF, 0xFF, 0x7F}},
};

// Encodings of a value in more bytes than needed (MQTT-1.5.5-1).
const std::vector<bytes> non_minimal = {
    {0x80, 0x00},              // 0 in two bytes
    {0xFF, 0x00},              // 127 in two bytes
    {0x80, 0x80, 0x00},        // 0 in three bytes
    {0x80, 0x81, 0x00},        // 128 in three bytes
    {0xFF, 0xFF, 0x00},        // 16,383 in three bytes
    {0x80, 0x80, 0x80, 0x00},  // 0 in four bytes
    {0xFF, 0xFF, 0xFF, 0x00},  // 2,097,151 in four bytes
};

// Five bytes: a Variable Byte Integer has at most four.
const std::vector<bytes> five_bytes = {
    {0xFF, 0xFF, 0xFF, 0xFF, 0x7F},
    {0x80, 0x80, 0x80, 0x80, 0x01},
};

// A PUBLISH type byte followed by `rl` as its Remaining Length.
bytes publish_header(const bytes& rl) {
    bytes b = {0x30};
    b.insert(b.end(), rl.begin(), rl.end());
    return b;
}

// SUBSCRIBE id 1 with one Subscription Identifier written as `id`, subscribing to "a" at QoS 0.
bytes subscribe_with_identifier(const bytes& id) {
    const auto property_length = std::uint8_t(1 + id.size());
    bytes b = {0x82, std::uint8_t(2 + 1 + property_length + 4), 0x00, 0x01, property_length, 0x0B};
    b.insert(b.end(), id.begin(), id.end());
    b.insert(b.end(), {0x00, 0x01, 'a', 0x00});
    return b;
}

TEST(varint, remaining_length_boundaries) {
    for (const auto& c : boundaries) {
        SCOPED_TRACE(c.value);
        auto input = publish_header(c.encoded);
        auto h = decode_fixed_header(input);
        ASSERT_EQ(h.status, decode_status::complete) << h.error.message();
        EXPECT_EQ(h.header.type, packet_type::publish);
        EXPECT_EQ(h.header.remaining_length, c.value);
        EXPECT_EQ(h.header.size, 1 + c.encoded.size());
        EXPECT_EQ(h.header.packet_size(), 1 + c.encoded.size() + c.value);
    }
}

// The largest packet MQTT can frame passes the default Maximum Packet Size.
TEST(varint, largest_remaining_length_fits_default_maximum) {
    auto h = decode_fixed_header(publish_header({0xFF, 0xFF, 0xFF, 0x7F}));
    ASSERT_EQ(h.status, decode_status::complete);
    EXPECT_EQ(h.header.packet_size(), max_packet_size_limit);
}

TEST(varint, subscription_identifier_boundaries) {
    for (const auto& c : boundaries) {
        SCOPED_TRACE(c.value);
        auto input = subscribe_with_identifier(c.encoded);
        auto r = decode(input);
        if (c.value == 0) {  // Subscription Identifier 0 is a Protocol Error (spec 3.8.2.1.2)
            ASSERT_EQ(r.status, decode_status::error);
            EXPECT_EQ(r.error.reason, reason_code::protocol_error);
            continue;
        }
        ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
        EXPECT_EQ(r.consumed, input.size());
        const auto& s = std::get<subscribe>(r.value);
        ASSERT_EQ(s.props.subscription_identifiers.size(), 1u);
        EXPECT_EQ(*s.props.subscription_identifiers.begin(), c.value);
    }
}

TEST(varint, non_minimal_remaining_length_refused_MQTT_1_5_5_1) {
    for (const auto& enc : non_minimal) {
        SCOPED_TRACE(testing::PrintToString(enc));
        auto input = publish_header(enc);
        auto h = decode_fixed_header(input);
        ASSERT_EQ(h.status, decode_status::error);
        EXPECT_EQ(h.error.reason, reason_code::malformed_packet);
        EXPECT_EQ(h.error.field, "Remaining Length");
        EXPECT_EQ(h.error.offset, 1u);
        // Followed by plenty of bytes, so it is not taken for a short read.
        input.resize(input.size() + 300, 0x00);
        auto r = decode(input);
        ASSERT_EQ(r.status, decode_status::error);
        EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
    }
}

TEST(varint, non_minimal_subscription_identifier_refused_MQTT_1_5_5_1) {
    // Zero in any longer form would be refused for its value too: skip those.
    for (const bytes& enc : {bytes{0xFF, 0x00}, bytes{0x80, 0x81, 0x00}, bytes{0xFF, 0xFF, 0x00},
                             bytes{0xFF, 0xFF, 0xFF, 0x00}}) {
        SCOPED_TRACE(testing::PrintToString(enc));
        auto r = decode(subscribe_with_identifier(enc));
        ASSERT_EQ(r.status, decode_status::error);
        EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
        EXPECT_EQ(r.error.offset, 6u);  // the first byte of the Variable Byte Integer
    }
}

TEST(varint, non_minimal_property_length_refused_MQTT_1_5_5_1) {
    // PUBACK id 1, reason 00, Property Length 0 written as 80 00.
    const bytes input = {0x40, 0x05, 0x00, 0x01, 0x00, 0x80, 0x00};
    auto r = decode(input);
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
    EXPECT_EQ(r.error.field, "Property Length");
    EXPECT_EQ(r.error.offset, 5u);
}

TEST(varint, five_byte_form_refused) {
    for (const auto& enc : five_bytes) {
        SCOPED_TRACE(testing::PrintToString(enc));
        auto h = decode_fixed_header(publish_header(enc));
        ASSERT_EQ(h.status, decode_status::error);
        EXPECT_EQ(h.error.reason, reason_code::malformed_packet);
        EXPECT_EQ(h.error.field, "Remaining Length");
        EXPECT_EQ(h.error.offset, 1u);
        // Refused as soon as the fourth byte still has its continuation bit.
        auto four = publish_header(bytes(enc.begin(), enc.begin() + 4));
        EXPECT_EQ(decode_fixed_header(four).status, decode_status::error);
        EXPECT_EQ(decode(four).status, decode_status::error);
    }
    // As a Subscription Identifier too.
    auto r = decode(subscribe_with_identifier({0xFF, 0xFF, 0xFF, 0xFF, 0x7F}));
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
}

TEST(varint, incomplete_remaining_length_needs_more) {
    EXPECT_EQ(decode_fixed_header({}).status, decode_status::need_more);
    EXPECT_EQ(decode(bytes{}).status, decode_status::need_more);
    for (const bytes& enc : {bytes{}, bytes{0x80}, bytes{0xFF}, bytes{0x80, 0x80},
                             bytes{0xFF, 0xFF}, bytes{0x80, 0x80, 0x80}, bytes{0xFF, 0xFF, 0xFF}}) {
        SCOPED_TRACE(testing::PrintToString(enc));
        auto input = publish_header(enc);
        EXPECT_EQ(decode_fixed_header(input).status, decode_status::need_more);
        EXPECT_EQ(decode(input).status, decode_status::need_more);
    }
}

// A complete Remaining Length whose packet body has not arrived yet.
TEST(varint, incomplete_body_needs_more) {
    const bytes input = {0x30, 0x80, 0x01, 0x00, 0x01, 't'};  // Remaining Length 128, 3 present
    auto h = decode_fixed_header(input);
    ASSERT_EQ(h.status, decode_status::complete);
    EXPECT_EQ(h.header.remaining_length, 128u);
    EXPECT_EQ(decode(input).status, decode_status::need_more);
}

// Inside a packet, a Variable Byte Integer cut by the Remaining Length is malformed, not short.
TEST(varint, varint_cut_inside_packet_is_malformed) {
    // SUBSCRIBE id 1, Property Length 2: 0B 80 (continuation bit, then the properties end).
    const bytes input = {0x82, 0x09, 0x00, 0x01, 0x02, 0x0B, 0x80, 0x00, 0x01, 'a', 0x00};
    auto r = decode(input);
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
}

// Encoding a PUBLISH (topic "t", no properties) whose Remaining Length sits on either side of
// each boundary: the fixed header grows by one byte at 128, 16,384 and 2,097,152.
TEST(varint, encode_header_length_at_boundaries) {
    struct encode_case {
        std::uint32_t remaining_length;
        bytes header;  // hand-written fixed header
    };
    const std::vector<encode_case> encode_cases = {
        {127, {0x30, 0x7F}},
        {128, {0x30, 0x80, 0x01}},
        {16'383, {0x30, 0xFF, 0x7F}},
        {16'384, {0x30, 0x80, 0x80, 0x01}},
        {2'097'151, {0x30, 0xFF, 0xFF, 0x7F}},
        {2'097'152, {0x30, 0x80, 0x80, 0x80, 0x01}},
    };
    for (const auto& c : encode_cases) {
        SCOPED_TRACE(c.remaining_length);
        // Remaining Length = topic (2 + 1) + Property Length (1) + payload.
        const std::vector<std::uint8_t> payload(c.remaining_length - 4, 0xAB);
        publish p;
        p.topic = "t";
        p.payload = payload;
        const std::size_t size = c.header.size() + c.remaining_length;
        ASSERT_EQ(encoded_size(p), size);
        std::vector<std::uint8_t> out(size);
        ASSERT_EQ(encode(p, out), size);
        EXPECT_EQ(bytes(out.begin(), out.begin() + std::ptrdiff_t(c.header.size())), c.header);
        // Topic and Property Length right after the header.
        const bytes after = {0x00, 0x01, 't', 0x00};
        EXPECT_EQ(bytes(out.begin() + std::ptrdiff_t(c.header.size()),
                        out.begin() + std::ptrdiff_t(c.header.size() + 4)),
                  after);
        auto h = decode_fixed_header(out);
        ASSERT_EQ(h.status, decode_status::complete);
        EXPECT_EQ(h.header.remaining_length, c.remaining_length);
        // One byte short of the buffer: nothing written.
        std::vector<std::uint8_t> small(size - 1);
        EXPECT_EQ(encode(p, small), 0u);
    }
}

// Subscription Identifiers are encoded in their shortest form, in list order.
TEST(varint, encode_subscription_identifiers) {
    for (const auto& c : boundaries) {
        if (c.value == 0) continue;
        SCOPED_TRACE(c.value);
        const std::array<std::uint32_t, 1> ids = {c.value};
        publish p;
        p.topic = "t";
        p.props.subscription_identifiers = std::span<const std::uint32_t>(ids);
        // 30 RL | 00 01 't' | Property Length | 0B <varint>
        bytes expected = {0x30, std::uint8_t(3 + 1 + 1 + c.encoded.size()), 0x00, 0x01,
                          't',  std::uint8_t(1 + c.encoded.size()),         0x0B};
        expected.insert(expected.end(), c.encoded.begin(), c.encoded.end());
        std::vector<std::uint8_t> out(64);
        ASSERT_EQ(encode(p, out), expected.size());
        out.resize(expected.size());
        EXPECT_EQ(out, expected);
    }
}

}  // namespace
}  // namespace mqtt
