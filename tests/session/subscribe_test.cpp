// SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK (spec 3.8 - 3.11): options and identifiers on the
// wire, reason codes back to the caller, features the server lacks, packet identifiers released.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "client/session/session.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {
namespace {

template <class T>
std::vector<T> items_of(const list_view<T>& l) {
    return std::vector<T>(l.begin(), l.end());
}

suback suback_of(std::uint16_t id, std::span<const reason_code> codes) {
    suback a;
    a.packet_id = id;
    a.reason_codes = codes;
    return a;
}
unsuback unsuback_of(std::uint16_t id, std::span<const reason_code> codes) {
    unsuback a;
    a.packet_id = id;
    a.reason_codes = codes;
    return a;
}

// Refused locally with `e`: nothing sent, no event.
void expect_refused(scripted_peer& peer, const command_result& r, errc e) {
    EXPECT_EQ(r.error, e) << r.detail;
    EXPECT_FALSE(r.detail.empty());
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

TEST(subscribe, all_subscription_options_and_identifier_on_the_wire) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();

    std::vector<subscription_request> subs(3);
    subs[0] = {"a/+/c", qos::exactly_once, true, true, retain_handling::do_not_send};
    subs[1] = {"b/#", qos::at_least_once, false, false, retain_handling::send_if_new_subscription};
    subs[2] = {"$share/group/c/d", qos::at_most_once, false, true,
               retain_handling::send_on_subscribe};
    subscribe_options opts;
    opts.subscription_identifier = 268'435'455;  // the largest (spec 3.8.2.1.2)
    opts.user_properties = {{"x", "1"}, {"a", "2"}, {"x", "3"}};
    const command_result r = s.subscribe(subs, opts, peer.now);
    ASSERT_TRUE(r) << r.detail;
    EXPECT_NE(r.ticket, 0u);

    const auto p = peer.expect<mqtt::subscribe>();
    EXPECT_NE(p.packet_id, 0);
    const std::vector<subscription> expected = {
        {"a/+/c", qos::exactly_once, true, true, retain_handling::do_not_send},
        {"b/#", qos::at_least_once, false, false, retain_handling::send_if_new_subscription},
        {"$share/group/c/d", qos::at_most_once, false, true, retain_handling::send_on_subscribe},
    };
    EXPECT_EQ(items_of(p.subscriptions), expected);
    EXPECT_EQ(items_of(p.props.subscription_identifiers),
              (std::vector<std::uint32_t>{268'435'455}));
    EXPECT_EQ(pairs_of(p.props.user_properties), opts.user_properties);
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

TEST(subscribe, no_identifier_when_none_given) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    ASSERT_TRUE(s.subscribe({sub("t")}, {}, peer.now));
    const auto p = peer.expect<mqtt::subscribe>();
    EXPECT_TRUE(p.props.subscription_identifiers.empty());
    EXPECT_TRUE(p.props.user_properties.empty());
    ASSERT_EQ(p.subscriptions.size(), 1u);
    EXPECT_EQ(p.subscriptions.begin()->topic_filter, "t");
}

TEST(subscribe, suback_completes_with_reason_codes) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const auto r = s.subscribe(
        {sub("a", qos::exactly_once), sub("b", qos::at_least_once), sub("c")}, {}, peer.now);
    ASSERT_TRUE(r) << r.detail;
    const auto p = peer.expect<mqtt::subscribe>();

    const reason_code codes[] = {reason_code::granted_qos_2, reason_code::granted_qos_1,
                                 reason_code::success};
    suback a = suback_of(p.packet_id, codes);
    a.props.reason_string = "welcome";
    const string_pair ups[] = {{"k", "v"}};
    a.props.user_properties = std::span<const string_pair>(ups);
    peer.reply(a);

    const auto done = peer.expect_event<subscribe_completed>();
    EXPECT_EQ(done.ticket, r.ticket);
    EXPECT_EQ(done.reason_codes, (std::vector<reason_code>(std::begin(codes), std::end(codes))));
    EXPECT_EQ(done.reason_string, "welcome");
    EXPECT_EQ(done.user_properties, (user_property_list{{"k", "v"}}));
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

// Failure codes are the server's answer, not a violation: reported per filter, connection kept.
TEST(subscribe, suback_failure_codes_reported_per_filter) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const auto r = s.subscribe({sub("denied"), sub("$share/g/x"), sub("with/id"), sub("w/+"),
                                sub("err"), sub("ok", qos::at_least_once)},
                               {}, peer.now);
    ASSERT_TRUE(r) << r.detail;
    const auto p = peer.expect<mqtt::subscribe>();
    const reason_code codes[] = {
        reason_code::not_authorized,                          // 0x87
        reason_code::shared_subscriptions_not_supported,      // 0x9E
        reason_code::subscription_identifiers_not_supported,  // 0xA1
        reason_code::wildcard_subscriptions_not_supported,    // 0xA2
        reason_code::unspecified_error,                       // 0x80
        reason_code::granted_qos_1,
    };
    peer.reply(suback_of(p.packet_id, codes));
    const auto done = peer.expect_event<subscribe_completed>();
    EXPECT_EQ(done.ticket, r.ticket);
    EXPECT_EQ(done.reason_codes, (std::vector<reason_code>(std::begin(codes), std::end(codes))));
    EXPECT_FALSE(s.wants_close());
    peer.expect_nothing_sent();
}

// Two requests in flight, answered out of order: each ack goes to its own ticket.
TEST(subscribe, acks_matched_by_packet_id) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const auto r1 = s.subscribe({sub("one")}, {}, peer.now);
    const auto r2 = s.unsubscribe({"two"}, {}, peer.now);
    const auto r3 = s.subscribe({sub("three")}, {}, peer.now);
    ASSERT_TRUE(r1 && r2 && r3);
    EXPECT_NE(r1.ticket, r3.ticket);
    const auto p1 = peer.expect<mqtt::subscribe>();
    const auto p2 = peer.expect<mqtt::unsubscribe>();
    const auto p3 = peer.expect<mqtt::subscribe>();
    EXPECT_NE(p1.packet_id, p2.packet_id);
    EXPECT_NE(p1.packet_id, p3.packet_id);
    EXPECT_NE(p2.packet_id, p3.packet_id);

    const reason_code q1[] = {reason_code::granted_qos_1};
    const reason_code q0[] = {reason_code::success};
    peer.reply(suback_of(p3.packet_id, q1));
    peer.reply(unsuback_of(p2.packet_id, q0));
    peer.reply(suback_of(p1.packet_id, q0));
    const auto e3 = peer.expect_event<subscribe_completed>();
    EXPECT_EQ(e3.ticket, r3.ticket);
    EXPECT_EQ(e3.reason_codes, std::vector<reason_code>{reason_code::granted_qos_1});
    EXPECT_EQ(peer.expect_event<unsubscribe_completed>().ticket, r2.ticket);
    EXPECT_EQ(peer.expect_event<subscribe_completed>().ticket, r1.ticket);
}

TEST(subscribe, unsubscribe_and_unsuback) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    const auto r = s.unsubscribe({"a/+", "$share/g/b", "c/#"}, {{"why", "done"}}, peer.now);
    ASSERT_TRUE(r) << r.detail;
    const auto p = peer.expect<mqtt::unsubscribe>();
    EXPECT_NE(p.packet_id, 0);
    EXPECT_EQ(items_of(p.topic_filters),
              (std::vector<std::string_view>{"a/+", "$share/g/b", "c/#"}));
    EXPECT_EQ(pairs_of(p.props.user_properties), (user_property_list{{"why", "done"}}));

    const reason_code codes[] = {reason_code::success, reason_code::no_subscription_existed,
                                 reason_code::not_authorized};
    unsuback a = unsuback_of(p.packet_id, codes);
    a.props.reason_string = "partly";
    peer.reply(a);
    const auto done = peer.expect_event<unsubscribe_completed>();
    EXPECT_EQ(done.ticket, r.ticket);
    EXPECT_EQ(done.reason_codes, (std::vector<reason_code>(std::begin(codes), std::end(codes))));
    EXPECT_EQ(done.reason_string, "partly");
    EXPECT_TRUE(done.user_properties.empty());
    peer.expect_nothing_sent();
}

// Subscription Identifier Available 0: a SUBSCRIBE with an identifier is refused locally
// (spec 3.2.2.3.12; the server would answer 0xA1).
TEST(subscribe, identifier_when_server_lacks_them_refused) {
    session s(connect_options{});
    scripted_peer peer(s);
    connack ack;
    ack.props.subscription_identifier_available = 0;
    EXPECT_FALSE(peer.handshake(ack).limits.subscription_identifier_available);
    subscribe_options opts;
    opts.subscription_identifier = 5;
    expect_refused(peer, s.subscribe({sub("a")}, opts, peer.now), errc::feature_not_available);
    ASSERT_TRUE(s.subscribe({sub("a")}, {}, peer.now));  // without one it is fine
    peer.expect<mqtt::subscribe>();
}

// Wildcard Subscription Available 0: filters with '+' or '#' refused locally (spec 3.2.2.3.11).
TEST(subscribe, wildcard_when_unavailable_refused) {
    session s(connect_options{});
    scripted_peer peer(s);
    connack ack;
    ack.props.wildcard_subscription_available = 0;
    peer.handshake(ack);
    for (const char* filter : {"a/+", "a/#", "#", "+", "$share/g/a/+"}) {
        SCOPED_TRACE(filter);
        expect_refused(peer, s.subscribe({sub(filter)}, {}, peer.now), errc::feature_not_available);
    }
    // One wildcard among plain filters refuses the whole request.
    expect_refused(peer, s.subscribe({sub("plain"), sub("x/+")}, {}, peer.now),
                   errc::feature_not_available);
    ASSERT_TRUE(s.subscribe({sub("a/b")}, {}, peer.now));
    peer.expect<mqtt::subscribe>();
}

// Shared Subscription Available 0: $share/... refused locally (spec 3.2.2.3.13).
TEST(subscribe, shared_when_unavailable_refused) {
    session s(connect_options{});
    scripted_peer peer(s);
    connack ack;
    ack.props.shared_subscription_available = 0;
    peer.handshake(ack);
    expect_refused(peer, s.subscribe({sub("$share/group/a/b")}, {}, peer.now),
                   errc::feature_not_available);
    expect_refused(peer, s.subscribe({sub("a"), sub("$share/group/b")}, {}, peer.now),
                   errc::feature_not_available);
    ASSERT_TRUE(s.subscribe({sub("a/b")}, {}, peer.now));
    peer.expect<mqtt::subscribe>();
}

// No Local on a Shared Subscription is a Protocol Error; the session never sends it
// (MQTT-3.8.3-4).
TEST(subscribe, no_local_on_shared_refused_MQTT_3_8_3_4) {
    session s(connect_options{});
    scripted_peer peer(s);
    peer.handshake();
    subscription_request r = sub("$share/group/a");
    r.no_local = true;
    const auto result = s.subscribe({sub("plain"), r}, {}, peer.now);
    expect_refused(peer, result, errc::invalid_argument);
    EXPECT_TRUE(contains_ignoring_case(result.detail, "No Local")) << result.detail;

    r.no_local = false;  // the same without No Local is fine
    ASSERT_TRUE(s.subscribe({r}, {}, peer.now));
    peer.expect<mqtt::subscribe>();
    subscription_request own = sub("not/shared");
    own.no_local = true;  // and No Local on a normal subscription too
    ASSERT_TRUE(s.subscribe({own}, {}, peer.now));
    EXPECT_TRUE(peer.expect<mqtt::subscribe>().subscriptions.begin()->no_local);
}

// SUBSCRIBE and UNSUBSCRIBE ids are released by their acks: with every other id held by
// in-flight publishes, each new request succeeds only once the previous one was acknowledged.
TEST(subscribe, packet_ids_released_after_ack_MQTT_2_2_1_3) {
    connect_options o;
    o.max_inflight = 0;  // no window of our own: the server's Receive Maximum alone
    session s(o);
    scripted_peer peer(s);
    peer.handshake();

    const auto first = s.subscribe({sub("a")}, {}, peer.now);
    ASSERT_TRUE(first) << first.detail;
    const std::uint16_t held = peer.expect<mqtt::subscribe>().packet_id;

    // 65,534 QoS 1 publishes take every other id (the server's Receive Maximum is 65,535).
    message m;
    m.topic = "fill";
    m.qos = qos::at_least_once;
    for (int i = 0; i < 65'534; ++i) {
        const auto r = s.publish(m, peer.now);
        ASSERT_TRUE(r) << i << ": " << r.detail;
        const auto p = peer.expect<mqtt::publish>();
        ASSERT_NE(p.packet_id, held) << i;
    }
    EXPECT_EQ(s.inflight(), 65'534u);

    expect_refused(peer, s.subscribe({sub("b")}, {}, peer.now), errc::packet_identifiers_exhausted);
    expect_refused(peer, s.unsubscribe({"b"}, {}, peer.now), errc::packet_identifiers_exhausted);

    const reason_code ok[] = {reason_code::success};
    peer.reply(suback_of(held, ok));
    EXPECT_EQ(peer.expect_event<subscribe_completed>().ticket, first.ticket);

    // The id is free again: the next request gets it (it is the only free one).
    const auto second = s.unsubscribe({"a"}, {}, peer.now);
    ASSERT_TRUE(second) << second.detail;
    EXPECT_EQ(peer.expect<mqtt::unsubscribe>().packet_id, held);
    expect_refused(peer, s.subscribe({sub("c")}, {}, peer.now), errc::packet_identifiers_exhausted);

    peer.reply(unsuback_of(held, ok));
    EXPECT_EQ(peer.expect_event<unsubscribe_completed>().ticket, second.ticket);
    const auto third = s.subscribe({sub("c")}, {}, peer.now);
    ASSERT_TRUE(third) << third.detail;
    EXPECT_EQ(peer.expect<mqtt::subscribe>().packet_id, held);
}

// A SUBSCRIBE unanswered when the connection ends is reported with errc::connection_lost, is not
// resent on the next connection, and its id is free again.
TEST(subscribe, pending_at_connection_loss_reported_and_not_resent) {
    connect_options o;
    o.session_expiry_interval = 3600;
    session s(o);
    scripted_peer peer(s);
    peer.handshake();
    const auto r = s.subscribe({sub("a")}, {}, peer.now);
    const auto u = s.unsubscribe({"b"}, {}, peer.now);
    ASSERT_TRUE(r && u);
    peer.expect<mqtt::subscribe>();
    peer.expect<mqtt::unsubscribe>();

    peer.lose();
    int subscribes = 0, unsubscribes = 0, disconnects = 0;
    while (const auto e = peer.next_event()) {  // in no particular order
        if (const auto* done = std::get_if<subscribe_completed>(&*e)) {
            ++subscribes;
            EXPECT_EQ(done->ticket, r.ticket);
            EXPECT_EQ(done->error, errc::connection_lost);
            EXPECT_TRUE(done->reason_codes.empty());
        } else if (const auto* undone = std::get_if<unsubscribe_completed>(&*e)) {
            ++unsubscribes;
            EXPECT_EQ(undone->ticket, u.ticket);
            EXPECT_EQ(undone->error, errc::connection_lost);
        } else {
            ASSERT_TRUE(std::holds_alternative<disconnected>(*e)) << e->index();
            ++disconnects;
        }
    }
    EXPECT_EQ(subscribes, 1);
    EXPECT_EQ(unsubscribes, 1);
    EXPECT_EQ(disconnects, 1);

    peer.open();
    peer.expect<connect>();
    connack ack;
    ack.session_present = true;
    peer.reply(ack);
    peer.expect_event<connected>();
    peer.expect_nothing_sent();
    peer.expect_no_event();
}

}  // namespace
}  // namespace mqtt::session::test
