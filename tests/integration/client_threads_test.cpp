// client.hpp promises that any thread may call any member: the getters (state(), stats(),
// last_error(), last_error_code()) read a copy the client's strand publishes, and the async_
// operations post to the strand. This test keeps that promise honest: the io_context runs on
// two threads (the client's strand path), or on one with a concurrency hint of 1 (its
// single-threaded path: no strand, calls from the io thread run at once, others are posted), a
// third thread reads every getter in a loop, and the test's own thread publishes with futures,
// while messages flow through a real Mosquitto. Run under ThreadSanitizer
// (scripts/build tsan; scripts/test runs it), any unsynchronised access is a report.
#include <asio/executor_work_guard.hpp>
#include <asio/use_future.hpp>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "client_fixture.hpp"

namespace mqtt::test {
namespace {

using mqtt::client::client;
using mqtt::client::connection_state;

class client_threads_test : public client_test, public ::testing::WithParamInterface<int> {};

TEST_P(client_threads_test, getters_and_operations_from_other_threads_while_traffic_flows) {
    constexpr std::size_t messages = 300;
    const int runners = GetParam();
    asio::io_context io(runners == 1 ? 1 : ASIO_CONCURRENCY_HINT_DEFAULT);
    auto work = asio::make_work_guard(io);
    std::thread run_a([&] { io.run(); });
    std::thread run_b([&] {
        if (runners > 1) io.run();
    });

    {
        client sub(io.get_executor(), options("threads-sub"));
        client pub(io.get_executor(), options("threads-pub"));
        std::promise<void> all_received;
        std::atomic<std::size_t> received{0};
        sub.set_message_handler([&](const session::message_received&) {
            if (++received == messages) all_received.set_value();
        });
        sub.async_connect(asio::use_future).get();
        session::subscription_request s;
        s.topic_filter = "threads/t";
        s.max_qos = qos::at_least_once;
        const auto granted = sub.async_subscribe({s}, {}, asio::use_future).get();
        ASSERT_EQ(granted.reason_codes.size(), 1u);
        pub.async_connect(asio::use_future).get();

        // Reads every getter of both clients while the traffic below flows.
        std::atomic<bool> stop{false};
        std::size_t reads = 0;
        bool published_never_went_back = true;
        bool saw_connected = false;
        std::thread observer([&] {
            std::size_t last = 0;
            while (!stop.load()) {
                const mqtt::client::statistics st = pub.stats();
                published_never_went_back =
                    published_never_went_back && st.messages_published >= last;
                last = st.messages_published;
                saw_connected = saw_connected || pub.state() == connection_state::connected;
                const std::string why = pub.last_error() + sub.last_error();
                const std::error_code code = pub.last_error_code();
                (void)sub.stats();
                (void)sub.state();
                if (!why.empty() || code) stop = true;  // nothing went wrong: both stay empty
                ++reads;
            }
        });

        std::vector<std::future<session::publish_completed>> done;
        for (std::size_t i = 0; i < messages; ++i) {
            session::message m;
            m.topic = "threads/t";
            m.payload = {std::uint8_t(i)};
            m.qos = qos::at_least_once;
            done.push_back(pub.async_publish(std::move(m), asio::use_future));
        }
        for (auto& f : done)
            EXPECT_EQ(f.get().reason, reason_code::success);
        const bool arrived = all_received.get_future().wait_for(std::chrono::seconds(10)) ==
                             std::future_status::ready;
        stop = true;
        observer.join();

        EXPECT_TRUE(arrived) << received.load() << " of " << messages << " messages arrived";
        EXPECT_GT(reads, 0u);
        EXPECT_TRUE(saw_connected);
        EXPECT_TRUE(published_never_went_back);
        EXPECT_EQ(pub.last_error(), "") << "the observer stopped early on this error";
        EXPECT_EQ(pub.stats().messages_published, messages);
        EXPECT_EQ(pub.stats().publishes_pending, 0u);

        const session::disconnect_options bye;
        pub.async_disconnect(bye, asio::use_future).get();
        sub.async_disconnect(bye, asio::use_future).get();
        EXPECT_EQ(sub.stats().messages_received, messages);
        EXPECT_EQ(pub.state(), connection_state::disconnected);
    }
    work.reset();
    run_a.join();
    run_b.join();
}

INSTANTIATE_TEST_SUITE_P(io_threads, client_threads_test, ::testing::Values(2, 1),
                         [](const auto& info) {
                             return info.param == 1 ? std::string("one_thread_hint_1")
                                                    : std::string("two_threads");
                         });

}  // namespace
}  // namespace mqtt::test
