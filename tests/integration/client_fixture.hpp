// Shared helpers for the client's integration tests: one Mosquitto per test binary, and a way to
// run a coroutine test body on an io_context with a time limit.
#pragma once

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <string>

#include "broker.hpp"
#include "client/client.hpp"

namespace mqtt::test {

class client_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { broker = std::make_unique<mosquitto_broker>(); }
    static void TearDownTestSuite() { broker.reset(); }
    static inline std::unique_ptr<mosquitto_broker> broker;

    static std::string plain_url() {
        return "mqtt://127.0.0.1:" + std::to_string(broker->plain_port);
    }
    static std::string tls_url() { return "mqtts://127.0.0.1:" + std::to_string(broker->tls_port); }
    static std::string auth_url() {
        return "mqtt://127.0.0.1:" + std::to_string(broker->auth_port);
    }

    static client::client_options options(std::string client_id, std::string url = plain_url()) {
        client::client_options o;
        o.url = std::move(url);
        o.mqtt.client_id = std::move(client_id);
        o.tls.ca_file = broker->files().ca_cert.string();
        return o;
    }

    // Runs `body` (a coroutine taking the io_context) to completion or fails after `limit`.
    template <class Body>
    void run(Body body, std::chrono::seconds limit = std::chrono::seconds(20)) {
        asio::io_context io{1};  // one thread: the clients take their single-threaded path
                                 // (client_threads_test takes the other)
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, body(io), [&](std::exception_ptr e) {
            failure = e;
            done = true;
            io.stop();
        });
        io.run_for(limit);
        ASSERT_TRUE(done) << "the test did not finish within " << limit.count() << " s";
        if (failure) std::rethrow_exception(failure);
    }
};

// Waits for `d` inside a coroutine.
inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

}  // namespace mqtt::test
