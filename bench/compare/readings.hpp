// What bench-compare reads from other programs and from the kernel, as plain values: hyperfine's
// --export-json file, a process's /proc/PID/status; and the one command line hyperfine -N is
// given. Pure functions of text, tested in readings_test.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqtt::bench::compare {

// One command's result in hyperfine's --export-json file (hyperfine 1.15), in seconds: the
// median wall time of its runs, and the mean user and system CPU time of a run.
struct hyperfine_result {
    std::string command;
    double median_s = 0, user_s = 0, system_s = 0;
    std::vector<int> exit_codes;  // per run; -1 where a signal ended it (JSON null)
};

// The export's results in the order of the commands, or why the text is not such an export.
struct hyperfine_export {
    std::vector<hyperfine_result> results;
    std::string error;  // empty when read
};
hyperfine_export parse_hyperfine(std::string_view json);

// argv as one command line for hyperfine -N, which splits it as a POSIX shell would (without
// running one): an argument other than letters, digits and _-./:=@%+, goes in single quotes.
std::string command_line(const std::vector<std::string>& argv);

// What /proc/PID/status says of a process's resident memory (in kB, as the kernel writes it) and
// its threads. VmRSS = RssAnon (its own pages) + RssFile (mapped files: the program and its
// shared libraries, shared with other processes) + RssShmem.
struct process_status {
    std::uint64_t vm_rss_kib = 0, rss_anon_kib = 0, rss_file_kib = 0, threads = 0;
    std::vector<std::string> missing;  // of VmRSS, RssAnon, RssFile, Threads: those not found
};
process_status parse_status(std::string_view text);

}  // namespace mqtt::bench::compare
