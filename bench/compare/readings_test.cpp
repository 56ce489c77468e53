// bench-compare's readings: hyperfine's export and /proc/PID/status as figures, and the command
// line hyperfine -N splits back into the arguments it was made of.
#include <gtest/gtest.h>

#include "bench/compare/readings.hpp"

namespace mqtt::bench::compare {
namespace {

// hyperfine 1.15's --export-json for two commands (runs shortened to 3), as it writes it; the
// second run of the second command ended by a signal (exit code null).
constexpr std::string_view two_commands = R"({
  "results": [
    {
      "command": "mosquitto_pub --help",
      "mean": 0.008249180399999998,
      "stddev": 0.0008953750465929347,
      "median": 0.008607485,
      "user": 0.0025296,
      "system": 0.0053484000000000005,
      "min": 0.006653267,
      "max": 0.008772136,
      "times": [0.008607485, 0.008570334, 0.006653267],
      "exit_codes": [1, 1, 1]
    },
    {
      "command": "/usr/bin/true",
      "mean": 0.0018957746,
      "stddev": 0.0000908153810887781,
      "median": 0.0018826020000000001,
      "user": 0.0017429999999999998,
      "system": 0.0,
      "min": 0.001794615,
      "max": 0.002013459,
      "times": [0.0018826020000000001, 0.001794615, 0.001960158],
      "exit_codes": [0, null, 0]
    }
  ]
})";

TEST(bench_compare_readings, hyperfine_export) {
    const hyperfine_export e = parse_hyperfine(two_commands);
    ASSERT_EQ(e.error, "");
    ASSERT_EQ(e.results.size(), 2u);
    EXPECT_EQ(e.results[0].command, "mosquitto_pub --help");
    EXPECT_DOUBLE_EQ(e.results[0].median_s, 0.008607485);  // the median, not the mean
    EXPECT_DOUBLE_EQ(e.results[0].user_s, 0.0025296);
    EXPECT_DOUBLE_EQ(e.results[0].system_s, 0.0053484000000000005);
    EXPECT_EQ(e.results[0].exit_codes, (std::vector<int>{1, 1, 1}));
    EXPECT_DOUBLE_EQ(e.results[1].system_s, 0.0);
    EXPECT_EQ(e.results[1].exit_codes, (std::vector<int>{0, -1, 0}));
}

TEST(bench_compare_readings, hyperfine_export_refused) {
    EXPECT_EQ(parse_hyperfine("").error, "not JSON");
    EXPECT_EQ(parse_hyperfine(R"({"results": [{"command": "x", "median": 0.1)").error,
              "not JSON");  // cut short: hyperfine killed while writing
    EXPECT_EQ(parse_hyperfine(R"({"times": []})").error, "no \"results\" array");
    EXPECT_EQ(parse_hyperfine(R"({"results": [{"median": 0.1, "user": 0.1}]})").error,
              "a result without a number \"system\"");
    EXPECT_EQ(parse_hyperfine(R"({"results": [3]})").error, "a result without a number \"median\"");
    const hyperfine_export none = parse_hyperfine(R"({"results": []})");
    EXPECT_EQ(none.error, "");
    EXPECT_TRUE(none.results.empty());
}

TEST(bench_compare_readings, command_line_quotes_what_a_shell_would_split) {
    EXPECT_EQ(command_line({"/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", "1883", "-t",
                            "bench-compare/12/3", "-m", "hello", "-q", "1"}),
              "/usr/bin/mosquitto_pub -h 127.0.0.1 -p 1883 -t bench-compare/12/3 -m hello -q 1");
    EXPECT_EQ(command_line({"/my bin/mqtt-pub", "--help"}), "'/my bin/mqtt-pub' --help");
    EXPECT_EQ(command_line({"x", "it's", "", "a*", "$HOME"}), R"(x 'it'\''s' '' 'a*' '$HOME')");
}

// The lines of a real /proc/PID/status around the ones read (Linux 6.1), tabs as the kernel
// writes them.
constexpr std::string_view status_text =
    "Name:\tmosquitto_sub\n"
    "State:\tS (sleeping)\n"
    "VmHWM:\t    3744 kB\n"
    "VmRSS:\t    3744 kB\n"
    "RssAnon:\t     592 kB\n"
    "RssFile:\t    3152 kB\n"
    "RssShmem:\t       0 kB\n"
    "VmSwap:\t       0 kB\n"
    "Threads:\t1\n"
    "SigQ:\t0/96367\n";

TEST(bench_compare_readings, proc_status) {
    const process_status s = parse_status(status_text);
    EXPECT_TRUE(s.missing.empty());
    EXPECT_EQ(s.vm_rss_kib, 3744u);
    EXPECT_EQ(s.rss_anon_kib, 592u);
    EXPECT_EQ(s.rss_file_kib, 3152u);
    EXPECT_EQ(s.threads, 1u);
    // VmHWM and RssShmem are other fields, not prefixes of the ones read.
    EXPECT_EQ(parse_status("VmHWM:\t 99 kB\nRssShmem:\t 5 kB\n").vm_rss_kib, 0u);
}

// A process that has exited (a zombie) has no memory lines; a line cut short has no number.
TEST(bench_compare_readings, proc_status_missing_fields) {
    const process_status zombie =
        parse_status("Name:\tmqtt-sub\nState:\tZ (zombie)\nThreads:\t1\n");
    EXPECT_EQ(zombie.missing, (std::vector<std::string>{"VmRSS", "RssAnon", "RssFile"}));
    EXPECT_EQ(parse_status("VmRSS:\t\nRssAnon:\t1 kB\nRssFile:\t2 kB\nThreads:\t3").missing,
              (std::vector<std::string>{"VmRSS"}));
    EXPECT_EQ(parse_status("").missing.size(), 4u);
}

}  // namespace
}  // namespace mqtt::bench::compare
