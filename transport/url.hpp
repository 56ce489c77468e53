// Broker addresses: mqtt://host[:port] (TCP, 1883) and mqtts://host[:port] (TLS, 8883). IPv6
// literals go in brackets: mqtt://[::1]:1883.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqtt::transport {

struct endpoint {
    std::string host;
    std::uint16_t port = 1883;
    bool tls = false;
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

// nullopt with `error` set when the URL is not understood ("unknown scheme \"http\"", ...).
std::optional<endpoint> parse_url(std::string_view url, std::string& error);
std::string to_url(const endpoint& e);

}  // namespace mqtt::transport
