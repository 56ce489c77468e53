// The shared command line of mqtt-pub/sub/rr: what the flags turn into (the client's options and
// each packet's properties), and the usage errors that name the flag.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/common/client_cli.hpp"
#include "tools/common/properties_cli.hpp"

namespace mqtt::tools {
namespace {

common_settings basic() {
    common_settings s;
    s.host = "127.0.0.1";
    return s;
}

std::string usage_message(const common_settings& s, tool_kind kind = tool_kind::pub) {
    try {
        prepare(s, kind);
    } catch (const usage_error& e) {
        return e.what();
    }
    return "(no usage error)";
}

TEST(ClientCli, HostAndPortMakeTheUrlWithTheDefaultPorts) {
    common_settings s = basic();
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtt://127.0.0.1:1883");
    s.cafile = "/ca.pem";  // any TLS flag turns TLS on, and the default port is 8883
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtts://127.0.0.1:8883");
    s.port = 9000;
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtts://127.0.0.1:9000");
    common_settings v6 = basic();
    v6.host = "::1";
    EXPECT_EQ(prepare(v6, tool_kind::pub).options.url, "mqtt://[::1]:1883");
}

TEST(ClientCli, UrlFlagCarriesSchemeCredentialsPortAndTopic) {
    common_settings s = basic();
    s.url = "mqtts://alice:secret@broker.example:8884/sensors/+/temp";
    const prepared_settings p = prepare(s, tool_kind::sub);
    EXPECT_EQ(p.options.url, "mqtts://broker.example:8884");
    EXPECT_EQ(p.options.mqtt.username, "alice");
    EXPECT_EQ(p.options.mqtt.password, session::byte_vector({'s', 'e', 'c', 'r', 'e', 't'}));
    EXPECT_EQ(p.url_topic, "sensors/+/temp");

    // The client's own URL parser (transport/url.hpp) reads -L, so the errors are its words.
    s.url = "http://broker";
    EXPECT_EQ(usage_message(s),
              "-L http://broker: unknown scheme \"http\" (use mqtt:// or mqtts://)");
    s.url = "mqtt://broker:99999/x";
    EXPECT_EQ(usage_message(s), "-L mqtt://broker:99999/x: invalid port \"99999\"");
    s.url = "mqtt://[::1";
    EXPECT_EQ(usage_message(s), "-L mqtt://[::1: unclosed '[' in an IPv6 address");
    s.url = "mqtt://bob@[::1]:1884/t";
    const prepared_settings v6 = prepare(s, tool_kind::pub);
    EXPECT_EQ(v6.options.url, "mqtt://[::1]:1884");
    EXPECT_EQ(v6.options.mqtt.username, "bob");
    EXPECT_EQ(v6.url_topic, "t");
    s.url = "mqtts://broker";  // the scheme's default port
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtts://broker:8883");
    s.port = 1885;  // -p, unless the URL names a port
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtts://broker:1885");
    s.url = "mqtts://broker:1886";
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtts://broker:1886");
    s.port = 0;
    s.url = "mqtt://broker/t";
    s.cafile = "/ca.pem";  // TLS from a flag: TLS's default port
    EXPECT_EQ(prepare(s, tool_kind::pub).options.url, "mqtts://broker:8883");
}

TEST(ClientCli, SessionFlagsFollowMosquitto) {
    common_settings s = basic();
    EXPECT_TRUE(prepare(s, tool_kind::sub).options.mqtt.clean_start);
    EXPECT_EQ(prepare(s, tool_kind::sub).options.mqtt.session_expiry_interval, 0u);
    s.no_clean_start = true;
    EXPECT_NE(usage_message(s).find("-c needs a client identifier"), std::string::npos);
    s.client_id = "me";
    s.session_dir = "/tmp/sessions";
    const prepared_settings p = prepare(s, tool_kind::sub);
    EXPECT_FALSE(p.options.mqtt.clean_start);
    EXPECT_EQ(p.options.mqtt.session_expiry_interval, 0xFFFFFFFFu);  // -c alone: never expires
    EXPECT_EQ(p.session_dir.parent_path(), "/tmp/sessions");
    s.session_expiry = 30;
    EXPECT_EQ(prepare(s, tool_kind::sub).options.mqtt.session_expiry_interval, 30u);
    // Host and client id make one file name in the directory, whatever they hold.
    s.host = "../up";
    s.client_id = "a/b";
    EXPECT_EQ(prepare(s, tool_kind::sub).session_dir,
              std::filesystem::path("/tmp/sessions/..%2Fup_1883_a%2Fb"));
}

// MQTT v5 allows a Password without a User Name (spec 3.1.2.9): -P alone is sent.
TEST(ClientCli, PasswordWithoutUserName) {
    common_settings s = basic();
    s.password = "token";
    const prepared_settings p = prepare(s, tool_kind::pub);
    EXPECT_FALSE(p.options.mqtt.username.has_value());
    EXPECT_EQ(p.options.mqtt.password, session::byte_vector({'t', 'o', 'k', 'e', 'n'}));
}

// -V as mosquitto_pub/sub take it: 5 / mqttv5 (the default) and 311 / mqttv311.
TEST(ClientCli, ProtocolVersionFlag) {
    for (const tool_kind kind : {tool_kind::pub, tool_kind::sub}) {
        common_settings s = basic();
        EXPECT_EQ(prepare(s, kind).options.mqtt.protocol_version, protocol_version::v5);
        s.protocol_version = "mqttv5";
        EXPECT_EQ(prepare(s, kind).options.mqtt.protocol_version, protocol_version::v5);
        s.protocol_version = "311";
        EXPECT_EQ(prepare(s, kind).options.mqtt.protocol_version, protocol_version::v311);
        s.protocol_version = "mqttv311";
        EXPECT_EQ(prepare(s, kind).options.mqtt.protocol_version, protocol_version::v311);
        s.protocol_version = "3.1.1";  // the spelling --protocol takes too
        EXPECT_EQ(prepare(s, kind).options.mqtt.protocol_version, protocol_version::v311);
        for (const char* other : {"31", "mqttv31", "4", "3.1"}) {
            s.protocol_version = other;
            EXPECT_EQ(usage_message(s, kind),
                      std::string("-V ") + other +
                          ": expected 5 (mqttv5) or 311 (mqttv311); MQTT 3.1 is not supported");
        }
    }
}

// mosquitto_rr is MQTT 5 only: so is mqtt-rr (a request needs Response Topic and Correlation
// Data); and mqtt-bench measures v5.
TEST(ClientCli, RrAndBenchRefuse311) {
    common_settings s = basic();
    s.protocol_version = "mqttv311";
    EXPECT_EQ(usage_message(s, tool_kind::rr),
              "-V 311: mqtt-rr needs MQTT 5 (a request carries its Response Topic and "
              "Correlation Data), as mosquitto_rr does");
    EXPECT_EQ(usage_message(s, tool_kind::bench), "-V 311: mqtt-bench measures MQTT 5 only");
    s.protocol_version = "5";
    EXPECT_NO_THROW(prepare(s, tool_kind::rr));
}

// Each flag asking for what 3.1.1 has no field for is a usage error naming it.
TEST(ClientCli, V5OnlyFlagsWith311AreUsageErrors) {
    common_settings s = basic();
    s.protocol_version = "311";
    s.properties = {{"publish", "content-type", "text/plain"}};
    EXPECT_EQ(usage_message(s),
              "-D publish content-type: properties are MQTT 5 only: not with -V 311");
    s.properties = {{"connect", "session-expiry-interval", "60"}};
    EXPECT_EQ(usage_message(s, tool_kind::sub),
              "-D connect session-expiry-interval: properties are MQTT 5 only: not with -V 311");
    s.properties.clear();
    s.session_expiry = 60;
    EXPECT_EQ(usage_message(s),
              "-x is MQTT 5 only: not with -V 311 (-c alone keeps the session: Clean Session 0)");
    s.session_expiry.reset();
    s.topic_aliases = true;
    EXPECT_EQ(usage_message(s), "--topic-alias is MQTT 5 only: not with -V 311");
    s.topic_aliases = false;
    // 3.1.1 MQTT-3.1.2-22: no Password without a User Name.
    s.password = "token";
    EXPECT_NE(usage_message(s).find("3.1.1 MQTT-3.1.2-22"), std::string::npos) << usage_message(s);
    s.username = "u";
    EXPECT_NO_THROW(prepare(s, tool_kind::pub));
    // A tool's own MQTT 5 flags (mqtt-sub's --nl, --rap, --rh).
    const prepared_settings p = prepare(s, tool_kind::sub);
    EXPECT_NO_THROW(refuse_with_v311(p, false, "--nl"));
    try {
        refuse_with_v311(p, true, "--nl");
        ADD_FAILURE() << "--nl with -V 311 was accepted";
    } catch (const usage_error& e) {
        EXPECT_STREQ(e.what(), "--nl is MQTT 5 only: not with -V 311");
    }
    s.protocol_version = "5";
    EXPECT_NO_THROW(refuse_with_v311(prepare(s, tool_kind::sub), true, "--nl"));
}

// -c keeps the session: in v5 by a Session Expiry Interval that never ends, in 3.1.1 by Clean
// Session 0 alone (3.1.1 spec 3.1.2.4).
TEST(ClientCli, DisableCleanSessionIn311) {
    common_settings s = basic();
    s.no_clean_start = true;
    s.client_id = "keeper";
    s.session_dir = "/tmp/sessions";
    const prepared_settings v5 = prepare(s, tool_kind::sub);
    EXPECT_FALSE(v5.options.mqtt.clean_start);
    EXPECT_EQ(v5.options.mqtt.session_expiry_interval, 0xFFFFFFFFu);
    s.protocol_version = "311";
    const prepared_settings v311 = prepare(s, tool_kind::sub);
    EXPECT_FALSE(v311.options.mqtt.clean_start);
    EXPECT_EQ(v311.options.mqtt.session_expiry_interval, 0u);
    EXPECT_FALSE(v311.session_dir.empty());
    EXPECT_TRUE(session::check_connect_options(v311.options.mqtt));
}

TEST(ClientCli, WillFlagsNeedATopic) {
    common_settings s = basic();
    s.will_payload = "bye";
    EXPECT_NE(usage_message(s).find("need --will-topic"), std::string::npos);
    s.will_topic = "status/me";
    s.will_qos = 1;
    s.will_retain = true;
    s.properties = {{"will", "will-delay-interval", "5"}, {"will", "content-type", "text/plain"}};
    const prepared_settings p = prepare(s, tool_kind::pub);
    ASSERT_TRUE(p.options.mqtt.will.has_value());
    EXPECT_EQ(p.options.mqtt.will->message.topic, "status/me");
    EXPECT_EQ(p.options.mqtt.will->message.qos, qos::at_least_once);
    EXPECT_TRUE(p.options.mqtt.will->message.retain);
    EXPECT_EQ(p.options.mqtt.will->will_delay_interval, 5u);
    EXPECT_EQ(p.options.mqtt.will->message.props.content_type, "text/plain");
    s.will_qos = 3;
    EXPECT_NE(usage_message(s).find("--will-qos 3"), std::string::npos);
}

TEST(ClientCli, PropertiesGoToTheirPackets) {
    common_settings s = basic();
    s.properties = {
        {"connect", "session-expiry-interval", "120"},
        {"connect", "receive-maximum", "10"},
        {"connect", "user-property", "site", "lab"},
        {"publish", "message-expiry-interval", "60"},
        {"publish", "payload-format-indicator", "1"},
        {"publish", "correlation-data", "abc"},
        {"publish", "user-property", "a", "1"},
        {"publish", "user-property", "a", "2"},  // repeatable, kept in order
        {"subscribe", "subscription-identifier", "42"},
        {"unsubscribe", "user-property", "why", "done"},
        {"disconnect", "reason-string", "bye"},
        {"disconnect", "session-expiry-interval", "0"},
    };
    const prepared_settings p = prepare(s, tool_kind::pub);
    EXPECT_EQ(p.options.mqtt.session_expiry_interval, 120u);
    EXPECT_EQ(p.options.mqtt.receive_maximum, 10);
    EXPECT_EQ(p.options.mqtt.user_properties, session::user_property_list({{"site", "lab"}}));
    EXPECT_EQ(p.props.publish.message_expiry_interval, 60u);
    EXPECT_EQ(p.props.publish.payload_format_indicator, 1);
    EXPECT_EQ(p.props.publish.correlation_data, session::byte_vector({'a', 'b', 'c'}));
    EXPECT_EQ(p.props.publish.user_properties,
              session::user_property_list({{"a", "1"}, {"a", "2"}}));
    EXPECT_EQ(p.props.subscribe.subscription_identifier, 42u);
    EXPECT_EQ(p.props.unsubscribe, session::user_property_list({{"why", "done"}}));
    EXPECT_EQ(p.props.disconnect.reason_string, "bye");
    EXPECT_EQ(p.props.disconnect.session_expiry_interval, 0u);
}

TEST(ClientCli, PropertyErrorsNameTheFlagAndTheReason) {
    struct bad {
        std::vector<std::string> flag;
        std::string message;
    };
    const std::vector<bad> cases{
        {{"publsh", "content-type", "x"}, "unknown command"},
        {{"publish", "colour", "x"}, "unknown property identifier"},
        {{"subscribe", "content-type", "x"}, "Content Type is not allowed in subscribe"},
        {{"publish", "user-property", "x"}, "takes a NAME and a VALUE"},
        {{"publish", "message-expiry-interval", "soon"}, "expected a number from 0 to"},
        {{"publish", "payload-format-indicator", "2"}, "expected a number from 0 to 1"},
        {{"connect", "receive-maximum", "70000"}, "expected a number from 1 to 65535"},
        // A client must not send a Subscription Identifier in PUBLISH (MQTT-3.3.4-6).
        {{"publish", "subscription-identifier", "1"}, "MQTT-3.3.4-6"},
        {{"subscribe", "subscription-identifier", "0"}, "expected a number from 1 to 268435455"},
        {{"publish", "topic-alias", "1"}, "picks topic aliases itself"},
        {{"connect", "assigned-client-identifier", "x"}, "is not allowed in connect"},
        {{"disconnect", "server-reference", "x"}, "sent only by a server"},
    };
    for (const bad& c : cases) {
        common_settings s = basic();
        s.properties = {c.flag};
        const std::string message = usage_message(s);
        EXPECT_NE(message.find(c.message), std::string::npos) << message;
        EXPECT_EQ(message.rfind("-D " + c.flag[0], 0), 0u) << message;  // names the flag
    }
}

TEST(ClientCli, TlsFlags) {
    common_settings s = basic();
    s.cert = "/me.pem";
    EXPECT_NE(usage_message(s).find("--cert and --key go together"), std::string::npos);
    s.key = "/me.key";
    s.tls_version = "tlsv1.3";
    s.insecure = true;
    s.keylog = "/tmp/keys";
    const prepared_settings p = prepare(s, tool_kind::pub);
    EXPECT_EQ(p.options.tls.min_version, transport::tls_version::tls1_3);
    EXPECT_TRUE(p.options.tls.insecure);
    EXPECT_EQ(p.options.tls.keylog_file, "/tmp/keys");
    s.tls_version = "tlsv1.1";
    EXPECT_NE(usage_message(s).find("--tls-version tlsv1.1"), std::string::npos);
}

TEST(ClientCli, TraceModes) {
    common_settings s = basic();
    EXPECT_EQ(prepare(s, tool_kind::pub).trace, trace_mode::off);
    s.debug = true;
    EXPECT_EQ(prepare(s, tool_kind::pub).trace, trace_mode::line);
    s.trace = "json";
    EXPECT_EQ(prepare(s, tool_kind::pub).trace, trace_mode::json);
    s.trace = "xml";
    EXPECT_NE(usage_message(s).find("--trace xml"), std::string::npos);
}

TEST(ClientCli, OnlyTheSubscriberReconnects) {
    common_settings s = basic();
    EXPECT_TRUE(prepare(s, tool_kind::sub).options.reconnect);
    EXPECT_FALSE(prepare(s, tool_kind::pub).options.reconnect);
    EXPECT_FALSE(prepare(s, tool_kind::rr).options.reconnect);
    // ... and not after a protocol violation, unless asked to.
    EXPECT_FALSE(prepare(s, tool_kind::sub).options.reconnect_on_violation);
    s.reconnect_on_violation = true;
    EXPECT_TRUE(prepare(s, tool_kind::sub).options.reconnect_on_violation);
}

}  // namespace
}  // namespace mqtt::tools
