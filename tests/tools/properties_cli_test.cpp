// -D COMMAND IDENTIFIER VALUE (tools/common/properties_cli.hpp): each property a client sends, at
// the ends of the range its spec section gives (written out here by hand), and the errors that
// name the flag, the property and the range.
#include "tools/common/properties_cli.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/common/client_cli.hpp"

namespace mqtt::tools {
namespace {

struct options {
    session::connect_options connect;
    packet_properties props;
};

std::string error_of(const std::vector<std::string>& flag) {
    options o;
    try {
        apply_property_flag(flag, o.connect, o.props);
    } catch (const usage_error& e) {
        return e.what();
    }
    return "(accepted)";
}

struct numeric_case {
    const char* command;
    const char* name;
    std::uint64_t min;
    std::uint64_t max;
    std::function<std::uint64_t(const options&)> stored;  // the field the flag sets
};

// Every numeric property a client may send with -D, with its range.
const std::vector<numeric_case>& numeric_cases() {
    static const std::vector<numeric_case> cases = {
        {"connect", "session-expiry-interval", 0, 0xFFFF'FFFF,
         [](const options& o) { return o.connect.session_expiry_interval; }},
        // 3.1.2.11.3: a Receive Maximum of 0 is a Protocol Error.
        {"connect", "receive-maximum", 1, 65'535,
         [](const options& o) { return o.connect.receive_maximum.value(); }},
        // 3.1.2.11.4: a Maximum Packet Size of 0 is a Protocol Error.
        {"connect", "maximum-packet-size", 1, 0xFFFF'FFFF,
         [](const options& o) { return o.connect.maximum_packet_size.value(); }},
        {"connect", "topic-alias-maximum", 0, 65'535,
         [](const options& o) { return o.connect.topic_alias_maximum.value(); }},
        // 3.1.2.11.6, 3.1.2.11.7: 0 or 1.
        {"connect", "request-response-information", 0, 1,
         [](const options& o) { return o.connect.request_response_information.value(); }},
        {"connect", "request-problem-information", 0, 1,
         [](const options& o) { return o.connect.request_problem_information.value(); }},
        // 3.3.2.3.2: 0 or 1.
        {"publish", "payload-format-indicator", 0, 1,
         [](const options& o) { return o.props.publish.payload_format_indicator.value(); }},
        {"publish", "message-expiry-interval", 0, 0xFFFF'FFFF,
         [](const options& o) { return o.props.publish.message_expiry_interval.value(); }},
        {"will", "payload-format-indicator", 0, 1,
         [](const options& o) {
             return o.connect.will->message.props.payload_format_indicator.value();
         }},
        {"will", "will-delay-interval", 0, 0xFFFF'FFFF,
         [](const options& o) { return o.connect.will->will_delay_interval.value(); }},
        // 3.8.2.1.2: 1 to 268,435,455.
        {"subscribe", "subscription-identifier", 1, 268'435'455,
         [](const options& o) { return o.props.subscribe.subscription_identifier.value(); }},
        {"disconnect", "session-expiry-interval", 0, 0xFFFF'FFFF,
         [](const options& o) { return o.props.disconnect.session_expiry_interval.value(); }},
    };
    return cases;
}

TEST(PropertiesCli, NumbersAtTheEndsOfTheirRange) {
    for (const numeric_case& c : numeric_cases()) {
        for (std::uint64_t v : {c.min, c.max}) {
            options o;
            apply_property_flag({c.command, c.name, std::to_string(v)}, o.connect, o.props);
            EXPECT_EQ(c.stored(o), v) << c.command << " " << c.name;
        }
    }
}

TEST(PropertiesCli, NumbersOutsideTheRangeNameIt) {
    for (const numeric_case& c : numeric_cases()) {
        std::vector<std::string> outside = {std::to_string(c.max + 1), "-1", "x"};
        if (c.min > 0) outside.push_back(std::to_string(c.min - 1));
        for (const std::string& v : outside) {
            const std::string flag = std::string("-D ") + c.command + " " + c.name + " " + v;
            EXPECT_EQ(error_of({c.command, c.name, v}), flag + ": expected a number from " +
                                                            std::to_string(c.min) + " to " +
                                                            std::to_string(c.max));
        }
    }
}

TEST(PropertiesCli, PlacesNamedByThePropertysSpecName) {
    // Spec 2.2.2.2, Table 2-4: where each may appear.
    EXPECT_EQ(error_of({"subscribe", "content-type", "x"}),
              "-D subscribe content-type x: Content Type is not allowed in subscribe");
    EXPECT_EQ(error_of({"connect", "will-delay-interval", "1"}),
              "-D connect will-delay-interval 1: Will Delay Interval is not allowed in connect");
    EXPECT_EQ(error_of({"will", "session-expiry-interval", "1"}),
              "-D will session-expiry-interval 1: Session Expiry Interval is not allowed in will");
    EXPECT_EQ(error_of({"unsubscribe", "reason-string", "x"}),
              "-D unsubscribe reason-string x: Reason String is not allowed in unsubscribe");
    // Allowed in the packet, but a server's to send.
    EXPECT_EQ(error_of({"disconnect", "server-reference", "x"}),
              "-D disconnect server-reference x: Server Reference is set by the client itself or "
              "sent only by a server");
    EXPECT_EQ(error_of({"connect", "authentication-method", "x"}),
              "-D connect authentication-method x: Authentication Method is set by the client "
              "itself or sent only by a server");
}

TEST(PropertiesCli, TextAndPairs) {
    options o;
    apply_property_flag({"publish", "response-topic", "replies/1"}, o.connect, o.props);
    apply_property_flag({"will", "correlation-data", "id-7"}, o.connect, o.props);
    apply_property_flag({"unsubscribe", "user-property", "a", "b"}, o.connect, o.props);
    apply_property_flag({"disconnect", "reason_string", "bye"}, o.connect, o.props);  // JSON key
    EXPECT_EQ(o.props.publish.response_topic, "replies/1");
    EXPECT_EQ(o.connect.will->message.props.correlation_data,
              session::byte_vector({'i', 'd', '-', '7'}));
    EXPECT_EQ(o.props.unsubscribe, session::user_property_list({{"a", "b"}}));
    EXPECT_EQ(o.props.disconnect.reason_string, "bye");

    EXPECT_EQ(error_of({"connect", "user-property", "a"}),
              "-D connect user-property a: user-property takes a NAME and a VALUE");
    EXPECT_EQ(error_of({"publish", "content-type", "a", "b"}),
              "-D publish content-type a b: takes one VALUE");
    // A Response Topic is a Topic Name: no wildcards (MQTT-3.3.2-14).
    EXPECT_EQ(error_of({"publish", "response-topic", "replies/#"}),
              "-D publish response-topic replies/#: not a valid Topic Name (MQTT-3.3.2-14): "
              "wildcard character in a Topic Name (MQTT-4.7.0-1)");
}

}  // namespace
}  // namespace mqtt::tools
