// MQTT 3.1 (Protocol Name "MQIsdp", level 3), which the codec decodes by 3.1.1's rules but for its
// CONNECT, and never encodes. Byte vectors written by hand from the MQTT 3.1 specification
// (IBM/Eurotech, 2010), a comment per field.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"

namespace mqtt {
namespace {

using bytes = std::vector<std::uint8_t>;

// CONNECT as mosquitto_pub -V mqttv31 sends it, with client id `id`.
bytes connect_v31(const std::string& id) {
    bytes b{0x10, 0,  // CONNECT, Remaining Length (set below)
            0x00, 0x06,
            'M',  'Q',
            'I',  's',
            'd',  'p',                       // Protocol Name "MQIsdp" (3.1 spec 3.1)
            0x03,                            // Protocol Version 3
            0x02,                            // Connect Flags: Clean Session
            0x00, 0x3c,                      // Keep Alive 60
            0x00, std::uint8_t(id.size())};  // Client Identifier length
    for (const char c : id)                  // ... and its characters
        b.push_back(static_cast<std::uint8_t>(c));
    b[1] = std::uint8_t(b.size() - 2);
    return b;
}

TEST(v31, connect_is_decoded_by_its_protocol_name_and_level) {
    const bytes b = connect_v31("mosq-abc");
    // Whatever the stream's version, a CONNECT says its own.
    for (const protocol_version stream : {protocol_version::v5, protocol_version::v311}) {
        decode_options o;
        o.version = stream;
        const decode_result r = decode(b, o);
        ASSERT_EQ(r.status, decode_status::complete) << r.error.message();
        const connect& c = std::get<connect>(r.value);
        EXPECT_EQ(c.protocol_version, protocol_version::v31);
        EXPECT_EQ(c.client_id, "mosq-abc");
        EXPECT_TRUE(c.clean_start);
        EXPECT_EQ(c.keep_alive, 60);
        EXPECT_EQ(to_string(r.value),
                  "CONNECT version=3.1 client_id=\"mosq-abc\" clean_session=1 keep_alive=60");
    }
    EXPECT_EQ(connect_version(b), protocol_version::v31);
}

TEST(v31, client_identifier_has_1_to_23_characters) {
    // 3.1 spec 3.1, Payload: "between 1 and 23 characters long"; 0x85 is v5's code for the
    // return code 0x02 Identifier rejected.
    EXPECT_EQ(decode(connect_v31(std::string(23, 'x'))).status, decode_status::complete);
    for (const std::string& id : {std::string(), std::string(24, 'x')}) {
        const decode_result r = decode(connect_v31(id));
        ASSERT_EQ(r.status, decode_status::error) << id.size();
        EXPECT_EQ(r.error.reason, reason_code::client_identifier_not_valid);
        EXPECT_EQ(r.error.field, "Client Identifier");
        EXPECT_EQ(r.error.offset, 14u);  // its length field
    }
}

TEST(v31, name_and_level_must_agree) {
    bytes mqisdp_4 = connect_v31("a");
    mqisdp_4[10] = 0x04;  // "MQIsdp" with level 4
    const decode_result a = decode(mqisdp_4);
    ASSERT_EQ(a.status, decode_status::error);
    EXPECT_EQ(a.error.reason, reason_code::unsupported_protocol_version);
    EXPECT_EQ(a.error.field, "Protocol Version");
    EXPECT_EQ(a.error.offset, 10u);
    EXPECT_FALSE(connect_version(mqisdp_4).has_value());
    // "MQTT" with level 3.
    const bytes mqtt_3{0x10, 0x0d, 0x00, 0x04, 'M',  'Q',  'T', 'T',
                       0x03, 0x02, 0x00, 0x3c, 0x00, 0x01, 'a'};
    const decode_result b = decode(mqtt_3);
    ASSERT_EQ(b.status, decode_status::error);
    EXPECT_EQ(b.error.field, "Protocol Version");
    EXPECT_NE(b.error.problem.find("MQIsdp"), std::string_view::npos);
}

TEST(v31, other_packets_follow_v311_rules) {
    decode_options o;
    o.version = protocol_version::v31;
    // CONNACK: reserved byte, return code 0x05 (3.1 spec 3.2: the same table as 3.1.1).
    const decode_result c = decode(bytes{0x20, 0x02, 0x00, 0x05}, o);
    ASSERT_EQ(c.status, decode_status::complete);
    EXPECT_EQ(to_string(c.value, o.version),
              "CONNACK session_present=0 return_code=0x05 Not authorized");
    // PUBACK: Message ID only; a reason code byte is too much.
    EXPECT_EQ(decode(bytes{0x40, 0x02, 0x00, 0x01}, o).status, decode_status::complete);
    EXPECT_EQ(decode(bytes{0x40, 0x03, 0x00, 0x01, 0x00}, o).status, decode_status::error);
    // AUTH is a reserved type.
    EXPECT_EQ(decode(bytes{0xF0, 0x00}, o).status, decode_status::error);
}

TEST(v31, is_never_encoded) {
    connect c;
    c.client_id = "a";
    c.protocol_version = protocol_version::v31;
    const std::optional<decode_error> e = check_packet(packet(c), protocol_version::v31);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->reason, reason_code::unsupported_protocol_version);
    EXPECT_FALSE(encoded_size(packet(pingreq{}), protocol_version::v31).has_value());
    std::vector<std::uint8_t> out(16);
    EXPECT_EQ(encode(packet(pingreq{}), out, protocol_version::v31), 0u);
}

}  // namespace
}  // namespace mqtt
