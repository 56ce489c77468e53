// mqtt-inspect diff: two captures compared at the MQTT level. Each stream of A against the stream
// of B that is the same flow (else the leftover streams in order); in each stream, each direction's
// packets in order (how the two directions interleave depends on timing, so it is not compared).
// Never compared: times, addresses and ports, the client identifier (CONNECT's, and the Assigned
// Client Identifier of CONNACK), and packet identifiers as long as they differ by a consistent
// renaming. Ids live in two spaces, each renamed on its own: those the client picks (its PUBLISH,
// SUBSCRIBE, UNSUBSCRIBE and PUBREL, and the server's acks of them) and those the server picks.
#include <iostream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/render.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/common/hex.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/inspect/commands.hpp"

namespace mqtt::inspect {

namespace {

using tools::captured_packet;
using tools::captured_stream;
using tools::json;

// A one-to-one renaming of packet ids, built as the packets are compared.
struct id_renaming {
    std::map<std::uint16_t, std::uint16_t> a_to_b, b_to_a;
    bool consistent(std::uint16_t a, std::uint16_t b) {
        const auto fa = a_to_b.find(a);
        const auto fb = b_to_a.find(b);
        if (fa == a_to_b.end() && fb == b_to_a.end()) {
            a_to_b[a] = b;
            b_to_a[b] = a;
            return true;
        }
        return fa != a_to_b.end() && fa->second == b && fb != b_to_a.end() && fb->second == a;
    }
};

struct normalised {
    json body;                        // the packet's JSON without what is not compared
    std::optional<std::uint16_t> id;  // its packet id
    bool client_space = true;         // the client picked the id
    std::string line;                 // the trace rendering
};

normalised normalise(const captured_packet& p) {
    normalised n;
    const decode_result r = decode(p.bytes);
    if (r.status != decode_status::complete) {
        n.body = {{"malformed", tools::to_hex(p.bytes)}};
        n.line = "malformed: " + r.error.message();
        return n;
    }
    n.line = to_string(r.value);
    n.body = tools::packet_to_json(r.value);
    const std::string type = n.body["type"].get<std::string>();
    if (type == "CONNECT") n.body.erase("client_id");
    if (type == "CONNACK" && n.body.contains("properties"))
        n.body["properties"].erase("assigned_client_identifier");
    if (n.body.contains("packet_id")) {
        n.id = n.body["packet_id"].get<std::uint16_t>();
        n.body.erase("packet_id");
    }
    const bool sent = p.dir == transport::direction::sent;
    const bool picks =
        type == "PUBLISH" || type == "SUBSCRIBE" || type == "UNSUBSCRIBE" || type == "PUBREL";
    n.client_space = picks ? sent : !sent;
    return n;
}

// The path of the first difference between two JSON values ("properties.content_type").
std::string first_difference(const json& a, const json& b, const std::string& path) {
    if (a.is_object() && b.is_object()) {
        for (const auto& [key, value] : a.items()) {
            const std::string sub = path.empty() ? key : path + "." + key;
            if (!b.contains(key)) return sub;
            if (value != b[key]) return first_difference(value, b[key], sub);
        }
        for (const auto& [key, value] : b.items()) {
            if (!a.contains(key)) return path.empty() ? key : path + "." + key;
        }
    } else if (a.is_array() && b.is_array()) {
        for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
            if (a[i] != b[i]) return first_difference(a[i], b[i], fmt::format("{}[{}]", path, i));
        }
        if (a.size() != b.size()) return fmt::format("{} (length)", path);
    }
    return path.empty() ? "(the packet)" : path;
}

std::string value_at(const json& j, const std::string& path) {
    const json* at = &j;
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t dot = path.find_first_of(".[", start);
        const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (!key.empty()) {
            if (!at->is_object() || !at->contains(key)) return "(absent)";
            at = &(*at)[key];
        }
        if (dot == std::string::npos) break;
        if (path[dot] == '[') {
            const std::size_t close = path.find(']', dot);
            const std::size_t i = std::stoul(path.substr(dot + 1, close - dot - 1));
            if (!at->is_array() || i >= at->size()) return "(absent)";
            at = &(*at)[i];
            dot = close;
        }
        start = dot + 1;
    }
    return at->dump();
}

struct side {
    const char* name;
    std::chrono::system_clock::time_point start;
};

std::string describe(const side& s, const captured_packet& p, const normalised& n) {
    return fmt::format("  {} (frame {}, +{:.3f}s): {}", s.name, p.frame,
                       std::chrono::duration<double>(p.time - s.start).count(), n.line);
}

std::chrono::system_clock::time_point first_time(const std::vector<captured_stream>& streams) {
    auto t = std::chrono::system_clock::time_point::max();
    for (const auto& s : streams) {
        if (!s.packets.empty()) t = std::min(t, s.packets.front().time);
    }
    return t == std::chrono::system_clock::time_point::max() ? decltype(t){} : t;
}

// Compares one direction of one stream; prints the first difference and returns false.
bool same_direction(int number, transport::direction dir, const captured_stream& a,
                    const captured_stream& b, const side& sa, const side& sb, id_renaming (&ids)[2],
                    std::ostream& out) {
    std::vector<const captured_packet*> pa, pb;
    for (const auto& p : a.packets)
        if (p.dir == dir) pa.push_back(&p);
    for (const auto& p : b.packets)
        if (p.dir == dir) pb.push_back(&p);
    const char* where = dir == transport::direction::sent ? "client to server" : "server to client";
    for (std::size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
        const normalised na = normalise(*pa[i]), nb = normalise(*pb[i]);
        std::string why;
        if (na.body != nb.body) {
            const std::string path = first_difference(na.body, nb.body, "");
            why = fmt::format("  {}: {} vs {}", path, value_at(na.body, path),
                              value_at(nb.body, path));
        } else if (na.id && nb.id && !ids[na.client_space ? 0 : 1].consistent(*na.id, *nb.id)) {
            why = fmt::format(
                "  packet id: {} in A and {} in B are not the same renaming as "
                "before",
                *na.id, *nb.id);
        }
        if (!why.empty()) {
            out << fmt::format("stream {}, {}, packet {} differs:\n", number, where, i + 1)
                << describe(sa, *pa[i], na) << '\n'
                << describe(sb, *pb[i], nb) << '\n'
                << why << '\n';
            return false;
        }
    }
    if (pa.size() != pb.size()) {
        const bool a_longer = pa.size() > pb.size();
        const auto& longer = a_longer ? pa : pb;
        const std::size_t extra = longer.size() - std::min(pa.size(), pb.size());
        const captured_packet& first = *longer[std::min(pa.size(), pb.size())];
        out << fmt::format("stream {}, {}: {} has {} more packet{}, the first:\n", number, where,
                           a_longer ? "A" : "B", extra, extra == 1 ? "" : "s")
            << describe(a_longer ? sa : sb, first, normalise(first)) << '\n';
        return false;
    }
    return true;
}

// Whether stream `a` and stream `b` are the same flow; prints the first difference (as stream
// `number`) to `out` when not.
bool same_stream(int number, const captured_stream& a, const captured_stream& b, const side& sa,
                 const side& sb, std::ostream& out) {
    id_renaming ids[2];
    for (const auto dir : {transport::direction::sent, transport::direction::received}) {
        if (!same_direction(number, dir, a, b, sa, sb, ids, out)) return false;
    }
    // Whether a stream went wrong, not the words: they name frame and sequence numbers, which
    // differ between a tool's own capture and tshark's of the same flow.
    if (a.problem.has_value() != b.problem.has_value()) {
        out << fmt::format("stream {}: A: {}; B: {}\n", number, a.problem.value_or("no problem"),
                           b.problem.value_or("no problem"));
        return false;
    }
    return true;
}

// Pairs each stream of A with a stream of B that is the same flow, whatever order the
// connections were opened in (several clients at once); the streams left pair in order and the
// first of them that differs is shown. Prints the verdict; returns the exit code.
int compare(const std::vector<captured_stream>& a, const std::vector<captured_stream>& b,
            std::ostream& out) {
    const side sa{"A", first_time(a)}, sb{"B", first_time(b)};
    std::vector<int> partner(a.size(), -1);  // B's stream for each of A's
    std::vector<bool> taken(b.size(), false);
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = 0; j < b.size() && partner[i] < 0; ++j) {
            std::ostringstream ignored;
            if (!taken[j] && same_stream(int(i + 1), a[i], b[j], sa, sb, ignored)) {
                partner[i] = int(j);
                taken[j] = true;
            }
        }
    }
    std::vector<std::size_t> rest_a, rest_b;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (partner[i] < 0) rest_a.push_back(i);
    for (std::size_t j = 0; j < b.size(); ++j)
        if (!taken[j]) rest_b.push_back(j);
    for (std::size_t k = 0; k < std::min(rest_a.size(), rest_b.size()); ++k) {
        const std::size_t i = rest_a[k], j = rest_b[k];
        if (i != j) out << fmt::format("stream {} of A against stream {} of B:\n", i + 1, j + 1);
        if (!same_stream(int(i + 1), a[i], b[j], sa, sb, out)) return exit_problem;
    }
    if (a.size() != b.size()) {
        out << fmt::format("A has {} MQTT stream{}, B has {}\n", a.size(), a.size() == 1 ? "" : "s",
                           b.size());
        return exit_problem;
    }
    std::size_t packets = 0;
    std::string moved;
    for (std::size_t i = 0; i < a.size(); ++i) {
        packets += a[i].packets.size();
        if (partner[i] >= 0 && std::size_t(partner[i]) != i)
            moved += fmt::format("{}A{} = B{}", moved.empty() ? "" : ", ", i + 1, partner[i] + 1);
    }
    out << fmt::format("same MQTT flow: {} stream{}, {} packets{}\n", a.size(),
                       a.size() == 1 ? "" : "s", packets,
                       moved.empty() ? "" : " (streams opened in another order: " + moved + ")");
    return exit_ok;
}

}  // namespace

int run_diff(const diff_settings& s, std::ostream& out, std::ostream& err) {
    const tools::capture_options options = options_for(s.ports);
    tools::capture_contents a, b;
    try {
        a = tools::read_capture_contents(s.a, options);
        b = tools::read_capture_contents(s.b, options);
    } catch (const tools::capture_error& e) {
        err << "error: " << e.what() << '\n';
        return exit_bad_input;
    }
    // A file that stops early is compared as far as it goes; its problem is said after.
    const int rc = compare(a.streams, b.streams, out);
    out.flush();
    if (a.streams.empty()) err << no_mqtt_found(s.a, options) << '\n';
    if (b.streams.empty()) err << no_mqtt_found(s.b, options) << '\n';
    if (a.problem) err << "problem: A: " << *a.problem << '\n';
    if (b.problem) err << "problem: B: " << *b.problem << '\n';
    return rc;
}

}  // namespace mqtt::inspect
