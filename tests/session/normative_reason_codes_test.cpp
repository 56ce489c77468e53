// Normative statements on the reason codes the session sends (spec 3.4 - 3.7, 3.14, 3.15) and on
// leaving out what a server's Maximum Packet Size cannot take, checked on the raw bytes the
// session writes (normative_support.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/session/normative_support.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

// =============================================================================================
// Reason codes the session sends (spec 3.4 - 3.7, 3.14, 3.15)

// MQTT-3.4.2-1: "PUBACK sender uses only defined PUBACK Reason Codes."
TEST(normative, MQTT_3_4_2_1_puback_reason_codes_defined) {
    connected_session c;
    const byte_vector inbound[] = {
        hex("32 06 0001 't' 0001 00"),         // plain
        hex("3B 06 0001 't' 0002 00"),         // DUP and RETAIN
        hex("32 08 0001 't' 0003 02 01 01"),   // Payload Format Indicator 1
        hex("32 0A 0001 't' 0004 00 'data'"),  // with a payload
        hex("32 06 0001 't' 0004 00"),         // the same identifier again
    };
    for (const byte_vector& in : inbound) {
        const raw_packet ack = one_packet(c.server(in));
        EXPECT_EQ(ack.first, 0x40);
        EXPECT_TRUE(puback_reasons.contains(ack_reason(ack))) << to_hex(ack.whole);
    }
}

// MQTT-3.5.2-1: "PUBREC sender uses only defined PUBREC Reason Codes."
TEST(normative, MQTT_3_5_2_1_pubrec_reason_codes_defined) {
    connected_session c;
    const byte_vector inbound[] = {
        hex("34 06 0001 't' 0001 00"),        // new
        hex("3C 06 0001 't' 0001 00"),        // repeated before PUBREL
        hex("35 08 0001 't' 0002 02 01 00"),  // RETAIN, Payload Format Indicator 0
    };
    for (const byte_vector& in : inbound) {
        const raw_packet ack = one_packet(c.server(in));
        EXPECT_EQ(ack.first, 0x50);
        EXPECT_TRUE(pubrec_reasons.contains(ack_reason(ack))) << to_hex(ack.whole);
    }
}

// MQTT-3.6.2-1: "PUBREL sender uses only defined PUBREL Reason Codes (0x00, 0x92)."
TEST(normative, MQTT_3_6_2_1_pubrel_reason_codes_defined) {
    connected_session c(keep_session());
    const std::uint16_t id = publish_raw(c, make_message("t", qos::exactly_once));
    std::vector<raw_packet> sent;
    sent.push_back(one_packet(c.server(pubrec{id, reason_code::success, {}})));  // ours
    sent.push_back(one_packet(c.server(hex("50 02 0999"))));  // an identifier we never used
    const std::vector<raw_packet> resent = split(reconnect(c, session_present()));  // PUBREL again
    sent.insert(sent.end(), resent.begin(), resent.end());
    ASSERT_EQ(sent.size(), 3u);
    for (const raw_packet& p : sent) {
        EXPECT_EQ(p.first, 0x62);
        EXPECT_TRUE(pubrel_reasons.contains(ack_reason(p))) << to_hex(p.whole);
    }
    EXPECT_EQ(ack_reason(sent[0]), 0x00);
    EXPECT_EQ(ack_reason(sent[2]), 0x00);
}

// MQTT-3.7.2-1: "PUBCOMP sender uses only defined PUBCOMP Reason Codes (0x00, 0x92)."
TEST(normative, MQTT_3_7_2_1_pubcomp_reason_codes_defined) {
    connected_session c;
    c.server(hex("34 06 0001 't' 0001 00"));
    const raw_packet known = one_packet(c.server(hex("62 02 0001")));
    const raw_packet unknown = one_packet(c.server(hex("62 02 0001")));  // already completed
    for (const raw_packet& p : {known, unknown}) {
        EXPECT_EQ(p.first, 0x70);
        EXPECT_TRUE(pubcomp_reasons.contains(ack_reason(p))) << to_hex(p.whole);
    }
    EXPECT_EQ(ack_reason(known), 0x00);
}

// MQTT-3.14.2-1: "DISCONNECT sender uses only defined Disconnect Reason Codes."
TEST(normative, MQTT_3_14_2_1_disconnect_reason_codes_defined) {
    struct trigger {
        const char* what;
        byte_vector bytes;  // the server sends these after CONNACK
        connect_options options;
    };
    connect_options small;
    small.maximum_packet_size = 20;
    connect_options one_at_a_time;
    one_at_a_time.receive_maximum = 1;
    const std::vector<trigger> triggers = {
        {"a v5 CONNECT", hex("10 0E 0004 'MQTT' 05 02 003C 00 0001 'c'"), {}},
        // The decoder calls these 0x84 Unsupported Protocol Version, a CONNACK-only code.
        {"a v4 CONNECT", hex("10 0D 0004 'MQTT' 04 02 003C 0001 'c'"), {}},
        {"a v3 CONNECT", hex("10 0F 0006 'MQIsdp' 03 02 003C 0001 'c'"), {}},
        {"PINGREQ", hex("C0 00"), {}},
        {"SUBSCRIBE with a bad filter", hex("82 0B 0001 00 0005 'a/#/b' 00"), {}},
        {"PUBLISH QoS 3", hex("36 06 0001 't' 0001 00"), {}},
        {"PUBLISH with a wildcard", hex("30 06 0003 'a/+' 00"), {}},
        {"Topic Alias 0", hex("30 07 0001 't' 03 23 0000"), {}},
        {"a second CONNACK", hex("20 03 00 00 00"), {}},
        {"SUBACK for nothing", hex("90 04 0009 00 00"), {}},
        {"PUBACK with flags", hex("41 02 0001"), {}},
        {"over our Maximum Packet Size", concat({hex("30 1E 0001 't' 00"), byte_vector(26, 'x')}),
         small},
        {"over our Receive Maximum", hex("34 06 0001 't' 0001 00 34 06 0001 't' 0002 00"),
         one_at_a_time},
    };
    for (const trigger& t : triggers) {
        SCOPED_TRACE(t.what);
        connected_session c(t.options);
        const std::vector<raw_packet> out = split(c.server(t.bytes));
        ASSERT_FALSE(out.empty()) << "no DISCONNECT";
        const raw_packet& d = out.back();
        EXPECT_EQ(d.first, 0xE0);
        EXPECT_TRUE(disconnect_reasons.contains(first_reason(d)))
            << "DISCONNECT with reason code " << to_hex(byte_vector{first_reason(d)});
    }

    // Ours, on request: only the defined codes go out; anything else is refused.
    for (const std::uint8_t rc : {0x00, 0x04, 0x80, 0x83}) {
        connected_session c;
        disconnect_options o;
        o.reason = reason_code(rc);
        EXPECT_TRUE(c.s.disconnect(o, c.peer.now));
        EXPECT_EQ(first_reason(one_packet(c.out())), rc);
    }
    for (const std::uint8_t rc : {0x01, 0x18, 0x84, 0x92, 0xFF}) {
        connected_session c;
        disconnect_options o;
        o.reason = reason_code(rc);
        const command_result r = c.s.disconnect(o, c.peer.now);
        EXPECT_EQ(r.error, errc::invalid_argument) << int(rc);
        EXPECT_NE(r.detail.find("MQTT-3.14.2-1"), std::string::npos) << r.detail;
        EXPECT_TRUE(c.out().empty());
        EXPECT_EQ(c.s.current_state(), state::connected);
    }

    // Our authenticator gives up.
    toy_authenticator a;
    a.give_up = true;
    session s(connect_options{}, nullptr, &a);
    s.connection_opened(time_point{});
    s.take_output();
    s.receive(encode_to_vector(server_auth(reason_code::continue_authentication)), time_point{});
    const raw_packet d = one_packet(s.take_output());
    EXPECT_EQ(d.first, 0xE0);
    EXPECT_TRUE(disconnect_reasons.contains(first_reason(d))) << to_hex(d.whole);
}

// MQTT-3.14.2-3: "Omit DISCONNECT Reason String if it would exceed receiver's Maximum Packet
// Size." The server's limit is set exactly at the size of the DISCONNECT with its Reason String,
// then one byte below it.
TEST(normative, MQTT_3_14_2_3_violation_reason_string_left_out_over_server_maximum) {
    const byte_vector violations[] = {
        hex("C0 00"),                // PINGREQ from a server
        hex("30 06 0003 'a/+' 00"),  // a wildcard in a Topic Name
    };
    for (const byte_vector& v : violations) {
        SCOPED_TRACE(to_hex(v));
        byte_vector full;
        {
            connected_session c;
            full = one_packet(c.server(v)).whole;
            ASSERT_GT(full.size(), 3u) << "a DISCONNECT for a violation carries a Reason String";
        }
        {  // exactly at the limit: kept
            connack ack;
            ack.props.maximum_packet_size = std::uint32_t(full.size());
            connected_session c({}, ack);
            EXPECT_EQ(c.server(v), full);
        }
        {  // one byte below: left out, the reason code stays
            connack ack;
            ack.props.maximum_packet_size = std::uint32_t(full.size() - 1);
            connected_session c({}, ack);
            const byte_vector out = c.server(v);
            EXPECT_EQ(out, (byte_vector{0xE0, 0x01, first_reason(one_packet(full))}))
                << to_hex(out);
            const disconnected ev = c.peer.expect_event<disconnected>();
            EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
            EXPECT_FALSE(ev.detail.empty()) << "the application still learns why";
        }
    }
}

// MQTT-3.14.2-3 for a Reason String the caller gives to disconnect(): the DISCONNECT written must
// fit the server's Maximum Packet Size (the string left out), or the request be refused.
TEST(normative, MQTT_3_14_2_3_caller_reason_string_left_out_over_server_maximum) {
    connack ack;
    ack.props.maximum_packet_size = 20;
    connected_session c({}, ack);
    disconnect_options o;
    o.reason = reason_code::disconnect_with_will_message;
    o.reason_string = std::string(40, 'r');
    const command_result r = c.s.disconnect(o, c.peer.now);
    const byte_vector out = c.out();
    if (!r) {
        EXPECT_TRUE(out.empty()) << to_hex(out);
    } else {
        EXPECT_LE(out.size(), 20u)
            << "a DISCONNECT of " << out.size()
            << " bytes to a server whose Maximum Packet Size is 20: " << to_hex(out);
        EXPECT_EQ(out, hex("E0 01 04"));
    }
}

// MQTT-3.14.2-4: "Omit DISCONNECT User Properties if they would exceed receiver's Maximum Packet
// Size."
TEST(normative, MQTT_3_14_2_4_caller_user_properties_left_out_over_server_maximum) {
    for (const std::uint32_t maximum : {19u, 20u}) {
        SCOPED_TRACE(maximum);
        connack ack;
        ack.props.maximum_packet_size = maximum;
        connected_session c({}, ack);
        disconnect_options o;
        o.reason = reason_code::disconnect_with_will_message;
        o.user_properties = {{"k", "0123456789"}};  // DISCONNECT of 20 bytes with it
        const command_result r = c.s.disconnect(o, c.peer.now);
        const byte_vector out = c.out();
        if (maximum == 20) {
            EXPECT_TRUE(r) << r.detail;
            EXPECT_EQ(out, hex("E0 12 04"
                               "10 26 0001 'k' 000A '0123456789'"))  // User Property kept
                << to_hex(out);
        } else if (!r) {
            EXPECT_TRUE(out.empty()) << to_hex(out);
        } else {
            EXPECT_EQ(out, hex("E0 01 04")) << to_hex(out);  // left out
        }
    }
}

// MQTT-3.15.2-1: "AUTH sender uses only defined Authenticate Reason Codes (0x00, 0x18, 0x19)."
TEST(normative, MQTT_3_15_2_1_auth_reason_codes_defined) {
    toy_authenticator a;
    session s(connect_options{}, nullptr, &a);
    scripted_peer peer(s);
    s.connection_opened(peer.now);
    s.take_output();
    std::vector<raw_packet> sent;
    auto server = [&](const auth& p) {
        s.receive(encode_to_vector(p), peer.now);
        const byte_vector out = s.take_output();
        sent.push_back(one_packet(out));
        return out;
    };
    // Before CONNACK: a challenge, our continuation.
    EXPECT_EQ(server(server_auth(reason_code::continue_authentication)),
              hex("F0 0D"
                  "18"                                // Continue authentication
                  "0B 15 0003 'TOY' 16 0002 'ok'"));  // Method, Data
    connack ack;
    ack.props.authentication_method = "TOY";
    s.receive(encode_to_vector(ack), peer.now);
    ASSERT_EQ(s.current_state(), state::connected);
    // Re-authentication: our 0x19, then a continuation.
    ASSERT_TRUE(s.reauthenticate(peer.now));
    const byte_vector reauth = s.take_output();
    EXPECT_EQ(reauth, hex("F0 0D 19 0B 15 0003 'TOY' 16 0002 'hi'"));
    sent.push_back(one_packet(reauth));
    server(server_auth(reason_code::continue_authentication));
    s.receive(encode_to_vector(server_auth(reason_code::success)), peer.now);
    EXPECT_TRUE(s.take_output().empty());

    ASSERT_EQ(sent.size(), 3u);
    for (const raw_packet& p : sent) {
        EXPECT_EQ(p.type(), auth_type);
        EXPECT_TRUE(auth_reasons.contains(first_reason(p))) << to_hex(p.whole);
    }
}

}  // namespace
}  // namespace mqtt::session::test
