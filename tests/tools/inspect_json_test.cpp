// mqtt-inspect decode --json: one object per packet, checked key by key. Byte vectors are
// written by hand, one comment per field.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_inspect.hpp"

namespace mqtt::tools::test {
namespace {

using nlohmann::json;

// Decodes `hex` with --json and returns the one object printed.
json decode_one(const std::string& hex) {
    const run_result r = run_inspect({"decode", "--json", hex});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    EXPECT_EQ(lines.size(), 1u) << r.out;
    if (lines.empty()) return json();
    return json::parse(lines[0]);
}

TEST(InspectJson, ConnectWithWillAndCredentials) {
    const json j = decode_one(
        "10 2b "              // CONNECT, Remaining Length 43
        "00 04 4d 51 54 54 "  // Protocol Name "MQTT"
        "05 "                 // Protocol Version 5
        "ee "                 // Connect Flags: User Name, Password, Will Retain, Will QoS 1,
                              //   Will Flag, Clean Start
        "00 3c "              // Keep Alive 60
        "05 "                 // Property Length 5
        "11 00 00 0e 10 "     //   Session Expiry Interval 3600
        "00 02 63 31 "        // Client Identifier "c1"
        "05 "                 // Will Property Length 5
        "18 00 00 00 05 "     //   Will Delay Interval 5
        "00 03 77 2f 74 "     // Will Topic "w/t"
        "00 03 62 79 65 "     // Will Payload "bye"
        "00 01 75 "           // User Name "u"
        "00 02 70 77");       // Password "pw"
    EXPECT_EQ(j["type"], "CONNECT");
    EXPECT_EQ(j["clean_start"], true);
    EXPECT_EQ(j["keep_alive"], 60);
    EXPECT_EQ(j["client_id"], "c1");
    EXPECT_EQ(j["properties"], json::parse(R"({"session_expiry_interval":3600})"));
    ASSERT_TRUE(j.contains("will"));
    const json& w = j["will"];
    EXPECT_EQ(w["topic"], "w/t");
    EXPECT_EQ(w["payload_hex"], "627965");
    EXPECT_EQ(w["qos"], 1);
    EXPECT_EQ(w["retain"], true);
    EXPECT_EQ(w["properties"], json::parse(R"({"will_delay_interval":5})"));
    EXPECT_EQ(w.size(), 5u) << w;
    EXPECT_EQ(j["username"], "u");
    EXPECT_EQ(j["password_hex"], "7077");
    EXPECT_EQ(j.size(), 8u) << j;
}

TEST(InspectJson, ConnectWithoutWillOrCredentialsHasNoSuchKeys) {
    const json j = decode_one(
        "10 0f 00 04 4d 51 54 54 05 "  // CONNECT, RL 15, "MQTT", version 5
        "00 "                          // Connect Flags: none (Clean Start 0)
        "00 00 "                       // Keep Alive 0
        "00 "                          // Property Length 0
        "00 02 63 31");                // Client Identifier "c1"
    EXPECT_EQ(j, json::parse(R"({"type":"CONNECT","clean_start":false,"keep_alive":0,
                                 "properties":{},"client_id":"c1"})"));
}

TEST(InspectJson, Subscribe) {
    const json j = decode_one(
        "82 11 "           // SUBSCRIBE (flags 0010, MQTT-3.8.1-1), Remaining Length 17
        "00 0a "           // Packet Identifier 10
        "02 "              // Property Length 2
        "0b 05 "           //   Subscription Identifier 5
        "00 03 61 2f 23 "  // Topic Filter "a/#"
        "2d "              //   Options: Retain Handling 2, Retain As Published, No Local, QoS 1
        "00 03 62 2f 2b "  // Topic Filter "b/+"
        "02");             //   Options: QoS 2
    EXPECT_EQ(j["type"], "SUBSCRIBE");
    EXPECT_EQ(j["packet_id"], 10);
    EXPECT_EQ(j["properties"], json::parse(R"({"subscription_identifier":[5]})"));
    ASSERT_EQ(j["subscriptions"].size(), 2u);
    const json& a = j["subscriptions"][0];
    EXPECT_EQ(a["topic_filter"], "a/#");
    EXPECT_EQ(a["qos"], 1);
    EXPECT_EQ(a["no_local"], true);
    EXPECT_EQ(a["retain_as_published"], true);
    EXPECT_EQ(a["retain_handling"], 2);
    EXPECT_EQ(j["subscriptions"][1], json::parse(R"({"topic_filter":"b/+","qos":2,"no_local":false,
                              "retain_as_published":false,"retain_handling":0})"));
    EXPECT_EQ(j.size(), 4u) << j;
}

TEST(InspectJson, Suback) {
    const json j = decode_one(
        "90 06 "      // SUBACK, Remaining Length 6
        "00 0a "      // Packet Identifier 10
        "00 "         // Property Length 0
        "01 02 87");  // Granted QoS 1, Granted QoS 2, Not authorized
    EXPECT_EQ(j, json::parse(R"({"type":"SUBACK","packet_id":10,"properties":{},
                                 "reason_codes":[1,2,135]})"));
}

TEST(InspectJson, PublishUserPropertiesInWireOrderAndSubscriptionIdentifiers) {
    const json j = decode_one(
        "30 1e "                  // PUBLISH QoS 0, Remaining Length 30
        "00 01 74 "               // Topic Name "t"
        "1a "                     // Property Length 26
        "0b 01 "                  //   Subscription Identifier 1
        "0b 80 01 "               //   Subscription Identifier 128 (two-byte VBI)
        "26 00 01 7a 00 01 31 "   //   User Property "z" = "1"
        "26 00 01 61 00 01 32 "   //   User Property "a" = "2"
        "26 00 01 7a 00 01 33");  //   User Property "z" = "3" (repeated name kept)
    EXPECT_EQ(j["type"], "PUBLISH");
    EXPECT_EQ(j["dup"], false);
    EXPECT_EQ(j["qos"], 0);
    EXPECT_EQ(j["retain"], false);
    EXPECT_EQ(j["topic"], "t");
    EXPECT_FALSE(j.contains("packet_id")) << "MQTT-2.2.1-2: no Packet Identifier at QoS 0";
    EXPECT_EQ(j["payload_hex"], "");
    EXPECT_EQ(j["properties"]["subscription_identifier"], json::parse("[1,128]"));
    EXPECT_EQ(j["properties"]["user_property"], json::parse(R"([["z","1"],["a","2"],["z","3"]])"));
    EXPECT_EQ(j["properties"].size(), 2u);
}

TEST(InspectJson, PublishBinaryPropertiesAsHexAndPacketIdAtQos1) {
    const json j = decode_one(
        "3b 12 "           // PUBLISH DUP 1, QoS 1, RETAIN 1; Remaining Length 18
        "00 01 74 "        // Topic Name "t"
        "00 05 "           // Packet Identifier 5
        "0a "              // Property Length 10
        "09 00 02 be ef "  //   Correlation Data be ef
        "03 00 02 74 2f "  //   Content Type "t/"
        "00 ff");          // Payload 00 ff
    EXPECT_EQ(j["dup"], true);
    EXPECT_EQ(j["retain"], true);
    EXPECT_EQ(j["qos"], 1);
    EXPECT_EQ(j["packet_id"], 5);
    EXPECT_EQ(j["properties"], json::parse(R"({"content_type":"t/","correlation_data":"beef"})"));
    EXPECT_EQ(j["payload_hex"], "00ff");
}

TEST(InspectJson, ReasonCodeAlwaysPresent) {
    // PUBACK in its shortest form (Remaining Length 2): reason 0x00 is implied (spec 3.4.2.1).
    EXPECT_EQ(decode_one("40 02 00 07"),
              json::parse(R"({"type":"PUBACK","packet_id":7,"reason_code":0,"properties":{}})"));
    // DISCONNECT with Remaining Length 0: Normal disconnection (spec 3.14.2.1).
    EXPECT_EQ(decode_one("e0 00"),
              json::parse(R"({"type":"DISCONNECT","reason_code":0,"properties":{}})"));
    EXPECT_EQ(decode_one("d0 00"), json::parse(R"({"type":"PINGRESP"})"));
}

TEST(InspectJson, KeysInSpecOrder) {
    const run_result r = run_inspect({"decode", "--json", "40 02 00 07"});
    EXPECT_EQ(r.out, "{\"type\":\"PUBACK\",\"packet_id\":7,\"reason_code\":0,\"properties\":{}}\n");
}

}  // namespace
}  // namespace mqtt::tools::test
