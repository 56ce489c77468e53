// How the asynchronous client takes publishes, against a real Mosquitto: the offline queue while
// the path to the broker is down, the publish rate, and calls from many threads.
#include <asio/redirect_error.hpp>
#include <asio/use_future.hpp>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
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

// ---- the offline queue ----

// While the path to the broker is down (after a first connection), QoS 1 publishes wait, up to
// max_offline_queue; one more fails with offline_queue_full. When the path returns, the queued
// messages go out in order (MQTT-4.6.0-1) and complete.
TEST_F(resilience_test, offline_queue_holds_up_to_its_limit_then_delivers_in_order) {
    constexpr std::size_t limit = 5;
    tcp_proxy proxy(broker->plain_port);
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client sub(io.get_executor(), resilient("resil-offline-sub", broker->plain_port));
        client_options o = resilient("resil-offline-pub", proxy.port());
        o.max_offline_queue = limit;
        client pub(io.get_executor(), o);
        tally got(limit);
        sub.set_message_handler([&](const session::message_received& r) { got.add(r); });
        co_await sub.async_connect(use_awaitable);
        session::subscription_request s;
        s.topic_filter = "resil/offline";
        s.max_qos = qos::at_least_once;
        const std::vector<session::subscription_request> subs{s};
        co_await sub.async_subscribe(subs, no_options, use_awaitable);
        co_await pub.async_connect(use_awaitable);

        proxy.stop_listening();
        proxy.cut();
        auto offline = [&] { return pub.state() != connection_state::connected; };
        const bool went_offline = co_await wait_until(offline, 2s);
        EXPECT_TRUE(went_offline);
        std::vector<std::error_code> results;
        std::size_t completed = 0;
        for (std::size_t i = 0; i < limit; ++i) {
            pub.async_publish(text_message("resil/offline", std::to_string(i), qos::at_least_once),
                              [&](std::error_code ec, const session::publish_completed&) {
                                  results.push_back(ec);
                                  ++completed;
                              });
        }
        const session::message one_more =
            text_message("resil/offline", "one more", qos::at_least_once);
        std::error_code refused;
        co_await pub.async_publish(one_more, asio::redirect_error(use_awaitable, refused));
        EXPECT_EQ(refused, make_error_code(errc::offline_queue_full)) << refused.message();
        co_await sleep_for(100ms);
        EXPECT_EQ(completed, 0u) << "completed while the broker was unreachable";
        EXPECT_EQ(got.total, 0u);

        proxy.start_listening();
        auto delivered = [&] { return completed == limit && got.distinct() == limit; };
        const bool all_delivered = co_await wait_until(delivered, 5s);
        EXPECT_TRUE(all_delivered) << completed << " completed, " << got.distinct() << " received";
        for (const std::error_code& ec : results)
            EXPECT_FALSE(ec) << ec.message();
        const std::vector<int> in_order{0, 1, 2, 3, 4};
        EXPECT_EQ(got.order, in_order);
        co_await pub.async_disconnect(bye, use_awaitable);
        co_await sub.async_disconnect(bye, use_awaitable);
    });
}

// ---- QoS 0 completes when written ----

// A QoS 0 publish completes once its PUBLISH is written to the socket, not when the client takes
// it: with the path stalled (the proxy reads nothing), 25 MiB of QoS 0 messages cannot all be
// written into the kernel's buffers, so some stay uncompleted until the path moves again. A
// publisher that waits for completions therefore keeps pace with the connection.
TEST_F(resilience_test, qos0_publish_completes_once_written) {
    tcp_proxy proxy(broker->plain_port);
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client c(io.get_executor(), resilient("resil-qos0-written", proxy.port()));
        co_await c.async_connect(use_awaitable);
        proxy.stall();
        constexpr std::size_t count = 400;
        session::message m;
        m.topic = "resil/qos0-written";
        m.payload.assign(64 * 1024, 'x');
        std::size_t completed = 0, failed = 0;
        for (std::size_t i = 0; i < count; ++i) {
            c.async_publish(m, [&](std::error_code ec, const session::publish_completed&) {
                ++completed;
                if (ec) ++failed;
            });
        }
        co_await sleep_for(500ms);
        const std::size_t while_stalled = completed;
        EXPECT_LT(while_stalled, count) << "every QoS 0 publish completed with the path stalled";
        proxy.resume();
        auto all = [&] { return completed == count; };
        const bool done = co_await wait_until(all, 10s);
        EXPECT_TRUE(done) << completed << " of " << count << " completed after the path resumed";
        EXPECT_EQ(failed, 0u);
        std::printf("[ resilience ] QoS 0: %zu of %zu 64 KiB publishes completed while stalled\n",
                    while_stalled, count);
        co_await c.async_disconnect(session::disconnect_options{}, use_awaitable);
    });
}

// ---- publish rate ----

TEST_F(resilience_test, publish_rate_spaces_the_publishes) {
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        client_options o = options("resil-rate");
        o.publish_rate = 50;  // per second: 25 messages take about 0.5 s
        client c(io.get_executor(), o);
        std::vector<steady::time_point> sent;
        c.tap().add([&](const transport::tapped_packet& p) {
            if (p.dir == transport::direction::sent &&
                (p.bytes[0] >> 4) == type_byte(packet_type::publish)) {
                sent.push_back(steady::now());
            }
        });
        co_await c.async_connect(use_awaitable);
        std::size_t completed = 0;
        const steady::time_point start = steady::now();
        for (int i = 0; i < 25; ++i) {
            c.async_publish(
                text_message("resil/rate", std::to_string(i), qos::at_least_once),
                [&](std::error_code, const session::publish_completed&) { ++completed; });
        }
        auto all = [&] { return completed == 25; };
        const bool all_done = co_await wait_until(all, 5s);
        EXPECT_TRUE(all_done);
        const double took = seconds_between(start, steady::now());
        // 24 intervals of 20 ms = 0.48 s at the least between the first and the last.
        EXPECT_GE(took, 0.47);
        EXPECT_LE(took, 1.5);
        if (sent.size() == 25) {
            EXPECT_GE(seconds_between(sent.front(), sent.back()), 0.47);
        }
        std::printf("[ resilience ] 25 publishes at 50/s took %.3f s\n", took);
        co_await c.async_disconnect(bye, use_awaitable);
    });
}

// ---- threads ----

// The contract in client.hpp: any member function from any thread. Four threads publish 50 QoS 1
// messages each on one client (use_future), while two threads run the io_context; every publish
// completes and arrives, each thread's in the order it published them (MQTT-4.6.0-6).
TEST_F(resilience_test, async_publish_from_many_threads) {
    constexpr int threads = 4, per_thread = 50;
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::vector<std::thread> runners;
    for (int i = 0; i < 2; ++i)
        runners.emplace_back([&] { io.run_for(20s); });
    client sub(io.get_executor(), options("resil-threads-sub"));
    client pub(io.get_executor(), options("resil-threads-pub"));
    std::mutex m;
    std::vector<std::vector<int>> got(threads);
    std::size_t foreign = 0;
    sub.set_message_handler([&](const session::message_received& r) {
        std::lock_guard lock(m);
        const std::string topic = r.message.topic;
        const int t = topic.size() > 15 ? topic.back() - '0' : -1;
        const int n = number_of(r.message);
        if (t < 0 || t >= threads || n < 0) {
            ++foreign;
            return;
        }
        got[std::size_t(t)].push_back(n);
    });
    EXPECT_EQ(sub.async_connect(asio::use_future).wait_for(5s), std::future_status::ready);
    session::subscription_request s;
    s.topic_filter = "resil/threads/#";
    s.max_qos = qos::at_least_once;
    EXPECT_EQ(sub.async_subscribe({s}, {}, asio::use_future).wait_for(5s),
              std::future_status::ready);
    EXPECT_EQ(pub.async_connect(asio::use_future).wait_for(5s), std::future_status::ready);

    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> publishers;
    for (int t = 0; t < threads; ++t) {
        publishers.emplace_back([&, t] {
            std::vector<std::future<session::publish_completed>> done;
            for (int i = 0; i < per_thread; ++i) {
                done.push_back(
                    pub.async_publish(text_message("resil/threads/t" + std::to_string(t),
                                                   std::to_string(i), qos::at_least_once),
                                      asio::use_future));
            }
            for (auto& f : done) {
                try {
                    if (f.wait_for(10s) == std::future_status::ready && !is_failure(f.get().reason))
                        ++ok;
                    else
                        ++failed;
                } catch (const std::exception&) {
                    ++failed;
                }
            }
        });
    }
    for (auto& t : publishers)
        t.join();
    EXPECT_EQ(ok, threads * per_thread);
    EXPECT_EQ(failed, 0);
    const steady::time_point until = steady::now() + 5s;
    auto received = [&] {
        std::lock_guard lock(m);
        std::size_t n = 0;
        for (const auto& g : got)
            n += g.size();
        return n;
    };
    while (received() < std::size_t(threads * per_thread) && steady::now() < until)
        std::this_thread::sleep_for(5ms);
    {
        std::lock_guard lock(m);
        std::vector<int> in_order(per_thread);
        for (int i = 0; i < per_thread; ++i)
            in_order[std::size_t(i)] = i;
        for (int t = 0; t < threads; ++t)
            EXPECT_EQ(got[std::size_t(t)], in_order) << "thread " << t;
        EXPECT_EQ(foreign, 0u);
    }
    pub.async_disconnect({}, asio::use_future).wait_for(5s);
    sub.async_disconnect({}, asio::use_future).wait_for(5s);
    work.reset();
    io.stop();
    for (auto& r : runners)
        r.join();
}

}  // namespace
}  // namespace mqtt::test
