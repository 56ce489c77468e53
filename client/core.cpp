// The client's connections: connect (TCP/TLS, then CONNECT/CONNACK through the session), read,
// write, the session's timer, and reconnect with exponential backoff and jitter. Everything runs
// on the strand; coroutines hold a shared_ptr to the core and compare `generation` so that one
// left over from an earlier connection stops instead of touching the new one.
#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "client/core.hpp"

namespace mqtt::client {

namespace {

// An io_context made with a concurrency hint of 1 is run by one thread (Asio takes the hint the
// same way: it then wakes no other thread).
bool run_by_one_thread(const asio::any_io_executor& ex) {
    const auto* io = ex.target<asio::io_context::executor_type>();
    return io && asio::use_service<asio::detail::scheduler>(io->context()).concurrency_hint() == 1;
}

asio::any_io_executor make_client_strand(const asio::any_io_executor& ex) {
    if (const auto* io = ex.target<asio::io_context::executor_type>())
        return asio::make_strand(*io);
    return asio::make_strand(ex);
}

}  // namespace

client_core::client_core(asio::any_io_executor ex, client_options o)
    : executor(ex),
      ready(run_by_one_thread(ex)
                ? std::make_shared<completion_queue>(*ex.target<asio::io_context::executor_type>())
                : nullptr),
      strand(single_threaded() ? ex : make_client_strand(ex)),
      options(std::move(o)),
      session_timer(strand),
      backoff_timer(strand),
      rate_timer(strand),
      rng{std::uint64_t(std::random_device{}()) << 32 | std::random_device{}()},
      drain_timer(strand) {
    if (const auto url = transport::parse_url(options.url, url_error)) {
        endpoint = url->endpoint;
        // mqtt://user:password@host: the URL's credentials, unless the options have their own.
        if (url->username && !options.mqtt.username) options.mqtt.username = url->username;
        if (url->password && !options.mqtt.password)
            options.mqtt.password =
                session::byte_vector(url->password->begin(), url->password->end());
    }
    // No store given: the session keeps its state in memory itself, with nothing to write
    // through to (and nothing copied per message).
    if (options.store) store = std::make_unique<delivery_store>(*options.store);
    session = std::make_unique<session::session>(options.mqtt, store.get(), options.authenticator);
}

bool delivery_store::take_pending(std::uint16_t id) {
    const auto it = std::find(pending_.begin(), pending_.end(), id);
    if (it == pending_.end()) return false;
    pending_.erase(it);
    return true;
}

void delivery_store::erase_inbound_qos2(std::uint16_t id) {
    if (!take_pending(id)) inner_.erase_inbound_qos2(id);  // a pending one was never written
}

void delivery_store::commit(std::uint16_t id) {
    if (take_pending(id)) inner_.put_inbound_qos2(id);
}

void delivery_store::commit() {
    for (const std::uint16_t id : pending_)
        inner_.put_inbound_qos2(id);
    pending_.clear();
}

void client_core::set_state(connection_state s) {
    if (s == state) return;
    state = s;
    publish_observations();
    if (state_handler) {
        const busy_scope in_handler(*this);
        state_handler(s, end_code, end_text);
    }
}

bool client_core::direct_call() const {
    // The thread first: `busy` is the io thread's to read.
    return single_threaded() &&
           executor.target<asio::io_context::executor_type>()->running_in_this_thread() &&
           busy == 0 && posted_calls.load(std::memory_order_relaxed) == 0;
}

void client_core::record_error(std::error_code code, std::string text) {
    last_error_code = code;
    last_error = std::move(text);
    publish_observations();
}

void client_core::record_end(std::error_code code, std::string text) {
    end_code = code;
    end_text = text;
    record_error(code, std::move(text));
}

void client_core::publish_observations() {
    if (session) {
        stats.publishes_pending = session->inflight() + session->queued();
        stats.inbound_qos2_pending = session->inbound_qos2_pending();
    }
    const std::lock_guard lock(observed_mutex);
    observed_ = {state, last_error, last_error_code, stats};
}

client_core::observations client_core::observed() const {
    const std::lock_guard lock(observed_mutex);
    return observed_;
}

void client_core::connect(completion<client::connect_signature> h) {
    if (!url_error.empty()) {
        record_error(errc::transport_failed, "bad URL: " + url_error);
        h(errc::transport_failed, {});
        return;
    }
    if (const session::command_result bad =
            session::check_connect_options(options.mqtt, options.authenticator);
        !bad) {
        record_error(bad.error, bad.detail);
        h(bad.error, {});
        return;
    }
    if (!stopped || connect_handler || !disconnect_handlers.empty()) {
        h(errc::already_connecting, {});
        return;
    }
    stopped = false;
    no_retry = false;
    ended = false;
    record_end({}, "");
    connect_handler = std::move(h);
    asio::co_spawn(
        strand, [self = shared_from_this()] { return self->supervise(); }, asio::detached);
}

asio::awaitable<void> client_core::supervise() {
    auto self = shared_from_this();
    std::chrono::milliseconds wait = options.reconnect_initial;
    while (!stopped) {
        const bool reached = co_await run_connection();
        if (stopped || no_retry || !options.reconnect || !ever_connected) break;
        if (reached) wait = options.reconnect_initial;
        // Exponential backoff with jitter, so a fleet of clients does not return all at once.
        std::uniform_real_distribution<double> spread(1 - options.reconnect_jitter,
                                                      1 + options.reconnect_jitter);
        const auto delay =
            std::chrono::milliseconds(std::int64_t(double(wait.count()) * spread(rng)));
        set_state(connection_state::waiting);
        backoff_timer.expires_after(delay);
        std::error_code ec;
        co_await backoff_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        wait = std::min(wait * 2, options.reconnect_maximum);
        ++stats.reconnects;
    }
    // `disconnected` is final: no reconnect follows (a lost connection that will be retried
    // shows as `waiting`).
    stopped = true;
    ended = true;
    draining.reset();
    drain_timer.cancel();
    set_state(connection_state::disconnected);
    fail_pending();  // what was waiting for the connection
}

asio::awaitable<bool> client_core::run_connection() {
    auto self = shared_from_this();
    const std::uint64_t gen = ++generation;
    set_state(connection_state::connecting);
    stream = std::make_shared<transport::stream>(strand);
    const std::shared_ptr<transport::stream> connection = stream;  // ours, even after a new one
    // (Named, not a temporary: GCC 12 destroys temporaries of a co_await expression twice.)
    const transport::connect_options how{endpoint, options.tls, options.connect_timeout};
    const transport::connect_result r = co_await connection->connect(how);
    if (gen != generation) co_return false;
    if (!r) {
        record_end(errc::transport_failed, r.message);
        co_return false;
    }
    if (stopped) {  // async_disconnect() while TCP/TLS were under way (a slow DNS answer, ...)
        connection->close();
        co_return false;
    }
    {
        transport::connection_event opened;
        opened.time = std::chrono::system_clock::now();
        opened.local = connection->local();
        opened.remote = connection->remote();
        opened.tls = connection->is_tls();
        const busy_scope in_tap(*this);
        tap.opened(opened);
    }
    write_pending.clear();
    bytes_queued = bytes_written = 0;
    writing = false;
    connection_reached = false;
    read_buffer.assign(1024, 0);
    session->connection_opened(now());
    flush();

    // The read loop (read_next, on_read) runs until the connection closes: by the peer, by an
    // error, or by us once a DISCONNECT is written (on_written), or a newer generation took over.
    // It tears the connection down itself (end_connection), in the handler that saw it end.
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [this, gen](auto h) { read_next(gen, completion<void()>(std::move(h), strand)); },
        asio::use_awaitable);
    co_return connection_reached;  // this connection reached CONNACK: the backoff starts again
}

// The read's completion handler, allocated from read_memory. It carries `done`, what
// run_connection() waits on, so that the loop owns its waiter: an io_context destroyed with a
// read pending destroys the handler and with it the waiting coroutine (and the core, when nothing
// else holds it). While parked, the core holds it instead (parked_done).
struct client_core::read_handler {
    std::shared_ptr<client_core> core;
    std::shared_ptr<transport::stream> connection;  // alive until the read completes
    std::uint64_t gen;
    completion<void()> done;
    using allocator_type = handler_allocator<void>;
    allocator_type get_allocator() const noexcept { return allocator_type(core->read_memory); }
    void operator()(std::error_code ec, std::size_t n) {
        core->on_read(gen, ec, n, std::move(done));
    }
};

bool client_core::must_park() const {
    // overflow_policy::wait: stop reading while the inbound queue is full; async_receive()
    // resumes it. (Not while leaving: a DISCONNECT, or a PUBREL it waits for, must get through.)
    return options.inbound_queue_limit && options.inbound_overflow == overflow_policy::wait &&
           !message_handler && inbound.size() >= options.inbound_queue_limit && !stopped &&
           !session->wants_close();
}

void client_core::read_next(std::uint64_t gen, completion<void()> done) {
    if (gen != generation || !stream) {
        done();  // the loop ends: run_connection() goes on
        return;
    }
    if (must_park()) {
        parked_gen = gen;
        parked_done = std::move(done);
        return;
    }
    stream->async_read_some(asio::buffer(read_buffer),
                            read_handler{shared_from_this(), stream, gen, std::move(done)});
}

void client_core::on_read(std::uint64_t gen, std::error_code ec, std::size_t n,
                          completion<void()> done) {
    if (gen != generation) {
        done();
        return;
    }
    const busy_scope working(*this);
    if (ec) {
        if (session->current_state() != session::state::closing) {
            record_end(errc::connection_lost, ec == asio::error::eof
                                                  ? "the broker closed the connection"
                                                  : "connection lost: " + ec.message());
        }
        end_connection();
        done();
        return;
    }
    const bytes_view bytes(read_buffer.data(), n);
    tap.bytes(transport::direction::received, bytes);
    session->receive(bytes, now());
    if (n == read_buffer.size() && read_buffer.size() < 64 * 1024)
        read_buffer.resize(read_buffer.size() * 2);
    connection_reached =
        connection_reached || session->current_state() == session::state::connected;
    flush();
    read_next(gen, std::move(done));
}

void client_core::end_connection() {
    stream->close();
    tap.closed(std::chrono::system_clock::now());
    fail_written(errc::connection_lost);  // QoS 0: maybe sent, maybe not; no one knows
    session->connection_lost(now());
    session_timer.cancel();
    timer_armed_for.reset();
    flush();
}

void client_core::resume_reading() {
    if (!parked_done) return;
    read_next(parked_gen, std::move(parked_done));
}

void client_core::flush() {
    const busy_scope working(*this);
    // What the getters show is brought up to date first: a completion may run on another
    // thread as soon as it is dispatched (a future's), and its waiter may then read stats()
    // (publishes_pending 0 once its last publish completed) before this flush is over.
    publish_observations();
    // Events first: the application gets what arrived before the store records it and before
    // PUBREC says so (delivery_store). What handling them made to send (the resubscribe after
    // Session Present 0, the Response Topic's SUBSCRIBE) goes out with the rest, now.
    while (auto e = session->poll_event()) {
        // One message at a time: a burst read at once is recorded as each one is handed over,
        // so a kill while printing it leaves one message to see twice, not the whole burst.
        const auto* m = std::get_if<session::message_received>(&*e);
        const std::optional<std::uint16_t> qos2_id =
            m && m->message.qos == qos::exactly_once ? std::optional(m->packet_id) : std::nullopt;
        dispatch(*e);
        if (qos2_id && store) store->commit(*qos2_id);
    }
    if (store) store->commit();
    // A DISCONNECT waiting for the server's QoS 2 flows goes out, in one write with the last
    // PUBCOMP, once none is open.
    if (draining && session->inbound_qos2_pending() == 0) disconnect_now();
    send_output();
    if (session->wants_close()) {
        if (!writing && stream) stream->close();
        resume_reading();  // a read loop parked by overflow_policy::wait sees the close
    }
    arm_timer();
    publish_observations();
}

void client_core::send_output() {
    const bytes_view out = session->output();
    if (out.empty() || !stream) {
        session->clear_output();
        return;
    }
    tap.bytes(transport::direction::sent, out);
    write_pending.insert(write_pending.end(), out.begin(), out.end());
    bytes_queued += out.size();
    session->clear_output();
    if (!writing) write_next();
}

struct client_core::write_handler {
    std::shared_ptr<client_core> core;
    std::shared_ptr<transport::stream> connection;  // alive until the write completes
    std::uint64_t gen;
    using allocator_type = handler_allocator<void>;
    allocator_type get_allocator() const noexcept { return allocator_type(core->write_memory); }
    void operator()(std::error_code ec, std::size_t) { core->on_written(gen, ec); }
};

void client_core::write_next() {
    // What send_output() appends meanwhile goes out in the next write.
    writing = true;
    write_inflight.clear();
    std::swap(write_inflight, write_pending);
    stream->async_write(asio::buffer(write_inflight),
                        write_handler{shared_from_this(), stream, generation});
}

void client_core::on_written(std::uint64_t gen, std::error_code ec) {
    if (gen != generation) return;  // run_connection() starts the next connection afresh
    if (ec) {
        // After a violation or our DISCONNECT the cause is known already; a peer that reset the
        // connection meanwhile does not change it.
        if (session->current_state() != session::state::closing)
            record_end(errc::connection_lost, "write failed: " + ec.message());
        stream->close();  // the read loop sees it and reports the loss
    } else {
        bytes_written += write_inflight.size();
        release_written();
        if (!write_pending.empty() && gen == generation) {
            write_next();
            return;
        }
    }
    write_inflight.clear();
    writing = false;
    // After DISCONNECT (ours or a violation's) the connection closes once the bytes are out.
    if (session->wants_close() && stream) stream->close();
}

void client_core::arm_timer() {
    const std::optional<session::time_point> at = session->next_deadline();
    if (!at) {
        if (timer_armed_for) session_timer.cancel();
        timer_armed_for.reset();
        return;
    }
    if (timer_armed_for && *timer_armed_for <= *at) return;  // it fires in time (see core.hpp)
    timer_armed_for = at;
    session_timer.expires_at(*at);
    session_timer.async_wait([self = shared_from_this(), gen = generation](std::error_code ec) {
        if (ec || gen != self->generation) return;
        self->timer_armed_for.reset();
        self->session->handle_timeout(self->now());
        self->flush();
    });
}

void client_core::release_written() {
    while (!written_waiters.empty() && written_waiters.front().until <= bytes_written) {
        written_waiter w = std::move(written_waiters.front());
        written_waiters.pop_front();
        w.handler({}, std::move(w.done));
    }
}

void client_core::fail_written(std::error_code ec) {
    for (written_waiter& w : written_waiters)
        w.handler(ec, std::move(w.done));
    written_waiters.clear();
}

}  // namespace mqtt::client
