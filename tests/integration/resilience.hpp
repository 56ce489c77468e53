// What the client's resilience tests share (client_resilience_test.cpp, client_reconnect_test.cpp,
// client_publishing_test.cpp): numbered messages and a tally of what a subscriber was given, plans
// of cuts for the TCP proxy (proxy.hpp), an audit of a QoS 2 sender's packets, and the fixture
// with a client that keeps its session and reconnects quickly.
#pragma once

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_fixture.hpp"
#include "proxy.hpp"

namespace mqtt::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// GCC 12: arguments to co_await'ed calls are named values (see client_basic_test.cpp).
inline const session::disconnect_options bye;
inline const session::subscribe_options no_options;

inline session::message text_message(std::string topic, std::string text, qos q) {
    session::message m;
    m.topic = std::move(topic);
    m.payload.assign(text.begin(), text.end());
    m.qos = q;
    return m;
}

// The number a test message carries as its payload; -1 if it is not one.
inline int number_of(const session::message& m) {
    int n = -1;
    const char* begin = reinterpret_cast<const char*>(m.payload.data());
    const auto [end, ec] = std::from_chars(begin, begin + m.payload.size(), n);
    return ec == std::errc() && end == begin + m.payload.size() ? n : -1;
}

inline double seconds_between(steady::time_point a, steady::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// Waits (polling, in a coroutine) until `done()` or `limit`; says which.
template <class Predicate>
asio::awaitable<bool> wait_until(Predicate done, std::chrono::milliseconds limit) {
    const steady::time_point until = steady::now() + limit;
    while (!done()) {
        if (steady::now() >= until) co_return false;
        co_await sleep_for(5ms);
    }
    co_return true;
}

inline std::uint8_t type_byte(packet_type t) {
    return std::uint8_t(t);
}

// A schedule of cuts: cut number k happens at moments[k % moments.size()], once `spacing` packets
// of that moment's type have gone that way since the previous cut; `total` cuts, then none.
struct moment {
    flow direction;
    packet_type type;
    verdict when;
};
struct cut_plan {
    std::vector<moment> moments;
    std::size_t spacing = 30;
    std::size_t total = 20;
    std::atomic<std::size_t> made{0};
    std::size_t seen = 0;  // touched by the rule only (under the proxy's rule lock)
};
inline packet_rule follow(std::shared_ptr<cut_plan> plan) {
    return [plan](const proxied_packet& p) {
        if (plan->made >= plan->total) return verdict::forward;
        const moment& m = plan->moments[plan->made % plan->moments.size()];
        if (p.direction != m.direction || p.type != type_byte(m.type)) return verdict::forward;
        if (++plan->seen < plan->spacing) return verdict::forward;
        plan->seen = 0;
        ++plan->made;
        return m.when;
    };
}

// Counts each numbered message a subscriber's application is given.
struct tally {
    explicit tally(std::size_t n) : seen(n, 0) {}
    std::vector<int> seen;
    std::size_t total = 0, foreign = 0, dup_flagged = 0;
    std::vector<int> order;  // numbers in arrival order
    void add(const session::message_received& r) {
        ++total;
        if (r.dup) ++dup_flagged;
        const int n = number_of(r.message);
        if (n < 0 || std::size_t(n) >= seen.size()) {
            ++foreign;
            return;
        }
        ++seen[std::size_t(n)];
        order.push_back(n);
    }
    std::size_t distinct() const {
        return std::size_t(std::count_if(seen.begin(), seen.end(), [](int c) { return c > 0; }));
    }
    std::size_t missing() const { return seen.size() - distinct(); }
    std::size_t duplicates() const { return total - foreign - distinct(); }
};

// Watches a QoS 2 sender's packets (its tap: sent and received, on the client's strand) and
// counts what the spec forbids: a PUBLISH resent after its PUBREL (MQTT-4.3.3-6), a first
// PUBLISH with DUP 1 (MQTT-4.3.3-2) or a resent one with DUP 0 (MQTT-3.3.1-1), a resend on the
// connection that already carried it (resends only on a new connection, MQTT-4.4.0-1).
struct qos2_sender_audit {
    enum class stage : std::uint8_t { published, released };
    struct entry {
        stage at = stage::published;
        std::size_t connection = 0;  // of the last send
    };
    std::map<std::uint16_t, entry> inflight;  // by Packet Identifier
    std::size_t connection = 0;
    std::size_t publish_after_pubrel = 0, bad_dup = 0, resent_on_same_connection = 0;
    std::size_t publishes_resent = 0, pubrels_resent = 0;

    void see(const transport::tapped_packet& t) {
        const proxied_packet p{flow::to_broker, std::uint8_t(t.bytes[0] >> 4),
                               std::uint8_t(t.bytes[0] & 0x0F), t.bytes, 0};
        const bool sent = t.dir == transport::direction::sent;
        const std::optional<std::uint16_t> id = p.packet_id();
        if (sent && p.type == type_byte(packet_type::connect)) ++connection;
        if (!id) return;
        const auto it = inflight.find(*id);
        if (sent && p.type == type_byte(packet_type::publish) && ((p.flags >> 1) & 3) == 2) {
            const bool dup = (p.flags & 0x08) != 0;
            if (it == inflight.end()) {
                if (dup) ++bad_dup;
                inflight[*id] = {stage::published, connection};
                return;
            }
            ++publishes_resent;
            if (!dup) ++bad_dup;
            if (it->second.at == stage::released) ++publish_after_pubrel;
            if (it->second.connection == connection) ++resent_on_same_connection;
            it->second.connection = connection;
        } else if (sent && p.type == type_byte(packet_type::pubrel) && it != inflight.end()) {
            if (it->second.at == stage::released) {
                ++pubrels_resent;
                if (it->second.connection == connection) ++resent_on_same_connection;
            }
            it->second = {stage::released, connection};
        } else if (!sent && p.type == type_byte(packet_type::pubcomp)) {
            if (it != inflight.end()) inflight.erase(it);
        }
    }
};

class resilience_test : public client_test {
  protected:
    // A client that keeps its session (MQTT-3.1.2-23) and reconnects quickly.
    static mqtt::client::client_options resilient(std::string client_id, std::uint16_t port) {
        mqtt::client::client_options o = options(std::move(client_id), url(port));
        o.mqtt.session_expiry_interval = 300;
        o.mqtt.keep_alive = 10;
        o.reconnect = true;
        o.reconnect_initial = 30ms;
        o.reconnect_maximum = 200ms;
        return o;
    }
    static std::string url(std::uint16_t port) {
        return "mqtt://127.0.0.1:" + std::to_string(port);
    }
    void check_backoff(const char* client_id, bool refuse_after_accept);
};

// Publishes `count` numbered messages on `topic` at `q` from `pub`, and waits until all have
// completed and `sub_tally` counts them all (or `limit`). Then waits a little for late duplicates.
inline asio::awaitable<void> publish_numbered(mqtt::client::client& pub, const std::string& topic,
                                              qos q, std::size_t count, tally& sub_tally,
                                              std::chrono::milliseconds limit) {
    std::size_t completed = 0, failed = 0;
    std::string first_failure;
    for (std::size_t i = 0; i < count; ++i) {
        pub.async_publish(text_message(topic, std::to_string(i), q),
                          [&](std::error_code ec, const session::publish_completed&) {
                              ++completed;
                              if (ec && failed++ == 0) first_failure = ec.message();
                          });
    }
    auto all_done = [&] { return completed == count && sub_tally.distinct() == count; };
    const bool done = co_await wait_until(all_done, limit);
    EXPECT_TRUE(done) << completed << " of " << count << " publishes completed, "
                      << sub_tally.distinct() << " distinct messages received";
    EXPECT_EQ(failed, 0u) << "first failure: " << first_failure;
    co_await sleep_for(300ms);  // a duplicate would come now
}

}  // namespace mqtt::test
