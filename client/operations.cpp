// Commands into session calls, and session events into completions.
#include <asio/post.hpp>

#include <fmt/format.h>

#include "client/core.hpp"
#include "protocol/reason_format.hpp"

namespace mqtt::client {

namespace {

std::error_code publish_error(const session::publish_completed& done) {
    if (done.error) return done.error;
    if (is_failure(done.reason)) return make_error_code(done.reason);
    return {};
}

// Refusals a server may take back soon (spec 3.2.2.2): a reconnect keeps trying after them.
bool transient(reason_code rc) {
    return rc == reason_code::server_unavailable || rc == reason_code::server_busy ||
           rc == reason_code::quota_exceeded || rc == reason_code::connection_rate_exceeded;
}

}  // namespace

template <class Message>
bool client_core::publish_now(Message&& m, completion<client::publish_signature>& h) {
    const busy_scope working(*this);  // the store, a state handler: their calls are posted
    if (ended) {
        // Stopped: nothing would ever send it or complete it (before the first async_connect()
        // QoS 1/2 publishes do wait offline: the connection is coming).
        record_error(errc::not_connected, "the client has stopped; async_connect() first");
        h(errc::not_connected, {});
        return false;
    }
    if (m.qos != qos::at_most_once && state != connection_state::connected &&
        session->queued() >= options.max_offline_queue) {
        h(errc::offline_queue_full, {});
        return false;
    }
    const session::command_result r = session->publish(std::forward<Message>(m), now());
    if (!r) {
        record_error(r.error, r.detail);
        h(r.error, {});
        return false;
    }
    ++stats.messages_published;
    publish_nodes.emplace(publishes, r.ticket, std::move(h));
    flush();
    return true;
}

void client_core::release_rate_limited() {
    const auto slot = std::chrono::duration_cast<session::clock::duration>(
        std::chrono::duration<double>(1.0 / options.publish_rate));
    while (!rate_queue.empty()) {
        const session::time_point t = now();
        if (next_publish_slot > t) {
            rate_timer.expires_at(next_publish_slot);
            rate_timer.async_wait([self = shared_from_this()](std::error_code ec) {
                if (!ec) self->release_rate_limited();
            });
            return;
        }
        // One publish per slot, strictly: the next may leave one slot after this one (no
        // credit for idle time, so no window of a second ever holds more than the rate).
        next_publish_slot = std::max(next_publish_slot, t) + slot;
        auto [m, h] = std::move(rate_queue.front());
        rate_queue.pop_front();
        publish_now(std::move(m), h);
    }
}

void client_core::deliver(session::message_received m) {
    ++stats.messages_received;
    if (take_response(m)) return;
    if (message_handler) {
        message_handler(m);                      // inside flush(): busy, so its calls are posted
        session->recycle(std::move(m.message));  // its storage serves a later message
        return;
    }
    if (!receivers.empty()) {
        auto h = std::move(receivers.front());
        receivers.pop_front();
        h(std::error_code{}, std::move(m));
        return;
    }
    if (options.inbound_queue_limit && inbound.size() >= options.inbound_queue_limit) {
        switch (options.inbound_overflow) {
            case overflow_policy::drop_newest:
                ++stats.inbound_dropped;
                return;
            case overflow_policy::drop_oldest:
                inbound.pop_front();
                ++stats.inbound_dropped;
                break;
            case overflow_policy::wait:
                break;  // the reader has stopped; this one still fits
        }
    }
    inbound.push_back(std::move(m));
}

void client_core::dispatch(session::event& e) {
    if (auto* c = std::get_if<session::connected>(&e)) {
        ever_connected = true;
        end_code.clear();  // a connection is up: nothing has ended it
        end_text.clear();
        set_state(connection_state::connected);
        if (connect_handler) connect_handler(std::error_code{}, *c);
        response_information = c->response_information;
        if (!c->session_present) {
            // The server kept nothing: our subscriptions (and the response topic's) are gone.
            response_ready = false;
            response_subscription = 0;
            if (options.resubscribe) {
                for (const auto& [subs, opts] : subscriptions)
                    session->subscribe(subs, opts, now());
            }
        }
        if (!response_ready && (!requests_waiting.empty() || !requests.empty())) {
            subscribe_response_topic();
        }
    } else if (auto* r = std::get_if<session::connect_refused>(&e)) {
        // A refusal needs the user's attention, not a retry (async_connect() fails with it once
        // the client stopped), unless it says "later" on a reconnect.
        // The error code is the v5 reason whatever the version (a 3.1.1 return code is held as
        // the v5 reason of its meaning); the text names what the server sent.
        record_end(make_error_code(r->reason),
                   "connection refused: " +
                       session::connack_reason_text(r->reason, options.mqtt.protocol_version));
        if (!ever_connected || !transient(r->reason)) no_retry = true;
    } else if (auto* m = std::get_if<session::message_received>(&e)) {
        deliver(std::move(*m));
    } else if (auto* p = std::get_if<session::publish_completed>(&e)) {
        const std::error_code ec = publish_error(*p);
        if (request_published(*p, ec)) return;
        if (auto it = publishes.find(p->ticket); it != publishes.end()) {
            auto h = std::move(it->second);
            publish_nodes.erase(publishes, it);
            if (!ec && p->packet_id == 0 && stream) {
                // QoS 0: done once written (core.hpp); its bytes are in the session's output,
                // which goes to the write buffer after the events.
                written_waiters.push_back(
                    {bytes_queued + session->output().size(), std::move(h), std::move(*p)});
                return;
            }
            h(ec, std::move(*p));
        }
    } else if (auto* s = std::get_if<session::subscribe_completed>(&e)) {
        if (s->ticket == response_subscription) {
            response_subscription = 0;
            std::error_code ec = s->error;
            if (!ec && (s->reason_codes.empty() || is_failure(s->reason_codes.front()))) {
                ec = s->reason_codes.empty() ? std::error_code(errc::connection_closed)
                                             : make_error_code(s->reason_codes.front());
                record_error(ec, fmt::format("the subscription to the response topic \"{}\" was "
                                             "refused: {}",
                                             response_topic, ec.message()));
            }
            on_response_subscribed(ec);
        } else if (auto it = subscribes.find(s->ticket); it != subscribes.end()) {
            auto h = std::move(it->second);
            subscribes.erase(it);
            h(ended_by(s->error), std::move(*s));
        }
    } else if (auto* u = std::get_if<session::unsubscribe_completed>(&e)) {
        if (auto it = unsubscribes.find(u->ticket); it != unsubscribes.end()) {
            auto h = std::move(it->second);
            unsubscribes.erase(it);
            h(ended_by(u->error), std::move(*u));
        }
    } else if (auto* d = std::get_if<session::disconnected>(&e)) {
        on_disconnected(*d);
    }
}

void client_core::on_disconnected(const session::disconnected& d) {
    using cause = session::disconnect_cause;
    switch (d.cause) {
        case cause::client:           // async_disconnect()
        case cause::connection_lost:  // the read loop recorded why
        case cause::connect_refused:  // the connect_refused event recorded it
            break;
        case cause::server:
            record_end(is_failure(d.reason) ? make_error_code(d.reason) : errc::connection_closed,
                       fmt::format("the broker disconnected: {}{}",
                                   named_reason{d.reason, packet_type::disconnect},
                                   d.reason_string ? " (" + *d.reason_string + ")" : ""));
            break;
        case cause::protocol_violation:
            // "the server broke the protocol: PUBLISH QoS: QoS 3 is not allowed (MQTT-3.3.1-4);
            //  sent DISCONNECT 0x81 Malformed Packet"
            // 3.1.1 has no reason codes: the session closed the connection without a packet.
            record_end(
                errc::protocol_violation,
                options.mqtt.protocol_version == protocol_version::v311
                    ? fmt::format("the server broke the protocol: {}; closed the "
                                  "connection (MQTT 3.1.1 has no DISCONNECT for it)",
                                  d.detail)
                    : fmt::format("the server broke the protocol: {}; sent DISCONNECT {}", d.detail,
                                  named_reason{d.reason, packet_type::disconnect}));
            if (!options.reconnect_on_violation) no_retry = true;
            break;
        case cause::keep_alive_timeout:
            record_end(errc::connection_lost, d.detail);
            break;
        case cause::connack_timeout:
            record_end(errc::timed_out, d.detail);
            break;
        case cause::authentication_failed:
            record_end(session::errc::authentication_failed, d.detail);
            break;
    }
}

std::error_code client_core::ended_by(std::error_code ec) const {
    // A SUBSCRIBE or UNSUBSCRIBE the session ended with the connection: with why it ended, when
    // that says more (the server broke the protocol).
    if (ec == session::errc::connection_lost && end_code == errc::protocol_violation)
        return end_code;
    return ec;
}

void client_core::fail_pending() {
    // With the violation when that ended the connection, so the application can tell a broken
    // server from a closed connection.
    const std::error_code ec =
        end_code == errc::protocol_violation ? end_code : std::error_code(errc::connection_closed);
    // A first async_connect() that never reached CONNACK fails with why the client stopped.
    if (connect_handler) connect_handler(end_code ? end_code : ec, {});
    for (auto& [ticket, h] : subscribes)
        h(ec, {});
    subscribes.clear();
    for (auto& [ticket, h] : unsubscribes)
        h(ec, {});
    unsubscribes.clear();
    for (auto& h : receivers)
        h(ec, {});
    receivers.clear();
    for (auto& [corr, r] : requests) {
        r.timer->cancel();
        r.handler(ec, {});
    }
    requests.clear();
    request_publishes.clear();
    for (auto& w : requests_waiting)
        w.handler(ec, {});
    requests_waiting.clear();
    // QoS 1/2 publishes stay in the session (and its store) and go out again if the client
    // connects again, but nobody may be left waiting on a client that stopped: their handlers
    // fail now, and a later completion finds none.
    for (auto& [ticket, h] : publishes)
        h(ec, {});
    publishes.clear();
    rate_timer.cancel();
    for (auto& [m, h] : rate_queue)
        h(ec, {});
    rate_queue.clear();
    for (auto& h : disconnect_handlers)
        h(std::error_code{});
    disconnect_handlers.clear();
}

// ---- the public surface: post to the strand ----

namespace {

// Posts a public call to the client's strand, counted (posted_calls) so that a later call made on
// the io thread does not run at once ahead of it (client_core::direct_call()).
template <class F>
void post_call(const std::shared_ptr<client_core>& core, F&& f) {
    core->posted_calls.fetch_add(1, std::memory_order_relaxed);
    asio::post(core->strand, [core, f = std::forward<F>(f)]() mutable {
        core->posted_calls.fetch_sub(1, std::memory_order_relaxed);
        f();
    });
}

}  // namespace

client::client(asio::any_io_executor ex, client_options options)
    : core_(std::make_shared<client_core>(ex, std::move(options))) {}

client::~client() {
    asio::post(core_->strand, [core = core_] {
        core->stopped = true;
        ++core->generation;
        if (core->stream) core->stream->close();
        core->session_timer.cancel();
        core->backoff_timer.cancel();
        core->rate_timer.cancel();
        core->drain_timer.cancel();
        core->resume_reading();  // a parked read loop sees the new generation and ends
    });
}

asio::any_io_executor client::executor() const {
    return core_->executor;
}
transport::packet_tap& client::tap() {
    return core_->tap;
}
// The getters read the copy the strand publishes (client_core::observed()), never the fields
// the strand writes: any thread may call them.
connection_state client::state() const {
    return core_->observed().state;
}
statistics client::stats() const {
    return core_->observed().stats;
}
std::string client::last_error() const {
    return core_->observed().last_error;
}
std::error_code client::last_error_code() const {
    return core_->observed().last_error_code;
}

void client::set_message_handler(std::function<void(const session::message_received&)> h) {
    post_call(core_,
              [core = core_, h = std::move(h)]() mutable { core->message_handler = std::move(h); });
}

void client::set_state_handler(
    std::function<void(connection_state, std::error_code, const std::string&)> h) {
    post_call(core_,
              [core = core_, h = std::move(h)]() mutable { core->state_handler = std::move(h); });
}

void client::start_connect(completion<connect_signature> h) {
    post_call(core_, [core = core_, h = std::move(h)]() mutable { core->connect(std::move(h)); });
}

completion_queue* client::queue() const {
    return core_->queue();
}

void client::start_publish(session::message m, completion<publish_signature> h) {
    const auto run = [core = core_](session::message& m, completion<publish_signature>& h) {
        if (core->options.publish_rate > 0) {
            core->rate_queue.emplace_back(std::move(m), std::move(h));
            core->release_rate_limited();
        } else {
            core->publish_now(std::move(m), h);
        }
    };
    if (core_->direct_call()) {
        run(m, h);
        return;
    }
    post_call(core_, [run, m = std::move(m), h = std::move(h)]() mutable { run(m, h); });
}

void client::start_publish_copy(const session::message& m, completion<publish_signature> h) {
    if (core_->direct_call() && core_->options.publish_rate <= 0) {
        core_->publish_now(m, h);  // copied into the session's spare storage
        return;
    }
    start_publish(m, std::move(h));
}

void client::start_subscribe(std::vector<session::subscription_request> subs,
                             session::subscribe_options options,
                             completion<subscribe_signature> h) {
    post_call(core_, [core = core_, subs = std::move(subs), options = std::move(options),
                      h = std::move(h)]() mutable {
        const session::command_result r = core->session->subscribe(subs, options, core->now());
        if (!r) {
            core->record_error(r.error, r.detail);
            h(r.error, {});
            return;
        }
        core->subscriptions.emplace_back(std::move(subs), std::move(options));
        core->subscribes.emplace(r.ticket, std::move(h));
        core->flush();
    });
}

void client::start_unsubscribe(std::vector<std::string> filters,
                               session::user_property_list user_properties,
                               completion<unsubscribe_signature> h) {
    post_call(core_, [core = core_, filters = std::move(filters),
                      props = std::move(user_properties), h = std::move(h)]() mutable {
        const session::command_result r =
            core->session->unsubscribe(filters, std::move(props), core->now());
        if (!r) {
            core->record_error(r.error, r.detail);
            h(r.error, {});
            return;
        }
        // No resubscribing to what was unsubscribed.
        for (auto& [subs, opts] : core->subscriptions) {
            std::erase_if(subs, [&](const session::subscription_request& s) {
                return std::find(filters.begin(), filters.end(), s.topic_filter) != filters.end();
            });
        }
        std::erase_if(core->subscriptions, [](const auto& s) { return s.first.empty(); });
        core->unsubscribes.emplace(r.ticket, std::move(h));
        core->flush();
    });
}

void client::start_disconnect(session::disconnect_options options,
                              completion<disconnect_signature> h) {
    post_call(core_, [core = core_, options = std::move(options), h = std::move(h)]() mutable {
        core->disconnect(std::move(options), std::move(h));
    });
}

void client_core::disconnect(session::disconnect_options o,
                             completion<client::disconnect_signature> h) {
    if (const session::command_result bad = session->check_disconnect(o); !bad) {
        record_error(bad.error, bad.detail);
        h(bad.error);  // refused (spec 3.14.2.2.2): nothing changed
        return;
    }
    stopped = true;  // no reconnect from now on
    backoff_timer.cancel();
    resume_reading();  // a read loop parked by overflow_policy::wait must see the end
    if (state == connection_state::disconnected) {
        h(std::error_code{});  // stopped already
        return;
    }
    // Completes once the client stopped: fail_pending() at the end of supervise(). A second
    // call while the first DISCONNECT is on its way completes with it.
    disconnect_handlers.push_back(std::move(h));
    if (disconnect_handlers.size() > 1) return;
    const session::state mqtt_state = session->current_state();
    if (mqtt_state != session::state::connecting && mqtt_state != session::state::connected) {
        // No MQTT connection to close politely (waiting to reconnect, TCP or TLS under way, or
        // a DISCONNECT already sent or received): drop what there is.
        if (stream && mqtt_state != session::state::closing) stream->close();
        return;
    }
    draining = std::move(o);
    if (mqtt_state == session::state::connected && session->inbound_qos2_pending() > 0 &&
        options.disconnect_drain_timeout.count() > 0) {
        // Let the server's QoS 2 flows finish first: flush() sends the DISCONNECT once none is
        // open, or the timer when it runs out.
        drain_timer.expires_after(options.disconnect_drain_timeout);
        drain_timer.async_wait([self = shared_from_this()](std::error_code ec) {
            if (!ec && self->draining) self->flush_disconnect();
        });
        return;
    }
    flush_disconnect();
}

void client_core::flush_disconnect() {
    disconnect_now();
    flush();
}

void client_core::disconnect_now() {
    session::disconnect_options o = std::move(*draining);
    draining.reset();
    drain_timer.cancel();
    // Refused only when the connection ended meanwhile: then there is nothing to send, and
    // fail_pending() completes the handler once the client stopped.
    (void)session->disconnect(std::move(o), now());
}

void client::start_receive(completion<message_signature> h) {
    post_call(core_, [core = core_, h = std::move(h)]() mutable {
        if (!core->inbound.empty()) {
            session::message_received m = std::move(core->inbound.front());
            core->inbound.pop_front();
            h(std::error_code{}, std::move(m));
            core->resume_reading();  // room again (overflow_policy::wait)
            return;
        }
        if (core->ended) {  // stopped: no message is coming until async_connect()
            h(errc::not_connected, {});
            return;
        }
        core->receivers.push_back(std::move(h));
    });
}

void client::start_request(session::message m, std::chrono::milliseconds timeout,
                           completion<message_signature> h) {
    post_call(core_, [core = core_, m = std::move(m), timeout, h = std::move(h)]() mutable {
        core->request(std::move(m), timeout, std::move(h));
    });
}

void client::start_reply(const session::message& request, session::message response,
                         completion<publish_signature> h) {
    post_call(core_,
              [core = core_, request, response = std::move(response), h = std::move(h)]() mutable {
                  if (!request.props.response_topic) {
                      h(errc::no_response_topic, {});
                      return;
                  }
                  response.topic = *request.props.response_topic;
                  response.props.correlation_data = request.props.correlation_data;
                  core->publish_now(std::move(response), h);
              });
}

const char* to_string(connection_state s) {
    switch (s) {
        case connection_state::disconnected:
            return "disconnected";
        case connection_state::connecting:
            return "connecting";
        case connection_state::connected:
            return "connected";
        case connection_state::waiting:
            return "waiting to reconnect";
    }
    return "?";
}

}  // namespace mqtt::client
