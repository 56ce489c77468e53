// mqtt-inspect encode: JSON lines to bytes (expected bytes written by hand), its errors, and the
// round trip encode -> decode --json for every packet type.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_inspect.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools::test {
namespace {

using nlohmann::json;

struct encode_case {
    const char* json_line;
    const char* hex;  // expected output, written by hand
};

const encode_case encode_cases[] = {
    {R"({"type":"PINGREQ"})", "c0 00"},
    {R"({"type":"pingresp"})", "d0 00"},  // type names are case-insensitive
    // Shortest forms (spec 3.4.2.1): no Reason Code when Success and no properties.
    {R"({"type":"PUBACK","packet_id":7})", "40 02 00 07"},
    // A QoS 0 PUBLISH has no Packet Identifier (MQTT-2.2.1-2): a packet_id of 0 means none.
    {R"({"type":"PUBLISH","topic":"a","packet_id":0})", "30 04 00 01 61 00"},
    {R"({"type":"PUBACK","packet_id":7,"reason_code":16})", "40 03 00 07 10"},
    // PUBREL carries fixed-header flags 0010 (MQTT-3.6.1-1); packet_id defaults to 1.
    {R"({"type":"PUBREL"})", "62 02 00 01"},
    {R"({"type":"DISCONNECT"})", "e0 00"},
    {R"({"type":"DISCONNECT","reason_code":4})", "e0 01 04"},
    {R"({"type":"PUBLISH","topic":"a/b","qos":1,"packet_id":7,
         "properties":{"message_expiry_interval":60,"user_property":[["k","v"]]},
         "payload_hex":"6869"})",
     "32 16 "                 // PUBLISH QoS 1, Remaining Length 22
     "00 03 61 2f 62 "        // Topic Name "a/b"
     "00 07 "                 // Packet Identifier 7
     "0c "                    // Property Length 12
     "02 00 00 00 3c "        // Message Expiry Interval 60
     "26 00 01 6b 00 01 76 "  // User Property "k" = "v"
     "68 69"},                // Payload "hi"
    // `payload` takes the payload as text.
    {R"({"type":"PUBLISH","topic":"t","payload":"hi"})", "30 06 00 01 74 00 68 69"},
    {R"({"type":"CONNECT","client_id":"c1","keep_alive":60})",
     "10 0f "              // CONNECT, Remaining Length 15
     "00 04 4d 51 54 54 "  // Protocol Name "MQTT"
     "05 "                 // Protocol Version 5
     "02 "                 // Connect Flags: Clean Start (the default)
     "00 3c "              // Keep Alive 60
     "00 "                 // Property Length 0
     "00 02 63 31"},       // Client Identifier "c1"
    {R"({"type":"CONNECT","client_id":"","will":{"topic":"w","payload":"x","qos":1},
         "password_hex":"00ff"})",
     "10 18 "  // CONNECT, Remaining Length 24
     "00 04 4d 51 54 54 05 "
     "4e "            // Connect Flags: Password, Will QoS 1, Will Flag, Clean Start
     "00 00 "         // Keep Alive 0
     "00 "            // Property Length 0
     "00 00 "         // Client Identifier ""
     "00 "            // Will Property Length 0
     "00 01 77 "      // Will Topic "w"
     "00 01 78 "      // Will Payload "x"
     "00 02 00 ff"},  // Password 00 ff
    {R"({"type":"SUBSCRIBE","subscriptions":[{"topic_filter":"a/#","qos":1}]})",
     "82 09 "               // SUBSCRIBE (flags 0010), Remaining Length 9
     "00 01 "               // Packet Identifier 1 (the default)
     "00 "                  // Property Length 0
     "00 03 61 2f 23 01"},  // "a/#", QoS 1
    {R"({"type":"UNSUBSCRIBE","packet_id":3,"topic_filters":["a","b/c"]})",
     "a2 0b 00 03 00 00 01 61 00 03 62 2f 63"},
    {R"({"type":"SUBACK","packet_id":3,"reason_codes":[0,135],
         "properties":{"reason_string":"no"}})",
     "90 0a "              // SUBACK, Remaining Length 10
     "00 03 "              // Packet Identifier 3
     "05 1f 00 02 6e 6f "  // Property Length 5: Reason String "no"
     "00 87"},             // Granted QoS 0, Not authorized
    {R"({"type":"AUTH","reason_code":24,"properties":{"authentication_method":"M",
         "authentication_data":"0a0b"}})",
     "f0 0b 18 09 15 00 01 4d 16 00 02 0a 0b"},
};

TEST(InspectEncode, ExactBytes) {
    for (const encode_case& c : encode_cases) {
        std::string line = c.json_line;
        std::erase(line, '\n');
        const run_result r = run_inspect({"encode"}, line + "\n");
        EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err;
        EXPECT_EQ(r.out, std::string(c.hex) + "\n") << line;
        EXPECT_EQ(r.err, "") << line;
    }
}

TEST(InspectEncode, OnePacketPerLineSkippingBlankAndCommentLines) {
    const run_result r =
        run_inspect({"encode"}, "# a comment\n{\"type\":\"PINGREQ\"}\n\n{\"type\":\"PINGRESP\"}\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "c0 00\nd0 00\n");
}

TEST(InspectEncode, ReadsAFile) {
    const std::string path =
        ::testing::TempDir() + "mqtt_inspect_encode_" + std::to_string(::getpid()) + ".jsonl";
    std::ofstream(path) << "{\"type\":\"DISCONNECT\",\"reason_code\":142}\n";
    const run_result r = run_inspect({"encode", path});
    std::remove(path.c_str());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "e0 01 8e\n");
    EXPECT_EQ(run_inspect({"encode", path + ".missing"}).exit_code, 2);
}

TEST(InspectEncode, ErrorsNameTheKey) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"type":"PUBLISH","topik":"a"})", "topik: unknown key"},
        {R"({"type":"PUBLISH","topic":"a","qos":"1"})", "qos: expected an integer"},
        {R"({"type":"PUBLISH","topic":"a","retain":1})", "retain: expected true or false"},
        {R"({"type":"PUBLISH","topic":5})", "topic: expected a string"},
        {R"({"type":"PUBLISH","topic":"a","packet_id":3})", "packet_id:"},  // QoS 0
        {R"({"type":"PUBLISH","topic":"a","payload_hex":"abc"})", "payload_hex: odd number"},
        {R"({"type":"PUBLISH","topic":"a","payload_hex":"zz"})", "payload_hex: bad hex digit"},
        {R"({"type":"PUBLISH","topic":"a","payload":"x","payload_hex":"78"})", "payload"},
        {R"({"type":"PUBLISH","topic":"a","properties":{"no_such":1}})",
         "properties.no_such: unknown property"},
        {R"({"type":"PUBLISH","topic":"a","properties":{"topic_alias":65536}})",
         "properties.topic_alias: expected an integer 0..65535"},
        {R"({"type":"PUBLISH","topic":"a","properties":{"user_property":[["k"]]}})",
         "properties.user_property[0]"},
        {R"({"type":"SUBSCRIBE","subscriptions":[{"topic_filter":"a","qos":true}]})",
         "subscriptions[0].qos"},
        {R"({"type":"SUBSCRIBE","subscriptions":[{"topic_filter":"a","nl":true}]})",
         "subscriptions[0].nl: unknown key"},
        {R"({"type":"CONNECT","will":{"topic":"w","properties":{"will_delay_interval":-1}}})",
         "will.properties.will_delay_interval"},
        {R"({"type":"SUBACK","reason_codes":[0,256]})", "reason_codes[1]"},
        {R"({"type":"BOGUS"})", "type: unknown packet type"},
        {R"({"topic":"a"})", "type: missing"},
        {R"(["PINGREQ"])", "expected a JSON object"},
        {R"({"type":"PINGREQ",)", "invalid JSON"},
    };
    for (const auto& [line, message] : cases) {
        const run_result r = run_inspect({"encode"}, std::string(line) + "\n");
        EXPECT_EQ(r.exit_code, 2) << line;
        EXPECT_NE(r.err.find(message), std::string::npos) << line << "\n" << r.err;
        EXPECT_EQ(r.out, "") << line;
    }
}

TEST(InspectEncode, ErrorNamesTheLineAfterPrintingEarlierPackets) {
    const run_result r =
        run_inspect({"encode"}, "{\"type\":\"PINGREQ\"}\n{\"type\":\"PINGREQ\",\"x\":1}\n");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "c0 00\n");
    EXPECT_NE(r.err.find("line 2: x: unknown key"), std::string::npos) << r.err;
}

TEST(InspectEncode, InvalidPacketRefusedUnlessForced) {
    // MQTT-3.3.2-2: a wildcard in a PUBLISH Topic Name is refused (0x90 Topic Name invalid).
    const std::string wildcard = "{\"type\":\"PUBLISH\",\"topic\":\"a/#\"}\n";
    const run_result refused = run_inspect({"encode"}, wildcard);
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.out, "");
    EXPECT_NE(refused.err.find("0x90"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;

    const run_result forced = run_inspect({"encode", "--force"}, wildcard);
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_EQ(forced.out, "30 06 00 03 61 2f 23 00\n");
    EXPECT_NE(forced.err.find("warning"), std::string::npos) << forced.err;

    // MQTT-3.3.1-4: QoS 3 can be crafted with --force, and the decoder refuses it.
    const std::string qos3 = "{\"type\":\"PUBLISH\",\"topic\":\"a\",\"qos\":3,\"packet_id\":1}\n";
    EXPECT_EQ(run_inspect({"encode"}, qos3).exit_code, 2);
    const run_result crafted = run_inspect({"encode", "--force"}, qos3);
    EXPECT_EQ(crafted.out, "36 06 00 01 61 00 01 00\n");
    EXPECT_EQ(run_inspect({"decode", crafted.out}).exit_code, 2);

    // MQTT-2.2.1-3: Packet Identifier 0 is a Protocol Error.
    const run_result zero = run_inspect({"encode"}, "{\"type\":\"PUBACK\",\"packet_id\":0}\n");
    EXPECT_EQ(zero.exit_code, 2);
    EXPECT_NE(zero.err.find("0x82"), std::string::npos) << zero.err;
}

// Every key of every packet type, as decode --json prints them: encode then decode --json must
// give the same object back.
const char* const round_trip_lines[] = {
    R"({"type":"CONNECT","clean_start":false,"keep_alive":30,"properties":{"session_expiry_interval":60,"receive_maximum":10,"user_property":[["a","b"]]},"client_id":"id","will":{"topic":"w","payload_hex":"00ff","qos":2,"retain":true,"properties":{"content_type":"text/plain","will_delay_interval":1}},"username":"u","password_hex":"0102"})",
    R"({"type":"CONNACK","session_present":true,"reason_code":0,"properties":{"assigned_client_identifier":"x","topic_alias_maximum":5,"maximum_qos":1}})",
    R"({"type":"PUBLISH","dup":true,"qos":2,"retain":true,"topic":"a/b","packet_id":65535,"properties":{"payload_format_indicator":1,"response_topic":"r","correlation_data":"beef","subscription_identifier":[1,268435455],"topic_alias":3},"payload_hex":"68656c6c6f"})",
    R"({"type":"PUBACK","packet_id":1,"reason_code":16,"properties":{"reason_string":"none"}})",
    R"({"type":"PUBREC","packet_id":2,"reason_code":0,"properties":{}})",
    R"({"type":"PUBREL","packet_id":3,"reason_code":146,"properties":{}})",
    R"({"type":"PUBCOMP","packet_id":4,"reason_code":0,"properties":{"user_property":[["k","v"],["k","w"]]}})",
    R"({"type":"SUBSCRIBE","packet_id":5,"properties":{"subscription_identifier":[7],"user_property":[["s","1"]]},"subscriptions":[{"topic_filter":"$share/g/a/+","qos":1,"no_local":false,"retain_as_published":true,"retain_handling":0},{"topic_filter":"#","qos":2,"no_local":true,"retain_as_published":false,"retain_handling":2}]})",
    R"({"type":"SUBACK","packet_id":5,"properties":{},"reason_codes":[0,1,2,128,162]})",
    R"({"type":"UNSUBSCRIBE","packet_id":6,"properties":{"user_property":[["u","2"]]},"topic_filters":["a/b","#"]})",
    R"({"type":"UNSUBACK","packet_id":6,"properties":{"reason_string":"ok"},"reason_codes":[0,17]})",
    R"({"type":"PINGREQ"})",
    R"({"type":"PINGRESP"})",
    R"({"type":"DISCONNECT","reason_code":142,"properties":{"server_reference":"other","reason_string":"bye"}})",
    R"({"type":"AUTH","reason_code":24,"properties":{"authentication_method":"SCRAM","authentication_data":"0a0b"}})",
};

TEST(InspectEncode, RoundTripThroughDecodeForEveryPacketType) {
    for (const char* line : round_trip_lines) {
        const run_result enc = run_inspect({"encode"}, std::string(line) + "\n");
        ASSERT_EQ(enc.exit_code, 0) << line << "\n" << enc.err;
        const run_result dec = run_inspect({"decode", "--json", enc.out});
        ASSERT_EQ(dec.exit_code, 0) << line << "\n" << dec.err;
        EXPECT_EQ(json::parse(dec.out), json::parse(line)) << enc.out;
        // The keys come back in the order documented (spec order), so the text is identical.
        EXPECT_EQ(dec.out, std::string(line) + "\n");
    }
}

TEST(InspectEncode, RoundTripOfAStream) {
    std::string input;
    for (const char* line : round_trip_lines)
        input += std::string(line) + "\n";
    const run_result enc = run_inspect({"encode"}, input);
    ASSERT_EQ(enc.exit_code, 0) << enc.err;
    EXPECT_EQ(lines_of(enc.out).size(), std::size(round_trip_lines));
    const run_result dec = run_inspect({"decode", "--json"}, enc.out);  // hex lines on stdin
    ASSERT_EQ(dec.exit_code, 0) << dec.err;
    EXPECT_EQ(dec.out, input);
}

}  // namespace
}  // namespace mqtt::tools::test

namespace mqtt::tools::test {
namespace {

// The lines of a JSON trace (--trace=json, mqtt-inspect pcap --json) encode back to their
// packets: the trace's own keys are set aside, connection events skipped.
TEST(InspectEncode, TakesTheLinesOfAJsonTrace) {
    const std::string trace =
        R"({"time":0.001,"event":"connected to 127.0.0.1:1883 from 127.0.0.1:4000"})"
        "\n"
        R"({"time":0.002,"direction":"sent","size":4,"type":"PUBACK","packet_id":7,"reason_code":16,"properties":{}})"
        "\n"
        R"({"time":0.003,"stream":2,"direction":"received","size":2,"type":"PINGRESP"})"
        "\n";
    const run_result r = run_inspect({"encode"}, trace);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "40 03 00 07 10\nd0 00\n");
}

// pcap --json's lines without a packet: a stream's header and its problems (a gap, a resync,
// a cut packet), skipped; a packet marked "resynced" is a packet.
TEST(InspectEncode, SkipsTheStreamLinesOfPcapJson) {
    const std::string trace =
        R"({"stream":1,"client":"127.0.0.1:40001","server":"127.0.0.1:1883"})"
        "\n"
        R"({"time":0.0,"stream":1,"direction":"sent","size":2,"type":"PINGREQ"})"
        "\n"
        R"j({"stream":1,"problem":"frame 6, client to server, offset 15: 12 bytes missing ...","kind":"gap","frame":6,"direction":"sent","offset":15,"size":12,"sequence":1016})j"
        "\n"
        R"j({"stream":1,"problem":"frame 6, client to server, offset 27: resync: ...","kind":"resync","frame":6,"direction":"sent","offset":27})j"
        "\n"
        R"({"time":2.0,"stream":1,"direction":"sent","size":2,"resynced":true,"type":"PINGREQ"})"
        "\n"
        R"j({"stream":1,"problem":"frame 7, client to server, offset 29: a packet cut by the end of the capture: 3 of its 12 bytes in the capture","kind":"cut","frame":7,"direction":"sent","offset":29,"size":3})j"
        "\n";
    const run_result r = run_inspect({"encode"}, trace);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "c0 00\nc0 00\n");
    EXPECT_EQ(r.err, "");
}

// A line that is a packet of a trace but has none of its fields is still refused, naming why.
TEST(InspectEncode, TraceLinesWithoutAPacketsFieldsAreRefused) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"time":0.1,"stream":1,"direction":"sent","size":2})", "line 1: type: missing"},
        {R"({"stream":1,"topic":"a"})", "line 1: type: missing"},
        {R"({})", "line 1: type: missing"},
        // pcap --json's line for a packet the decoder refused.
        {R"({"time":0.1,"stream":1,"direction":"sent","size":8,"error":"PUBLISH Topic Name: wildcard"})",
         "line 1: a malformed packet in the trace (PUBLISH Topic Name: wildcard): it has no "
         "fields to encode"},
    };
    for (const auto& [line, message] : cases) {
        const run_result r = run_inspect({"encode"}, std::string(line) + "\n");
        EXPECT_EQ(r.exit_code, 2) << line;
        EXPECT_NE(r.err.find(message), std::string::npos) << line << "\n" << r.err;
        EXPECT_EQ(r.out, "") << line;
    }
}

// The whole pipe: `mqtt-inspect pcap --json FILE | mqtt-inspect encode` gives back the bytes of
// every packet of the capture, in capture order. The packets are written by hand.
TEST(InspectEncode, EncodesWhatPcapJsonPrints) {
    const std::vector<std::pair<transport::direction, std::vector<std::uint8_t>>> packets{
        {transport::direction::sent,
         {0x10, 0x0e, 0x00, 0x04, 'M', 'Q', 'T', 'T',  // CONNECT, Protocol Name
          0x05, 0x02, 0x00, 0x3c, 0x00,                // v5, Clean Start, Keep Alive 60, no props
          0x00, 0x01, 'c'}},                           // Client Identifier "c"
        {transport::direction::received, {0x20, 0x03, 0x00, 0x00, 0x00}},  // CONNACK
        {transport::direction::sent,
         {0x32, 0x0f, 0x00, 0x03, 'a', '/', 'b',  // PUBLISH QoS 1, Topic Name "a/b"
          0x00, 0x07,                             // Packet Identifier 7
          0x05, 0x02, 0x00, 0x00, 0x00, 0x3c,     // Message Expiry Interval 60
          'h', 'i'}},                             // Payload "hi"
        {transport::direction::received, {0x40, 0x02, 0x00, 0x07}},  // PUBACK 7
        {transport::direction::sent, {0xe0, 0x00}},                  // DISCONNECT
    };
    const std::string path =
        ::testing::TempDir() + "mqtt_inspect_encode_" + std::to_string(::getpid()) + ".pcap";
    {
        pcap_writer w(path);
        transport::connection_event e;
        e.time = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
        e.local = {asio::ip::make_address("127.0.0.1"), 40001};
        e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
        w.opened(e);
        for (const auto& [dir, b] : packets)
            w.packet({dir, e.time, b});
    }
    const run_result trace = run_inspect({"pcap", "--json", path});
    std::remove(path.c_str());
    ASSERT_EQ(trace.exit_code, 0) << trace.err;
    ASSERT_EQ(lines_of(trace.out).size(), packets.size() + 1);  // the stream's header first
    const run_result r = run_inspect({"encode"}, trace.out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::string expected;
    for (const auto& p : packets) {
        std::string hex;
        for (const std::uint8_t b : p.second)
            hex += fmt::format("{}{:02x}", hex.empty() ? "" : " ", b);
        expected += hex + "\n";
    }
    EXPECT_EQ(r.out, expected);
}

}  // namespace
}  // namespace mqtt::tools::test
