// mqtt-rr: MQTT v5 request/response (spec 4.10) with mosquitto_rr's flags. The requester is the
// client's async_request(): it subscribes to the response topic (-e, or one made up under the
// server's Response Information), publishes the request with a Response Topic and Correlation
// Data, prints the response and exits. With --responder it is the other side: it answers every
// request on -t with -m (or the request's own payload with --echo), to the request's Response Topic
// with its Correlation Data, and prints each request as mqtt-sub would.
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <functional>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "tools/common/client_cli.hpp"
#include "tools/common/message_format.hpp"

namespace {

using namespace mqtt;
using namespace mqtt::tools;

struct rr_settings {
    std::string topic;           // -t: where requests go
    std::string response_topic;  // -e
    std::optional<std::string> message;
    std::string file;
    bool null_message = false, stdin_whole = false;
    int qos = 0;
    bool retain = false;
    std::optional<double> timeout;  // -W
    bool responder = false;
    bool echo = false;
    std::uint64_t count = 0;  // --responder: exit after N requests; requester: N exchanges
    message_output output;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "MQTT v5 request/response: sends a request and prints the response, or answers "
        "requests with --responder; -d shows every packet.",
        "mqtt-rr"};
    app.set_version_flag("--version", "mqtt-rr " MQTT_VERSION);
    common_settings common;
    rr_settings s;
    add_common_flags(app, common, tool_kind::rr);
    app.add_option("-t,--topic", s.topic, "Request topic")->group("Request");
    app.add_option("-e,--response-topic", s.response_topic,
                   "Response topic (default: made up under the server's Response Information)")
        ->group("Request");
    auto* m = app.add_option("-m,--message", s.message, "Request payload")->group("Request");
    auto* f =
        app.add_option("-f,--file", s.file, "Send the whole file as the payload")->group("Request");
    auto* n = app.add_flag("-n,--null-message", s.null_message, "Send an empty payload")
                  ->group("Request");
    auto* w = app.add_flag("-s,--stdin-file", s.stdin_whole, "Send all of stdin as the payload")
                  ->group("Request");
    m->excludes(f)->excludes(n)->excludes(w);
    f->excludes(n)->excludes(w);
    n->excludes(w);
    app.add_option("-q,--qos", s.qos, "QoS of the request and the response subscription")
        ->group("Request");
    app.add_flag("-r,--retain", s.retain, "Retain the request")->group("Request");
    app.add_option("-W,--timeout", s.timeout, "Give up after N seconds (exit 1)")
        ->check(positive_number(max_seconds))
        ->group("Request");
    app.add_flag("--responder", s.responder,
                 "Answer requests on -t with -m (or --echo) instead of sending one")
        ->group("Responder");
    app.add_flag("--echo", s.echo, "--responder: answer with the request's payload")
        ->group("Responder");
    app.add_option("-C,--count", s.count,
                   "Requester: send N requests, one after another's response; --responder: exit "
                   "after answering N requests")
        ->check(positive_number())
        ->group("Responder");
    bool no_retained = false;  // what the requester always does
    app.add_flag("-R,--no-retained", no_retained,
                 "As mosquitto_rr: a retained message is never taken as the response (always so)")
        ->group("Request");
    add_output_flags(app, s.output);

    return parse_and_run(app, argc, argv, [&]() -> int {
        prepared_settings p = prepare(common, tool_kind::rr);
        if (s.topic.empty() && p.url_topic) s.topic = *p.url_topic;
        if (s.topic.empty()) throw usage_error("a topic is needed: -t TOPIC");
        // The responder subscribes to -t, so it may be a filter; a requester publishes to it.
        if (s.responder)
            check_topic_filter(s.topic, "-t");
        else
            check_topic_name(s.topic, "-t");
        if (!s.response_topic.empty()) check_topic_name(s.response_topic, "-e");
        const mqtt::qos qos = parse_qos(s.qos, "-q");
        if (s.responder && !s.message && !s.echo && s.file.empty() && !s.null_message)
            throw usage_error("--responder needs the answer: -m, -f, -n or --echo");
        if (!s.responder && !s.message && s.file.empty() && !s.null_message && !s.stdin_whole)
            throw usage_error("a request payload is needed: -m, -f, -n or -s");
        session::byte_vector payload;
        if (s.message) payload.assign(s.message->begin(), s.message->end());
        if (!s.file.empty()) payload = read_payload_file(s.file);
        if (s.stdin_whole)
            payload.assign(std::istreambuf_iterator<char>(std::cin),
                           std::istreambuf_iterator<char>());
        const session::message_properties publish_props = p.props.publish;
        if (!s.responder) {
            // The client's request/response (spec 4.10): it subscribes the response topic (-e,
            // or one under the server's Response Information) once, and adds Response Topic and
            // Correlation Data (-D publish correlation-data, or random) to the request.
            p.options.mqtt.request_response_information = true;
            p.options.response_topic = s.response_topic;
            p.options.response_qos = qos;
        }

        if (s.timeout) limit_connect_time(p, from_seconds(*s.timeout));
        tool_client t("mqtt-rr", std::move(p));
        run_end end(t.io(), s.timeout);  // -W: the whole run, connecting included
        std::uint64_t handled = 0;
        const std::uint64_t wanted = s.count > 0 ? s.count : (s.responder ? 0 : 1);
        const auto print = [&](const session::message_received& r) {
            std::cout << format_message(s.output, r, std::chrono::system_clock::now())
                      << std::flush;
            if (wanted > 0 && ++handled >= wanted) end.finish();
        };

        if (s.responder) {
            t.get().set_message_handler([&](const session::message_received& r) {
                if (end.done()) return;
                const session::message& req = r.message;
                if (!req.props.response_topic) {
                    t.note("request on \"" + req.topic + "\" has no Response Topic: ignored");
                    return;
                }
                session::message answer;
                answer.qos = qos;
                answer.payload = s.echo ? req.payload : payload;
                answer.props = publish_props;
                t.get().async_reply(req, std::move(answer),
                                    [](std::error_code, const session::publish_completed&) {});
                print(r);
            });
        }
        // The requester: one request at a time, -C N of them, each answered before the next.
        session::message request;
        request.topic = s.topic;
        request.payload = payload;
        request.qos = qos;
        request.retain = s.retain;
        request.props = publish_props;
        // -W bounds the run (run_end); without it, a request waits as long as the run does.
        const std::chrono::milliseconds patience = from_seconds(s.timeout.value_or(max_seconds));
        std::function<void()> send_request = [&] {
            t.get().async_request(
                request, patience,
                [&](std::error_code ec, const session::message_received& response) {
                    if (end.done()) return;
                    if (ec) {
                        t.fail_operation("request", ec);
                        end.finish();
                        return;
                    }
                    print(response);
                    if (!end.done()) send_request();
                });
        };

        return t.run([&]() -> asio::awaitable<void> {
            if (!co_await t.connect([&] { end.finish(); })) co_return;
            end.catch_signals();
            if (s.responder) {
                session::subscription_request sub;
                sub.topic_filter = s.topic;
                sub.max_qos = qos;
                std::vector<session::subscription_request> subs{sub};
                const session::subscribe_options none;
                std::error_code ec;
                const auto granted = co_await t.get().async_subscribe(
                    subs, none, asio::redirect_error(asio::use_awaitable, ec));
                if (!ec && granted.reason_codes.empty()) ec = client::errc::connection_closed;
                if (!ec && is_failure(granted.reason_codes.front()))
                    ec = client::make_error_code(granted.reason_codes.front());
                if (ec) {
                    t.fail_operation(fmt::format("the subscription to \"{}\"", s.topic), ec);
                    co_await t.disconnect();
                    co_return;
                }
            } else {
                send_request();
            }
            co_await end.wait();
            if (end.timed_out()) {
                t.fail(fmt::format("timed out after {} s waiting for {}", *s.timeout,
                                   s.responder ? "requests" : "the response"));
            }
            co_await t.disconnect(reason_code::success, wanted > 0 && handled >= wanted);
        });
    });
}
