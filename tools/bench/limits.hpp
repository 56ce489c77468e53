// Whether this process and machine can hold the connections a run asks for, checked before
// anything connects, so that a run of 50,000 clients says "raise ulimit -n" at once instead of
// failing half-way with EMFILE.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mqtt::bench {

struct machine_limits {
    std::uint64_t open_files_soft = 0;  // RLIMIT_NOFILE
    std::uint64_t open_files_hard = 0;
    std::uint64_t local_ports = 0;  // ports in net.ipv4.ip_local_port_range
    std::string port_range_text;    // "32768 60999"
};

// This process's limits now (0 for what could not be read).
machine_limits read_machine_limits();

// What stops `connections` connections to one broker address, naming the setting to change; or
// nothing. `spare` descriptors are kept for the process's own files (stdio, the event loop).
std::optional<std::string> capacity_problem(std::uint64_t connections, const machine_limits& m,
                                            std::uint64_t spare = 32);

// Raises the soft open-file limit to what `connections` need (at most the hard limit), as a
// process may without privileges; returns the limits after.
machine_limits raise_open_files(std::uint64_t connections, std::uint64_t spare = 32);

}  // namespace mqtt::bench
