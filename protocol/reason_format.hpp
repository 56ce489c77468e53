// The one way to print a reason code: fmt::format("{}", named_reason{rc, packet_type::suback})
// gives "0x00 Granted QoS 0", the code in hex and its spec name for that packet (spec 2.4); a value
// the spec does not define gives "0x05 (unknown)". Kept apart from reason_code.hpp so that header
// needs no fmt.
#pragma once

#include <fmt/format.h>

#include "protocol/reason_code.hpp"

template <>
struct fmt::formatter<mqtt::named_reason> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }  // no options
    template <class Context>
    auto format(const mqtt::named_reason& r, Context& ctx) const {
        const std::string_view name = mqtt::reason_code_name(r.code, r.packet);
        return fmt::format_to(ctx.out(), "0x{:02X} {}", mqtt::to_byte(r.code),
                              name.empty() ? std::string_view("(unknown)") : name);
    }
};
