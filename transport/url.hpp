// Broker addresses as URLs, parsed in this one place for the client (client_options::url) and
// the tools (-L):
//
//   mqtt://[username[:password]@]host[:port][/path]    TCP, port 1883 by default
//   mqtts://[username[:password]@]host[:port][/path]   TLS, port 8883 by default
//
// tcp://, ssl:// and tls:// are accepted as other names of the two (Paho's spellings). IPv6
// literals go in brackets: mqtt://[::1]:1883. The path means nothing to MQTT over TCP; the tools
// take it as the topic, as mosquitto_pub/sub's -L does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqtt::transport {

struct endpoint {
    std::string host;  // a name or an address, without brackets
    std::uint16_t port = 1883;
    bool tls = false;
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

struct broker_url {
    transport::endpoint endpoint;
    std::optional<std::string> username;  // the userinfo before '@', up to a ':'
    std::optional<std::string> password;  // after that ':'
    std::optional<std::string> path;      // after the first '/' that follows the host, if any
    bool port_given = false;  // the URL names its port (else endpoint.port is the scheme's)
    friend bool operator==(const broker_url&, const broker_url&) = default;
};

// nullopt with `error` set when the URL is not understood: "unknown scheme \"http\" (use
// mqtt:// or mqtts://)", "invalid port \"99999\"", "the URL names no host", ...
std::optional<broker_url> parse_url(std::string_view url, std::string& error);
// "mqtt://host:1883", "mqtts://[::1]:8883"
std::string to_url(const endpoint& e);

}  // namespace mqtt::transport
