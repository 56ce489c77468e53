// The asynchronous client against a real Mosquitto: connecting (plain, TLS, mutual TLS,
// credentials), publish/subscribe at every QoS with every PUBLISH property end to end.
#include <asio/redirect_error.hpp>
#include <asio/use_future.hpp>

#include "client_fixture.hpp"

namespace mqtt::test {
namespace {

using namespace std::chrono_literals;
using asio::use_awaitable;
using client::client;

// GCC 12 destroys temporaries of a co_await expression twice, and cannot hold an initializer
// list's array in a coroutine frame: arguments to co_await'ed calls are named values.
const session::disconnect_options bye;
const session::subscribe_options no_options;

session::message text_message(std::string topic, std::string text, qos q) {
    session::message m;
    m.topic = std::move(topic);
    m.payload.assign(text.begin(), text.end());
    m.qos = q;
    return m;
}

TEST_F(client_test, connect_plain_and_receive_the_brokers_limits) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), options("basic-connect"));
        const session::connected ack = co_await c.async_connect(use_awaitable);
        // Mosquitto 2.0's defaults (what the broker says, not what we assume of it).
        EXPECT_EQ(ack.limits.topic_alias_maximum, 10);
        EXPECT_EQ(ack.limits.receive_maximum, 20);
        EXPECT_EQ(c.state(), mqtt::client::connection_state::connected);
        co_await c.async_disconnect(bye, use_awaitable);
    });
}

// Spec 3.14.2.2.2: a DISCONNECT may not set a non-zero Session Expiry Interval when CONNECT's
// was 0. async_disconnect refuses such options with the error and leaves the connection as it
// was; a proper DISCONNECT then ends it.
TEST_F(client_test, disconnect_with_options_the_session_refuses_fails_and_stays_connected) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), options("basic-bad-disconnect"));
        co_await c.async_connect(use_awaitable);
        session::disconnect_options keep;
        keep.session_expiry_interval = 60;
        std::error_code ec;
        co_await c.async_disconnect(keep, asio::redirect_error(use_awaitable, ec));
        EXPECT_EQ(ec, session::errc::invalid_argument);
        EXPECT_EQ(c.state(), mqtt::client::connection_state::connected);
        co_await c.async_disconnect(bye, use_awaitable);
    });
}

TEST_F(client_test, qos_0_1_2_round_trip_with_every_property) {
    run([](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), options("basic-sub"));
        client pub(io.get_executor(), options("basic-pub"));
        co_await sub.async_connect(use_awaitable);
        co_await pub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = "basic/#";
        s.max_qos = qos::exactly_once;
        std::vector<session::subscription_request> subs{s};
        const auto granted = co_await sub.async_subscribe(subs, no_options, use_awaitable);
        EXPECT_EQ(granted.reason_codes, std::vector{reason_code::granted_qos_2});
        for (const qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
            session::message m = text_message("basic/q" + std::to_string(int(q)), "hello", q);
            m.props.payload_format_indicator = 1;
            m.props.message_expiry_interval = 300;
            m.props.content_type = "text/plain";
            m.props.response_topic = "basic/reply";
            m.props.correlation_data = session::byte_vector{1, 2, 3};
            m.props.user_properties = {{"k1", "v1"}, {"k2", "v2"}, {"k1", "again"}};
            const auto done = co_await pub.async_publish(m, use_awaitable);
            EXPECT_EQ(done.reason, reason_code::success);
            const session::message_received r = co_await sub.async_receive(use_awaitable);
            EXPECT_EQ(r.message.topic, m.topic);
            EXPECT_EQ(r.message.qos, q);
            EXPECT_EQ(r.message.payload, m.payload);
            EXPECT_EQ(r.message.props.payload_format_indicator, 1);
            EXPECT_EQ(r.message.props.content_type, std::string("text/plain"));
            EXPECT_EQ(r.message.props.response_topic, std::string("basic/reply"));
            EXPECT_EQ(r.message.props.correlation_data, m.props.correlation_data);
            EXPECT_EQ(r.message.props.user_properties, m.props.user_properties);   // in order
            EXPECT_LE(r.message.props.message_expiry_interval.value_or(0), 300u);  // counted down
            EXPECT_GT(r.message.props.message_expiry_interval.value_or(0), 0u);
        }
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// overflow_policy::wait parks the reader while the inbound queue is full; async_disconnect()
// must still get its DISCONNECT out and see the connection close (the parked reader is woken),
// and the messages nobody took stay in the queue.
TEST_F(client_test, disconnect_completes_while_a_full_inbound_queue_holds_the_reader) {
    run(
        [](asio::io_context& io) -> asio::awaitable<void> {
            mqtt::client::client_options o = options("basic-full-queue-sub");
            o.inbound_queue_limit = 1;
            o.inbound_overflow = mqtt::client::overflow_policy::wait;
            client sub(io.get_executor(), o);
            client pub(io.get_executor(), options("basic-full-queue-pub"));
            co_await sub.async_connect(use_awaitable);
            co_await pub.async_connect(use_awaitable);
            session::subscription_request s;
            s.topic_filter = "basic/full";
            s.max_qos = qos::at_least_once;
            const std::vector<session::subscription_request> subs{s};
            co_await sub.async_subscribe(subs, no_options, use_awaitable);
            for (const char* text : {"1", "2", "3"}) {
                const session::message m = text_message("basic/full", text, qos::at_least_once);
                co_await pub.async_publish(m, use_awaitable);
            }
            // The first fills the queue and the reader stops (the rest wait in the socket).
            for (int i = 0; i < 200 && sub.stats().messages_received == 0; ++i)
                co_await sleep_for(10ms);
            EXPECT_GE(sub.stats().messages_received, 1u);
            co_await sub.async_disconnect(bye, use_awaitable);
            EXPECT_EQ(sub.state(), mqtt::client::connection_state::disconnected);
            const session::message_received first = co_await sub.async_receive(use_awaitable);
            EXPECT_EQ(first.message.payload, session::byte_vector{'1'});
            co_await pub.async_disconnect(bye, use_awaitable);
        },
        10s);
}

TEST_F(client_test, use_future_completion_token) {
    asio::io_context io;
    client c(io.get_executor(), options("basic-future"));
    std::thread runner([&] {
        auto guard = asio::make_work_guard(io);
        io.run_for(10s);
    });
    std::future<session::connected> ack = c.async_connect(asio::use_future);
    EXPECT_EQ(ack.wait_for(5s), std::future_status::ready);
    std::future<session::publish_completed> done =
        c.async_publish(text_message("basic/future", "x", qos::at_least_once), asio::use_future);
    // Nobody subscribes to it: Mosquitto answers 0x10 No matching subscribers, still a success.
    EXPECT_EQ(done.get().reason, reason_code::no_matching_subscribers);
    c.async_disconnect({}, asio::use_future).get();
    io.stop();
    runner.join();
}

}  // namespace
}  // namespace mqtt::test
