// The one-line rendering of packets (mqtt::to_string): payload and binary previews print as
// text only when they are valid UTF-8 without control characters, otherwise as hex, so a trace
// line is always valid UTF-8 a terminal can show.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/render.hpp"

namespace mqtt {
namespace {

std::string publish_with_payload(const std::vector<std::uint8_t>& payload) {
    publish p;
    p.topic = "t";
    p.payload = bytes_view(payload);
    return to_string(packet(p));
}

TEST(render, text_payload_in_quotes) {
    EXPECT_EQ(publish_with_payload({'h', 'i'}), "PUBLISH qos=0 topic=\"t\" payload=2B \"hi\"");
    // UTF-8 passes through: "é" is C3 A9.
    EXPECT_EQ(publish_with_payload({0xC3, 0xA9}),
              "PUBLISH qos=0 topic=\"t\" payload=2B \"\xC3\xA9\"");
}

TEST(render, invalid_utf8_and_control_bytes_as_hex) {
    EXPECT_EQ(publish_with_payload({'a', 0xFF, 'b'}),
              "PUBLISH qos=0 topic=\"t\" payload=3B 0x61ff62");
    EXPECT_EQ(publish_with_payload({0xC3}), "PUBLISH qos=0 topic=\"t\" payload=1B 0xc3");
    EXPECT_EQ(publish_with_payload({'a', 0x00}), "PUBLISH qos=0 topic=\"t\" payload=2B 0x6100");
}

TEST(render, preview_cut_inside_a_character_stays_text) {
    // 47 ASCII bytes, then "é" across the 48-byte preview limit, then more.
    std::vector<std::uint8_t> payload(47, 'x');
    payload.push_back(0xC3);
    payload.push_back(0xA9);
    payload.push_back('y');
    const std::string line = publish_with_payload(payload);
    EXPECT_EQ(line, "PUBLISH qos=0 topic=\"t\" payload=50B \"" + std::string(47, 'x') + "\"...");
}

TEST(render, correlation_data_of_random_bytes_is_hex) {
    const std::vector<std::uint8_t> data{0x31, 0x18, 0xA1, 0x76};
    publish p;
    p.topic = "t";
    p.props.correlation_data = bytes_view(data);
    EXPECT_EQ(to_string(packet(p)),
              "PUBLISH qos=0 topic=\"t\" payload=0B {correlation_data=4B 0x3118a176}");
}

}  // namespace
}  // namespace mqtt
