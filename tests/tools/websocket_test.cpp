// The WebSocket unwrapper (tools/common/websocket.hpp): the HTTP Upgrade handshake and the frames
// of RFC 6455 around MQTT (MQTT v5 section 6), as a capture shows them. Frames are written by
// hand; the masking in masked() is RFC 6455 5.3's XOR, written here for the test.
#include "tools/common/websocket.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace mqtt::tools::websocket {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes text(std::string_view s) {
    return bytes(s.begin(), s.end());
}
bytes operator+(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

const std::string request =
    "GET /mqtt HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";
const std::string response =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n"
    "\r\n";

// An MQTT v5 CONNECT: keep-alive 60, Clean Start, empty client id.
const bytes connect_packet = {0x10, 0x0D, 0x00, 0x04, 'M',  'Q',  'T', 'T',
                              0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00};
// The same CONNECT in one masked binary frame, masked by hand with the key 01 02 03 04.
const bytes connect_frame = {
    0x82,                                            // FIN, opcode 2 (binary)
    0x8F,                                            // MASK, payload length 15
    0x01, 0x02, 0x03, 0x04,                          // masking key
    0x11, 0x0F, 0x03, 0x00, 0x4C, 0x53, 0x57, 0x50,  // 10 0D 00 04 'M' 'Q' 'T' 'T'
    0x04, 0x00, 0x03, 0x38, 0x01, 0x02, 0x03,        // 05 02 00 3C 00 00 00
};
// A v5 CONNACK (Success, no properties) and a PINGRESP.
const bytes connack_packet = {0x20, 0x03, 0x00, 0x00, 0x00};
const bytes pingresp_packet = {0xD0, 0x00};

// A client frame: masked with `key` (RFC 6455 5.3: octet i XOR key[i mod 4]).
bytes masked(std::uint8_t first, const bytes& payload,
             std::array<std::uint8_t, 4> key = {9, 8, 7, 6}) {
    bytes f = {first};
    if (payload.size() < 126) {
        f.push_back(std::uint8_t(0x80 | payload.size()));
    } else {
        f.push_back(0x80 | 126);
        f.push_back(std::uint8_t(payload.size() >> 8));
        f.push_back(std::uint8_t(payload.size()));
    }
    f.insert(f.end(), key.begin(), key.end());
    for (std::size_t i = 0; i < payload.size(); ++i)
        f.push_back(payload[i] ^ key[i % 4]);
    return f;
}
// A server frame: unmasked, payload under 126 bytes.
bytes plain(std::uint8_t first, const bytes& payload) {
    bytes f = {first, std::uint8_t(payload.size())};
    return f + payload;
}

struct fed {
    bytes mqtt;
    std::vector<note> notes;
};
// Feeds `in` whole, or one byte at a time: the result must not depend on the chunking.
fed feed(unwrapper::side s, const bytes& in, bool bytewise) {
    unwrapper u(s);
    fed out;
    if (bytewise) {
        for (const std::uint8_t b : in)
            u.feed(bytes_view(&b, 1), out.mqtt);
    } else {
        u.feed(in, out.mqtt);
    }
    out.notes = u.take_notes();
    return out;
}

bool has_note(const fed& f, note::kind k, std::string_view part) {
    for (const note& n : f.notes)
        if (n.what == k && n.text.find(part) != std::string::npos) return true;
    return false;
}

class Chunking : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(WholeAndBytewise, Chunking, ::testing::Values(false, true));

TEST_P(Chunking, ClientHandshakeThenMaskedBinaryFrameGivesTheConnect) {
    const fed f = feed(unwrapper::side::client, text(request) + connect_frame, GetParam());
    EXPECT_EQ(f.mqtt, connect_packet);
    ASSERT_FALSE(f.notes.empty());
    EXPECT_EQ(f.notes[0].what, note::kind::handshake);
    EXPECT_EQ(f.notes[0].text, "WebSocket upgrade request: GET /mqtt, subprotocols offered: mqtt");
    EXPECT_EQ(f.notes.size(), 1u);
}

TEST_P(Chunking, ServerAcceptsThenUnmaskedFramesGiveTheConnack) {
    const fed f = feed(unwrapper::side::server,
                       text(response) + plain(0x82, connack_packet) + plain(0x82, pingresp_packet),
                       GetParam());
    EXPECT_EQ(f.mqtt, connack_packet + pingresp_packet);
    ASSERT_EQ(f.notes.size(), 1u);
    EXPECT_EQ(f.notes[0].text,
              "WebSocket upgrade accepted (101 Switching Protocols), subprotocol: mqtt");
}

TEST_P(Chunking, APacketSpansFramesAndAFrameHoldsSeveralPackets) {
    // MQTT-6.0.0-2: packets need not align with frames. The CONNECT's first 4 bytes in one frame,
    // its rest and a PINGREQ in the next.
    const bytes first(connect_packet.begin(), connect_packet.begin() + 4);
    const bytes rest = bytes(connect_packet.begin() + 4, connect_packet.end()) + bytes{0xC0, 0x00};
    const fed f = feed(unwrapper::side::client,
                       text(request) + masked(0x82, first) + masked(0x82, rest), GetParam());
    EXPECT_EQ(f.mqtt, (connect_packet + bytes{0xC0, 0x00}));
}

TEST_P(Chunking, FragmentedMessageWithAPingBetweenItsFragments) {
    // RFC 6455 5.4: a binary frame without FIN, a ping (control frames may come between
    // fragments), a continuation with FIN.
    const bytes first(connect_packet.begin(), connect_packet.begin() + 9);
    const bytes rest(connect_packet.begin() + 9, connect_packet.end());
    const fed f =
        feed(unwrapper::side::client,
             text(request) + masked(0x02, first) + masked(0x89, text("hi")) + masked(0x80, rest),
             GetParam());
    EXPECT_EQ(f.mqtt, connect_packet);
    EXPECT_TRUE(has_note(f, note::kind::control, "WebSocket ping (2 bytes)"));
    EXPECT_FALSE(has_note(f, note::kind::problem, ""));
}

TEST_P(Chunking, CloseFrameIsNamedWithItsStatusCode) {
    const fed f = feed(unwrapper::side::server,
                       text(response) + plain(0x88, bytes{0x03, 0xE8} + text("bye")), GetParam());
    EXPECT_TRUE(f.mqtt.empty());
    EXPECT_TRUE(has_note(f, note::kind::control, "WebSocket close: 1000 Normal Closure \"bye\""));
}

TEST_P(Chunking, ExtendedLengths16And64Bit) {
    // A 300-byte PUBLISH payload carried in a frame with a 16-bit length (126), and the same in
    // a frame with a 64-bit length (127), from the server.
    bytes publish = {0x30, 0xAE, 0x02, 0x00, 0x01, 't', 0x00};  // QoS 0, topic "t", no properties
    publish.resize(3 + 302, 0x55);                              // Remaining Length 302
    bytes f16 = {0x82, 126, 0x01, 0x31};                        // length 305
    bytes f64 = {0x82, 127, 0, 0, 0, 0, 0, 0, 0x01, 0x31};
    const fed f =
        feed(unwrapper::side::server, text(response) + f16 + publish + f64 + publish, GetParam());
    EXPECT_EQ(f.mqtt, publish + publish);
}

TEST_P(Chunking, TextFrameIsAProblemButItsBytesAreRead) {
    // MQTT-6.0.0-1: only binary frames may carry MQTT.
    const fed f =
        feed(unwrapper::side::client, text(request) + masked(0x81, connect_packet), GetParam());
    EXPECT_EQ(f.mqtt, connect_packet);
    EXPECT_TRUE(has_note(f, note::kind::problem, "MQTT-6.0.0-1"));
}

TEST_P(Chunking, UnmaskedClientFrameIsAProblem) {
    const bytes frame = {0x82, 0x02, 0xC0, 0x00};  // PINGREQ, no mask
    const fed f = feed(unwrapper::side::client, text(request) + frame, GetParam());
    EXPECT_EQ(f.mqtt, (bytes{0xC0, 0x00}));
    EXPECT_TRUE(has_note(f, note::kind::problem, "unmasked WebSocket frame from the client"));
}

TEST(WebSocket, RefusedUpgradeFailsAndReadsNothingMore) {
    unwrapper u(unwrapper::side::server);
    bytes mqtt;
    u.feed(
        text("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") + plain(0x82, connack_packet),
        mqtt);
    EXPECT_TRUE(u.failed());
    EXPECT_TRUE(mqtt.empty());
    const auto notes = u.take_notes();
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].text,
              "the server refused the WebSocket upgrade: \"HTTP/1.1 400 Bad Request\"");
}

TEST(WebSocket, CompressedFrameCannotBeRead) {
    unwrapper u(unwrapper::side::server);
    bytes mqtt;
    u.feed(text(response) + plain(0xC2, connack_packet), mqtt);  // FIN, RSV1, binary
    EXPECT_TRUE(u.failed());
    const auto notes = u.take_notes();
    ASSERT_FALSE(notes.empty());
    EXPECT_NE(notes.back().text.find("permessage-deflate"), std::string::npos);
    EXPECT_EQ(notes.back().offset, response.size());
}

TEST(WebSocket, ControlFrameLongerThan125BytesFails) {
    unwrapper u(unwrapper::side::server);
    bytes mqtt;
    u.feed(text(response) + bytes{0x89, 126, 0x00, 0x80} + bytes(128, 0), mqtt);
    EXPECT_TRUE(u.failed());
    EXPECT_EQ(u.take_notes().back().text,
              "WebSocket ping frame longer than 125 bytes (RFC 6455 5.5)");
}

TEST(WebSocket, ReservedOpcodeFails) {
    unwrapper u(unwrapper::side::server);
    bytes mqtt;
    u.feed(text(response) + plain(0x83, connack_packet), mqtt);
    EXPECT_TRUE(u.failed());
    EXPECT_EQ(u.take_notes().back().text, "WebSocket frame with reserved opcode 0x3");
}

TEST(WebSocket, NoMqttSubprotocolOfferedIsAProblem) {
    // MQTT-6.0.0-3: the client offers "mqtt".
    std::string req = request;
    req.replace(req.find("Protocol: mqtt"), 14, "Protocol: chat");
    unwrapper u(unwrapper::side::client);
    bytes mqtt;
    u.feed(text(req), mqtt);
    EXPECT_TRUE(u.handshake_done());
    EXPECT_EQ(u.subprotocol(), "chat");
    const auto notes = u.take_notes();
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[1].what, note::kind::problem);
    EXPECT_NE(notes[1].text.find("MQTT-6.0.0-3"), std::string::npos);
}

TEST(WebSocket, HeaderBlockWithoutEndIsRefusedPastItsBound) {
    unwrapper u(unwrapper::side::client);
    bytes mqtt;
    u.feed(text("GET / HTTP/1.1\r\nX: " + std::string(20000, 'a')), mqtt);
    EXPECT_TRUE(u.failed());
    EXPECT_NE(u.take_notes().back().text.find("longer than 16384 bytes"), std::string::npos);
}

TEST(WebSocket, BoundaryIsKnownMidFrame) {
    unwrapper u(unwrapper::side::client);
    bytes mqtt;
    const bytes all = text(request) + connect_frame;
    u.feed(bytes_view(all).first(all.size() - 3), mqtt);
    EXPECT_FALSE(u.at_boundary());
    u.feed(bytes_view(all).last(3), mqtt);
    EXPECT_TRUE(u.at_boundary());
    EXPECT_EQ(u.offset(), all.size());
}

TEST(WebSocket, LooksLikeUpgrade) {
    bool enough = false;
    EXPECT_TRUE(looks_like_upgrade(text(request), enough));
    EXPECT_TRUE(enough);
    EXPECT_FALSE(looks_like_upgrade(connect_packet, enough));  // MQTT from the first byte
    EXPECT_TRUE(enough);
    EXPECT_FALSE(looks_like_upgrade(text("GE"), enough));  // too early to say
    EXPECT_FALSE(enough);
    EXPECT_FALSE(looks_like_upgrade(text("GET / HTTP/1.1\r\nHost: x\r\n"), enough));
    EXPECT_FALSE(enough);
    EXPECT_FALSE(looks_like_upgrade(text("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), enough));
    EXPECT_TRUE(enough);  // a plain HTTP request: not WebSocket
}

TEST(WebSocket, CloseCodeNames) {
    EXPECT_EQ(close_code_text(1002), "1002 Protocol error");
    EXPECT_EQ(close_code_text(4000), "4000 application");
}

}  // namespace
}  // namespace mqtt::tools::websocket
