#include "transport/url.hpp"

#include <charconv>

namespace mqtt::transport {

std::optional<endpoint> parse_url(std::string_view url, std::string& error) {
    endpoint e;
    const std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) {
        error = "a broker URL starts with mqtt:// or mqtts://";
        return std::nullopt;
    }
    const std::string_view scheme = url.substr(0, sep);
    if (scheme == "mqtt" || scheme == "tcp") {
        e.tls = false;
        e.port = 1883;
    } else if (scheme == "mqtts" || scheme == "ssl" || scheme == "tls") {
        e.tls = true;
        e.port = 8883;
    } else {
        error = "unknown scheme \"" + std::string(scheme) + "\" (use mqtt:// or mqtts://)";
        return std::nullopt;
    }
    std::string_view rest = url.substr(sep + 3);
    if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
        rest = rest.substr(0, slash);  // a path means nothing to MQTT over TCP
    }
    std::string_view port;
    if (rest.starts_with('[')) {  // [IPv6]:port
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) {
            error = "unclosed '[' in an IPv6 address";
            return std::nullopt;
        }
        e.host = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        if (rest.starts_with(':'))
            port = rest.substr(1);
        else if (!rest.empty()) {
            error = "unexpected text after the IPv6 address";
            return std::nullopt;
        }
    } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        e.host = std::string(rest.substr(0, colon));
        port = rest.substr(colon + 1);
    } else {
        e.host = std::string(rest);
    }
    if (e.host.empty()) {
        error = "the URL names no host";
        return std::nullopt;
    }
    if (!port.empty()) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65'535) {
            error = "invalid port \"" + std::string(port) + "\"";
            return std::nullopt;
        }
        e.port = std::uint16_t(value);
    }
    return e;
}

std::string to_url(const endpoint& e) {
    const bool v6 = e.host.find(':') != std::string::npos;
    return std::string(e.tls ? "mqtts://" : "mqtt://") + (v6 ? "[" + e.host + "]" : e.host) + ":" +
           std::to_string(e.port);
}

}  // namespace mqtt::transport
