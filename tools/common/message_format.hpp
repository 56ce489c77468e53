// How mqtt-sub and mqtt-rr print a received message: mosquitto_sub's output, so scripts written
// for it keep working.
//
// Without -F: the payload (raw bytes), or "topic payload" with -v; then a newline unless -N. As
// mosquitto_sub, an empty payload prints nothing at all, or "topic (null)" with -v (nothing with
// -v -N).
// With -F FORMAT (mosquitto_sub's specifiers; tools/README.md lists them all):
//   %t topic      %p payload      %l payload length   %x / %X payload as hex (lower/upper)
//   %q QoS        %r retain       %m packet id        %j / %J JSON (payload as string / as JSON)
//   %I ISO-8601 time   %U Unix time with nanoseconds  %% a percent sign
//   %A topic alias     %C content type     %D correlation data   %E message expiry interval
//   %F payload format indicator   %P user properties ("name:value", space separated)
//   %R response topic  %S subscription identifiers (comma separated)
//   @X: strftime(3) field X of the receive time (@Y, @m, @d, @H, @M, @S, ...), @N nanoseconds,
//   @@ an at sign. \n \t \\ \0 \a \e \r \v: escapes. Flags '-' and '0', width and precision
//   work on every % field as printf's %s (text) or %d (numbers) would: %-20t, %08l, %.10p. A
//   property the message does not carry is empty text.
// With -F a newline is printed after each message unless -N, as mosquitto_sub does.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "client/session/events.hpp"

namespace mqtt::tools {

// An error naming the first unknown or incomplete specifier in `format`, its byte offset and the
// whole format (`-F "ab%Z": unknown format specifier %Z at offset 2`; also `unknown escape \q`,
// `incomplete format specifier %-5` for a trailing % or @, `incomplete escape \`), or nullopt
// when every specifier is known.
std::optional<std::string> check_message_format(std::string_view format);

struct message_output {
    std::optional<std::string> format;  // -F
    bool verbose = false;               // -v: topic, a space, payload
    bool end_of_line = true;            // not -N
};

// The text to print for `m`, received at `time`, newline included when end_of_line. Unknown
// specifiers (not caught by check_message_format) are printed as they are.
std::string format_message(const message_output& how, const session::message_received& m,
                           std::chrono::system_clock::time_point time);

}  // namespace mqtt::tools
