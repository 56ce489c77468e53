// PINGREQ, PINGRESP (spec 3.12, 3.13), DISCONNECT (3.14) and AUTH (3.15).
#include "protocol/detail/families.hpp"

namespace mqtt::detail {

namespace {

// DISCONNECT and AUTH: Remaining Length 0 means Success and no properties (spec 3.14.2.1,
// 3.15.2.1). DISCONNECT may also stop after its Reason Code (3.14.2.2.1: "If the Remaining Length
// is less than 2, a value of 0 is used"); AUTH has no such form, so its Reason Code is always
// followed by a Property Length.
template <class W, class T>
void put_reason_and_properties(W& w, const T& p, bool property_length_optional) {
    const bool no_props = p.props.empty();
    if (p.reason == reason_code::success && no_props) return;
    w.u8(to_byte(p.reason));
    if (!no_props || !property_length_optional) put_properties(w, p.props);
}

template <class T>
void decode_reason_and_properties(reader& r, T& out, property_context c,
                                  bool property_length_optional) {
    r.begin("Variable Header");
    if (!r.at_end()) {
        out.reason = r.reason();
        if (!r.at_end() || !property_length_optional) read_properties(r, c, out.props);
    }
    r.end();
}

}  // namespace

// PINGREQ and PINGRESP have no body: bytes after the fixed header are left over, which the
// caller reports as Malformed.
void decode_body(reader&, std::uint8_t, pingreq&) {}
void decode_body(reader&, std::uint8_t, pingresp&) {}
void put_body(sizer&, const pingreq&) {}
void put_body(writer&, const pingreq&) {}
void put_body(sizer&, const pingresp&) {}
void put_body(writer&, const pingresp&) {}
std::uint8_t header_flags(const pingreq&) {
    return 0;
}
std::uint8_t header_flags(const pingresp&) {
    return 0;
}

// An MQTT 3.1.1 DISCONNECT is the fixed header alone (3.1.1 spec 3.14), sent only by the Client:
// which side sent it is the session's to judge, the codec does not know.
void decode_body(reader& r, std::uint8_t, disconnect& out) {
    if (r.v311()) {
        if (!r.at_end()) {
            r.fail(reason_code::malformed_packet, "Remaining Length",
                   "an MQTT 3.1.1 DISCONNECT has Remaining Length 0: no Reason Code or "
                   "Properties (3.1.1 spec 3.14)");
        }
        return;
    }
    decode_reason_and_properties(r, out, property_context::disconnect, true);
}
void decode_body(reader& r, std::uint8_t, auth& out) {
    decode_reason_and_properties(r, out, property_context::auth, false);
}
void put_body(sizer& w, const disconnect& p) {
    if (!w.v311()) put_reason_and_properties(w, p, true);
}
void put_body(writer& w, const disconnect& p) {
    if (!w.v311()) put_reason_and_properties(w, p, true);
}
void put_body(sizer& w, const auth& p) {
    put_reason_and_properties(w, p, false);
}
void put_body(writer& w, const auth& p) {
    put_reason_and_properties(w, p, false);
}
std::uint8_t header_flags(const disconnect&) {
    return 0;
}
std::uint8_t header_flags(const auth&) {
    return 0;
}

}  // namespace mqtt::detail
