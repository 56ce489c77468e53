#include "protocol/error.hpp"

#include <fmt/format.h>

namespace mqtt {

std::string decode_error::description() const {
    std::string where;
    if (packet != packet_type{0}) where = fmt::format("{} ", packet_type_name(packet));
    if (!field.empty()) where += fmt::format("{}: ", field);
    return where + std::string(problem);
}

std::string decode_error::message() const {
    return fmt::format("{} at offset {} (0x{:02X} {})", description(), offset, to_byte(reason),
                       reason_code_name(reason));
}

}  // namespace mqtt
