// mqtt-sub's output: the payload, -v, -N and every -F specifier, as mosquitto_sub prints them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/common/message_format.hpp"

namespace mqtt::tools {
namespace {

using namespace std::chrono_literals;

// 2026-11-24 10:15:30.123456789 UTC.
const auto received = std::chrono::system_clock::time_point(std::chrono::seconds(1795515330)) +
                      std::chrono::nanoseconds(123456789);

class MessageFormat : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
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
        p.subscription_identifiers = {7, 9};
    }
    std::string format(const std::string& f, bool eol = false) {
        return format_message({f, false, eol}, m, received);
    }
    session::message_received m;
};

TEST_F(MessageFormat, WithoutFormatThePayloadOrTopicAndPayload) {
    EXPECT_EQ(format_message({}, m, received), "21.5\n");
    EXPECT_EQ(format_message({std::nullopt, true, true}, m, received), "sensors/t1 21.5\n");
    EXPECT_EQ(format_message({std::nullopt, false, false}, m, received), "21.5");  // -N
}

TEST_F(MessageFormat, MessageSpecifiers) {
    EXPECT_EQ(format("%t|%p|%l|%q|%r|%m"), "sensors/t1|21.5|4|1|1|42");
    EXPECT_EQ(format("%x %X"), "32312e35 32312E35");
    EXPECT_EQ(format("100%%"), "100%");
    EXPECT_EQ(format("%t\n", false), "sensors/t1\n");
    EXPECT_EQ(format("%t", true), "sensors/t1\n");  // -F prints a newline too, unless -N
}

TEST_F(MessageFormat, PropertySpecifiers) {
    EXPECT_EQ(format("%A|%C|%D|%E|%F|%P|%R|%S"),
              "3|text/plain|c1|60|1|unit:celsius site:lab|replies/t1|7,9");
    session::message_received bare;
    bare.message.topic = "t";
    EXPECT_EQ(format_message({"[%A|%C|%D|%E|%F|%P|%R|%S|%m]", false, false}, bare, received),
              "[||||||||0]");  // absent properties print nothing
}

TEST_F(MessageFormat, TimeSpecifiers) {
    EXPECT_EQ(format("%I"), "2026-11-24T10:15:30+0000");
    EXPECT_EQ(format("%U"), "1795515330.123456789");
    EXPECT_EQ(format("@Y-@m-@d @H:@M:@S.@N @@"), "2026-11-24 10:15:30.123456789 @");
}

TEST_F(MessageFormat, WidthFlagsAndPrecision) {
    EXPECT_EQ(format("[%12t]"), "[  sensors/t1]");
    EXPECT_EQ(format("[%-12t]"), "[sensors/t1  ]");
    EXPECT_EQ(format("[%05l]"), "[00004]");
    EXPECT_EQ(format("[%.2p]"), "[21]");
    EXPECT_EQ(format("[%6.2p]"), "[    21]");
    EXPECT_EQ(format("[%06t]"), "[sensors/t1]");  // '0' pads numbers only; wider than 6 anyway
}

TEST_F(MessageFormat, Escapes) {
    EXPECT_EQ(format("a\\tb\\nc\\\\d\\e\\a\\r\\v"), std::string("a\tb\nc\\d\x1b\a\r\v"));
    EXPECT_EQ(format("x\\0y"), std::string("x\0y", 3));
}

TEST_F(MessageFormat, JsonWithPayloadAsStringOrAsJson) {
    const auto j = nlohmann::json::parse(format("%j"));
    EXPECT_EQ(j["tst"], "2026-11-24T10:15:30+0000");
    EXPECT_EQ(j["topic"], "sensors/t1");
    EXPECT_EQ(j["qos"], 1);
    EXPECT_EQ(j["retain"], 1);
    EXPECT_EQ(j["payloadlen"], 4);
    EXPECT_EQ(j["mid"], 42);
    EXPECT_EQ(j["payload"], "21.5");
    EXPECT_EQ(j["properties"]["content-type"], "text/plain");
    EXPECT_EQ(j["properties"]["message-expiry-interval"], 60);
    EXPECT_EQ(j["properties"]["user-properties"][0]["unit"], "celsius");
    // %J embeds a JSON payload as JSON; 21.5 is a JSON number.
    EXPECT_EQ(nlohmann::json::parse(format("%J"))["payload"], 21.5);
    m.message.payload = {'n', 'o', 't', ' ', 'j', 's', 'o', 'n'};
    EXPECT_EQ(nlohmann::json::parse(format("%J"))["payload"], "not json");

    session::message_received plain;
    plain.message.topic = "a";
    plain.message.payload = {'h', 'i'};
    EXPECT_EQ(format_message({"%j", false, false}, plain, received),
              R"({"tst":"2026-11-24T10:15:30+0000","topic":"a","qos":0,"retain":0,)"
              R"("payloadlen":2,"payload":"hi"})");
}

TEST_F(MessageFormat, BinaryPayloadsStayWhole) {
    m.message.payload = {'a', 0x00, 0xff, 'b'};
    EXPECT_EQ(format("%p"), std::string("a\0\xff" "b", 4));
    EXPECT_EQ(format("%x"), "6100ff62");
    // Invalid UTF-8 in %j is replaced (U+FFFD), not thrown on.
    std::string text;
    EXPECT_NO_THROW(text = format("%j"));
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["payloadlen"], 4);
    EXPECT_EQ(j["payload"].get<std::string>().size(), 6u);  // a, \0, U+FFFD (3 bytes), b
}

TEST_F(MessageFormat, CheckNamesTheUnknownSpecifier) {
    EXPECT_FALSE(check_message_format("%t %p %j %J %I %U %A %C %D %E %F %P %R %S %% @Y @N @@ \\n")
                     .has_value());
    EXPECT_FALSE(check_message_format("%-20t %08l %.3p").has_value());
    const auto z = check_message_format("ab%Z");
    ASSERT_TRUE(z.has_value());
    EXPECT_EQ(*z, "-F \"ab%Z\": unknown format specifier %Z at offset 2");
    EXPECT_NE(check_message_format("@Q").value_or("").find("unknown time field @Q"),
              std::string::npos);
    EXPECT_NE(check_message_format("x%").value_or("").find("a lone % at the end"),
              std::string::npos);
    EXPECT_NE(check_message_format("\\q").value_or("").find("unknown escape"), std::string::npos);
    // Unknown specifiers that slip through are printed as they are.
    EXPECT_EQ(format("%Z"), "%Z");
}

}  // namespace
}  // namespace mqtt::tools
