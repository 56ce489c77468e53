// mqtt-bench's parts: the histogram's error bound, the payload stamp, the sequence tracker, the
// summary's JSON, the plan made from flags, the capacity check and the progress line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "tools/bench/histogram.hpp"
#include "tools/bench/limits.hpp"
#include "tools/bench/options.hpp"
#include "tools/bench/runner.hpp"
#include "tools/bench/stamp.hpp"
#include "tools/bench/summary.hpp"

namespace mqtt::bench {
namespace {

TEST(histogram, small_values_are_exact) {
    histogram h;
    for (std::uint64_t v = 0; v < 128; ++v)
        h.record(v);
    EXPECT_EQ(h.count(), 128u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 127u);
    EXPECT_EQ(h.percentile(50), 63u);  // the 64th of 128 values
    EXPECT_EQ(h.percentile(100), 127u);
    EXPECT_EQ(h.percentile(0), 0u);
}

TEST(histogram, buckets_tile_the_range_without_gaps) {
    for (std::size_t i = 1; i < histogram::bucket_count; ++i) {
        ASSERT_EQ(histogram::lowest_in(i), histogram::highest_in(i - 1) + 1) << i;
        ASSERT_EQ(histogram::index_of(histogram::lowest_in(i)), i);
        ASSERT_EQ(histogram::index_of(histogram::highest_in(i)), i);
    }
    EXPECT_EQ(histogram::highest_in(histogram::bucket_count - 1), UINT64_MAX);
    EXPECT_EQ(histogram::index_of(UINT64_MAX), histogram::bucket_count - 1);
}

// Against the exact percentiles of a sorted sample: never off by more than 1/128.
TEST(histogram, percentiles_within_the_relative_error) {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> latency(11.0, 1.5);  // ns: ~60 us, long tail
    std::vector<std::uint64_t> samples;
    histogram h;
    for (int i = 0; i < 100'000; ++i) {
        const auto v = std::uint64_t(latency(rng));
        samples.push_back(v);
        h.record(v);
    }
    std::sort(samples.begin(), samples.end());
    for (const double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
        const std::size_t rank = std::size_t(std::ceil(p / 100 * double(samples.size())));
        const double exact = double(samples[rank - 1]);
        const double got = double(h.percentile(p));
        EXPECT_GE(got, exact) << p;  // the bucket's upper end
        EXPECT_LE(got, exact * (1 + histogram::relative_error)) << p;
    }
    EXPECT_EQ(h.min(), samples.front());
    EXPECT_EQ(h.max(), samples.back());
}

TEST(histogram, merge_adds_counts_and_extremes) {
    histogram a, b;
    a.record(10);
    b.record(1'000'000);
    b.record(5);
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.min(), 5u);
    EXPECT_EQ(a.max(), 1'000'000u);
    EXPECT_EQ(histogram{}.percentile(99), 0u);
}

TEST(stamp, round_trip_and_layout) {
    std::vector<std::uint8_t> payload = make_payload(64);
    ASSERT_EQ(payload.size(), 64u);
    ASSERT_TRUE(write_stamp(payload, {7, 0x0102030405060708, 0x1122334455667788}));
    // "MQB1", publisher 7, sequence, time: big-endian, as the header says.
    const std::vector<std::uint8_t> head(payload.begin(), payload.begin() + 24);
    EXPECT_EQ(head, (std::vector<std::uint8_t>{'M',  'Q',  'B',  '1',  0,    0,    0,    7,
                                               1,    2,    3,    4,    5,    6,    7,    8,
                                               0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}));
    EXPECT_EQ(payload[24], 'x');
    const auto s = read_stamp(payload);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->publisher, 7u);
    EXPECT_EQ(s->sequence, 0x0102030405060708u);
    EXPECT_EQ(s->sent_ns, 0x1122334455667788u);
}

TEST(stamp, foreign_or_short_payloads_are_not_ours) {
    std::vector<std::uint8_t> short_one(23, 'x');
    EXPECT_FALSE(write_stamp(short_one, {}));
    EXPECT_FALSE(read_stamp(short_one));
    std::vector<std::uint8_t> other(64, 'x');
    EXPECT_FALSE(read_stamp(other));
    EXPECT_EQ(make_payload(3).size(), stamp_size);  // never shorter than the stamp
    EXPECT_GT(monotonic_ns(), 0u);
}

TEST(sequence_tracker, counts_unique_duplicates_reordered_lost) {
    sequence_tracker t;
    for (const std::uint64_t seq : {0, 1, 3, 2, 3, 5})
        t.seen({0, seq, 0});
    t.seen({1, 0, 0});  // a second publisher
    EXPECT_EQ(t.unique(), 6u);
    EXPECT_EQ(t.duplicates(), 1u);  // 3 twice
    EXPECT_EQ(t.reordered(), 1u);   // 2 after 3
    EXPECT_EQ(t.gaps(), 1u);        // 4 never came (publisher 0: 0..5)
    EXPECT_EQ(t.lost(8), 2u);       // 7 + 1 sent, 6 unique
    EXPECT_EQ(t.lost(5), 0u);
}

TEST(summary, json_has_every_figure) {
    summary s;
    s.implementation = "mqtt-bench";
    s.mode = "pubsub";
    s.qos = 1;
    s.payload_size = 64;
    s.sent = 1000;
    s.received = 1000;
    s.expected = 1000;
    s.elapsed_s = 0.5;
    s.usage = {0.2, 0.1, 4096};
    for (std::uint64_t v = 1000; v < 2000; ++v)
        s.latency.record(v * 1000);  // 1 ms .. 2 ms
    s.allocations_per_message = 0.0;
    const nlohmann::json j = to_json(s);
    EXPECT_EQ(j["implementation"], "mqtt-bench");
    EXPECT_EQ(j["sent"], 1000);
    EXPECT_DOUBLE_EQ(j["msg_per_s"].get<double>(), 2000.0);
    EXPECT_DOUBLE_EQ(j["mb_per_s"].get<double>(), 2000.0 * 64 / 1e6);
    EXPECT_NEAR(j["cpu_s_per_100k"].get<double>(), 0.3 * 100'000 / 2000, 1e-9);
    EXPECT_EQ(j["latency_us"]["min"], 1000.0);
    EXPECT_NEAR(j["latency_us"]["p50"].get<double>(), 1500.0, 1500.0 / 128);
    EXPECT_NEAR(j["latency_us"]["p99"].get<double>(), 1990.0, 1990.0 / 128);
    EXPECT_EQ(j["latency_us"]["max"], 1999.0);
    EXPECT_EQ(j["peak_rss_kib"], 4096);
    EXPECT_EQ(j["allocations_per_message"], 0.0);
    EXPECT_FALSE(j.contains("connections"));
    const std::string text = to_text(s);
    EXPECT_NE(text.find("2000 msg/s"), std::string::npos) << text;
    EXPECT_NE(text.find("p99.9"), std::string::npos) << text;
}

// The one number format of mqtt-bench's progress line and bench-compare's table.
TEST(summary, thousands_groups_digits_and_keeps_the_sign) {
    EXPECT_EQ(thousands(412310.4), "412,310");
    EXPECT_EQ(thousands(0.512, 2), "0.51");
    EXPECT_EQ(thousands(-1234), "-1,234");
}

TEST(summary, conn_reports_rate_and_memory) {
    summary s;
    s.mode = "conn";
    s.connections = 1000;
    s.connect_s = 0.25;
    s.memory_per_connection_kib = 9.5;
    const nlohmann::json j = to_json(s);
    EXPECT_EQ(j["connections"], 1000);
    EXPECT_DOUBLE_EQ(j["connections_per_s"].get<double>(), 4000.0);
    EXPECT_DOUBLE_EQ(j["memory_per_connection_kib"].get<double>(), 9.5);
    EXPECT_NE(to_text(s).find("9.5 KiB per idle connection"), std::string::npos);
}

// Parses `args` as `mqtt-bench MODE args...` would, and makes the plan.
bench_plan plan_of(bench_mode mode, std::vector<std::string> args) {
    CLI::App app;
    bench_settings s;
    add_bench_flags(app, s, mode);
    std::reverse(args.begin(), args.end());  // CLI11 takes them back to front
    app.parse(args);
    return make_plan(s, mode);
}

TEST(bench_plan, defaults) {
    const bench_plan p = plan_of(bench_mode::pubsub, {});
    EXPECT_EQ(p.publishers, 1u);
    EXPECT_EQ(p.subscribers, 1u);
    EXPECT_EQ(p.count, 100'000u);
    EXPECT_EQ(p.run.size, 64u);
    EXPECT_EQ(p.qos, qos::at_most_once);
    EXPECT_TRUE(p.topic_pattern.starts_with("mqtt-bench/"));
    EXPECT_TRUE(p.topic_pattern.ends_with("/%i"));
    EXPECT_TRUE(p.filter.ends_with("/+"));
    EXPECT_FALSE(p.client.options.reconnect);
    EXPECT_EQ(p.client.options.mqtt.max_inflight, session::default_max_inflight);
}

TEST(bench_plan, workload_flags) {
    const bench_plan p =
        plan_of(bench_mode::pubsub,
                {"-c",       "4",  "-S",         "2",  "-q",  "2",         "-s",
                 "256",      "-M", "20",         "-r", "500", "-t",        "fleet/%i/temp",
                 "--shared", "g",  "--duration", "3",  "-h",  "127.0.0.1", "-p",
                 "1884"});
    EXPECT_EQ(p.publishers, 4u);
    EXPECT_EQ(p.subscribers, 2u);
    EXPECT_EQ(p.qos, qos::exactly_once);
    EXPECT_EQ(p.run.size, 256u);
    EXPECT_EQ(p.client.options.mqtt.max_inflight, 20);
    EXPECT_EQ(p.run.rate, 500.0);
    EXPECT_FALSE(p.count);
    EXPECT_EQ(p.run.duration, 3.0);
    EXPECT_EQ(p.filter, "$share/g/fleet/+/temp");
    EXPECT_TRUE(p.shared);
    EXPECT_EQ(expand_topic(p.topic_pattern, 3), "fleet/3/temp");
    EXPECT_EQ(p.client.options.url, "mqtt://127.0.0.1:1884");
}

TEST(bench_plan, sub_and_conn) {
    const bench_plan s = plan_of(bench_mode::sub, {"-c", "3", "-t", "a/#", "-n", "10"});
    EXPECT_EQ(s.subscribers, 3u);
    EXPECT_EQ(s.publishers, 0u);
    EXPECT_EQ(s.filter, "a/#");
    EXPECT_FALSE(s.filter_covers_all);
    const bench_plan c = plan_of(bench_mode::conn, {"-c", "10000", "--hold", "2"});
    EXPECT_EQ(c.connections, 10'000u);
    EXPECT_EQ(c.run.hold, 2.0);
}

TEST(bench_plan, usage_errors_name_the_flag) {
    const auto refused = [](bench_mode m, std::vector<std::string> args, std::string_view says) {
        try {
            plan_of(m, std::move(args));
            ADD_FAILURE() << "accepted; expected: " << says;
        } catch (const tools::usage_error& e) {
            EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
        } catch (const CLI::ParseError& e) {
            EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
        }
    };
    refused(bench_mode::pubsub, {"-q", "3"}, "-q");
    refused(bench_mode::pubsub, {"-n", "5", "--duration", "2"}, "-n and --duration");
    refused(bench_mode::pubsub, {"-t", "a/#/%i"}, "-t a/#/%i");
    refused(bench_mode::pubsub, {"--shared", "a/b"}, "--shared a/b");
    refused(bench_mode::pubsub, {"-s", "10"}, "--size");
    refused(bench_mode::pub, {"-c", "0"}, "--clients");
    refused(bench_mode::pubsub, {"-V", "311"}, "-V 311");
}

TEST(limits, names_the_setting_to_change) {
    machine_limits m{1024, 4096, 28232, "32768 60999"};
    EXPECT_FALSE(capacity_problem(900, m));
    const auto files = capacity_problem(10'000, m);
    ASSERT_TRUE(files);
    EXPECT_NE(files->find("ulimit -n 10032"), std::string::npos) << *files;
    m.open_files_soft = m.open_files_hard = 1'000'000;
    const auto ports = capacity_problem(30'000, m);
    ASSERT_TRUE(ports);
    EXPECT_NE(ports->find("net.ipv4.ip_local_port_range (32768 60999) has 28232"),
              std::string::npos)
        << *ports;
    EXPECT_GT(read_machine_limits().open_files_soft, 0u);
}

TEST(progress, line_has_rates_in_flight_and_errors) {
    const progress_counters before{1.0, 1000, 900, 0, 0, 0};
    const progress_counters now{2.0, 51'000, 50'900, 100, 2, 0};
    EXPECT_EQ(progress_line(now, before, bench_mode::pubsub),
              "    2.0 s  out 50,000 msg/s  in 50,000 msg/s  in flight 100  errors 2");
    EXPECT_EQ(progress_line({0.5, 0, 0, 0, 0, 1500}, {0, 0, 0, 0, 0, 0}, bench_mode::conn),
              "    0.5 s  connected 1,500  (3,000/s)  errors 0");
}

}  // namespace
}  // namespace mqtt::bench
