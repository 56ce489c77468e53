// The session across connections (spec 4.1, 4.4): resending after Session Present 1, discarding
// after Session Present 0, inbound QoS 2 state, a second session object on the same store.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

connect_options with_session() {
    connect_options o;
    o.client_id = "resume-test";
    o.session_expiry_interval = 3600;
    return o;
}

// A message with properties, to check that a resend carries them unchanged.
message rich_message(std::string_view payload, qos q) {
    message m = make_message("resume/topic", payload, q);
    m.props.message_expiry_interval = 600;
    m.props.content_type = "text/plain";
    m.props.correlation_data = byte_vector{1, 2, 3};
    m.props.user_properties = {{"n", std::string(payload)}};
    return m;
}

// Loses the connection and opens a new one; returns the CONNECT sent on it.
connect reconnect(scripted_peer& peer) {
    peer.lose();
    const auto gone = peer.expect_event<disconnected>();
    EXPECT_EQ(gone.cause, disconnect_cause::connection_lost);
    peer.open();
    return peer.expect<connect>();
}

void expect_same_message(const mqtt::publish& p, const message& m) {
    EXPECT_EQ(p.topic, m.topic);
    EXPECT_EQ(to_vector(p.payload), m.payload);
    EXPECT_EQ(p.qos, m.qos);
    EXPECT_EQ(p.retain, m.retain);
    EXPECT_EQ(p.props.message_expiry_interval, m.props.message_expiry_interval);
    EXPECT_EQ(p.props.content_type, m.props.content_type);
    ASSERT_TRUE(p.props.correlation_data.has_value());
    EXPECT_EQ(to_vector(*p.props.correlation_data), *m.props.correlation_data);
    ASSERT_EQ(p.props.user_properties.size(), m.props.user_properties.size());
    EXPECT_EQ(p.props.user_properties.begin()->value, m.props.user_properties[0].second);
}

// Session Present 1: unacknowledged PUBLISHes again with DUP 1 and their original ids, PUBRELs
// again, all in the original order (MQTT-4.4.0-1, MQTT-4.6.0-1); later connections use Clean
// Start 0.
TEST(resume, resend_with_dup_in_original_order_MQTT_4_4_0_1_MQTT_4_6_0_1) {
    session s(with_session());
    scripted_peer peer(s);
    peer.open();
    EXPECT_TRUE(peer.expect<connect>().clean_start);  // options.clean_start, first connection
    peer.reply(connack{});
    peer.expect_event<connected>();

    const message ma = rich_message("A", qos::at_least_once);
    const message mb = rich_message("B", qos::exactly_once);
    const message mc = rich_message("C", qos::exactly_once);
    const message md = rich_message("D", qos::at_least_once);
    std::vector<command_result> r;
    for (const message* m : {&ma, &mb, &mc, &md})
        r.push_back(s.publish(*m, peer.now));
    const auto a = peer.expect<mqtt::publish>();
    const auto b = peer.expect<mqtt::publish>();
    const auto c = peer.expect<mqtt::publish>();
    const auto d = peer.expect<mqtt::publish>();
    peer.reply(rec_of(b.packet_id));
    EXPECT_EQ(peer.expect<pubrel>().packet_id, b.packet_id);
    peer.expect_nothing_sent();

    const connect again = reconnect(peer);
    EXPECT_FALSE(again.clean_start);
    EXPECT_EQ(again.client_id, "resume-test");
    peer.expect_nothing_sent();  // nothing is resent before CONNACK
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    EXPECT_TRUE(peer.expect_event<connected>().session_present);

    const auto ra = peer.expect<mqtt::publish>();
    EXPECT_TRUE(ra.dup);
    EXPECT_EQ(ra.packet_id, a.packet_id);
    expect_same_message(ra, ma);
    const auto rb = peer.expect<pubrel>();  // MQTT-4.3.3-6: not the PUBLISH
    EXPECT_EQ(rb.packet_id, b.packet_id);
    const auto rc = peer.expect<mqtt::publish>();
    EXPECT_TRUE(rc.dup);
    EXPECT_EQ(rc.packet_id, c.packet_id);
    expect_same_message(rc, mc);
    const auto rd = peer.expect<mqtt::publish>();
    EXPECT_TRUE(rd.dup);
    EXPECT_EQ(rd.packet_id, d.packet_id);
    expect_same_message(rd, md);
    peer.expect_nothing_sent();
    peer.expect_no_event();

    // The exchanges finish on the new connection, with the original tickets.
    peer.reply(ack_of(a.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, r[0].ticket);
    peer.reply(comp_of(b.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, r[1].ticket);
    peer.reply(rec_of(c.packet_id));
    EXPECT_EQ(peer.expect<pubrel>().packet_id, c.packet_id);
    peer.reply(comp_of(c.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, r[2].ticket);
    peer.reply(ack_of(d.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, r[3].ticket);
    EXPECT_EQ(s.inflight(), 0u);
    peer.expect_nothing_sent();
}

// An empty Client Identifier on the first CONNECT: the server assigns one (spec 3.2.2.3.7), and
// the next connection asks for the session by that name, or it could never be resumed. A name
// the caller chose is kept whatever the server says.
TEST(resume, reconnect_uses_the_assigned_client_identifier) {
    connect_options o = with_session();
    o.client_id.clear();
    session s(o);
    scripted_peer peer(s);
    peer.open();
    EXPECT_EQ(peer.expect<connect>().client_id, "");
    connack ack;
    ack.props.assigned_client_identifier = "auto-7c1e";
    peer.reply(ack);
    peer.expect_event<connected>();
    EXPECT_EQ(s.client_id(), "auto-7c1e");

    const connect again = reconnect(peer);
    EXPECT_FALSE(again.clean_start);
    EXPECT_EQ(again.client_id, "auto-7c1e");

    session named(with_session());
    scripted_peer named_peer(named);
    named_peer.open();
    EXPECT_EQ(named_peer.expect<connect>().client_id, "resume-test");
    named_peer.reply(ack);  // an Assigned Client Identifier the server should not have sent
    named_peer.drain_events();
    EXPECT_EQ(reconnect(named_peer).client_id, "resume-test");
}

// Once PUBREL was sent, the PUBLISH is never sent again, across any number of reconnects
// (MQTT-4.3.3-6).
TEST(resume, awaiting_pubcomp_resent_as_pubrel_only_MQTT_4_3_3_6) {
    session s(with_session());
    scripted_peer peer(s);
    peer.handshake();
    const auto r = s.publish(make_message("t", "x", qos::exactly_once), peer.now);
    const auto p = peer.expect<mqtt::publish>();
    peer.reply(rec_of(p.packet_id));
    peer.expect<pubrel>();

    for (int i = 0; i < 3; ++i) {
        reconnect(peer);
        connack ack;
        ack.session_present = true;
        peer.reply(ack);
        peer.expect_event<connected>();
        const auto rel = peer.expect<pubrel>();
        EXPECT_EQ(rel.packet_id, p.packet_id);
        peer.expect_nothing_sent();
    }
    peer.reply(comp_of(p.packet_id));
    const auto done = peer.expect_event<publish_completed>();
    EXPECT_EQ(done.ticket, r.ticket);
    EXPECT_EQ(done.reason, reason_code::success);
}

// Messages that waited for quota stay behind the resent ones and go out as new messages, DUP 0,
// when quota frees up.
TEST(resume, queued_messages_follow_resends_within_quota) {
    session s(with_session());
    scripted_peer peer(s);
    connack small;
    small.props.receive_maximum = 1;
    peer.handshake(small);
    ASSERT_TRUE(s.publish(make_message("t", "A", qos::at_least_once), peer.now));
    ASSERT_TRUE(s.publish(make_message("t", "B", qos::at_least_once), peer.now));
    const auto a = peer.expect<mqtt::publish>();
    peer.expect_nothing_sent();

    reconnect(peer);
    // Accepted before CONNACK: waits too.
    ASSERT_TRUE(s.publish(make_message("t", "C", qos::at_least_once), peer.now));
    connack ack = small;
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();
    const auto ra = peer.expect<mqtt::publish>();
    EXPECT_EQ(ra.packet_id, a.packet_id);
    EXPECT_TRUE(ra.dup);
    peer.expect_nothing_sent();  // quota 1 is taken by the resend
    EXPECT_EQ(s.queued(), 2u);

    peer.reply(ack_of(a.packet_id));
    const auto b = peer.expect<mqtt::publish>();
    EXPECT_EQ(as_chars(b.payload), "B");
    EXPECT_FALSE(b.dup);
    EXPECT_NE(b.packet_id, 0);
    peer.reply(ack_of(b.packet_id));
    const auto c = peer.expect<mqtt::publish>();
    EXPECT_EQ(as_chars(c.payload), "C");
    EXPECT_FALSE(c.dup);
}

// Session Present 0 while we had state: `session_discarded`, each in-flight message reported with
// errc::session_discarded and not resent, inbound QoS 2 state dropped; messages never sent still
// go out, as new messages (MQTT-3.2.2-5).
TEST(resume, session_present_0_discards_inflight_MQTT_3_2_2_5) {
    session s(with_session());
    scripted_peer peer(s);
    connack two;
    two.props.receive_maximum = 2;
    peer.handshake(two);

    const auto ra = s.publish(make_message("t", "A", qos::at_least_once), peer.now);
    const auto rb = s.publish(make_message("t", "B", qos::exactly_once), peer.now);
    const auto rc = s.publish(make_message("t", "C", qos::at_least_once), peer.now);
    ASSERT_TRUE(ra && rb && rc);
    peer.expect<mqtt::publish>();
    const auto b = peer.expect<mqtt::publish>();
    peer.reply(rec_of(b.packet_id));
    peer.expect<pubrel>();
    peer.expect_nothing_sent();  // C waits for quota
    peer.reply(server_publish(qos::exactly_once, 50));
    peer.expect<pubrec>();
    peer.expect_event<message_received>();
    ASSERT_EQ(s.inbound_qos2_pending(), 1u);

    EXPECT_FALSE(reconnect(peer).clean_start);
    peer.reply(connack{});  // Session Present 0

    const auto events = peer.drain_events();
    const auto conn = events_of<connected>(events);
    ASSERT_EQ(conn.size(), 1u);
    EXPECT_FALSE(conn[0].session_present);
    const auto discarded = events_of<session_discarded>(events);
    ASSERT_EQ(discarded.size(), 1u);
    EXPECT_EQ(discarded[0].outbound_dropped, 2u);
    EXPECT_EQ(discarded[0].inbound_qos2_dropped, 1u);
    const auto done = events_of<publish_completed>(events);
    ASSERT_EQ(done.size(), 2u);
    std::vector<std::uint64_t> tickets;
    for (const auto& d : done) {
        EXPECT_EQ(d.error, errc::session_discarded);
        tickets.push_back(d.ticket);
    }
    std::sort(tickets.begin(), tickets.end());
    EXPECT_EQ(tickets, (std::vector<std::uint64_t>{ra.ticket, rb.ticket}));
    EXPECT_EQ(events.size(), 4u);

    // Only C goes out: a new message, not a resend.
    const auto c = peer.expect<mqtt::publish>();
    EXPECT_EQ(as_chars(c.payload), "C");
    EXPECT_FALSE(c.dup);
    peer.expect_nothing_sent();
    EXPECT_EQ(s.inflight(), 1u);
    EXPECT_EQ(s.inbound_qos2_pending(), 0u);

    // The server's id 50 is a new message now.
    peer.reply(server_publish(qos::exactly_once, 50));
    peer.expect<pubrec>();
    peer.expect_event<message_received>();

    peer.reply(ack_of(c.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, rc.ticket);
}

// Inbound QoS 2 ids awaiting PUBREL survive a reconnect: the server's resend is not delivered
// again (MQTT-4.3.3-10 across connections), and its PUBREL completes normally.
TEST(resume, inbound_qos2_awaiting_pubrel_survives_reconnect_MQTT_4_3_3_10) {
    session s(with_session());
    scripted_peer peer(s);
    peer.handshake();
    peer.reply(server_publish(qos::exactly_once, 21));
    peer.reply(server_publish(qos::exactly_once, 22));
    peer.expect<pubrec>();
    peer.expect<pubrec>();
    peer.expect_event<message_received>();
    peer.expect_event<message_received>();

    reconnect(peer);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();
    peer.expect_nothing_sent();
    EXPECT_EQ(s.inbound_qos2_pending(), 2u);

    mqtt::publish dup = server_publish(qos::exactly_once, 21);
    dup.dup = true;
    peer.reply(dup);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 21);
    peer.expect_no_event();

    peer.reply(rel_of(21));
    EXPECT_EQ(peer.expect<pubcomp>().reason, reason_code::success);
    peer.reply(rel_of(22));  // straight to PUBREL, as a server that already had our PUBREC
    const auto comp = peer.expect<pubcomp>();
    EXPECT_EQ(comp.packet_id, 22);
    EXPECT_EQ(comp.reason, reason_code::success);
    EXPECT_EQ(s.inbound_qos2_pending(), 0u);
    peer.expect_no_event();
}

// A second session object on the same store (a process restart) resumes: Clean Start 0 in its
// first CONNECT although options.clean_start is true, the same resends, the same tickets, and no
// packet id or ticket reused.
TEST(resume, second_session_on_same_store_resumes_MQTT_4_4_0_1) {
    memory_store store;
    const connect_options o = with_session();
    ASSERT_TRUE(o.clean_start);

    std::uint16_t id_a = 0, id_b = 0;
    std::uint64_t ticket_a = 0, ticket_b = 0;
    const message ma = rich_message("A", qos::at_least_once);
    {
        session first(o, &store);
        scripted_peer peer(first);
        peer.handshake();
        const auto ra = first.publish(ma, peer.now);
        const auto rb = first.publish(make_message("t", "B", qos::exactly_once), peer.now);
        ticket_a = ra.ticket;
        ticket_b = rb.ticket;
        id_a = peer.expect<mqtt::publish>().packet_id;
        id_b = peer.expect<mqtt::publish>().packet_id;
        peer.reply(rec_of(id_b));
        peer.expect<pubrel>();
        peer.reply(server_publish(qos::exactly_once, 33));
        peer.expect<pubrec>();

        // Written through to the store.
        const session_snapshot snap = store.load();
        ASSERT_EQ(snap.outbound.size(), 2u);
        EXPECT_EQ(snap.outbound[0].ticket, ticket_a);
        EXPECT_EQ(snap.outbound[0].packet_id, id_a);
        EXPECT_EQ(snap.outbound[0].stage, outbound_stage::awaiting_ack);
        EXPECT_EQ(snap.outbound[0].message, ma);
        EXPECT_EQ(snap.outbound[1].ticket, ticket_b);
        EXPECT_EQ(snap.outbound[1].stage, outbound_stage::awaiting_pubcomp);
        EXPECT_EQ(snap.inbound_qos2, (std::vector<std::uint16_t>{33}));
    }  // the process ends without a word to the server

    session second(o, &store);
    scripted_peer peer(second);
    peer.open();
    const auto c = peer.expect<connect>();
    EXPECT_FALSE(c.clean_start);
    EXPECT_EQ(c.props.session_expiry_interval, 3600u);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    EXPECT_TRUE(peer.expect_event<connected>().session_present);

    const auto ra = peer.expect<mqtt::publish>();
    EXPECT_TRUE(ra.dup);
    EXPECT_EQ(ra.packet_id, id_a);
    expect_same_message(ra, ma);
    EXPECT_EQ(peer.expect<pubrel>().packet_id, id_b);
    peer.expect_nothing_sent();

    // The inbound QoS 2 id is remembered.
    mqtt::publish dup = server_publish(qos::exactly_once, 33);
    dup.dup = true;
    peer.reply(dup);
    EXPECT_EQ(peer.expect<pubrec>().packet_id, 33);
    peer.expect_no_event();

    // New work gets fresh ids and tickets.
    const auto rn = second.publish(make_message("t", "N", qos::at_least_once), peer.now);
    ASSERT_TRUE(rn) << rn.detail;
    EXPECT_NE(rn.ticket, ticket_a);
    EXPECT_NE(rn.ticket, ticket_b);
    const auto n = peer.expect<mqtt::publish>();
    EXPECT_NE(n.packet_id, id_a);
    EXPECT_NE(n.packet_id, id_b);
    EXPECT_FALSE(n.dup);

    peer.reply(ack_of(id_a));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, ticket_a);
    peer.reply(comp_of(id_b));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, ticket_b);
    peer.reply(ack_of(n.packet_id));
    EXPECT_EQ(peer.expect_event<publish_completed>().ticket, rn.ticket);
    peer.reply(rel_of(33));
    EXPECT_EQ(peer.expect<pubcomp>().reason, reason_code::success);
    // Nothing in flight any more; the session itself still exists (it has an expiry).
    const session_snapshot left = store.load();
    EXPECT_TRUE(left.outbound.empty());
    EXPECT_TRUE(left.inbound_qos2.empty());
    EXPECT_TRUE(left.session_exists);
}

// A session with nothing in flight (a subscriber's) is still a session: a new session object on
// the same store (a restarted process) resumes it with Clean Start 0 and accepts Session Present
// 1, instead of closing as MQTT-3.2.2-4 requires of a client that holds no session.
TEST(resume, store_remembers_a_session_with_nothing_in_flight_MQTT_3_2_2_4) {
    memory_store store;
    connect_options o;
    o.session_expiry_interval = 600;
    {
        session first(o, &store);
        scripted_peer peer(first);
        peer.handshake();  // Clean Start 1, Session Present 0: a new session with an expiry
        EXPECT_TRUE(store.load().session_exists);
    }
    session second(o, &store);
    scripted_peer peer(second);
    peer.open();
    EXPECT_FALSE(peer.expect<connect>().clean_start);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    EXPECT_TRUE(peer.expect_event<connected>().session_present);
    peer.expect_nothing_sent();

    // Ending the session (Session Expiry 0 on DISCONNECT) forgets it.
    disconnect_options bye;
    bye.session_expiry_interval = 0;
    EXPECT_TRUE(second.disconnect(bye, peer.now));
    EXPECT_FALSE(store.load().session_exists);
}

// Session Present 1 while we hold no session (our CONNECT had Clean Start 1): close with
// DISCONNECT 0x82 (MQTT-3.2.2-4).
TEST(resume, session_present_1_without_state_disconnects_MQTT_3_2_2_4) {
    session s(with_session());
    scripted_peer peer(s);
    peer.open();
    ASSERT_TRUE(peer.expect<connect>().clean_start);
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    const auto d = peer.expect<mqtt::disconnect>();
    EXPECT_EQ(d.reason, reason_code::protocol_error);
    peer.expect_nothing_sent();
    EXPECT_TRUE(s.wants_close());
    const auto events = peer.drain_events();
    EXPECT_TRUE(events_of<connected>(events).empty());
    const auto gone = events_of<disconnected>(events);
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0].cause, disconnect_cause::protocol_violation);
    EXPECT_EQ(gone[0].reason, reason_code::protocol_error);
}

// Topic aliases are not part of the session: a resend and a new publish after the reconnect both
// carry the full topic (MQTT-3.3.2-7).
TEST(resume, topic_aliases_not_kept_MQTT_3_3_2_7) {
    session s(with_session());
    scripted_peer peer(s);
    connack aliases;
    aliases.props.topic_alias_maximum = 10;
    peer.handshake(aliases);
    ASSERT_TRUE(s.publish(make_message("alias/me", "1", qos::at_least_once), peer.now));
    ASSERT_TRUE(s.publish(make_message("alias/me", "2", qos::at_most_once), peer.now));
    const auto p1 = peer.expect<mqtt::publish>();
    EXPECT_TRUE(p1.props.topic_alias.has_value());
    EXPECT_EQ(peer.expect<mqtt::publish>().topic, "");
    peer.expect_event<publish_completed>();  // the QoS 0 one

    reconnect(peer);
    connack ack = aliases;
    ack.session_present = true;
    peer.reply(ack);
    const auto resent = peer.expect<mqtt::publish>();
    EXPECT_TRUE(resent.dup);
    EXPECT_EQ(resent.topic, "alias/me");
    ASSERT_TRUE(s.publish(make_message("alias/me", "3", qos::at_most_once), peer.now));
    const auto fresh = peer.expect<mqtt::publish>();
    // Either the resend defined an alias on this connection (then an empty topic may use it) or
    // the first new publish carries the topic.
    if (resent.props.topic_alias && fresh.topic.empty()) {
        EXPECT_EQ(fresh.props.topic_alias, resent.props.topic_alias);
    } else {
        EXPECT_EQ(fresh.topic, "alias/me");
    }
}

}  // namespace
}  // namespace mqtt::session::test
