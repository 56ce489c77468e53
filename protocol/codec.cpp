// The dispatch between the fixed header (spec 2.1) and the per-family body codecs.
#include "protocol/codec.hpp"

#include <algorithm>
#include <vector>

#include "protocol/detail/families.hpp"

namespace mqtt {

namespace {

decode_error header_error(std::size_t offset, packet_type t, std::string_view field,
                          std::string_view problem,
                          reason_code rc = reason_code::malformed_packet) {
    return decode_error{rc, offset, t, field, problem};
}

// Spec 2.1.3: the flags each type must carry (PUBLISH's are checked apart).
std::uint8_t required_flags(packet_type t) {
    return t == packet_type::pubrel || t == packet_type::subscribe || t == packet_type::unsubscribe
               ? 0x02
               : 0x00;
}

void report_fixed_header(field_visitor& v, const fixed_header& h, std::size_t base) {
    v.begin_section("Fixed Header", base);
    v.field({"Packet Type", base, 1, 0xF0, std::uint64_t(h.type)});
    if (h.type == packet_type::publish) {
        v.field({"DUP", base, 1, 0x08, std::uint64_t((h.flags >> 3) & 1)});
        v.field({"QoS", base, 1, 0x06, std::uint64_t((h.flags >> 1) & 3)});
        v.field({"RETAIN", base, 1, 0x01, std::uint64_t(h.flags & 1)});
    } else {
        v.field({"Reserved", base, 1, 0x0F, std::uint64_t(h.flags)});
    }
    v.field({"Remaining Length", base + 1, std::size_t(h.size - 1), 0,
             std::uint64_t(h.remaining_length)});
    v.end_section(base + h.size);
}

}  // namespace

header_result decode_fixed_header(bytes_view bytes, const decode_options& opts) {
    header_result res;
    if (bytes.empty()) return res;
    const std::size_t base = opts.base_offset;
    fixed_header& h = res.header;
    h.type = packet_type(bytes[0] >> 4);
    h.flags = bytes[0] & 0x0F;
    auto fail = [&](decode_error e) {
        res.status = decode_status::error;
        res.error = e;
        return res;
    };
    const bool v311 = opts.version != protocol_version::v5;  // or 3.1
    if (h.type == packet_type{0}) {
        return fail(header_error(base, h.type, "Packet Type", "reserved packet type 0"));
    }
    if (v311 && h.type == packet_type::auth) {  // 3.1.1 spec 2.2.1, Table 2.1
        return fail(header_error(base, h.type, "Packet Type",
                                 "packet type 15 (AUTH) is reserved in MQTT 3.1.1"));
    }
    if (h.type == packet_type::publish) {
        const std::uint8_t q = (h.flags >> 1) & 0x03;
        if (q == 3) {
            return fail(header_error(base, h.type, "QoS", "QoS 3 is not allowed (MQTT-3.3.1-4)"));
        }
        if (q == 0 && (h.flags & 0x08)) {
            return fail(
                header_error(base, h.type, "DUP", "DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2)"));
        }
    } else if (h.flags != required_flags(h.type)) {
        const bool one = required_flags(h.type) != 0;
        return fail(header_error(base, h.type, "Reserved",
                                 v311 ? (one ? "fixed header flags must be 0010 (MQTT-2.2.2-1, -2)"
                                             : "fixed header flags must be 0000 (MQTT-2.2.2-1, -2)")
                                      : (one ? "fixed header flags must be 0010 (MQTT-2.1.3-1)"
                                             : "fixed header flags must be 0000 (MQTT-2.1.3-1)")));
    }
    // Remaining Length: a Variable Byte Integer of 1 to 4 bytes (spec 1.5.5).
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (bytes.size() < i + 2) return res;  // need more
        const std::uint8_t b = bytes[i + 1];
        length |= std::uint32_t(b & 0x7F) << (7 * i);
        if (b & 0x80) continue;
        if (i > 0 && b == 0) {
            return fail(header_error(base + 1, h.type, "Remaining Length",
                                     "Variable Byte Integer not in its shortest form "
                                     "(MQTT-1.5.5-1)"));
        }
        h.remaining_length = length;
        h.size = std::uint8_t(i + 2);
        if (h.packet_size() > opts.maximum_packet_size) {
            return fail(header_error(base + 1, h.type, "Remaining Length",
                                     "packet larger than the Maximum Packet Size",
                                     reason_code::packet_too_large));
        }
        res.status = decode_status::complete;
        return res;
    }
    return fail(header_error(base + 1, h.type, "Remaining Length",
                             "Variable Byte Integer longer than 4 bytes"));
}

std::optional<protocol_version> connect_version(bytes_view bytes) {
    const header_result hr = decode_fixed_header(bytes);
    if (hr.status != decode_status::complete || hr.header.type != packet_type::connect) {
        return std::nullopt;
    }
    // Protocol Name (a two-byte length, then the name), then the Protocol Level (spec 3.1.2.1-2).
    const bytes_view body = bytes.subspan(hr.header.size)
                                .first(std::min<std::size_t>(hr.header.remaining_length,
                                                             bytes.size() - hr.header.size));
    if (body.size() < 2) return std::nullopt;
    const std::size_t name_size = std::size_t(body[0] << 8 | body[1]);
    if (body.size() < 2 + name_size + 1) return std::nullopt;
    const std::string_view name = as_chars(body.subspan(2, name_size));
    const std::uint8_t level = body[2 + name_size];
    if (name == "MQTT" && level == 5) return protocol_version::v5;
    if (name == "MQTT" && level == 4) return protocol_version::v311;
    if (name == "MQIsdp" && level == 3) return protocol_version::v31;
    return std::nullopt;
}

decode_result decode(bytes_view bytes, const decode_options& opts, field_visitor* visitor) {
    decode_result res;
    const header_result hr = decode_fixed_header(bytes, opts);
    if (hr.status != decode_status::complete) {
        res.status = hr.status;
        res.error = hr.error;
        return res;
    }
    const fixed_header& h = hr.header;
    if (bytes.size() < h.packet_size()) return res;  // need more
    if (visitor) report_fixed_header(*visitor, h, opts.base_offset);

    detail::reader r(bytes.subspan(h.size, h.remaining_length), opts.base_offset + h.size, h.type,
                     visitor, opts.version);
    // Default-construct the alternative for this type, then decode its body in place.
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((std::size_t(h.type) == I + 1
              ? (res.value.emplace<I>(), detail::decode_body(r, h.flags, std::get<I>(res.value)), 0)
              : 0),
         ...);
    }
    (std::make_index_sequence<std::variant_size_v<packet>>{});
    if (!r.failed() && !r.at_end()) {
        r.fail(reason_code::malformed_packet, "Remaining Length",
               "bytes left over after the last field");
    }
    if (r.failed()) {
        res.value = packet{};  // a half-decoded packet must not be used
        res.status = decode_status::error;
        res.error = r.error();
        return res;
    }
    res.status = decode_status::complete;
    res.consumed = h.packet_size();
    return res;
}

std::optional<std::size_t> encoded_size(const packet& p, protocol_version version) {
    if (detail::version_problem(p, version)) return std::nullopt;
    return std::visit(
        [version](const auto& pkt) -> std::optional<std::size_t> {
            detail::sizer s(version);
            detail::put_body(s, pkt);
            if (!s.ok() || s.size() > max_variable_byte_integer) return std::nullopt;
            return 1 + detail::varint_size(std::uint32_t(s.size())) + s.size();
        },
        p);
}

std::size_t encode(const packet& p, std::span<std::uint8_t> out, protocol_version version) {
    if (detail::version_problem(p, version)) return 0;
    const auto type = std::uint8_t(type_of(p));
    return std::visit(
        [out, type, version](const auto& pkt) -> std::size_t {
            detail::sizer s(version);
            detail::put_body(s, pkt);
            if (!s.ok() || s.size() > max_variable_byte_integer) return 0;
            const auto remaining = std::uint32_t(s.size());
            const std::size_t total = 1 + detail::varint_size(remaining) + remaining;
            if (out.size() < total) return 0;
            detail::writer w(out.data(), version);
            w.u8(std::uint8_t(type << 4 | detail::header_flags(pkt)));
            w.varint(remaining);
            detail::put_body(w, pkt);
            return total;
        },
        p);
}

std::optional<decode_error> check_packet(const packet& p, protocol_version version) {
    if (std::optional<decode_error> e = detail::version_problem(p, version)) return e;
    const std::optional<std::size_t> size = encoded_size(p, version);
    if (!size) {
        return decode_error{reason_code::malformed_packet, 0, type_of(p), "",
                            "cannot be encoded: a string or binary field over 65,535 bytes, or "
                            "a Remaining Length over 268,435,455"};
    }
    std::vector<std::uint8_t> scratch(*size);
    encode(p, scratch, version);
    decode_options opts;
    opts.version = version;
    const decode_result r = decode(scratch, opts);
    if (r.status == decode_status::error) return r.error;
    return std::nullopt;
}

}  // namespace mqtt
