// Completion handlers without a heap allocation per operation.
//
// completion<Sig>: a move-only, type-erased completion handler (Asio 1.22 has no
// any_completion_handler). It keeps the handler's executor's work counted until it runs, and runs
// it on that executor, as Asio's completion rules ask: through a completion_queue when the
// handler's executor is the queue's (the client's own, on an io_context one thread runs), else by
// asio::post.
//
// Why not simply asio::post, and std::unique_ptr for the type erasure: that is three heap
// allocations per completion (the handler's copy, Asio's type-erased function, its operation), and
// Asio's per-thread cache of two freed blocks misses whenever blocks of different sizes alternate,
// as they do on a busy connection. Here the handler lives in the completion object (inline_function
// below), the queue runs every ready completion from one posted operation whose memory is the
// queue's own (handler_memory), and the read and the write of a connection allocate from blocks of
// their own the same way.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_allocator.hpp>
#include <asio/associated_executor.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "client/session/fifo.hpp"

namespace mqtt::client {

// ---- inline_function: a move-only std::function that keeps small callables in place ----

template <class Signature, std::size_t Size>
class inline_function;

template <class... Args, std::size_t Size>
class inline_function<void(Args...), Size> {
  public:
    inline_function() = default;
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, inline_function>>>
    inline_function(F&& f) {  // NOLINT(google-explicit-constructor): a callable converts
        using T = std::decay_t<F>;
        if constexpr (fits<T>) {
            ::new (static_cast<void*>(storage_)) T(std::forward<F>(f));
            ops_ = &in_place<T>;
        } else {
            *reinterpret_cast<T**>(storage_) = new T(std::forward<F>(f));
            ops_ = &on_heap<T>;
        }
    }
    inline_function(inline_function&& o) noexcept : ops_(o.ops_) {
        if (ops_) ops_->move(o.storage_, storage_);
        o.ops_ = nullptr;
    }
    inline_function& operator=(inline_function&& o) noexcept {
        if (this != &o) {
            reset();
            ops_ = o.ops_;
            if (ops_) ops_->move(o.storage_, storage_);
            o.ops_ = nullptr;
        }
        return *this;
    }
    ~inline_function() { reset(); }

    explicit operator bool() const { return ops_ != nullptr; }
    void operator()(Args... args) { ops_->call(storage_, std::move(args)...); }
    void reset() {
        if (ops_) std::exchange(ops_, nullptr)->destroy(storage_);
    }

  private:
    template <class T>
    static constexpr bool fits =
        sizeof(T) <= Size &&
        alignof(T) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<T>;
    struct operations {
        void (*call)(void*, Args&&...);
        void (*move)(void* from, void* to) noexcept;
        void (*destroy)(void*) noexcept;
    };
    template <class T>
    static constexpr operations in_place{
        [](void* p, Args&&... a) { (*static_cast<T*>(p))(std::move(a)...); },
        [](void* from, void* to) noexcept {
            ::new (to) T(std::move(*static_cast<T*>(from)));
            static_cast<T*>(from)->~T();
        },
        [](void* p) noexcept { static_cast<T*>(p)->~T(); },
    };
    template <class T>
    static constexpr operations on_heap{
        [](void* p, Args&&... a) { (**static_cast<T**>(p))(std::move(a)...); },
        [](void* from, void* to) noexcept { *static_cast<T**>(to) = *static_cast<T**>(from); },
        [](void* p) noexcept { delete *static_cast<T**>(p); },
    };
    alignas(std::max_align_t) unsigned char storage_[Size];
    const operations* ops_ = nullptr;
};

// ---- handler_memory: one block for one operation at a time ----

// Asio allocates an operation's state through its handler's associated allocator. A connection
// has at most one read, one write and one run of the completion queue under way at a time, so a
// block kept for each serves them all; a request too large, or made while the block is in use,
// goes to the heap.
class handler_memory {
  public:
    handler_memory() = default;
    handler_memory(const handler_memory&) = delete;
    handler_memory& operator=(const handler_memory&) = delete;
    void* allocate(std::size_t n) {
        if (!in_use_ && n <= sizeof storage_) {
            in_use_ = true;
            return storage_;
        }
        return ::operator new(n);
    }
    void deallocate(void* p) {
        if (p == storage_)
            in_use_ = false;
        else
            ::operator delete(p);
    }

  private:
    alignas(std::max_align_t) unsigned char storage_[512];
    bool in_use_ = false;
};

template <class T>
class handler_allocator {
  public:
    using value_type = T;
    explicit handler_allocator(handler_memory& m) : memory_(&m) {}
    template <class U>
    handler_allocator(const handler_allocator<U>& o) : memory_(o.memory_) {}  // NOLINT
    T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
    void deallocate(T* p, std::size_t) { memory_->deallocate(p); }
    friend bool operator==(const handler_allocator& a, const handler_allocator& b) {
        return a.memory_ == b.memory_;
    }

  private:
    template <class>
    friend class handler_allocator;
    handler_memory* memory_;
};

// ---- completion_queue: ready completions, run from one posted operation ----

// Owned (through a shared_ptr, which the posted run holds) by a client whose io_context one
// thread runs; push() and the run happen on that thread. Completions run in the order they became
// ready, each after the client function that completed it has returned; one run takes those
// ready when it began, and what they make ready goes to the next run.
class completion_queue : public std::enable_shared_from_this<completion_queue> {
  public:
    using ready_call = inline_function<void(), 224>;
    explicit completion_queue(asio::io_context::executor_type executor) : executor_(executor) {}
    const asio::io_context::executor_type& executor() const { return executor_; }

    void push(ready_call call) {
        ready_.push_back(std::move(call));
        if (!scheduled_) schedule();
    }

  private:
    struct run_handler {
        std::shared_ptr<completion_queue> queue;
        using allocator_type = handler_allocator<void>;
        allocator_type get_allocator() const noexcept { return allocator_type(queue->memory_); }
        void operator()() { queue->run(); }
    };
    void schedule() {
        scheduled_ = true;
        // Posted to the io_context's own executor type: through an any_io_executor Asio would
        // not use the handler's allocator.
        asio::post(executor_, run_handler{shared_from_this()});
    }
    void run() {
        // A handler that throws leaves the rest for another run (the exception goes on out of
        // io_context::run(), as from any handler).
        struct again {
            completion_queue& q;
            ~again() {
                q.scheduled_ = false;
                if (!q.ready_.empty()) q.schedule();
            }
        } guard{*this};
        // Only what was ready when the run began: a handler that starts an operation failing at
        // once (publishing while offline, in a loop) must not keep the run going forever while
        // the io_context's other work (the socket, the reconnect timer) waits.
        for (std::size_t n = ready_.size(); n > 0 && !ready_.empty(); --n) {
            ready_call call = std::move(ready_.front());
            ready_.pop_front();
            call();
        }
    }
    asio::io_context::executor_type executor_;
    session::fifo<ready_call> ready_;
    bool scheduled_ = false;
    handler_memory memory_;
};

// ---- completion<Sig> ----

template <class Signature>
class completion;

template <class... Args>
class completion<void(Args...)> {
  public:
    completion() = default;
    // `fallback`: the executor a handler with none of its own runs on. `queue`: the client's
    // completion queue, when it has one (single-threaded); used when the handler's executor is
    // the queue's.
    template <class Handler>
    completion(Handler&& h, const asio::any_io_executor& fallback,
               completion_queue* queue = nullptr) {
        using H = std::decay_t<Handler>;
        auto ex = asio::get_associated_executor(h, fallback);
        if constexpr (std::is_same_v<decltype(ex), asio::any_io_executor>) {
            const auto* io = ex.template target<asio::io_context::executor_type>();
            if (queue && io && *io == queue->executor()) {
                fn_ = queued<H>{tracked(*io), queue, std::forward<Handler>(h)};
                return;
            }
        }
        fn_ = posted<H, decltype(tracked(ex))>{tracked(ex), std::forward<Handler>(h)};
    }
    explicit operator bool() const { return static_cast<bool>(fn_); }
    // Runs the handler (once) on its executor, never inside this call.
    void operator()(Args... args) {
        if (!fn_) return;
        auto fn = std::move(fn_);
        fn(std::move(args)...);
    }

  private:
    // The executor with outstanding work tracked: while a copy lives, its io_context's run()
    // does not return for want of work (what executor_work_guard does, in half the space).
    template <class Executor>
    static auto tracked(const Executor& ex) {
        return asio::prefer(ex, asio::execution::outstanding_work.tracked);
    }
    template <class H, class Executor>
    struct posted {
        Executor work;
        H handler;
        void operator()(Args... args) {
            Executor ex = std::move(work);
            asio::post(ex, [h = std::move(handler), ... a = std::move(args)]() mutable {
                std::move(h)(std::move(a)...);
            });
        }
    };
    template <class H>
    struct queued {
        decltype(tracked(std::declval<asio::io_context::executor_type>())) work;
        completion_queue* queue;
        H handler;
        void operator()(Args... args) {
            queue->push([w = std::move(work), h = std::move(handler),
                         ... a = std::move(args)]() mutable { std::move(h)(std::move(a)...); });
        }
    };
    inline_function<void(Args...), 120> fn_;
};

}  // namespace mqtt::client
