// The packet <-> JSON library itself (tools/common/packet_json.hpp), without the command line.
#include "tools/common/packet_json.hpp"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace mqtt::tools {
namespace {

TEST(PacketJson, ViewsStayValidWhenTheOwnedPacketMoves) {
    // Many values, so the deques grow over several blocks while views are taken.
    json j =
        json::parse(R"({"type":"UNSUBSCRIBE","packet_id":9,"properties":{},"topic_filters":[]})");
    std::vector<std::string> filters;
    for (int i = 0; i < 200; ++i) {
        filters.push_back("filter/" + std::to_string(i));
        j["topic_filters"].push_back(filters.back());
    }
    owned_packet original = packet_from_json(j);
    owned_packet moved = std::move(original);
    owned_packet assigned;
    assigned = std::move(moved);
    const auto& u = std::get<unsubscribe>(assigned.packet);
    ASSERT_EQ(u.topic_filters.size(), filters.size());
    std::size_t i = 0;
    for (std::string_view f : u.topic_filters)
        EXPECT_EQ(f, filters[i++]);
    EXPECT_EQ(packet_to_json(assigned.packet), j);
}

TEST(PacketJson, DecodedPacketToJsonAndBack) {
    const std::uint8_t bytes[] = {0x32, 0x16,  // PUBLISH QoS 1, Remaining Length 22
                                  0x00, 0x03, 'a',  '/',  'b',   // Topic Name "a/b"
                                  0x00, 0x07,                    // Packet Identifier 7
                                  0x0c,                          // Property Length 12
                                  0x02, 0x00, 0x00, 0x00, 0x3c,  // Message Expiry Interval 60
                                  0x26, 0x00, 0x01, 'k',  0x00,
                                  0x01, 'v',   // User Property "k" = "v"
                                  'h',  'i'};  // Payload
    const decode_result r = decode(bytes);
    ASSERT_EQ(r.status, decode_status::complete);
    const json j = packet_to_json(r.value);
    EXPECT_EQ(j.dump(), R"({"type":"PUBLISH","dup":false,"qos":1,"retain":false,"topic":"a/b",)"
                        R"("packet_id":7,"properties":{"message_expiry_interval":60,)"
                        R"("user_property":[["k","v"]]},"payload_hex":"6869"})");
    const owned_packet back = packet_from_json(j);
    EXPECT_EQ(back.packet, r.value);
}

TEST(PacketJson, SingleSubscriptionIdentifierNumberIsAccepted) {
    const owned_packet p = packet_from_json(json::parse(
        R"({"type":"PUBLISH","topic":"t","properties":{"subscription_identifier":4}})"));
    const auto& ids = std::get<publish>(p.packet).props.subscription_identifiers;
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(*ids.begin(), 4u);
}

TEST(PacketJson, EveryPropertyKeyRoundTrips) {
    // One value of each of the 27 properties (not a valid packet: the library does not judge).
    const json props = json::parse(R"({
        "payload_format_indicator":1, "message_expiry_interval":2, "content_type":"c",
        "response_topic":"r", "correlation_data":"0a", "subscription_identifier":[3, 4],
        "session_expiry_interval":5, "assigned_client_identifier":"a", "server_keep_alive":6,
        "authentication_method":"m", "authentication_data":"0b", "request_problem_information":0,
        "will_delay_interval":7, "request_response_information":1, "response_information":"i",
        "server_reference":"s", "reason_string":"why", "receive_maximum":8,
        "topic_alias_maximum":9, "topic_alias":10, "maximum_qos":1, "retain_available":0,
        "user_property":[["k","v"]], "maximum_packet_size":11,
        "wildcard_subscription_available":1, "subscription_identifier_available":0,
        "shared_subscription_available":1})");
    ASSERT_EQ(props.size(), 27u);
    owned_packet store;
    properties p;
    properties_from_json(props, "properties", store, p);
    EXPECT_EQ(properties_to_json(p), props);
    // Keys come out in identifier order.
    std::uint8_t last = 0;
    const json written = properties_to_json(p);
    for (const auto& item : written.items()) {
        const property_info* info = find_property(std::string_view(item.key()));
        ASSERT_NE(info, nullptr) << item.key();
        EXPECT_GT(std::uint8_t(info->id), last) << item.key();
        last = std::uint8_t(info->id);
    }
}

// Numbers are read in their data type's range (spec 1.5); the value rules (Receive Maximum > 0,
// ...) are check_packet's to judge, so mqtt-inspect encode can build a packet that breaks them.
TEST(PacketJson, NumbersInTheirDataTypesRange) {
    struct range {
        const char* key;
        std::uint64_t max;
    };
    const range ranges[] = {
        {"payload_format_indicator", 0xFF},        // Byte, although only 0 and 1 are valid
        {"receive_maximum", 0xFFFF},               // Two Byte Integer
        {"maximum_packet_size", 0xFFFF'FFFF},      // Four Byte Integer
        {"subscription_identifier", 268'435'455},  // Variable Byte Integer
    };
    for (const range& r : ranges) {
        owned_packet store;
        properties p;
        properties_from_json(json{{r.key, r.max}}, "properties", store, p);
        EXPECT_EQ(properties_to_json(p),
                  (json{{r.key, r.key == std::string_view("subscription_identifier")
                                    ? json::array({r.max})
                                    : json(r.max)}}));
        properties_from_json(json{{r.key, 0}}, "properties", store, p);  // 0 is read as well
        try {
            properties_from_json(json{{r.key, r.max + 1}}, "properties", store, p);
            ADD_FAILURE() << r.key << " " << r.max + 1 << " was accepted";
        } catch (const json_packet_error& e) {
            EXPECT_EQ(std::string(e.what()),
                      fmt::format("properties.{}: expected an integer 0..{}, got {}", r.key, r.max,
                                  r.max + 1));
        }
    }
}

TEST(PacketJson, ErrorMessageNamesTheKeyPath) {
    try {
        (void)packet_from_json(json::parse(
            R"({"type":"CONNECT","will":{"topic":"w","properties":{"user_property":[["k",1]]}}})"));
        FAIL() << "expected json_packet_error";
    } catch (const json_packet_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "will.properties.user_property[0][1]: expected a string, got 1");
    }
}

}  // namespace
}  // namespace mqtt::tools
