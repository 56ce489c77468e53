// make_diagram: the capture's packets into columns and rows (see diagram.hpp), and the short
// label of a packet. The renderers are in diagram_text.cpp, diagram_svg.cpp, diagram_html.cpp.
#include "tools/common/diagram.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/reason_format.hpp"
#include "tools/common/dissect.hpp"

namespace mqtt::tools {

namespace {

constexpr std::size_t max_topic = 40;  // topics longer than this are cut in labels
constexpr std::size_t max_listed = 3;  // filters or reason codes listed in one label

// The topic quoted; one longer than max_topic characters keeps its start and its end (where
// topics differ most) around an ellipsis: "mqtt-scenario/r…/flow-control/burst".
std::string short_topic(std::string_view topic) {
    if (display_width(topic) <= max_topic) return quoted(topic);
    const auto boundary = [&](std::size_t at) {  // back to the start of a UTF-8 sequence
        while (at > 0 && (static_cast<unsigned char>(topic[at]) & 0xC0) == 0x80)
            --at;
        return at;
    };
    const std::size_t head = boundary(max_topic / 3);
    const std::size_t tail = boundary(topic.size() - (max_topic - max_topic / 3 - 1));
    const std::string q = quoted(topic.substr(0, head)), r = quoted(topic.substr(tail));
    return q.substr(0, q.size() - 1) + "\u2026" + r.substr(1);
}

std::string reason_suffix(reason_code rc, packet_type t) {
    if (rc == reason_code::success) return "";
    return fmt::format(" {}", named_reason{rc, t});
}

template <class List, class F>
std::string listed(const List& list, F each) {
    std::string s;
    std::size_t n = 0;
    for (const auto& item : list) {
        if (n++ < max_listed) s += " " + each(item);
    }
    if (n > max_listed) s += fmt::format(" +{} more", n - max_listed);
    return s;
}

struct label_of {
    bool v3 = false;  // an MQTT 3.1.1 or 3.1 stream: return codes by their names, no reason codes
    std::string operator()(const connect& c) const {
        std::string s = "CONNECT";
        if (!c.clean_start)
            s += c.protocol_version == protocol_version::v5 ? " clean_start=0" : " clean_session=0";
        if (c.will) s += " will";
        return s;
    }
    std::string operator()(const connack& c) const {
        connect_return_code rc{};
        if (v3 && c.reason != reason_code::success && to_connect_return_code(c.reason, rc)) {
            return fmt::format("CONNACK 0x{:02X} {}", int(rc), connect_return_code_name(rc));
        }
        return std::string("CONNACK") + (c.session_present ? " session_present=1" : "") +
               reason_suffix(c.reason, packet_type::connack);
    }
    std::string operator()(const publish& p) const {
        std::string s = "PUBLISH";
        if (p.qos != qos::at_most_once) s += fmt::format(" id={}", p.packet_id);
        s += fmt::format(" q{}", static_cast<int>(p.qos));
        if (p.retain) s += " retain";
        if (p.dup) s += " dup";
        if (p.topic.empty() && p.props.topic_alias) {
            s += fmt::format(" alias={}", *p.props.topic_alias);
        } else {
            s += " " + short_topic(p.topic);
        }
        return s;
    }
    template <packet_type T>
    std::string operator()(const publish_response<T>& r) const {
        return fmt::format("{} id={}{}", packet_type_name(T), r.packet_id,
                           reason_suffix(r.reason, T));
    }
    std::string operator()(const subscribe& s) const {
        return fmt::format("SUBSCRIBE id={}", s.packet_id) +
               listed(s.subscriptions,
                      [](const subscription& x) { return short_topic(x.topic_filter); });
    }
    std::string operator()(const suback& s) const {
        return fmt::format("SUBACK id={}", s.packet_id) +
               listed(s.reason_codes, [this](reason_code rc) {
                   if (to_byte(rc) <= 2) return fmt::format("q{}", to_byte(rc));
                   if (v3) return fmt::format("0x{:02X} Failure", to_byte(rc));
                   return fmt::format("{}", named_reason{rc, packet_type::suback});
               });
    }
    std::string operator()(const unsubscribe& u) const {
        return fmt::format("UNSUBSCRIBE id={}", u.packet_id) +
               listed(u.topic_filters, [](std::string_view f) { return short_topic(f); });
    }
    std::string operator()(const unsuback& u) const {
        std::string s = fmt::format("UNSUBACK id={}", u.packet_id);
        bool all_success = true;
        for (const reason_code rc : u.reason_codes)
            all_success = all_success && rc == reason_code::success;
        if (all_success) return s;
        return s + listed(u.reason_codes, [](reason_code rc) {
                   return fmt::format("{}", named_reason{rc, packet_type::unsuback});
               });
    }
    std::string operator()(const pingreq&) const { return "PINGREQ"; }
    std::string operator()(const pingresp&) const { return "PINGRESP"; }
    std::string operator()(const disconnect& d) const {
        if (v3) return "DISCONNECT";  // 3.1.1: no reason code
        // 0x00 as well: it tells a clean close (and 0x04, with the Will) from a dropped one.
        if (d.reason == reason_code::success) return "DISCONNECT 0x00";
        return fmt::format("DISCONNECT {}", named_reason{d.reason, packet_type::disconnect});
    }
    std::string operator()(const auth& a) const {
        return fmt::format("AUTH {}", named_reason{a.reason, packet_type::auth});
    }
};

// The packet type from the first byte, without decoding the rest; nullopt for 0 (reserved).
std::optional<packet_type> type_byte(bytes_view packet) {
    if (packet.empty() || (packet[0] >> 4) == 0) return std::nullopt;
    return packet_type(packet[0] >> 4);
}

std::string upper(std::string_view s) {
    std::string u(s);
    for (char& c : u)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

// The name of a stream's client: the Client Identifier of its CONNECT, or the Assigned Client
// Identifier when that was empty, or its address.
std::string client_name(const captured_stream& st) {
    bool empty_id = false;
    decode_options opts;
    opts.version = st.version;
    for (const captured_packet& p : st.packets) {
        const decode_result r = decode(p.bytes, opts);
        if (r.status != decode_status::complete) continue;
        if (const auto* c = std::get_if<connect>(&r.value);
            c && p.dir == transport::direction::sent) {
            if (!c->client_id.empty()) return std::string(c->client_id);
            empty_id = true;
        } else if (const auto* a = std::get_if<connack>(&r.value); a && empty_id) {
            if (a->props.assigned_client_identifier)
                return std::string(*a->props.assigned_client_identifier);
            break;
        }
    }
    return st.client;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

// Which side of the broker each client column goes: publishers (they send PUBLISH and neither
// receive one nor subscribe) left, the rest right; see diagram.hpp for the balancing.
void place_columns(diagram& d, std::vector<diagram_column> clients,
                   const std::vector<bool>& publisher) {
    std::vector<diagram_column> left, right;
    for (std::size_t i = 0; i < clients.size(); ++i)
        (publisher[i] ? left : right).push_back(std::move(clients[i]));
    if (left.empty() && !right.empty()) {
        left.push_back(std::move(right.front()));
        right.erase(right.begin());
    }
    if (right.empty() && left.size() > 1) {
        const std::size_t keep = (left.size() + 1) / 2;
        right.assign(std::make_move_iterator(left.begin() + std::ptrdiff_t(keep)),
                     std::make_move_iterator(left.end()));
        left.resize(keep);
    }
    d.columns = std::move(left);
    d.broker = d.columns.size();
    diagram_column broker;
    broker.name = "broker";
    broker.broker = true;
    d.columns.push_back(std::move(broker));
    for (auto& c : right)
        d.columns.push_back(std::move(c));
}

// Lifeline positions: each header centred on its lifeline, and each arrow's span (from its
// client to the broker, over the lifelines between) wide enough for its label. Gaps are sized
// from the broker outwards, so a far client's long labels use the gaps nearer the broker too.
void position_columns(diagram& d) {
    const std::size_t n = d.columns.size();
    std::vector<std::size_t> label(n, 0);
    for (const diagram_row& r : d.rows) {
        if (r.kind == row_kind::arrow)
            label[r.column] = std::max(label[r.column], display_width(r.text));
    }
    const auto half = [&](std::size_t i, bool up) {
        const std::size_t w =
            std::max(display_width(d.columns[i].name), display_width(d.columns[i].address));
        return up ? (w + 1) / 2 : w / 2;
    };
    // gap[i]: between columns i-1 and i.
    std::vector<std::size_t> gap(n, 0);
    const auto size_gap = [&](std::size_t i, std::size_t client, std::size_t nearer) {
        const std::size_t need = label[client] + 8 > nearer ? label[client] + 8 - nearer : 0;
        gap[i] = std::max({half(i - 1, true) + half(i, false) + 3, need, std::size_t(12)});
        return nearer + gap[i];
    };
    for (std::size_t i = d.broker, nearer = 0; i > 0; --i)
        nearer = size_gap(i, i - 1, nearer);
    for (std::size_t i = d.broker + 1, nearer = 0; i < n; ++i)
        nearer = size_gap(i, i, nearer);
    std::size_t x = half(0, false) + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x += gap[i];
        d.columns[i].x = x;
    }
    d.width = x + half(n - 1, true) + 1;
}

void elide(diagram& d, std::size_t max_arrows) {
    std::vector<std::size_t> arrows;  // row indices of the arrows
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        if (d.rows[i].kind == row_kind::arrow) arrows.push_back(i);
    }
    if (max_arrows == 0 || arrows.size() <= max_arrows) return;
    // The middle: the rows after the head's last arrow, up to the tail's first arrow. Problems
    // in it stay, after the marker.
    const std::size_t head = max_arrows / 2, tail = max_arrows - head;
    const std::size_t first = head == 0 ? 0 : arrows[head - 1] + 1;
    const std::size_t last = arrows[arrows.size() - tail];  // first row kept after the middle
    diagram_row marker;
    marker.kind = row_kind::elided;
    marker.column = d.broker;
    marker.time = d.rows[first].time;
    marker.elided = arrows.size() - max_arrows;
    marker.text = fmt::format("{} packets not shown", marker.elided);
    std::vector<diagram_row> kept;
    for (std::size_t i = 0; i < first; ++i)
        kept.push_back(std::move(d.rows[i]));
    kept.push_back(std::move(marker));
    for (std::size_t i = first; i < last; ++i) {
        if (d.rows[i].kind == row_kind::problem) kept.push_back(std::move(d.rows[i]));
    }
    for (std::size_t i = last; i < d.rows.size(); ++i)
        kept.push_back(std::move(d.rows[i]));
    d.rows = std::move(kept);
}

void insert_gaps(diagram& d, double gap) {
    if (gap <= 0) return;
    std::vector<diagram_row> out;
    std::optional<double> last;
    for (diagram_row& r : d.rows) {
        if (r.kind == row_kind::elided) {
            last.reset();
        } else {
            if (last && r.time - *last > gap) {
                diagram_row g;
                g.kind = row_kind::gap;
                g.time = *last;
                g.column = d.broker;
                g.duration = r.time - *last;
                g.text = fmt::format("{:.1f} s", g.duration);
                out.push_back(std::move(g));
            }
            last = std::max(last.value_or(r.time), r.time);
        }
        out.push_back(std::move(r));
    }
    d.rows = std::move(out);
}

}  // namespace

std::size_t display_width(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

std::string packet_label(bytes_view packet, protocol_version version) {
    decode_options opts;
    opts.version = version;
    const decode_result r = decode(packet, opts);
    if (r.status == decode_status::complete) {
        return std::visit(label_of{version != protocol_version::v5}, r.value);
    }
    const auto t = type_byte(packet);
    return t ? fmt::format("malformed {}", packet_type_name(*t)) : "malformed packet";
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                // Control characters are not allowed in XML 1.0 (quoted() escapes them in labels).
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
                    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                } else {
                    out += c;
                }
        }
    }
    return out;
}

diagram make_diagram(const capture_contents& capture, const diagram_options& options) {
    diagram d;
    d.start = std::chrono::system_clock::time_point::max();
    for (const captured_stream& st : capture.streams) {
        if (!st.packets.empty()) d.start = std::min(d.start, st.packets.front().time);
    }
    if (d.start == std::chrono::system_clock::time_point::max()) d.start = {};
    const auto seconds = [&](std::chrono::system_clock::time_point t) {
        return std::chrono::duration<double>(t - d.start).count();
    };
    std::vector<std::string> types;
    for (const std::string& t : options.types)
        types.push_back(upper(t));

    // Columns: one per client name, in the order of the streams' first packets.
    std::vector<diagram_column> clients;
    std::vector<bool> publisher;
    std::vector<std::size_t> column_of(capture.streams.size(), SIZE_MAX);
    std::string server;
    bool several_servers = false;
    for (std::size_t s = 0; s < capture.streams.size(); ++s) {
        const captured_stream& st = capture.streams[s];
        const int number = static_cast<int>(s + 1);
        const std::string name = client_name(st);
        if (!options.streams.empty() && std::find(options.streams.begin(), options.streams.end(),
                                                  number) == options.streams.end())
            continue;
        if (!options.clients.empty() && !contains(options.clients, name) &&
            !contains(options.clients, st.client))
            continue;
        if (server.empty()) server = st.server;
        several_servers = several_servers || server != st.server;
        auto it = std::find_if(clients.begin(), clients.end(),
                               [&](const diagram_column& c) { return c.name == name; });
        if (it == clients.end()) {
            diagram_column c;
            c.name = name;
            c.address = name == st.client ? "" : st.client;
            clients.push_back(std::move(c));
            publisher.push_back(true);
            it = clients.end() - 1;
        }
        it->streams.push_back(number);
        const std::size_t i = std::size_t(it - clients.begin());
        column_of[s] = i;
        bool publishes = false, receives = false;
        for (const captured_packet& p : st.packets) {
            const auto t = type_byte(p.bytes);
            const bool sent = p.dir == transport::direction::sent;
            publishes = publishes || (sent && t == packet_type::publish);
            receives = receives || (!sent && t == packet_type::publish) ||
                       (sent && t == packet_type::subscribe);
        }
        publisher[i] = publisher[i] && publishes && !receives;
    }
    // Column indices after placing the broker in the middle.
    std::vector<std::string> names;
    for (const auto& c : clients)
        names.push_back(c.name);
    place_columns(d, std::move(clients), publisher);
    d.columns[d.broker].address = several_servers ? "several" : server;
    for (std::size_t& c : column_of) {
        if (c == SIZE_MAX) continue;
        for (std::size_t k = 0; k < d.columns.size(); ++k) {
            if (!d.columns[k].broker && d.columns[k].name == names[c]) {
                c = k;
                break;
            }
        }
    }

    // Rows: every packet of the chosen streams in capture order (frame number).
    struct ref {
        std::size_t stream, packet;
    };
    std::vector<ref> order;
    for (std::size_t s = 0; s < capture.streams.size(); ++s) {
        if (column_of[s] == SIZE_MAX) continue;
        for (std::size_t p = 0; p < capture.streams[s].packets.size(); ++p)
            order.push_back({s, p});
    }
    std::stable_sort(order.begin(), order.end(), [&](const ref& a, const ref& b) {
        return capture.streams[a.stream].packets[a.packet].frame <
               capture.streams[b.stream].packets[b.packet].frame;
    });
    const auto in_time = [&](double t) {
        return (!options.from || t >= *options.from) && (!options.to || t <= *options.to);
    };
    // Each stream's problems where they happened among its packets (next_problem: the first
    // not shown yet).
    std::vector<std::size_t> next_problem(capture.streams.size(), 0);
    const auto problem_rows = [&](std::size_t s, double t, std::size_t before_packet) {
        const std::vector<stream_problem>& problems = capture.streams[s].problems;
        for (std::size_t& i = next_problem[s];
             i < problems.size() && problems[i].before_packet <= before_packet; ++i) {
            diagram_row r;
            r.kind = row_kind::problem;
            r.time = t;
            r.column = column_of[s];
            r.stream = static_cast<int>(s + 1);
            r.text = fmt::format("stream {}: problem: {}", s + 1, problems[i].text);
            d.rows.push_back(std::move(r));
        }
    };
    for (const ref& at : order) {
        const captured_stream& st = capture.streams[at.stream];
        const captured_packet& p = st.packets[at.packet];
        const double t = seconds(p.time);
        if (!in_time(t)) continue;
        const int number = static_cast<int>(at.stream + 1);
        diagram_row marker;
        marker.time = t;
        marker.column = column_of[at.stream];
        marker.stream = number;
        if (at.packet == 0) {
            marker.kind = row_kind::opened;
            marker.text = fmt::format("stream {} opens: {} -> {}", number, st.client, st.server);
            d.rows.push_back(marker);
        }
        problem_rows(at.stream, t, at.packet);
        const auto t_byte = type_byte(p.bytes);
        decode_options opts;
        opts.version = st.version;
        const bool malformed = decode(p.bytes, opts).status != decode_status::complete;
        const bool type_ok =
            types.empty() || (t_byte && contains(types, std::string(packet_type_name(*t_byte))));
        if (type_ok) {
            diagram_row r;
            r.kind = row_kind::arrow;
            r.time = t;
            r.column = column_of[at.stream];
            r.stream = number;
            r.text = packet_label(p.bytes, st.version);
            r.version = st.version;
            r.to_broker = p.dir == transport::direction::sent;
            r.malformed = malformed;
            r.index = ++d.packets;
            r.at = p.time;
            r.bytes = p.bytes;
            d.rows.push_back(std::move(r));
        }
        problem_rows(at.stream, t, at.packet + 1);  // a malformed packet's, right after it
        if (at.packet + 1 == st.packets.size()) {
            marker.kind = row_kind::ended;
            marker.text = fmt::format("stream {} ends", number);
            d.rows.push_back(marker);
            problem_rows(at.stream, t, SIZE_MAX);
        }
    }
    // Streams with nothing but problems (TLS from the first byte), and the file's own problem.
    const double end = d.rows.empty() ? 0 : d.rows.back().time;
    for (std::size_t s = 0; s < capture.streams.size(); ++s) {
        if (column_of[s] != SIZE_MAX && capture.streams[s].packets.empty())
            problem_rows(s, end, SIZE_MAX);
    }
    if (capture.problem) {
        diagram_row r;
        r.kind = row_kind::problem;
        r.time = end;
        r.column = d.broker;
        r.text = "problem: " + *capture.problem;
        d.rows.push_back(std::move(r));
    }
    elide(d, options.max_arrows);
    insert_gaps(d, options.gap);
    position_columns(d);
    return d;
}

std::string render_text(const diagram& d, bool colour) {
    text_options o;
    o.colour = colour;
    return render_text(d, o);
}

}  // namespace mqtt::tools
