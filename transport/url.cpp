#include "transport/url.hpp"

#include <charconv>

namespace mqtt::transport {

std::optional<broker_url> parse_url(std::string_view url, std::string& error) {
    broker_url u;
    endpoint& e = u.endpoint;
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
    // userinfo@: up to the last '@' before the path, so a password may hold an '@'.
    std::string_view authority = rest.substr(0, rest.find('/'));
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        const std::size_t colon = userinfo.find(':');
        u.username = std::string(userinfo.substr(0, colon));
        if (colon != std::string_view::npos) u.password = std::string(userinfo.substr(colon + 1));
        rest.remove_prefix(at + 1);
    }
    if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
        if (slash + 1 < rest.size()) u.path = std::string(rest.substr(slash + 1));
        rest = rest.substr(0, slash);
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
        if (rest.starts_with(':')) {
            port = rest.substr(1);
            if (port.empty()) {
                error = "no port after ':'";
                return std::nullopt;
            }
        } else if (!rest.empty()) {
            error = "unexpected text after the IPv6 address";
            return std::nullopt;
        }
    } else if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
        if (rest.find(':', colon + 1) != std::string_view::npos) {
            error = "an IPv6 address needs brackets: mqtt://[::1]:1883";
            return std::nullopt;
        }
        e.host = std::string(rest.substr(0, colon));
        port = rest.substr(colon + 1);
        if (port.empty()) {
            error = "no port after ':'";
            return std::nullopt;
        }
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
        u.port_given = true;
    }
    return u;
}

std::string to_url(const endpoint& e) {
    const bool v6 = e.host.find(':') != std::string::npos;
    return std::string(e.tls ? "mqtts://" : "mqtt://") + (v6 ? "[" + e.host + "]" : e.host) + ":" +
           std::to_string(e.port);
}

}  // namespace mqtt::transport
