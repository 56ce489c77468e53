// The subcommands of mqtt-inspect. Each returns the process exit code: 0 on success, 2 on
// malformed input or usage errors.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "protocol/types.hpp"

namespace mqtt::inspect {

inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_input = 2;

struct decode_settings {
    std::vector<std::string> hex;  // empty: read hex from stdin
    bool json = false;             // one JSON object per packet instead of the dissection
    std::uint32_t maximum_packet_size = max_packet_size_limit;
};

// Splits the bytes into packets and prints each, layer by layer or as JSON lines. Errors go to
// `err` after the packets decoded before them.
int run_decode(const decode_settings& s, std::istream& in, std::ostream& out, std::ostream& err);

struct encode_settings {
    std::string file;    // empty or "-": read stdin
    bool force = false;  // print packets that check_packet refuses (with a warning)
};

// Reads one JSON packet per line and prints each packet's bytes as hex, one packet per line.
int run_encode(const encode_settings& s, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace mqtt::inspect
