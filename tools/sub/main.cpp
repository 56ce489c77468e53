// mqtt-sub: subscribes and prints MQTT v5 messages, with mosquitto_sub's flags and output
// formats, and shows every packet with -d. See tools/README.md.
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <iostream>

#include <fmt/format.h>

#include "protocol/reason_format.hpp"
#include "protocol/topic.hpp"
#include "tools/common/client_cli.hpp"
#include "tools/common/message_format.hpp"

namespace {

using namespace mqtt;
using namespace mqtt::tools;

struct sub_settings {
    std::vector<std::string> topics;       // -t
    std::vector<std::string> filter_out;   // -T
    std::vector<std::string> unsubscribe;  // -U
    int qos = 0;
    std::uint64_t count = 0;            // -C: exit after N messages
    bool exit_after_subscribe = false;  // -E
    std::optional<double> timeout;      // -W seconds
    bool no_retained = false;           // -R
    bool retained_only = false;         // --retained-only
    bool remove_retained = false;       // --remove-retained
    bool no_local = false, retain_as_published = false;
    int retain_handling = 0;
    message_output output;
};

bool filtered_out(const sub_settings& s, const std::string& topic) {
    for (const std::string& f : s.filter_out) {
        if (topic_matches(f, topic)) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Subscribes to MQTT v5 topics and prints the messages; -d shows every packet.",
                 "mqtt-sub"};
    app.set_version_flag("--version", "mqtt-sub " MQTT_VERSION);
    common_settings common;
    sub_settings s;
    add_common_flags(app, common, tool_kind::sub);
    app.add_option("-t,--topic", s.topics, "Topic filter to subscribe to (repeatable)")
        ->group("Subscription");
    app.add_option("-T,--filter-out", s.filter_out,
                   "Do not print messages whose topic matches this filter (repeatable)")
        ->group("Subscription");
    app.add_option("-U,--unsubscribe", s.unsubscribe,
                   "Unsubscribe from this filter after subscribing (repeatable)")
        ->group("Subscription");
    app.add_option("-q,--qos", s.qos, "Maximum QoS of the subscriptions (default 0)")
        ->group("Subscription");
    app.add_flag("--nl,--no-local", s.no_local, "No Local: not our own messages")
        ->group("Subscription");
    app.add_flag("--rap,--retain-as-published", s.retain_as_published,
                 "Retain As Published: keep the publisher's retain flag")
        ->group("Subscription");
    app.add_option("--rh,--retain-handling", s.retain_handling,
                   "0: send retained messages, 1: only for a new subscription, 2: never")
        ->check(CLI::Range(0, 2))
        ->group("Subscription");
    app.add_option("-C,--count", s.count, "Exit after N messages")
        ->check(positive_number())
        ->group("Behaviour");
    app.add_flag("-E,--exit-after-subscribe", s.exit_after_subscribe,
                 "Exit once the subscriptions are acknowledged")
        ->group("Behaviour");
    app.add_option("-W,--timeout", s.timeout, "Give up after N seconds (exit 1)")
        ->check(positive_number(max_seconds))
        ->group("Behaviour");
    auto* no_retained =
        app.add_flag("-R,--no-retained", s.no_retained, "Do not print retained (stale) messages")
            ->group("Behaviour");
    app.add_flag("--retained-only", s.retained_only,
                 "Print only retained messages; exit at the first message that is not")
        ->excludes(no_retained)
        ->group("Behaviour");
    app.add_flag("--remove-retained", s.remove_retained,
                 "Clear each retained message received (publish an empty retained message)")
        ->group("Behaviour");
    add_output_flags(app, s.output);

    return parse_and_run(app, argc, argv, [&]() -> int {
        prepared_settings p = prepare(common, tool_kind::sub);
        refuse_with_v311(p, s.no_local, "--nl");
        refuse_with_v311(p, s.retain_as_published, "--rap");
        refuse_with_v311(p, s.retain_handling != 0, "--rh");
        if (s.topics.empty() && p.url_topic) s.topics.push_back(*p.url_topic);
        if (s.topics.empty()) throw usage_error("a topic filter is needed: -t FILTER");
        for (const std::string& f : s.topics)
            check_topic_filter(f, "-t");
        for (const std::string& f : s.filter_out)
            check_topic_filter(f, "-T");
        for (const std::string& f : s.unsubscribe)
            check_topic_filter(f, "-U");
        std::vector<session::subscription_request> subs;
        for (const std::string& topic : s.topics) {
            session::subscription_request r;
            if (s.no_local && parse_shared(topic)) {
                throw usage_error(
                    fmt::format("--nl with -t \"{}\": No Local is not allowed on a Shared "
                                "Subscription (MQTT-3.8.3-4)",
                                topic));
            }
            r.topic_filter = topic;
            r.max_qos = parse_qos(s.qos, "-q");
            r.no_local = s.no_local;
            r.retain_as_published = s.retain_as_published;
            r.retain_handling = mqtt::retain_handling(s.retain_handling);
            subs.push_back(std::move(r));
        }
        const session::subscribe_options sub_options = p.props.subscribe;
        const session::user_property_list unsub_props = p.props.unsubscribe;

        if (s.timeout) limit_connect_time(p, from_seconds(*s.timeout));
        tool_client t("mqtt-sub", std::move(p));
        run_end end(t.io(), s.timeout);
        std::uint64_t received = 0;

        t.get().set_message_handler([&](const session::message_received& r) {
            if (end.done()) return;
            const session::message& m = r.message;
            if (s.remove_retained && m.retain) {
                session::message clear;
                clear.topic = m.topic;
                clear.retain = true;
                t.get().async_publish(std::move(clear),
                                      [](std::error_code, const session::publish_completed&) {});
            }
            if (s.retained_only && !m.retain) {
                end.finish();
                return;
            }
            if ((s.no_retained && m.retain) || filtered_out(s, m.topic)) return;
            std::cout << format_message(s.output, r, std::chrono::system_clock::now())
                      << std::flush;
            ++received;
            if (s.count > 0 && received >= s.count) end.finish();
        });
        return t.run([&]() -> asio::awaitable<void> {
            // A client that stopped by itself (the server broke the protocol, ...) ends the run.
            if (!co_await t.connect([&] { end.finish(); })) co_return;
            end.catch_signals();
            std::error_code ec;
            const auto subscribed = co_await t.get().async_subscribe(
                subs, sub_options, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                t.fail_operation("subscribe", ec);
                co_await t.disconnect();
                co_return;
            }
            std::size_t refused = 0;
            for (std::size_t i = 0; i < subscribed.reason_codes.size() && i < subs.size(); ++i) {
                const reason_code rc = subscribed.reason_codes[i];
                if (to_byte(rc) < 0x80) continue;
                ++refused;
                std::cerr << fmt::format("mqtt-sub: subscription to \"{}\" refused: {}\n",
                                         subs[i].topic_filter,
                                         named_reason{rc, packet_type::suback});
            }
            if (refused == subs.size()) {
                t.fail("every subscription was refused");
                co_await t.disconnect();
                co_return;
            }
            if (!s.unsubscribe.empty()) {
                co_await t.get().async_unsubscribe(s.unsubscribe, unsub_props,
                                                   asio::redirect_error(asio::use_awaitable, ec));
                if (ec) t.fail_operation("unsubscribe", ec);
            }
            if (s.exit_after_subscribe)
                end.stop();
            else
                co_await end.wait();
            if (end.timed_out()) {
                t.fail(fmt::format("timed out after {} s ({} messages received)", *s.timeout,
                                   received));
            }
            co_await t.disconnect(reason_code::success,
                                  s.exit_after_subscribe || (s.count > 0 && received >= s.count));
        });
    });
}
