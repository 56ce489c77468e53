#include "protocol/error.hpp"

#include <fmt/format.h>

namespace mqtt {

std::string decode_error::message() const {
    std::string where;
    if (packet != packet_type{0}) where = fmt::format("{} ", packet_type_name(packet));
    if (!field.empty()) where += fmt::format("{}: ", field);
    return fmt::format("{}{} at offset {} (0x{:02X} {})", where, problem, offset, to_byte(reason),
                       reason_code_name(reason));
}

}  // namespace mqtt
