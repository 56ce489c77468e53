// mqtt-pub: publishes MQTT v5 messages, with mosquitto_pub's flags, and shows every packet with
// -d. See tools/README.md.
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <condition_variable>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "tools/common/client_cli.hpp"

namespace {

using namespace mqtt;
using namespace mqtt::tools;
using std::chrono::steady_clock;

struct pub_settings {
    std::string topic;
    std::optional<std::string> message;  // -m
    std::string file;                    // -f
    bool lines = false;                  // -l
    bool null_message = false;           // -n
    bool stdin_whole = false;            // -s
    int qos = 0;
    bool retain = false;
    std::uint64_t repeat = 1;   // --repeat: publish the message N times, one after another
    double repeat_delay = 0;    // --repeat-delay seconds between them
    std::uint64_t count = 0;    // --count: publish N times, as fast as flow control allows
    double rate = 0;            // --rate messages per second
    std::size_t window = 1000;  // --count: publishes outstanding at once, at most
};

session::byte_vector to_bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::string read_stream(std::istream& in) {
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What --count's completions update. They may run after publish_many() returned (a failure stops
// it with publishes outstanding; they complete while disconnecting), so they share it.
struct tally {
    std::uint64_t done = 0;
    std::size_t outstanding = 0;
    std::optional<std::pair<std::error_code, std::optional<std::string>>> failure;
    steady_clock::time_point start = steady_clock::now();
    bool finished = false;
};

// "published 1200/5000 (4012 msg/s)", redrawn in place; or the summary line.
void show_progress(const tally& st, std::uint64_t n, bool final, bool on_terminal) {
    const double secs = std::chrono::duration<double>(steady_clock::now() - st.start).count();
    const double per_second = secs > 0 ? double(st.done) / secs : 0;
    if (final) {
        std::cerr << (on_terminal ? "\r\x1b[K" : "")
                  << fmt::format("published {} messages in {:.2f} s ({:.0f} msg/s)\n", st.done,
                                 secs, per_second);
    } else {
        std::cerr << fmt::format("\r\x1b[Kpublished {}/{} ({:.0f} msg/s)", st.done, n, per_second)
                  << std::flush;
    }
}

// On a terminal the progress line is redrawn every 250 ms (a timer for time, not for events),
// until the tally is finished. Owns what it uses, so it may outlive publish_many().
asio::awaitable<void> redraw_progress(std::shared_ptr<tally> st, std::uint64_t n) {
    asio::steady_timer ticker(co_await asio::this_coro::executor);
    while (!st->finished) {
        ticker.expires_after(std::chrono::milliseconds(250));
        co_await ticker.async_wait(asio::use_awaitable);
        if (!st->finished) show_progress(*st, n, false, true);
    }
}

// Publishes `n` copies of `m`, keeping up to `window` outstanding, with a progress line on a
// terminal. Returns false (after saying why) at the first failure.
asio::awaitable<bool> publish_many(tool_client& t, wakeup& woken, const session::message& m,
                                   std::uint64_t n, std::size_t window, bool progress) {
    const auto st = std::make_shared<tally>();
    if (progress) asio::co_spawn(t.io(), redraw_progress(st, n), asio::detached);
    std::uint64_t sent = 0;
    while ((sent < n || st->outstanding > 0) && !st->failure && !t.ended()) {
        while (sent < n && st->outstanding < window && !st->failure) {
            ++sent;
            ++st->outstanding;
            t.get().async_publish(
                std::cref(m),  // copied by the client into storage it keeps: no allocation
                [st, &woken](std::error_code ec, const session::publish_completed& r) {
                    --st->outstanding;
                    ++st->done;
                    if (ec && !st->failure) st->failure.emplace(ec, r.reason_string);
                    woken.notify();
                });
        }
        co_await woken.wait();  // a publish completed, or the connection ended
    }
    st->finished = true;  // the redraw stops at its next tick
    if (st->failure || t.ended()) {
        if (progress) std::cerr << "\r\x1b[K";
        if (st->failure)
            t.fail_operation("publish", st->failure->first, st->failure->second);
        else
            t.fail_ended();
        co_return false;
    }
    show_progress(*st, n, true, progress);
    co_return true;
}

asio::awaitable<bool> publish_one(tool_client& t, session::message m) {
    std::error_code ec;
    const session::publish_completed r =
        co_await t.get().async_publish(std::move(m), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return true;
    t.fail_operation("publish", ec, r.reason_string);
    co_return false;
}

// -l: each line of stdin is a message (blank lines are not sent), read on a thread of its own
// in large blocks (read(2), not a character at a time through stdio) and handed to the client's
// executor a block of lines at a time. At most `lines_ahead` lines are handed over and not yet
// published and completed, so a long input waits for the broker instead of filling memory (and
// the session's 65,535 packet identifiers). The run ends at the end of stdin, or when the client
// stopped by itself; then the reader, maybe still blocked reading a terminal, is left behind and
// posts nothing more.
asio::awaitable<void> publish_lines(tool_client& t, wakeup& woken, const session::message& base) {
    constexpr std::size_t lines_ahead = 4096;
    struct line_feed {
        std::mutex mutex;
        std::condition_variable room;
        bool closed = false;      // under `mutex`: the run is over, post nothing more
        std::size_t pending = 0;  // under `mutex`: lines handed over, not yet completed
        // On the io_context's thread only:
        bool eof = false, failed = false;
        std::size_t outstanding = 0;
        session::message message;  // `base` with the line being published as its payload
    };
    const auto feed = std::make_shared<line_feed>();
    feed->message = base;
    // The reader waits until half the lines ahead are done (not for each one: a wake-up per
    // message cost two system calls per message).
    const auto done_with = [feed](std::size_t lines) {
        const std::lock_guard lock(feed->mutex);
        const bool was_full = feed->pending > lines_ahead / 2;
        feed->pending -= lines;
        if (was_full && feed->pending <= lines_ahead / 2) feed->room.notify_one();
    };
    const auto publish = [feed, &t, &woken, done_with](std::string_view line) {
        if (feed->failed || t.ended()) {  // a client that stopped takes no more
            done_with(1);
            return;
        }
        // One message, its payload replaced per line and published by reference: the client
        // copies it into storage it keeps, so a line costs no allocation once warm.
        feed->message.payload.assign(line.begin(), line.end());
        ++feed->outstanding;
        t.get().async_publish(
            std::cref(feed->message),
            [feed, &t, &woken, done_with](std::error_code ec, const session::publish_completed& r) {
                --feed->outstanding;
                done_with(1);
                if (ec && !feed->failed) {
                    feed->failed = true;
                    t.fail_operation("publish", ec, r.reason_string);
                }
                woken.notify();
            });
    };
    auto& io = t.io();
    // Hands `f` to the io_context unless the run is over (then the io_context may be gone),
    // after waiting for room for `lines` more.
    const auto hand_over = [feed, &io](auto f, std::size_t lines) {
        std::unique_lock lock(feed->mutex);
        if (feed->pending >= lines_ahead)
            feed->room.wait(lock, [&] { return feed->closed || feed->pending <= lines_ahead / 2; });
        if (feed->closed) return false;
        feed->pending += lines;
        asio::post(io, [feed, f = std::move(f)]() mutable {
            if (!feed->closed) f();
        });
        return true;
    };
    std::thread reader([hand_over, publish, &woken, feed] {
        std::vector<char> block(64 * 1024);
        std::string text;  // what was read and not yet split: a partial last line
        const auto send_lines = [&](bool last) {
            // Complete lines (and at the end, what is left) without '\r' before '\n'.
            auto lines = std::make_shared<std::vector<std::string>>();
            std::size_t from = 0;
            for (std::size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
                std::string_view line(text.data() + from, nl - from);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (!line.empty()) lines->emplace_back(line);
            }
            text.erase(0, from);
            if (last && !text.empty()) {
                if (text.back() == '\r') text.pop_back();
                if (!text.empty()) lines->push_back(std::move(text));
                text.clear();
            }
            if (lines->empty()) return true;
            const std::size_t n = lines->size();
            return hand_over(
                [publish, lines] {
                    for (const std::string& line : *lines)
                        publish(line);
                },
                n);
        };
        while (true) {
            const ssize_t n = ::read(STDIN_FILENO, block.data(), block.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // end of input (or an error reading it: the same, here)
            text.append(block.data(), std::size_t(n));
            if (!send_lines(false)) return;
        }
        if (!send_lines(true)) return;
        hand_over(
            [feed, &woken] {
                feed->eof = true;
                woken.notify();
            },
            0);
    });
    // Until stdin ends and every line is published, or the client stopped by itself.
    while ((!feed->eof || feed->outstanding > 0) && !(t.ended() && feed->outstanding == 0))
        co_await woken.wait();
    {
        const std::lock_guard lock(feed->mutex);
        feed->closed = true;
        feed->room.notify_all();
    }
    if (feed->eof)
        reader.join();
    else
        reader.detach();  // blocked reading stdin; it will post nothing more
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Publishes MQTT v5 messages; -d shows every packet.", "mqtt-pub"};
    app.set_version_flag("--version", "mqtt-pub " MQTT_VERSION);
    common_settings common;
    pub_settings s;
    add_common_flags(app, common, tool_kind::pub);
    app.add_option("-t,--topic", s.topic, "Topic to publish to")->group("Message");
    auto* m = app.add_option("-m,--message", s.message, "Message payload")->group("Message");
    auto* f =
        app.add_option("-f,--file", s.file, "Send the whole file as the payload")->group("Message");
    auto* l = app.add_flag("-l,--stdin-line", s.lines,
                           "Send each line of stdin as a message (blank lines are not sent)")
                  ->group("Message");
    auto* n = app.add_flag("-n,--null-message", s.null_message, "Send an empty payload")
                  ->group("Message");
    auto* w = app.add_flag("-s,--stdin-file", s.stdin_whole, "Send all of stdin as the payload")
                  ->group("Message");
    m->excludes(f)->excludes(l)->excludes(n)->excludes(w);
    f->excludes(l)->excludes(n)->excludes(w);
    l->excludes(n)->excludes(w);
    n->excludes(w);
    app.add_option("-q,--qos", s.qos, "Quality of service: 0, 1 or 2 (default 0)")
        ->group("Message");
    app.add_flag("-r,--retain", s.retain, "Retain the message")->group("Message");
    auto* repeat =
        app.add_option("--repeat", s.repeat, "Publish the message N times, one after another")
            ->check(positive_number())
            ->group("Message");
    app.add_option("--repeat-delay", s.repeat_delay, "Seconds to wait between --repeat publishes")
        ->check(non_negative_number(max_seconds))
        ->group("Message");
    app.add_option("--count", s.count,
                   "Publish the message N times as fast as flow control allows, with progress")
        ->check(positive_number())
        ->excludes(repeat)
        ->excludes(l)
        ->group("Message");
    app.add_option("--rate", s.rate, "Publish at most N messages per second")
        ->check(non_negative_number())
        ->group("Message");

    return parse_and_run(app, argc, argv, [&]() -> int {
        prepared_settings p = prepare(common, tool_kind::pub);
        if (s.topic.empty() && p.url_topic) s.topic = *p.url_topic;
        if (s.topic.empty()) throw usage_error("a topic is needed: -t TOPIC (or -L .../TOPIC)");
        check_topic_name(s.topic, "-t");
        if (!s.message && s.file.empty() && !s.lines && !s.null_message && !s.stdin_whole)
            throw usage_error("a message is needed: -m, -f, -l, -n or -s");
        p.options.publish_rate = s.rate;

        session::message msg;
        msg.topic = s.topic;
        msg.qos = parse_qos(s.qos, "-q");
        msg.retain = s.retain;
        msg.props = p.props.publish;
        if (s.message) msg.payload = to_bytes(*s.message);
        if (!s.file.empty()) msg.payload = read_payload_file(s.file);
        if (s.stdin_whole) msg.payload = to_bytes(read_stream(std::cin));

        tool_client t("mqtt-pub", std::move(p));
        wakeup woken(t.io().get_executor());
        asio::steady_timer pause(t.io());
        return t.run([&]() -> asio::awaitable<void> {
            // A client that stopped by itself (the server broke the protocol, the connection
            // dropped) wakes whatever waits; the publishes still open fail with the cause.
            const auto on_end = [&] {
                woken.notify();
                pause.cancel();
            };
            if (!co_await t.connect(on_end)) co_return;
            if (s.lines) {
                co_await publish_lines(t, woken, msg);
            } else if (s.count > 0) {
                co_await publish_many(t, woken, msg, s.count, s.window, ::isatty(2) == 1);
            } else {
                for (std::uint64_t i = 0; i < s.repeat && !t.ended(); ++i) {
                    if (i > 0 && s.repeat_delay > 0) {
                        pause.expires_after(
                            std::chrono::microseconds(std::int64_t(s.repeat_delay * 1'000'000)));
                        std::error_code ec;
                        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                        if (t.ended()) break;
                    }
                    if (!co_await publish_one(t, msg)) break;
                }
            }
            // Every failure was reported where it happened: the work is done.
            co_await t.disconnect(reason_code::success, true);
        });
    });
}
