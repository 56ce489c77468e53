// The packet vectors (packet_vectors.hpp, one file of cases per packet family) drive both
// directions: every vector must decode to its packet, and the packet must encode back to the same
// bytes. Every vector is also fed whole, one byte at a time through the framer, and followed by
// the start of another packet.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "tests/protocol/packet_vectors.hpp"

namespace mqtt::test {
namespace {

std::vector<packet_case> canonical_cases() {
    std::vector<packet_case> all;
    for (auto family : {connect_cases, connack_cases, publish_cases, publish_response_cases,
                        subscribe_cases, control_cases}) {
        for (auto& c : family())
            all.push_back(std::move(c));
    }
    return all;
}

// Forms the decoder must accept but the encoder never writes (it always writes the shortest).
std::vector<packet_case> alternative_cases() {
    std::vector<packet_case> cases;
    cases.push_back({"PUBACK_explicit_success_code",
                     hex("40 03"  // PUBACK, Remaining Length 3
                         "0001"   // Packet Identifier 1
                         "00"),   // Reason Code 0x00 written out
                     puback{.packet_id = 1}, hex("40 02 0001")});
    cases.push_back({"PUBACK_explicit_property_length_zero",
                     hex("40 04"  // PUBACK, Remaining Length 4
                         "0001"   // Packet Identifier 1
                         "10"     // Reason Code 0x10
                         "00"),   // Property Length 0 written out
                     puback{.packet_id = 1, .reason = reason_code::no_matching_subscribers},
                     hex("40 03 0001 10")});
    cases.push_back({"PUBREL_explicit_success_and_property_length",
                     hex("62 04"    // PUBREL, Remaining Length 4
                         "0001"     // Packet Identifier 1
                         "00 00"),  // Reason Code 0x00, Property Length 0
                     pubrel{.packet_id = 1}, hex("62 02 0001")});
    cases.push_back({"DISCONNECT_explicit_normal_disconnection",
                     hex("E0 01"  // DISCONNECT, Remaining Length 1
                         "00"),   // Reason Code 0x00 written out
                     disconnect{}, hex("E0 00")});
    cases.push_back({"DISCONNECT_explicit_property_length_zero",
                     hex("E0 02"  // DISCONNECT, Remaining Length 2
                         "8E"     // Reason Code 0x8E Session taken over
                         "00"),   // Property Length 0
                     disconnect{.reason = reason_code::session_taken_over}, hex("E0 01 8E")});
    cases.push_back({"AUTH_explicit_success_and_property_length",
                     hex("F0 02"    // AUTH, Remaining Length 2
                         "00 00"),  // Reason Code 0x00, Property Length 0
                     auth{}, hex("F0 00")});
    cases.push_back(
        {"PUBLISH_properties_in_any_order",  // spec 2.2.2.2 sets no order
         hex("30 0C"                         // PUBLISH QoS 0, Remaining Length 12
             "0001 't'"                      // Topic Name "t"
             "08"                            // Property Length 8
             "23 0007"                       //   Topic Alias 7 ...
             "02 0000003C"),                 //   ... before Message Expiry Interval 60
         publish{.topic = "t", .props = {.message_expiry_interval = 60, .topic_alias = 7}},
         hex("30 0C 0001 't' 08 02 0000003C 23 0007")});
    return cases;
}

class PacketVector : public ::testing::TestWithParam<packet_case> {
  protected:
    const byte_vector& encoding() const {
        const auto& c = GetParam();
        return c.canonical.empty() ? c.bytes : c.canonical;
    }
};

// A check of the hand-written vector itself, independent of the code under test: the fixed
// header's Remaining Length must count exactly the bytes that follow it.
TEST_P(PacketVector, VectorIsSelfConsistent) {
    const auto& bytes = GetParam().bytes;
    ASSERT_GE(bytes.size(), 2u);
    std::uint32_t remaining = 0;
    std::size_t i = 1;
    for (std::uint32_t multiplier = 1; i < bytes.size(); multiplier *= 128) {
        remaining += (bytes[i] & 0x7F) * multiplier;
        if ((bytes[i++] & 0x80) == 0) break;
    }
    EXPECT_EQ(i + remaining, bytes.size()) << "Remaining Length does not match the vector";
}

TEST_P(PacketVector, DecodesWhole) {
    const auto& c = GetParam();
    decode_result r = decode(c.bytes);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_EQ(type_of(r.value), packet_type(c.bytes[0] >> 4));
    EXPECT_TRUE(same_packet(r.value, c.expected));
    if (c.spot_check) c.spot_check(r.value);
}

TEST_P(PacketVector, FixedHeader) {
    const auto& c = GetParam();
    header_result h = decode_fixed_header(c.bytes);
    ASSERT_EQ(h.status, decode_status::complete) << h.error.message();
    EXPECT_EQ(h.header.type, type_of(c.expected));
    EXPECT_EQ(h.header.flags, c.bytes[0] & 0x0F);
    EXPECT_EQ(h.header.packet_size(), c.bytes.size());
}

TEST_P(PacketVector, EncodesByteForByte) {
    const auto& c = GetParam();
    const byte_vector& want = encoding();
    EXPECT_EQ(encoded_size(c.expected), want.size());
    byte_vector out(want.size() + 8, 0xEE);
    ASSERT_EQ(encode(c.expected, out), want.size());
    out.resize(want.size());
    EXPECT_EQ(to_hex(out), to_hex(want));
    // A buffer one byte short is refused, not overrun.
    byte_vector short_buffer(want.size() - 1);
    EXPECT_EQ(encode(c.expected, short_buffer), 0u);
}

TEST_P(PacketVector, EveryPrefixNeedsMore) {
    const auto& bytes = GetParam().bytes;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        decode_result r = decode(bytes_view(bytes).first(n));
        EXPECT_EQ(r.status, decode_status::need_more)
            << "prefix of " << n << " bytes: " << r.error.message();
    }
}

TEST_P(PacketVector, FramedOneByteAtATime) {
    const auto& c = GetParam();
    auto framed = frame_byte_by_byte(c.bytes);
    ASSERT_TRUE(framed.has_value());
    EXPECT_EQ(to_hex(*framed), to_hex(c.bytes));
    decode_result r = decode(*framed);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_TRUE(same_packet(r.value, c.expected));
}

TEST_P(PacketVector, FollowedByTrailingBytes) {
    const auto& c = GetParam();
    // The first three bytes of another PUBLISH: a reader must stop at the packet's end.
    const byte_vector trailing = hex("30 0A 00");
    byte_vector stream = concat({c.bytes, trailing});

    decode_result r = decode(stream);
    ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
    EXPECT_EQ(r.consumed, c.bytes.size());
    EXPECT_TRUE(same_packet(r.value, c.expected));

    framer f;
    frame_result first = f.feed(stream);
    ASSERT_EQ(first.status, decode_status::complete) << first.error.message();
    EXPECT_EQ(first.consumed, c.bytes.size());
    EXPECT_EQ(to_hex(first.packet), to_hex(c.bytes));
    decode_result framed = decode(first.packet);
    ASSERT_EQ(framed.status, decode_status::complete) << framed.error.message();
    EXPECT_TRUE(same_packet(framed.value, c.expected));

    frame_result rest = f.feed(bytes_view(stream).subspan(first.consumed));
    EXPECT_EQ(rest.status, decode_status::need_more);
    EXPECT_EQ(rest.consumed, trailing.size());
    EXPECT_EQ(f.buffered(), trailing.size());
    EXPECT_EQ(f.stream_offset(), stream.size());
}

std::string case_name(const ::testing::TestParamInfo<packet_case>& info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Canonical, PacketVector, ::testing::ValuesIn(canonical_cases()),
                         case_name);
INSTANTIATE_TEST_SUITE_P(AlternativeForms, PacketVector, ::testing::ValuesIn(alternative_cases()),
                         case_name);

// The catalogue covers all 15 packet types.
TEST(PacketVectors, CoverEveryPacketType) {
    std::vector<bool> seen(16, false);
    for (const auto& c : canonical_cases())
        seen[std::size_t(type_of(c.expected))] = true;
    for (int t = 1; t <= 15; ++t) {
        EXPECT_TRUE(seen[std::size_t(t)]) << packet_type_name(packet_type(t));
    }
}

// Spec 1.5.5: a Variable Byte Integer carries 7 bits per byte, low group first, with bit 7 saying
// "more follows". The boundaries of each size, shown through the Remaining Length of a PUBLISH
// with Topic Name "a/b" (5 bytes), Property Length 0 (1 byte) and a payload making up the rest.
// The encoder always writes the shortest form (MQTT-1.5.5-1).
TEST(RemainingLength, BoundariesOfEachSize) {
    struct boundary {
        std::uint32_t remaining_length;
        const char* fixed_header;
    };
    const boundary boundaries[] = {
        {6, "30 06"},                   // 1 byte
        {127, "30 7F"},                 // the largest 1-byte value
        {128, "30 80 01"},              // the smallest 2-byte value
        {16'383, "30 FF 7F"},           // the largest 2-byte value
        {16'384, "30 80 80 01"},        // the smallest 3-byte value
        {2'097'151, "30 FF FF 7F"},     // the largest 3-byte value
        {2'097'152, "30 80 80 80 01"},  // the smallest 4-byte value
    };
    for (const auto& b : boundaries) {
        SCOPED_TRACE(b.remaining_length);
        const std::string body(b.remaining_length - 6, 'x');
        const publish p{.topic = "a/b", .payload = bin(body)};
        const byte_vector header = hex(b.fixed_header);
        byte_vector bytes = encode_to_vector(p);
        ASSERT_EQ(bytes.size(), header.size() + b.remaining_length);
        EXPECT_EQ(to_hex(bytes_view(bytes).first(header.size())), to_hex(header));

        header_result h = decode_fixed_header(bytes);
        ASSERT_EQ(h.status, decode_status::complete) << h.error.message();
        EXPECT_EQ(h.header.remaining_length, b.remaining_length);
        EXPECT_EQ(h.header.size, header.size());
        decode_result r = decode(bytes);
        ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
        EXPECT_EQ(r.consumed, bytes.size());
        EXPECT_TRUE(r.value == packet(p));
    }
}

}  // namespace
}  // namespace mqtt::test
