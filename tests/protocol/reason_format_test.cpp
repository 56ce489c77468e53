// The one formatter of a reason code (protocol/reason_format.hpp): the code in hex and its name as
// the packet that carries it gives it. 0x00 has three names (spec 2.4: Success, Normal
// disconnection, Granted QoS 0), so the packet type is part of the value printed.
#include <gtest/gtest.h>

#include <string>

#include "protocol/codec.hpp"
#include "protocol/reason_format.hpp"
#include "protocol/render.hpp"

namespace mqtt {
namespace {

std::string shown(named_reason r) {
    return fmt::format("{}", r);
}

TEST(named_reason, zero_is_named_by_its_packet) {
    EXPECT_EQ(shown({reason_code::success, packet_type::puback}), "0x00 Success");
    EXPECT_EQ(shown({reason_code::success, packet_type::disconnect}), "0x00 Normal disconnection");
    EXPECT_EQ(shown({reason_code::success, packet_type::suback}), "0x00 Granted QoS 0");
    EXPECT_EQ(shown({reason_code::success}), "0x00 Success");  // no packet: the general name
}

TEST(named_reason, other_codes_in_upper_case_hex) {
    EXPECT_EQ(shown({reason_code::not_authorized, packet_type::connack}), "0x87 Not authorized");
    EXPECT_EQ(shown({reason_code::topic_alias_invalid}), "0x94 Topic Alias invalid");
    EXPECT_EQ(shown({reason_code::wildcard_subscriptions_not_supported, packet_type::suback}),
              "0xA2 Wildcard Subscriptions not supported");
}

TEST(named_reason, undefined_value_says_unknown) {
    EXPECT_EQ(shown({reason_code(0x05), packet_type::puback}), "0x05 (unknown)");
    EXPECT_EQ(shown({reason_code(0xFF)}), "0xFF (unknown)");
}

// The renderer and decode errors print reason codes through the same formatter.
TEST(named_reason, used_by_render_and_decode_errors) {
    const reason_code codes[] = {reason_code::success, reason_code(0x05)};
    suback s;
    s.packet_id = 1;
    s.reason_codes = list_view<reason_code>(codes);
    EXPECT_EQ(to_string(packet(s)), "SUBACK id=1 [0x00 Granted QoS 0, 0x05 (unknown)]");

    const decode_result r = decode(std::vector<std::uint8_t>{0x00, 0x00});  // reserved type 0
    ASSERT_EQ(r.status, decode_status::error);
    EXPECT_EQ(r.error.message(),
              "Packet Type: reserved packet type 0 at offset 0 (0x81 Malformed Packet)");
}

}  // namespace
}  // namespace mqtt
