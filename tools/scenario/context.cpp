#include "tools/scenario/context.hpp"

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/reason_format.hpp"
#include "protocol/types.hpp"

namespace mqtt::scenario {

namespace {

// A long run of packets of one kind from one client (a burst of PUBLISH) shows this many, then
// a count when the run ends (--full-trace shows all).
constexpr std::size_t shown_of_a_run = 3;

std::optional<std::uint16_t> packet_id_of(bytes_view bytes) {
    const decode_result r = decode(bytes);
    if (r.status != decode_status::complete) return std::nullopt;
    return std::visit(
        [](const auto& p) -> std::optional<std::uint16_t> {
            if constexpr (requires { p.packet_id; }) {
                return p.packet_id;
            } else {
                return std::nullopt;
            }
        },
        r.value);
}

}  // namespace

const char* to_string(outcome o) {
    switch (o) {
        case outcome::pass:
            return "PASS";
        case outcome::fail:
            return "FAIL";
        case outcome::skip:
            return "SKIP";
    }
    return "?";
}

// ---- scenario_client ----

scenario_client::scenario_client(context& ctx, std::string label, client::client_options options)
    : ctx_(ctx), label_(std::move(label)), options_(std::move(options)) {
    client_ = std::make_unique<client::client>(ctx_.io().get_executor(), options_);
    if (ctx_.settings().trace != tools::trace_mode::off) {
        trace_ = std::make_unique<tools::trace_printer>(ctx_.out(), ctx_.trace_options(label_),
                                                        ctx_.start());
    }
    auto& tap = client_->tap();
    tap.add([this](const transport::tapped_packet& p) { on_packet(p); });
    tap.add_connection_observer([this](const transport::connection_event& e) {
        if (e.opened) ++connections_;
        end_run();
        if (!trace_) return;
        if (e.opened) {
            trace_->note(e.time, fmt::format("connected to {}{}", transport::to_string(e.remote),
                                             e.tls ? " over TLS" : ""));
        } else {
            trace_->note(e.time, "connection closed");
        }
    });
    if (ctx_.capture() != nullptr) ctx_.capture()->attach(tap);
    client_->set_message_handler([this](const session::message_received& m) {
        messages.push_back(m);
        ctx_.notify();
    });
    client_->set_state_handler([this](client::connection_state s, std::error_code why,
                                      const std::string& words) {
        if (s == client::connection_state::waiting || s == client::connection_state::disconnected) {
            if (!ended_at_) ended_at_ = clock::now();
            if (!words.empty()) end_words_ = words;
            if (why) end_code_ = why;
        }
        ctx_.notify();
    });
}

scenario_client::~scenario_client() = default;

void scenario_client::on_packet(const transport::tapped_packet& p) {
    seen_packet s;
    s.dir = p.dir;
    s.type = packet_type(p.bytes.empty() ? 0 : p.bytes[0] >> 4);
    s.flags = p.bytes.empty() ? 0 : p.bytes[0] & 0x0F;
    s.packet_id = packet_id_of(p.bytes);
    const auto kind = std::make_pair(s.dir, s.type);
    s.time = clock::now();
    s.connection = connections_;
    s.bytes.assign(p.bytes.begin(), p.bytes.end());
    packets_.push_back(std::move(s));
    if (trace_) {
        if (kind != run_kind_) {
            end_run();
            run_kind_ = kind;
        }
        ++run_length_;
        if (ctx_.settings().full_trace || run_length_ <= shown_of_a_run)
            trace_->packet(p.dir, p.time, p.bytes);
    }
    ctx_.notify();
}

std::string scenario_client::why(std::error_code ec) const {
    const std::string more = client_->last_error();
    if (!ec) return "no error";
    if (more.empty() || more == ec.message()) return ec.message();
    return ec.message() + " (" + more + ")";
}

void scenario_client::end_run() {
    if (trace_ && run_length_ > shown_of_a_run && !ctx_.settings().full_trace) {
        const std::size_t hidden = run_length_ - shown_of_a_run;
        trace_->note(
            std::chrono::system_clock::now(),
            fmt::format("... and {} more {} {} (in the capture; --full-trace shows them)", hidden,
                        packet_type_name(run_kind_.second),
                        run_kind_.first == transport::direction::sent ? "sent" : "received"));
    }
    run_length_ = 0;
    run_kind_ = {};
}

std::size_t scenario_client::count(transport::direction dir, packet_type type) const {
    std::size_t n = 0;
    for (const seen_packet& p : packets_)
        if (p.dir == dir && p.type == type) ++n;
    return n;
}

asio::awaitable<std::error_code> scenario_client::connect() {
    std::error_code ec;
    connack_ = co_await client_->async_connect(asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

namespace {

// Starts an operation with `start(handler)` and waits for its completion at most ack_timeout;
// one that did not complete by then is a `Result` with errc::timed_out. The handler keeps the
// result in shared state that outlives the wait (contexts live until the run ends).
template <class Result, class Start>
asio::awaitable<Result> with_deadline(context& ctx, Start start) {
    auto result = std::make_shared<std::optional<Result>>();
    start([result, &ctx](std::error_code ec, Result done) {
        if (ec && !done.error) done.error = ec;
        *result = std::move(done);
        ctx.notify();
    });
    co_await ctx.wait_until([&] { return result->has_value(); }, ack_timeout);
    if (result->has_value()) co_return std::move(**result);
    Result late;
    late.error = client::errc::timed_out;
    co_return late;
}

}  // namespace

// The broker may never answer (an ACL that drops, an overloaded cluster) while keep-alive stays
// happy: every wait for an acknowledgement has a deadline.
asio::awaitable<session::publish_completed> scenario_client::publish(session::message m) {
    co_return co_await with_deadline<session::publish_completed>(
        ctx_, [&](auto handler) { client_->async_publish(std::move(m), std::move(handler)); });
}

asio::awaitable<session::subscribe_completed> scenario_client::subscribe(std::string filter,
                                                                         mqtt::qos max_qos) {
    session::subscription_request r;
    r.topic_filter = std::move(filter);
    r.max_qos = max_qos;
    std::vector<session::subscription_request> subs{r};
    co_return co_await with_deadline<session::subscribe_completed>(ctx_, [&](auto handler) {
        client_->async_subscribe(std::move(subs), session::subscribe_options{}, std::move(handler));
    });
}

asio::awaitable<void> scenario_client::disconnect(reason_code reason) {
    std::error_code ec;
    session::disconnect_options o;
    o.reason = reason;
    co_await client_->async_disconnect(o, asio::redirect_error(asio::use_awaitable, ec));
    end_run();
}

// ---- context ----

context::context(asio::io_context& io, const run_settings& settings, const broker_target& broker,
                 std::string scenario, std::ostream& out, tools::pcap_writer* capture)
    : io_(io),
      settings_(settings),
      broker_(broker),
      scenario_(std::move(scenario)),
      out_(out),
      capture_(capture),
      start_(std::chrono::system_clock::now()) {}

context::~context() = default;

std::string context::topic(std::string_view suffix) const {
    return fmt::format("{}/{}/{}", settings_.prefix, scenario_, suffix);
}

std::string context::client_id(std::string_view label) const {
    return fmt::format("{}-{}", label, settings_.token);
}

client::client_options context::plain() const {
    client::client_options o;
    o.url = broker_.plain_url;
    o.tls = broker_.tls;
    o.connect_timeout = 5s;
    o.reconnect = false;
    o.mqtt.username = broker_.client_username;
    if (broker_.client_password)
        o.mqtt.password =
            session::byte_vector(broker_.client_password->begin(), broker_.client_password->end());
    return o;
}

client::client_options context::tls() const {
    client::client_options o = plain();
    o.url = broker_.tls_url;
    return o;
}

client::client_options context::auth(std::optional<std::string> username,
                                     std::optional<std::string> password) const {
    client::client_options o = plain();
    o.url = broker_.auth_url;
    o.mqtt.username = std::move(username);
    o.mqtt.password.reset();
    if (password) o.mqtt.password = session::byte_vector(password->begin(), password->end());
    return o;
}

local::tcp_proxy* context::proxy() {
    if (broker_.proxy_host.empty()) return nullptr;
    if (!proxy_)
        proxy_ = std::make_unique<local::tcp_proxy>(broker_.proxy_port, broker_.proxy_host);
    return proxy_.get();
}

client::client_options context::via_proxy(local::tcp_proxy& p) const {
    client::client_options o = plain();
    o.url = fmt::format("mqtt://127.0.0.1:{}", p.port());
    return o;
}

scenario_client& context::make_client(std::string label, client::client_options options,
                                      bool assign_id) {
    if (assign_id && options.mqtt.client_id.empty()) options.mqtt.client_id = client_id(label);
    clients_.push_back(
        std::make_unique<scenario_client>(*this, std::move(label), std::move(options)));
    return *clients_.back();
}

tools::trace_options context::trace_options(const std::string& label) const {
    tools::trace_options t;
    t.mode = settings_.trace;
    t.colour = settings_.colour;
    t.label = label;
    t.label_width = 12;
    return t;
}

void context::step(std::string_view text) {
    if (settings_.trace == tools::trace_mode::off) return;
    if (settings_.trace == tools::trace_mode::json) {
        tools::trace_printer(out_, trace_options(scenario_), start_)
            .note(std::chrono::system_clock::now(), text);
        return;
    }
    out_ << fmt::format(
        "{}{:+.3f}s {:<12} == {}{}\n", settings_.colour ? "\x1b[1m" : "",
        std::chrono::duration<double>(std::chrono::system_clock::now() - start_).count(), "", text,
        settings_.colour ? "\x1b[0m" : "");
    out_.flush();
}

bool context::check(bool ok, std::string_view part, std::string_view expected,
                    std::string_view seen) {
    // --break-expectation: the scenario's first check is judged as if it had expected
    // something else, to show (and test) what a failure looks like.
    if (!broke_one_ && settings_.break_expectation == scenario_) {
        broke_one_ = true;
        fail(part, fmt::format("expected not {} (--break-expectation), saw {}", expected, seen));
        return false;
    }
    if (ok) {
        pass(part, seen);
    } else {
        fail(part, fmt::format("expected {}, saw {}", expected, seen));
    }
    return ok;
}

void context::pass(std::string_view part, std::string_view detail) {
    parts_.push_back({std::string(part), outcome::pass, std::string(detail)});
    step(fmt::format("ok: {}: {}", part, detail));
}

void context::fail(std::string_view part, std::string_view detail) {
    parts_.push_back({std::string(part), outcome::fail, std::string(detail)});
    step(fmt::format("FAILED: {}: {}", part, detail));
}

void context::skip(std::string_view part, std::string_view reason) {
    parts_.push_back({std::string(part), outcome::skip, std::string(reason)});
    step(fmt::format("skipped: {}: {}", part, reason));
}

// Whether a SUBSCRIBE went through; if not, the scenario's part is skipped when the broker says
// it does not offer what was asked (wildcards, shared subscriptions), else failed.
bool context::subscribed(const scenario_client& c, const session::subscribe_completed& r,
                         std::string_view part) {
    const reason_code rc = r.reason_codes.empty() ? reason_code::success : r.reason_codes.front();
    if (!r.error && to_byte(rc) < 0x80) return true;
    if (rc == reason_code::wildcard_subscriptions_not_supported ||
        !c.connack().limits.wildcard_subscription_available) {
        skip(part, "the broker does not offer wildcard subscriptions");
    } else {
        fail(part, fmt::format("{}: SUBSCRIBE refused: {}", c.label(),
                               r.error ? c.why(r.error)
                                       : fmt::format("{}", named_reason{rc, packet_type::suback})));
    }
    return false;
}

asio::awaitable<bool> context::wait_until(std::function<bool()> done, clock::duration timeout) {
    const clock::time_point deadline = clock::now() + timeout;
    while (!done()) {
        if (clock::now() >= deadline) co_return false;
        asio::steady_timer t(io_, deadline);
        waiters_.insert(&t);
        std::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        waiters_.erase(&t);
    }
    co_return true;
}

asio::awaitable<void> context::sleep(clock::duration d) {
    asio::steady_timer t(io_, d);
    std::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void context::notify() {
    for (asio::steady_timer* t : waiters_)
        t->cancel();
}

asio::awaitable<void> context::finish() {
    for (auto& c : clients_) {
        co_await c->disconnect();
    }
}

}  // namespace mqtt::scenario
