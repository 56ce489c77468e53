// CONNECT (spec 3.1) and CONNACK (spec 3.2).
#include "protocol/detail/families.hpp"
#include "protocol/topic.hpp"

namespace mqtt::detail {

namespace {

// Connect Flags, spec 3.1.2.3.
constexpr std::uint8_t user_name_flag = 0x80, password_flag = 0x40, will_retain_flag = 0x20,
                       will_qos_mask = 0x18, will_flag = 0x04, clean_start_flag = 0x02,
                       reserved_flag = 0x01;

template <class W>
void put(W& w, const connect& p) {
    std::uint8_t flags = p.clean_start ? clean_start_flag : 0;
    if (p.will) {
        flags |= will_flag | std::uint8_t(std::uint8_t(p.will->qos) << 3);
        if (p.will->retain) flags |= will_retain_flag;
    }
    if (p.username) flags |= user_name_flag;
    if (p.password) flags |= password_flag;

    // 3.1.1 (encoded only when p.protocol_version is 4, see version_problem): no properties.
    w.utf8("MQTT");          // Protocol Name
    w.u8(w.v311() ? 4 : 5);  // Protocol Version (3.1.1: Protocol Level)
    w.u8(flags);
    w.u16(p.keep_alive);
    if (!w.v311()) put_properties(w, p.props);
    // Payload order: MQTT-3.1.3-1 (both versions)
    w.utf8(p.client_id);
    if (p.will) {
        if (!w.v311()) put_properties(w, p.will->props);
        w.utf8(p.will->topic);
        w.binary(p.will->payload);
    }
    if (p.username) w.utf8(*p.username);
    if (p.password) w.binary(*p.password);
}

template <class W>
void put(W& w, const connack& p) {
    w.u8(p.session_present ? 1 : 0);
    if (w.v311()) {  // the Connect Return Code of the same meaning, then nothing (3.1.1 3.2)
        connect_return_code c{};
        to_connect_return_code(p.reason, c);  // version_problem() refused codes without one
        w.u8(std::uint8_t(c));
        return;
    }
    w.u8(to_byte(p.reason));
    put_properties(w, p.props);
}

}  // namespace

void decode_body(reader& r, std::uint8_t, connect& out) {
    r.begin("Variable Header");
    std::size_t at = r.offset();
    const std::string_view name = r.utf8("Protocol Name");
    // MQTT 3.1's CONNECT says "MQIsdp", level 3 (3.1 spec 3.1); it is read, never written.
    const bool mqisdp = name == "MQIsdp";
    if (!r.failed() && name != "MQTT" && !mqisdp) {
        r.fail_at(at, reason_code::unsupported_protocol_version, "Protocol Name",
                  "protocol name is not \"MQTT\" (MQTT-3.1.2-1)");
    }
    // The Protocol Level says which version the packet is, whatever the stream's setting: 4 is
    // MQTT 3.1.1 (3.1.1 spec 3.1.2.2), 5 is MQTT 5 (3.1.2.2), 3 with "MQIsdp" MQTT 3.1.
    at = r.offset();
    const std::uint8_t version = r.u8("Protocol Version");
    if (!r.failed() && mqisdp && version != 3) {
        r.fail_at(at, reason_code::unsupported_protocol_version, "Protocol Version",
                  "protocol name \"MQIsdp\" is MQTT 3.1's, whose level is 3");
    } else if (!r.failed() && !mqisdp && version != 5 && version != 4) {
        r.fail_at(at, reason_code::unsupported_protocol_version, "Protocol Version",
                  version == 3
                      ? "level 3 is MQTT 3.1, whose protocol name is \"MQIsdp\", not \"MQTT\""
                      : "protocol version is neither 4 (MQTT 3.1.1) nor 5 (MQTT 5)");
    }
    if (!r.failed()) {
        r.set_version(mqisdp         ? protocol_version::v31
                      : version == 4 ? protocol_version::v311
                                     : protocol_version::v5);
    }
    const bool v311 = r.v311();
    out.protocol_version = r.version();
    at = r.offset();
    const std::uint8_t flags = r.u8("Connect Flags");
    static constexpr bit_field bits[] = {
        {"User Name Flag", user_name_flag}, {"Password Flag", password_flag},
        {"Will Retain", will_retain_flag},  {"Will QoS", will_qos_mask},
        {"Will Flag", will_flag},           {"Clean Start", clean_start_flag},
        {"Reserved", reserved_flag}};
    static constexpr bit_field bits_v311[] = {
        {"User Name Flag", user_name_flag}, {"Password Flag", password_flag},
        {"Will Retain", will_retain_flag},  {"Will QoS", will_qos_mask},
        {"Will Flag", will_flag},           {"Clean Session", clean_start_flag},
        {"Reserved", reserved_flag}};
    if (!r.failed()) report_bits(r, at, flags, v311 ? bits_v311 : bits);
    const bool has_will = flags & will_flag;
    const auto will_qos = std::uint8_t((flags & will_qos_mask) >> 3);
    // The same rules in both versions, numbered differently.
    if (flags & reserved_flag) {
        r.fail_at(at, reason_code::malformed_packet, "Reserved",
                  "reserved Connect Flags bit is set (MQTT-3.1.2-3)");
    } else if (!has_will && will_qos != 0) {
        r.fail_at(at, reason_code::malformed_packet, "Will QoS",
                  v311 ? "Will QoS set without the Will Flag (MQTT-3.1.2-13)"
                       : "Will QoS set without the Will Flag (MQTT-3.1.2-11)");
    } else if (!has_will && (flags & will_retain_flag)) {
        r.fail_at(at, reason_code::malformed_packet, "Will Retain",
                  v311 ? "Will Retain set without the Will Flag (MQTT-3.1.2-15)"
                       : "Will Retain set without the Will Flag (MQTT-3.1.2-13)");
    } else if (will_qos == 3) {
        r.fail_at(at, reason_code::malformed_packet, "Will QoS",
                  v311 ? "Will QoS 3 is not allowed (MQTT-3.1.2-14)"
                       : "Will QoS 3 is not allowed (MQTT-3.1.2-12)");
    } else if (v311 && (flags & password_flag) && !(flags & user_name_flag)) {
        // Allowed since MQTT 5.
        r.fail_at(at, reason_code::malformed_packet, "Password Flag",
                  "Password Flag set without the User Name Flag (MQTT-3.1.2-22)");
    }
    out.clean_start = flags & clean_start_flag;
    out.keep_alive = r.u16("Keep Alive");
    if (!v311) read_properties(r, property_context::connect, out.props);
    r.end();

    r.begin("Payload");
    at = r.offset();
    out.client_id = r.utf8("Client Identifier");
    if (r.v31() && !r.failed()) {
        // 3.1 spec 3.1, Payload: "between 1 and 23 characters long" (refused with return code
        // 0x02 Identifier rejected, v5's 0x85).
        std::size_t characters = 0;
        for (const char c : out.client_id)
            characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
        if (characters < 1 || characters > 23) {
            r.fail_at(at, reason_code::client_identifier_not_valid, "Client Identifier",
                      "an MQTT 3.1 Client Identifier has 1 to 23 characters (3.1 spec 3.1)");
        }
    }
    if (v311 && !r.failed() && out.client_id.empty() && !out.clean_start) {
        // 0x85 is the v5 code for the CONNACK return code 0x02 Identifier rejected.
        r.fail_at(at, reason_code::client_identifier_not_valid, "Client Identifier",
                  "empty Client Identifier with Clean Session 0 (MQTT-3.1.3-7, -8)");
    }
    if (has_will && !r.failed()) {
        will_message& will = out.will.emplace();
        will.qos = mqtt::qos(will_qos);
        will.retain = flags & will_retain_flag;
        if (!v311) read_properties(r, property_context::will, will.props, "Will Properties");
        at = r.offset();
        will.topic = r.utf8("Will Topic");
        if (!r.failed()) {
            if (const char* problem = topic_name_problem(will.topic)) {
                r.fail_at(at, reason_code::topic_name_invalid, "Will Topic", problem);
            }
        }
        will.payload = r.binary(v311 ? "Will Message" : "Will Payload");
    }
    if (flags & user_name_flag) out.username = r.utf8("User Name");
    if (flags & password_flag) out.password = r.binary("Password");
    r.end();
}

void decode_body(reader& r, std::uint8_t, connack& out) {
    r.begin("Variable Header");
    const std::size_t at = r.offset();
    const std::uint8_t ack = r.u8("Connect Acknowledge Flags");
    static constexpr bit_field bits[] = {{"Reserved", 0xFE}, {"Session Present", 0x01}};
    if (!r.failed()) report_bits(r, at, ack, bits);
    if (ack & 0xFE) {
        r.fail_at(at, reason_code::malformed_packet, "Connect Acknowledge Flags",
                  r.v311() ? "reserved bits 7-1 are set (3.1.1 spec 3.2.2.1)"
                           : "reserved bits 7-1 are set (MQTT-3.2.2-1)");
    }
    out.session_present = ack & 0x01;
    if (r.v311()) {
        // A Connect Return Code (3.1.1 Table 3.1), held as the v5 reason code of its meaning.
        const std::size_t code_at = r.offset();
        const std::uint8_t code = r.u8("Connect Return Code");
        if (!r.failed() && code > 5) {
            r.fail_at(code_at, reason_code::protocol_error, "Connect Return Code",
                      "return codes 6-255 are reserved (3.1.1 Table 3.1)");
        }
        out.reason = to_reason_code(connect_return_code(code));
        if (!r.failed() && out.session_present && code != 0) {
            r.fail_at(at, reason_code::protocol_error, "Session Present",
                      "Session Present set with a non-zero return code (MQTT-3.2.2-4)");
        }
        if (!r.failed() && !r.at_end()) {
            r.fail(reason_code::malformed_packet, "Remaining Length",
                   "an MQTT 3.1.1 CONNACK has Remaining Length 2: no Properties (3.1.1 3.2.1)");
        }
        r.end();
        return;
    }
    out.reason = r.reason();
    if (!r.failed() && out.session_present && is_failure(out.reason)) {
        r.fail_at(at, reason_code::protocol_error, "Session Present",
                  "Session Present set with a failure reason code (MQTT-3.2.2-6)");
    }
    read_properties(r, property_context::connack, out.props);
    r.end();
}

void put_body(sizer& w, const connect& p) {
    put(w, p);
}
void put_body(writer& w, const connect& p) {
    put(w, p);
}
std::uint8_t header_flags(const connect&) {
    return 0;
}
void put_body(sizer& w, const connack& p) {
    put(w, p);
}
void put_body(writer& w, const connack& p) {
    put(w, p);
}
std::uint8_t header_flags(const connack&) {
    return 0;
}

}  // namespace mqtt::detail
