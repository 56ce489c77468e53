// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (spec 3.8 - 3.11).
#include <type_traits>

#include "protocol/detail/families.hpp"
#include "protocol/topic.hpp"

namespace mqtt::detail {

namespace {

// Subscription Options, spec 3.8.3.1.
constexpr std::uint8_t qos_mask = 0x03, no_local_bit = 0x04, retain_as_published_bit = 0x08,
                       retain_handling_mask = 0x30, reserved_mask = 0xC0;

std::uint8_t options_byte(const subscription& s) {
    return std::uint8_t(std::uint8_t(s.max_qos) | (s.no_local ? no_local_bit : 0) |
                        (s.retain_as_published ? retain_as_published_bit : 0) |
                        (std::uint8_t(s.retain_handling) << 4));
}

template <class W>
void put(W& w, const subscribe& p) {
    w.u16(p.packet_id);
    if (!w.v311()) put_properties(w, p.props);
    for (const subscription& s : p.subscriptions) {
        w.utf8(s.topic_filter);
        w.u8(options_byte(s));
    }
}

template <class W>
void put(W& w, const unsubscribe& p) {
    w.u16(p.packet_id);
    if (!w.v311()) put_properties(w, p.props);
    for (std::string_view f : p.topic_filters)
        w.utf8(f);
}

// 3.1.1: no properties; a SUBACK's return codes are the bytes of the v5 codes of the same meaning,
// and an UNSUBACK has none (version_problem() refused them).
template <class W, class Ack>
void put_ack(W& w, const Ack& p) {
    w.u16(p.packet_id);
    if (!w.v311()) put_properties(w, p.props);
    for (reason_code rc : p.reason_codes)
        w.u8(to_byte(rc));
}

subscription subscription_of(std::string_view filter, std::uint8_t o) {
    return {filter, mqtt::qos(o & qos_mask), (o & no_local_bit) != 0,
            (o & retain_as_published_bit) != 0,
            mqtt::retain_handling((o & retain_handling_mask) >> 4)};
}

// list_view wire readers over payloads the decoder validated, reading with its reader (strings
// are not checked for UTF-8 again).
bool next_subscription(const std::uint8_t*& p, const std::uint8_t* end, subscription& out) {
    reader r(bytes_view(p, end), 0, packet_type::subscribe, nullptr);
    if (r.at_end()) return false;
    const std::string_view filter = as_chars(r.binary("Topic Filter"));
    out = subscription_of(filter, r.u8("Subscription Options"));
    p = r.position();
    return !r.failed();
}

bool next_topic_filter(const std::uint8_t*& p, const std::uint8_t* end, std::string_view& out) {
    reader r(bytes_view(p, end), 0, packet_type::unsubscribe, nullptr);
    if (r.at_end()) return false;
    out = as_chars(r.binary("Topic Filter"));
    p = r.position();
    return !r.failed();
}

bool next_reason_code(const std::uint8_t*& p, const std::uint8_t* end, reason_code& out) {
    reader r(bytes_view(p, end), 0, packet_type::suback, nullptr);
    if (r.at_end()) return false;
    out = reason_code(r.u8("Reason Code"));
    p = r.position();
    return !r.failed();
}

std::string_view topic_filter(reader& r) {
    const std::size_t at = r.offset();
    const std::string_view f = r.utf8("Topic Filter");  // MQTT-3.8.3-1, MQTT-3.10.3-1
    if (!r.failed()) {
        if (const char* problem = topic_filter_problem(f)) {
            r.fail_at(at, reason_code::topic_filter_invalid, "Topic Filter", problem);
        }
    }
    return f;
}

void empty_payload(reader& r, std::string_view what) {
    if (!r.failed() && r.at_end()) r.fail(reason_code::protocol_error, "Payload", what);
}

// An MQTT 3.1.1 SUBACK's payload: a Return Code per Topic Filter, 0x00 - 0x02 (the granted QoS)
// or 0x80 Failure, the same bytes as the v5 Reason Codes of the same meaning.
void decode_v311_suback(reader& r, suback& out) {
    r.begin("Payload");
    empty_payload(r, "no Return Codes");
    const std::uint8_t* start = r.position();
    std::size_t count = 0;
    while (!r.failed() && !r.at_end()) {
        const std::size_t at = r.offset();
        const std::uint8_t code = r.u8("Return Code");
        if (!r.failed() && code > 0x02 && code != 0x80) {
            r.fail_at(at, reason_code::protocol_error, "Return Code",
                      "SUBACK return codes are 0x00, 0x01, 0x02 and 0x80 (MQTT-3.9.3-2)");
        }
        ++count;
    }
    out.reason_codes =
        list_view<reason_code>::from_wire({start, r.position()}, count, next_reason_code);
    r.end();
}

template <class Ack>
void decode_ack(reader& r, Ack& out, property_context c) {
    r.begin("Variable Header");
    out.packet_id = read_packet_identifier(r);
    if (r.v311()) {
        r.end();
        if constexpr (std::is_same_v<Ack, suback>) {
            decode_v311_suback(r, out);
        } else if (!r.failed() && !r.at_end()) {  // 3.1.1 spec 3.11.3: no payload
            r.fail(reason_code::malformed_packet, "Remaining Length",
                   "an MQTT 3.1.1 UNSUBACK has Remaining Length 2: no Properties, no payload "
                   "(3.1.1 spec 3.11)");
        }
        return;
    }
    read_properties(r, c, out.props);
    r.end();
    r.begin("Payload");
    empty_payload(r, "no Reason Codes");
    const std::uint8_t* start = r.position();
    std::size_t count = 0;
    while (!r.failed() && !r.at_end()) {
        r.reason();
        ++count;
    }
    out.reason_codes =
        list_view<reason_code>::from_wire({start, r.position()}, count, next_reason_code);
    r.end();
}

}  // namespace

// An MQTT 3.1.1 subscription's options byte: the Requested QoS in bits 1-0, bits 7-2 reserved.
void check_v311_options(reader& r, std::size_t at, std::uint8_t o) {
    static constexpr bit_field bits[] = {{"Reserved", 0xFC}, {"Requested QoS", qos_mask}};
    if (!r.failed()) report_bits(r, at, o, bits);
    if (r.failed()) return;
    if (o & 0xFC) {
        r.fail_at(at, reason_code::malformed_packet, "Reserved",
                  "reserved bits 7-2 of the Requested QoS byte are set (MQTT-3.8.3-4)");
    } else if ((o & qos_mask) == 3) {
        r.fail_at(at, reason_code::malformed_packet, "Requested QoS",
                  "Requested QoS 3 is not allowed (MQTT-3.8.3-4)");
    }
}

void decode_body(reader& r, std::uint8_t, subscribe& out) {
    r.begin("Variable Header");
    out.packet_id = read_packet_identifier(r);
    if (!r.v311()) read_properties(r, property_context::subscribe, out.props);
    r.end();
    r.begin("Payload");
    empty_payload(r, r.v311() ? "SUBSCRIBE without a Topic Filter (MQTT-3.8.3-3)"
                              : "SUBSCRIBE without a Topic Filter (MQTT-3.8.3-2)");
    const std::uint8_t* start = r.position();
    std::size_t count = 0;
    while (!r.failed() && !r.at_end()) {
        r.begin("Subscription");
        const std::string_view filter = topic_filter(r);
        const std::size_t at = r.offset();
        if (r.v311()) {
            check_v311_options(r, at, r.u8("Requested QoS"));
            ++count;
            r.end();
            continue;
        }
        const std::uint8_t o = r.u8("Subscription Options");
        static constexpr bit_field bits[] = {{"Reserved", reserved_mask},
                                             {"Retain Handling", retain_handling_mask},
                                             {"Retain As Published", retain_as_published_bit},
                                             {"No Local", no_local_bit},
                                             {"Maximum QoS", qos_mask}};
        if (!r.failed()) report_bits(r, at, o, bits);
        if (r.failed()) break;
        if (o & reserved_mask) {
            r.fail_at(at, reason_code::malformed_packet, "Reserved",
                      "reserved Subscription Options bits are set (MQTT-3.8.3-5)");
        } else if ((o & qos_mask) == 3) {
            r.fail_at(at, reason_code::protocol_error, "Maximum QoS",
                      "Maximum QoS 3 is not allowed (spec 3.8.3.1)");
        } else if ((o & retain_handling_mask) == retain_handling_mask) {
            r.fail_at(at, reason_code::protocol_error, "Retain Handling",
                      "Retain Handling 3 is not allowed");
        } else if ((o & no_local_bit) && parse_shared(filter)) {
            r.fail_at(at, reason_code::protocol_error, "No Local",
                      "No Local on a Shared Subscription (MQTT-3.8.3-4)");
        }
        ++count;
        r.end();
    }
    out.subscriptions =
        list_view<subscription>::from_wire({start, r.position()}, count, next_subscription);
    r.end();
}

void decode_body(reader& r, std::uint8_t, unsubscribe& out) {
    r.begin("Variable Header");
    out.packet_id = read_packet_identifier(r);
    if (!r.v311()) read_properties(r, property_context::unsubscribe, out.props);
    r.end();
    r.begin("Payload");
    empty_payload(r, "UNSUBSCRIBE without a Topic Filter (MQTT-3.10.3-2)");
    const std::uint8_t* start = r.position();
    std::size_t count = 0;
    while (!r.failed() && !r.at_end()) {
        topic_filter(r);
        ++count;
    }
    out.topic_filters =
        list_view<std::string_view>::from_wire({start, r.position()}, count, next_topic_filter);
    r.end();
}

void decode_body(reader& r, std::uint8_t, suback& out) {
    decode_ack(r, out, property_context::suback);
}
void decode_body(reader& r, std::uint8_t, unsuback& out) {
    decode_ack(r, out, property_context::unsuback);
}

void put_body(sizer& w, const subscribe& p) {
    put(w, p);
}
void put_body(writer& w, const subscribe& p) {
    put(w, p);
}
std::uint8_t header_flags(const subscribe&) {
    return 2;
}  // MQTT-3.8.1-1
void put_body(sizer& w, const unsubscribe& p) {
    put(w, p);
}
void put_body(writer& w, const unsubscribe& p) {
    put(w, p);
}
std::uint8_t header_flags(const unsubscribe&) {
    return 2;
}  // MQTT-3.10.1-1
void put_body(sizer& w, const suback& p) {
    put_ack(w, p);
}
void put_body(writer& w, const suback& p) {
    put_ack(w, p);
}
std::uint8_t header_flags(const suback&) {
    return 0;
}
void put_body(sizer& w, const unsuback& p) {
    put_ack(w, p);
}
void put_body(writer& w, const unsuback& p) {
    put_ack(w, p);
}
std::uint8_t header_flags(const unsuback&) {
    return 0;
}

}  // namespace mqtt::detail
