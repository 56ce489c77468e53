// The one-line rendering of packets (mqtt::to_string): payload and binary previews print as
// text only when they are valid UTF-8 without control characters, otherwise as hex, so a trace
// line is always valid UTF-8 a terminal can show.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/codec.hpp"
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

// A packet of an MQTT 3.1.1 stream, decoded and rendered as 3.1.1 (3.1.1 spec chapter 3).
std::string v311_line(const std::vector<std::uint8_t>& bytes) {
    decode_options o;
    o.version = protocol_version::v311;
    const decode_result r = decode(bytes, o);
    EXPECT_EQ(r.status, decode_status::complete) << r.error.message();
    return to_string(r.value, protocol_version::v311);
}

TEST(render, v311_packets_show_what_v311_has) {
    // CONNACK: flags 0, return code 0x05 (3.1.1 Table 3.1), held as v5's 0x87.
    EXPECT_EQ(v311_line({0x20, 0x02, 0x00, 0x05}),
              "CONNACK session_present=0 return_code=0x05 Not authorized");
    EXPECT_EQ(v311_line({0x20, 0x02, 0x01, 0x00}),
              "CONNACK session_present=1 return_code=0x00 Connection Accepted");
    // PUBACK: the Packet Identifier alone (3.1.1 spec 3.4), no reason code.
    EXPECT_EQ(v311_line({0x40, 0x02, 0x00, 0x07}), "PUBACK id=7");
    EXPECT_EQ(v311_line({0x62, 0x02, 0x00, 0x07}), "PUBREL id=7");
    // SUBACK: id 1, return codes 0x00, 0x02 and 0x80 Failure (MQTT-3.9.3-2).
    EXPECT_EQ(v311_line({0x90, 0x05, 0x00, 0x01, 0x00, 0x02, 0x80}),
              "SUBACK id=1 [0x00 Success - Maximum QoS 0, 0x02 Success - Maximum QoS 2, "
              "0x80 Failure]");
    EXPECT_EQ(v311_line({0xB0, 0x02, 0x00, 0x03}), "UNSUBACK id=3");  // no payload
    EXPECT_EQ(v311_line({0xE0, 0x00}), "DISCONNECT");                 // no body
    // CONNECT: "MQTT", level 4, Clean Session, keep alive 60, client id "c".
    EXPECT_EQ(v311_line({0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00,
                         0x01, 'c'}),
              "CONNECT version=3.1.1 client_id=\"c\" clean_session=1 keep_alive=60");
    // The same bytes as v5 packets keep their v5 rendering.
    EXPECT_EQ(to_string(packet(puback{7, reason_code::success, {}})),
              "PUBACK id=7 reason=0x00 Success");
}

}  // namespace
}  // namespace mqtt
