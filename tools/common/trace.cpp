#include "tools/common/trace.hpp"

#include <unistd.h>

#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tools/common/dissect.hpp"
#include "tools/common/packet_json.hpp"

namespace mqtt::tools {

std::optional<trace_mode> parse_trace_mode(std::string_view text) {
    if (text.empty() || text == "line") return trace_mode::line;
    if (text == "hex") return trace_mode::hex;
    if (text == "json") return trace_mode::json;
    return std::nullopt;
}

bool use_colour(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour != nullptr && *no_colour != '\0') return false;
    return ::isatty(fd) == 1;
}

trace_printer::trace_printer(std::ostream& out, trace_options options,
                             std::chrono::system_clock::time_point start)
    : out_(out), options_(options), start_(start) {}

double trace_printer::seconds(std::chrono::system_clock::time_point t) const {
    return std::chrono::duration<double>(t - start_).count();
}

std::string trace_printer::prefix(std::chrono::system_clock::time_point t, int stream) const {
    const trace_palette c = trace_colours(options_.colour);
    std::string s = fmt::format("{}{:+.3f}s{}", c.dim, seconds(t), c.reset);
    if (stream > 0) s += fmt::format(" #{}", stream);
    if (!options_.label.empty()) s += fmt::format(" {:<{}}", options_.label, options_.label_width);
    return s;
}

void trace_printer::packet(transport::direction dir, std::chrono::system_clock::time_point time,
                           bytes_view bytes, int stream, std::optional<protocol_version> version,
                           bool resynced) {
    if (options_.mode == trace_mode::off) return;
    const bool sent = dir == transport::direction::sent;
    // The stream's version when the caller knows it (a capture's stream), else the version of the
    // last CONNECT seen; a CONNECT is decoded, and shown, in its own.
    decode_options opts;
    opts.version = version.value_or(version_);
    const decode_result r = decode(bytes, opts);
    if (const connect* c = std::get_if<connect>(&r.value); c && r.status == decode_status::complete)
        version_ = opts.version = c->protocol_version;
    if (options_.mode == trace_mode::json) {
        json j = json::object();
        j["time"] = seconds(time);
        if (stream > 0) j["stream"] = stream;
        if (!options_.label.empty()) j["client"] = options_.label;
        j["direction"] = sent ? "sent" : "received";
        j["size"] = bytes.size();
        if (resynced) j["resynced"] = true;
        if (r.status == decode_status::complete) {
            const json packet = packet_to_json(r.value, opts.version);
            for (const auto& [key, value] : packet.items())
                j[key] = value;
        } else {
            j["error"] = r.error.message();
        }
        out_ << j.dump() << '\n';
        return;
    }
    const trace_palette c = trace_colours(options_.colour);
    std::string line = prefix(time, stream);
    line += fmt::format(" {}{}{} ", sent ? c.sent : c.received, sent ? "->" : "<-", c.reset);
    if (r.status == decode_status::complete) {
        std::string text = to_string(r.value, opts.version);
        const std::size_t space = text.find(' ');
        const std::size_t name_end = space == std::string::npos ? text.size() : space;
        line += fmt::format("{}{}{}{}", c.bold, text.substr(0, name_end), c.reset,
                            text.substr(name_end));
    } else {
        line += fmt::format("{}malformed: {}{}", c.error, r.error.message(), c.reset);
    }
    line += fmt::format(" {}({} B){}", c.dim, bytes.size(), c.reset);
    if (resynced) line += fmt::format(" {}[resync]{}", c.error, c.reset);
    out_ << line << '\n';
    if (options_.mode == trace_mode::hex || r.status == decode_status::error) {
        dissection d = dissect(bytes, 0, opts);
        if (r.status == decode_status::error) d.text += undecoded_rows(bytes, r.error.offset);
        for (std::size_t at = 0; at < d.text.size();) {
            const std::size_t nl = d.text.find('\n', at);
            const std::size_t end = nl == std::string::npos ? d.text.size() : nl;
            out_ << "        " << std::string_view(d.text).substr(at, end - at) << '\n';
            at = end + 1;
        }
    }
    out_.flush();
}

void trace_printer::note(std::chrono::system_clock::time_point time, std::string_view text,
                         int stream) {
    if (options_.mode == trace_mode::off) return;
    if (options_.mode == trace_mode::json) {
        json j = json::object();
        j["time"] = seconds(time);
        if (stream > 0) j["stream"] = stream;
        if (!options_.label.empty()) j["client"] = options_.label;
        j["event"] = text;
        out_ << j.dump() << '\n';
        return;
    }
    const trace_palette c = trace_colours(options_.colour);
    out_ << prefix(time, stream) << ' ' << c.dim << "-- " << text << c.reset << '\n';
    out_.flush();
}

void trace_printer::attach(transport::packet_tap& tap) {
    tap.add([this](const transport::tapped_packet& p) { packet(p.dir, p.time, p.bytes); });
    tap.add_connection_observer([this](const transport::connection_event& e) {
        if (e.opened) {
            note(e.time, fmt::format("connected to {} from {}{}", transport::to_string(e.remote),
                                     transport::to_string(e.local), e.tls ? " over TLS" : ""));
        } else {
            note(e.time, "connection closed");
        }
    });
}

}  // namespace mqtt::tools
