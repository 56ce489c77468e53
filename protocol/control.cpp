// PINGREQ, PINGRESP (spec 3.12, 3.13), DISCONNECT (3.14) and AUTH (3.15).
#include "protocol/detail/families.hpp"

namespace mqtt::detail {

namespace {

// DISCONNECT and AUTH: Reason Code and Property Length may be omitted (spec 3.14.2.1, 3.15.2.1):
// Remaining Length 0 means Success and no properties; 1 means a Reason Code and no properties.
template <class W, class T>
void put_reason_and_properties(W& w, const T& p) {
    const bool no_props = p.props.empty();
    if (p.reason == reason_code::success && no_props) return;
    w.u8(to_byte(p.reason));
    if (!no_props) put_properties(w, p.props);
}

template <class T>
void decode_reason_and_properties(reader& r, T& out, property_context c) {
    r.begin("Variable Header");
    if (!r.at_end()) out.reason = r.reason();
    if (!r.at_end()) read_properties(r, c, out.props);
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

void decode_body(reader& r, std::uint8_t, disconnect& out) {
    decode_reason_and_properties(r, out, property_context::disconnect);
}
void decode_body(reader& r, std::uint8_t, auth& out) {
    decode_reason_and_properties(r, out, property_context::auth);
}
void put_body(sizer& w, const disconnect& p) {
    put_reason_and_properties(w, p);
}
void put_body(writer& w, const disconnect& p) {
    put_reason_and_properties(w, p);
}
void put_body(sizer& w, const auth& p) {
    put_reason_and_properties(w, p);
}
void put_body(writer& w, const auth& p) {
    put_reason_and_properties(w, p);
}
std::uint8_t header_flags(const disconnect&) {
    return 0;
}
std::uint8_t header_flags(const auth&) {
    return 0;
}

}  // namespace mqtt::detail
