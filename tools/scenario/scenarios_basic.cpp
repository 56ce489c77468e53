// connect, auth, qos, retained: the first things to see of MQTT.
#include <fmt/format.h>

#include "protocol/reason_format.hpp"
#include "tools/scenario/scenarios.hpp"

namespace mqtt::scenario {

namespace {

using transport::direction;

std::string outcome_of(const scenario_client& c, std::error_code ec) {
    return ec ? c.why(ec) : "CONNACK 0x00 Success";
}

bool is(std::error_code ec, reason_code rc) {
    return ec == client::make_error_code(rc);
}

// The packets of `c` of kind `type` going `dir` since `from` (an index into its packets).
std::size_t count_since(const scenario_client& c, std::size_t from, direction dir,
                        packet_type type) {
    std::size_t n = 0;
    for (std::size_t i = from; i < c.packets().size(); ++i)
        if (c.packets()[i].dir == dir && c.packets()[i].type == type) ++n;
    return n;
}

// "PUBLISH ->, PUBREC <-, ..." for the packets of `c` since `from`, the acks of one flow.
std::string flow_since(const scenario_client& c, std::size_t from) {
    std::string s;
    for (std::size_t i = from; i < c.packets().size(); ++i) {
        const seen_packet& p = c.packets()[i];
        if (p.type == packet_type::pingreq || p.type == packet_type::pingresp) continue;
        if (!s.empty()) s += ", ";
        s += fmt::format("{} {}", packet_type_name(p.type), p.dir == direction::sent ? "->" : "<-");
    }
    return s.empty() ? "nothing" : s;
}

}  // namespace

std::vector<std::string> capabilities(const session::connected& ack) {
    const session::server_limits& l = ack.limits;
    std::vector<std::string> out;
    out.push_back(fmt::format(
        "Receive Maximum {}: at most {} QoS 1/2 publishes of ours unacknowledged at once",
        l.receive_maximum, l.receive_maximum));
    out.push_back(fmt::format(
        "Maximum QoS {}: {}", l.maximum_qos,
        l.maximum_qos == 2 ? "every QoS is accepted" : "publishes above it are refused"));
    out.push_back(fmt::format("Retain Available {}: retained messages {}",
                              l.retain_available ? 1 : 0,
                              l.retain_available ? "are kept" : "are refused"));
    out.push_back(fmt::format(
        "Topic Alias Maximum {}: {}", l.topic_alias_maximum,
        l.topic_alias_maximum == 0
            ? "no topic aliases from us"
            : fmt::format("we may give up to {} topics a 2-byte alias", l.topic_alias_maximum)));
    out.push_back(l.maximum_packet_size == max_packet_size_limit
                      ? std::string("Maximum Packet Size: not announced (the protocol's 256 MB)")
                      : fmt::format("Maximum Packet Size {} bytes", l.maximum_packet_size));
    out.push_back(
        fmt::format("wildcard subscriptions {}, shared subscriptions {}, subscription "
                    "identifiers {}",
                    l.wildcard_subscription_available ? "yes" : "no",
                    l.shared_subscription_available ? "yes" : "no",
                    l.subscription_identifier_available ? "yes" : "no"));
    out.push_back(
        l.server_keep_alive
            ? fmt::format("Server Keep Alive {} s: the broker overrides our keep-alive",
                          *l.server_keep_alive)
            : fmt::format("no Server Keep Alive: our keep-alive ({} s) stands", ack.keep_alive));
    if (ack.assigned_client_identifier)
        out.push_back("Assigned Client Identifier \"" + *ack.assigned_client_identifier + "\"");
    return out;
}

asio::awaitable<void> connect_scenario(context& ctx) {
    const bool over_tls = ctx.broker().plain_url.rfind("mqtts://", 0) == 0;
    ctx.step(over_tls ? "MQTT over TLS (the broker's URL): CONNECT, and the broker's CONNACK with "
                        "its capabilities"
                      : "plain MQTT over TCP: CONNECT, and the broker's CONNACK with its "
                        "capabilities");
    scenario_client& plain = ctx.make_client("plain", ctx.plain());
    std::error_code ec = co_await plain.connect();
    if (ctx.check(!ec, over_tls ? "CONNECT" : "CONNECT over TCP", "CONNACK 0x00 Success",
                  outcome_of(plain, ec))) {
        for (const std::string& line : capabilities(plain.connack()))
            ctx.step("  " + line);
    }
    co_await plain.disconnect();

    ctx.step(
        "an empty Client Identifier: a broker that accepts it assigns one (MQTT-3.2.2-16), "
        "or it refuses with 0x85 (MQTT-3.1.3-8)");
    client::client_options o = ctx.plain();
    o.mqtt.client_id.clear();
    scenario_client& anonymous = ctx.make_client("no-id", o, false);
    ec = co_await anonymous.connect();
    const auto& assigned = anonymous.connack().assigned_client_identifier;
    if (is(ec, reason_code::client_identifier_not_valid)) {
        ctx.skip("Assigned Client Identifier",
                 "the broker refuses an empty Client Identifier (0x85, allowed by MQTT-3.1.3-8)");
    } else {
        ctx.check(!ec && assigned.has_value(), "Assigned Client Identifier",
                  "CONNACK with an Assigned Client Identifier",
                  ec         ? anonymous.why(ec)
                  : assigned ? "\"" + *assigned + "\""
                             : "CONNACK without one");
    }
    co_await anonymous.disconnect();

    if (ctx.broker().tls_url.empty()) {
        ctx.skip("CONNECT over TLS", "no TLS listener known (give one with --broker-tls URL)");
        co_return;
    }
    if (!over_tls) {
        ctx.step("MQTT over TLS: the server's certificate is verified against the CA and its name");
        scenario_client& tls = ctx.make_client("tls", ctx.tls());
        ec = co_await tls.connect();
        ctx.check(!ec, "CONNECT over TLS, certificate verified", "CONNACK 0x00 Success",
                  outcome_of(tls, ec));
        co_await tls.disconnect();
    }
    if (ctx.broker().untrusted_ca.empty()) co_return;
    ctx.step(
        "the same with a CA that did not sign the server's certificate: the client refuses "
        "the connection before any MQTT packet");
    client::client_options u = ctx.tls();
    u.tls.ca_file = ctx.broker().untrusted_ca;
    scenario_client& untrusted = ctx.make_client("wrong-ca", u);
    ec = co_await untrusted.connect();
    ctx.check(ec && untrusted.packets().empty(), "a certificate from an unknown CA is refused",
              "no connection, no CONNECT sent",
              ec ? untrusted.why(ec) : "connected (the certificate was not checked)");
    co_await untrusted.disconnect();
}

asio::awaitable<void> auth_scenario(context& ctx) {
    const broker_target& b = ctx.broker();
    if (b.auth_url.empty() || !b.username) {
        ctx.skip("credentials", "no listener with credentials known (give -u and -P)");
        co_return;
    }
    ctx.step("good credentials: accepted");
    scenario_client& good = ctx.make_client("good", ctx.auth(b.username, b.password));
    std::error_code ec = co_await good.connect();
    ctx.check(!ec, "good user name and password", "CONNACK 0x00 Success", outcome_of(good, ec));
    co_await good.disconnect();

    ctx.step("no credentials at all: refused, or the broker allows anonymous clients");
    scenario_client& none = ctx.make_client("no-login", ctx.auth(std::nullopt, std::nullopt));
    const std::error_code anonymous = co_await none.connect();
    co_await none.disconnect();

    ctx.step(
        "a wrong password: refused with 0x86 Bad User Name or Password or 0x87 Not "
        "authorized");
    scenario_client& wrong =
        ctx.make_client("wrong-pass", ctx.auth(b.username, b.password.value_or("") + "-wrong"));
    ec = co_await wrong.connect();
    co_await wrong.disconnect();
    const auto refused = [](std::error_code e) {
        return is(e, reason_code::bad_user_name_or_password) || is(e, reason_code::not_authorized);
    };
    if (!anonymous && !ec) {
        ctx.skip("refusals",
                 "the broker accepts any client, with or without credentials "
                 "(anonymous allowed), so a wrong login shows nothing");
        co_return;
    }
    ctx.check(refused(ec), "wrong password refused", "CONNACK 0x86 or 0x87",
              ec ? wrong.why(ec) + (refused(ec) ? " (this broker's choice)" : "")
                 : "CONNACK 0x00 Success");
    if (!anonymous) {
        ctx.skip("missing credentials refused",
                 "the broker allows anonymous clients (and checks the passwords it is given)");
    } else {
        ctx.check(refused(anonymous), "missing credentials refused", "CONNACK 0x86 or 0x87",
                  none.why(anonymous));
    }
}

asio::awaitable<void> qos_scenario(context& ctx) {
    scenario_client& sub = ctx.make_client("sub", ctx.plain());
    scenario_client& sub1 = ctx.make_client("sub-qos1", ctx.plain());
    scenario_client& pub = ctx.make_client("pub", ctx.plain());
    for (scenario_client* c : {&sub, &sub1, &pub}) {
        const std::error_code ec = co_await c->connect();
        if (ec) {
            ctx.fail("connect", c->label() + ": " + c->why(ec));
            co_return;
        }
    }
    int maximum_qos = pub.connack().limits.maximum_qos;
    ctx.step("sub subscribes at QoS 2, sub-qos1 at QoS 1");
    const auto s2 = co_await sub.subscribe(ctx.topic("#"), qos::exactly_once);
    if (!ctx.subscribed(sub, s2, "subscriptions")) co_return;
    const auto s1 = co_await sub1.subscribe(ctx.topic("#"), qos::at_least_once);
    if (!ctx.subscribed(sub1, s1, "subscriptions")) co_return;
    // What the broker granted caps what sub receives (a broker may grant less than asked).
    const int granted = to_byte(s2.reason_codes.front());

    for (int level = 0; level <= 2; ++level) {
        const std::string part = fmt::format("QoS {}", level);
        if (level > maximum_qos) {
            ctx.skip(part, fmt::format("the broker's CONNACK says Maximum QoS {}", maximum_qos));
            continue;
        }
        ctx.step(fmt::format("the same message at QoS {}: {}", level,
                             level == 0   ? "PUBLISH and nothing else"
                             : level == 1 ? "PUBLISH, PUBACK"
                                          : "PUBLISH, PUBREC, PUBREL, PUBCOMP"));
        const std::size_t pub_from = pub.packets().size(), sub_from = sub.packets().size();
        const std::size_t sub_messages = sub.messages.size(), sub1_messages = sub1.messages.size();
        const int delivered = std::min(level, granted);
        session::message m;
        m.topic = ctx.topic(fmt::format("{}", level));
        m.payload = to_bytes("hello");
        m.qos = mqtt::qos(level);
        const session::publish_completed done = co_await pub.publish(std::move(m));
        if (is(done.error, reason_code::qos_not_supported)) {
            ctx.skip(part, fmt::format("the broker refused QoS {} in practice ({})", level,
                                       pub.why(done.error)));
            maximum_qos = level - 1;
            continue;
        }
        const bool got = co_await ctx.wait_until(
            [&] {
                return sub.messages.size() > sub_messages && sub1.messages.size() > sub1_messages &&
                       (delivered < 2 ||
                        count_since(sub, sub_from, direction::sent, packet_type::pubcomp) > 0) &&
                       (delivered < 1 || count_since(sub, sub_from, direction::sent,
                                                     delivered == 1 ? packet_type::puback
                                                                    : packet_type::pubrec) > 0);
            },
            3s);
        const auto expected = [](int q, bool publisher) -> const char* {
            if (publisher) {
                return q == 0   ? "PUBLISH ->"
                       : q == 1 ? "PUBLISH ->, PUBACK <-"
                                : "PUBLISH ->, PUBREC <-, PUBREL ->, PUBCOMP <-";
            }
            return q == 0   ? "PUBLISH <-"
                   : q == 1 ? "PUBLISH <-, PUBACK ->"
                            : "PUBLISH <-, PUBREC ->, PUBREL <-, PUBCOMP ->";
        };
        const std::string pub_flow = flow_since(pub, pub_from);
        ctx.check(!done.error && pub_flow == expected(level, true), part + ", publisher's side",
                  expected(level, true), done.error ? pub.why(done.error) : pub_flow);
        const std::string sub_flow = flow_since(sub, sub_from);
        if (delivered < level) {
            ctx.skip(part + ", subscriber's side",
                     fmt::format("the broker granted the QoS 2 subscription QoS {}", granted));
        } else {
            ctx.check(got && sub_flow == expected(level, false), part + ", subscriber's side",
                      expected(level, false), sub_flow);
        }
        if (level == 2) {
            const bool arrived = sub1.messages.size() > sub1_messages;
            const int at = arrived ? int(sub1.messages.back().message.qos) : -1;
            ctx.check(at == 1, "QoS 2 to a QoS 1 subscription",
                      "delivered at QoS 1 (the lower of the two)",
                      arrived ? fmt::format("delivered at QoS {}", at) : "not delivered in 3 s");
        }
    }
}

asio::awaitable<void> retained_scenario(context& ctx) {
    scenario_client& pub = ctx.make_client("pub", ctx.plain());
    if (const std::error_code ec = co_await pub.connect()) {
        ctx.fail("connect", pub.why(ec));
        co_return;
    }
    if (!pub.connack().limits.retain_available) {
        ctx.skip("retained messages", "the broker's CONNACK says Retain Available 0");
        co_return;
    }
    const std::string topic = ctx.topic("temperature");
    ctx.step(
        "pub publishes 21.5 with RETAIN before anyone subscribed (and a Message Expiry of "
        "300 s, so a run cut short leaves nothing behind for long)");
    session::message m;
    m.topic = topic;
    m.payload = to_bytes("21.5");
    m.qos = qos::at_least_once;
    m.retain = true;
    m.props.message_expiry_interval = 300;
    session::publish_completed done = co_await pub.publish(m);
    if (is(done.error, reason_code::retain_not_supported)) {
        ctx.skip("retained messages",
                 "the broker refused a retained PUBLISH in practice (" + pub.why(done.error) + ")");
        co_return;
    }
    if (done.error) {
        ctx.fail("retained publish", pub.why(done.error));
        co_return;
    }

    ctx.step(
        "late-sub subscribes afterwards: the broker sends it the retained message, RETAIN "
        "set");
    scenario_client& late = ctx.make_client("late-sub", ctx.plain());
    co_await late.connect();
    if (!ctx.subscribed(late, co_await late.subscribe(topic, qos::at_least_once),
                        "a late subscriber"))
        co_return;
    co_await ctx.wait_until([&] { return !late.messages.empty(); }, 2s);
    const bool kept = !late.messages.empty() && late.messages.front().message.retain &&
                      to_text(late.messages.front().message.payload) == "21.5";
    ctx.check(kept, "a late subscriber gets the retained message", "PUBLISH retain=1 \"21.5\"",
              late.messages.empty() ? "no PUBLISH in 2 s"
                                    : fmt::format("PUBLISH retain={} \"{}\"",
                                                  late.messages.front().message.retain ? 1 : 0,
                                                  to_text(late.messages.front().message.payload)));

    ctx.step("pub publishes an empty retained message: that clears what the broker kept");
    m.payload.clear();
    m.props.message_expiry_interval.reset();
    done = co_await pub.publish(m);
    ctx.step("third-sub subscribes: nothing is retained any more, so nothing arrives");
    scenario_client& third = ctx.make_client("third-sub", ctx.plain());
    const std::error_code third_ec = co_await third.connect();
    const std::size_t from = third.packets().size();
    const auto sub3 = co_await third.subscribe(topic, qos::at_least_once);
    co_await ctx.wait_until([&] { return !third.messages.empty(); }, 500ms);
    const bool acked = !third_ec && !sub3.error && !sub3.reason_codes.empty() &&
                       to_byte(sub3.reason_codes.front()) < 0x80;
    ctx.check(kept && !done.error && acked && third.messages.empty(),
              "an empty retained message clears it",
              "SUBSCRIBE ->, SUBACK <- and no PUBLISH "
              "within 0.5 s",
              flow_since(third, from));
}

}  // namespace mqtt::scenario
