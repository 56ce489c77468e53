// keepalive, will, session: what MQTT does when connections go quiet, die or come back. Each
// breaks connections on purpose through a TCP proxy (tools/local/tcp_proxy.hpp) between the
// client and the broker.
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "tools/scenario/scenarios.hpp"

namespace mqtt::scenario {

namespace {

using transport::direction;

constexpr const char* no_proxy =
    "needs a TCP proxy in front of the broker's plain MQTT listener over IPv4 (not known for "
    "this broker)";

double seconds(clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

}  // namespace

asio::awaitable<void> keepalive_scenario(context& ctx) {
    local::tcp_proxy* proxy = ctx.proxy();
    if (proxy == nullptr) {
        ctx.skip("keep-alive", no_proxy);
        co_return;
    }
    const std::uint16_t asked = ctx.settings().keep_alive;
    client::client_options o = ctx.via_proxy(*proxy);
    o.mqtt.keep_alive = asked;
    scenario_client& c = ctx.make_client("client", o);
    if (const std::error_code ec = co_await c.connect()) {
        ctx.fail("connect", ec.message());
        co_return;
    }
    const std::uint16_t ka = c.connack().keep_alive;  // the Server Keep Alive, if it sent one
    if (ka != asked && (ka == 0 || ka > 10)) {
        ctx.skip("keep-alive", fmt::format("the broker's Server Keep Alive is {} s; this scenario "
                                           "needs a short one (asked {} s)",
                                           ka, asked));
        co_return;
    }
    ctx.step(
        fmt::format("keep-alive {} s and nothing to say: the client sends PINGREQ after {} s "
                    "of silence, the broker answers PINGRESP",
                    ka, ka));
    co_await ctx.wait_until(
        [&] { return c.count(direction::received, packet_type::pingresp) >= 2; },
        std::chrono::seconds(3 * ka + 2));
    std::vector<clock::time_point> sent_at;
    for (const seen_packet& p : c.packets())
        if (p.dir == direction::sent) sent_at.push_back(p.time);
    std::vector<std::string> gaps;
    bool on_time = sent_at.size() >= 3;
    for (std::size_t i = 1; i < sent_at.size(); ++i) {
        const double gap = seconds(sent_at[i] - sent_at[i - 1]);
        gaps.push_back(fmt::format("{:.2f} s", gap));
        on_time = on_time && gap >= ka - 0.25 && gap <= ka + 0.5;
    }
    ctx.check(
        on_time && c.count(direction::received, packet_type::pingresp) >= 2,
        "PINGREQ after each keep-alive of silence",
        fmt::format("two PINGREQ/PINGRESP pairs, {} s apart", ka),
        fmt::format("{} PINGRESP, packets sent {} apart",
                    c.count(direction::received, packet_type::pingresp),
                    gaps.empty() ? std::string("-") : fmt::format("{}", fmt::join(gaps, ", "))));

    ctx.step("the proxy stalls: the connection stays open but the broker's answers stop coming");
    proxy->stall();
    const clock::time_point last_heard = c.packets().back().time;
    const bool ended =
        co_await ctx.wait_until([&] { return c.state() != client::connection_state::connected; },
                                std::chrono::seconds(2 * ka + 2));
    const double after = c.ended_at() ? seconds(*c.ended_at() - last_heard) : 0;
    // Noticed by keep-alive (no PINGRESP), not by something else closing the connection.
    const bool by_keep_alive = c.end_words().find("keep-alive") != std::string::npos;
    ctx.check(ended && by_keep_alive && after <= 1.5 * ka + 0.3, "a silent broker is noticed",
              fmt::format("the client gives up within {:.1f} s (1.5 x keep-alive)", 1.5 * ka),
              ended ? fmt::format("gave up {:.2f} s after the last packet heard: {}", after,
                                  c.end_words())
                    : "still connected");
    proxy->resume();
}

asio::awaitable<void> will_scenario(context& ctx) {
    scenario_client& watcher = ctx.make_client("watcher", ctx.plain());
    if (const std::error_code ec = co_await watcher.connect()) {
        ctx.fail("connect", watcher.why(ec));
        co_return;
    }
    if (!ctx.subscribed(
            watcher, co_await watcher.subscribe(ctx.topic("client/+/status"), qos::at_least_once),
            "the watcher's subscription"))
        co_return;
    const auto status_topic = [&](const std::string& label) {
        return ctx.topic("client/" + ctx.client_id(label) + "/status");
    };
    const auto with_will = [&](client::client_options o, const std::string& label) {
        session::will_options w;
        w.message.topic = status_topic(label);
        w.message.payload = to_bytes("offline (will: connection lost)");
        w.message.qos = qos::at_least_once;
        o.mqtt.will = w;
        return o;
    };
    const auto say = [&](scenario_client& c, const char* status) -> asio::awaitable<void> {
        session::message m;
        m.topic = status_topic(c.label());
        m.payload = to_bytes(status);
        m.qos = qos::at_least_once;
        co_await c.publish(std::move(m));
    };
    const auto statuses = [&](const std::string& label) {
        std::vector<std::string> s;
        for (const auto& r : watcher.messages)
            if (r.message.topic == status_topic(label)) s.push_back(to_text(r.message.payload));
        return s;
    };
    const auto joined = [](const std::vector<std::string>& v) {
        return v.empty() ? std::string("nothing") : fmt::format("\"{}\"", fmt::join(v, "\", \""));
    };

    ctx.step(
        "tidy connects with a Will, says online, says offline itself and sends DISCONNECT "
        "0x00: the broker discards the Will");
    scenario_client& tidy = ctx.make_client("tidy", with_will(ctx.plain(), "tidy"));
    co_await tidy.connect();
    co_await say(tidy, "online");
    co_await say(tidy, "offline");
    co_await tidy.disconnect();
    co_await ctx.wait_until([&] { return statuses("tidy").size() >= 3; }, 1s);
    ctx.check(statuses("tidy") == std::vector<std::string>{"online", "offline"},
              "no Will after a normal DISCONNECT", "\"online\", \"offline\"",
              joined(statuses("tidy")));

    local::tcp_proxy* proxy = ctx.proxy();
    if (proxy == nullptr) {
        ctx.skip("Will on a dead connection", no_proxy);
        co_return;
    }
    proxy->hard_cuts(true);
    ctx.step(
        "crashy connects (through a proxy) with a Will and says online; then its connection "
        "is reset without DISCONNECT: the broker publishes the Will at once");
    scenario_client& crashy = ctx.make_client("crashy", with_will(ctx.via_proxy(*proxy), "crashy"));
    co_await crashy.connect();
    co_await say(crashy, "online");
    co_await ctx.wait_until([&] { return statuses("crashy").size() >= 1; }, 1s);
    proxy->cut();
    clock::time_point cut_at = clock::now();
    const bool will = co_await ctx.wait_until([&] { return statuses("crashy").size() >= 2; }, 3s);
    ctx.check(will && statuses("crashy").back() == "offline (will: connection lost)" &&
                  clock::now() - cut_at < 1s,
              "the Will of a connection that died",
              "\"online\", \"offline (will: connection lost)\" "
              "within 1 s",
              fmt::format("{} after {:.2f} s", joined(statuses("crashy")),
                          seconds(clock::now() - cut_at)));

    const std::uint32_t delay = 2;
    ctx.step(
        fmt::format("slow-will has Will Delay Interval {} s (and a session that outlives it): "
                    "its Will comes {} s after the connection dies",
                    delay, delay));
    client::client_options o = with_will(ctx.via_proxy(*proxy), "slow-will");
    o.mqtt.will->will_delay_interval = delay;
    o.mqtt.session_expiry_interval = 30;
    scenario_client& slow = ctx.make_client("slow-will", o);
    co_await slow.connect();
    co_await say(slow, "online");
    co_await ctx.wait_until([&] { return statuses("slow-will").size() >= 1; }, 1s);
    proxy->cut();
    cut_at = clock::now();
    const bool delayed =
        co_await ctx.wait_until([&] { return statuses("slow-will").size() >= 2; }, 5s);
    const double after = seconds(clock::now() - cut_at);
    if (delayed && after < delay - 0.5 && !ctx.broker().local) {
        ctx.skip("the Will Delay Interval",
                 fmt::format("the broker published the Will {:.2f} s after, not {} s: it ends a "
                             "session at once (a capped Session Expiry Interval), and the Will "
                             "goes when the session ends",
                             after, delay));
        co_return;
    }
    ctx.check(delayed && after >= delay - 0.1 && after < delay + 2.0, "the Will Delay Interval",
              fmt::format("the Will {} s after the connection died", delay),
              delayed ? fmt::format("the Will {:.2f} s after", after) : "no Will in 5 s");
}

asio::awaitable<void> session_scenario(context& ctx) {
    client::client_options ko = ctx.plain();
    ko.mqtt.client_id = ctx.client_id("keeper");
    ko.mqtt.session_expiry_interval = 300;
    scenario_client& keeper = ctx.make_client("keeper", ko);
    if (const std::error_code ec = co_await keeper.connect()) {
        ctx.fail("connect", ec.message());
        co_return;
    }
    if (!ctx.subscribed(keeper, co_await keeper.subscribe(ctx.topic("news"), qos::exactly_once),
                        "keeper's subscription"))
        co_return;
    ctx.step("keeper (Session Expiry 300 s) subscribes at QoS 2 and goes offline");
    co_await keeper.disconnect();

    scenario_client& pub = ctx.make_client("pub", ctx.plain());
    co_await pub.connect();
    // A broker whose Maximum QoS is 1 gets QoS 1 only; the QoS 2 parts are skipped.
    const int top = std::min<int>(2, pub.connack().limits.maximum_qos);
    ctx.step(top == 2 ? "pub sends a QoS 1 and a QoS 2 message while keeper is away"
                      : "pub sends a QoS 1 message while keeper is away");
    for (int q = 1; q <= top; ++q) {
        session::message m;
        m.topic = ctx.topic("news");
        m.qos = mqtt::qos(q);
        m.payload = to_bytes(fmt::format("while you were away (QoS {})", q));
        co_await pub.publish(std::move(m));
    }
    ctx.step("keeper comes back with Clean Start 0: session_present=1 and what was sent");
    // The same client, which holds the session's state (MQTT-3.2.2-4).
    scenario_client& back = keeper;
    const std::error_code back_ec = co_await back.connect();
    if (!back_ec && !back.connack().session_present && !ctx.broker().local) {
        ctx.skip("a persistent session",
                 "the broker did not keep the session "
                 "(session_present=0; it may cap the Session Expiry "
                 "Interval)");
        co_return;
    }
    co_await ctx.wait_until([&] { return back.messages.size() >= std::size_t(top); }, 3s);
    std::vector<std::string> got, expected;
    for (const auto& r : back.messages)
        got.push_back(fmt::format("QoS {} \"{}\"", int(r.message.qos), to_text(r.message.payload)));
    for (int q = 1; q <= top; ++q)
        expected.push_back(fmt::format("QoS {} \"while you were away (QoS {})\"", q, q));
    ctx.check(back.connack().session_present && got == expected,
              "a persistent session receives what was sent while offline",
              fmt::format("session_present=1, then {}", fmt::join(expected, ", ")),
              fmt::format("session_present={}, {}", back.connack().session_present ? 1 : 0,
                          got.empty() ? std::string("no message")
                                      : fmt::format("{}", fmt::join(got, ", "))));
    session::disconnect_options bye;
    bye.session_expiry_interval = 0;
    std::error_code ec;
    co_await back.get().async_disconnect(bye, asio::redirect_error(asio::use_awaitable, ec));

    if (top < 2) {
        ctx.skip("a QoS 2 flow cut after PUBREC", "the broker's CONNACK says Maximum QoS 1");
        co_return;
    }
    local::tcp_proxy* proxy = ctx.proxy();
    if (proxy == nullptr) {
        ctx.skip("a QoS 2 flow cut after PUBREC", no_proxy);
        co_return;
    }
    scenario_client& receiver = ctx.make_client("receiver", ctx.plain());
    co_await receiver.connect();
    if (!ctx.subscribed(receiver, co_await receiver.subscribe(ctx.topic("once"), qos::exactly_once),
                        "the receiver's subscription"))
        co_return;
    client::client_options so = ctx.via_proxy(*proxy);
    so.mqtt.session_expiry_interval = 300;
    so.reconnect = true;
    so.reconnect_initial = 100ms;
    scenario_client& sender = ctx.make_client("sender", so);
    co_await sender.connect();
    ctx.step(
        "sender publishes at QoS 2 through a proxy that drops its PUBREL and the connection: "
        "the flow stops after PUBREC");
    proxy->set_rule(local::cut_at_packet(local::flow::to_broker, std::uint8_t(packet_type::pubrel),
                                         1, local::verdict::cut_before));
    session::message m;
    m.topic = ctx.topic("once");
    m.qos = qos::exactly_once;
    m.payload = to_bytes("exactly once");
    auto done = std::make_shared<std::optional<session::publish_completed>>();
    sender.get().async_publish(std::move(m),
                               [done, &ctx](std::error_code ec, session::publish_completed c) {
                                   if (ec && !c.error) c.error = ec;
                                   *done = c;
                                   ctx.notify();
                               });
    ctx.step("sender reconnects (Clean Start 0) and sends the PUBREL again; PUBCOMP ends the flow");
    co_await ctx.wait_until([&] { return done->has_value(); }, 5s);
    co_await ctx.wait_until([&] { return receiver.messages.size() >= 2; }, 500ms);
    // What the sender did: one PUBLISH only (the message is not sent again), its PUBREL on the
    // first connection, and on the second, after a CONNACK with session_present=1, the same
    // PUBREL as its first packet (MQTT-4.4.0-1).
    std::optional<std::uint16_t> first_id, second_id;
    bool pubrel_first = false, resumed = false;
    const auto& packets = sender.packets();
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const seen_packet& p = packets[i];
        if (p.dir == direction::received && p.type == packet_type::connack && p.connection == 2) {
            const decode_result r = decode(p.bytes);
            const auto* ack = r.status == decode_status::complete
                                  ? std::get_if<mqtt::connack>(&r.value)
                                  : nullptr;
            resumed = ack != nullptr && ack->session_present;
            for (std::size_t k = i + 1; k < packets.size(); ++k) {
                if (packets[k].dir != direction::sent) continue;
                pubrel_first = packets[k].type == packet_type::pubrel;
                break;
            }
        }
        if (p.dir != direction::sent || p.type != packet_type::pubrel) continue;
        (p.connection == 1 ? first_id : second_id) = p.packet_id;
    }
    const std::size_t publishes = sender.count(direction::sent, packet_type::publish);
    const bool resent = first_id && second_id && *first_id == *second_id && pubrel_first &&
                        resumed && publishes == 1 && sender.connections() == 2;
    ctx.check(done->has_value() && !(*done)->error && resent,
              "a QoS 2 flow cut after PUBREC completes after reconnecting",
              "one PUBLISH; the same PUBREL again first on the new connection (session_present=1), "
              "then PUBCOMP",
              fmt::format("{} PUBLISH; {} connections; PUBREL on the first {}, on the second {}{}; "
                          "session_present={}; publish {}",
                          publishes, sender.connections(),
                          first_id ? fmt::format("id={}", *first_id) : "none",
                          second_id ? fmt::format("id={}", *second_id) : "none",
                          pubrel_first ? " (its first packet)" : "", resumed ? 1 : 0,
                          !done->has_value() ? "not completed"
                          : (*done)->error   ? sender.why((*done)->error)
                                             : "completed"));
    ctx.check(receiver.messages.size() == 1, "delivered exactly once", "1 message",
              fmt::format("{} message{}", receiver.messages.size(),
                          receiver.messages.size() == 1 ? "" : "s"));
    bye.session_expiry_interval = 0;
    co_await sender.get().async_disconnect(bye, asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace mqtt::scenario
