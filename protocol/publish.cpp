// PUBLISH (spec 3.3) and its responses PUBACK, PUBREC, PUBREL, PUBCOMP (spec 3.4 - 3.7).
#include <cstring>

#include "protocol/detail/families.hpp"

namespace mqtt::detail {

std::uint16_t read_packet_identifier(reader& r) {
    const std::size_t at = r.offset();
    const std::uint16_t id = r.u16("Packet Identifier");
    if (!r.failed() && id == 0) {
        r.fail_at(at, reason_code::protocol_error, "Packet Identifier",
                  r.v311() ? "Packet Identifier of 0 (MQTT-2.3.1-1)"
                           : "Packet Identifier of 0 (MQTT-2.2.1-3)");
    }
    return id;
}

namespace {

template <class W>
void put(W& w, const publish& p) {
    w.utf8(p.topic);
    if (p.qos != qos::at_most_once) w.u16(p.packet_id);  // MQTT-2.2.1-2: none at QoS 0
    if (!w.v311()) put_properties(w, p.props);
    w.raw(p.payload);
}

// The short forms (spec 3.4.2.1): Reason Code omitted when it is Success and there are no
// properties; Property Length omitted when there are none. 3.1.1 has only the Packet Identifier
// (3.1.1 spec 3.4 - 3.7; version_problem() refused anything more).
template <class W, packet_type T>
void put(W& w, const publish_response<T>& p) {
    w.u16(p.packet_id);
    if (w.v311()) return;
    const bool no_props = p.props.empty();
    if (p.reason == reason_code::success && no_props) return;
    w.u8(to_byte(p.reason));
    if (!no_props) put_properties(w, p.props);
}

template <packet_type T>
void decode_response(reader& r, publish_response<T>& out) {
    r.begin("Variable Header");
    out.packet_id = read_packet_identifier(r);
    if (r.v311()) {  // Remaining Length 2: the Packet Identifier and nothing else
        if (!r.failed() && !r.at_end()) {
            r.fail(reason_code::malformed_packet, "Remaining Length",
                   "an MQTT 3.1.1 acknowledgement has Remaining Length 2: the Packet Identifier "
                   "only, no Reason Code or Properties (3.1.1 spec 3.4.1 - 3.7.1)");
        }
        r.end();
        return;
    }
    // Remaining Length 2: Success, no properties. 3: a Reason Code, no properties.
    if (!r.at_end()) out.reason = r.reason();
    if (!r.at_end()) read_properties(r, context_of(T), out.props);
    r.end();
}

}  // namespace

void decode_body(reader& r, std::uint8_t flags, publish& out) {
    // Flags were checked with the fixed header (QoS 3, DUP on QoS 0).
    out.dup = flags & 0x08;
    out.qos = mqtt::qos((flags >> 1) & 0x03);
    out.retain = flags & 0x01;
    r.begin("Variable Header");
    const std::size_t topic_at = r.offset();
    out.topic = r.utf8("Topic Name");  // MQTT-3.3.2-1
    if (!r.failed() && (std::memchr(out.topic.data(), '+', out.topic.size()) ||
                        std::memchr(out.topic.data(), '#', out.topic.size()))) {
        r.fail_at(topic_at, reason_code::topic_name_invalid, "Topic Name",
                  "wildcard character in a Topic Name (MQTT-3.3.2-2)");
    }
    if (out.qos != qos::at_most_once) out.packet_id = read_packet_identifier(r);
    if (r.v311()) {  // no properties, so no Topic Alias: a Topic Name is never empty
        if (!r.failed() && out.topic.empty()) {
            r.fail_at(topic_at, reason_code::topic_name_invalid, "Topic Name",
                      "empty Topic Name (MQTT-4.7.3-1)");
        }
    } else {
        read_properties(r, property_context::publish, out.props);
    }
    if (!r.failed() && !r.v311() && out.topic.empty() && !out.props.topic_alias) {
        r.fail_at(topic_at, reason_code::protocol_error, "Topic Name",
                  "empty Topic Name without a Topic Alias");
    }
    r.end();
    r.begin("Payload");
    out.payload = r.rest("Payload");
    r.end();
}

void put_body(sizer& w, const publish& p) {
    put(w, p);
}
void put_body(writer& w, const publish& p) {
    put(w, p);
}
std::uint8_t header_flags(const publish& p) {
    return std::uint8_t((p.dup ? 0x08 : 0) | (std::uint8_t(p.qos) << 1) | (p.retain ? 0x01 : 0));
}

#define MQTT_PUBLISH_RESPONSE(T, FLAGS)                 \
    void decode_body(reader& r, std::uint8_t, T& out) { \
        decode_response(r, out);                        \
    }                                                   \
    void put_body(sizer& w, const T& p) {               \
        put(w, p);                                      \
    }                                                   \
    void put_body(writer& w, const T& p) {              \
        put(w, p);                                      \
    }                                                   \
    std::uint8_t header_flags(const T&) {               \
        return FLAGS;                                   \
    }

MQTT_PUBLISH_RESPONSE(puback, 0)
MQTT_PUBLISH_RESPONSE(pubrec, 0)
MQTT_PUBLISH_RESPONSE(pubrel, 2)  // MQTT-3.6.1-1
MQTT_PUBLISH_RESPONSE(pubcomp, 0)

#undef MQTT_PUBLISH_RESPONSE

}  // namespace mqtt::detail
