// bench-compare's table: medians, ratios taken per round against their targets, and problems
// shown beside the figures rather than hidden.
#include <gtest/gtest.h>

#include <cmath>

#include "bench/compare/table.hpp"

namespace mqtt::bench::compare {
namespace {

run figures(double msg_per_s, std::string problem = {}) {
    run r;
    r.figures["msg_per_s"] = msg_per_s;
    r.problem = std::move(problem);
    return r;
}

TEST(bench_compare_table, median) {
    EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
    EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
    EXPECT_TRUE(std::isnan(median({})));
}

// A ratio is taken round by round, from the rounds where both runs have the figure.
TEST(bench_compare_table, ratio_per_round) {
    row ours{"standard", "QoS 1", "ours", "", {figures(100), figures(90), run{}}};
    row raw{"standard", "QoS 1", "raw", "", {figures(100), figures(100), figures(50)}};
    const ratio r{"ours", "raw", "msg_per_s", target{false, 0.95}};
    EXPECT_EQ(ratio_values(r, ours, raw), (std::vector<double>{1.0, 0.9}));
}

TEST(bench_compare_table, section_shows_medians_ratios_targets_and_problems) {
    section s{"standard",
              "Standard set",
              {"ours", "raw"},
              {column{"msg_per_s", "msg/s"}},
              {ratio{"ours", "raw", "msg_per_s", target{false, 0.95}}}};
    const std::vector<row> rows{
        {"standard", "QoS 1", "ours", "", {figures(20000), figures(18000, "lost 10")}},
        {"standard", "QoS 1", "raw", "", {figures(19000), figures(20000)}},
        {"standard", "QoS 2", "ours", "not found (Debian package x)", {}},
    };
    const std::string table = format_section(s, rows);
    EXPECT_NE(table.find("19,000 (18k-20k)"), std::string::npos) << table;  // ours' median
    EXPECT_NE(table.find("round 2: lost 10!"), std::string::npos) << table;
    // Per round 20000/19000 = 1.05 and 18000/20000 = 0.90: the median 0.98 meets 0.95.
    EXPECT_NE(table.find("0.98 (0.90-1.05) >= 0.95 ok"), std::string::npos) << table;
    EXPECT_NE(table.find("not found (Debian package x)"), std::string::npos) << table;
    const nlohmann::json j = to_json({s}, rows);
    EXPECT_FALSE(j.dump().empty());
}

}  // namespace
}  // namespace mqtt::bench::compare
