// How a run goes: connect the subscribers and subscribe (every SUBACK in before the first
// PUBLISH), connect the publishers, publish (each publisher keeps its in-flight window plus a
// little queued in the session, so an acknowledgement is answered by the next PUBLISH at once),
// stop at -n or --duration, wait for the subscribers to receive what was sent (or --timeout
// without progress), disconnect, and sum up.
#include "tools/bench/runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "tools/bench/alloc_count.hpp"
#include "tools/bench/stamp.hpp"
#include "tools/common/pcap_writer.hpp"
#include "tools/common/trace.hpp"
#include "tools/common/wakeup.hpp"

namespace mqtt::bench {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Connections under way at once, at most, when no --connect-rate paces them: enough to keep a
// broker busy, few enough not to overflow its listen backlog.
constexpr std::uint64_t connects_at_once = 100;

// Seconds given as a number (a flag's value) as the clock's duration.
clock::duration seconds(double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

// The interval between two events at `per_second` a second; zero (no pacing) when it is 0.
clock::duration slot(double per_second) {
    return per_second > 0 ? seconds(1.0 / per_second) : clock::duration::zero();
}

double seconds_between(clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

struct bench_client {
    std::unique_ptr<client::client> c;
    std::string name;  // pub3, sub0, conn12
    std::uint64_t index = 0;
    bool up = false;  // its CONNACK arrived
};

struct publisher : bench_client {
    session::message prototype;  // topic, QoS and a payload of the right size
    std::uint64_t next_sequence = 0;
    std::uint64_t outstanding = 0;
    std::uint64_t pipeline = 0;  // publishes handed to the client at once, at most
    bool done = false;
    std::unique_ptr<asio::steady_timer> pace;  // --rate
    bool pace_armed = false;
    clock::time_point next_slot{};
};

struct subscriber : bench_client {
    sequence_tracker* tracker = nullptr;  // its own, or its shared group's
};

class bench_run {
  public:
    bench_run(const bench_plan& plan, bool live,
              const std::function<void(const std::string&)>& progress)
        : plan_(plan),
          live_(live),
          progress_(progress),
          finished_(io_.get_executor()),
          connected_(io_.get_executor()),
          signals_(io_, SIGINT, SIGTERM) {}

    run_result run();

  private:
    asio::awaitable<void> main();
    asio::awaitable<void> messages();
    asio::awaitable<void> connections();
    void make_client(bench_client& b);
    // Connects `clients`, --connect-rate or connects_at_once at a time; false (failure_ set)
    // when one could not.
    asio::awaitable<bool> connect_all(const std::vector<bench_client*>& clients);
    asio::awaitable<bool> subscribe_all();
    asio::awaitable<void> disconnect_all(const std::vector<bench_client*>& clients);
    asio::awaitable<void> ticker();
    void pump(publisher& p);
    void send_one(publisher& p);
    void on_message(subscriber& s, const session::message_received& m);
    void check_finished();
    bool all_received() const;
    std::uint64_t unique_received() const;
    progress_counters counters() const;
    std::uint64_t in_flight() const;  // publishes handed to the clients, not yet completed
    void fail(std::string text) {
        if (failure_.empty()) failure_ = std::move(text);
        finished_.notify();
    }

    const bench_plan& plan_;
    bool live_;
    const std::function<void(const std::string&)>& progress_;
    asio::io_context io_{1};  // run by this thread alone: the client needs no strand
    tools::wakeup finished_;
    tools::wakeup connected_;
    asio::signal_set signals_;
    asio::steady_timer tick_{io_};  // ticker(): progress lines and --timeout
    std::chrono::system_clock::time_point trace_start_ = std::chrono::system_clock::now();
    std::vector<std::unique_ptr<tools::trace_printer>> traces_;  // -d: one per client
    std::unique_ptr<tools::pcap_writer> pcap_;

    std::vector<std::unique_ptr<publisher>> publishers_;
    std::vector<std::unique_ptr<subscriber>> subscribers_;
    std::vector<std::unique_ptr<bench_client>> idle_;  // conn
    std::vector<std::unique_ptr<sequence_tracker>> trackers_;

    summary s_;
    std::string failure_;
    bool stopping_ = false;    // Ctrl-C, a failure, or the end
    bool publishing_ = false;  // between the first PUBLISH and -n / --duration
    bool duration_over_ = false;
    std::uint64_t publishers_done_ = 0;
    std::uint64_t connects_active_ = 0;
    std::uint64_t foreign_ = 0;  // messages without our stamp (sub on a busy topic)
    clock::time_point start_ = clock::now();
    clock::time_point first_send_{}, last_event_{};
    bool any_event_ = false;
    clock::time_point last_progress_ = clock::now();
    std::uint64_t allocations_at_start_ = 0;
    std::uint64_t window_ = 0;
    const clock::duration rate_slot_ = slot(plan_.run.rate);  // -r
};

void bench_run::make_client(bench_client& b) {
    client::client_options o = plan_.client.options;
    o.mqtt.client_id = plan_.id_prefix + b.name;
    b.c = std::make_unique<client::client>(io_.get_executor(), std::move(o));
    if (plan_.client.trace != tools::trace_mode::off) {
        const tools::trace_options t{plan_.client.trace, plan_.client.colour, b.name, 7};
        traces_.push_back(std::make_unique<tools::trace_printer>(std::cerr, t, trace_start_));
        traces_.back()->attach(b.c->tap());
    }
    if (pcap_) pcap_->attach(b.c->tap());
    // A connection lost during the run is an error of the run (a failed connect is reported
    // by connect_all()).
    b.c->set_state_handler(
        [this, &b](client::connection_state st, std::error_code why, const std::string& words) {
            if (st != client::connection_state::disconnected || !b.up || stopping_ || !why) return;
            ++s_.errors;
            fail(fmt::format("{}: connection ended: {}", b.name,
                             words.empty() ? why.message() : words));
        });
}

asio::awaitable<bool> bench_run::connect_all(const std::vector<bench_client*>& clients) {
    asio::steady_timer pace(io_);
    const clock::duration connect_slot = slot(plan_.run.connect_rate);
    clock::time_point next = clock::now();
    for (bench_client* b : clients) {
        if (stopping_) break;
        if (connect_slot.count() > 0) {
            pace.expires_at(next);
            std::error_code ec;
            co_await pace.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            next += connect_slot;
        } else {
            while (connects_active_ >= connects_at_once && !stopping_)
                co_await connected_.wait();
        }
        ++connects_active_;
        b->c->async_connect([this, b](std::error_code ec, const session::connected& ack) {
            --connects_active_;
            if (ec) {
                ++s_.errors;
                fail(fmt::format("{} cannot connect to {}: {}", b->name, plan_.client.options.url,
                                 b->c->last_error().empty() ? ec.message() : b->c->last_error()));
            } else {
                b->up = true;
                ++s_.connections;
                if (window_ == 0)
                    window_ = session::outbound_window(plan_.client.options.mqtt.max_inflight,
                                                       ack.limits.receive_maximum);
            }
            connected_.notify();
        });
    }
    while (connects_active_ > 0)
        co_await connected_.wait();
    co_return failure_.empty() && !stopping_;
}

asio::awaitable<bool> bench_run::subscribe_all() {
    std::uint64_t waiting = 0;
    for (auto& s : subscribers_) {
        ++waiting;
        session::subscription_request r;
        r.topic_filter = expand_topic(plan_.filter, s->index);
        r.max_qos = plan_.qos;
        s->c->async_subscribe(
            {r}, {},
            [this, &waiting, sub = s.get()](std::error_code ec,
                                            const session::subscribe_completed& done) {
                --waiting;
                if (ec) {
                    ++s_.errors;
                    fail(fmt::format("{}: SUBSCRIBE {} failed: {}", sub->name, plan_.filter,
                                     ec.message()));
                } else if (!done.reason_codes.empty() && is_failure(done.reason_codes[0])) {
                    ++s_.errors;
                    fail(fmt::format("{}: SUBSCRIBE {} refused: 0x{:02X}", sub->name, plan_.filter,
                                     unsigned(done.reason_codes[0])));
                } else if (!done.reason_codes.empty() &&
                           std::uint8_t(done.reason_codes[0]) < std::uint8_t(plan_.qos)) {
                    s_.note = fmt::format("the broker granted QoS {} of the {} asked for",
                                          unsigned(done.reason_codes[0]), int(plan_.qos));
                }
                connected_.notify();
            });
    }
    while (waiting > 0)
        co_await connected_.wait();
    co_return failure_.empty() && !stopping_;
}

asio::awaitable<void> bench_run::disconnect_all(const std::vector<bench_client*>& clients) {
    std::uint64_t waiting = 0;
    for (bench_client* b : clients) {
        if (b->c->state() == client::connection_state::disconnected) continue;
        ++waiting;
        b->c->async_disconnect({}, [this, &waiting](std::error_code) {
            --waiting;
            connected_.notify();
        });
    }
    while (waiting > 0)
        co_await connected_.wait();
}

void bench_run::send_one(publisher& p) {
    // Stamped in place and published by reference: the client copies it into storage it keeps
    // from earlier messages, so the loop allocates nothing per message.
    write_stamp(p.prototype.payload, {std::uint32_t(p.index), p.next_sequence++, monotonic_ns()});
    ++p.outstanding;
    p.c->async_publish(
        std::cref(p.prototype), [this, &p](std::error_code ec, const session::publish_completed&) {
            --p.outstanding;
            if (ec) {
                ++s_.errors;
                if (!stopping_)
                    fail(fmt::format("{}: publish failed: {}", p.name,
                                     p.c->last_error().empty() ? ec.message() : p.c->last_error()));
            } else {
                ++s_.sent;
                last_event_ = clock::now();
                any_event_ = true;
            }
            pump(p);
        });
}

void bench_run::pump(publisher& p) {
    const auto more = [&] {
        return !stopping_ && !duration_over_ && (!plan_.count || p.next_sequence < *plan_.count);
    };
    while (more() && p.outstanding < p.pipeline) {
        if (plan_.run.rate > 0) {
            const auto now = clock::now();
            if (now < p.next_slot) {
                if (!p.pace_armed) {
                    p.pace_armed = true;
                    p.pace->expires_at(p.next_slot);
                    p.pace->async_wait([this, &p](std::error_code) {
                        p.pace_armed = false;
                        pump(p);
                    });
                }
                return;
            }
            // Slots on a fixed schedule, so a timer that wakes late does not lower the rate;
            // but a publisher more than a slot behind (held up by the window) starts afresh
            // rather than sending a burst to catch up.
            p.next_slot =
                now - p.next_slot > rate_slot_ ? now + rate_slot_ : p.next_slot + rate_slot_;
        }
        send_one(p);
    }
    if (!more() && p.outstanding == 0 && !p.done) {
        p.done = true;
        ++publishers_done_;
        check_finished();
    }
}

void bench_run::on_message(subscriber& s, const session::message_received& m) {
    const std::uint64_t now_ns = monotonic_ns();
    ++s_.received;
    last_event_ = clock::now();
    if (!any_event_ && plan_.mode == bench_mode::sub) first_send_ = last_event_;
    any_event_ = true;
    const std::optional<stamp> st = read_stamp(m.message.payload);
    if (!st) {
        ++foreign_;
        return;
    }
    if (now_ns >= st->sent_ns) s_.latency.record(now_ns - st->sent_ns);
    s.tracker->seen(*st);
    check_finished();
}

std::uint64_t bench_run::unique_received() const {
    std::uint64_t n = 0;
    for (const auto& t : trackers_)
        n += t->unique();
    return n;
}

bool bench_run::all_received() const {
    if (subscribers_.empty()) return true;
    if (plan_.mode == bench_mode::sub) return plan_.count && unique_received() >= *plan_.count;
    if (!plan_.filter_covers_all) return false;
    return unique_received() >= s_.sent * trackers_.size();
}

void bench_run::check_finished() {
    if (plan_.mode == bench_mode::sub) {
        if (all_received()) finished_.notify();
        return;
    }
    if (publishers_done_ == publishers_.size() && all_received()) finished_.notify();
}

std::uint64_t bench_run::in_flight() const {
    std::uint64_t n = 0;
    for (const auto& p : publishers_)
        n += p->outstanding;
    return n;
}

progress_counters bench_run::counters() const {
    return {seconds_between(start_, clock::now()),
            s_.sent,
            s_.received,
            in_flight(),
            s_.errors,
            s_.connections};
}

asio::awaitable<void> bench_run::ticker() {
    asio::steady_timer& t = tick_;
    const double every = plan_.run.interval > 0 ? plan_.run.interval : 1.0;
    const bool show = progress_ && (live_ || plan_.run.interval > 0);
    progress_counters before = counters();
    std::uint64_t last_count = 0;
    while (!stopping_) {
        t.expires_after(seconds(std::min(every, 1.0)));
        std::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_) break;
        const progress_counters now = counters();
        if (show && now.elapsed_s - before.elapsed_s >= every - 1e-3) {
            progress_(progress_line(now, before, plan_.mode));
            before = now;
        }
        // --timeout: no message in or out for that long, once the messages began (a lone
        // subscriber waits for its publishers as long as it is left running).
        const std::uint64_t count = now.sent + now.received + now.errors;
        if (count != last_count) {
            last_count = count;
            last_progress_ = clock::now();
        } else if (publishing_ && (plan_.mode != bench_mode::sub || any_event_) &&
                   seconds_between(last_progress_, clock::now()) >= plan_.run.timeout) {
            s_.note = fmt::format("stopped after {} s without a message in or out (--timeout)",
                                  plan_.run.timeout);
            finished_.notify();
        }
    }
}

asio::awaitable<void> bench_run::messages() {
    for (std::uint64_t i = 0; i < plan_.subscribers; ++i) {
        auto s = std::make_unique<subscriber>();
        s->index = i;
        s->name = fmt::format("sub{}", i);
        make_client(*s);
        if (trackers_.empty() || !plan_.shared)
            trackers_.push_back(std::make_unique<sequence_tracker>());
        s->tracker = trackers_.back().get();
        s->c->set_message_handler(
            [this, sub = s.get()](const session::message_received& m) { on_message(*sub, m); });
        subscribers_.push_back(std::move(s));
    }
    for (std::uint64_t i = 0; i < plan_.publishers; ++i) {
        auto p = std::make_unique<publisher>();
        p->index = i;
        p->name = fmt::format("pub{}", i);
        make_client(*p);
        p->prototype.topic = expand_topic(plan_.topic_pattern, i);
        p->prototype.qos = plan_.qos;
        p->prototype.payload = make_payload(plan_.run.size);
        p->pace = std::make_unique<asio::steady_timer>(io_);
        publishers_.push_back(std::move(p));
    }
    std::vector<bench_client*> subs, pubs, all;
    for (auto& s : subscribers_)
        subs.push_back(s.get());
    for (auto& p : publishers_)
        pubs.push_back(p.get());
    all = subs;
    all.insert(all.end(), pubs.begin(), pubs.end());

    if (co_await connect_all(subs) && co_await subscribe_all() && co_await connect_all(pubs)) {
        if (window_ == 0) window_ = plan_.client.options.mqtt.max_inflight;
        // QoS 0 completes when written: a few hundred keep the socket's buffer full. QoS 1/2:
        // the window, plus as many queued in the session to answer each ack at once.
        const std::uint64_t pipeline =
            plan_.qos == qos::at_most_once ? 256 : window_ + window_ / 2 + 8;
        asio::steady_timer duration(io_);
        publishing_ = true;
        last_progress_ = clock::now();
        allocations_at_start_ = allocation_count();
        first_send_ = clock::now();
        if (plan_.run.duration > 0) {
            duration.expires_after(seconds(plan_.run.duration));
            duration.async_wait([this](std::error_code ec) {
                if (ec) return;
                duration_over_ = true;
                if (plan_.mode == bench_mode::sub) finished_.notify();
                for (auto& p : publishers_)
                    pump(*p);
            });
        }
        for (auto& p : publishers_) {
            p->pipeline = pipeline;
            p->next_slot = clock::now();
            pump(*p);
        }
        if (publishers_.empty()) check_finished();
        co_await finished_.wait();
        duration.cancel();
    }
    const std::uint64_t allocations = allocation_count() - allocations_at_start_;
    stopping_ = true;
    if (s_.sent + s_.received > 0)
        s_.allocations_per_message = double(allocations) / double(std::max(s_.sent, s_.received));
    if (any_event_) s_.elapsed_s = seconds_between(first_send_, last_event_);
    s_.window = window_;
    co_await disconnect_all(all);
}

asio::awaitable<void> bench_run::connections() {
    const std::uint64_t before = current_rss_kib();
    for (std::uint64_t i = 0; i < plan_.connections; ++i) {
        auto b = std::make_unique<bench_client>();
        b->index = i;
        b->name = fmt::format("conn{}", i);
        make_client(*b);
        idle_.push_back(std::move(b));
    }
    std::vector<bench_client*> all;
    for (auto& b : idle_)
        all.push_back(b.get());
    const auto t0 = clock::now();
    const bool ok = co_await connect_all(all);
    s_.connect_s = seconds_between(t0, clock::now());
    if (ok) {
        const std::uint64_t after = current_rss_kib();
        s_.memory_per_connection_kib =
            double(after > before ? after - before : 0) / double(plan_.connections);
        if (plan_.run.hold > 0) {
            asio::steady_timer hold(io_);
            hold.expires_after(seconds(plan_.run.hold));
            hold.async_wait([this](std::error_code ec) {
                if (!ec) finished_.notify();
            });
            co_await finished_.wait();
            hold.cancel();
        }
    }
    stopping_ = true;
    co_await disconnect_all(all);
}

asio::awaitable<void> bench_run::main() {
    signals_.async_wait([this](std::error_code ec, int) {
        if (ec) return;
        s_.note = "stopped by a signal";
        if (plan_.mode == bench_mode::conn || publishing_) {
            stopping_ = true;
            finished_.notify();
        } else {
            fail("interrupted while connecting");
        }
    });
    asio::co_spawn(io_, ticker(), asio::detached);
    if (plan_.mode == bench_mode::conn)
        co_await connections();
    else
        co_await messages();
    stopping_ = true;
    signals_.cancel();
    tick_.cancel();
}

run_result bench_run::run() {
    if (!plan_.client.pcap.empty()) pcap_ = std::make_unique<tools::pcap_writer>(plan_.client.pcap);
    s_.implementation = "mqtt-bench";
    s_.mode = to_string(plan_.mode);
    s_.qos = int(plan_.qos);
    s_.publishers = plan_.publishers;
    s_.subscribers = plan_.subscribers;
    s_.payload_size = plan_.mode == bench_mode::conn ? 0 : plan_.run.size;
    s_.rate = plan_.run.rate;
    asio::co_spawn(io_, main(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    io_.run();

    run_result r;
    // What each subscriber (or the shared group) should have had: everything sent, when the
    // filter covers every publisher's topic; else only the gaps in the sequence numbers show.
    if (!trackers_.empty()) {
        for (const auto& t : trackers_) {
            s_.duplicated += t->duplicates();
            s_.reordered += t->reordered();
            if (plan_.filter_covers_all && plan_.mode != bench_mode::sub) {
                s_.expected += s_.sent;
                s_.lost += t->lost(s_.sent);
            } else {
                s_.lost += t->gaps();
            }
        }
    }
    if (foreign_)
        s_.note += fmt::format("{}{} messages without mqtt-bench's stamp",
                               s_.note.empty() ? "" : "; ", foreign_);
    if (pcap_ && !pcap_->error().empty())
        failure_ = failure_.empty() ? "--pcap: " + pcap_->error() : failure_;
    s_.usage = usage_now();
    if (plan_.mode != bench_mode::conn) s_.connections = 0;
    r.figures = std::move(s_);
    r.failure = failure_;
    const bool bad = !failure_.empty() || r.figures.errors > 0 ||
                     (r.figures.qos > 0 && (r.figures.lost > 0 || r.figures.duplicated > 0));
    r.exit_code = bad ? 1 : 0;
    return r;
}

}  // namespace

std::string progress_line(const progress_counters& now, const progress_counters& before,
                          bench_mode mode) {
    const double span = now.elapsed_s - before.elapsed_s;
    const auto rate = [span](std::uint64_t a, std::uint64_t b) {
        return span > 0 ? double(a - b) / span : 0.0;
    };
    if (mode == bench_mode::conn) {
        return fmt::format("{:7.1f} s  connected {}  ({}/s)  errors {}", now.elapsed_s,
                           thousands(double(now.connected)),
                           thousands(rate(now.connected, before.connected)), now.errors);
    }
    return fmt::format("{:7.1f} s  out {} msg/s  in {} msg/s  in flight {}  errors {}",
                       now.elapsed_s, thousands(rate(now.sent, before.sent)),
                       thousands(rate(now.received, before.received)), now.in_flight, now.errors);
}

run_result run_bench(const bench_plan& plan, bool live,
                     const std::function<void(const std::string&)>& progress) {
    bench_run r(plan, live, progress);
    return r.run();
}

}  // namespace mqtt::bench
