// compare_flows: captures written here with pcap_writer (several clients at once, as
// mqtt-scenario writes them), compared with and without normalisation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture_files.hpp"
#include "protocol/codec.hpp"
#include "tools/common/flow_compare.hpp"
#include "tools/common/hex.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools {
namespace {

using bytes = std::vector<std::uint8_t>;
using transport::direction;

using test_files::t0;
using test_files::temp_file;

// The encoder is not what is tested here: packets are written as JSON for readability.
bytes encoded(const json& j) {
    const owned_packet p = packet_from_json(j);
    bytes out(*encoded_size(p.packet));
    encode(p.packet, out);
    return out;
}

std::string hex_of(const std::string& text) {
    return to_hex(bytes_view(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// One client's session in a scenario run: every string carries the run's random prefix.
struct client_flow {
    std::string prefix = "mqtt-scenario/3f9a2c1b";
    std::string tag = "run-1";        // a user property of its SUBSCRIBE and PUBLISH
    std::uint32_t expiry = 60;        // its PUBLISH's Message Expiry Interval
    std::uint16_t pid = 1, spid = 7;  // the ids it and the server pick
    std::uint16_t puback = 0;         // the id the server's PUBACK acks; 0: pid
    std::string name = "c1";          // in the topic: clients differ by it
};

std::vector<std::pair<direction, bytes>> packets_of(const client_flow& c) {
    const std::string p = c.prefix;
    const std::string topic = p + "/" + c.name;
    const json props = {
        {"message_expiry_interval", c.expiry},
        {"response_topic", p + "/reply"},
        {"correlation_data", hex_of(p + "/req-1")},
        {"user_property", json::array({json::array({"run", c.tag}), json::array({"origin", p})})}};
    // A binary payload (shown as hex) with the prefix in it.
    const std::string payload = std::string("\xff\x00 from ", 7) + p;
    const auto sub_id = std::uint16_t(c.pid + 1);
    const json run_tag = json::array({json::array({"run", c.tag})});
    const json subscription = {{"topic_filter", topic}, {"qos", 1}};
    return {
        {direction::sent, encoded({{"type", "CONNECT"}, {"client_id", p + "-" + c.name}})},
        {direction::received, encoded({{"type", "CONNACK"}})},
        {direction::sent, encoded({{"type", "SUBSCRIBE"},
                                   {"packet_id", sub_id},
                                   {"properties", {{"user_property", run_tag}}},
                                   {"subscriptions", json::array({subscription})}})},
        {direction::received,
         encoded({{"type", "SUBACK"}, {"packet_id", sub_id}, {"reason_codes", json::array({1})}})},
        {direction::sent, encoded({{"type", "PUBLISH"},
                                   {"qos", 1},
                                   {"packet_id", c.pid},
                                   {"topic", topic},
                                   {"properties", props},
                                   {"payload_hex", hex_of(payload)}})},
        {direction::received,
         encoded({{"type", "PUBACK"}, {"packet_id", c.puback ? c.puback : c.pid}})},
        {direction::received, encoded({{"type", "PUBLISH"},
                                       {"qos", 1},
                                       {"packet_id", c.spid},
                                       {"topic", topic},
                                       {"properties", props},
                                       {"payload_hex", hex_of(payload)}})},
        {direction::sent, encoded({{"type", "PUBACK"}, {"packet_id", c.spid}})},
        {direction::sent, encoded({{"type", "DISCONNECT"}})},
    };
}

// A run's capture: the clients connected at once, one tap each on one writer, their packets
// interleaved round robin (in reverse client order when `reverse`), client ports from `port`.
capture_contents run_capture(const std::string& name, const std::vector<client_flow>& clients,
                             std::uint16_t port, bool reverse = false) {
    const std::string f = temp_file(name);
    {
        pcap_writer w(f);
        std::vector<transport::packet_tap> taps(clients.size());
        std::vector<std::vector<std::pair<direction, bytes>>> packets;
        for (std::size_t i = 0; i < clients.size(); ++i) {
            w.attach(taps[i]);
            transport::connection_event e;
            e.time = t0;
            e.local = {asio::ip::make_address("127.0.0.1"), std::uint16_t(port + i)};
            e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
            taps[i].opened(e);
            packets.push_back(packets_of(clients[i]));
        }
        for (std::size_t k = 0; k < packets[0].size(); ++k) {
            for (std::size_t n = 0; n < clients.size(); ++n) {
                const std::size_t i = reverse ? clients.size() - 1 - n : n;
                if (k < packets[i].size())
                    taps[i].bytes(packets[i][k].first, packets[i][k].second, t0);
            }
        }
    }
    capture_contents c = read_capture_contents(f);
    std::remove(f.c_str());
    return c;
}

const std::string prefix_a = "mqtt-scenario/3f9a2c1b", prefix_b = "mqtt-scenario/77e01d5a";

TEST(FlowCompare, SameFlowIsSame) {
    const auto a = run_capture("same_a.pcap", {{}}, 40001);
    const auto b = run_capture("same_b.pcap", {{}}, 41001);
    ASSERT_EQ(a.streams.size(), 1u);
    EXPECT_EQ(compare_flows(a, b), std::nullopt);
}

TEST(FlowCompare, PrefixesDifferUnlessReplaced) {
    client_flow one, two;
    one.name = "c1";
    two.name = "c2";
    one.prefix = two.prefix = prefix_a;
    const auto a = run_capture("prefix_a.pcap", {one, two}, 40001);
    one.prefix = two.prefix = prefix_b;
    one.pid = 30;  // and other ids, consistently renamed
    one.spid = 2;
    const auto b = run_capture("prefix_b.pcap", {one, two}, 42001, true);

    // The first difference: the SUBSCRIBE's topic filter (the CONNECT's client id is never
    // compared).
    const auto d = compare_flows(a, b);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->find("stream 1, client to server, packet 2 differs:\n"), std::string::npos) << *d;
    EXPECT_NE(d->find("  subscriptions[0].topic_filter: \"mqtt-scenario/3f9a2c1b/c1\" vs "
                      "\"mqtt-scenario/77e01d5a/c1\""),
              std::string::npos)
        << *d;

    // Replaced in topics, filters, the response topic, user properties, and in the bytes of the
    // correlation data and of a payload that is not text.
    flow_normalisation n;
    n.replacements = {{prefix_a, "<prefix>"}, {prefix_b, "<prefix>"}};
    EXPECT_EQ(compare_flows(a, b, n), std::nullopt);
    const flow_comparison c = compare_streams(a.streams, b.streams, n);
    EXPECT_EQ(c.summary, "same MQTT flow: 2 streams, 18 packets");  // paired in order

    // Replacing only one side's prefix leaves a difference.
    n.replacements = {{prefix_a, "<prefix>"}};
    EXPECT_TRUE(compare_flows(a, b, n).has_value());
}

TEST(FlowCompare, ReplacementReachesCorrelationDataAndBinaryPayload) {
    client_flow one;
    one.prefix = prefix_a;
    const auto a = run_capture("binary_a.pcap", {one}, 40001);
    one.prefix = prefix_b;
    const auto b = run_capture("binary_b.pcap", {one}, 40001);
    flow_normalisation n;
    n.replacements = {{prefix_a, "<prefix>"}, {prefix_b, "<prefix>"}};
    EXPECT_EQ(compare_flows(a, b, n), std::nullopt);
    // Without the replacement, both are differences (the payload once the rest is ignored).
    n.replacements.clear();
    n.ignored_fields = {"* subscriptions", "* topic", "* properties.response_topic",
                        "* properties.user_property"};
    auto d = compare_flows(a, b, n);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->find("  properties.correlation_data: \"" + hex_of(prefix_a + "/req-1") +
                      "\" vs \"" + hex_of(prefix_b + "/req-1") + "\""),
              std::string::npos)
        << *d;
    n.ignored_fields.push_back("* properties.correlation_data");
    d = compare_flows(a, b, n);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->find("  payload_hex: \"ff0020"), std::string::npos) << *d;
}

TEST(FlowCompare, IgnoredFieldOnlyForItsPacketType) {
    client_flow one;
    const auto a = run_capture("ignored_a.pcap", {one}, 40001);
    one.tag = "run-2";  // in the SUBSCRIBE's and the PUBLISHes' user properties
    const auto b = run_capture("ignored_b.pcap", {one}, 40001);

    flow_normalisation n;
    n.ignored_fields = {"PUBLISH properties.user_property"};
    auto d = compare_flows(a, b, n);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->find("stream 1, client to server, packet 2 differs:\n"), std::string::npos) << *d;
    EXPECT_NE(d->find("  properties.user_property[0][1]: \"run-1\" vs \"run-2\""),
              std::string::npos)
        << *d;

    n.ignored_fields = {"SUBSCRIBE properties.user_property"};
    d = compare_flows(a, b, n);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->find("stream 1, client to server, packet 3 differs:\n"), std::string::npos) << *d;

    n.ignored_fields = {"SUBSCRIBE properties.user_property", "PUBLISH properties.user_property"};
    EXPECT_EQ(compare_flows(a, b, n), std::nullopt);
    n.ignored_fields = {"* properties.user_property"};
    EXPECT_EQ(compare_flows(a, b, n), std::nullopt);
}

TEST(FlowCompare, FirstDifferenceNamesTheFieldAndBothValues) {
    client_flow one;
    const auto a = run_capture("first_a.pcap", {one}, 40001);
    one.expiry = 120;
    const auto b = run_capture("first_b.pcap", {one}, 40001);
    const auto d = compare_flows(a, b, {}, "run", "reference");
    ASSERT_TRUE(d.has_value());
    // The client's PUBLISH (client to server, packet 3) is the first; the lines as mqtt-inspect
    // diff prints them, with the captures' names.
    const std::vector<std::string> lines = [&] {
        std::vector<std::string> v;
        std::size_t start = 0;
        for (std::size_t nl; (nl = d->find('\n', start)) != std::string::npos; start = nl + 1)
            v.push_back(d->substr(start, nl - start));
        v.push_back(d->substr(start));
        return v;
    }();
    ASSERT_EQ(lines.size(), 4u) << *d;
    EXPECT_EQ(lines[0], "stream 1, client to server, packet 3 differs:");
    EXPECT_EQ(lines[1].rfind("  run (frame 8, +0.000s): PUBLISH", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2].rfind("  reference (frame 8, +0.000s): PUBLISH", 0), 0u) << lines[2];
    EXPECT_EQ(lines[3], "  properties.message_expiry_interval: 60 vs 120");

    flow_normalisation n;
    n.ignored_fields = {"PUBLISH properties.message_expiry_interval"};
    EXPECT_EQ(compare_flows(a, b, n), std::nullopt);
    n.ignored_fields = {"PUBACK properties.message_expiry_interval"};  // not in PUBLISH
    EXPECT_TRUE(compare_flows(a, b, n).has_value());
}

TEST(FlowCompare, IgnoringPacketIdsStopsTheRenamingCheck) {
    client_flow one;
    const auto a = run_capture("ids_a.pcap", {one}, 40001);
    one.pid = 5;  // ids renamed consistently: 1 -> 5 (PUBLISH, PUBACK), 2 -> 6 (SUBSCRIBE)
    EXPECT_EQ(compare_flows(a, run_capture("ids_b.pcap", {one}, 40001)), std::nullopt);
    one.puback = 6;  // the PUBACK acks 6, which renames A's SUBSCRIBE id 2, not 1
    const auto b = run_capture("ids_c.pcap", {one}, 40001);
    const auto d = compare_flows(a, b);
    ASSERT_TRUE(d.has_value());
    EXPECT_NE(d->find("  packet id: 1 in A and 6 in B are not the same renaming as before"),
              std::string::npos)
        << *d;
    flow_normalisation n;
    n.ignored_fields = {"PUBACK packet_id"};
    EXPECT_EQ(compare_flows(a, b, n), std::nullopt);
}

TEST(FlowCompare, BadIgnoredFieldsAreRefused) {
    const capture_contents none;
    for (const char* bad : {"PUBLISH", "PUBLISH ", "PUBLSH topic", "PUBLISH properties..x"}) {
        flow_normalisation n;
        n.ignored_fields = {bad};
        EXPECT_THROW(compare_flows(none, none, n), std::invalid_argument) << bad;
    }
}

}  // namespace
}  // namespace mqtt::tools
