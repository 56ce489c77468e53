// A signal for one coroutine on an io_context: wait() suspends until notify() is called (at
// once when a notify() came first). How the tools wait for an event (a publish completed, the
// run finished) instead of polling a counter or parking a timer at time_point::max().
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>

#include "client/completion.hpp"

namespace mqtt::tools {

class wakeup {
  public:
    explicit wakeup(asio::any_io_executor executor) : executor_(std::move(executor)) {}

    asio::awaitable<void> wait() {
        if (pending_) {
            pending_ = false;
            co_return;
        }
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
            [this](auto h) { waiter_ = client::completion<void()>(std::move(h), executor_); },
            asio::use_awaitable);
        pending_ = false;
    }

    void notify() {
        pending_ = true;
        if (waiter_) waiter_();
    }

  private:
    asio::any_io_executor executor_;
    client::completion<void()> waiter_;
    bool pending_ = false;
};

}  // namespace mqtt::tools
