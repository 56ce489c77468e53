// A move-only, type-erased completion handler (Asio 1.22 has no any_completion_handler). It
// keeps the handler's executor busy until it runs, and runs it on that executor, as Asio's
// completion rules ask.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <memory>
#include <tuple>
#include <utility>

namespace mqtt::client {

template <class Signature>
class completion;

template <class... Args>
class completion<void(Args...)> {
  public:
    completion() = default;
    template <class Handler>
    completion(Handler&& h, const asio::any_io_executor& fallback)
        : impl_(
              std::make_unique<model<std::decay_t<Handler>>>(std::forward<Handler>(h), fallback)) {}
    explicit operator bool() const { return impl_ != nullptr; }
    // Runs the handler (once) on its associated executor.
    void operator()(Args... args) {
        if (auto p = std::move(impl_)) p->post(std::move(args)...);
    }

  private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual void post(Args... args) = 0;
    };
    template <class Handler>
    struct model final : concept_t {
        using executor = asio::associated_executor_t<Handler, asio::any_io_executor>;
        model(Handler h, const asio::any_io_executor& fallback)
            : work(asio::make_work_guard(asio::get_associated_executor(h, fallback))),
              handler(std::move(h)) {}
        void post(Args... args) override {
            auto ex = work.get_executor();
            asio::post(ex, [h = std::move(handler), ... a = std::move(args)]() mutable {
                std::move(h)(std::move(a)...);
            });
            work.reset();
        }
        asio::executor_work_guard<executor> work;
        Handler handler;
    };
    std::unique_ptr<concept_t> impl_;
};

}  // namespace mqtt::client
