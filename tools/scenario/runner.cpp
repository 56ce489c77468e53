#include "tools/scenario/runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <streambuf>

#include <fmt/format.h>

#include "tools/common/capture_reader.hpp"
#include "tools/common/flow_compare.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/local/mosquitto.hpp"
#include "tools/scenario/report.hpp"
#include "transport/url.hpp"

namespace mqtt::scenario {

namespace {

namespace fs = std::filesystem;

// Writes to two stream buffers (either may be null): a scenario's output to the console and
// into the report.
class tee_buf : public std::streambuf {
  public:
    tee_buf(std::streambuf* a, std::streambuf* b) : a_(a), b_(b) {}

  protected:
    int overflow(int c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        if (a_) a_->sputc(char(c));
        if (b_) b_->sputc(char(c));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        if (a_) a_->sputn(s, n);
        if (b_) b_->sputn(s, n);
        return n;
    }
    int sync() override { return a_ ? a_->pubsync() : 0; }

  private:
    std::streambuf* a_;
    std::streambuf* b_;
};

// The local broker's accounts (tools/local/mosquitto.hpp makes them).
constexpr const char* local_user = "alice";
constexpr const char* local_password = "alice-secret";

// Where a TCP proxy may forward to: the host's IPv4 address, for plain MQTT only.
std::optional<asio::ip::address_v4> ipv4_of(const std::string& host) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    std::error_code ec;
    const auto results = resolver.resolve(asio::ip::tcp::v4(), host, "", ec);
    if (ec || results.empty()) return std::nullopt;
    return results.begin()->endpoint().address().to_v4();
}

broker_target remote_target(const run_options& o) {
    broker_target t;
    t.local = false;
    std::string error;
    const auto url = transport::parse_url(o.broker_url, error);
    if (!url) throw std::runtime_error("--broker " + o.broker_url + ": " + error);
    t.description = transport::to_url(url->endpoint);  // without credentials
    t.plain_url = o.broker_url;
    t.tls.ca_file = o.cafile;
    t.tls.cert_file = o.cert;
    t.tls.key_file = o.key;
    t.tls.insecure = o.insecure;
    if (url->endpoint.tls) t.tls_url = o.broker_url;
    if (!o.broker_tls_url.empty()) {
        if (!transport::parse_url(o.broker_tls_url, error))
            throw std::runtime_error("--broker-tls " + o.broker_tls_url + ": " + error);
        t.tls_url = o.broker_tls_url;
    }
    const auto username = o.username ? o.username : url->username;
    const auto password = o.password ? o.password : url->password;
    t.client_username = username;
    t.client_password = password;
    if (username) {
        t.auth_url = o.broker_url;
        t.username = username;
        t.password = password;
    }
    if (!url->endpoint.tls) {
        if (const auto v4 = ipv4_of(url->endpoint.host)) {
            t.proxy_host = v4->to_string();
            t.proxy_port = url->endpoint.port;
        }
    }
    return t;
}

// "Mosquitto 2.0.11", from `mosquitto -h`'s first line ("mosquitto version 2.0.11").
std::string mosquitto_version() {
    std::string version = "Mosquitto";
    if (FILE* p = ::popen("mosquitto -h 2>/dev/null", "r")) {
        char line[256] = {};
        if (std::fgets(line, sizeof line, p) != nullptr) {
            const std::string text = line;
            const auto at = text.find("version ");
            if (at != std::string::npos)
                version += " " + text.substr(at + 8, text.find_first_of(" \n", at + 8) - at - 8);
        }
        ::pclose(p);
    }
    return version;
}

broker_target local_target(const local::mosquitto_broker& b) {
    broker_target t;
    t.local = true;
    t.description = fmt::format("a local {} started by mqtt-scenario (pid {}, files in {})",
                                mosquitto_version(), b.pid(), b.files().dir.string());
    t.plain_url = fmt::format("mqtt://127.0.0.1:{}", b.plain_port);
    t.tls_url = fmt::format("mqtts://127.0.0.1:{}", b.tls_port);
    t.tls.ca_file = b.files().ca_cert.string();
    t.untrusted_ca = b.files().other_ca_cert.string();
    t.auth_url = fmt::format("mqtt://127.0.0.1:{}", b.auth_port);
    t.username = local_user;
    t.password = local_password;
    t.proxy_host = "127.0.0.1";
    t.proxy_port = b.plain_port;
    return t;
}

const scenario& find_scenario(const std::string& name) {
    for (const scenario& s : all_scenarios())
        if (name == s.name) return s;
    throw std::invalid_argument("no scenario named " + name);
}

struct palette {
    const char *pass = "", *fail = "", *skip = "", *bold = "", *reset = "";
};

palette colours(bool on) {
    if (!on) return {};
    return {"\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"};
}

const char* colour_of(const palette& c, outcome o) {
    return o == outcome::pass ? c.pass : o == outcome::fail ? c.fail : c.skip;
}

// The flow of this run against the reference capture, as a part of the scenario.
void compare_with_reference(const scenario& s, const run_options& o, const fs::path& capture,
                            std::vector<part_result>& parts) {
    const fs::path reference = *o.compare_dir / (std::string(s.name) + ".pcap");
    const std::string part = "the flow matches " + reference.string();
    if (!fs::exists(reference)) {
        parts.push_back({part, outcome::fail,
                         "no such file (mqtt-scenario --update-captures writes the references)"});
        return;
    }
    tools::flow_normalisation n;
    n.replacements = {{o.settings.prefix, "<prefix>"},
                      {reference_prefix, "<prefix>"},
                      {o.settings.token, "<run>"},
                      {reference_token, "<run>"}};
    n.ignored_fields = s.ignored_fields;
    try {
        const auto a = tools::read_capture_contents(capture.string());
        const auto b = tools::read_capture_contents(reference.string());
        if (const auto diff = tools::compare_flows(a, b, n, "this run", "reference")) {
            parts.push_back({part, outcome::fail, "the first difference:\n" + *diff});
        } else {
            parts.push_back({part, outcome::pass,
                             "the same flow (times, ports, ids and the prefix "
                             "aside)"});
        }
    } catch (const std::exception& e) {
        parts.push_back({part, outcome::fail, e.what()});
    }
}

tools::json result_json(const scenario_result& r) {
    tools::json j = tools::json::object();
    j["scenario"] = r.name;
    j["result"] = to_string(r.result);
    j["seconds"] = r.seconds;
    j["capture"] = r.capture;
    tools::json parts = tools::json::array();
    for (const part_result& p : r.parts)
        parts.push_back({{"part", p.part}, {"result", to_string(p.result)}, {"detail", p.detail}});
    j["parts"] = parts;
    return j;
}

tools::json connack_json(const session::connected& ack) {
    const session::server_limits& l = ack.limits;
    tools::json j = tools::json::object();
    j["receive_maximum"] = l.receive_maximum;
    j["maximum_qos"] = l.maximum_qos;
    j["retain_available"] = l.retain_available;
    j["maximum_packet_size"] = l.maximum_packet_size;
    j["topic_alias_maximum"] = l.topic_alias_maximum;
    j["wildcard_subscription_available"] = l.wildcard_subscription_available;
    j["shared_subscription_available"] = l.shared_subscription_available;
    j["subscription_identifier_available"] = l.subscription_identifier_available;
    if (l.server_keep_alive) j["server_keep_alive"] = *l.server_keep_alive;
    return j;
}

}  // namespace

outcome verdict(const std::vector<part_result>& parts) {
    bool passed = false;
    for (const part_result& p : parts) {
        if (p.result == outcome::fail) return outcome::fail;
        if (p.result == outcome::pass) passed = true;
    }
    return passed ? outcome::pass : outcome::skip;
}

int run(const run_options& o) {
    std::vector<const scenario*> chosen;
    for (const std::string& name : o.names)
        chosen.push_back(&find_scenario(name));

    // Human output on stdout, or on stderr when stdout carries JSON lines.
    std::ostream& out = o.json ? std::cerr : std::cout;
    const palette c = colours(o.settings.colour);
    asio::io_context io{1};  // run by this thread alone: the clients need no strand

    // Ctrl-C or SIGTERM: stop the broker, remove its files, leave. Caught before the broker
    // starts, so a signal during its start is handled as soon as the run begins.
    std::unique_ptr<local::mosquitto_broker> broker;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code ec, int number) {
        if (ec) return;
        out << fmt::format("\nmqtt-scenario: {}: stopping\n",
                           number == SIGINT ? "interrupted" : "terminated");
        out.flush();
        broker.reset();
        // End as the signal would have ended us, so a shell script running us stops too.
        std::signal(number, SIG_DFL);
        std::raise(number);
    });

    broker_target target;
    if (o.broker_url.empty()) {
        local::mosquitto_options mo;
        mo.directory_prefix = "/tmp/mqtt-scenario-";
        broker = std::make_unique<local::mosquitto_broker>(mo);
        target = local_target(*broker);
    } else {
        target = remote_target(o);
    }
    if (!o.quiet) out << fmt::format("broker: {}\n", target.description);
    fs::create_directories(o.capture_dir);

    std::vector<scenario_result> results;
    std::optional<session::connected> announced;
    std::string unreachable;
    run_settings settings = o.settings;
    // --quiet shows no trace; the report still keeps each scenario's.
    if (o.quiet && !o.report_dir) settings.trace = tools::trace_mode::off;
    // Contexts, their clients and captures live until the io_context has stopped (a late
    // completion may still reach them).
    std::vector<std::unique_ptr<tools::pcap_writer>> captures;
    std::vector<std::unique_ptr<context>> contexts;
    // Each scenario's output: to the console (unless --quiet) and, for --report, kept.
    std::vector<std::unique_ptr<std::ostringstream>> kept;
    std::vector<std::unique_ptr<tee_buf>> tees;
    std::vector<std::unique_ptr<std::ostream>> outputs;

    auto body = [&]() -> asio::awaitable<void> {
        {  // What the broker announces, for the report (not traced, not captured).
            client::client_options po;
            po.url = target.plain_url;
            po.tls = target.tls;
            po.reconnect = false;
            po.connect_timeout = 5s;
            po.mqtt.client_id = "probe-" + settings.token;
            po.mqtt.username = target.client_username;
            if (target.client_password) po.mqtt.password = to_bytes(*target.client_password);
            client::client probe(io.get_executor(), po);
            std::error_code ec;
            const session::connected ack =
                co_await probe.async_connect(asio::redirect_error(asio::use_awaitable, ec));
            std::string why = ec.message();
            if (const std::string more = probe.last_error(); !more.empty() && more != why)
                why += " (" + more + ")";
            std::error_code ignored;
            co_await probe.async_disconnect({}, asio::redirect_error(asio::use_awaitable, ignored));
            if (ec) {
                // Nothing would work: say why once, instead of ten failures.
                unreachable = "cannot connect to " + target.description + ": " + why;
                io.stop();
                co_return;
            }
            announced = ack;
        }
        for (const scenario* s : chosen) {
            if (!o.quiet) {
                out << fmt::format("\n{}== {}: {}{}\n", c.bold, s->name, s->title, c.reset);
                out << s->explain << '\n';
            }
            const fs::path capture = o.capture_dir / (std::string(s->name) + ".pcap");
            captures.push_back(std::make_unique<tools::pcap_writer>(capture.string()));
            kept.push_back(std::make_unique<std::ostringstream>());
            tees.push_back(std::make_unique<tee_buf>(
                o.quiet ? nullptr : out.rdbuf(), o.report_dir ? kept.back()->rdbuf() : nullptr));
            outputs.push_back(std::make_unique<std::ostream>(tees.back().get()));
            contexts.push_back(std::make_unique<context>(io, settings, target, s->name,
                                                         *outputs.back(), captures.back().get()));
            context& ctx = *contexts.back();
            const auto start = clock::now();
            try {
                co_await s->run(ctx);
            } catch (const std::exception& e) {
                ctx.fail("the scenario", std::string("stopped: ") + e.what());
            }
            co_await ctx.finish();
            scenario_result r;
            r.name = s->name;
            r.parts = ctx.parts();
            r.seconds = std::chrono::duration<double>(clock::now() - start).count();
            r.capture = capture.string();
            if (const std::string error = captures.back()->error(); !error.empty())
                r.parts.push_back({"the capture", outcome::fail, error});
            if (o.compare_dir && o.not_comparable.empty()) {
                compare_with_reference(*s, o, capture, r.parts);
            } else if (o.compare_dir && !o.quiet) {
                out << fmt::format("not compared with {}: {}\n", o.compare_dir->string(),
                                   o.not_comparable);
            }
            if (o.update_dir) {
                fs::create_directories(*o.update_dir);
                fs::copy_file(capture, *o.update_dir / capture.filename(),
                              fs::copy_options::overwrite_existing);
            }
            r.result = verdict(r.parts);
            std::string why;
            for (const part_result& p : r.parts) {
                if (p.result == outcome::fail) why += fmt::format("\n  {}: {}", p.part, p.detail);
                if (p.result == outcome::skip)
                    why += fmt::format("\n  skipped {}: {}", p.part, p.detail);
            }
            out << fmt::format("{}{}{} {} ({:.2f} s){}\n", colour_of(c, r.result),
                               to_string(r.result), c.reset, r.name, r.seconds, why);
            if (o.json) std::cout << result_json(r).dump() << '\n' << std::flush;
            results.push_back(std::move(r));
        }
        io.stop();
    };
    std::exception_ptr failure;
    asio::co_spawn(io, body, [&](std::exception_ptr e) {
        failure = e;
        io.stop();
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    if (!unreachable.empty()) throw std::runtime_error(unreachable);

    // The summary table and the broker's feature report.
    std::size_t counts[3] = {0, 0, 0};
    out << fmt::format("\n{}{:<18} {:<6} {:>7}  {}{}\n", c.bold, "scenario", "result", "time",
                       "checks", c.reset);
    for (const scenario_result& r : results) {
        ++counts[int(r.result)];
        std::size_t n[3] = {0, 0, 0};
        for (const part_result& p : r.parts)
            ++n[int(p.result)];
        out << fmt::format("{:<18} {}{:<6}{} {:>6.2f}s  {} passed, {} failed, {} skipped\n", r.name,
                           colour_of(c, r.result), to_string(r.result), c.reset, r.seconds, n[0],
                           n[1], n[2]);
    }
    out << fmt::format("\nbroker: {}\n", target.description);
    if (announced) {
        out << "its CONNACK announced:\n";
        for (const std::string& line : capabilities(*announced))
            out << "  " << line << '\n';
    }
    out << fmt::format("{} passed, {} failed, {} skipped; captures in {}\n", counts[0], counts[1],
                       counts[2], o.capture_dir.string());
    if (o.report_dir) {
        report_header h;
        h.broker = target.description;
        if (announced) h.capabilities = capabilities(*announced);
        h.prefix = settings.prefix;
        std::vector<report_entry> entries;
        for (std::size_t i = 0; i < results.size(); ++i)
            entries.push_back({chosen[i], results[i], without_colours(kept[i]->str())});
        write_report(*o.report_dir, h, entries);
        out << fmt::format("report: {}\n", (*o.report_dir / "index.html").string());
    }
    if (o.json) {
        tools::json j = tools::json::object();
        j["broker"] = target.description;
        if (announced) j["connack"] = connack_json(*announced);
        tools::json per = tools::json::object();
        for (const scenario_result& r : results)
            per[r.name] = to_string(r.result);
        j["scenarios"] = per;
        j["passed"] = counts[0];
        j["failed"] = counts[1];
        j["skipped"] = counts[2];
        std::cout << j.dump() << '\n' << std::flush;
    }
    contexts.clear();
    captures.clear();
    return counts[int(outcome::fail)] == 0 ? 0 : 1;
}

}  // namespace mqtt::scenario
