// expiry, request-response, flow-control: what happens to messages on their way.
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/scenario/scenarios.hpp"

namespace mqtt::scenario {

namespace {

using transport::direction;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const session::message_received* find(const scenario_client& c, const std::string& topic) {
    for (const auto& m : c.messages)
        if (m.message.topic == topic) return &m;
    return nullptr;
}

}  // namespace

asio::awaitable<void> expiry_scenario(context& ctx) {
    client::client_options so = ctx.plain();
    so.mqtt.session_expiry_interval = 300;
    so.mqtt.client_id = ctx.client_id("sub");
    scenario_client& sub = ctx.make_client("sub", so);
    if (const std::error_code ec = co_await sub.connect()) {
        ctx.fail("connect", ec.message());
        co_return;
    }
    if (!ctx.subscribed(sub, co_await sub.subscribe(ctx.topic("#"), qos::at_least_once),
                        "subscription"))
        co_return;
    ctx.step("sub goes offline; its session (Session Expiry 300 s) collects messages for it");
    co_await sub.disconnect();

    scenario_client& pub = ctx.make_client("pub", ctx.plain());
    co_await pub.connect();
    ctx.step(
        "pub sends one message with Message Expiry 1 s, one with 60 s, and two whose JSON "
        "payload says until when the application may use them");
    session::message m;
    m.qos = qos::at_least_once;
    m.topic = ctx.topic("short");
    m.payload = to_bytes("expires in 1 s");
    m.props.message_expiry_interval = 1;
    co_await pub.publish(m);
    m.topic = ctx.topic("long");
    m.payload = to_bytes("expires in 60 s");
    m.props.message_expiry_interval = 60;
    co_await pub.publish(m);
    const std::int64_t now = unix_now();
    const std::int64_t soon = now + 1, later = now + 600;
    m.props.message_expiry_interval.reset();
    m.props.content_type = "application/json";
    m.topic = ctx.topic("app");
    m.payload = to_bytes(fmt::format(R"({{"reading":1,"expiry":{}}})", soon));
    co_await pub.publish(m);
    m.payload = to_bytes(fmt::format(R"({{"reading":2,"expiry":{}}})", later));
    co_await pub.publish(m);
    const clock::time_point offline_since = clock::now();

    ctx.step("2.5 s pass while sub is offline");
    co_await ctx.sleep(2500ms);
    // The same client: it holds the session's state, so it resumes it with Clean Start 0 (a new
    // client with no state must not accept Session Present 1, MQTT-3.2.2-4).
    scenario_client& back = sub;
    ctx.step("sub comes back (Clean Start 0): the broker delivers what has not expired");
    const std::error_code back_ec = co_await back.connect();
    if (back_ec || !back.connack().session_present) {
        const std::string why = back_ec ? back.why(back_ec) : "CONNACK session_present=0";
        if (ctx.broker().local) {
            ctx.fail("the session kept while offline", why);
        } else {
            ctx.skip("Message Expiry", "the broker did not keep the offline session (" + why +
                                           "; it may cap the Session Expiry Interval)");
        }
        co_return;
    }
    co_await ctx.wait_until([&] { return back.messages.size() >= 3; }, 3s);
    co_await ctx.wait_until([&] { return back.messages.size() >= 4; }, 300ms);  // one too many?
    const double waited = std::chrono::duration<double>(clock::now() - offline_since).count();

    const auto* short_one = find(back, ctx.topic("short"));
    // Dropped, while the session and the later messages were delivered: not just "nothing came".
    ctx.check(short_one == nullptr && back.messages.size() == 3,
              "Message Expiry 1 s, subscriber offline 2.5 s", "dropped by the broker (no PUBLISH)",
              short_one ? "delivered"
                        : fmt::format("no PUBLISH for it, {} other messages delivered",
                                      back.messages.size()));
    const auto* long_one = find(back, ctx.topic("long"));
    const auto left = long_one ? long_one->message.props.message_expiry_interval : std::nullopt;
    const bool reduced = left && *left < 60 && double(*left) >= 60 - waited - 1.5;
    ctx.check(reduced, "Message Expiry 60 s, delivered after the wait",
              fmt::format("PUBLISH with message_expiry_interval about {:.0f} (60 minus the wait)",
                          60 - waited),
              !long_one ? "no PUBLISH"
              : left    ? fmt::format("PUBLISH with message_expiry_interval={} ({:.1f} s waited)",
                                      *left, waited)
                        : "PUBLISH without message_expiry_interval");

    // The application's own expiry: a Unix time in the payload, checked when it is read.
    std::vector<std::string> processed, expired;
    for (const auto& r : back.messages) {
        if (r.message.topic != ctx.topic("app")) continue;
        const auto j = nlohmann::json::parse(to_text(r.message.payload), nullptr, false);
        if (j.is_discarded() || !j.contains("expiry") || !j["expiry"].is_number_integer()) {
            ctx.fail("application expiry", "a payload without an integer \"expiry\" field");
            continue;
        }
        const std::int64_t expiry = j["expiry"].get<std::int64_t>();
        const std::string name = fmt::format("reading {}", j.value("reading", 0));
        if (unix_now() > expiry) {
            ctx.step(fmt::format("sub: {} expired {} s ago (expiry in the payload): not processed",
                                 name, unix_now() - expiry));
            expired.push_back(name);
        } else {
            ctx.step(fmt::format("sub: {} is valid for {} s more: processed", name,
                                 expiry - unix_now()));
            processed.push_back(name);
        }
    }
    const auto list = [](const std::vector<std::string>& v) {
        return v.empty() ? std::string("none") : fmt::format("{}", fmt::join(v, ", "));
    };
    ctx.check(expired == std::vector<std::string>{"reading 1"} &&
                  processed == std::vector<std::string>{"reading 2"},
              "expiry checked by the application", "reading 1 expired, reading 2 processed",
              fmt::format("expired: {}; processed: {}", list(expired), list(processed)));
    session::disconnect_options bye;
    bye.session_expiry_interval = 0;  // the session is not needed any more
    std::error_code ec;
    co_await back.get().async_disconnect(bye, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> request_response_scenario(context& ctx) {
    scenario_client& responder = ctx.make_client("responder", ctx.plain());
    client::client_options ro = ctx.plain();
    ro.response_topic = ctx.topic("responses/requester");
    scenario_client& requester = ctx.make_client("requester", ro);
    for (scenario_client* c : {&responder, &requester}) {
        if (const std::error_code ec = co_await c->connect()) {
            ctx.fail("connect", c->label() + ": " + ec.message());
            co_return;
        }
    }
    if (!ctx.subscribed(responder,
                        co_await responder.subscribe(ctx.topic("requests"), qos::at_least_once),
                        "the responder's subscription"))
        co_return;

    ctx.step(
        "three requests in flight at once, each with a Response Topic and its own "
        "Correlation Data; the responder answers them in reverse order");
    struct answer {
        bool done = false;
        std::error_code ec;
        session::message_received response;
    };
    auto answers = std::make_shared<std::vector<answer>>(3);
    for (std::size_t i = 0; i < 3; ++i) {
        session::message request;
        request.topic = ctx.topic("requests");
        request.qos = qos::at_least_once;
        request.payload = to_bytes(fmt::format("what is {} + {}?", i + 1, i + 1));
        request.props.correlation_data = to_bytes(fmt::format("req-{}", i + 1));
        requester.get().async_request(
            std::move(request), 3s,
            [answers, i, &ctx](std::error_code ec, session::message_received r) {
                (*answers)[i] = {true, ec, std::move(r)};
                ctx.notify();
            });
    }
    co_await ctx.wait_until([&] { return responder.messages.size() >= 3; }, 3s);
    for (std::size_t i = responder.messages.size(); i-- > 0;) {
        const session::message& request = responder.messages[i].message;
        const std::string question = to_text(request.payload);
        const auto plus = question.find(" + ");
        const int n = plus == std::string::npos ? 0 : std::atoi(question.c_str() + 8);
        session::message response;
        response.qos = qos::at_least_once;
        response.payload = to_bytes(fmt::format("{} + {} is {}", n, n, 2 * n));
        auto replied = std::make_shared<bool>(false);
        responder.get().async_reply(request, std::move(response),
                                    [replied, &ctx](std::error_code, session::publish_completed) {
                                        *replied = true;
                                        ctx.notify();
                                    });
        co_await ctx.wait_until([&] { return *replied; }, ack_timeout);
    }
    co_await ctx.wait_until(
        [&] {
            for (const answer& a : *answers)
                if (!a.done) return false;
            return true;
        },
        3s);
    std::vector<std::string> seen;
    bool matched = true;
    for (std::size_t i = 0; i < 3; ++i) {
        const answer& a = (*answers)[i];
        const std::string expected = fmt::format("{} + {} is {}", i + 1, i + 1, 2 * (i + 1));
        const std::string got = !a.done ? "no response"
                                : a.ec  ? a.ec.message()
                                        : to_text(a.response.message.payload);
        const auto& cd = a.response.message.props.correlation_data;
        matched = matched && a.done && !a.ec && got == expected && cd &&
                  to_text(*cd) == fmt::format("req-{}", i + 1);
        seen.push_back(fmt::format("req-{}: \"{}\"", i + 1, got));
    }
    ctx.check(matched, "three requests in flight, each paired with its response",
              "req-1: \"1 + 1 is 2\", req-2: \"2 + 2 is 4\", req-3: \"3 + 3 is 6\"",
              fmt::format("{}", fmt::join(seen, ", ")));

    ctx.step("a request to a topic nobody answers on: it times out after 1 s");
    session::message lonely;
    lonely.topic = ctx.topic("nobody-listens");
    lonely.qos = qos::at_least_once;
    lonely.payload = to_bytes("anyone?");
    lonely.props.correlation_data = to_bytes("req-4");
    std::error_code ec;
    const auto start = clock::now();
    co_await requester.get().async_request(lonely, 1s,
                                           asio::redirect_error(asio::use_awaitable, ec));
    const double took = std::chrono::duration<double>(clock::now() - start).count();
    ctx.check(ec == client::errc::timed_out && took >= 0.9, "a request nobody answers times out",
              "timed out after 1 s",
              ec ? fmt::format("{} after {:.1f} s", ec.message(), took) : "a response");
}

asio::awaitable<void> flow_control_scenario(context& ctx) {
    scenario_client& pub = ctx.make_client("pub", ctx.plain());
    if (const std::error_code ec = co_await pub.connect()) {
        ctx.fail("connect", ec.message());
        co_return;
    }
    // 1. The broker's Receive Maximum caps our QoS 1 publishes in flight.
    const std::size_t receive_maximum = pub.connack().limits.receive_maximum;
    const std::size_t n = std::min<std::size_t>(receive_maximum * 3, 300);
    if (receive_maximum >= n) {
        ctx.skip("Receive Maximum", fmt::format("the broker's Receive Maximum is {}: more than "
                                                "the {} messages this scenario sends",
                                                receive_maximum, n));
    }
    ctx.step(
        fmt::format("pub sends {} QoS 1 messages at once; the broker's Receive Maximum is {}, "
                    "so at most {} PUBLISH may wait for their PUBACK",
                    n, receive_maximum, receive_maximum));
    const std::size_t from = pub.packets().size();
    auto acked = std::make_shared<std::size_t>(0);
    for (std::size_t i = 0; i < n; ++i) {
        session::message m;
        m.topic = ctx.topic("window");
        m.qos = qos::at_least_once;
        m.payload = to_bytes(std::to_string(i + 1));
        pub.get().async_publish(std::move(m), [acked, &ctx](std::error_code ec, auto) {
            if (!ec) ++*acked;
            ctx.notify();
        });
    }
    if (receive_maximum < n) co_await ctx.wait_until([&] { return *acked == n; }, 10s);
    std::size_t in_flight = 0, most = 0;
    for (std::size_t i = from; i < pub.packets().size(); ++i) {
        const seen_packet& p = pub.packets()[i];
        if (p.dir == direction::sent && p.type == packet_type::publish)
            most = std::max(most, ++in_flight);
        if (p.dir == direction::received && p.type == packet_type::puback && in_flight > 0)
            --in_flight;
    }
    // Exactly the broker's Receive Maximum: no more (MQTT-3.3.4-9), and no less (a client that
    // sent one at a time would pass "at most").
    if (receive_maximum < n)
        ctx.check(*acked == n && most == receive_maximum,
                  "Receive Maximum caps our QoS 1 in flight",
                  fmt::format("{} acknowledged, at most {} in flight", n, receive_maximum),
                  fmt::format("{} acknowledged, at most {} in flight", *acked, most));

    // 2. A publisher held to a rate: never faster (the promise); slower only by what a busy
    // machine adds.
    const double rate = ctx.settings().rate;
    const std::size_t paced_n = std::max<std::size_t>(2, std::size_t(rate / 2));
    const double expected = double(paced_n - 1) / rate;
    client::client_options po = ctx.plain();
    po.publish_rate = rate;
    scenario_client& paced = ctx.make_client("paced-pub", po);
    co_await paced.connect();
    ctx.step(fmt::format("paced-pub sends {} QoS 0 messages at {} msg/s: that takes {:.2f} s",
                         paced_n, rate, expected));
    const std::size_t paced_from = paced.packets().size();
    auto sent = std::make_shared<std::size_t>(0);
    for (std::size_t i = 0; i < paced_n; ++i) {
        session::message m;
        m.topic = ctx.topic("paced");
        m.payload = to_bytes(std::to_string(i + 1));
        paced.get().async_publish(std::move(m), [sent, &ctx](std::error_code, auto) {
            ++*sent;
            ctx.notify();
        });
    }
    co_await ctx.wait_until([&] { return *sent == paced_n; },
                            std::chrono::seconds(std::int64_t(expected * 2) + 3));
    std::optional<clock::time_point> first, last;
    for (std::size_t i = paced_from; i < paced.packets().size(); ++i) {
        const seen_packet& p = paced.packets()[i];
        if (p.dir != direction::sent || p.type != packet_type::publish) continue;
        if (!first) first = p.time;
        last = p.time;
    }
    const double took = first ? std::chrono::duration<double>(*last - *first).count() : 0;
    ctx.check(*sent == paced_n && took >= expected * 0.9 && took <= expected * 2 + 0.5,
              "a publisher held to a rate",
              fmt::format("{} PUBLISH over {:.2f} s", paced_n, expected),
              fmt::format("{} PUBLISH over {:.2f} s", *sent, took));

    // 3. A slow subscriber with a bounded queue.
    const std::size_t queue = ctx.settings().queue;
    const std::size_t burst = queue + std::max<std::size_t>(1, queue / 5);
    client::client_options so = ctx.plain();
    so.inbound_queue_limit = queue;
    so.inbound_overflow = client::overflow_policy::drop_newest;
    scenario_client& slow = ctx.make_client("slow-sub", so);
    slow.queued_receive();
    co_await slow.connect();
    co_await slow.subscribe(ctx.topic("burst"), qos::at_most_once);
    ctx.step(
        fmt::format("slow-sub keeps at most {} messages its application has not read; "
                    "pub sends {} at once while the application is busy",
                    queue, burst));
    // In chunks the broker passes on before the next: a broker queues a limited number of
    // messages for a client too (Mosquitto: max_queued_messages 1000) and would drop the rest
    // itself; here it is the subscriber's own queue that must overflow.
    const std::size_t chunk = 100;
    for (std::size_t i = 0; i < burst;) {
        for (const std::size_t end = std::min(burst, i + chunk); i < end; ++i) {
            session::message m;
            m.topic = ctx.topic("burst");
            m.payload = to_bytes(std::to_string(i + 1));
            pub.get().async_publish(std::move(m), [](std::error_code, auto) {});
        }
        if (!co_await ctx.wait_until(
                [&] { return slow.count(direction::received, packet_type::publish) >= i; }, 2s))
            break;
    }
    const client::statistics st = slow.get().stats();
    std::size_t read = 0;
    for (; read < queue && read + st.inbound_dropped < st.messages_received; ++read) {
        std::error_code ec;
        co_await slow.get().async_receive(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
    }
    ctx.step(
        fmt::format("slow-sub's application reads {} messages; the client dropped {} it "
                    "had no room for and counted them (statistics.inbound_dropped)",
                    read, st.inbound_dropped));
    if (!ctx.broker().local && st.messages_received < burst && st.inbound_dropped == 0) {
        ctx.skip("a slow subscriber's bounded queue",
                 fmt::format("the broker delivered {} of {} QoS 0 messages (it dropped the rest "
                             "itself, or limits rates)",
                             st.messages_received, burst));
        co_return;
    }
    ctx.check(
        st.messages_received == burst && read == queue && st.inbound_dropped == burst - queue,
        "a slow subscriber's bounded queue",
        fmt::format("{} received, {} kept, {} dropped and counted", burst, queue, burst - queue),
        fmt::format("{} received, {} kept, {} dropped and counted", st.messages_received, read,
                    st.inbound_dropped));
}

}  // namespace mqtt::scenario
