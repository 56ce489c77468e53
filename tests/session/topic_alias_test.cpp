// Topic Aliases (spec 3.3.2.3.4): ours within the server's Topic Alias Maximum, the server's within
// ours, and both forgotten on every new connection.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

connack with_alias_maximum(std::optional<std::uint16_t> n) {
    connack ack;
    ack.props.topic_alias_maximum = n;
    return ack;
}

connect_options with_session() {
    connect_options o;
    o.session_expiry_interval = 3600;
    return o;
}

// What the server knows: the alias mapping our PUBLISHes build on this connection. Resolves each
// PUBLISH the way a server does and checks the rules a server would enforce.
struct server_view {
    std::uint16_t maximum = 0;
    std::map<std::uint16_t, std::string> aliases;

    std::string resolve(const mqtt::publish& p) {
        if (!p.props.topic_alias) {
            EXPECT_FALSE(p.topic.empty()) << "empty topic without a Topic Alias";
            return std::string(p.topic);
        }
        const std::uint16_t a = *p.props.topic_alias;
        EXPECT_NE(a, 0) << "Topic Alias 0 (MQTT-3.3.2-8)";
        EXPECT_LE(a, maximum) << "Topic Alias above the server's maximum (MQTT-3.3.2-9)";
        if (!p.topic.empty()) {
            aliases[a] = std::string(p.topic);
            return std::string(p.topic);
        }
        const auto it = aliases.find(a);
        EXPECT_NE(it, aliases.end()) << "alias " << a << " used before it was set";
        return it == aliases.end() ? std::string() : it->second;
    }
};

// Publishes `topic` at QoS 0 and returns the PUBLISH sent.
mqtt::publish publish_topic(session& s, scripted_peer& peer, const std::string& topic) {
    const auto r = s.publish(make_message(topic, "x", qos::at_most_once), peer.now);
    EXPECT_TRUE(r) << r.detail;
    const auto p = peer.expect<mqtt::publish>();
    peer.expect_event<publish_completed>();
    return p;
}

// Server Topic Alias Maximum absent: no aliases at all (MQTT-3.2.2-18).
TEST(topic_alias, none_when_server_maximum_absent_MQTT_3_2_2_18) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    for (int i = 0; i < 3; ++i) {
        const auto p = publish_topic(s, peer, "same/topic");
        EXPECT_EQ(p.topic, "same/topic");
        EXPECT_FALSE(p.props.topic_alias.has_value());
    }
}

// Server Topic Alias Maximum 0: no aliases either (MQTT-3.2.2-18).
TEST(topic_alias, none_when_server_maximum_zero_MQTT_3_2_2_18) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(0));
    for (int i = 0; i < 3; ++i) {
        const auto p = publish_topic(s, peer, "same/topic");
        EXPECT_EQ(p.topic, "same/topic");
        EXPECT_FALSE(p.props.topic_alias.has_value());
    }
}

// connect_options::outbound_topic_aliases off: the topic every time, no alias, even when the
// server allows aliases (they are the sender's choice, spec 3.3.2.3.4).
TEST(topic_alias, none_when_turned_off_although_the_server_allows_them) {
    connect_options o;
    o.outbound_topic_aliases = false;
    session s(o);
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(10));
    for (int i = 0; i < 3; ++i) {
        const auto p = publish_topic(s, peer, "same/topic");
        EXPECT_EQ(p.topic, "same/topic");
        EXPECT_FALSE(p.props.topic_alias.has_value());
    }
}

// First use: topic + alias; later uses: empty topic + the same alias.
TEST(topic_alias, assigned_on_first_use_then_reused_with_empty_topic) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(5));

    const auto first = publish_topic(s, peer, "long/topic/name");
    EXPECT_EQ(first.topic, "long/topic/name");
    ASSERT_TRUE(first.props.topic_alias.has_value());
    const std::uint16_t alias = *first.props.topic_alias;
    EXPECT_GE(alias, 1);  // MQTT-3.3.2-8
    EXPECT_LE(alias, 5);  // MQTT-3.3.2-9

    for (int i = 0; i < 3; ++i) {
        const auto again = publish_topic(s, peer, "long/topic/name");
        EXPECT_EQ(again.topic, "");
        EXPECT_EQ(again.props.topic_alias, alias);
    }

    // A QoS 1 PUBLISH uses the alias as well.
    ASSERT_TRUE(s.publish(make_message("long/topic/name", "x", qos::at_least_once), peer.now));
    const auto q1 = peer.expect<mqtt::publish>();
    EXPECT_EQ(q1.topic, "");
    EXPECT_EQ(q1.props.topic_alias, alias);

    // Another topic gets another alias.
    const auto other = publish_topic(s, peer, "other");
    EXPECT_EQ(other.topic, "other");
    ASSERT_TRUE(other.props.topic_alias.has_value());
    EXPECT_NE(*other.props.topic_alias, alias);
}

// Many topics through a small table: every alias in 1..maximum, never 0, and every PUBLISH
// resolves at the server to the topic we published (MQTT-3.2.2-17, MQTT-3.3.2-8, MQTT-3.3.2-9).
TEST(topic_alias, never_zero_never_above_maximum_MQTT_3_2_2_17_MQTT_3_3_2_8_MQTT_3_3_2_9) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(3));
    server_view server{3, {}};
    std::set<std::uint16_t> used;
    const std::vector<std::string> topics = {"t/0", "t/1", "t/2", "t/3", "t/4", "t/5", "t/6"};
    for (int i = 0; i < 100; ++i) {
        // A pattern with reuse and churn.
        const std::string& topic = topics[(i * i + i / 3) % topics.size()];
        const auto p = publish_topic(s, peer, topic);
        EXPECT_EQ(server.resolve(p), topic) << "publish " << i;
        if (p.props.topic_alias) used.insert(*p.props.topic_alias);
    }
    EXPECT_EQ(used, (std::set<std::uint16_t>{1, 2, 3}));  // the whole table is used
}

// When the table is full, the least recently used alias is reassigned (the policy of
// outbound_aliases).
TEST(topic_alias, least_recently_used_replaced_when_full) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(2));
    server_view server{2, {}};

    auto pub = [&](const std::string& topic) {
        const auto p = publish_topic(s, peer, topic);
        EXPECT_EQ(server.resolve(p), topic);
        return p;
    };
    const auto a = pub("a");
    const auto b = pub("b");
    ASSERT_TRUE(a.props.topic_alias && b.props.topic_alias);
    const std::uint16_t alias_a = *a.props.topic_alias;
    const std::uint16_t alias_b = *b.props.topic_alias;
    EXPECT_NE(alias_a, alias_b);

    EXPECT_EQ(pub("a").topic, "");  // a is now more recent than b

    const auto c = pub("c");  // replaces b, the least recently used
    EXPECT_EQ(c.topic, "c");
    EXPECT_EQ(c.props.topic_alias, alias_b);

    EXPECT_EQ(pub("a").topic, "");  // a kept its alias
    const auto b2 = pub("b");       // b lost its alias: full topic again, replacing c
    EXPECT_EQ(b2.topic, "b");
    EXPECT_EQ(b2.props.topic_alias, alias_b);
    const auto c2 = pub("c");  // c now replaces a (used before b2)
    EXPECT_EQ(c2.topic, "c");
    EXPECT_EQ(c2.props.topic_alias, alias_a);
}

// Our Topic Alias Maximum goes into CONNECT; the server may use any alias 1..maximum, and we map
// it back (MQTT-3.3.2-10).
TEST(topic_alias, inbound_any_alias_up_to_our_maximum_MQTT_3_3_2_10) {
    connect_options o;
    o.topic_alias_maximum = 4;
    session s(o);
    scripted_peer peer(s);
    peer.open();
    EXPECT_EQ(peer.expect<connect>().props.topic_alias_maximum, 4);
    peer.reply(connack{});
    peer.expect_event<connected>();

    const std::string topics[] = {"", "one", "two/2", "three/3/3", "four/4/4/4"};
    for (std::uint16_t a = 4; a >= 1; --a) {  // any order
        mqtt::publish p;
        p.topic = topics[a];
        p.props.topic_alias = a;
        peer.reply(p);
        const auto e = peer.expect_event<message_received>();
        EXPECT_EQ(e.message.topic, topics[a]);
        EXPECT_EQ(e.topic_alias, a);
    }
    for (std::uint16_t a = 1; a <= 4; ++a) {
        mqtt::publish p;
        p.qos = qos::at_least_once;
        p.packet_id = a;
        p.props.topic_alias = a;  // empty topic
        peer.reply(p);
        const auto e = peer.expect_event<message_received>();
        EXPECT_EQ(e.message.topic, topics[a]) << "alias " << a;
        EXPECT_EQ(e.topic_alias, a);
        EXPECT_EQ(peer.expect<puback>().packet_id, a);
    }
    EXPECT_FALSE(s.wants_close());
}

// A later PUBLISH with a topic and a known alias sets the alias anew (spec 3.3.2.3.4).
TEST(topic_alias, inbound_alias_redefined_by_later_publish) {
    connect_options o;
    o.topic_alias_maximum = 2;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();

    auto send = [&](std::string_view topic, std::uint16_t alias) {
        mqtt::publish p;
        p.topic = topic;
        p.props.topic_alias = alias;
        peer.reply(p);
        return peer.expect_event<message_received>().message.topic;
    };
    EXPECT_EQ(send("first", 2), "first");
    EXPECT_EQ(send("", 2), "first");
    EXPECT_EQ(send("second", 2), "second");
    EXPECT_EQ(send("", 2), "second");
    EXPECT_EQ(send("other", 1), "other");
    EXPECT_EQ(send("", 2), "second");
    EXPECT_EQ(send("", 1), "other");
}

// An alias above our maximum: DISCONNECT 0x94 Topic Alias invalid (spec 3.3.2.3.4).
TEST(topic_alias, inbound_alias_above_our_maximum_disconnects_0x94) {
    connect_options o;
    o.topic_alias_maximum = 2;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    mqtt::publish p;
    p.topic = "t";
    p.props.topic_alias = 3;
    peer.reply(p);
    EXPECT_EQ(peer.expect<mqtt::disconnect>().reason, reason_code::topic_alias_invalid);
    EXPECT_TRUE(s.wants_close());
    const auto ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(ev.reason, reason_code::topic_alias_invalid);
}

// We announced no Topic Alias Maximum (default 0): any alias is invalid.
TEST(topic_alias, inbound_alias_when_we_allow_none_disconnects_0x94) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().props.topic_alias_maximum.value_or(0) > 0);
    peer.reply(connack{});
    peer.expect_event<connected>();
    mqtt::publish p;
    p.topic = "t";
    p.props.topic_alias = 1;
    peer.reply(p);
    EXPECT_EQ(peer.expect<mqtt::disconnect>().reason, reason_code::topic_alias_invalid);
    EXPECT_TRUE(s.wants_close());
}

// An empty topic with an alias never set: DISCONNECT 0x82 Protocol Error (spec 3.3.4).
TEST(topic_alias, inbound_unknown_alias_with_empty_topic_disconnects_0x82) {
    connect_options o;
    o.topic_alias_maximum = 5;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    mqtt::publish p;
    p.props.topic_alias = 5;
    peer.reply(p);
    EXPECT_EQ(peer.expect<mqtt::disconnect>().reason, reason_code::protocol_error);
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    const auto ev = peer.expect_event<disconnected>();
    EXPECT_EQ(ev.cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(ev.reason, reason_code::protocol_error);
    peer.expect_no_event();  // nothing delivered
}

// Both maps belong to one connection (MQTT-3.3.2-7): after a reconnect, our first PUBLISH of a
// topic carries it in full again, and the server's old aliases are unknown.
TEST(topic_alias, both_maps_reset_on_reconnect_MQTT_3_3_2_7) {
    connect_options o = with_session();
    o.topic_alias_maximum = 3;
    session s(o);
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(3));

    publish_topic(s, peer, "a");
    EXPECT_EQ(publish_topic(s, peer, "a").topic, "");  // the alias is known
    mqtt::publish in;
    in.topic = "from/server";
    in.props.topic_alias = 1;
    peer.reply(in);
    EXPECT_EQ(peer.expect_event<message_received>().message.topic, "from/server");

    peer.lose();
    peer.expect_event<disconnected>();
    peer.open();
    peer.expect<connect>();
    connack ack = with_alias_maximum(3);
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();
    peer.expect_nothing_sent();

    const auto p = publish_topic(s, peer, "a");
    EXPECT_EQ(p.topic, "a");  // the server forgot the alias
    server_view server{3, {}};
    EXPECT_EQ(server.resolve(p), "a");

    mqtt::publish stale;
    stale.props.topic_alias = 1;  // set on the previous connection only
    peer.reply(stale);
    EXPECT_EQ(peer.expect<mqtt::disconnect>().reason, reason_code::protocol_error);
    EXPECT_TRUE(s.wants_close());
}

// A QoS 1 message sent with an alias (and then with an empty topic) and resent after a reconnect
// carries its full topic (MQTT-3.3.2-7, MQTT-4.4.0-1).
TEST(topic_alias, inflight_resent_after_reconnect_carries_full_topic_MQTT_3_3_2_7) {
    session s(with_session());
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(2));

    ASSERT_TRUE(s.publish(make_message("a/b", "x", qos::at_least_once), peer.now));
    ASSERT_TRUE(s.publish(make_message("a/b", "x", qos::exactly_once), peer.now));
    const auto first = peer.expect<mqtt::publish>();
    const auto second = peer.expect<mqtt::publish>();
    EXPECT_EQ(first.topic, "a/b");
    EXPECT_TRUE(first.props.topic_alias.has_value());
    EXPECT_EQ(second.topic, "");  // alias reused on the first connection

    peer.lose();
    peer.expect_event<disconnected>();
    peer.open();
    peer.expect<connect>();
    connack ack;  // the new connection allows no aliases at all
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();

    for (const auto& original : {first, second}) {
        const auto again = peer.expect<mqtt::publish>();
        EXPECT_EQ(again.packet_id, original.packet_id);
        EXPECT_TRUE(again.dup);
        EXPECT_EQ(again.topic, "a/b");
        EXPECT_FALSE(again.props.topic_alias.has_value());  // MQTT-3.2.2-18 on this connection
    }
    peer.expect_nothing_sent();
}

// The same, when the new connection allows aliases again: whatever alias a resend carries, the
// server can resolve it from this connection's packets alone.
TEST(topic_alias, inflight_resent_with_aliases_allowed_resolves_on_new_connection) {
    session s(with_session());
    scripted_peer peer(s);
    peer.handshake(with_alias_maximum(2));

    ASSERT_TRUE(s.publish(make_message("x/y", "x", qos::at_least_once), peer.now));
    ASSERT_TRUE(s.publish(make_message("x/y", "x", qos::at_least_once), peer.now));
    peer.expect<mqtt::publish>();
    EXPECT_EQ(peer.expect<mqtt::publish>().topic, "");

    peer.lose();
    peer.expect_event<disconnected>();
    peer.open();
    peer.expect<connect>();
    connack ack = with_alias_maximum(2);
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();

    server_view server{2, {}};
    const auto r1 = peer.expect<mqtt::publish>();
    const auto r2 = peer.expect<mqtt::publish>();
    EXPECT_EQ(r1.topic, "x/y");  // the first on this connection must carry the topic
    EXPECT_EQ(server.resolve(r1), "x/y");
    EXPECT_EQ(server.resolve(r2), "x/y");
    EXPECT_TRUE(r1.dup && r2.dup);
}

// A Topic Alias property adds 3 bytes to the first PUBLISH of a topic: a message that fits the
// server's Maximum Packet Size without an alias must not be sent over it with one
// (MQTT-3.2.2-15). Maximum 100, topic "a/b", QoS 0: payload 92 makes exactly 100 bytes without an
// alias.
// FAILS against the current implementation: check_publish() measures the packet without a Topic
// Alias, send_publish() then adds one (103 bytes sent); reported to the lead.
TEST(topic_alias, alias_never_pushes_packet_over_maximum_packet_size_MQTT_3_2_2_15) {
    session s(connect_options{});
    scripted_peer peer(s);
    connack ack = with_alias_maximum(5);
    ack.props.maximum_packet_size = 100;
    peer.handshake(ack);
    message m = make_message("a/b", "x", qos::at_most_once);
    m.payload.assign(92, 'x');
    const auto r = s.publish(m, peer.now);
    ASSERT_TRUE(r) << r.detail;  // it can be sent: without an alias it is 100 bytes
    const packet p = peer.expect<mqtt::publish>();
    EXPECT_LE(*encoded_size(p), 100u) << to_string(p);
    EXPECT_EQ(std::get<mqtt::publish>(p).topic, "a/b");
}

}  // namespace
}  // namespace mqtt::session::test
