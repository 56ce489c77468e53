// The session speaking MQTT 3.1.1 (connect_options::protocol_version = v311) to the scripted
// server, on virtual time. The wire is checked as hand-written bytes where 3.1.1 differs from v5
// (no properties, no reason codes, Protocol Level 4, two-byte CONNACK). Normative ids here are
// the 3.1.1 specification's, marked "3.1.1"; sections are 3.1.1's unless marked v5.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"
#include "tests/session/scripted_peer.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

connect_options v311(std::string client_id = "c1", bool clean_session = true) {
    connect_options o;
    o.protocol_version = protocol_version::v311;
    o.client_id = std::move(client_id);
    o.keep_alive = 30;
    o.clean_start = clean_session;
    return o;
}

// A server packet as hand-written 3.1.1 bytes.
void server_bytes(scripted_peer& peer, byte_vector bytes) {
    peer.reply_bytes(bytes);
}

// Nothing is written after a violation or a refusal in 3.1.1: it has no DISCONNECT for that.
void expect_closed_silently(session& s, disconnect_cause cause, scripted_peer& peer) {
    EXPECT_TRUE(s.wants_close());
    peer.expect_nothing_sent();
    const auto d = peer.expect_event<disconnected>();
    EXPECT_EQ(d.cause, cause);
}

// 3.1.1 spec 3.1: Protocol Name "MQTT", Protocol Level 4, Clean Session, Keep Alive, Client
// Identifier; no Properties.
TEST(V311Session, ConnectIsLevel4WithoutProperties) {
    session s(v311());
    s.connection_opened(time_point{});
    const byte_vector expected = {
        0x10, 0x0E,                      // CONNECT, Remaining Length 14
        0x00, 0x04, 'M', 'Q', 'T', 'T',  // Protocol Name
        0x04,                            // Protocol Level 4 (3.1.1 MQTT-3.1.2-2)
        0x02,                            // Connect Flags: Clean Session
        0x00, 0x1E,                      // Keep Alive 30
        0x00, 0x02, 'c', '1',            // Client Identifier
    };
    EXPECT_EQ(s.take_output(), expected);
}

TEST(V311Session, ConnectWithWillAndCredentials) {
    connect_options o = v311("w", false);
    o.will.emplace();
    o.will->message = make_message("gone", "bye", qos::at_least_once, true);
    o.username = "u";
    o.password = bytes_of("p");
    session s(o);
    s.connection_opened(time_point{});
    const byte_vector expected = {
        0x10, 0x1E,                            // CONNECT, Remaining Length 30
        0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,  // Protocol Name, Level 4
        0xEC,        // User Name, Password, Will Retain, Will QoS 1, Will Flag; Clean Session 0
        0x00, 0x1E,  // Keep Alive 30
        0x00, 0x01, 'w',                 // Client Identifier
        0x00, 0x04, 'g', 'o', 'n', 'e',  // Will Topic (no Will Properties before it)
        0x00, 0x03, 'b', 'y', 'e',       // Will Message
        0x00, 0x01, 'u',                 // User Name
        0x00, 0x01, 'p',                 // Password
    };
    EXPECT_EQ(s.take_output(), expected);
}

TEST(V311Session, ConnackAcceptedKeepsTheDefaults) {
    session s(v311());
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    server_bytes(peer, {0x20, 0x02, 0x00, 0x00});  // CONNACK: Session Present 0, 0x00 Accepted
    const auto c = peer.expect_event<connected>();
    EXPECT_FALSE(c.session_present);
    EXPECT_EQ(c.keep_alive, 30);  // no Server Keep Alive in 3.1.1: ours
    EXPECT_EQ(c.limits, server_limits{});
    EXPECT_EQ(s.current_state(), state::connected);
}

// 3.1.1 Table 3.1: each refusal is reported as the v5 reason code of the same meaning, and named
// as the 3.1.1 return code it was; nothing is sent back.
TEST(V311Session, ConnackReturnCodesAreRefusalsWithTheir311Names) {
    struct row {
        std::uint8_t code;
        reason_code reason;
        const char* text;
    };
    const row rows[] = {
        {0x01, reason_code::unsupported_protocol_version, "0x01 Unacceptable protocol version"},
        {0x02, reason_code::client_identifier_not_valid, "0x02 Identifier rejected"},
        {0x03, reason_code::server_unavailable, "0x03 Server unavailable"},
        {0x04, reason_code::bad_user_name_or_password, "0x04 Bad user name or password"},
        {0x05, reason_code::not_authorized, "0x05 Not authorized"},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.text);
        session s(v311());
        scripted_peer peer(s);
        peer.open();
        peer.expect<connect>();
        server_bytes(peer, {0x20, 0x02, 0x00, r.code});
        EXPECT_EQ(peer.expect_event<connect_refused>().reason, r.reason);
        EXPECT_TRUE(s.wants_close());
        peer.expect_nothing_sent();
        const auto d = peer.expect_event<disconnected>();
        EXPECT_EQ(d.cause, disconnect_cause::connect_refused);
        EXPECT_EQ(d.detail, std::string("connection refused: ") + r.text);
        EXPECT_EQ(connack_reason_text(r.reason, protocol_version::v311), r.text);
    }
    // v5 names the same code as v5 does.
    EXPECT_EQ(connack_reason_text(reason_code::not_authorized, protocol_version::v5),
              "0x87 Not authorized");
}

// Return codes 6-255 are reserved (3.1.1 Table 3.1): a violation, and the connection is closed
// without a packet (3.1.1 MQTT-4.8.0-1).
TEST(V311Session, ReservedReturnCodeClosesSilently) {
    session s(v311());
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    server_bytes(peer, {0x20, 0x02, 0x00, 0x06});
    expect_closed_silently(s, disconnect_cause::protocol_violation, peer);
}

// QoS 1 out (3.1.1 spec 4.3.2): PUBLISH with a Packet Identifier and no properties; PUBACK is the
// Packet Identifier alone.
TEST(V311Session, Qos1OutWithoutReasonCodes) {
    connected_session c(v311());
    const auto t = c.s.publish(make_message("a/b", "x", qos::at_least_once), c.peer.now);
    ASSERT_TRUE(t);
    const byte_vector publish = {
        0x32, 0x08,                 // PUBLISH QoS 1, Remaining Length 8
        0x00, 0x03, 'a', '/', 'b',  // Topic Name
        0x00, 0x01,                 // Packet Identifier 1 (no Property Length after it)
        'x',                        // Payload
    };
    EXPECT_EQ(c.out(), publish);
    EXPECT_TRUE(c.server(byte_vector{0x40, 0x02, 0x00, 0x01}).empty());  // PUBACK 1
    const auto done = c.peer.expect_event<publish_completed>();
    EXPECT_EQ(done.ticket, t.ticket);
    EXPECT_EQ(done.reason, reason_code::success);
    EXPECT_FALSE(done.error);
    EXPECT_EQ(c.s.inflight(), 0u);
}

// QoS 2 out (3.1.1 spec 4.3.3): PUBREC in, a four-byte PUBREL out, PUBCOMP in.
TEST(V311Session, Qos2OutWithoutReasonCodes) {
    connected_session c(v311());
    const auto t = c.s.publish(make_message("a/b", "x", qos::exactly_once), c.peer.now);
    ASSERT_TRUE(t);
    EXPECT_EQ(c.out(), (byte_vector{0x34, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 'x'}));
    // PUBREC 1 -> PUBREL 1 with the reserved flags 0b0010 and nothing after the identifier.
    EXPECT_EQ(c.server(byte_vector{0x50, 0x02, 0x00, 0x01}), (byte_vector{0x62, 0x02, 0x00, 0x01}));
    EXPECT_TRUE(c.server(byte_vector{0x70, 0x02, 0x00, 0x01}).empty());  // PUBCOMP 1
    const auto done = c.peer.expect_event<publish_completed>();
    EXPECT_EQ(done.ticket, t.ticket);
    EXPECT_FALSE(done.error);
    // A PUBREC for an identifier not in flight still gets a plain PUBREL: 3.1.1 has no 0x92.
    EXPECT_EQ(c.server(byte_vector{0x50, 0x02, 0x00, 0x09}), (byte_vector{0x62, 0x02, 0x00, 0x09}));
}

// QoS 1 and 2 in: acknowledged with the Packet Identifier alone; a QoS 2 message is delivered
// once however often it comes before PUBREL (3.1.1 spec 4.3.3).
TEST(V311Session, InboundQos1And2) {
    connected_session c(v311());
    const byte_vector qos1 = {0x32, 0x07, 0x00, 0x02, 'i', 'n', 0x00, 0x05, 'y'};
    EXPECT_EQ(c.server(qos1), (byte_vector{0x40, 0x02, 0x00, 0x05}));  // PUBACK 5
    const auto m1 = c.peer.expect_event<message_received>();
    EXPECT_EQ(m1.message.topic, "in");
    EXPECT_EQ(m1.message.qos, qos::at_least_once);
    EXPECT_EQ(m1.packet_id, 5);

    const byte_vector qos2 = {0x34, 0x07, 0x00, 0x02, 'i', 'n', 0x00, 0x07, 'z'};
    EXPECT_EQ(c.server(qos2), (byte_vector{0x50, 0x02, 0x00, 0x07}));  // PUBREC 7
    EXPECT_EQ(c.peer.expect_event<message_received>().message.payload, bytes_of("z"));
    byte_vector again = qos2;
    again[0] |= 0x08;  // DUP
    EXPECT_EQ(c.server(again), (byte_vector{0x50, 0x02, 0x00, 0x07}));
    c.peer.expect_no_event();  // not delivered twice
    EXPECT_EQ(c.server(byte_vector{0x62, 0x02, 0x00, 0x07}), (byte_vector{0x70, 0x02, 0x00, 0x07}));
    EXPECT_EQ(c.s.inbound_qos2_pending(), 0u);
    // A PUBREL for an unknown identifier: a plain PUBCOMP all the same.
    EXPECT_EQ(c.server(byte_vector{0x62, 0x02, 0x00, 0x08}), (byte_vector{0x70, 0x02, 0x00, 0x08}));
}

// SUBSCRIBE with the Requested QoS only; SUBACK return codes; an UNSUBACK without payload
// (3.1.1 spec 3.8 - 3.11) reads 0x00 for each filter.
TEST(V311Session, SubscribeAndUnsubscribe) {
    connected_session c(v311());
    const auto t = c.s.subscribe({sub("a/#", qos::at_least_once), sub("b", qos::exactly_once)}, {},
                                 c.peer.now);
    ASSERT_TRUE(t);
    EXPECT_EQ(c.out(), (byte_vector{
                           0x82, 0x0C,                       // SUBSCRIBE, Remaining Length 12
                           0x00, 0x01,                       // Packet Identifier
                           0x00, 0x03, 'a', '/', '#', 0x01,  // filter, Requested QoS 1
                           0x00, 0x01, 'b', 0x02,            // filter, Requested QoS 2
                       }));
    c.server(byte_vector{0x90, 0x04, 0x00, 0x01, 0x01, 0x80});  // SUBACK: QoS 1, Failure
    const auto s = c.peer.expect_event<subscribe_completed>();
    EXPECT_EQ(s.ticket, t.ticket);
    EXPECT_EQ(s.reason_codes, (std::vector<reason_code>{reason_code::granted_qos_1,
                                                        reason_code::unspecified_error}));

    const auto u = c.s.unsubscribe({"a/#", "b"}, {}, c.peer.now);
    ASSERT_TRUE(u);
    EXPECT_EQ(c.out(),
              (byte_vector{0xA2, 0x0A, 0x00, 0x02, 0x00, 0x03, 'a', '/', '#', 0x00, 0x01, 'b'}));
    c.server(byte_vector{0xB0, 0x02, 0x00, 0x02});  // UNSUBACK 2: no payload
    const auto done = c.peer.expect_event<unsubscribe_completed>();
    EXPECT_EQ(done.ticket, u.ticket);
    EXPECT_EQ(done.reason_codes,
              (std::vector<reason_code>{reason_code::success, reason_code::success}));
    EXPECT_FALSE(c.s.wants_close());
}

// Keep Alive (3.1.1 spec 3.1.2.10): PINGREQ after the keep-alive with nothing sent; without an
// answer within the ping timeout the connection is given up (3.1.1 MQTT-3.1.2-24 is the server's
// side of the same rule).
TEST(V311Session, KeepAlive) {
    connected_session c(v311());
    const time_point start = c.peer.now;
    c.peer.advance_to_deadline();
    EXPECT_EQ(c.peer.now - start, duration(30s));
    c.peer.expect<pingreq>();
    c.peer.reply_bytes({0xD0, 0x00});  // PINGRESP
    c.peer.expect_nothing_sent();
    c.peer.advance_to_deadline();
    EXPECT_EQ(c.peer.now - start, duration(60s));
    c.peer.expect<pingreq>();
    c.peer.advance_to_deadline();                  // half the keep-alive, no answer
    EXPECT_EQ(c.peer.now - start, duration(75s));  // half the keep-alive, no answer
    expect_closed_silently(c.s, disconnect_cause::keep_alive_timeout, c.peer);
}

// No Receive Maximum in 3.1.1: the window is max_inflight, and libmosquitto's 20 for 0.
TEST(V311Session, InflightWindowWithoutReceiveMaximum) {
    for (const std::uint16_t max_inflight : {std::uint16_t(3), std::uint16_t(0)}) {
        SCOPED_TRACE(max_inflight);
        connect_options o = v311();
        o.max_inflight = max_inflight;
        connected_session c(o);
        const std::size_t window = max_inflight == 0 ? v311_default_max_inflight : max_inflight;
        for (std::size_t i = 0; i < window + 2; ++i)
            ASSERT_TRUE(c.s.publish(make_message("a/b", qos::at_least_once), c.peer.now));
        EXPECT_EQ(c.s.inflight(), window);
        EXPECT_EQ(c.s.queued(), 2u);
        for (std::size_t i = 0; i < window; ++i)
            c.peer.expect<publish>();
        c.peer.expect_nothing_sent();
        c.peer.reply(ack_of(1));  // frees one place: the next waiting message goes
        EXPECT_EQ(c.peer.expect<publish>().packet_id, window + 1);
    }
}

// Clean Session 0 (3.1.1 spec 3.1.2.4, 4.4): after a lost connection the next CONNECT has Clean
// Session 0 again; with Session Present 1 the unacknowledged PUBLISHes go again with DUP 1 and the
// PUBRELs again, in order, with their identifiers (3.1.1 MQTT-4.4.0-1); an inbound QoS 2 message
// awaiting PUBREL is not delivered twice.
TEST(V311Session, ResumesWithCleanSession0) {
    session s(v311("c1", false));
    scripted_peer peer(s);
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
    server_bytes(peer, {0x20, 0x02, 0x00, 0x00});
    peer.expect_event<connected>();
    ASSERT_TRUE(s.publish(make_message("q/1", "one", qos::at_least_once), peer.now));
    ASSERT_TRUE(s.publish(make_message("q/2", "two", qos::exactly_once), peer.now));
    peer.expect<publish>();
    peer.expect<publish>();
    peer.reply(rec_of(2));
    peer.expect<pubrel>();
    const byte_vector inbound = {0x34, 0x07, 0x00, 0x02, 'i', 'n', 0x00, 0x09, 'z'};
    server_bytes(peer, inbound);
    peer.expect<pubrec>();
    peer.expect_event<message_received>();
    peer.lose();
    peer.expect_event<disconnected>();

    s.connection_opened(peer.now);  // not peer.open(): the bytes themselves are checked
    const byte_vector reconnect = s.take_output();
    ASSERT_GE(reconnect.size(), 10u);
    EXPECT_EQ(reconnect[9], 0x00) << "Connect Flags: Clean Session 0 again";
    s.receive(byte_vector{0x20, 0x02, 0x01, 0x00}, peer.now);  // Session Present 1
    EXPECT_EQ(s.take_output(), (byte_vector{
                                   0x3A, 0x0A, 0x00, 0x03, 'q', '/', '1', 0x00, 0x01,  // DUP 1
                                   'o', 'n', 'e',                                      //
                                   0x62, 0x02, 0x00, 0x02,  // PUBREL 2 again
                               }));
    EXPECT_TRUE(peer.expect_event<connected>().session_present);
    byte_vector again = inbound;
    again[0] |= 0x08;
    server_bytes(peer, again);
    peer.expect<pubrec>();
    peer.expect_no_event();  // delivered before the connection was lost
}

// Session Present 0 after Clean Session 0: the server kept nothing, so neither do we.
TEST(V311Session, SessionPresent0DropsTheSession) {
    session s(v311("c1", false));
    scripted_peer peer(s);
    peer.handshake();
    const auto t = s.publish(make_message("q/1", qos::at_least_once), peer.now);
    peer.expect<publish>();
    peer.lose();
    peer.expect_event<disconnected>();
    peer.open();
    peer.expect<connect>();
    server_bytes(peer, {0x20, 0x02, 0x00, 0x00});
    EXPECT_EQ(peer.expect_event<session_discarded>().outbound_dropped, 1u);
    const auto dropped = peer.expect_event<publish_completed>();
    EXPECT_EQ(dropped.ticket, t.ticket);
    EXPECT_EQ(dropped.error, errc::session_discarded);
    peer.expect_event<connected>();
    peer.expect_nothing_sent();
}

// Clean Session 1 is sent on every connection (a session that ends with each connection, 3.1.1
// spec 3.1.2.4), unlike v5's Clean Start, which later connections clear; and Session Present 1 in
// answer is a violation (3.1.1 MQTT-3.2.2-1).
TEST(V311Session, CleanSession1OnEveryConnection) {
    session s(v311());
    scripted_peer peer(s);
    peer.handshake();
    ASSERT_TRUE(s.publish(make_message("q/1", qos::at_least_once), peer.now));
    peer.expect<publish>();
    peer.lose();
    peer.expect_event<disconnected>();
    peer.open();
    EXPECT_EQ(peer.expect_event<session_discarded>().outbound_dropped, 1u);
    EXPECT_EQ(peer.expect_event<publish_completed>().error, errc::session_discarded);
    EXPECT_TRUE(peer.expect<connect>().clean_start);
    server_bytes(peer, {0x20, 0x02, 0x01, 0x00});
    expect_closed_silently(s, disconnect_cause::protocol_violation, peer);
}

// A client without state of its own may proceed with the server's session (3.1.1 spec 3.2.2.2):
// a process resuming a Clean Session 0 subscription.
TEST(V311Session, SessionPresentWithoutLocalStateIsAccepted) {
    session s(v311("c1", false));
    scripted_peer peer(s);
    peer.open();
    peer.expect<connect>();
    server_bytes(peer, {0x20, 0x02, 0x01, 0x00});
    EXPECT_TRUE(peer.expect_event<connected>().session_present);
    EXPECT_EQ(s.current_state(), state::connected);
}

// Topic aliases are MQTT 5: every PUBLISH carries its topic, outbound_topic_aliases or not.
TEST(V311Session, NoTopicAliases) {
    connected_session c(v311());
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(c.s.publish(make_message("a/b", "x", qos::at_most_once), c.peer.now));
        EXPECT_EQ(c.out(), (byte_vector{0x30, 0x06, 0x00, 0x03, 'a', '/', 'b', 'x'}));
    }
}

// disconnect() sends the two-byte DISCONNECT (3.1.1 spec 3.14).
TEST(V311Session, DisconnectIsTwoBytes) {
    connected_session c(v311());
    ASSERT_TRUE(c.s.disconnect({}, c.peer.now));
    EXPECT_EQ(c.out(), (byte_vector{0xE0, 0x00}));
    EXPECT_TRUE(c.s.wants_close());
}

// A server never sends DISCONNECT in 3.1.1 (3.1.1 spec 3.14), nor AUTH (a reserved packet type,
// 3.1.1 spec 2.2.1), nor a reason code after a PUBACK's identifier (3.1.1 spec 3.4: Remaining
// Length 2): each is a violation, answered by closing the connection without a packet (3.1.1
// MQTT-4.8.0-1), with a detail that says what the server did.
TEST(V311Session, ServerViolationsCloseWithoutAPacket) {
    struct row {
        const char* name;
        byte_vector bytes;
        const char* detail_word;
    };
    const std::vector<row> rows = {
        {"DISCONNECT", {0xE0, 0x00}, "DISCONNECT"},
        {"AUTH", {0xF0, 0x00}, "AUTH"},
        {"PUBACK with a reason code", {0x40, 0x03, 0x00, 0x01, 0x10}, "Remaining Length"},
        {"second CONNACK", {0x20, 0x02, 0x00, 0x00}, "CONNACK"},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.name);
        connected_session c(v311());
        EXPECT_TRUE(c.server(r.bytes).empty());
        EXPECT_TRUE(c.s.wants_close());
        const auto d = c.peer.expect_event<disconnected>();
        EXPECT_EQ(d.cause, disconnect_cause::protocol_violation);
        EXPECT_TRUE(contains_ignoring_case(d.detail, r.detail_word)) << d.detail;
        EXPECT_FALSE(d.reason_string.has_value());
    }
}

// Options 3.1.1 cannot carry are refused by name before anything is sent.
TEST(V311Session, V5OnlyConnectOptionsAreRefused) {
    struct row {
        const char* name;
        std::function<void(connect_options&)> set;
    };
    const std::vector<row> rows = {
        {"Session Expiry Interval", [](connect_options& o) { o.session_expiry_interval = 60; }},
        {"Receive Maximum", [](connect_options& o) { o.receive_maximum = 10; }},
        {"Maximum Packet Size", [](connect_options& o) { o.maximum_packet_size = 1000; }},
        {"Topic Alias Maximum", [](connect_options& o) { o.topic_alias_maximum = 5; }},
        {"Request Response Information",
         [](connect_options& o) { o.request_response_information = true; }},
        {"Request Problem Information",
         [](connect_options& o) { o.request_problem_information = false; }},
        {"User Property",
         [](connect_options& o) {
             o.user_properties = {{"a", "b"}};
         }},
        {"Will Delay Interval",
         [](connect_options& o) {
             o.will.emplace();
             o.will->message.topic = "w";
             o.will->will_delay_interval = 5;
         }},
        {"Will Properties: Content Type",
         [](connect_options& o) {
             o.will.emplace();
             o.will->message.topic = "w";
             o.will->message.props.content_type = "text/plain";
         }},
    };
    for (const row& r : rows) {
        SCOPED_TRACE(r.name);
        connect_options o = v311();
        r.set(o);
        const command_result bad = check_connect_options(o);
        EXPECT_EQ(bad.error, errc::needs_mqtt5);
        EXPECT_TRUE(contains_ignoring_case(bad.detail, r.name)) << bad.detail;
        // The same options are fine in v5.
        o.protocol_version = protocol_version::v5;
        EXPECT_TRUE(check_connect_options(o)) << check_connect_options(o).detail;
        // And a 3.1.1 session given them sends nothing.
        o.protocol_version = protocol_version::v311;
        session s(o);
        scripted_peer peer(s);
        peer.open();
        peer.expect_nothing_sent();
        const auto d = peer.expect_event<disconnected>();
        EXPECT_EQ(d.cause, disconnect_cause::client);
        EXPECT_TRUE(contains_ignoring_case(d.detail, r.name)) << d.detail;
    }
}

// 3.1.1's own CONNECT rules: a Password needs a User Name (3.1.1 MQTT-3.1.2-22); an empty Client
// Identifier needs Clean Session 1 (3.1.1 MQTT-3.1.3-7).
TEST(V311Session, Connect311Rules) {
    connect_options o = v311();
    o.password = bytes_of("secret");
    EXPECT_EQ(check_connect_options(o).error, errc::invalid_argument);
    EXPECT_TRUE(contains_ignoring_case(check_connect_options(o).detail, "MQTT-3.1.2-22"))
        << check_connect_options(o).detail;
    o.username = "u";
    EXPECT_TRUE(check_connect_options(o));

    connect_options anonymous = v311("", false);
    EXPECT_FALSE(check_connect_options(anonymous));
    anonymous.clean_start = true;
    EXPECT_TRUE(check_connect_options(anonymous));
}

struct no_auth final : authenticator {
    std::string method() const override { return "SCRAM-SHA-1"; }
    std::optional<byte_vector> start(bool) override { return byte_vector{}; }
    std::optional<byte_vector> step(const std::optional<byte_vector>&) override {
        return std::nullopt;
    }
    bool finish(const std::optional<byte_vector>&) override { return true; }
};

TEST(V311Session, EnhancedAuthenticationIsRefused) {
    no_auth a;
    session s(v311(), nullptr, &a);
    scripted_peer peer(s);
    peer.open();
    peer.expect_nothing_sent();
    const auto d = peer.expect_event<disconnected>();
    EXPECT_EQ(d.cause, disconnect_cause::client);
    EXPECT_TRUE(contains_ignoring_case(d.detail, "Authentication Method")) << d.detail;
    const command_result bad = check_connect_options(v311(), &a);
    EXPECT_EQ(bad.error, errc::needs_mqtt5);
    EXPECT_TRUE(contains_ignoring_case(bad.detail, "Authentication Method")) << bad.detail;
    EXPECT_TRUE(check_connect_options(connect_options{}, &a));  // v5
}

TEST(V311Session, V5OnlyPublishPropertiesAreRefused) {
    struct row {
        const char* name;
        std::function<void(message_properties&)> set;
    };
    const std::vector<row> rows = {
        {"Payload Format Indicator", [](message_properties& p) { p.payload_format_indicator = 1; }},
        {"Message Expiry Interval", [](message_properties& p) { p.message_expiry_interval = 9; }},
        {"Content Type", [](message_properties& p) { p.content_type = "a/b"; }},
        {"Response Topic", [](message_properties& p) { p.response_topic = "r"; }},
        {"Correlation Data", [](message_properties& p) { p.correlation_data = bytes_of("c"); }},
        {"User Property",
         [](message_properties& p) {
             p.user_properties = {{"k", "v"}};
         }},
    };
    connected_session c(v311());
    for (const row& r : rows) {
        SCOPED_TRACE(r.name);
        for (const qos q : {qos::at_most_once, qos::at_least_once}) {
            message m = make_message("a/b", "x", q);
            r.set(m.props);
            const command_result bad = c.s.publish(m, c.peer.now);
            EXPECT_EQ(bad.error, errc::needs_mqtt5);
            EXPECT_TRUE(contains_ignoring_case(bad.detail, r.name)) << bad.detail;
        }
    }
    EXPECT_TRUE(c.out().empty());
    EXPECT_EQ(c.s.queued(), 0u);
}

TEST(V311Session, V5OnlySubscribeAndUnsubscribeOptionsAreRefused) {
    connected_session c(v311());
    subscription_request no_local = sub("a");
    no_local.no_local = true;
    subscription_request rap = sub("a");
    rap.retain_as_published = true;
    subscription_request rh = sub("a");
    rh.retain_handling = retain_handling::do_not_send;
    const std::pair<subscription_request, const char*> options[] = {
        {no_local, "No Local"}, {rap, "Retain As Published"}, {rh, "Retain Handling"}};
    for (const auto& [request, name] : options) {
        const command_result bad = c.s.subscribe({request}, {}, c.peer.now);
        EXPECT_EQ(bad.error, errc::needs_mqtt5);
        EXPECT_TRUE(contains_ignoring_case(bad.detail, name)) << bad.detail;
    }
    subscribe_options with_id;
    with_id.subscription_identifier = 4;
    auto bad = c.s.subscribe({sub("a")}, with_id, c.peer.now);
    EXPECT_EQ(bad.error, errc::needs_mqtt5);
    EXPECT_TRUE(contains_ignoring_case(bad.detail, "Subscription Identifier")) << bad.detail;
    subscribe_options with_user;
    with_user.user_properties = {{"k", "v"}};
    bad = c.s.subscribe({sub("a")}, with_user, c.peer.now);
    EXPECT_EQ(bad.error, errc::needs_mqtt5);
    EXPECT_TRUE(contains_ignoring_case(bad.detail, "User Property")) << bad.detail;
    bad = c.s.unsubscribe({"a"}, {{"k", "v"}}, c.peer.now);
    EXPECT_EQ(bad.error, errc::needs_mqtt5);
    EXPECT_TRUE(contains_ignoring_case(bad.detail, "User Property")) << bad.detail;
    EXPECT_TRUE(c.out().empty());
}

TEST(V311Session, V5OnlyDisconnectOptionsAreRefused) {
    connected_session c(v311());
    disconnect_options with_will;
    with_will.reason = reason_code::disconnect_with_will_message;
    disconnect_options expiry;
    expiry.session_expiry_interval = 0;
    disconnect_options reason_string;
    reason_string.reason_string = "bye";
    disconnect_options user;
    user.user_properties = {{"k", "v"}};
    const std::pair<disconnect_options, const char*> rows[] = {{with_will, "Reason Code"},
                                                               {expiry, "Session Expiry Interval"},
                                                               {reason_string, "Reason String"},
                                                               {user, "User Property"}};
    for (const auto& [o, name] : rows) {
        const command_result bad = c.s.disconnect(o, c.peer.now);
        EXPECT_EQ(bad.error, errc::needs_mqtt5);
        EXPECT_TRUE(contains_ignoring_case(bad.detail, name)) << bad.detail;
    }
    EXPECT_TRUE(c.out().empty());
    EXPECT_FALSE(c.s.wants_close());
}

}  // namespace
}  // namespace mqtt::session::test
