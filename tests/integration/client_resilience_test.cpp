// The asynchronous client when the network misbehaves, against a real Mosquitto: a TCP proxy
// (proxy.hpp) between client and broker cuts connections at chosen moments of the QoS 1 and QoS 2
// flows; the broker restarts with its persistence. Checked: session resumption (MQTT-4.4.0-1) and
// exactly once (MQTT-4.3.3-10). Keep-alive and backoff: client_reconnect_test.cpp; the offline
// queue, the publish rate and threads: client_publishing_test.cpp.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "resilience.hpp"

namespace mqtt::test {
namespace {

using namespace std::chrono_literals;
using asio::use_awaitable;
using client_options = mqtt::client::client_options;
using client::client;
using mqtt::client::connection_state;
using mqtt::client::errc;

// Publisher behind the proxy; 20 cuts at the seven moments of an outbound QoS 2 exchange.
// MQTT-4.4.0-1: unacknowledged PUBLISHes are resent with DUP (MQTT-3.3.1-1), PUBRELs are resent,
// with their original identifiers; MQTT-4.3.3-6: no PUBLISH again once PUBREL was sent;
// MQTT-4.3.3-10 (at the broker): exactly once.
TEST_F(resilience_test, qos2_publisher_cut_at_each_step_of_the_flow_delivers_exactly_once) {
    constexpr std::size_t count = 1000;
    tcp_proxy proxy(broker->plain_port);
    auto plan = std::make_shared<cut_plan>();
    plan->moments = {
        {flow::to_broker, packet_type::publish, verdict::cut_after},  // PUBREC lost
        {flow::to_client, packet_type::pubrec, verdict::cut_before},  // the same, seen later
        {flow::to_client, packet_type::pubrec, verdict::cut_after},   // our PUBREL lost
        {flow::to_broker, packet_type::pubrel, verdict::cut_before},  // PUBREL lost on the way
        {flow::to_broker, packet_type::pubrel, verdict::cut_after},   // PUBCOMP lost
        {flow::to_client, packet_type::pubcomp, verdict::cut_before},
        {flow::to_client, packet_type::pubcomp, verdict::cut_after},  // between two messages
    };
    proxy.set_rule(follow(plan));
    const steady::time_point start = steady::now();
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), resilient("resil-q2p-sub", broker->plain_port));
        client pub(io.get_executor(), resilient("resil-q2p-pub", proxy.port()));
        qos2_sender_audit audit;
        pub.tap().add([&](const transport::tapped_packet& t) { audit.see(t); });
        tally got(count);
        const std::string topic = "resil/q2p";
        sub.set_message_handler([&](const session::message_received& r) { got.add(r); });
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = topic;
        s.max_qos = qos::exactly_once;
        const std::vector<session::subscription_request> subs{s};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        co_await pub.async_connect(use_awaitable);
        co_await publish_numbered(pub, topic, qos::exactly_once, count, got, 17s);
        EXPECT_EQ(got.missing(), 0u);
        EXPECT_EQ(got.duplicates(), 0u) << "MQTT-4.3.3: QoS 2 is exactly once";
        EXPECT_EQ(got.foreign, 0u);
        EXPECT_EQ(plan->made, plan->total);
        EXPECT_GE(pub.stats().reconnects, plan->total);
        EXPECT_EQ(audit.publish_after_pubrel, 0u) << "MQTT-4.3.3-6";
        EXPECT_EQ(audit.bad_dup, 0u) << "MQTT-4.3.3-2, MQTT-3.3.1-1";
        EXPECT_EQ(audit.resent_on_same_connection, 0u) << "MQTT-4.4.0-1";
        EXPECT_GT(audit.publishes_resent, 0u);  // the cuts did make resends happen
        EXPECT_GT(audit.pubrels_resent, 0u);
        EXPECT_TRUE(audit.inflight.empty());
        std::printf(
            "[ resilience ] QoS 2, publisher cut %zu times: %zu messages in %.2f s; resent %zu "
            "PUBLISH, %zu PUBREL\n",
            plan->made.load(), got.total, seconds_between(start, steady::now()),
            audit.publishes_resent, audit.pubrels_resent);
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// Subscriber behind the proxy; 20 cuts at the eight moments of an inbound QoS 2 exchange.
// MQTT-4.3.3-10: a PUBLISH the broker resends (DUP) before our PUBREC reached it is acknowledged
// again but not given to the application twice; MQTT-4.3.3-11: a resent PUBREL gets PUBCOMP.
//
// The proxy's cuts let the broker's last writes succeed (tcp_proxy::hard_cuts). With hard cuts
// (a reset), Mosquitto 2.0.11 loses track of a PUBREL whose write failed: its reconnect reset
// (db__message_reconnect_reset_outgoing) turns state resend_pubrel into publish_qos2, so on the
// next connection it resends the PUBLISH (DUP 1) after having sent PUBREL (against
// MQTT-4.3.3-6). The client, which had already answered that PUBREL with PUBCOMP, must then take
// it as a new message (MQTT-4.3.3-12), and the application sees a duplicate of the broker's
// making.
TEST_F(resilience_test, qos2_subscriber_cut_at_each_step_of_the_flow_is_given_each_once) {
    constexpr std::size_t count = 1000;
    tcp_proxy proxy(broker->plain_port);
    auto plan = std::make_shared<cut_plan>();
    plan->moments = {
        {flow::to_client, packet_type::publish, verdict::cut_after},   // our PUBREC lost
        {flow::to_broker, packet_type::pubrec, verdict::cut_before},   // the same
        {flow::to_client, packet_type::publish, verdict::cut_before},  // PUBLISH lost
        {flow::to_broker, packet_type::pubrec, verdict::cut_after},    // PUBREL lost
        {flow::to_client, packet_type::pubrel, verdict::cut_before},
        {flow::to_client, packet_type::pubrel, verdict::cut_after},  // our PUBCOMP lost
        {flow::to_broker, packet_type::pubcomp, verdict::cut_before},
        {flow::to_broker, packet_type::pubcomp, verdict::cut_after},
    };
    proxy.set_rule(follow(plan));
    const steady::time_point start = steady::now();
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), resilient("resil-q2s-sub", proxy.port()));
        // Mosquitto sends a v5 subscriber as many messages at once as its Receive Maximum allows
        // (ours: 65,535), so an unpaced publisher makes a few huge bursts and the flow ends
        // before the 20 cuts. 1,000 per second spreads the flow over a second.
        // (A Receive Maximum of 20 instead makes Mosquitto 2.0.11 exceed it after a resumed
        // session, and the client rightly disconnects with 0x93, again and again.)
        client_options po = resilient("resil-q2s-pub", broker->plain_port);
        po.publish_rate = 1000;
        client pub(io.get_executor(), po);
        tally got(count);
        const std::string topic = "resil/q2s";
        sub.set_message_handler([&](const session::message_received& r) { got.add(r); });
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = topic;
        s.max_qos = qos::exactly_once;
        const std::vector<session::subscription_request> subs{s};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        co_await pub.async_connect(use_awaitable);
        co_await publish_numbered(pub, topic, qos::exactly_once, count, got, 17s);
        EXPECT_EQ(got.missing(), 0u);
        EXPECT_EQ(got.duplicates(), 0u) << "MQTT-4.3.3-10: delivered twice to the application";
        EXPECT_EQ(plan->made, plan->total);
        EXPECT_GE(sub.stats().reconnects, plan->total);
        std::printf(
            "[ resilience ] QoS 2, subscriber cut %zu times: %zu messages (%zu flagged DUP) in "
            "%.2f s\n",
            plan->made.load(), got.total, got.dup_flagged, seconds_between(start, steady::now()));
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// Both sides behind proxies, 10 cuts each: at least once (MQTT-4.3.2), duplicates counted.
TEST_F(resilience_test, qos1_publisher_and_subscriber_cut_deliver_at_least_once) {
    constexpr std::size_t count = 1000;
    tcp_proxy pub_proxy(broker->plain_port);
    tcp_proxy sub_proxy(broker->plain_port);
    auto pub_plan = std::make_shared<cut_plan>();
    pub_plan->total = 10;
    pub_plan->spacing = 40;
    pub_plan->moments = {
        {flow::to_broker, packet_type::publish, verdict::cut_after},  // PUBACK lost: resent DUP
        {flow::to_client, packet_type::puback, verdict::cut_before},
        {flow::to_client, packet_type::puback, verdict::cut_after},
    };
    auto sub_plan = std::make_shared<cut_plan>();
    sub_plan->total = 10;
    sub_plan->spacing = 40;
    sub_plan->moments = {
        {flow::to_client, packet_type::publish, verdict::cut_after},  // our PUBACK lost
        {flow::to_client, packet_type::publish, verdict::cut_before},
        {flow::to_broker, packet_type::puback, verdict::cut_before},
        {flow::to_broker, packet_type::puback, verdict::cut_after},
    };
    pub_proxy.set_rule(follow(pub_plan));
    sub_proxy.set_rule(follow(sub_plan));
    const steady::time_point start = steady::now();
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), resilient("resil-q1-sub", sub_proxy.port()));
        client_options po = resilient("resil-q1-pub", pub_proxy.port());
        po.publish_rate = 1000;  // see above
        client pub(io.get_executor(), po);
        tally got(count);
        const std::string topic = "resil/q1";
        sub.set_message_handler([&](const session::message_received& r) { got.add(r); });
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = topic;
        s.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{s};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        co_await pub.async_connect(use_awaitable);
        co_await publish_numbered(pub, topic, qos::at_least_once, count, got, 17s);
        EXPECT_EQ(got.missing(), 0u) << "MQTT-4.3.2: QoS 1 is at least once";
        EXPECT_EQ(pub_plan->made, pub_plan->total);
        EXPECT_EQ(sub_plan->made, sub_plan->total);
        std::printf(
            "[ resilience ] QoS 1, 10+10 cuts: %zu messages, %zu duplicates (%zu flagged DUP) in "
            "%.2f s\n",
            got.total, got.duplicates(), got.dup_flagged, seconds_between(start, steady::now()));
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// ---- the broker restarts ----

// A persistent subscriber is offline (its path to the broker is down) while messages are
// published for it and the broker restarts with persistence; when the path returns, the client
// reconnects on its own, the broker says Session Present 1 (MQTT-3.2.2-2) and delivers what it
// kept (MQTT-3.1.2-23, MQTT-4.4.0-1).
TEST_F(resilience_test, persistent_session_survives_a_broker_restart) {
    constexpr std::size_t count = 10;
    tcp_proxy proxy(broker->plain_port);
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), resilient("resil-restart-sub", proxy.port()));
        tally got(count);
        int last_session_present = -1;
        sub.set_message_handler([&](const session::message_received& r) { got.add(r); });
        sub.tap().add([&](const transport::tapped_packet& p) {
            // CONNACK: byte 2 is the Connect Acknowledge Flags, bit 0 Session Present.
            if (p.dir == transport::direction::received && p.bytes.size() >= 3 &&
                (p.bytes[0] >> 4) == type_byte(packet_type::connack)) {
                last_session_present = p.bytes[2] & 1;
            }
        });
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = "resil/restart";
        s.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{s};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        // Mosquitto 2.0 writes to its persistence file only the sessions whose latest CONNECT
        // had Clean Start 0, whatever their Session Expiry Interval: one cut, and the client's
        // own reconnect resumes the session with Clean Start 0.
        proxy.cut();
        auto resumed = [&] {
            return sub.stats().reconnects == 1 && sub.state() == connection_state::connected;
        };
        const bool reconnected = co_await wait_until(resumed, 2s);
        EXPECT_TRUE(reconnected);
        EXPECT_EQ(last_session_present, 1);

        proxy.stop_listening();
        proxy.cut();
        auto offline = [&] { return sub.state() != connection_state::connected; };
        const bool went_offline = co_await wait_until(offline, 2s);
        EXPECT_TRUE(went_offline);

        client pub(io.get_executor(), options("resil-restart-pub"));
        co_await pub.async_connect(use_awaitable);
        for (std::size_t i = 0; i < count; ++i) {
            const session::message m =
                text_message("resil/restart", std::to_string(i), qos::at_least_once);
            const session::publish_completed done = co_await pub.async_publish(m, use_awaitable);
            EXPECT_EQ(done.reason, reason_code::success);  // the offline session matches
        }
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sleep_for(100ms);  // let the broker see the DISCONNECT before it stops

        broker->restart();  // SIGTERM writes the persistence file; the new broker reads it
        const steady::time_point back = steady::now();
        proxy.start_listening();
        auto all = [&] { return got.distinct() == count; };
        const bool all_back = co_await wait_until(all, 10s);
        EXPECT_TRUE(all_back) << got.distinct() << " of " << count
                              << " after the restart; last error " << sub.last_error()
                              << "\nbroker log:\n"
                              << broker->log();
        EXPECT_EQ(last_session_present, 1) << "the restarted broker kept no session";
        std::vector<int> expected(count);
        for (std::size_t i = 0; i < count; ++i)
            expected[i] = int(i);
        EXPECT_EQ(got.order, expected) << "in publication order (MQTT-4.6.0-6)";
        std::printf("[ resilience ] broker restart: %zu messages %.2f s after it was back\n",
                    got.total, seconds_between(back, steady::now()));
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// A session that ends with the connection (Session Expiry 0): after a cut the broker has no
// subscriptions for us (Session Present 0, MQTT-3.2.2-2), and the client subscribes again as soon
// as the CONNACK says so, not with its next packet (a PINGREQ a keep-alive later). A message
// published right after the reconnect arrives.
TEST_F(resilience_test, subscriptions_are_renewed_at_once_when_the_session_was_lost) {
    tcp_proxy proxy(broker->plain_port);
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client_options o = resilient("resil-resubscribe", proxy.port());
        o.mqtt.session_expiry_interval = 0;
        o.mqtt.keep_alive = 60;
        client sub(io.get_executor(), o);
        std::size_t connacks = 0, subacks = 0;
        steady::time_point second_connack{}, second_subscribe{};
        sub.tap().add([&](const transport::tapped_packet& p) {
            const auto type = packet_type(p.bytes[0] >> 4);
            const bool received = p.dir == transport::direction::received;
            if (received && type == packet_type::connack && ++connacks == 2)
                second_connack = steady::now();
            if (!received && type == packet_type::subscribe && connacks == 2)
                second_subscribe = steady::now();
            if (received && type == packet_type::suback) ++subacks;
        });
        tally got(1);
        sub.set_message_handler([&](const session::message_received& r) { got.add(r); });
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = "resil/resubscribe";
        s.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{s};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);

        proxy.cut();
        auto renewed = [&] { return subacks == 2; };
        const bool resubscribed = co_await wait_until(renewed, 5s);
        EXPECT_TRUE(resubscribed) << "no SUBACK on the new connection; last error "
                                  << sub.last_error();
        if (!resubscribed) co_return;
        const double delay = seconds_between(second_connack, second_subscribe);
        EXPECT_LT(delay, 0.5) << "SUBSCRIBE " << delay << " s after the CONNACK";

        client pub(io.get_executor(), options("resil-resubscribe-pub"));
        co_await pub.async_connect(use_awaitable);
        const session::message m = text_message("resil/resubscribe", "0", qos::at_least_once);
        co_await pub.async_publish(m, use_awaitable);
        auto arrived = [&] { return got.distinct() == 1; };
        const bool delivered = co_await wait_until(arrived, 3s);
        EXPECT_TRUE(delivered) << "the message published after the reconnect never arrived";
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

}  // namespace
}  // namespace mqtt::test
