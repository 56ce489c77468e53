// The client allocates nothing per message once its connections are up and warm: a publisher and
// a subscriber in one process, against the test Mosquitto, on an io_context one thread runs
// (asio::io_context io{1}, the client's single-threaded path). The global allocation functions
// are replaced by counting ones (tools/bench/alloc_count.cpp), so this is a binary of its own.
//
// The publisher keeps a window of messages in flight and publishes the next from each completion,
// by reference (async_publish(std::cref(m)): copied into storage the session keeps); the
// subscriber takes each message in its message handler (the session takes the storage back).
// Every publish, acknowledgement (PUBACK; PUBREC, PUBREL, PUBCOMP), read, write and completion is
// counted, in stretches of 2,000 publishes after a warm-up.
//
// What "warm" means: buffers and lists grow to the largest burst seen (the read buffer up to
// 64 KiB, the session's event queue and spare messages, the free lists of map nodes), and a burst
// larger than any before allocates once more. Bursts are the broker's and the scheduler's doing,
// most of all at QoS 0, where the publisher is not held back by acknowledgements. So the check is
// that the count reaches zero: one stretch of 2,000 messages, among the first five, with no
// allocation at all. A client that allocated per message would never get there.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../integration/client_fixture.hpp"
#include "tools/bench/alloc_count.hpp"

namespace mqtt::test {
namespace {

using asio::use_awaitable;

class client_alloc_test : public client_test, public ::testing::WithParamInterface<qos> {};

constexpr std::uint32_t warm_up = 2'000;
constexpr std::uint32_t stretch = 1'000;
constexpr std::uint32_t stretches = 10;
constexpr std::uint32_t total = warm_up + stretch * stretches;
constexpr std::uint32_t window = 20;

struct flow {
    client::client* publisher = nullptr;
    session::message message;
    std::uint32_t next = 0;       // sequence number of the next publish
    std::uint32_t received = 0;   // messages the subscriber got
    std::uint32_t completed = 0;  // publishes completed
    std::uint32_t failures = 0;
    // allocation_count() at the first publish of each stretch, and once all is done.
    std::vector<std::uint64_t> marks = std::vector<std::uint64_t>(stretches + 1);
    client::completion<void()> finished;

    void publish_next() {
        if (next >= total) return;
        if (next >= warm_up && (next - warm_up) % stretch == 0)
            marks[(next - warm_up) / stretch] = bench::allocation_count();
        std::memcpy(message.payload.data(), &next, sizeof next);
        ++next;
        publisher->async_publish(std::cref(message),
                                 [this](std::error_code ec, const session::publish_completed&) {
                                     if (ec) ++failures;
                                     ++completed;
                                     publish_next();
                                     check_finished();
                                 });
    }
    void on_message(const session::message_received& m) {
        if (m.message.payload.size() != message.payload.size()) ++failures;
        ++received;
        check_finished();
    }
    void check_finished() {
        if (received == total && completed == total && finished) {
            marks[stretches] = bench::allocation_count();
            finished();
        }
    }
};

TEST_P(client_alloc_test, no_allocation_per_message_once_warm) {
    const qos q = GetParam();
    flow f;
    run([&](asio::io_context& io) -> asio::awaitable<void> {
        const std::string topic = "alloc/" + std::to_string(int(q));
        client::client sub(io.get_executor(), options("alloc-sub-" + std::to_string(int(q))));
        client::client pub(io.get_executor(), options("alloc-pub-" + std::to_string(int(q))));
        sub.set_message_handler([&](const session::message_received& m) { f.on_message(m); });
        co_await sub.async_connect(use_awaitable);
        std::vector<session::subscription_request> subs(1);
        subs[0].topic_filter = topic;
        subs[0].max_qos = q;
        co_await sub.async_subscribe(subs, session::subscribe_options{}, use_awaitable);
        co_await pub.async_connect(use_awaitable);
        f.publisher = &pub;
        f.message.topic = topic;
        f.message.qos = q;
        f.message.payload.assign(64, 0x5a);
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
            [&](auto h) {
                f.finished = client::completion<void()>(std::move(h), io.get_executor());
                for (std::uint32_t i = 0; i < window; ++i)
                    f.publish_next();
            },
            use_awaitable);
        co_await sub.async_disconnect({}, use_awaitable);
        co_await pub.async_disconnect({}, use_awaitable);
    });
    EXPECT_EQ(f.failures, 0u);
    EXPECT_EQ(f.received, total);
    std::string counts;
    bool reached_zero = false;
    for (std::uint32_t i = 0; i < stretches; ++i) {
        const std::uint64_t n = f.marks[i + 1] - f.marks[i];
        counts += " " + std::to_string(n);
        reached_zero = reached_zero || n == 0;
    }
    std::printf("[ alloc ] QoS %d, allocations per stretch of %u messages:%s\n", int(q), stretch,
                counts.c_str());
    EXPECT_TRUE(reached_zero) << "no stretch of " << stretch << " QoS " << int(q)
                              << " messages without an allocation:" << counts;
}

INSTANTIATE_TEST_SUITE_P(each_qos, client_alloc_test,
                         ::testing::Values(qos::at_most_once, qos::at_least_once,
                                           qos::exactly_once),
                         [](const auto& info) { return "qos" + std::to_string(int(info.param)); });

}  // namespace
}  // namespace mqtt::test
