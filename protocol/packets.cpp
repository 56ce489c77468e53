#include "protocol/packets.hpp"

namespace mqtt {

namespace {

bool eq(const std::optional<bytes_view>& a, const std::optional<bytes_view>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || equal_bytes(*a, *b);
}

}  // namespace

bool operator==(const will_message& a, const will_message& b) {
    return a.topic == b.topic && equal_bytes(a.payload, b.payload) && a.qos == b.qos &&
           a.retain == b.retain && a.props == b.props;
}

bool operator==(const connect& a, const connect& b) {
    return a.clean_start == b.clean_start && a.keep_alive == b.keep_alive && a.props == b.props &&
           a.client_id == b.client_id && a.will == b.will && a.username == b.username &&
           eq(a.password, b.password) && a.protocol_version == b.protocol_version;
}

bool operator==(const publish& a, const publish& b) {
    return a.dup == b.dup && a.qos == b.qos && a.retain == b.retain && a.topic == b.topic &&
           a.packet_id == b.packet_id && a.props == b.props && equal_bytes(a.payload, b.payload);
}

}  // namespace mqtt
