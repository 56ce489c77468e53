#include "tools/bench/limits.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

namespace mqtt::bench {

machine_limits read_machine_limits() {
    machine_limits m;
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        m.open_files_soft = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
        m.open_files_hard = rl.rlim_max == RLIM_INFINITY ? UINT64_MAX : rl.rlim_max;
    }
    std::ifstream ports("/proc/sys/net/ipv4/ip_local_port_range");
    std::uint64_t low = 0, high = 0;
    if (ports >> low >> high && high >= low) {
        m.local_ports = high - low + 1;
        m.port_range_text = fmt::format("{} {}", low, high);
    }
    return m;
}

std::optional<std::string> capacity_problem(std::uint64_t connections, const machine_limits& m,
                                            std::uint64_t spare) {
    if (m.open_files_soft && connections + spare > m.open_files_soft) {
        return fmt::format(
            "{} connections need {} open files, and this process may open {} (hard limit {}): "
            "raise it with `ulimit -n {}` (or LimitNOFILE= / /etc/security/limits.conf)",
            connections, connections + spare, m.open_files_soft, m.open_files_hard,
            connections + spare);
    }
    if (m.local_ports && connections > m.local_ports) {
        return fmt::format(
            "{} connections to one broker address need as many local ports, and "
            "net.ipv4.ip_local_port_range ({}) has {}: widen it with `sysctl -w "
            "net.ipv4.ip_local_port_range=\"1024 65535\"`, or spread the clients over brokers",
            connections, m.port_range_text, m.local_ports);
    }
    return std::nullopt;
}

machine_limits raise_open_files(std::uint64_t connections, std::uint64_t spare) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < connections + spare) {
        const rlim_t want = rlim_t(connections + spare);
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
        setrlimit(RLIMIT_NOFILE, &rl);  // best effort: capacity_problem() says what is left
    }
    return read_machine_limits();
}

}  // namespace mqtt::bench
