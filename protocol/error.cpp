#include "protocol/error.hpp"

#include "protocol/reason_format.hpp"

namespace mqtt {

std::string decode_error::description() const {
    std::string where;
    if (packet != packet_type{0}) where = fmt::format("{} ", packet_type_name(packet));
    if (!field.empty()) where += fmt::format("{}: ", field);
    return where + std::string(problem);
}

std::string decode_error::message() const {
    // The code a DISCONNECT would carry, by its general name.
    return fmt::format("{} at offset {} ({})", description(), offset, named_reason{reason});
}

}  // namespace mqtt
