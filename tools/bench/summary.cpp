#include "tools/bench/summary.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace mqtt::bench {

resource_usage usage_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const auto seconds = [](const timeval& tv) {
        return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
    };
    return {seconds(ru.ru_utime), seconds(ru.ru_stime), std::uint64_t(ru.ru_maxrss)};
}

std::uint64_t current_rss_kib() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    if (n != 2) return 0;
    return std::uint64_t(resident) * std::uint64_t(sysconf(_SC_PAGESIZE)) / 1024;
}

std::string thousands(double v, int decimals) {
    std::string s = fmt::format("{:.{}f}", v, decimals);
    const std::size_t sign = s[0] == '-' ? 1 : 0;
    for (std::size_t i = std::min(s.find('.'), s.size()); i > sign + 3; i -= 3)
        s.insert(i - 3, ",");
    return s;
}

double messages_per_second(const summary& s) {
    const std::uint64_t n = s.received ? s.received : s.sent;
    return s.elapsed_s > 0 ? double(n) / s.elapsed_s : 0;
}

double megabytes_per_second(const summary& s) {
    return messages_per_second(s) * double(s.payload_size) / 1e6;
}

double cpu_per_100k(const summary& s) {
    const std::uint64_t n = s.sent + s.received;
    return n ? (s.usage.user_s + s.usage.system_s) * 100'000.0 / double(n) : 0;
}

namespace {
double us(std::uint64_t ns) {
    return double(ns) / 1000.0;
}
}  // namespace

nlohmann::json to_json(const summary& s) {
    nlohmann::json j = {
        {"implementation", s.implementation},
        {"mode", s.mode},
        {"qos", s.qos},
        {"publishers", s.publishers},
        {"subscribers", s.subscribers},
        {"payload_size", s.payload_size},
        {"window", s.window},
        {"rate", s.rate},
        {"sent", s.sent},
        {"received", s.received},
        {"expected", s.expected},
        {"lost", s.lost},
        {"duplicated", s.duplicated},
        {"reordered", s.reordered},
        {"errors", s.errors},
        {"elapsed_s", s.elapsed_s},
        {"msg_per_s", messages_per_second(s)},
        {"mb_per_s", megabytes_per_second(s)},
        {"cpu_user_s", s.usage.user_s},
        {"cpu_system_s", s.usage.system_s},
        {"cpu_s_per_100k", cpu_per_100k(s)},
        {"peak_rss_kib", s.usage.peak_rss_kib},
    };
    if (s.latency.count()) {
        const histogram& h = s.latency;
        j["latency_us"] = {{"count", h.count()},          {"min", us(h.min())},
                           {"p50", us(h.percentile(50))}, {"p90", us(h.percentile(90))},
                           {"p99", us(h.percentile(99))}, {"p99.9", us(h.percentile(99.9))},
                           {"max", us(h.max())}};
    }
    if (s.allocations_per_message) j["allocations_per_message"] = *s.allocations_per_message;
    if (s.mode == "conn") {
        j["connections"] = s.connections;
        j["connect_s"] = s.connect_s;
        j["connections_per_s"] = s.connect_s > 0 ? double(s.connections) / s.connect_s : 0.0;
        if (s.memory_per_connection_kib)
            j["memory_per_connection_kib"] = *s.memory_per_connection_kib;
    }
    if (!s.note.empty()) j["note"] = s.note;
    return j;
}

std::string to_text(const summary& s) {
    std::string out;
    auto line = [&out](const std::string& l) { out += l + "\n"; };
    if (s.mode == "conn") {
        line(fmt::format("connections  {} in {:.2f} s ({:.0f}/s)", s.connections, s.connect_s,
                         s.connect_s > 0 ? double(s.connections) / s.connect_s : 0.0));
        if (s.memory_per_connection_kib)
            line(fmt::format("memory       {:.1f} KiB per idle connection (resident set)",
                             *s.memory_per_connection_kib));
    } else {
        line(fmt::format("messages     sent {}, received {}{}", s.sent, s.received,
                         s.expected ? fmt::format(" of {}", s.expected) : std::string()));
        line(fmt::format("             lost {}, duplicated {}, out of order {}", s.lost,
                         s.duplicated, s.reordered));
        line(fmt::format("throughput   {:.0f} msg/s, {:.2f} MB/s over {:.3f} s",
                         messages_per_second(s), megabytes_per_second(s), s.elapsed_s));
        if (s.latency.count()) {
            const histogram& h = s.latency;
            line(
                fmt::format("latency      min {:.0f} us, p50 {:.0f}, p90 {:.0f}, p99 {:.0f}, "
                            "p99.9 {:.0f}, max {:.0f} us ({} samples)",
                            us(h.min()), us(h.percentile(50)), us(h.percentile(90)),
                            us(h.percentile(99)), us(h.percentile(99.9)), us(h.max()), h.count()));
        }
    }
    line(fmt::format(
        "cpu          {:.2f} s user + {:.2f} s system{}", s.usage.user_s, s.usage.system_s,
        s.sent + s.received ? fmt::format(", {:.3f} s per 100,000 messages", cpu_per_100k(s))
                            : std::string()));
    line(fmt::format("memory       peak resident set {:.1f} MiB",
                     double(s.usage.peak_rss_kib) / 1024.0));
    if (s.allocations_per_message)
        line(fmt::format("allocations  {:.2f} per message", *s.allocations_per_message));
    if (s.errors) line(fmt::format("errors       {}", s.errors));
    if (!s.note.empty()) line("note         " + s.note);
    return out;
}

}  // namespace mqtt::bench
