// The Will Message against a real Mosquitto: published when the connection ends without a
// DISCONNECT (keep-alive expiry, a dropped socket), not published after DISCONNECT 0x00,
// published after DISCONNECT 0x04, and held back by the Will Delay Interval.
#include <asio/executor_work_guard.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <thread>

#include "client_fixture.hpp"

namespace mqtt::test {
namespace {

using namespace std::chrono_literals;
using asio::use_awaitable;
using client::client;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// GCC 12 destroys temporaries of a co_await expression twice, and cannot hold an initializer
// list's array in a coroutine frame: arguments to co_await'ed calls are named values.
const session::disconnect_options bye;
const session::subscribe_options no_options;

class will_test : public client_test {
  public:
    // A client whose CONNECT carries a Will on `topic` (QoS 1, not retained, with properties
    // that must come through unchanged).
    static mqtt::client::client_options with_will(std::string client_id, std::string topic) {
        mqtt::client::client_options o = options(std::move(client_id));
        o.reconnect = false;
        session::will_options will;
        will.message.topic = std::move(topic);
        const std::string text = "gone";
        will.message.payload.assign(text.begin(), text.end());
        will.message.qos = qos::at_least_once;
        will.message.props.content_type = "text/plain";
        will.message.props.user_properties = {{"why", "test"}, {"order", "2"}, {"why", "again"}};
        o.mqtt.will = will;
        return o;
    }
};

std::string text_of(const session::message& m) {
    return std::string(m.payload.begin(), m.payload.end());
}

// Messages taken by a message handler, so a test can also see that nothing arrives. Shared with
// the handler, which may outlive the test body by a little.
struct inbox {
    std::deque<session::message_received> messages;
};

std::shared_ptr<inbox> collect(client& c) {
    auto box = std::make_shared<inbox>();
    c.set_message_handler(
        [box](const session::message_received& m) { box->messages.push_back(m); });
    return box;
}

// The next collected message, or nullopt when none came within `limit`.
asio::awaitable<std::optional<session::message_received>> next_message(inbox& box,
                                                                       milliseconds limit) {
    const auto until = steady_clock::now() + limit;
    while (box.messages.empty() && steady_clock::now() < until) {
        co_await sleep_for(5ms);
    }
    if (box.messages.empty()) co_return std::nullopt;
    session::message_received m = std::move(box.messages.front());
    box.messages.pop_front();
    co_return m;
}

// A watcher subscribed to will/# at QoS 1.
asio::awaitable<void> watch(client& watcher) {
    co_await watcher.async_connect(use_awaitable);
    session::subscription_request s;
    s.topic_filter = "will/#";
    s.max_qos = qos::at_least_once;
    const std::vector<session::subscription_request> subs{s};
    co_await watcher.async_subscribe(subs, no_options, use_awaitable);
}

// The Will as the watcher received it: topic, payload, properties in order (MQTT-3.1.3-10), not
// retained (Will Retain 0, MQTT-3.1.2-14).
void expect_the_will(const std::optional<session::message_received>& r, const std::string& topic) {
    EXPECT_TRUE(r.has_value()) << "no Will on " << topic;
    if (!r) return;
    EXPECT_EQ(r->message.topic, topic);
    EXPECT_EQ(text_of(r->message), "gone");
    EXPECT_EQ(r->message.qos, qos::at_least_once);
    EXPECT_FALSE(r->message.retain);
    EXPECT_EQ(r->message.props.content_type, std::optional<std::string>("text/plain"));
    const session::user_property_list expected{{"why", "test"}, {"order", "2"}, {"why", "again"}};
    EXPECT_EQ(r->message.props.user_properties, expected);
}

// MQTT-3.1.2-8: the connection ends without DISCONNECT because the client goes silent. The will
// client runs on its own io_context and thread; stopping that io_context leaves its socket open
// but silent, so Mosquitto closes it once 1.5 x the 1 s keep-alive has passed (MQTT-3.1.2-22),
// and publishes the Will. Mosquitto 2.0.11 looks at keep-alives only every 5 to 6 s (its
// keepalive__check()), so the Will comes 2 to 8 s after the client fell silent.
TEST_F(will_test, will_is_published_when_keep_alive_expires) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client watcher(io.get_executor(), options("will-ka-watcher"));
        auto box = collect(watcher);
        co_await watch(watcher);

        asio::io_context will_io;
        mqtt::client::client_options o = with_will("will-ka", "will/keep-alive");
        o.mqtt.keep_alive = 1;
        auto dying = std::make_unique<client>(will_io.get_executor(), o);
        std::thread runner([&will_io] {
            auto busy = asio::make_work_guard(will_io);
            will_io.run();
        });
        const session::connected ack = co_await dying->async_connect(use_awaitable);
        EXPECT_EQ(ack.keep_alive, 1);
        will_io.stop();  // the client says nothing more, not even PINGREQ
        runner.join();
        const auto silent_since = steady_clock::now();

        const auto r = co_await next_message(*box, 10000ms);
        const auto waited = steady_clock::now() - silent_since;
        expect_the_will(r, "will/keep-alive");
        // Not before the keep-alive ran out (Mosquitto counts whole seconds: 1 to 3 s here).
        EXPECT_GE(waited, 900ms);

        // The silent client goes away: its socket closes (the broker closed its side already).
        dying.reset();
        will_io.restart();
        will_io.run_for(200ms);
        co_await watcher.async_disconnect(bye, use_awaitable);
    });
}

// MQTT-3.1.2-8: the network connection closes without DISCONNECT (the client is destroyed while
// connected): the Will is published at once.
TEST_F(will_test, will_is_published_when_the_connection_drops) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client watcher(io.get_executor(), options("will-drop-watcher"));
        auto box = collect(watcher);
        co_await watch(watcher);
        auto dying =
            std::make_unique<client>(io.get_executor(), with_will("will-drop", "will/drop"));
        co_await dying->async_connect(use_awaitable);
        dying.reset();  // closes the socket; no DISCONNECT is sent
        const auto closed_at = steady_clock::now();
        const auto r = co_await next_message(*box, 3000ms);
        expect_the_will(r, "will/drop");
        EXPECT_LT(steady_clock::now() - closed_at, 1500ms);
        co_await watcher.async_disconnect(bye, use_awaitable);
    });
}

// MQTT-3.1.2-10 / MQTT-3.14.4-3: after DISCONNECT 0x00 the broker discards the Will.
TEST_F(will_test, no_will_after_a_normal_disconnect) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client watcher(io.get_executor(), options("will-normal-watcher"));
        auto box = collect(watcher);
        co_await watch(watcher);
        client leaving(io.get_executor(), with_will("will-normal", "will/normal"));
        co_await leaving.async_connect(use_awaitable);
        co_await leaving.async_disconnect(bye, use_awaitable);  // reason 0x00
        // A marker published after the broker has seen the DISCONNECT and the close: a Will
        // would have come before it.
        co_await sleep_for(300ms);
        session::message marker;
        marker.topic = "will/marker";
        marker.qos = qos::at_least_once;
        co_await watcher.async_publish(marker, use_awaitable);
        const auto r = co_await next_message(*box, 2000ms);
        EXPECT_TRUE(r.has_value());
        if (!r) co_return;
        EXPECT_EQ(r->message.topic, "will/marker");
        const auto more = co_await next_message(*box, 200ms);
        EXPECT_FALSE(more.has_value()) << more->message.topic;
        co_await watcher.async_disconnect(bye, use_awaitable);
    });
}

// Spec 3.14.2.1: DISCONNECT 0x04 Disconnect with Will Message asks the broker to publish the
// Will all the same.
TEST_F(will_test, will_is_published_after_disconnect_with_will_message) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client watcher(io.get_executor(), options("will-0x04-watcher"));
        auto box = collect(watcher);
        co_await watch(watcher);
        client leaving(io.get_executor(), with_will("will-0x04", "will/0x04"));
        co_await leaving.async_connect(use_awaitable);
        session::disconnect_options with_will_message;
        with_will_message.reason = reason_code::disconnect_with_will_message;
        co_await leaving.async_disconnect(with_will_message, use_awaitable);
        const auto r = co_await next_message(*box, 3000ms);
        expect_the_will(r, "will/0x04");
        co_await watcher.async_disconnect(bye, use_awaitable);
    });
}

// MQTT-3.1.2-8 with a Will Delay Interval of 2 s (Session Expiry Interval 10 s, so the delay is
// what counts): the Will comes no earlier than 2 s after the connection dropped. Mosquitto checks
// in whole seconds and publishes once the delay has fully passed: 2 to 3 s.
TEST_F(will_test, will_waits_for_the_will_delay_interval) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client watcher(io.get_executor(), options("will-delay-watcher"));
        auto box = collect(watcher);
        co_await watch(watcher);
        mqtt::client::client_options o = with_will("will-delay", "will/delay");
        o.mqtt.will->will_delay_interval = 2;
        o.mqtt.session_expiry_interval = 10;
        auto dying = std::make_unique<client>(io.get_executor(), o);
        co_await dying->async_connect(use_awaitable);
        dying.reset();  // closes the socket; no DISCONNECT is sent
        const auto closed_at = steady_clock::now();
        const auto early = co_await next_message(*box, 1500ms);
        EXPECT_FALSE(early.has_value()) << "the Will came before its delay";
        const auto r = co_await next_message(*box, 3500ms);
        const auto waited = steady_clock::now() - closed_at;
        expect_the_will(r, "will/delay");
        EXPECT_GE(waited, 1900ms);
        EXPECT_LT(waited, 4500ms);
        co_await watcher.async_disconnect(bye, use_awaitable);
    });
}

}  // namespace
}  // namespace mqtt::test
