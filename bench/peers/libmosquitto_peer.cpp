// bench-libmosquitto: mqtt-bench pubsub's workload through libmosquitto's C API (Debian's
// libmosquitto 2.0.11), MQTT v5, one publisher and one subscriber client in this process, so
// that scripts can set our client beside the library most people use. See README.md.
//
// Threads: mosquitto_loop_start() per client, publishing from the main thread. That is how
// libmosquitto's documentation and mosquitto_pub -l use it when the application has work of its
// own (here: pacing with --rate); the library's thread does the socket reads and writes, the
// QoS flows and the window. mosquitto_publish_v5() only queues the message and wakes that thread
// through a socketpair.
//
// Window: MOSQ_OPT_SEND_MAXIMUM (the v5 name of max_inflight_messages). libmosquitto never
// refuses a publish: beyond the window it keeps the message in its own queue and sends it when an
// acknowledgement frees a place. So without --rate the main thread queues all COUNT messages
// long before they go out, and the latency includes that wait, as it would for its users.
#include <mosquitto.h>
#include <mqtt_protocol.h>  // MQTT_PROP_*

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include <fmt/format.h>
#include <unistd.h>

#include "bench/peers/peer_cli.hpp"
#include "tools/bench/stamp.hpp"

namespace {

using namespace mqtt::bench;

// What the callbacks (on the two loop threads) share with the main thread. The loop threads
// write; the main thread reads the atomics while it waits, and the rest once
// mosquitto_loop_stop() has joined them.
struct run_state {
    explicit run_state(const peers::options& o) : opts(o) {}
    const peers::options& opts;

    std::mutex m;
    std::condition_variable changed;  // a CONNACK, the SUBACK, the end, or a failure
    std::string failure;              // under m; the first one only
    int connacks = 0;                 // under m
    bool subscribed = false;          // under m
    std::optional<std::uint16_t> broker_receive_maximum;  // under m, the publisher's CONNACK

    std::atomic<std::uint64_t> completed{0};  // publishes written (QoS 0) or whose flow ended
    std::atomic<std::uint64_t> sent{0};       // ... and that the broker did not refuse
    std::atomic<std::uint64_t> received{0};   // arrivals, duplicates included
    std::atomic<std::uint64_t> unique{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<bool> failed{false};

    // The subscriber's loop thread only.
    histogram latency;
    sequence_tracker tracker;
    std::uint64_t last_arrival_ns = 0;

    bool finished() const { return unique >= opts.count && completed >= opts.count; }

    void fail(const std::string& why) {
        {
            std::lock_guard lock(m);
            if (failure.empty()) failure = why;
        }
        failed = true;
        changed.notify_all();
    }
    // Wakes the main thread; the lock orders this after its last look at the atomics.
    void notify() {
        { std::lock_guard lock(m); }
        changed.notify_all();
    }
};

struct client {
    run_state& run;
    bool publisher;
    mosquitto* mosq = nullptr;
    const char* role() const { return publisher ? "publisher" : "subscriber"; }
};

void on_connect(mosquitto*, void* obj, int reason, int, const mosquitto_property* props) {
    auto& c = *static_cast<client*>(obj);
    if (reason != 0) {
        c.run.fail(fmt::format("{} refused the {}'s connection: {}", peers::where(c.run.opts),
                               c.role(), mosquitto_reason_string(reason)));
        return;
    }
    std::uint16_t receive_maximum = 0;
    const bool has = mosquitto_property_read_int16(props, MQTT_PROP_RECEIVE_MAXIMUM,
                                                   &receive_maximum, false) != nullptr;
    {
        std::lock_guard lock(c.run.m);
        ++c.run.connacks;
        if (has && c.publisher) c.run.broker_receive_maximum = receive_maximum;
    }
    c.run.changed.notify_all();
}

void on_disconnect(mosquitto*, void* obj, int reason, const mosquitto_property*) {
    auto& c = *static_cast<client*>(obj);
    if (reason == 0) return;  // ours, at the end
    ++c.run.errors;
    c.run.fail(fmt::format("the {}'s connection to {} was lost: {}", c.role(),
                           peers::where(c.run.opts), mosquitto_strerror(reason)));
}

void on_subscribe(mosquitto*, void* obj, int, int count, const int* granted,
                  const mosquitto_property*) {
    auto& c = *static_cast<client*>(obj);
    if (count < 1 || granted[0] >= 0x80) {
        c.run.fail(fmt::format("{} refused the subscription to {}: {}", peers::where(c.run.opts),
                               c.run.opts.topic,
                               count < 1 ? "no reason code" : mosquitto_reason_string(granted[0])));
        return;
    }
    {
        std::lock_guard lock(c.run.m);
        c.run.subscribed = true;
    }
    c.run.changed.notify_all();
}

// QoS 0: written to the socket; QoS 1: PUBACK; QoS 2: PUBCOMP (or a refusing PUBREC).
void on_publish(mosquitto*, void* obj, int, int reason, const mosquitto_property*) {
    auto& run = static_cast<client*>(obj)->run;
    if (reason >= 0x80)
        ++run.errors;
    else
        ++run.sent;
    if (++run.completed == run.opts.count) run.notify();
}

// For QoS 2 libmosquitto delivers on PUBREL, one round trip after the PUBLISH arrived.
void on_message(mosquitto*, void* obj, const mosquitto_message* msg, const mosquitto_property*) {
    auto& run = static_cast<client*>(obj)->run;
    const std::uint64_t now = monotonic_ns();
    ++run.received;
    run.last_arrival_ns = now;
    const auto st =
        read_stamp({static_cast<const std::uint8_t*>(msg->payload), std::size_t(msg->payloadlen)});
    if (!st) {
        ++run.errors;  // not ours
        return;
    }
    run.latency.record(now > st->sent_ns ? now - st->sent_ns : 0);
    if (run.tracker.seen(*st) == sequence_tracker::verdict::fresh) {
        run.unique = run.tracker.unique();
        if (run.unique == run.opts.count) run.notify();
    }
}

// Creates a v5 client, connects it (the TCP part blocks) and starts its loop thread.
bool start_client(client& c, const std::string& id, const peers::options& o) {
    c.mosq = mosquitto_new(id.c_str(), true, &c);
    if (!c.mosq) {
        std::cerr << "bench-libmosquitto: mosquitto_new failed: " << std::strerror(errno) << '\n';
        return false;
    }
    mosquitto_int_option(c.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    // Our client sets TCP_NODELAY too; without it Nagle holds back the small acknowledgements.
    mosquitto_int_option(c.mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_int_option(c.mosq, MOSQ_OPT_SEND_MAXIMUM, int(o.window));
    // The broker's window towards the subscriber: 65,535 (0 here), our client's default; -M is
    // the publisher's window. libmosquitto's own default, 20, also breaks QoS 2 runs against
    // Mosquitto 2.0.11: with messages queued it sends beyond the subscriber's Receive Maximum
    // (Mosquitto issue #2306, fixed in 2.0.13), and libmosquitto then drops the connection.
    mosquitto_int_option(c.mosq, MOSQ_OPT_RECEIVE_MAXIMUM, 0);
    mosquitto_connect_v5_callback_set(c.mosq, on_connect);
    mosquitto_disconnect_v5_callback_set(c.mosq, on_disconnect);
    mosquitto_subscribe_v5_callback_set(c.mosq, on_subscribe);
    mosquitto_publish_v5_callback_set(c.mosq, on_publish);
    mosquitto_message_v5_callback_set(c.mosq, on_message);

    const int rc = mosquitto_connect(c.mosq, o.host.c_str(), o.port, 60);
    if (rc != MOSQ_ERR_SUCCESS) {
        std::cerr << "bench-libmosquitto: cannot connect the " << c.role() << " to "
                  << peers::where(o) << ": "
                  << (rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)) << '\n';
        return false;
    }
    if (mosquitto_loop_start(c.mosq) != MOSQ_ERR_SUCCESS) {
        std::cerr << "bench-libmosquitto: mosquitto_loop_start failed\n";
        return false;
    }
    return true;
}

// After a clean run the loop thread ends once it has written the DISCONNECT. After a failure
// it may never get to write it (a stuck broker), so it is cancelled (`force`).
void stop_client(client& c, bool force) {
    if (!c.mosq) return;
    mosquitto_disconnect(c.mosq);
    mosquitto_loop_stop(c.mosq, force);
    mosquitto_destroy(c.mosq);
    c.mosq = nullptr;
}

// Waits for `ready` (checked under run.m), or a failure; false, with a message, after
// --timeout seconds.
template <class Ready>
bool wait_for(run_state& run, Ready ready, const char* what) {
    std::unique_lock lock(run.m);
    const auto limit = std::chrono::duration<double>(run.opts.timeout_s);
    if (!run.changed.wait_for(lock, limit, [&] { return ready() || !run.failure.empty(); })) {
        run.failure = fmt::format("no {} from {} within {} s", what, peers::where(run.opts),
                                  run.opts.timeout_s);
    }
    return run.failure.empty();
}

// Waits until every message has arrived and every flow has ended, or nothing has moved for
// --timeout seconds. Wakes on the end or a failure, or when the timeout is up to look at progress.
void wait_for_end(run_state& run) {
    const auto limit = std::chrono::duration<double>(run.opts.timeout_s);
    std::uint64_t before = run.received + run.completed;
    std::unique_lock lock(run.m);
    while (!run.changed.wait_for(lock, limit, [&] { return run.finished() || run.failed; })) {
        const std::uint64_t now = run.received + run.completed;
        if (now == before) return;  // stuck: report what was lost
        before = now;
    }
}

int run_bench(const peers::options& o) {
    run_state run(o);
    client pub{run, true}, sub{run, false};
    const auto stop_both = [&] {
        const bool force = !run.finished();
        stop_client(pub, force);
        stop_client(sub, force);
    };
    const std::string pid = std::to_string(::getpid());
    if (!start_client(sub, "bench-mosq-sub-" + pid, o) ||
        !start_client(pub, "bench-mosq-pub-" + pid, o)) {
        stop_both();
        return peers::exit_failed;
    }
    const auto both_connected = [&] { return run.connacks == 2; };
    const auto subscribed = [&] { return run.subscribed; };
    bool ready = wait_for(run, both_connected, "CONNACK");
    if (ready) {
        const int rc =
            mosquitto_subscribe_v5(sub.mosq, nullptr, o.topic.c_str(), o.qos, 0, nullptr);
        if (rc != MOSQ_ERR_SUCCESS) run.fail(std::string("SUBSCRIBE: ") + mosquitto_strerror(rc));
        ready = wait_for(run, subscribed, "SUBACK");
    }
    if (!ready) {
        std::cerr << "bench-libmosquitto: " << run.failure << '\n';
        stop_both();
        return peers::exit_failed;
    }

    std::vector<std::uint8_t> payload = make_payload(o.size);
    const std::uint64_t start_ns = monotonic_ns();
    std::uint64_t first_ns = 0;
    for (std::uint64_t seq = 0; seq < o.count && !run.failed; ++seq) {
        if (o.rate > 0) peers::sleep_until_ns(peers::due_ns(o, start_ns, seq));
        const std::uint64_t sent_ns = monotonic_ns();
        if (seq == 0) first_ns = sent_ns;
        write_stamp(payload, {0, seq, sent_ns});
        const int rc = mosquitto_publish_v5(pub.mosq, nullptr, o.topic.c_str(), int(payload.size()),
                                            payload.data(), o.qos, false, nullptr);
        if (rc != MOSQ_ERR_SUCCESS) {
            ++run.errors;
            run.fail(std::string("publish: ") + mosquitto_strerror(rc));
        }
    }
    wait_for_end(run);
    stop_both();  // joins the loop threads: what they wrote is ours to read now

    summary s = peers::settings_summary(o, "libmosquitto");
    if (run.broker_receive_maximum && *run.broker_receive_maximum != o.window) {
        // libmosquitto 2.0.11 takes the broker's Receive Maximum as its window, larger or not.
        s.window = *run.broker_receive_maximum;
        s.note = fmt::format("the broker's Receive Maximum {} replaced -M {}", s.window, o.window);
    }
    s.sent = run.sent;
    s.received = run.received;
    s.lost = run.tracker.lost(o.count);
    s.duplicated = run.tracker.duplicates();
    s.reordered = run.tracker.reordered();
    s.errors = run.errors;
    s.elapsed_s =
        run.last_arrival_ns > first_ns ? double(run.last_arrival_ns - first_ns) / 1e9 : 0.0;
    s.latency = run.latency;
    s.usage = usage_now();
    if (!run.failure.empty())
        std::cerr << "bench-libmosquitto: " << run.failure << '\n';
    else if (!run.finished())
        std::cerr << "bench-libmosquitto: no progress for " << o.timeout_s << " s; giving up\n";
    return peers::report(s, o);
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = peers::parse_options(
        argc, argv, "bench-libmosquitto",
        "mqtt-bench pubsub's workload through libmosquitto: one publisher, one subscriber");
    if (const int* rc = std::get_if<int>(&parsed)) return *rc;
    mosquitto_lib_init();
    const int rc = run_bench(std::get<peers::options>(parsed));
    mosquitto_lib_cleanup();
    return rc;
}
