// What MQTT 3.1.1 cannot carry of a packet (3.1.1 spec chapter 3): encoding in 3.1.1 refuses
// these rather than drop them, and check_packet() names them. The rest of 3.1.1's layout lives
// beside v5's, in each packet family file.
#include "protocol/detail/families.hpp"

namespace mqtt::detail {

namespace {

using problem = std::optional<decode_error>;

decode_error refuse(packet_type t, std::string_view field, std::string_view what,
                    reason_code rc = reason_code::malformed_packet) {
    return decode_error{rc, 0, t, field, what};
}

problem no_properties(packet_type t, const properties& p) {
    if (p.empty()) return std::nullopt;
    return refuse(t, "Properties", "MQTT 3.1.1 has no properties");
}

problem v311_problem(const connect& c) {
    if (problem e = no_properties(packet_type::connect, c.props)) return e;
    if (c.will && !c.will->props.empty()) {
        return refuse(packet_type::connect, "Will Properties", "MQTT 3.1.1 has no properties");
    }
    return std::nullopt;
}

problem v311_problem(const connack& c) {
    if (problem e = no_properties(packet_type::connack, c.props)) return e;
    connect_return_code unused{};
    if (!to_connect_return_code(c.reason, unused)) {
        return refuse(packet_type::connack, "Reason Code",
                      "no MQTT 3.1.1 Connect Return Code has this meaning (3.1.1 Table 3.1)",
                      reason_code::protocol_error);
    }
    return std::nullopt;
}

problem v311_problem(const publish& p) {
    return no_properties(packet_type::publish, p.props);
}

template <packet_type T>
problem v311_problem(const publish_response<T>& p) {
    if (problem e = no_properties(T, p.props)) return e;
    if (p.reason != reason_code::success) {
        return refuse(T, "Reason Code",
                      "MQTT 3.1.1 acknowledgements carry only the Packet Identifier: no Reason "
                      "Code other than Success",
                      reason_code::protocol_error);
    }
    return std::nullopt;
}

problem v311_problem(const subscribe& p) {
    if (problem e = no_properties(packet_type::subscribe, p.props)) return e;
    for (const subscription& s : p.subscriptions) {
        if (s.no_local || s.retain_as_published ||
            s.retain_handling != retain_handling::send_on_subscribe) {
            return refuse(packet_type::subscribe, "Subscription Options",
                          "MQTT 3.1.1 has only the Requested QoS: No Local, Retain As Published "
                          "and Retain Handling are MQTT 5");
        }
    }
    return std::nullopt;
}

problem v311_problem(const suback& p) {
    if (problem e = no_properties(packet_type::suback, p.props)) return e;
    for (reason_code rc : p.reason_codes) {
        if (rc != reason_code::success && rc != reason_code::granted_qos_1 &&
            rc != reason_code::granted_qos_2 && rc != reason_code::unspecified_error) {
            return refuse(packet_type::suback, "Return Code",
                          "MQTT 3.1.1 SUBACK return codes are 0x00, 0x01, 0x02 and 0x80 "
                          "(MQTT-3.9.3-2)",
                          reason_code::protocol_error);
        }
    }
    return std::nullopt;
}

problem v311_problem(const unsubscribe& p) {
    return no_properties(packet_type::unsubscribe, p.props);
}

problem v311_problem(const unsuback& p) {
    if (problem e = no_properties(packet_type::unsuback, p.props)) return e;
    if (!p.reason_codes.empty()) {
        return refuse(packet_type::unsuback, "Payload",
                      "MQTT 3.1.1 UNSUBACK has no payload: no Reason Codes (3.1.1 spec 3.11.3)");
    }
    return std::nullopt;
}

problem v311_problem(const pingreq&) {
    return std::nullopt;
}
problem v311_problem(const pingresp&) {
    return std::nullopt;
}

problem v311_problem(const disconnect& p) {
    if (problem e = no_properties(packet_type::disconnect, p.props)) return e;
    if (p.reason != reason_code::success) {
        return refuse(packet_type::disconnect, "Reason Code",
                      "MQTT 3.1.1 DISCONNECT has no body: no Reason Code other than Normal "
                      "disconnection",
                      reason_code::protocol_error);
    }
    return std::nullopt;
}

problem v311_problem(const auth&) {
    return refuse(packet_type::auth, "Packet Type", "MQTT 3.1.1 has no AUTH packet");
}

}  // namespace

std::optional<decode_error> version_problem(const packet& p, protocol_version version) {
    const connect* c = std::get_if<connect>(&p);
    if (version == protocol_version::v31 || (c && c->protocol_version == protocol_version::v31)) {
        return refuse(type_of(p), "Protocol Version", "MQTT 3.1 is decoded, never encoded",
                      reason_code::unsupported_protocol_version);
    }
    if (c && c->protocol_version != version) {
        return refuse(packet_type::connect, "Protocol Version",
                      version == protocol_version::v311
                          ? "encoding as MQTT 3.1.1 a CONNECT whose protocol_version is 5"
                          : "encoding as MQTT 5 a CONNECT whose protocol_version is 4 (3.1.1)",
                      reason_code::unsupported_protocol_version);
    }
    if (version != protocol_version::v311) return std::nullopt;
    return std::visit([](const auto& pkt) { return v311_problem(pkt); }, p);
}

}  // namespace mqtt::detail
