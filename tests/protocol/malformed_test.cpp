// Negative tests of the decoder: one table of hand-written malformed or protocol-violating packets.
// Every case is fed whole to decode(), one byte at a time through a framer (then the framed packet
// decoded), and both again followed by trailing bytes; every path must report the same reason code
// (and, where the table gives them, the same field and offset). need_more is accepted only before
// the whole input has been given.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "tests/protocol/malformed.hpp"

namespace mqtt::test {
namespace {

// The whole table, in the order of the spec: the shared encodings, then each packet type.
std::vector<malformed_case> all_cases() {
    std::vector<malformed_case> all = malformed_encoding_cases();
    for (malformed_case& c : malformed_packet_cases())
        all.push_back(std::move(c));
    return all;
}
const std::vector<malformed_case> cases = all_cases();

// Valid near misses of the cases above: each must decode. They show the table's cases fail for
// the stated reason and not for a typo elsewhere in the bytes.
const std::vector<std::pair<const char*, bytes>> near_misses = {
    {"connect_minimal",
     {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00}},
    {"connect_with_will", {0x10, 0x13, 0x00, 0x04, 'M',  'Q',  'T',  'T', 0x05, 0x0E, 0x00,
                           0x3C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'w', 0x00, 0x00}},
    {"connect_with_user_name_and_password",
     {0x10, 0x13, 0x00, 0x04, 'M',  'Q',  'T', 'T',  0x05, 0xC2, 0x00,
      0x3C, 0x00, 0x00, 0x00, 0x00, 0x01, 'u', 0x00, 0x01, 'p'}},
    {"connack_session_present_success", {0x20, 0x03, 0x01, 0x00, 0x00}},
    {"connack_failure", {0x20, 0x03, 0x00, 0x87, 0x00}},
    {"publish_a_b", {0x30, 0x06, 0x00, 0x03, 'a', '/', 'b', 0x00}},
    {"publish_qos_1", {0x32, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 0x00}},
    {"publish_empty_topic_with_alias", {0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01}},
    {"publish_bom_topic", {0x30, 0x06, 0x00, 0x03, 0xEF, 0xBB, 0xBF, 0x00}},  // MQTT-1.5.4-3
    {"publish_two_subscription_identifiers",
     {0x30, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x04, 0x0B, 0x01, 0x0B, 0x02}},
    {"publish_dup_qos_1", {0x3A, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 0x00}},
    {"puback_length_2", {0x40, 0x02, 0x00, 0x01}},
    {"puback_length_3", {0x40, 0x03, 0x00, 0x01, 0x10}},
    {"puback_length_4", {0x40, 0x04, 0x00, 0x01, 0x00, 0x00}},
    {"pubrel_reason_92", {0x62, 0x03, 0x00, 0x01, 0x92}},
    {"subscribe_a", {0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x00}},
    {"subscribe_all_options", {0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x2E}},
    {"subscribe_shared",
     {0x82, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'a',
      0x00}},
    {"suback_granted", {0x90, 0x05, 0x00, 0x01, 0x00, 0x02, 0x80}},
    {"unsubscribe_a", {0xA2, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 'a'}},
    {"unsuback_no_subscription", {0xB0, 0x04, 0x00, 0x01, 0x00, 0x11}},
    {"pingreq", {0xC0, 0x00}},
    {"disconnect_length_0", {0xE0, 0x00}},
    {"disconnect_length_1", {0xE0, 0x01, 0x04}},
    {"auth_length_0", {0xF0, 0x00}},
    {"auth_with_method", {0xF0, 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, 'x'}},
};

// A complete PINGREQ and the start of a DISCONNECT: what may follow a packet in a stream.
const bytes trailing = {0xC0, 0x00, 0xE0};

void check_error(const decode_error& e, const malformed_case& c, std::size_t base = 0) {
    const expected_error& x = c.expect;
    EXPECT_EQ(to_byte(e.reason), to_byte(x.reason)) << e.message();
    if (!x.field.empty()) {
        EXPECT_EQ(e.field, x.field) << e.message();
    }
    if (x.offset != any_offset) {
        EXPECT_EQ(e.offset, x.offset + base) << e.message();
    }
}

// Decodes a packet the framer delimited and expects the case's error.
void check_framed(bytes_view packet, const malformed_case& c, const decode_options& opts) {
    auto r = decode(packet, opts);
    ASSERT_EQ(r.status, decode_status::error) << "the framed packet decoded";
    check_error(r.error, c);
}

class malformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(malformed, whole) {
    const auto& c = GetParam();
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    auto r = decode(c.input, opts);
    ASSERT_EQ(r.status, decode_status::error);
    check_error(r.error, c);
    // The same input placed at offset 1000 of a stream reports offsets from the stream start.
    opts.base_offset = 1000;
    r = decode(c.input, opts);
    ASSERT_EQ(r.status, decode_status::error);
    check_error(r.error, c, 1000);
}

TEST_P(malformed, whole_with_trailing_bytes) {
    const auto& c = GetParam();
    bytes input = c.input;
    input.insert(input.end(), trailing.begin(), trailing.end());
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    auto r = decode(input, opts);
    ASSERT_EQ(r.status, decode_status::error);
    check_error(r.error, c);
}

TEST_P(malformed, framer_one_byte_at_a_time) {
    const auto& c = GetParam();
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    framer f(c.maximum_packet_size);
    for (std::size_t i = 0; i < c.input.size(); ++i) {
        SCOPED_TRACE("after byte " + std::to_string(i));
        auto r = f.feed(bytes_view(c.input).subspan(i, 1));
        if (r.status == decode_status::error) return check_error(r.error, c);
        ASSERT_EQ(r.consumed, 1u);
        if (r.status == decode_status::complete) return check_framed(r.packet, c, opts);
    }
    FAIL() << "still need_more after the whole input";
}

TEST_P(malformed, framer_with_trailing_bytes) {
    const auto& c = GetParam();
    bytes input = c.input;
    input.insert(input.end(), trailing.begin(), trailing.end());
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    framer f(c.maximum_packet_size);
    auto r = f.feed(input);
    if (r.status == decode_status::error) return check_error(r.error, c);
    ASSERT_EQ(r.status, decode_status::complete);
    check_framed(r.packet, c, opts);
}

INSTANTIATE_TEST_SUITE_P(table, malformed, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(malformed_table, has_at_least_70_cases) {
    EXPECT_GE(cases.size(), 70u);
}

TEST(malformed_table, near_misses_decode) {
    for (const auto& [name, input] : near_misses) {
        SCOPED_TRACE(name);
        auto r = decode(input);
        EXPECT_EQ(r.status, decode_status::complete) << r.error.message();
        EXPECT_EQ(r.consumed, input.size());
        framer f;
        frame_result fr;
        for (std::size_t i = 0; i < input.size(); ++i) {
            fr = f.feed(bytes_view(input).subspan(i, 1));
            EXPECT_EQ(fr.status,
                      i + 1 < input.size() ? decode_status::need_more : decode_status::complete);
        }
    }
}

const malformed_case& find_case(std::string_view name) {
    for (const auto& c : cases)
        if (c.name == name) return c;
    throw std::logic_error("no such case");
}

std::string message_of(std::string_view name) {
    const auto& c = find_case(name);
    decode_options opts;
    opts.maximum_packet_size = c.maximum_packet_size;
    return decode(c.input, opts).error.message();
}

// error.message() names the packet, the field, the offset and the reason code with its name.
TEST(malformed_message, names_packet_field_and_reason) {
    auto m = message_of("publish_topic_surrogate");
    EXPECT_NE(m.find("PUBLISH"), std::string::npos) << m;
    EXPECT_NE(m.find("Topic Name"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x81 Malformed Packet)"), std::string::npos) << m;

    m = message_of("connect_receive_maximum_0");
    EXPECT_NE(m.find("CONNECT Receive Maximum"), std::string::npos) << m;
    EXPECT_NE(m.find("offset 13"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x82 Protocol Error)"), std::string::npos) << m;

    m = message_of("subscribe_filter_hash_not_last");
    EXPECT_NE(m.find("SUBSCRIBE Topic Filter"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x8F Topic Filter invalid)"), std::string::npos) << m;

    m = message_of("publish_topic_alias_0");
    EXPECT_NE(m.find("PUBLISH Topic Alias"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x94 Topic Alias invalid)"), std::string::npos) << m;

    m = message_of("connect_version_3");
    EXPECT_NE(m.find("CONNECT Protocol Version"), std::string::npos) << m;
    EXPECT_NE(m.find("offset 8"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x84 Unsupported Protocol Version)"), std::string::npos) << m;

    m = message_of("publish_too_large");
    EXPECT_NE(m.find("PUBLISH"), std::string::npos) << m;
    EXPECT_NE(m.find("(0x95 Packet too large)"), std::string::npos) << m;
}

}  // namespace
}  // namespace mqtt::test
