// Topic Names, Topic Filters and Shared Subscriptions (spec 4.7, 4.8): validation, splitting of
// "$share/ShareName/filter", and matching of names against filters.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/topic.hpp"

namespace mqtt {
namespace {

using namespace std::string_view_literals;

// ---- topic_name_problem ----

TEST(topic_name, valid) {
    for (std::string_view name :
         {"a"sv, "a/b"sv, "sport/tennis/player1"sv, "/"sv, "//"sv, "a//b"sv, "/a"sv, "a/"sv, " "sv,
          "$SYS/broker/clients"sv, "$share"sv, "caf\xC3\xA9/\xE2\x82\xAC"sv,
          "\xEF\xBB\xBF"sv /* U+FEFF, MQTT-1.5.4-3 */, "ACCOUNTS"sv}) {
        EXPECT_EQ(topic_name_problem(name), nullptr) << name;
        EXPECT_TRUE(valid_topic_name(name)) << name;
    }
}

TEST(topic_name, invalid) {
    for (std::string_view name : {
             ""sv,             // at least one character (MQTT-4.7.3-1)
             "#"sv,            // wildcards never in names (MQTT-4.7.0-1, MQTT-3.3.2-2)
             "+"sv,            //
             "a/#"sv,          //
             "a/+/b"sv,        //
             "a+b"sv,          // not even inside a level
             "sport#"sv,       //
             "a\0b"sv,         // U+0000 (MQTT-4.7.3-2, MQTT-1.5.4-2)
             "\0"sv,           //
             "a/\xC0\xAF"sv,   // overlong (MQTT-1.5.4-1)
             "\xED\xA0\x80"sv  // surrogate (MQTT-1.5.4-1)
         }) {
        EXPECT_NE(topic_name_problem(name), nullptr) << testing::PrintToString(std::string(name));
        EXPECT_FALSE(valid_topic_name(name));
    }
}

// Topic Names and Filters are at most 65,535 bytes (MQTT-4.7.3-3).
TEST(topic_name, length_limit_MQTT_4_7_3_3) {
    EXPECT_EQ(topic_name_problem(std::string(65'535, 'a')), nullptr);
    EXPECT_NE(topic_name_problem(std::string(65'536, 'a')), nullptr);
    // Counted in bytes, not characters: 21,845 three-byte characters = 65,535 bytes.
    std::string euros;
    for (int i = 0; i < 21'845; ++i)
        euros += "\xE2\x82\xAC";
    EXPECT_EQ(topic_name_problem(euros), nullptr);
    EXPECT_NE(topic_name_problem(euros + "a"), nullptr);
}

// ---- topic_filter_problem ----

TEST(topic_filter, valid) {
    for (std::string_view filter :
         {"#"sv, "+"sv, "a"sv, "a/b"sv, "sport/tennis/player1/#"sv, "sport/#"sv, "sport/+"sv,
          "+/+"sv, "/+"sv, "+/"sv, "+/tennis/#"sv, "a/+/b"sv, "a//b"sv, "/"sv, "$SYS/#"sv,
          "$SYS/monitor/+"sv, "$share"sv, "$sharex/a"sv,
          // Shared subscriptions (MQTT-4.8.2-1, -2).
          "$share/g/a"sv, "$share/g/#"sv, "$share/g/+/b"sv, "$share/consumer1/sport/tennis/+"sv,
          "$share/g//"sv, "$share/g/$SYS/#"sv}) {
        EXPECT_EQ(topic_filter_problem(filter), nullptr) << filter;
        EXPECT_TRUE(valid_topic_filter(filter)) << filter;
    }
}

TEST(topic_filter, invalid) {
    for (std::string_view filter : {
             ""sv,                // MQTT-4.7.3-1
             "a#"sv,              // '#' a whole level (MQTT-4.7.1-1)
             "sport/tennis#"sv,   //
             "a/#/b"sv,           // '#' last (MQTT-4.7.1-1)
             "#/"sv,              //
             "#/a"sv,             //
             "a+"sv,              // '+' a whole level (MQTT-4.7.1-2)
             "+a"sv,              //
             "sport+"sv,          //
             "a/b+/c"sv,          //
             "++"sv,              //
             "a\0"sv,             // MQTT-4.7.3-2
             "\xC1\xBF"sv,        // MQTT-1.5.4-1
             "$share/x"sv,        // no '/' and filter after the ShareName (MQTT-4.8.2-2)
             "$share/x/"sv,       // empty filter after the ShareName
             "$share//a"sv,       // empty ShareName (MQTT-4.8.2-1)
             "$share/"sv,         //
             "$share/g+/a"sv,     // ShareName with '+' (MQTT-4.8.2-2)
             "$share/+/a"sv,      //
             "$share/g#/a"sv,     // ShareName with '#' (MQTT-4.8.2-2)
             "$share/#/a"sv,      //
             "$share/g/a#"sv,     // the filter part follows the usual rules
             "$share/g/a/#/b"sv,  //
         }) {
        EXPECT_NE(topic_filter_problem(filter), nullptr)
            << testing::PrintToString(std::string(filter));
        EXPECT_FALSE(valid_topic_filter(filter));
    }
}

TEST(topic_filter, length_limit_MQTT_4_7_3_3) {
    EXPECT_EQ(topic_filter_problem(std::string(65'533, 'a') + "/#"), nullptr);
    EXPECT_NE(topic_filter_problem(std::string(65'534, 'a') + "/#"), nullptr);
    EXPECT_EQ(topic_filter_problem(std::string(65'535, '/')), nullptr);
    EXPECT_NE(topic_filter_problem(std::string(65'536, '/')), nullptr);
}

// ---- parse_shared ----

TEST(parse_shared, splits_share_name_and_filter_MQTT_4_8_2_1) {
    struct split {
        std::string_view input, share_name, filter;
    };
    for (const auto& c : {split{"$share/g/a", "g", "a"},
                          split{"$share/consumer1/sport/tennis/+", "consumer1", "sport/tennis/+"},
                          split{"$share/g/#", "g", "#"}, split{"$share/g//", "g", "/"},
                          split{"$share/g/$SYS/#", "g", "$SYS/#"}}) {
        SCOPED_TRACE(c.input);
        auto s = parse_shared(c.input);
        ASSERT_TRUE(s.has_value());
        EXPECT_EQ(s->share_name, c.share_name);
        EXPECT_EQ(s->filter, c.filter);
    }
}

TEST(parse_shared, not_shared) {
    for (std::string_view filter : {"a/b"sv, "#"sv, "$share"sv, "$sharex/g/a"sv, "$SHARE/g/a"sv,
                                    "share/g/a"sv, "$SYS/#"sv, "/$share/g/a"sv}) {
        EXPECT_FALSE(parse_shared(filter).has_value()) << filter;
    }
}

// ---- topic_matches ----

struct match_case {
    std::string_view filter;
    std::string_view name;
    bool matches;
};

const std::vector<match_case> match_cases = {
    // Spec 4.7.1.2, multi-level wildcard.
    {"sport/tennis/player1/#", "sport/tennis/player1", true},  // '#' matches the parent level
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
    {"sport/tennis/player1/#", "sport/tennis/player2", false},
    {"sport/tennis/player1/#", "sport/tennis", false},
    {"sport/#", "sport", true},
    {"sport/#", "sport/", true},
    {"sport/#", "sports", false},
    {"#", "sport/tennis/player1", true},
    {"#", "a", true},
    {"#", "/", true},
    {"#", "/a", true},
    // Spec 4.7.1.3, single-level wildcard.
    {"sport/tennis/+", "sport/tennis/player1", true},
    {"sport/tennis/+", "sport/tennis/player2", true},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
    {"sport/tennis/+", "sport/tennis", false},
    {"sport/+", "sport", false},
    {"sport/+", "sport/", true},  // an empty level is still a level
    {"+", "sport", true},
    {"+", "/finance", false},
    {"+/+", "/finance", true},
    {"/+", "/finance", true},
    {"+/tennis/#", "sport/tennis/player1", true},
    {"+/tennis/#", "sport/tennis", true},
    {"+/tennis/#", "sport/golf", false},
    {"+/#", "a", true},
    {"+/+/+", "a/b", false},
    {"+/+", "a/b/c", false},
    // No wildcards: exact and case-sensitive (spec 4.7.3).
    {"ACCOUNTS", "ACCOUNTS", true},
    {"ACCOUNTS", "Accounts", false},
    {"a/b", "a/b", true},
    {"a/b", "a/b/", false},
    {"a/b", "a/b/c", false},
    {"a/b/c", "a/b", false},
    {"a", "/a", false},
    {"/a", "/a", true},
    // Empty levels.
    {"a/+/b", "a//b", true},
    {"a//b", "a//b", true},
    {"a//b", "a/b", false},
    {"a/#", "a//b", true},
    {"+/a", "/a", true},
    {"+/+", "/", true},
    {"/#", "/", true},
    {"/#", "a", false},
    // Topics starting with '$' (MQTT-4.7.2-1).
    {"#", "$SYS/broker/load", false},
    {"#", "$SYS", false},
    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
    {"+", "$SYS", false},
    {"+/#", "$SYS/x", false},
    {"$SYS/#", "$SYS/broker/load", true},
    {"$SYS/#", "$SYS", true},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
    {"$SYS/+/Clients", "$SYS/monitor/Clients", true},
    {"a/#", "a/$SYS", true},  // only a leading '$' is special
    {"+/$x", "a/$x", true},
};

TEST(topic_matches, table) {
    for (const auto& c : match_cases) {
        EXPECT_EQ(topic_matches(c.filter, c.name), c.matches)
            << "filter \"" << c.filter << "\" name \"" << c.name << "\"";
        // Every case uses valid topics.
        EXPECT_TRUE(valid_topic_filter(c.filter)) << c.filter;
        EXPECT_TRUE(valid_topic_name(c.name)) << c.name;
    }
}

// A shared subscription matches through its filter part (MQTT-4.8.2-1).
TEST(topic_matches, through_shared_filter) {
    auto s = parse_shared("$share/g/sport/+/player1");
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(topic_matches(s->filter, "sport/tennis/player1"));
    EXPECT_FALSE(topic_matches(s->filter, "sport/tennis/player2"));
}

// Long topics at the length limit still match.
TEST(topic_matches, long_topics) {
    const std::string name = std::string(65'533, 'a') + "/b";
    EXPECT_TRUE(topic_matches(std::string(65'533, 'a') + "/+", name));
    EXPECT_TRUE(topic_matches("#", name));
    EXPECT_TRUE(topic_matches("+/b", name));
    EXPECT_FALSE(topic_matches("+/c", name));
}

}  // namespace
}  // namespace mqtt
