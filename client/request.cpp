// Request/response (spec 4.10): a request carries a Response Topic and Correlation Data; the
// responder publishes its answer to that topic with the same Correlation Data. The requester
// subscribes its response topic once, before the first request goes out, so no response can
// arrive before the subscription.
#include <fmt/format.h>

#include "client/core.hpp"

namespace mqtt::client {

void client_core::request(session::message m, std::chrono::milliseconds timeout,
                          completion<client::message_signature> h) {
    if (state != connection_state::connected) {
        h(errc::not_connected, {});
        return;
    }
    requests_waiting.push_back({std::move(m), timeout, std::move(h)});
    if (response_ready) {
        on_response_subscribed({});
    } else if (response_subscription == 0) {
        subscribe_response_topic();
    }
}

void client_core::subscribe_response_topic() {
    if (response_topic.empty()) response_topic = options.response_topic;
    if (response_topic.empty()) {
        // Under the server's Response Information when it gave one (spec 3.2.2.3.15).
        const std::string base = response_information.value_or("responses");
        response_topic = fmt::format("{}/{:016x}", base, rng());
    }
    session::subscription_request s;
    s.topic_filter = response_topic;
    s.max_qos = options.response_qos;
    const session::command_result r = session->subscribe({s}, {}, now());
    if (!r) {
        on_response_subscribed(r.error);
        return;
    }
    response_subscription = r.ticket;
    flush();
}

void client_core::on_response_subscribed(std::error_code ec) {
    if (ec) {
        for (waiting_request& w : requests_waiting)
            w.handler(ec, {});
        requests_waiting.clear();
        return;
    }
    response_ready = true;
    while (!requests_waiting.empty()) {
        waiting_request w = std::move(requests_waiting.front());
        requests_waiting.pop_front();
        send_request(std::move(w));
    }
}

void client_core::send_request(waiting_request w) {
    // The request's own Correlation Data, or 16 random bytes.
    if (!w.message.props.correlation_data) {
        session::byte_vector random(16);
        for (auto& b : random)
            b = std::uint8_t(rng());
        w.message.props.correlation_data = std::move(random);
    }
    const session::byte_vector& correlation = *w.message.props.correlation_data;
    const std::string key(correlation.begin(), correlation.end());
    if (requests.contains(key)) {
        record_error(session::errc::invalid_argument,
                     "a request with this Correlation Data is already waiting for its response");
        w.handler(session::errc::invalid_argument, {});
        return;
    }
    w.message.props.response_topic = response_topic;
    const session::command_result r = session->publish(std::move(w.message), now());
    if (!r) {
        record_error(r.error, r.detail);
        w.handler(r.error, {});
        return;
    }
    auto timer = std::make_shared<asio::steady_timer>(strand, w.timeout);
    timer->async_wait([self = shared_from_this(), key](std::error_code ec) {
        if (!ec) self->fail_request(key, errc::timed_out);
    });
    requests.emplace(key, pending_request{std::move(w.handler), std::move(timer)});
    request_publishes.emplace(r.ticket, key);
    flush();
}

void client_core::fail_request(const std::string& key, std::error_code ec) {
    const auto it = requests.find(key);
    if (it == requests.end()) return;
    it->second.timer->cancel();
    auto h = std::move(it->second.handler);
    requests.erase(it);
    h(ec, {});
}

bool client_core::request_published(const session::publish_completed& p, std::error_code ec) {
    const auto it = request_publishes.find(p.ticket);
    if (it == request_publishes.end()) return false;
    const std::string key = std::move(it->second);
    request_publishes.erase(it);
    // A request the server refused (PUBACK or PUBREC >= 0x80, e.g. 0x87 Not authorized) gets no
    // response: it fails now, with the reason code, instead of at its timeout.
    if (ec) {
        if (p.reason_string) record_error(ec, "the request was refused: " + *p.reason_string);
        fail_request(key, ec);
    }
    return true;
}

bool client_core::take_response(session::message_received& m) {
    if (response_topic.empty() || m.message.topic != response_topic) return false;
    // Everything on the response topic is ours to sort: the response to a request, or nothing
    // anybody waits for (a retained message left there earlier, an answer after its request
    // timed out, someone else's on a shared topic), which is dropped.
    auto it = requests.end();
    if (m.message.retain) {
        // never a response, even with matching Correlation Data
    } else if (m.message.props.correlation_data) {
        const auto& c = *m.message.props.correlation_data;
        it = requests.find(std::string(c.begin(), c.end()));
    } else if (requests.size() == 1) {
        it = requests.begin();  // a responder that left the Correlation Data out; only one asked
    }
    if (it == requests.end()) {
        ++stats.inbound_dropped;
        return true;
    }
    it->second.timer->cancel();
    auto h = std::move(it->second.handler);
    requests.erase(it);
    h(std::error_code{}, std::move(m));
    return true;
}

}  // namespace mqtt::client
