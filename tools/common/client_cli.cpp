#include "tools/common/client_cli.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "protocol/property.hpp"
#include "protocol/topic.hpp"
#include "tools/common/properties_cli.hpp"
#include "transport/url.hpp"

namespace mqtt::tools {

namespace {

// -x: seconds, or -1 / 4294967295 / ∞ for a session that never expires.
std::uint32_t parse_session_expiry(const std::string& text) {
    if (text == "-1" || text == "∞") return 0xFFFFFFFF;
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw usage_error("-x " + text + ": expected seconds 0..4294967295, or -1 for never");
    return value;
}

// Where -c keeps a session between runs: one file store per broker and client id.
std::filesystem::path session_directory(const common_settings& s, const std::string& host,
                                        std::uint16_t port, const std::string& client_id) {
    std::filesystem::path base;
    if (!s.session_dir.empty()) {
        base = s.session_dir;
    } else if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) {
        base = std::filesystem::path(state) / "mqtt5" / "sessions";
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = std::filesystem::path(home) / ".local" / "state" / "mqtt5" / "sessions";
    } else {
        base = std::filesystem::temp_directory_path() / "mqtt5-sessions";
    }
    // One file name: keep [A-Za-z0-9._-] of the host and the client id, escape the rest (a
    // '/' in either must not lead out of the directory).
    const auto escaped = [](std::string_view text) {
        std::string out;
        for (const char c : text) {
            const auto u = static_cast<unsigned char>(c);
            if (std::isalnum(u) || c == '.' || c == '-' || c == '_') {
                out += c;
            } else {
                out += fmt::format("%{:02X}", u);
            }
        }
        return out;
    };
    return base / fmt::format("{}_{}_{}", escaped(host), port, escaped(client_id));
}

}  // namespace

mqtt::qos parse_qos(int value, const char* flag) {
    if (value < 0 || value > 2)
        throw usage_error(fmt::format("{} {}: QoS must be 0, 1 or 2", flag, value));
    return mqtt::qos(value);
}

session::byte_vector read_payload_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::runtime_error("-f " + path + ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("-f " + path + ": cannot read it: " + std::strerror(errno));
    session::byte_vector bytes{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
    if (in.bad()) throw std::runtime_error("-f " + path + ": read failed");
    return bytes;
}

void check_topic_name(std::string_view topic, std::string_view flag) {
    if (const char* problem = topic_name_problem(topic))
        throw usage_error(fmt::format("{} \"{}\": {}", flag, topic, problem));
}

void check_topic_filter(std::string_view filter, std::string_view flag) {
    if (const char* problem = topic_filter_problem(filter))
        throw usage_error(fmt::format("{} \"{}\": {}", flag, filter, problem));
}

namespace {

CLI::Validator number_check(bool zero_allowed, double most) {
    return CLI::Validator(
        [zero_allowed, most](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0 ||
                (v == 0 && !zero_allowed))
                return fmt::format("{} is not a number {}", text,
                                   zero_allowed ? "from 0 up" : "greater than 0");
            if (v > most) return fmt::format("{} is too large (at most {})", text, most);
            return {};
        },
        zero_allowed ? "NUMBER>=0" : "NUMBER>0");
}

}  // namespace

CLI::Validator positive_number(double most) {
    return number_check(false, most);
}

CLI::Validator non_negative_number(double most) {
    return number_check(true, most);
}

void add_common_flags(CLI::App& app, common_settings& s, tool_kind kind) {
    app.set_help_flag("--help", "Print this help and exit");
    // As mosquitto's tools: a flag given twice takes the last value (-p in an alias, then again);
    // repeatable flags (-t, -D, ...) collect every value whatever this says.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.get_formatter()->column_width(34);
    app.add_option("-h,--host", s.host, "Broker host (default localhost)")->group("Connection");
    app.add_option("-p,--port", s.port, "Broker port (default 1883, or 8883 with TLS)")
        ->check(CLI::Range(1, 65535))
        ->group("Connection");
    app.add_option("-L,--url", s.url, "mqtt(s)://[user[:password]@]host[:port]/topic")
        ->group("Connection");
    app.add_option("-V,--protocol-version", s.protocol_version,
                   kind == tool_kind::pub || kind == tool_kind::sub
                       ? "MQTT version: 5 (also mqttv5, the default) or 311 (also mqttv311)"
                       : "MQTT version: 5 (also mqttv5), the only one")
        ->group("Connection");
    const bool bench = kind == tool_kind::bench;
    if (bench) {
        app.add_option("-I,--id-prefix", s.client_id_prefix,
                       "Client identifiers: PREFIX + role + index (default mqtt-bench-PID-)")
            ->group("Connection");
    } else {
        auto* id = app.add_option("-i,--id", s.client_id,
                                  "Client identifier (default: the server assigns one)")
                       ->group("Connection");
        app.add_option("-I,--id-prefix", s.client_id_prefix,
                       "Client identifier: PREFIX + process id")
            ->excludes(id)
            ->group("Connection");
    }
    app.add_option("-k,--keepalive", s.keep_alive, "Keep-alive in seconds (default 60, 0: off)")
        ->group("Connection");
    app.add_option("-u,--username", s.username, "User name")->group("Connection");
    app.add_option("-P,--pw", s.password, "Password")->group("Connection");
    if (!bench) {
        app.add_flag("-c,--disable-clean-session", s.no_clean_start,
                     "Resume the session (Clean Start 0); needs -i; kept in --session-dir")
            ->group("Connection");
        app.add_option_function<std::string>(
               "-x,--session-expiry-interval",
               [&s](const std::string& v) { s.session_expiry = parse_session_expiry(v); },
               "Session Expiry Interval in seconds, -1 for never (default: -1 with -c, else 0)")
            ->group("Connection");
    }
    app.add_option("-M,--max-inflight", s.max_inflight,
                   "QoS 1/2 messages we keep in flight to the broker, at most (default 100; the "
                   "broker's Receive Maximum caps it). Ours for the broker: -D connect "
                   "receive-maximum N")
        ->check(CLI::Range(1, 65535))
        ->group("Connection");
    if (!bench) {
        app.add_option("--session-dir", s.session_dir,
                       "Directory for -c sessions (default ~/.local/state/mqtt5/sessions)")
            ->group("Connection");
    }
    if (kind != tool_kind::sub) {
        app.add_flag("--topic-alias", s.topic_aliases,
                     "Give topics aliases within the server's Topic Alias Maximum (the first "
                     "PUBLISH carries topic and alias, later ones only the alias)")
            ->group("Connection");
    }
    if (kind == tool_kind::sub) {
        app.add_flag("--reconnect-on-violation", s.reconnect_on_violation,
                     "Reconnect after the server broke the protocol (default: exit 1 saying what "
                     "it did wrong)")
            ->group("Connection");
    }
    app.add_option("--connect-timeout", s.connect_timeout,
                   "Seconds to reach the broker and get CONNACK (default 10)")
        ->check(positive_number(max_seconds))
        ->group("Connection");

    if (!bench) {
        app.add_option("--will-topic", s.will_topic, "Topic of the Will message")->group("Will");
        app.add_option("--will-payload", s.will_payload, "Payload of the Will message")
            ->group("Will");
        app.add_option("--will-qos", s.will_qos, "QoS of the Will message")->group("Will");
        app.add_flag("--will-retain", s.will_retain, "Retain the Will message")->group("Will");
    }

    app.add_option("--cafile", s.cafile, "Trusted CA certificates (PEM); turns TLS on")
        ->group("TLS");
    app.add_option("--capath", s.capath, "Directory of hashed CA certificates; turns TLS on")
        ->group("TLS");
    app.add_option("--cert", s.cert, "Client certificate (PEM) for mutual TLS")->group("TLS");
    app.add_option("--key", s.key, "Private key of --cert (PEM)")->group("TLS");
    app.add_flag("--insecure", s.insecure,
                 "Do not verify the server's certificate and host name (TLS on)")
        ->group("TLS");
    app.add_flag("--tls-use-os-certs", s.use_os_certs, "TLS, trusting the system's CAs")
        ->group("TLS");
    app.add_option("--tls-version", s.tls_version, "Lowest TLS version: tlsv1.3 or tlsv1.2")
        ->group("TLS");
    app.add_option("--tls-alpn", s.alpn, "ALPN protocol to offer (e.g. mqtt)")->group("TLS");
    app.add_option("--keylog", s.keylog,
                   "Write the TLS key log (NSS format) to FILE, for Wireshark to decrypt")
        ->group("TLS");

    app.add_option("-D,--property", s.properties,
                   "COMMAND IDENTIFIER VALUE [VALUE]: a property of connect, publish, subscribe, "
                   "unsubscribe, disconnect or will, e.g. -D publish message-expiry-interval 60")
        ->expected(3, 4)
        ->group("Properties");

    app.add_flag("-d,--debug", s.debug, "Trace every packet, one line each (on stderr)")
        ->group("Tracing");
    app.add_option("--trace", s.trace,
                   "Trace every packet: line (default), hex (with the layer-by-layer bytes) "
                   "or json")
        ->expected(0, 1)
        ->default_str("line")  // what a bare --trace means
        ->group("Tracing");
    app.add_option("--pcap", s.pcap, "Write the connection's packets to a pcap file")
        ->group("Tracing");
    app.add_flag("--quiet", s.quiet, "Print no error messages")->group("Tracing");
}

void add_output_flags(CLI::App& app, message_output& out) {
    app.add_option_function<std::string>(
           "-F,--format",
           [&out](const std::string& format) {
               if (auto error = check_message_format(format)) throw usage_error(*error);
               out.format = format;
           },
           "Output format (%t topic, %p payload, ...; tools/README.md lists them)")
        ->group("Output");
    app.add_flag("-v,--verbose", out.verbose, "Print the topic before the payload")
        ->group("Output");
    app.add_flag_callback(
           "-N,--no-eol", [&out] { out.end_of_line = false; }, "No newline after each message")
        ->group("Output");
}

std::optional<protocol_version> parse_client_protocol_version(std::string_view text) {
    if (text == "5" || text == "mqttv5") return protocol_version::v5;
    if (text == "311" || text == "mqttv311") return protocol_version::v311;
    return std::nullopt;
}

void refuse_with_v311(const prepared_settings& p, bool given, std::string_view flag) {
    if (given && p.options.mqtt.protocol_version == protocol_version::v311)
        throw usage_error(fmt::format("{} is MQTT 5 only: not with -V 311", flag));
}

prepared_settings prepare(const common_settings& s, tool_kind kind) {
    prepared_settings p;
    const std::optional<protocol_version> version =
        parse_client_protocol_version(s.protocol_version);
    if (!version) {
        throw usage_error(
            fmt::format("-V {}: expected 5 (mqttv5) or 311 (mqttv311); MQTT 3.1 is not supported",
                        s.protocol_version));
    }
    if (*version == protocol_version::v311 && kind == tool_kind::rr) {
        throw usage_error(
            "-V 311: mqtt-rr needs MQTT 5 (a request carries its Response Topic and Correlation "
            "Data), as mosquitto_rr does");
    }
    if (*version == protocol_version::v311 && kind == tool_kind::bench)
        throw usage_error("-V 311: mqtt-bench measures MQTT 5 only");
    const bool v311 = *version == protocol_version::v311;
    if (v311) {
        // What 3.1.1 has no field for, named by the flag that asks for it.
        if (!s.properties.empty()) {
            throw usage_error(fmt::format("-D {} {}: properties are MQTT 5 only: not with -V 311",
                                          s.properties.front().at(0), s.properties.front().at(1)));
        }
        if (s.session_expiry) {
            throw usage_error(
                "-x is MQTT 5 only: not with -V 311 (-c alone keeps the session: Clean Session 0)");
        }
        if (s.topic_aliases) throw usage_error("--topic-alias is MQTT 5 only: not with -V 311");
    }
    std::string host = s.host;
    // -h [::1] as well as -h ::1 (brackets are how an IPv6 address is written next to a port).
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::optional<std::uint16_t> port;
    if (s.port != 0) port = s.port;
    bool tls = !s.cafile.empty() || !s.capath.empty() || !s.cert.empty() || s.insecure ||
               s.use_os_certs || !s.tls_version.empty() || !s.alpn.empty();
    session::connect_options& c = p.options.mqtt;
    c.protocol_version = *version;
    if (!s.url.empty()) {
        // -L mqtt(s)://[username[:password]@]host[:port][/topic], as mosquitto_pub/sub take it,
        // read by the one URL parser the client uses too.
        std::string error;
        const std::optional<transport::broker_url> u = transport::parse_url(s.url, error);
        if (!u) throw usage_error(fmt::format("-L {}: {}", s.url, error));
        host = u->endpoint.host;
        if (u->port_given) port = u->endpoint.port;  // else -p, or the default for TLS or not
        tls = tls || u->endpoint.tls;
        if (u->username) c.username = *u->username;
        if (u->password)
            c.password = session::byte_vector(u->password->begin(), u->password->end());
        p.url_topic = u->path;
    }
    if (!s.keylog.empty() && !tls) {
        throw usage_error(
            "--keylog needs TLS: add --cafile, --capath, --insecure or --tls-use-os-certs, or "
            "use an mqtts:// URL");
    }
    const std::uint16_t real_port = port.value_or(tls ? 8883 : 1883);
    p.options.url = transport::to_url({host, real_port, tls});

    if (!s.username.empty()) c.username = s.username;
    // MQTT v5 allows a password without a user name (spec 3.1.2.9), e.g. for a token; 3.1.1 not.
    if (s.password) c.password = session::byte_vector(s.password->begin(), s.password->end());
    if (v311 && c.password && !c.username) {
        throw usage_error(
            "a Password (-P) needs a User Name (-u) with -V 311: MQTT 3.1.1 sends none without "
            "one (3.1.1 "
            "MQTT-3.1.2-22)");
    }
    c.client_id = s.client_id;
    if (c.client_id.empty() && !s.client_id_prefix.empty())
        c.client_id = s.client_id_prefix + std::to_string(::getpid());
    c.keep_alive = s.keep_alive;
    c.outbound_topic_aliases = s.topic_aliases;
    c.clean_start = !s.no_clean_start;
    if (s.no_clean_start && c.client_id.empty())
        throw usage_error("-c needs a client identifier (-i or -I): the session is found by it");
    // 3.1.1 keeps a session by Clean Session 0 alone, with no expiry (3.1.1 spec 3.1.2.4).
    c.session_expiry_interval =
        v311 ? 0 : s.session_expiry.value_or(s.no_clean_start ? 0xFFFFFFFF : 0);
    if (s.max_inflight) c.max_inflight = *s.max_inflight;
    const auto timeout = from_seconds(s.connect_timeout);
    p.options.connect_timeout = timeout;
    c.connack_timeout = timeout;
    p.options.reconnect = kind == tool_kind::sub;
    p.options.reconnect_on_violation = s.reconnect_on_violation;

    if (!s.will_topic.empty()) {
        check_topic_name(s.will_topic, "--will-topic");
        session::will_options w;
        w.message.topic = s.will_topic;
        w.message.payload.assign(s.will_payload.begin(), s.will_payload.end());
        w.message.qos = parse_qos(s.will_qos, "--will-qos");
        w.message.retain = s.will_retain;
        c.will = std::move(w);
    } else if (!s.will_payload.empty() || s.will_qos != 0 || s.will_retain) {
        throw usage_error("--will-payload, --will-qos and --will-retain need --will-topic");
    }

    transport::tls_options& t = p.options.tls;
    t.ca_file = s.cafile;
    t.ca_path = s.capath;
    t.cert_file = s.cert;
    t.key_file = s.key;
    t.insecure = s.insecure;
    t.alpn = s.alpn;
    t.keylog_file = s.keylog;
    if (s.cert.empty() != s.key.empty())
        throw usage_error("--cert and --key go together: a certificate needs its private key");
    if (s.tls_version == "tlsv1.3") {
        t.min_version = transport::tls_version::tls1_3;
    } else if (s.tls_version.empty() || s.tls_version == "tlsv1.2") {
        t.min_version = transport::tls_version::tls1_2;
    } else {
        throw usage_error("--tls-version " + s.tls_version +
                          ": expected tlsv1.3 or tlsv1.2 (older versions are not offered)");
    }

    for (const std::vector<std::string>& d : s.properties)
        apply_property_flag(d, p.options.mqtt, p.props);
    if (c.will && c.will->message.topic.empty())
        throw usage_error("-D will ... needs --will-topic: there is no Will without a topic");
    // Anything else 3.1.1 cannot carry, in the session's own words (flags were named above).
    if (const session::command_result bad = session::check_connect_options(c); v311 && !bad)
        throw usage_error("-V 311: " + bad.detail);
    // A DISCONNECT may not set a Session Expiry Interval when CONNECT's was 0 (spec 3.14.2.2.2);
    // the session would refuse to send it, and the broker would publish the Will.
    if (p.props.disconnect.session_expiry_interval.value_or(0) != 0 &&
        c.session_expiry_interval == 0) {
        throw usage_error(
            "-D disconnect session-expiry-interval needs a session that outlives the connection: "
            "add -x SECONDS or -c (spec 3.14.2.2.2)");
    }

    if (!s.trace.empty() || s.debug) {
        const auto mode = parse_trace_mode(s.trace);
        if (!mode) throw usage_error("--trace " + s.trace + ": expected line, hex or json");
        p.trace = *mode;
    }
    p.colour = use_colour(2);
    p.pcap = s.pcap;
    p.quiet = s.quiet;
    if (s.no_clean_start) p.session_dir = session_directory(s, host, real_port, c.client_id);
    return p;
}

// ---- tool_client ----

tool_client::tool_client(const char* tool_name, prepared_settings settings)
    : name_(tool_name), settings_(std::move(settings)) {
    const auto start = std::chrono::system_clock::now();
    client::client_options options = settings_.options;
    if (!settings_.session_dir.empty()) {
        store_ = std::make_unique<client::file_store>(settings_.session_dir);
        options.store = store_.get();
    }
    client_ = std::make_unique<client::client>(io_.get_executor(), std::move(options));
    if (settings_.trace != trace_mode::off) {
        trace_ = std::make_unique<trace_printer>(
            std::cerr, trace_options{settings_.trace, settings_.colour}, start);
        trace_->attach(client_->tap());
    }
    if (!settings_.pcap.empty()) {
        pcap_ = std::make_unique<pcap_writer>(settings_.pcap);
        pcap_->attach(client_->tap());
    }
}

tool_client::~tool_client() {
    // The tool's handlers capture its locals, declared after this object and gone by now.
    client_->set_message_handler(nullptr);
    client_->set_state_handler(nullptr);
    client_.reset();
    io_.restart();
    io_.poll();  // lets the client's strand finish closing
}

std::string tool_client::explain(std::error_code ec) const {
    std::string text = ec.message();
    const std::string why = client_->last_error();
    if (!why.empty() && why.find(text) == std::string::npos) text += " (" + why + ")";
    return text;
}

void tool_client::fail(const std::string& text) {
    exit_code_ = exit_failed;
    if (settings_.quiet) return;
    // A JSON trace stays JSON lines: the error is one more {"time", "event"} object in it.
    if (trace_ && settings_.trace == trace_mode::json)
        trace_->note(std::chrono::system_clock::now(), std::string(name_) + ": " + text);
    else
        std::cerr << name_ << ": " << text << '\n';
}

void tool_client::note(const std::string& text) {
    if (trace_) {
        trace_->note(std::chrono::system_clock::now(), text);
    } else if (!settings_.quiet) {
        std::cerr << name_ << ": " << text << '\n';
    }
}

asio::awaitable<bool> tool_client::connect(std::function<void()> on_end) {
    on_end_ = std::move(on_end);
    client_->set_state_handler(
        [this](client::connection_state state, std::error_code code, const std::string& why) {
            if (state == client::connection_state::disconnected) {
                ended_ = true;
                end_code_ = code;
                end_why_ = why;
            }
            if (leaving_) return;
            if (state == client::connection_state::waiting) {
                note("connection lost" + (why.empty() ? "" : ": " + why) + "; reconnecting");
            } else if (state == client::connection_state::disconnected && on_end_) {
                on_end_();
            }
        });
    std::error_code ec;
    const session::connected ack =
        co_await client_->async_connect(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
        connack_ = ack;
        co_return true;
    }
    if (ec == client::errc::protocol_violation) {
        fail_ended();  // "the server broke the protocol: CONNACK ...; sent DISCONNECT 0x81 ..."
    } else if (ec.category() == client::reason_category()) {
        // The client's words name the code the server sent: a 3.1.1 return code is held as the v5
        // reason of its meaning ("0x05 Not authorized", not "0x87 Not authorized").
        const std::string why = client_->last_error();
        fail(why.rfind("connection refused: ", 0) == 0 ? why
                                                       : "connection refused: " + explain(ec));
    } else if (ec == client::errc::transport_failed && !client_->last_error().empty()) {
        fail(client_->last_error());  // "cannot connect to 127.0.0.1:1883: Connection refused"
    } else {
        const std::string why = client_->last_error();
        fail("cannot connect to " + settings_.options.url + ": " +
             (why.empty() ? ec.message() : why));
    }
    co_return false;
}

void tool_client::fail_ended() {
    if (end_reported_) return;
    end_reported_ = true;
    const std::string why = end_why_.empty() ? client_->last_error() : end_why_;
    fail(why.empty() ? "the connection ended" : why);
}

void tool_client::fail_operation(std::string_view what, std::error_code ec,
                                 const std::optional<std::string>& reason_string) {
    if (ended_ || ec == client::errc::protocol_violation) {
        fail_ended();  // why the connection ended says more than the operation's error
        return;
    }
    std::string text = fmt::format("{} failed: {}", what, explain(ec));
    if (reason_string) text += " (" + *reason_string + ")";
    fail(text);
}

asio::awaitable<void> tool_client::disconnect(reason_code reason, bool work_done) {
    if (ended_) {
        // The connection ended by itself first: a failure, unless the tool had done its work
        // and the end was an ordinary close (the broker closing, or sending DISCONNECT 0x00).
        const bool ordinary = end_code_ == client::errc::connection_lost ||
                              end_code_ == client::errc::connection_closed;
        if (!work_done || !ordinary) fail_ended();
        co_return;
    }
    leaving_ = true;
    // The client lets the server's QoS 2 flows finish first (PUBREL in, PUBCOMP out), within
    // disconnect_drain_timeout. That is normally a millisecond; say so when it takes long enough
    // to notice, or at once in a trace.
    asio::steady_timer slow(io_);
    const auto say_waiting = [this] {
        const std::size_t open = client_->stats().inbound_qos2_pending;
        const auto limit =
            std::chrono::duration<double>(settings_.options.disconnect_drain_timeout);
        if (open > 0) {
            note(fmt::format("waiting up to {:g} s for the PUBREL of {} QoS 2 message{}",
                             limit.count(), open, open == 1 ? "" : "s"));
        }
    };
    if (trace_) {
        say_waiting();
    } else {
        slow.expires_after(std::chrono::milliseconds(300));
        slow.async_wait([say_waiting](std::error_code ec) {
            if (!ec) say_waiting();
        });
    }
    session::disconnect_options d = settings_.props.disconnect;
    if (reason != reason_code::success) d.reason = reason;
    // Completes once the connection closed, so the trace and capture see its end.
    std::error_code ec;
    co_await client_->async_disconnect(std::move(d), asio::redirect_error(asio::use_awaitable, ec));
    slow.cancel();
    if (ec) fail("DISCONNECT not sent: " + explain(ec));
}

int tool_client::run(std::function<asio::awaitable<void>()> body) {
    asio::co_spawn(io_, std::move(body), [this](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                fail(x.what());
            }
        }
        // Stop after what is already queued: the completions of operations that failed as the
        // client stopped capture the tool's locals, which are gone once run() returns.
        asio::post(io_, [this] { io_.stop(); });
    });
    io_.run();
    // A server that broke the protocol fails the run, whatever the tool was doing then.
    if (end_code_ == client::errc::protocol_violation) fail_ended();
    if (pcap_ && !pcap_->error().empty()) fail(pcap_->error());  // a capture with holes
    return exit_code_;
}

run_end::run_end(asio::io_context& io, std::optional<double> timeout_seconds)
    : finished_(io.get_executor()), deadline_(io), signals_(io) {
    if (!timeout_seconds) return;
    deadline_.expires_after(from_seconds(*timeout_seconds));
    deadline_.async_wait([this](std::error_code ec) {
        if (ec || done_) return;
        timed_out_ = true;
        finish();
    });
}

void run_end::finish() {
    done_ = true;
    finished_.notify();
}

void run_end::catch_signals() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](std::error_code ec, int) {
        if (!ec) finish();
    });
}

asio::awaitable<void> run_end::wait() {
    while (!done_)
        co_await finished_.wait();
    stop();
}

void run_end::stop() {
    deadline_.cancel();
    signals_.cancel();
    std::error_code ignored;
    signals_.clear(ignored);  // Ctrl-C stops a tool that is leaving, at once
}

void limit_connect_time(prepared_settings& p, std::chrono::milliseconds limit) {
    p.options.connect_timeout = std::min(p.options.connect_timeout, limit);
    p.options.mqtt.connack_timeout = std::min(p.options.mqtt.connack_timeout, limit);
}

int parse_and_run(CLI::App& app, int argc, char** argv, const std::function<int()>& run) {
    // Started with stdin, stdout or stderr closed (`<&-`), the first socket or timer would take
    // that descriptor, and -l would read its bytes as messages: /dev/null holds the place.
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF)
            ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);  // the lowest free: `fd`
    }
    try {
        app.parse(argc, argv);
        return run();
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: printed, exit 0
        std::cerr << app.get_name() << ": " << e.what() << " (see " << app.get_name()
                  << " --help)\n";
        return exit_usage;
    } catch (const usage_error& e) {  // from prepare() or a flag's own parser (-x, -F)
        std::cerr << app.get_name() << ": " << e.what() << '\n';
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << app.get_name() << ": " << e.what() << '\n';
        return exit_failed;
    }
}

}  // namespace mqtt::tools
