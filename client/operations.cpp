// Commands into session calls, and session events into completions.
#include <asio/post.hpp>

#include "client/core.hpp"

namespace mqtt::client {

namespace {

std::error_code publish_error(const session::publish_completed& done) {
    if (done.error) return done.error;
    if (is_failure(done.reason)) return make_error_code(done.reason);
    return {};
}

}  // namespace

bool client_core::publish_now(session::message m, completion<client::publish_signature>& h) {
    if (m.qos != qos::at_most_once && state != connection_state::connected &&
        session->queued() >= options.max_offline_queue) {
        h(errc::offline_queue_full, {});
        return false;
    }
    const session::command_result r = session->publish(std::move(m), now());
    if (!r) {
        last_error = r.detail;
        publish_observations();
        h(r.error, {});
        return false;
    }
    ++stats.messages_published;
    publishes.emplace(r.ticket, std::move(h));
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
        message_handler(m);
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
        set_state(connection_state::connected, "");
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
        last_error = "connection refused: " + make_error_code(r->reason).message();
        if (connect_handler) connect_handler(make_error_code(r->reason), {});
        stopped = true;  // a refusal needs the user's attention, not a retry
    } else if (auto* m = std::get_if<session::message_received>(&e)) {
        deliver(std::move(*m));
    } else if (auto* p = std::get_if<session::publish_completed>(&e)) {
        if (auto it = publishes.find(p->ticket); it != publishes.end()) {
            auto h = std::move(it->second);
            publishes.erase(it);
            h(publish_error(*p), std::move(*p));
        }
    } else if (auto* s = std::get_if<session::subscribe_completed>(&e)) {
        if (s->ticket == response_subscription) {
            response_subscription = 0;
            on_response_subscribed(s->error);
        } else if (auto it = subscribes.find(s->ticket); it != subscribes.end()) {
            auto h = std::move(it->second);
            subscribes.erase(it);
            h(s->error, std::move(*s));
        }
    } else if (auto* u = std::get_if<session::unsubscribe_completed>(&e)) {
        if (auto it = unsubscribes.find(u->ticket); it != unsubscribes.end()) {
            auto h = std::move(it->second);
            unsubscribes.erase(it);
            h(u->error, std::move(*u));
        }
    } else if (auto* d = std::get_if<session::disconnected>(&e)) {
        if (d->cause != session::disconnect_cause::client &&
            d->cause != session::disconnect_cause::connection_lost) {
            last_error = d->detail.empty() ? make_error_code(d->reason).message() : d->detail;
            if (d->cause == session::disconnect_cause::server) {
                last_error = "the broker disconnected: " + make_error_code(d->reason).message() +
                             (d->reason_string ? " (" + *d->reason_string + ")" : "");
            }
        }
        if (connect_handler) {
            connect_handler(d->cause == session::disconnect_cause::connect_refused
                                ? make_error_code(d->reason)
                                : std::error_code(errc::connection_closed),
                            {});
        }
        if (d->cause == session::disconnect_cause::client) stopped = true;
    }
}

void client_core::fail_pending(std::error_code ec) {
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
    for (auto& w : requests_waiting)
        w.handler(ec, {});
    requests_waiting.clear();
    // QoS 1/2 publishes stay in the session (and its store) for a later connection; their
    // handlers are kept until they complete or the client goes away.
    if (disconnect_handler) disconnect_handler(std::error_code{});
}

// ---- the public surface: post to the strand ----

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
        core->read_gate.cancel();
    });
}

asio::any_io_executor client::executor() const {
    return core_->executor;
}
transport::packet_tap& client::tap() {
    return core_->tap;
}
connection_state client::state() const {
    return core_->state;
}
statistics client::stats() const {
    return core_->stats;
}
std::string client::last_error() const {
    return core_->last_error;
}

void client::set_message_handler(std::function<void(const session::message_received&)> h) {
    asio::post(core_->strand, [core = core_, h = std::move(h)]() mutable {
        core->message_handler = std::move(h);
    });
}

void client::set_state_handler(std::function<void(connection_state, const std::string&)> h) {
    asio::post(core_->strand,
               [core = core_, h = std::move(h)]() mutable { core->state_handler = std::move(h); });
}

void client::start_connect(completion<connect_signature> h) {
    asio::post(core_->strand,
               [core = core_, h = std::move(h)]() mutable { core->connect(std::move(h)); });
}

void client::start_publish(session::message m, completion<publish_signature> h) {
    asio::post(core_->strand, [core = core_, m = std::move(m), h = std::move(h)]() mutable {
        if (core->options.publish_rate > 0) {
            core->rate_queue.emplace_back(std::move(m), std::move(h));
            core->release_rate_limited();
        } else {
            core->publish_now(std::move(m), h);
        }
    });
}

void client::start_subscribe(std::vector<session::subscription_request> subs,
                             session::subscribe_options options,
                             completion<subscribe_signature> h) {
    asio::post(core_->strand, [core = core_, subs = std::move(subs), options = std::move(options),
                               h = std::move(h)]() mutable {
        const session::command_result r = core->session->subscribe(subs, options, core->now());
        if (!r) {
            core->last_error = r.detail;
            core->publish_observations();
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
    asio::post(core_->strand, [core = core_, filters = std::move(filters),
                               props = std::move(user_properties), h = std::move(h)]() mutable {
        const session::command_result r =
            core->session->unsubscribe(filters, std::move(props), core->now());
        if (!r) {
            core->last_error = r.detail;
            core->publish_observations();
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
    asio::post(core_->strand,
               [core = core_, options = std::move(options), h = std::move(h)]() mutable {
                   const std::error_code ec = core->session->disconnect(options, core->now()).error;
                   if (ec && ec != session::errc::not_connected && ec != session::errc::closed) {
                       h(ec);  // the options were refused (spec 3.14.2): nothing changed
                       return;
                   }
                   core->stopped = true;
                   core->backoff_timer.cancel();
                   if (ec) {
                       // Not connected: nothing to say to the broker; stop reconnecting all the
                       // same.
                       h(std::error_code{});
                       return;
                   }
                   core->disconnect_handler = std::move(h);
                   core->flush();
               });
}

void client::start_receive(completion<message_signature> h) {
    asio::post(core_->strand, [core = core_, h = std::move(h)]() mutable {
        if (!core->inbound.empty()) {
            session::message_received m = std::move(core->inbound.front());
            core->inbound.pop_front();
            h(std::error_code{}, std::move(m));
            core->read_gate.cancel();  // room again: resume reading (overflow_policy::wait)
            return;
        }
        core->receivers.push_back(std::move(h));
    });
}

void client::start_request(session::message m, std::chrono::milliseconds timeout,
                           completion<message_signature> h) {
    asio::post(core_->strand,
               [core = core_, m = std::move(m), timeout, h = std::move(h)]() mutable {
                   core->request(std::move(m), timeout, std::move(h));
               });
}

void client::start_reply(const session::message& request, session::message response,
                         completion<publish_signature> h) {
    asio::post(core_->strand,
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
