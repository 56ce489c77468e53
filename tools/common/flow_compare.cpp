#include "tools/common/flow_compare.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/property.hpp"
#include "protocol/render.hpp"
#include "tools/common/hex.hpp"
#include "tools/common/packet_json.hpp"

namespace mqtt::tools {

namespace {

// ---- Normalisation: what of a packet is compared ----

// One entry of flow_normalisation::ignored_fields, parsed.
struct ignored_field {
    std::string type;               // "PUBLISH", or "*"
    std::vector<std::string> keys;  // "properties", "message_expiry_interval"
};

struct rules {
    const std::vector<std::pair<std::string, std::string>>* replacements;
    std::vector<ignored_field> ignored;
};

bool known_packet_type(const std::string& name) {
    for (int t = 1; t <= 15; ++t) {
        if (packet_type_name(packet_type(t)) == name) return true;
    }
    return false;
}

rules prepare(const flow_normalisation& n) {
    rules r{&n.replacements, {}};
    for (const std::string& entry : n.ignored_fields) {
        const std::size_t space = entry.find(' ');
        if (space == std::string::npos || space + 1 == entry.size())
            throw std::invalid_argument(
                fmt::format("ignored field \"{}\": expected \"PACKETTYPE path\", e.g. \"PUBLISH "
                            "properties.message_expiry_interval\"",
                            entry));
        ignored_field f;
        f.type = entry.substr(0, space);
        if (f.type != "*" && !known_packet_type(f.type))
            throw std::invalid_argument(
                fmt::format("ignored field \"{}\": unknown packet type \"{}\"", entry, f.type));
        std::istringstream path(entry.substr(space + 1));
        for (std::string key; std::getline(path, key, '.');) {
            if (key.empty())
                throw std::invalid_argument(
                    fmt::format("ignored field \"{}\": empty key in the path", entry));
            f.keys.push_back(key);
        }
        r.ignored.push_back(std::move(f));
    }
    return r;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at)) {
        s.replace(at, from.size(), to);
        at += to.size();
    }
}

// A binary value shown as hex: the payloads, the password, and binary properties.
bool is_hex_key(const std::string& key, bool in_properties) {
    if (key == "payload_hex" || key == "password_hex") return true;
    const property_info* info = in_properties ? find_property(key) : nullptr;
    return info != nullptr && info->type == property_type::binary_data;
}

// The replacements in every string of `j`; `key` is the key `j` is under.
void replace_strings(json& j, const std::string& key, bool in_properties, const rules& r) {
    if (j.is_object()) {
        for (auto& [k, v] : j.items())
            replace_strings(v, k, in_properties || key == "properties", r);
    } else if (j.is_array()) {
        for (auto& v : j)
            replace_strings(v, key, in_properties, r);
    } else if (j.is_string() && key != "type") {  // the packet type is no string of the packet
        std::string s = j.get<std::string>();
        if (is_hex_key(key, in_properties)) {
            std::vector<std::uint8_t> bytes;
            std::string error;
            if (!parse_hex_strict(s, bytes, error)) return;  // packet_json writes valid hex
            s.assign(bytes.begin(), bytes.end());
            for (const auto& [from, to] : *r.replacements)
                replace_all(s, from, to);
            j = to_hex(bytes_view(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
        } else {
            for (const auto& [from, to] : *r.replacements)
                replace_all(s, from, to);
            j = s;
        }
    }
}

void erase_path(json& j, const std::vector<std::string>& keys, std::size_t i) {
    if (j.is_array()) {
        for (auto& v : j)
            erase_path(v, keys, i);
    } else if (j.is_object() && j.contains(keys[i])) {
        if (i + 1 == keys.size()) {
            j.erase(keys[i]);
        } else {
            erase_path(j[keys[i]], keys, i + 1);
        }
    }
}

struct normalised {
    json body;                        // the packet's JSON without what is not compared
    std::optional<std::uint16_t> id;  // its packet id
    bool client_space = true;         // the client picked the id
    std::string line;                 // the trace rendering
};

normalised normalise(const captured_packet& p, protocol_version version, const rules& r) {
    normalised n;
    decode_options opts;
    opts.version = version;
    const decode_result d = decode(p.bytes, opts);
    if (d.status != decode_status::complete) {
        n.body = {{"malformed", to_hex(p.bytes)}};
        n.line = "malformed: " + d.error.message();
        return n;
    }
    n.line = to_string(d.value, version);
    n.body = packet_to_json(d.value, version);
    const std::string type = n.body["type"].get<std::string>();
    if (type == "CONNECT") n.body.erase("client_id");
    if (type == "CONNACK" && n.body.contains("properties"))
        n.body["properties"].erase("assigned_client_identifier");
    if (!r.replacements->empty()) replace_strings(n.body, "", false, r);
    for (const ignored_field& f : r.ignored) {
        if (f.type == "*" || f.type == type) erase_path(n.body, f.keys, 0);
    }
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

// A stream with each direction's packets normalised once (streams are compared many times
// while pairing).
struct prepared_stream {
    const captured_stream* stream = nullptr;
    std::array<std::vector<const captured_packet*>, 2> packets;  // [0] sent, [1] received
    std::array<std::vector<normalised>, 2> norm;                 // the same, normalised
};

prepared_stream prepare(const captured_stream& s, const rules& r) {
    prepared_stream p;
    p.stream = &s;
    for (const captured_packet& packet : s.packets) {
        const std::size_t d = packet.dir == transport::direction::sent ? 0 : 1;
        p.packets[d].push_back(&packet);
        p.norm[d].push_back(normalise(packet, s.version, r));
    }
    return p;
}

// ---- Comparison ----

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

// Compares one direction of one stream; writes the first difference and returns false.
bool same_direction(int number, std::size_t d, const prepared_stream& a, const prepared_stream& b,
                    const side& sa, const side& sb, id_renaming (&ids)[2], std::ostream& out) {
    const auto& pa = a.packets[d];
    const auto& pb = b.packets[d];
    const char* where = d == 0 ? "client to server" : "server to client";
    for (std::size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
        const normalised& na = a.norm[d][i];
        const normalised& nb = b.norm[d][i];
        std::string why;
        if (na.body != nb.body) {
            const std::string path = first_difference(na.body, nb.body, "");
            why = fmt::format("  {}: {} vs {}", path, value_at(na.body, path),
                              value_at(nb.body, path));
        } else if (na.id && nb.id && !ids[na.client_space ? 0 : 1].consistent(*na.id, *nb.id)) {
            why = fmt::format(
                "  packet id: {} in {} and {} in {} are not the same renaming as "
                "before",
                *na.id, sa.name, *nb.id, sb.name);
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
        const prepared_stream& longer = a_longer ? a : b;
        const std::size_t common = std::min(pa.size(), pb.size());
        const std::size_t extra = longer.packets[d].size() - common;
        out << fmt::format("stream {}, {}: {} has {} more packet{}, the first:\n", number, where,
                           a_longer ? sa.name : sb.name, extra, extra == 1 ? "" : "s")
            << describe(a_longer ? sa : sb, *longer.packets[d][common], longer.norm[d][common])
            << '\n';
        return false;
    }
    return true;
}

// Whether stream `a` and stream `b` are the same flow; writes the first difference (as stream
// `number`) to `out` when not.
bool same_stream(int number, const prepared_stream& a, const prepared_stream& b, const side& sa,
                 const side& sb, std::ostream& out) {
    id_renaming ids[2];
    for (std::size_t d = 0; d < 2; ++d) {
        if (!same_direction(number, d, a, b, sa, sb, ids, out)) return false;
    }
    // Whether a stream went wrong, not the words: they name frame and sequence numbers, which
    // differ between a tool's own capture and tshark's of the same flow.
    const auto first_problem = [](const captured_stream& s) {
        return s.problems.empty() ? std::string("no problem") : s.problems.front().text;
    };
    if (a.stream->problems.empty() != b.stream->problems.empty()) {
        out << fmt::format("stream {}: {}: {}; {}: {}\n", number, sa.name, first_problem(*a.stream),
                           sb.name, first_problem(*b.stream));
        return false;
    }
    return true;
}

std::string without_last_newline(std::string s) {
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

}  // namespace

flow_comparison compare_streams(const std::vector<captured_stream>& a,
                                const std::vector<captured_stream>& b, const flow_normalisation& n,
                                const char* name_a, const char* name_b) {
    const rules r = prepare(n);
    std::vector<prepared_stream> pa, pb;
    for (const captured_stream& s : a)
        pa.push_back(prepare(s, r));
    for (const captured_stream& s : b)
        pb.push_back(prepare(s, r));

    const side sa{name_a, first_time(a)}, sb{name_b, first_time(b)};
    std::vector<int> partner(a.size(), -1);  // B's stream for each of A's
    std::vector<bool> taken(b.size(), false);
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = 0; j < b.size() && partner[i] < 0; ++j) {
            std::ostringstream ignored;
            if (!taken[j] && same_stream(int(i + 1), pa[i], pb[j], sa, sb, ignored)) {
                partner[i] = int(j);
                taken[j] = true;
            }
        }
    }
    // The streams left pair in order; the first of them that differs is the difference.
    std::vector<std::size_t> rest_a, rest_b;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (partner[i] < 0) rest_a.push_back(i);
    for (std::size_t j = 0; j < b.size(); ++j)
        if (!taken[j]) rest_b.push_back(j);
    std::ostringstream out;
    for (std::size_t k = 0; k < std::min(rest_a.size(), rest_b.size()); ++k) {
        const std::size_t i = rest_a[k], j = rest_b[k];
        if (i != j)
            out << fmt::format("stream {} of {} against stream {} of {}:\n", i + 1, name_a, j + 1,
                               name_b);
        if (!same_stream(int(i + 1), pa[i], pb[j], sa, sb, out))
            return {without_last_newline(out.str()), {}};
    }
    if (a.size() != b.size()) {
        out << fmt::format("{} has {} MQTT stream{}, {} has {}", name_a, a.size(),
                           a.size() == 1 ? "" : "s", name_b, b.size());
        return {out.str(), {}};
    }
    std::size_t packets = 0;
    std::string moved;
    for (std::size_t i = 0; i < a.size(); ++i) {
        packets += a[i].packets.size();
        if (partner[i] >= 0 && std::size_t(partner[i]) != i)
            moved += fmt::format("{}{}{} = {}{}", moved.empty() ? "" : ", ", name_a, i + 1, name_b,
                                 partner[i] + 1);
    }
    return {std::nullopt,
            fmt::format("same MQTT flow: {} stream{}, {} packets{}", a.size(),
                        a.size() == 1 ? "" : "s", packets,
                        moved.empty() ? "" : " (streams opened in another order: " + moved + ")")};
}

std::optional<std::string> compare_flows(const capture_contents& a, const capture_contents& b,
                                         const flow_normalisation& n, const char* name_a,
                                         const char* name_b) {
    return compare_streams(a.streams, b.streams, n, name_a, name_b).difference;
}

}  // namespace mqtt::tools
