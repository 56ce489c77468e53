// Internal: the client's state, all of it touched only on `strand`. client.cpp posts every
// public call here (or, single-threaded, calls it at once when it can); core.cpp runs connections
// (connect, read, write, timers, reconnect);
// operations.cpp turns commands into session calls and session events into completions;
// request.cpp does request/response.
#pragma once

#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/client.hpp"
#include "client/session/fifo.hpp"
#include "client/session/recycled_nodes.hpp"
#include "transport/stream.hpp"

namespace mqtt::client {

// The store as the session sees it: every write goes through at once, except that an inbound
// QoS 2 message is recorded as received (put_inbound_qos2) only by commit(), once the events
// were dispatched and the application has the message. A process killed in between gets the
// message again from the server (MQTT-4.4.0-1) instead of a record saying it arrived when
// nobody saw it; the price is that one killed after its handler ran may see it twice.
class delivery_store final : public session::session_store {
  public:
    explicit delivery_store(session::session_store& inner) : inner_(inner) {}
    void put_outbound(const session::stored_outbound& e) override { inner_.put_outbound(e); }
    void erase_outbound(std::uint64_t ticket) override { inner_.erase_outbound(ticket); }
    void put_inbound_qos2(std::uint16_t id) override { pending_.push_back(id); }
    void erase_inbound_qos2(std::uint16_t id) override;
    void set_session_exists(bool exists) override { inner_.set_session_exists(exists); }
    void clear() override {
        pending_.clear();
        inner_.clear();
    }
    session::session_snapshot load() const override { return inner_.load(); }
    void commit(std::uint16_t id);  // that message was given to the application
    void commit();                  // all of them

  private:
    bool take_pending(std::uint16_t id);  // whether `id` was pending (it no longer is)
    session::session_store& inner_;
    std::vector<std::uint16_t> pending_;  // received, not yet given to the application
};

class client_core : public std::enable_shared_from_this<client_core> {
  public:
    client_core(asio::any_io_executor executor, client_options options);

    asio::any_io_executor executor;  // the user's; completions default to it
    // Made when one thread runs the user's io_context (it was made with a concurrency hint of 1,
    // asio::io_context io{1}, as the tools do): completions go through it instead of one
    // asio::post each. Then the client needs no strand either (`strand` is the io_context's
    // executor itself), and a call made on that thread outside the client's own work runs at once
    // instead of being posted (direct_call()).
    std::shared_ptr<completion_queue> ready;
    bool single_threaded() const { return ready != nullptr; }
    // A strand over the user's executor, or that executor when single_threaded(). Over an
    // io_context's executor it is a strand<io_context::executor_type>, small enough (24 bytes)
    // for any_io_executor to hold in place: a strand<any_io_executor> is not, and Asio then
    // allocated a copy of it for every read, write and timer wait.
    asio::any_io_executor strand;
    completion_queue* queue() const { return ready.get(); }
    // Inside the client's own work (reading, flushing the session, publishing) and the callbacks
    // it makes from there (message and state handlers, the tap's observers, the store, the
    // authenticator): a public call made meanwhile is posted, never run inside that work.
    int busy = 0;
    struct busy_scope {
        explicit busy_scope(client_core& c) : core(c) { ++core.busy; }
        ~busy_scope() { --core.busy; }
        busy_scope(const busy_scope&) = delete;
        busy_scope& operator=(const busy_scope&) = delete;
        client_core& core;
    };
    // Public calls posted and not yet run (from any thread): a call on the io thread runs at once
    // only when there are none, so that it never overtakes one made before it.
    std::atomic<int> posted_calls{0};
    bool direct_call() const;  // whether a public call may run now, on the calling thread
    client_options options;
    transport::endpoint endpoint;
    std::string url_error;  // set when options.url is not understood

    std::unique_ptr<delivery_store> store;  // over options.store; null without one
    std::unique_ptr<session::session> session;
    std::shared_ptr<transport::stream> stream;  // shared with the coroutines using it
    transport::packet_tap tap;

    // Connection lifecycle (core.cpp).
    void connect(completion<client::connect_signature> h);
    asio::awaitable<void> supervise();       // connect, run, reconnect with backoff
    asio::awaitable<bool> run_connection();  // one connection; true if CONNACK arrived
    // The connection's read and write, as plain completion handlers (no coroutine frame per
    // operation), each allocating from its own handler_memory.
    // `done`: run_connection() waits on it, and the loop runs it when it ends.
    void read_next(std::uint64_t gen, completion<void()> done);  // or park, or end
    void end_connection();  // the read loop saw the connection end: close and tell the session
    void on_read(std::uint64_t gen, std::error_code ec, std::size_t n, completion<void()> done);
    void write_next();
    void on_written(std::uint64_t gen, std::error_code ec);
    struct read_handler;
    struct write_handler;
    void flush();        // after every session call: dispatch events, write output, arm the timer
    void send_output();  // the session's output to the tap and the write queue
    // Publishes: an rvalue message is moved into the session, an lvalue one copied into storage
    // the session keeps from earlier messages (no allocation once warm).
    template <class Message>
    bool publish_now(Message&& m, completion<client::publish_signature>& h);
    void arm_timer();
    void set_state(connection_state s);  // tells the state handler, with end_code and end_text
    session::time_point now() const { return session::clock::now(); }

    // Events into completions (operations.cpp).
    void dispatch(session::event& e);
    void on_disconnected(const session::disconnected& d);
    std::error_code ended_by(std::error_code ec) const;
    void deliver(session::message_received m);
    void fail_pending();  // the client stopped: everything waiting fails
    void release_rate_limited();

    // Request/response (request.cpp).
    void request(session::message m, std::chrono::milliseconds timeout,
                 completion<client::message_signature> h);
    bool take_response(session::message_received& m);
    void subscribe_response_topic();
    void on_response_subscribed(std::error_code ec);

    connection_state state = connection_state::disconnected;
    std::string last_error;
    std::error_code last_error_code;
    statistics stats;
    // Records the most recent problem (what client::last_error() and last_error_code() tell):
    // a refused command, or why a connection ended.
    void record_error(std::error_code code, std::string text);
    // Why the current or last connection ended: errc::connection_lost, errc::protocol_violation,
    // a reason code, ...; empty while connected. Kept apart from last_error, which a refused
    // command may overwrite after the connection ended. The state handler gets it with
    // `waiting` and `disconnected`, and what fails when the client stops fails with it.
    std::error_code end_code;
    std::string end_text;
    void record_end(std::error_code code, std::string text);  // also record_error()
    // A copy of the four above for client::state(), last_error(), last_error_code() and stats(),
    // which any thread may call: refreshed on the strand after every change, read under the
    // mutex.
    struct observations {
        connection_state state = connection_state::disconnected;
        std::string last_error;
        std::error_code last_error_code;
        statistics stats;
    };
    void publish_observations();
    observations observed() const;
    mutable std::mutex observed_mutex;
    observations observed_;
    std::function<void(const session::message_received&)> message_handler;
    std::function<void(connection_state, std::error_code, const std::string&)> state_handler;

    std::uint64_t generation = 0;  // one per connection; stale coroutines compare and stop
    bool stopped = true;           // no connection wanted (before connect, after disconnect)
    bool no_retry = false;         // this connection ended for good: a refusal or a violation
    bool ended = false;  // the client ran and stopped: commands fail until async_connect()
    bool ever_connected = false;
    bool writing = false;
    // What the session produced while a write was under way goes out together in the next
    // write (one system call for a burst); `write_inflight` is the buffer being written, and
    // the two swap, keeping their capacity: a busy connection allocates nothing per write.
    session::byte_vector write_pending;
    session::byte_vector write_inflight;
    handler_memory write_memory;
    // The read loop: its buffer, small while the connection is quiet (an idle client among ten
    // thousand holds 1 KiB), doubled, up to 64 KiB, each time a read fills it.
    std::vector<std::uint8_t> read_buffer;
    handler_memory read_memory;
    // overflow_policy::wait: the read loop parked until async_receive() makes room, with its
    // `done` and its connection. While parked, the core holds the waiting coroutine and the
    // coroutine the core, so destroy a client whose loop is parked by letting its io_context run
    // (~client resumes the loop, which ends), not by destroying the io_context first.
    completion<void()> parked_done;
    std::uint64_t parked_gen = 0;
    bool connection_reached = false;  // this connection reached CONNACK
    // QoS 0 publishes complete once their PUBLISH is written to the socket (there is no
    // acknowledgement to wait for), as libmosquitto's on_publish does: a publisher that waits
    // for its completions cannot outrun the connection and fill memory. Byte counts of this
    // connection: queued (appended to write_pending) and written.
    std::uint64_t bytes_queued = 0;
    std::uint64_t bytes_written = 0;
    struct written_waiter {
        std::uint64_t until;  // complete once bytes_written reaches it
        completion<client::publish_signature> handler;
        session::publish_completed done;
    };
    session::fifo<written_waiter> written_waiters;
    void release_written();                 // those whose bytes are out
    void fail_written(std::error_code ec);  // the connection ended first
    // Armed for the session's next deadline, or earlier: a deadline that moves later (the
    // keep-alive, pushed back by every packet sent) leaves it alone, and the early wake-up finds
    // nothing due and arms it again. Re-arming per packet cost a system call per message.
    asio::steady_timer session_timer;
    std::optional<session::time_point> timer_armed_for;
    asio::steady_timer backoff_timer;
    asio::steady_timer rate_timer;
    // overflow_policy::wait: the read loop parks (parked_done) while the inbound queue is full;
    // async_receive() resumes it.
    bool must_park() const;
    void resume_reading();
    // Reconnect jitter, made-up response topics and Correlation Data: unpredictable enough, in
    // 8 bytes (std::mt19937_64 is 2.5 KiB, a sixth of an idle client).
    struct splitmix64 {
        using result_type = std::uint64_t;
        std::uint64_t state;
        static constexpr result_type min() { return 0; }
        static constexpr result_type max() { return ~result_type{0}; }
        result_type operator()() {
            std::uint64_t z = (state += 0x9E3779B97F4A7C15u);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
            return z ^ (z >> 31);
        }
    } rng;

    completion<client::connect_signature> connect_handler;
    std::vector<completion<client::disconnect_signature>> disconnect_handlers;
    // async_disconnect() while inbound QoS 2 flows are open: the DISCONNECT waits for them (each
    // flush() looks) or for the drain timer (client_options::disconnect_drain_timeout).
    std::optional<session::disconnect_options> draining;
    asio::steady_timer drain_timer;
    void disconnect(session::disconnect_options o, completion<client::disconnect_signature> h);
    void disconnect_now();    // the DISCONNECT into the session's output
    void flush_disconnect();  // ... and out
    std::unordered_map<std::uint64_t, completion<client::publish_signature>> publishes;
    session::recycled_nodes<decltype(publishes)> publish_nodes;  // no allocation per publish
    std::unordered_map<std::uint64_t, completion<client::subscribe_signature>> subscribes;
    std::unordered_map<std::uint64_t, completion<client::unsubscribe_signature>> unsubscribes;
    std::deque<session::message_received> inbound;
    std::deque<completion<client::message_signature>> receivers;
    std::vector<std::pair<std::vector<session::subscription_request>, session::subscribe_options>>
        subscriptions;  // made so far, for resubscribe

    // Rate limiting: publishes wait here for their turn.
    std::deque<std::pair<session::message, completion<client::publish_signature>>> rate_queue;
    session::time_point next_publish_slot{};

    // Request/response.
    struct pending_request {
        completion<client::message_signature> handler;
        std::shared_ptr<asio::steady_timer> timer;
    };
    std::optional<std::string> response_information;  // from the last CONNACK
    std::string response_topic;
    std::uint64_t response_subscription = 0;  // ticket of its SUBSCRIBE; 0 when done
    bool response_ready = false;
    std::map<std::string, pending_request> requests;  // by Correlation Data
    // The request PUBLISHes not yet acknowledged: their ticket, and the request's key above.
    std::unordered_map<std::uint64_t, std::string> request_publishes;
    // Whether `p` is one of those; a refused one (`ec`) fails its request at once.
    bool request_published(const session::publish_completed& p, std::error_code ec);
    void fail_request(const std::string& key, std::error_code ec);
    struct waiting_request {
        session::message message;
        std::chrono::milliseconds timeout;
        completion<client::message_signature> handler;
    };
    std::deque<waiting_request> requests_waiting;  // until the response topic is subscribed
    void send_request(waiting_request r);
};

}  // namespace mqtt::client
