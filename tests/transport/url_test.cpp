// Broker URLs (transport/url.hpp): the one parser behind client_options::url and the tools' -L.
#include <gtest/gtest.h>

#include "transport/url.hpp"

namespace mqtt::transport {
namespace {

broker_url parsed(std::string_view text) {
    std::string error;
    const std::optional<broker_url> u = parse_url(text, error);
    EXPECT_TRUE(u.has_value()) << text << ": " << error;
    return u.value_or(broker_url{});
}

std::string refused(std::string_view text) {
    std::string error;
    EXPECT_FALSE(parse_url(text, error).has_value()) << text << " was accepted";
    return error;
}

TEST(url, schemes_and_their_default_ports) {
    EXPECT_EQ(parsed("mqtt://broker").endpoint, (endpoint{"broker", 1883, false}));
    EXPECT_EQ(parsed("mqtts://broker").endpoint, (endpoint{"broker", 8883, true}));
    EXPECT_EQ(parsed("tcp://broker").endpoint, (endpoint{"broker", 1883, false}));
    EXPECT_EQ(parsed("ssl://broker").endpoint, (endpoint{"broker", 8883, true}));
    EXPECT_EQ(parsed("tls://broker").endpoint, (endpoint{"broker", 8883, true}));
    EXPECT_EQ(parsed("mqtts://broker:1884").endpoint, (endpoint{"broker", 1884, true}));
    EXPECT_TRUE(parsed("mqtts://broker:1884").port_given);
    EXPECT_FALSE(parsed("mqtts://broker").port_given);
}

TEST(url, ipv6_literals_in_brackets) {
    EXPECT_EQ(parsed("mqtt://[::1]:1883").endpoint, (endpoint{"::1", 1883, false}));
    EXPECT_EQ(parsed("mqtts://[fe80::1]").endpoint, (endpoint{"fe80::1", 8883, true}));
    EXPECT_EQ(parsed("mqtt://[::1]/a/b").path, "a/b");
    EXPECT_EQ(refused("mqtt://[::1"), "unclosed '[' in an IPv6 address");
    EXPECT_EQ(refused("mqtt://[::1]x"), "unexpected text after the IPv6 address");
    EXPECT_EQ(refused("mqtt://::1"), "an IPv6 address needs brackets: mqtt://[::1]:1883");
}

TEST(url, userinfo_and_path) {
    const broker_url u = parsed("mqtt://alice:s3cret@127.0.0.1:1884/sensors/t1");
    EXPECT_EQ(u.endpoint, (endpoint{"127.0.0.1", 1884, false}));
    EXPECT_EQ(u.username, "alice");
    EXPECT_EQ(u.password, "s3cret");
    EXPECT_EQ(u.path, "sensors/t1");
    const broker_url user_only = parsed("mqtt://bob@host");
    EXPECT_EQ(user_only.username, "bob");
    EXPECT_EQ(user_only.password, std::nullopt);
    // A password may hold '@' and ':'; the last '@' before the path ends the userinfo.
    const broker_url odd = parsed("mqtts://carol:p@ss:w@[::1]:8884/t");
    EXPECT_EQ(odd.username, "carol");
    EXPECT_EQ(odd.password, "p@ss:w");
    EXPECT_EQ(odd.endpoint, (endpoint{"::1", 8884, true}));
    EXPECT_EQ(parsed("mqtt://host").path, std::nullopt);
    EXPECT_EQ(parsed("mqtt://host/").path, std::nullopt);
    EXPECT_EQ(parsed("mqtt://host").username, std::nullopt);
}

TEST(url, bad_urls_say_why) {
    EXPECT_EQ(refused("broker:1883"), "a broker URL starts with mqtt:// or mqtts://");
    EXPECT_EQ(refused("http://broker"), "unknown scheme \"http\" (use mqtt:// or mqtts://)");
    EXPECT_EQ(refused("mqtt://"), "the URL names no host");
    EXPECT_EQ(refused("mqtt://user@:1883"), "the URL names no host");
    EXPECT_EQ(refused("mqtt://host:"), "no port after ':'");
    EXPECT_EQ(refused("mqtt://host:0"), "invalid port \"0\"");
    EXPECT_EQ(refused("mqtt://host:65536"), "invalid port \"65536\"");
    EXPECT_EQ(refused("mqtt://host:18a3"), "invalid port \"18a3\"");
}

TEST(url, to_url_brackets_ipv6) {
    EXPECT_EQ(to_url({"::1", 1883, false}), "mqtt://[::1]:1883");
    EXPECT_EQ(to_url({"broker", 8883, true}), "mqtts://broker:8883");
    EXPECT_EQ(parsed(to_url({"::1", 1884, true})).endpoint, (endpoint{"::1", 1884, true}));
}

}  // namespace
}  // namespace mqtt::transport
