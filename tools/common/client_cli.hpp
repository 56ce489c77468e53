// What mqtt-pub, mqtt-sub and mqtt-rr share: mosquitto_pub/sub/rr's connection flags (so habits
// carry over), -D properties, tracing (-d, --trace), captures (--pcap, --keylog), and the run of
// a client on an io_context with errors that name their cause and the exit codes
//   0 success, 1 refused / failed / timed out, 2 usage.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/client.hpp"
#include "client/file_store.hpp"
#include "tools/common/message_format.hpp"
#include "tools/common/pcap_writer.hpp"
#include "tools/common/trace.hpp"
#include "tools/common/wakeup.hpp"

namespace mqtt::tools {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

// A command line that parsed but makes no sense ("-q 3", "-V 311"): exit 2 with the message.
class usage_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// mqtt-bench takes the connection flags but names its clients itself and has no sessions or
// wills: no -i, -c (its -c is the number of clients), -x, --session-dir or --will-*.
enum class tool_kind : std::uint8_t { pub, sub, rr, bench };

// The flags as given. Defaults follow mosquitto_pub/sub/rr.
struct common_settings {
    std::string host = "localhost";       // -h
    std::uint16_t port = 0;               // -p; 0: 1883, or 8883 with TLS
    std::string url;                      // -L mqtt(s)://[user[:password]@]host[:port]/topic
    std::string protocol_version = "5";   // -V: 5 / mqttv5, or 311 / mqttv311 (not 31)
    std::string client_id;                // -i; empty: the server assigns one
    std::string client_id_prefix;         // -I: prefix + process id
    std::uint16_t keep_alive = 60;        // -k
    std::string username;                 // -u
    std::optional<std::string> password;  // -P
    bool no_clean_start = false;          // -c: resume the session (needs -i)
    std::optional<std::uint32_t> session_expiry;  // -x seconds; with -c default: never expire
    std::optional<std::uint16_t> max_inflight;    // -M: our outbound window
    std::string session_dir;     // --session-dir: where -c keeps the session (file store)
    bool topic_aliases = false;  // --topic-alias: give repeated topics aliases

    std::string will_topic, will_payload;  // --will-*
    int will_qos = 0;
    bool will_retain = false;

    std::string cafile, capath, cert, key, tls_version, keylog;  // --cafile ... --keylog
    std::vector<std::string> alpn;                               // --tls-alpn
    bool insecure = false;                                       // --insecure
    bool use_os_certs = false;                                   // --tls-use-os-certs

    std::vector<std::vector<std::string>> properties;  // -D COMMAND IDENTIFIER VALUE [VALUE]

    bool debug = false;                   // -d: trace every packet (one line each)
    std::string trace;                    // --trace[=line|hex|json]
    std::string pcap;                     // --pcap FILE
    bool quiet = false;                   // --quiet: no error messages
    double connect_timeout = 10;          // --connect-timeout seconds
    bool reconnect_on_violation = false;  // --reconnect-on-violation (mqtt-sub)
};

// CLI11 checks with messages that read well ("--repeat: 0 is not a number greater than 0"): a
// number greater than 0, or from 0 up, and at most `most`.
CLI::Validator positive_number(double most = 1e12);
CLI::Validator non_negative_number(double most = 1e12);

// Flags in seconds (-W 1.5, --repeat-delay, --connect-timeout) are checked to be at most a year,
// so that from_seconds() cannot overflow.
constexpr double max_seconds = 365.0 * 24 * 3600;
inline std::chrono::milliseconds from_seconds(double seconds) {
    return std::chrono::milliseconds(std::int64_t(seconds * 1000));
}

// The whole of a file as a payload (-f); a runtime_error naming the file and the cause.
session::byte_vector read_payload_file(const std::string& path);

// Usage errors for a topic a flag gave, before anything connects: `-t "a/#": '#' ... `.
void check_topic_name(std::string_view topic, std::string_view flag);
void check_topic_filter(std::string_view filter, std::string_view flag);

// Adds the shared flags to `app`.
void add_common_flags(CLI::App& app, common_settings& s, tool_kind kind);

// Adds how received messages are printed (mqtt-sub, mqtt-rr): -F FORMAT, checked as it is read,
// -v and -N.
void add_output_flags(CLI::App& app, message_output& out);

// The -D properties, sorted by the packet they go in.
struct packet_properties {
    session::message_properties publish;
    session::subscribe_options subscribe;
    session::user_property_list unsubscribe;
    session::disconnect_options disconnect;
};

// What the flags mean once checked: the client's options and the properties of each packet.
struct prepared_settings {
    client::client_options options;
    packet_properties props;
    std::optional<std::string> url_topic;  // the topic -L carried, if any
    trace_mode trace = trace_mode::off;
    bool colour = false;
    std::string pcap;
    bool quiet = false;
    std::filesystem::path session_dir;  // -c: the file store's directory
};

// -V as mosquitto's tools take it: "5" / "mqttv5", "311" / "mqttv311"; nullopt otherwise. Not
// mqtt-inspect's --protocol (capture_reader.hpp's parse_protocol_version), which takes 3.1 too.
std::optional<protocol_version> parse_client_protocol_version(std::string_view text);

// Checks and converts the flags. Throws usage_error naming the flag and the problem; with -V 311,
// one for each MQTT 5 only flag given (-D, -x, --topic-alias), and for mqtt-rr and mqtt-bench,
// which need MQTT 5.
prepared_settings prepare(const common_settings& s, tool_kind kind);

// A tool's own MQTT 5 only flag (mqtt-sub's --nl, ...) with -V 311: usage_error naming `flag`.
void refuse_with_v311(const prepared_settings& p, bool given, std::string_view flag);

// Parses a QoS flag value ("-q 3" is refused naming the flag).
mqtt::qos parse_qos(int value, const char* flag);

// -W: reaching the broker (TCP, TLS and CONNACK) takes no longer than the whole run may.
void limit_connect_time(prepared_settings& p, std::chrono::milliseconds limit);

// A client with its trace and capture, on its own io_context, and the tool's exit status.
class tool_client {
  public:
    tool_client(const char* tool_name, prepared_settings settings);
    ~tool_client();

    asio::io_context& io() { return io_; }
    client::client& get() { return *client_; }

    // Connects; on failure prints why (`connection refused: 0x86 Bad User Name or Password`,
    // `cannot connect: connection refused by 127.0.0.1:1883`) and returns false. From then on,
    // while the client reconnects after a lost connection, a note says so; `on_end` runs when
    // the client stopped by itself, with no reconnect to follow (see ended()).
    asio::awaitable<bool> connect(std::function<void()> on_end = {});
    // Whether the client stopped by itself: the server broke the protocol (DISCONNECT sent, no
    // reconnect unless --reconnect-on-violation), refused a reconnect, disconnected us, or a
    // connection ended that is not retried. fail_ended() prints why (once) and sets exit 1.
    bool ended() const { return ended_; }
    void fail_ended();
    // DISCONNECT with the -D disconnect properties (and `reason`) once the server's QoS 2 flows
    // finished (at most 2 s, noted when it takes long), and waits for the connection to close.
    // After ended(), it only reports why: a failure, unless `work_done` and the connection
    // merely closed.
    asio::awaitable<void> disconnect(reason_code reason = reason_code::success,
                                     bool work_done = false);

    // An operation's error in words, with the client's own account when it says more
    // ("invalid argument (No Local on a Shared Subscription (MQTT-3.8.3-4))").
    std::string explain(std::error_code ec) const;
    // An operation failed: "<what> failed: <why> (<reason string>)"; when the connection ended
    // under it (a protocol violation, a lost connection), why it ended.
    void fail_operation(std::string_view what, std::error_code ec,
                        const std::optional<std::string>& reason_string = std::nullopt);
    // Prints "<tool>: <text>" on stderr (unless --quiet) and records exit status 1.
    void fail(const std::string& text);
    // Prints a note on stderr: a trace line when tracing, else "<tool>: <text>" (unless --quiet).
    void note(const std::string& text);
    const session::connected& connack() const { return connack_; }

    // Runs `body` to completion on the io_context; returns the exit code. Exceptions from the
    // body become failures with their message.
    int run(std::function<asio::awaitable<void>()> body);

  private:
    const char* name_;
    prepared_settings settings_;
    asio::io_context io_{1};  // run by this thread alone: the client needs no strand
    std::unique_ptr<client::file_store> store_;
    std::unique_ptr<trace_printer> trace_;
    std::unique_ptr<pcap_writer> pcap_;
    std::unique_ptr<client::client> client_;
    session::connected connack_;
    int exit_code_ = exit_ok;
    bool leaving_ = false;      // disconnect() was called: the end is ours
    bool ended_ = false;        // the client stopped (by itself unless leaving_)
    std::error_code end_code_;  // why, as the state handler said
    std::string end_why_;
    bool end_reported_ = false;
    std::function<void()> on_end_;
};

// When a tool that waits for messages (mqtt-sub, mqtt-rr) stops: finish() (its count reached,
// or SIGINT/SIGTERM once connected), or -W running out, counted from the start. On the tool's
// io_context; declare it after the tool_client.
class run_end {
  public:
    run_end(asio::io_context& io, std::optional<double> timeout_seconds);
    void finish();
    bool done() const { return done_; }
    bool timed_out() const { return timed_out_; }
    // From now on Ctrl-C and SIGTERM finish the run (and the tool leaves with DISCONNECT); until
    // then they keep their default action, so they stop a connect that hangs at once.
    void catch_signals();
    // Until finish() or the deadline; then no more signals are caught.
    asio::awaitable<void> wait();
    void stop();  // no deadline, no signals caught (what wait() ends with)

  private:
    wakeup finished_;
    asio::steady_timer deadline_;
    asio::signal_set signals_;
    bool done_ = false, timed_out_ = false;
};

// Parses argv with CLI11 and runs `run` with the result; usage errors exit 2, --help 0.
int parse_and_run(CLI::App& app, int argc, char** argv, const std::function<int()>& run);

}  // namespace mqtt::tools
