// mqtt-sub's output: the payload, -v, -N and every -F specifier, as mosquitto_sub 2.0 prints
// them. The expected texts were checked against mosquitto_sub 2.0.11 where the two agree (see
// tools/common/message_format.cpp for where they deliberately do not).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/common/message_format.hpp"

namespace mqtt::tools {
namespace {

using namespace std::string_literals;

// 2026-11-24 10:15:30.123456789 UTC.
const auto received = std::chrono::system_clock::time_point(std::chrono::seconds(1795515330)) +
                      std::chrono::nanoseconds(123456789);

void set_time_zone(const char* tz) {
    ::setenv("TZ", tz, 1);
    ::tzset();
}

class MessageFormat : public ::testing::Test {
  protected:
    void SetUp() override {
        set_time_zone("UTC0");  // a POSIX TZ: no tzdata needed
        m.message.topic = "sensors/t1";
        m.message.payload = {'2', '1', '.', '5'};
        m.message.qos = qos::at_least_once;
        m.message.retain = true;
        m.packet_id = 42;
        m.topic_alias = 3;
        auto& p = m.message.props;
        p.content_type = "text/plain";
        p.correlation_data = session::byte_vector{'c', '1'};
        p.response_topic = "replies/t1";
        p.message_expiry_interval = 60;
        p.payload_format_indicator = 1;
        p.user_properties = {{"unit", "celsius"}, {"site", "lab"}};
        p.subscription_identifiers = {7};
    }
    std::string format(const std::string& f, bool eol = false) {
        return format_message({f, false, eol}, m, received);
    }
    // A QoS 0 message with a topic and a payload and nothing else.
    static session::message_received plain(std::string payload) {
        session::message_received r;
        r.message.topic = "a";
        r.message.payload.assign(payload.begin(), payload.end());
        return r;
    }
    session::message_received m;
};

TEST_F(MessageFormat, WithoutFormatThePayloadOrTopicAndPayload) {
    EXPECT_EQ(format_message({}, m, received), "21.5\n");
    EXPECT_EQ(format_message({std::nullopt, true, true}, m, received), "sensors/t1 21.5\n");
    EXPECT_EQ(format_message({std::nullopt, false, false}, m, received), "21.5");  // -N
    EXPECT_EQ(format_message({std::nullopt, true, false}, m, received), "sensors/t1 21.5");
}

TEST_F(MessageFormat, AnEmptyPayloadWithoutFormatIsMosquittos) {
    const auto empty = plain("");
    EXPECT_EQ(format_message({}, empty, received), "");  // not even a newline
    EXPECT_EQ(format_message({std::nullopt, true, true}, empty, received), "a (null)\n");
    EXPECT_EQ(format_message({std::nullopt, true, false}, empty, received), "");
    EXPECT_EQ(format_message({"[%p]", false, true}, empty, received), "[]\n");
}

TEST_F(MessageFormat, FormatEndsWithANewlineUnlessN) {
    EXPECT_EQ(format("%t", true), "sensors/t1\n");
    EXPECT_EQ(format("%t", false), "sensors/t1");
    EXPECT_EQ(format_message({"%t", true, true}, m, received), "sensors/t1\n");  // -F wins over -v
}

TEST_F(MessageFormat, MessageSpecifiers) {
    EXPECT_EQ(format("%t|%p|%l|%q|%r|%m"), "sensors/t1|21.5|4|1|1|42");
    EXPECT_EQ(format("%x %X"), "32312e35 32312E35");
    EXPECT_EQ(format("100%% %5%"), "100% %");
    EXPECT_EQ(format_message({"%q %r %m", false, false}, plain("x"), received), "0 0 0");
}

TEST_F(MessageFormat, PropertySpecifiers) {
    EXPECT_EQ(format("%A|%C|%D|%E|%F|%P|%R|%S"),
              "3|text/plain|c1|60|1|unit:celsius site:lab|replies/t1|7");
    m.message.props.subscription_identifiers = {7, 9};
    EXPECT_EQ(format("%S"), "7,9");
    m.message.props.correlation_data = session::byte_vector{0x00, 0xfe};
    EXPECT_EQ(format("%D"), "\0\xfe"s);  // raw bytes, as mosquitto
}

TEST_F(MessageFormat, AbsentPropertiesPrintNothingOrSpacesForAWidth) {
    const auto bare = plain("x");
    EXPECT_EQ(format_message({"[%A|%C|%D|%E|%F|%P|%R|%S]", false, false}, bare, received),
              "[|||||||]");
    EXPECT_EQ(format_message({"[%3C|%03E|%-2S]", false, false}, bare, received), "[   |   |  ]");
}

TEST_F(MessageFormat, TimeSpecifiers) {
    EXPECT_EQ(format("%I"), "2026-11-24T10:15:30+0000");
    EXPECT_EQ(format("%U"), "1795515330.123456789");
    EXPECT_EQ(format("@Y-@m-@d @H:@M:@S.@N @z @s @@ @%"),
              "2026-11-24 10:15:30.123456789 +0000 1795515330 @ %");
    EXPECT_EQ(format("@a @b @j @e"), "Tue Nov 328 24");
    set_time_zone("IST-5:30");
    EXPECT_EQ(format("%I @H:@M @z"), "2026-11-24T15:45:30+0530 15:45 +0530");
    EXPECT_EQ(format("%U"), "1795515330.123456789");  // Unix time knows no time zone
}

TEST_F(MessageFormat, NanosecondsAreZeroPadded) {
    const auto early = std::chrono::system_clock::time_point(std::chrono::seconds(1795515330)) +
                       std::chrono::nanoseconds(5000);
    EXPECT_EQ(format_message({"%U @N", false, false}, m, early), "1795515330.000005000 000005000");
}

TEST_F(MessageFormat, WidthFlagsAndPrecisionOnText) {
    EXPECT_EQ(format("[%12t]"), "[  sensors/t1]");
    EXPECT_EQ(format("[%-12t]"), "[sensors/t1  ]");
    EXPECT_EQ(format("[%.3t]"), "[sen]");
    EXPECT_EQ(format("[%6.3t]"), "[   sen]");
    EXPECT_EQ(format("[%-6.3t]"), "[sen   ]");
    EXPECT_EQ(format("[%012t]"), "[  sensors/t1]");  // '0' pads numbers only, as printf
    EXPECT_EQ(format("[%.0t]"), "[]");
    EXPECT_EQ(format("[%.2p][%6.2p][%6p][%-6p]"), "[21][    21][  21.5][21.5  ]");
    EXPECT_EQ(format("[%2p]"), "[21.5]");  // a width never cuts (mosquitto's %p does)
    EXPECT_EQ(format("[%10x][%.4X]"), "[  32312e35][3231]");
    EXPECT_EQ(format("[%12C][%-12R][%.4P]"), "[  text/plain][replies/t1  ][unit]");
    EXPECT_EQ(format("[%.10I]"), "[2026-11-24]");
}

TEST_F(MessageFormat, WidthFlagsAndPrecisionOnNumbers) {
    EXPECT_EQ(format("[%05l][%5l][%-5l][%-05l]"), "[00004][    4][4    ][4    ]");
    EXPECT_EQ(format("[%.3m][%6.3m][%06.3m]"), "[042][   042][   042]");  // as printf's %d
    EXPECT_EQ(format("[%03q][%-3r][%04E][%3A][%02F][%03S]"), "[001][1  ][0060][  3][01][007]");
}

TEST_F(MessageFormat, HugeWidthsAreClamped) {
    EXPECT_EQ(format("%99999999999999999999t").size(), 4096u);
}

TEST_F(MessageFormat, Escapes) {
    EXPECT_EQ(format("a\\tb\\nc\\\\d\\e\\a\\r\\v"), "a\tb\nc\\d\x1b\a\r\v"s);
    EXPECT_EQ(format("x\\0y"), "x\0y"s);
}

TEST_F(MessageFormat, UnknownSpecifiersArePrintedAsTheyAre) {
    EXPECT_EQ(format("%Z %-5Z @Q \\q"), "%Z %-5Z @Q \\q");
    EXPECT_EQ(format("x%"), "x%");
    EXPECT_EQ(format("x%-5"), "x%-5");
    EXPECT_EQ(format("x@"), "x@");
    EXPECT_EQ(format("x\\"), "x\\");
}

TEST_F(MessageFormat, JsonHasMosquittosKeysInMosquittosOrder) {
    EXPECT_EQ(format_message({"%j", false, false}, plain("hi"), received),
              R"({"tst":"2026-11-24T10:15:30.123456Z+0000","topic":"a","qos":0,"retain":0,)"
              R"("payloadlen":2,"payload":"hi"})");
    m.message.props.subscription_identifiers = {7, 9};
    m.message.props.user_properties.push_back({"unit", "kelvin"});
    EXPECT_EQ(format("%j"),
              R"({"tst":"2026-11-24T10:15:30.123456Z+0000","topic":"sensors/t1","qos":1,)"
              R"("retain":1,"payloadlen":4,"mid":42,"properties":{"subscription-identifier":7,)"
              R"("subscription-identifier":9,"topic-alias":3,"payload-format-indicator":1,)"
              R"("content-type":"text/plain","response-topic":"replies/t1",)"
              R"("correlation-data":"c1","user-properties":{"unit":"celsius","site":"lab",)"
              R"("unit":"kelvin"},"message-expiry-interval":60},"payload":"21.5"})");
}

TEST_F(MessageFormat, JsonParses) {
    const auto j = nlohmann::json::parse(format("%j"));
    EXPECT_EQ(j["tst"], "2026-11-24T10:15:30.123456Z+0000");
    EXPECT_EQ(j["topic"], "sensors/t1");
    EXPECT_EQ(j["qos"], 1);
    EXPECT_EQ(j["retain"], 1);
    EXPECT_EQ(j["payloadlen"], 4);
    EXPECT_EQ(j["mid"], 42);
    EXPECT_EQ(j["payload"], "21.5");
    const auto& p = j["properties"];
    EXPECT_EQ(p["content-type"], "text/plain");
    EXPECT_EQ(p["response-topic"], "replies/t1");
    EXPECT_EQ(p["correlation-data"], "c1");
    EXPECT_EQ(p["message-expiry-interval"], 60);
    EXPECT_EQ(p["payload-format-indicator"], 1);
    EXPECT_EQ(p["subscription-identifier"], 7);
    EXPECT_EQ(p["topic-alias"], 3);
    EXPECT_EQ(p["user-properties"], nlohmann::json({{"unit", "celsius"}, {"site", "lab"}}));
    set_time_zone("IST-5:30");
    EXPECT_EQ(nlohmann::json::parse(format("%j"))["tst"], "2026-11-24T15:45:30.123456Z+0530");
}

TEST_F(MessageFormat, JsonEscapesThePayloadAndEmbedsItWithJ) {
    EXPECT_EQ(nlohmann::json::parse(format_message({"%j", false, false}, plain("a\"b\\c\n\x01"),
                                                   received))["payload"],
              "a\"b\\c\n\x01");
    // %J embeds a JSON payload as JSON, compact, keys in their order.
    EXPECT_EQ(
        format_message({"%J", false, false}, plain(R"({ "z": [1, 2], "a": null })"), received),
        R"({"tst":"2026-11-24T10:15:30.123456Z+0000","topic":"a","qos":0,"retain":0,)"
        R"("payloadlen":26,"payload":{"z":[1,2],"a":null}})");
    EXPECT_EQ(nlohmann::json::parse(format("%J"))["payload"], 21.5);
    // Not JSON: a string (mosquitto prints an error instead).
    EXPECT_EQ(nlohmann::json::parse(
                  format_message({"%J", false, false}, plain("{no"), received))["payload"],
              "{no");
    // An empty payload is null, in both.
    for (const char* f : {"%j", "%J"})
        EXPECT_TRUE(
            nlohmann::json::parse(format_message({f, false, false}, plain(""), received))["payload"]
                .is_null());
}

// A payload nested deeper than 1,000 levels (as cJSON's limit) is embedded as a string by %J:
// written back as JSON it would take a stack frame per level.
TEST_F(MessageFormat, DeeplyNestedJsonIsAStringNotAStackOverflow) {
    const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
    const std::string out = format_message({"%J", false, false}, plain(deep), received);
    EXPECT_EQ(nlohmann::json::parse(out)["payload"], deep);
    const std::string nested = std::string(1000, '[') + "\"[\"" + std::string(1000, ']');
    EXPECT_TRUE(nlohmann::json::parse(
                    format_message({"%J", false, false}, plain(nested), received))["payload"]
                    .is_array());
}

TEST_F(MessageFormat, BinaryPayloadsStayWhole) {
    m.message.payload = {'a', 0x00, 0xff, 'b'};
    EXPECT_EQ(format("%p"),
              "a\0\xff"s
              "b");
    EXPECT_EQ(format("%l %x %X"), "4 6100ff62 6100FF62");
    EXPECT_EQ(format_message({}, m, received),
              "a\0\xff"s
              "b\n");
    EXPECT_EQ(format_message({std::nullopt, true, false}, m, received),
              "sensors/t1 a\0\xff"s
              "b");
    // Invalid UTF-8 in %j and %J is replaced by U+FFFD, not thrown on; the NUL is escaped.
    for (const char* f : {"%j", "%J"}) {
        std::string text;
        ASSERT_NO_THROW(text = format(f));
        const auto j = nlohmann::json::parse(text);
        EXPECT_EQ(j["payloadlen"], 4);
        EXPECT_EQ(j["payload"],
                  "a\0\xEF\xBF\xBD"s
                  "b");
    }
    m.message.props.correlation_data = session::byte_vector{0xc3, 0x28};
    EXPECT_EQ(nlohmann::json::parse(format("%j"))["properties"]["correlation-data"],
              "\xEF\xBF\xBD(");
}

TEST_F(MessageFormat, CheckAcceptsEverySpecifier) {
    EXPECT_EQ(check_message_format(""), std::nullopt);
    EXPECT_EQ(
        check_message_format("%t %p %l %x %X %q %r %m %j %J %I %U %A %C %D %E %F %P %R %S %%"),
        std::nullopt);
    EXPECT_EQ(check_message_format("%-20t %08l %.3p %10.3p %-5.2C %0x"), std::nullopt);
    EXPECT_EQ(check_message_format("@Y@m@d@H@M@S@z@Z@s@N@@@a@A@b@B@j@e@k@l@P@%"), std::nullopt);
    EXPECT_EQ(check_message_format("\\\\ \\0 \\a \\e \\n \\r \\t \\v"), std::nullopt);
}

TEST_F(MessageFormat, CheckNamesTheUnknownSpecifierAndItsOffset) {
    EXPECT_EQ(check_message_format("%Z"), "-F \"%Z\": unknown format specifier %Z at offset 0");
    EXPECT_EQ(check_message_format("ab %-5Z"),
              "-F \"ab %-5Z\": unknown format specifier %-5Z at offset 3");
    EXPECT_EQ(check_message_format("@Q"), "-F \"@Q\": unknown format specifier @Q at offset 0");
    EXPECT_EQ(check_message_format("x\\q"), "-F \"x\\q\": unknown escape \\q at offset 1");
}

TEST_F(MessageFormat, CheckRefusesATrailingPercentAtOrBackslash) {
    EXPECT_EQ(check_message_format("x%"), "-F \"x%\": incomplete format specifier % at offset 1");
    EXPECT_EQ(check_message_format("%t %-5."),
              "-F \"%t %-5.\": incomplete format specifier %-5. at offset 3");
    EXPECT_EQ(check_message_format("x@"), "-F \"x@\": incomplete format specifier @ at offset 1");
    EXPECT_EQ(check_message_format("x\\"), "-F \"x\\\": incomplete escape \\ at offset 1");
}

}  // namespace
}  // namespace mqtt::tools
