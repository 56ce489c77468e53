// The asynchronous client against a real Mosquitto: retained messages, message expiry in an
// offline session, request/response, topic aliases, large messages, subscription identifiers,
// No Local, unsubscribing, the inbound queue's overflow policies and the message handler.
#include <algorithm>
#include <array>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>

#include "client_fixture.hpp"
#include "protocol/codec.hpp"

namespace mqtt::test {
namespace {

using namespace std::chrono_literals;
using asio::use_awaitable;
using client::client;
using std::chrono::milliseconds;

// GCC 12 destroys temporaries of a co_await expression twice, and cannot hold an initializer
// list's array in a coroutine frame: arguments to co_await'ed calls are named values.
const session::disconnect_options bye;
const session::subscribe_options no_options;

class messaging_test : public client_test {
  public:
    using client_test::options;  // for the helper coroutines below
};

session::message text_message(std::string topic, std::string_view text, qos q) {
    session::message m;
    m.topic = std::move(topic);
    m.payload.assign(text.begin(), text.end());
    m.qos = q;
    return m;
}

std::string text_of(const session::message& m) {
    return std::string(m.payload.begin(), m.payload.end());
}

std::vector<session::subscription_request> one_filter(std::string filter, qos q) {
    session::subscription_request s;
    s.topic_filter = std::move(filter);
    s.max_qos = q;
    return {s};
}

// Messages taken by a message handler, for tests that must also see that nothing arrives (an
// async_receive cannot be abandoned after a timeout). Shared with the handler, which may outlive
// the test body by a little.
struct inbox {
    std::deque<session::message_received> messages;
    std::size_t seen = 0;
};

std::shared_ptr<inbox> collect(client& c) {
    auto box = std::make_shared<inbox>();
    c.set_message_handler([box](const session::message_received& m) {
        box->messages.push_back(m);
        ++box->seen;
    });
    return box;
}

// The next collected message, or nullopt when none came within `limit`.
asio::awaitable<std::optional<session::message_received>> next_message(inbox& box,
                                                                       milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (box.messages.empty() && std::chrono::steady_clock::now() < until) {
        co_await sleep_for(5ms);
    }
    if (box.messages.empty()) co_return std::nullopt;
    session::message_received m = std::move(box.messages.front());
    box.messages.pop_front();
    co_return m;
}

// Polls `done` until it holds or `limit` passes; returns its last value.
template <class Predicate>
asio::awaitable<bool> wait_until(const Predicate& done, milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) {
        co_await sleep_for(5ms);
    }
    co_return done();
}

// ---- retained messages ----

TEST_F(messaging_test, retained_message_reaches_a_late_subscriber_and_is_cleared_by_empty_payload) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        const std::string topic = "msg/retained/a";
        client pub(io.get_executor(), options("msg-retain-pub"));
        co_await pub.async_connect(use_awaitable);
        session::message kept = text_message(topic, "kept", qos::at_least_once);
        kept.retain = true;
        co_await pub.async_publish(kept, use_awaitable);

        // MQTT-3.3.1-5 / MQTT-3.3.1-9: a new subscription gets the retained message, RETAIN=1.
        client late(io.get_executor(), options("msg-retain-late"));
        auto late_box = collect(late);
        co_await late.async_connect(use_awaitable);
        const auto subs = one_filter(topic, qos::at_least_once);
        co_await late.async_subscribe(subs, no_options, use_awaitable);
        const auto r = co_await next_message(*late_box, 2000ms);
        EXPECT_TRUE(r.has_value());
        if (!r) co_return;
        EXPECT_EQ(r->message.topic, topic);
        EXPECT_EQ(text_of(r->message), "kept");
        EXPECT_TRUE(r->message.retain);

        // MQTT-3.3.1-6 / MQTT-3.3.1-7: an empty retained PUBLISH is delivered normally (here
        // with RETAIN=0: Retain As Published is 0, MQTT-3.3.1-12) and clears the topic.
        session::message clear = text_message(topic, "", qos::at_least_once);
        clear.retain = true;
        co_await pub.async_publish(clear, use_awaitable);
        const auto cleared = co_await next_message(*late_box, 2000ms);
        EXPECT_TRUE(cleared.has_value());
        if (cleared) {
            EXPECT_TRUE(cleared->message.payload.empty());
            EXPECT_FALSE(cleared->message.retain);
        }

        client later(io.get_executor(), options("msg-retain-later"));
        auto later_box = collect(later);
        co_await later.async_connect(use_awaitable);
        co_await later.async_subscribe(subs, no_options, use_awaitable);
        const auto nothing = co_await next_message(*later_box, 300ms);
        EXPECT_FALSE(nothing.has_value()) << text_of(nothing->message);
        co_await later.async_disconnect(bye, use_awaitable);
        co_await late.async_disconnect(bye, use_awaitable);
        co_await pub.async_disconnect(bye, use_awaitable);
    });
}

// ---- message expiry in an offline session ----

// Mosquitto counts expiry in whole wall-clock seconds: a message published early in a second
// has a lifetime that is easy to predict.
asio::awaitable<void> wait_for_the_next_wall_clock_second() {
    const auto into = std::chrono::system_clock::now().time_since_epoch() % 1s;
    co_await sleep_for(std::chrono::duration_cast<milliseconds>(1s - into) + 20ms);
}

// A persistent session (Clean Start 1, Session Expiry Interval 60) subscribed at QoS 1, then
// offline; one QoS 1 message with Message Expiry Interval 2 s is published to it; after
// `offline` the same client connects again (Clean Start 0) and resumes the session. Returns what
// arrived within a short wait.
//
// The same client object reconnects: a new client with Clean Start 0 and an empty store refuses
// the broker's Session Present 1 as a protocol error ("holds no session state", MQTT-3.2.2-4),
// see the report that came with this file.
asio::awaitable<std::optional<session::message_received>> resume_after(asio::io_context& io,
                                                                       std::string_view id,
                                                                       milliseconds offline) {
    const std::string topic = "msg/expiry/" + std::string(id);
    mqtt::client::client_options o = messaging_test::options(std::string(id));
    o.mqtt.clean_start = true;
    o.mqtt.session_expiry_interval = 60;
    client sub(io.get_executor(), o);
    auto box = collect(sub);
    const session::connected first = co_await sub.async_connect(use_awaitable);
    EXPECT_FALSE(first.session_present);
    const auto subs = one_filter(topic, qos::at_least_once);
    co_await sub.async_subscribe(subs, no_options, use_awaitable);
    co_await sub.async_disconnect(bye, use_awaitable);

    client pub(io.get_executor(), messaging_test::options(std::string(id) + "-pub"));
    co_await pub.async_connect(use_awaitable);
    co_await wait_for_the_next_wall_clock_second();
    session::message m = text_message(topic, "short-lived", qos::at_least_once);
    m.props.message_expiry_interval = 2;
    const auto done = co_await pub.async_publish(m, use_awaitable);
    EXPECT_EQ(done.reason, reason_code::success);  // the offline session is a subscriber
    co_await pub.async_disconnect(bye, use_awaitable);

    co_await sleep_for(offline);
    const session::connected again = co_await sub.async_connect(use_awaitable);
    EXPECT_TRUE(again.session_present);
    std::optional<session::message_received> r = co_await next_message(*box, 500ms);
    session::disconnect_options end_session;
    end_session.session_expiry_interval = 0;
    co_await sub.async_disconnect(end_session, use_awaitable);
    co_return r;
}

// MQTT-3.3.2-6: delivered after ~1 s offline, with the lifetime left (1 s: Mosquitto rounds to
// whole seconds).
TEST_F(messaging_test, message_to_an_offline_session_arrives_with_its_remaining_lifetime) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        const auto r = co_await resume_after(io, "msg-expiry-alive", 1000ms);
        EXPECT_TRUE(r.has_value());
        if (!r) co_return;
        EXPECT_EQ(text_of(r->message), "short-lived");
        EXPECT_TRUE(r->message.props.message_expiry_interval.has_value());
        EXPECT_GE(r->message.props.message_expiry_interval.value_or(0), 1u);
        EXPECT_LE(r->message.props.message_expiry_interval.value_or(99), 2u);
    });
}

// MQTT-3.3.2-5: after ~3 s offline the 2 s message has expired and is not delivered.
TEST_F(messaging_test, message_to_an_offline_session_expires) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        const auto r = co_await resume_after(io, "msg-expiry-dead", 3000ms);
        EXPECT_FALSE(r.has_value()) << text_of(r->message);
    });
}

// ---- request/response (spec 4.10) ----

struct responder_log {
    std::vector<std::string> response_topics;
    std::vector<session::byte_vector> correlations;
    std::exception_ptr failure;
    bool done = false;
};

// Answers `count` requests with "re: " + the request's payload.
asio::awaitable<void> respond(client& responder, int count, responder_log& log) {
    for (int i = 0; i < count; ++i) {
        const session::message_received req = co_await responder.async_receive(use_awaitable);
        EXPECT_TRUE(req.message.props.response_topic.has_value());
        EXPECT_TRUE(req.message.props.correlation_data.has_value());
        log.response_topics.push_back(req.message.props.response_topic.value_or(""));
        log.correlations.push_back(
            req.message.props.correlation_data.value_or(session::byte_vector{}));
        const session::message answer =
            text_message("", "re: " + text_of(req.message), qos::at_least_once);
        const auto sent = co_await responder.async_reply(req.message, answer, use_awaitable);
        EXPECT_FALSE(sent.error);
    }
}

TEST_F(messaging_test, request_and_response_end_to_end) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client responder(io.get_executor(), options("msg-rr-responder"));
        client requester(io.get_executor(), options("msg-rr-requester"));
        co_await responder.async_connect(use_awaitable);
        co_await requester.async_connect(use_awaitable);
        const auto subs = one_filter("rr/service", qos::at_least_once);
        co_await responder.async_subscribe(subs, no_options, use_awaitable);
        responder_log log;
        asio::co_spawn(io, respond(responder, 2, log), [&log](std::exception_ptr e) {
            log.failure = e;
            log.done = true;
        });

        const milliseconds patience = 3s;
        const std::array<std::string_view, 2> texts{"ping", "again"};
        for (const std::string_view text : texts) {
            const session::message request = text_message("rr/service", text, qos::at_least_once);
            const session::message_received answer =
                co_await requester.async_request(request, patience, use_awaitable);
            EXPECT_EQ(text_of(answer.message), "re: " + std::string(text));
            // MQTT-3.3.2-15 / MQTT-3.3.2-16: the broker forwards Response Topic and Correlation
            // Data unchanged; the answer comes back on that topic with that correlation.
            EXPECT_FALSE(log.response_topics.empty());
            if (log.response_topics.empty()) co_return;
            EXPECT_EQ(answer.message.topic, log.response_topics.back());
            EXPECT_EQ(answer.message.props.correlation_data,
                      std::optional(log.correlations.back()));
        }
        // One response topic for both requests, different correlation data.
        EXPECT_EQ(log.response_topics.size(), 2u);
        if (log.response_topics.size() == 2) {
            EXPECT_EQ(log.response_topics[0], log.response_topics[1]);
            EXPECT_NE(log.correlations[0], log.correlations[1]);
        }
        const auto finished = [&log] { return log.done; };
        const bool finished_in_time = co_await wait_until(finished, 2000ms);
        EXPECT_TRUE(finished_in_time);
        if (log.failure) std::rethrow_exception(log.failure);
        co_await requester.async_disconnect(bye, use_awaitable);
        co_await responder.async_disconnect(bye, use_awaitable);
    });
}

TEST_F(messaging_test, request_nobody_answers_times_out) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client requester(io.get_executor(), options("msg-rr-lonely"));
        co_await requester.async_connect(use_awaitable);
        const session::message request = text_message("rr/nobody", "hello?", qos::at_least_once);
        const milliseconds patience = 300ms;
        std::error_code ec;
        auto with_ec = asio::redirect_error(use_awaitable, ec);
        const auto start = std::chrono::steady_clock::now();
        co_await requester.async_request(request, patience, with_ec);
        const auto waited = std::chrono::steady_clock::now() - start;
        EXPECT_EQ(ec, mqtt::client::errc::timed_out) << ec.message();
        EXPECT_GE(waited, 290ms);
        EXPECT_LT(waited, 2000ms);
        EXPECT_EQ(requester.state(), mqtt::client::connection_state::connected);
        co_await requester.async_disconnect(bye, use_awaitable);
    });
}

// ---- topic aliases ----

struct sent_publish {
    std::string topic;
    std::optional<std::uint16_t> alias;
};

// MQTT-3.2.2-17 / MQTT-3.3.2-9 / MQTT-3.3.2-8: the client gives a topic an alias within the
// broker's Topic Alias Maximum (10 for Mosquitto) and never 0; the second PUBLISH to the topic
// carries only the alias. The subscriber still gets the full topic.
TEST_F(messaging_test, topic_alias_replaces_the_topic_on_the_second_publish) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), options("msg-alias-sub"));
        client pub(io.get_executor(), options("msg-alias-pub"));
        auto sent = std::make_shared<std::vector<sent_publish>>();
        pub.tap().add([sent](const transport::tapped_packet& p) {
            if (p.dir != transport::direction::sent) return;
            const decode_result r = decode(p.bytes);
            if (r.status != decode_status::complete) return;
            if (const auto* pk = std::get_if<mqtt::publish>(&r.value)) {
                sent->push_back({std::string(pk->topic), pk->props.topic_alias});
            }
        });
        co_await sub.async_connect(use_awaitable);
        const session::connected ack = co_await pub.async_connect(use_awaitable);
        EXPECT_EQ(ack.limits.topic_alias_maximum, 10);
        const auto subs = one_filter("msg/alias/#", qos::at_least_once);
        co_await sub.async_subscribe(subs, no_options, use_awaitable);

        const std::string topic = "msg/alias/a-rather-long-topic-name";
        const std::array<std::string_view, 2> texts{"first", "second"};
        for (const std::string_view text : texts) {
            const session::message m = text_message(topic, text, qos::at_least_once);
            const auto done = co_await pub.async_publish(m, use_awaitable);
            EXPECT_EQ(done.reason, reason_code::success);
            const session::message_received r = co_await sub.async_receive(use_awaitable);
            EXPECT_EQ(r.message.topic, topic);
            EXPECT_EQ(text_of(r.message), std::string(text));
            // The subscriber announced no Topic Alias Maximum: no aliases to it (MQTT-3.1.2-27).
            EXPECT_FALSE(r.topic_alias.has_value());
        }
        EXPECT_EQ(sent->size(), 2u);
        if (sent->size() != 2) co_return;
        const sent_publish& first = (*sent)[0];
        const sent_publish& second = (*sent)[1];
        EXPECT_EQ(first.topic, topic);
        EXPECT_TRUE(first.alias.has_value());
        EXPECT_GE(first.alias.value_or(0), 1);
        EXPECT_LE(first.alias.value_or(0), 10);
        EXPECT_EQ(second.topic, "");
        EXPECT_EQ(second.alias, first.alias);
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// ---- sizes ----

TEST_F(messaging_test, one_megabyte_message_at_qos_1) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), options("msg-big-sub"));
        client pub(io.get_executor(), options("msg-big-pub"));
        co_await sub.async_connect(use_awaitable);
        co_await pub.async_connect(use_awaitable);
        const auto subs = one_filter("msg/big", qos::at_least_once);
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        session::message m;
        m.topic = "msg/big";
        m.qos = qos::at_least_once;
        m.payload.resize(1024 * 1024);
        for (std::size_t i = 0; i < m.payload.size(); ++i)
            m.payload[i] = std::uint8_t(i * 31 % 251);
        const auto done = co_await pub.async_publish(m, use_awaitable);
        EXPECT_EQ(done.reason, reason_code::success);
        const session::message_received r = co_await sub.async_receive(use_awaitable);
        EXPECT_EQ(r.message.qos, qos::at_least_once);
        EXPECT_EQ(r.message.payload.size(), m.payload.size());
        EXPECT_TRUE(r.message.payload == m.payload);  // (not EXPECT_EQ: 1 MB in a failure text)
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// MQTT-3.2.2-15: a PUBLISH over the server's Maximum Packet Size is refused locally, nothing
// sent. Mosquitto announces a Maximum Packet Size only when configured with max_packet_size,
// which the shared fixture is not: then there is no limit to exceed and the test is skipped.
TEST_F(messaging_test, publish_over_the_brokers_maximum_packet_size_is_refused_locally) {
    std::uint32_t announced = 0;
    run([&announced](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), options("msg-too-large"));
        const session::connected ack = co_await c.async_connect(use_awaitable);
        announced = ack.limits.maximum_packet_size;
        if (announced < max_packet_size_limit) {
            session::message m;
            m.topic = "msg/too-large";
            m.qos = qos::at_least_once;
            m.payload.resize(announced);  // the payload alone fills the packet: over by the header
            std::error_code ec;
            auto with_ec = asio::redirect_error(use_awaitable, ec);
            co_await c.async_publish(m, with_ec);
            EXPECT_EQ(ec, session::errc::packet_too_large) << ec.message();
            EXPECT_EQ(c.state(), mqtt::client::connection_state::connected);
        }
        co_await c.async_disconnect(bye, use_awaitable);
    });
    // The fixture configures max_packet_size 2000000, which Mosquitto announces in CONNACK.
    EXPECT_EQ(announced, 2'000'000u);
}

// ---- subscriptions ----

// MQTT-3.3.4-3: the Subscription Identifier of the matching subscription comes with the message.
TEST_F(messaging_test, subscription_identifier_is_on_the_delivered_message) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), options("msg-subid-sub"));
        client pub(io.get_executor(), options("msg-subid-pub"));
        const session::connected ack = co_await sub.async_connect(use_awaitable);
        EXPECT_TRUE(ack.limits.subscription_identifier_available);
        co_await pub.async_connect(use_awaitable);
        session::subscribe_options with_id;
        with_id.subscription_identifier = 4242;
        const auto subs = one_filter("msg/subid/#", qos::at_least_once);
        const auto granted = co_await sub.async_subscribe(subs, with_id, use_awaitable);
        EXPECT_EQ(granted.reason_codes, std::vector{reason_code::granted_qos_1});
        const session::message m = text_message("msg/subid/x", "tagged", qos::at_least_once);
        co_await pub.async_publish(m, use_awaitable);
        const session::message_received r = co_await sub.async_receive(use_awaitable);
        EXPECT_EQ(r.message.props.subscription_identifiers, std::vector<std::uint32_t>{4242});
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// MQTT-3.8.3-3: with No Local the broker never sends a client its own publications.
TEST_F(messaging_test, no_local_subscriber_does_not_get_its_own_messages) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client self(io.get_executor(), options("msg-nolocal-self"));
        client other(io.get_executor(), options("msg-nolocal-other"));
        co_await self.async_connect(use_awaitable);
        co_await other.async_connect(use_awaitable);
        session::subscription_request no_local;
        no_local.topic_filter = "msg/nolocal";
        no_local.max_qos = qos::at_least_once;
        no_local.no_local = true;
        const std::vector<session::subscription_request> self_subs{no_local};
        co_await self.async_subscribe(self_subs, no_options, use_awaitable);
        const auto other_subs = one_filter("msg/nolocal", qos::at_least_once);
        co_await other.async_subscribe(other_subs, no_options, use_awaitable);

        const session::message own = text_message("msg/nolocal", "from self", qos::at_least_once);
        const auto done = co_await self.async_publish(own, use_awaitable);
        EXPECT_EQ(done.reason, reason_code::success);
        const session::message_received at_other = co_await other.async_receive(use_awaitable);
        EXPECT_EQ(text_of(at_other.message), "from self");
        // Published after the broker handled "from self": if that had been sent back to self, it
        // would come first.
        const session::message theirs =
            text_message("msg/nolocal", "from other", qos::at_least_once);
        co_await other.async_publish(theirs, use_awaitable);
        const session::message_received at_self = co_await self.async_receive(use_awaitable);
        EXPECT_EQ(text_of(at_self.message), "from other");
        EXPECT_EQ(self.stats().messages_received, 1u);
        co_await other.async_disconnect(bye, use_awaitable);
        co_await self.async_disconnect(bye, use_awaitable);
    });
}

// MQTT-3.10.4-2: after UNSUBACK the broker sends no more messages for the filter.
TEST_F(messaging_test, unsubscribe_stops_delivery) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), options("msg-unsub-sub"));
        client pub(io.get_executor(), options("msg-unsub-pub"));
        co_await sub.async_connect(use_awaitable);
        co_await pub.async_connect(use_awaitable);
        session::subscription_request topic;
        topic.topic_filter = "msg/unsub/topic";
        topic.max_qos = qos::at_least_once;
        session::subscription_request marker;
        marker.topic_filter = "msg/unsub/marker";
        marker.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{topic, marker};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);

        const session::message m = text_message("msg/unsub/topic", "before", qos::at_least_once);
        co_await pub.async_publish(m, use_awaitable);
        const session::message_received before = co_await sub.async_receive(use_awaitable);
        EXPECT_EQ(text_of(before.message), "before");

        const std::vector<std::string> filters{"msg/unsub/topic"};
        const auto gone = co_await sub.async_unsubscribe(filters, use_awaitable);
        EXPECT_EQ(gone.reason_codes, std::vector{reason_code::success});

        const session::message after = text_message("msg/unsub/topic", "after", qos::at_least_once);
        const auto done = co_await pub.async_publish(after, use_awaitable);
        // Mosquitto says so itself: nobody is subscribed any more.
        EXPECT_EQ(done.reason, reason_code::no_matching_subscribers);
        const session::message mark = text_message("msg/unsub/marker", "mark", qos::at_least_once);
        co_await pub.async_publish(mark, use_awaitable);
        const session::message_received next = co_await sub.async_receive(use_awaitable);
        EXPECT_EQ(next.message.topic, "msg/unsub/marker");
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// ---- the inbound queue and the message handler ----

// Five messages into a queue of two that nobody reads; returns the two that are left.
asio::awaitable<std::vector<std::string>> overflow(asio::io_context& io, std::string_view id,
                                                   mqtt::client::overflow_policy policy) {
    mqtt::client::client_options o = messaging_test::options(std::string(id) + "-sub");
    o.inbound_queue_limit = 2;
    o.inbound_overflow = policy;
    client sub(io.get_executor(), o);
    client pub(io.get_executor(), messaging_test::options(std::string(id) + "-pub"));
    co_await sub.async_connect(use_awaitable);
    co_await pub.async_connect(use_awaitable);
    const std::string topic = "msg/overflow/" + std::string(id);
    const auto subs = one_filter(topic, qos::at_least_once);
    co_await sub.async_subscribe(subs, no_options, use_awaitable);
    const std::array<std::string_view, 5> texts{"0", "1", "2", "3", "4"};
    for (const std::string_view text : texts) {
        const session::message m = text_message(topic, text, qos::at_least_once);
        co_await pub.async_publish(m, use_awaitable);
        if (text == "1") {
            // The queue is full now; what comes next arrives in reads of its own, which a drop
            // policy must keep doing (only overflow_policy::wait stops reading).
            const auto two_in = [&sub] { return sub.stats().messages_received >= 2; };
            EXPECT_TRUE(co_await wait_until(two_in, 3000ms));
        }
    }
    const auto all_in = [&sub] { return sub.stats().messages_received >= 5; };
    const bool all_arrived = co_await wait_until(all_in, 3000ms);
    EXPECT_TRUE(all_arrived);
    EXPECT_EQ(sub.stats().messages_received, 5u);
    EXPECT_EQ(sub.stats().inbound_dropped, 3u);
    std::vector<std::string> left;
    for (int i = 0; i < 2; ++i) {
        const session::message_received r = co_await sub.async_receive(use_awaitable);
        left.push_back(text_of(r.message));
    }
    co_await pub.async_disconnect(bye, use_awaitable);
    co_await sub.async_disconnect(bye, use_awaitable);
    co_return left;
}

TEST_F(messaging_test, inbound_queue_drop_oldest_keeps_the_newest) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        const auto left =
            co_await overflow(io, "msg-drop-oldest", mqtt::client::overflow_policy::drop_oldest);
        EXPECT_EQ(left, (std::vector<std::string>{"3", "4"}));
    });
}

TEST_F(messaging_test, inbound_queue_drop_newest_keeps_the_oldest) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        const auto left =
            co_await overflow(io, "msg-drop-newest", mqtt::client::overflow_policy::drop_newest);
        EXPECT_EQ(left, (std::vector<std::string>{"0", "1"}));
    });
}

TEST_F(messaging_test, message_handler_sees_every_message) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), options("msg-handler-sub"));
        client pub(io.get_executor(), options("msg-handler-pub"));
        auto box = collect(sub);
        co_await sub.async_connect(use_awaitable);
        co_await pub.async_connect(use_awaitable);
        const auto subs = one_filter("msg/handler/#", qos::exactly_once);
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        const int count = 30;
        std::vector<std::string> published;
        for (int i = 0; i < count; ++i) {
            const qos q = qos(i % 3);
            const std::string text = "m" + std::to_string(i) + "q" + std::to_string(i % 3);
            const session::message m = text_message("msg/handler/" + std::to_string(i), text, q);
            co_await pub.async_publish(m, use_awaitable);
            published.push_back(text);
        }
        const auto all_in = [&box] { return box->seen >= std::size_t(count); };
        const bool all_arrived = co_await wait_until(all_in, 3000ms);
        EXPECT_TRUE(all_arrived);
        std::vector<std::string> received;
        for (const session::message_received& r : box->messages) {
            received.push_back(text_of(r.message));
            EXPECT_EQ(r.message.topic.substr(0, 12), "msg/handler/");
            EXPECT_EQ(int(r.message.qos), text_of(r.message).back() - '0');  // granted QoS 2
        }
        std::sort(received.begin(), received.end());
        std::sort(published.begin(), published.end());
        EXPECT_EQ(received, published);
        EXPECT_EQ(sub.stats().messages_received, std::size_t(count));
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

}  // namespace
}  // namespace mqtt::test
