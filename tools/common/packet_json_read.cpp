// JSON -> packet: the reading half of packet_json.hpp (the writing half is packet_json.cpp).
#include "tools/common/packet_json.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "protocol/property.hpp"
#include "tools/common/hex.hpp"

namespace mqtt::tools {

namespace {

[[noreturn]] void fail(std::string_view path, std::string_view problem) {
    throw json_packet_error(fmt::format("{}: {}", path, problem));
}

// A short rendering of a JSON value for error messages.
std::string shown(const json& v) {
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return s;
}

std::string child(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}
std::string element(std::string_view path, std::size_t i) {
    return fmt::format("{}[{}]", path, i);
}

std::uint64_t as_integer(const json& v, std::string_view path, std::uint64_t max) {
    // Numbers built in code may be signed; parsed non-negative numbers are unsigned.
    const bool non_negative =
        v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!non_negative || v.get<std::uint64_t>() > max) {
        fail(path, fmt::format("expected an integer 0..{}, got {}", max, shown(v)));
    }
    return v.get<std::uint64_t>();
}

bool as_bool(const json& v, std::string_view path) {
    if (!v.is_boolean()) fail(path, fmt::format("expected true or false, got {}", shown(v)));
    return v.get<bool>();
}

std::string_view as_string(const json& v, std::string_view path, owned_packet& store) {
    if (!v.is_string()) fail(path, fmt::format("expected a string, got {}", shown(v)));
    return store.keep(v.get<std::string>());
}

bytes_view as_hex(const json& v, std::string_view path, owned_packet& store) {
    if (!v.is_string()) fail(path, fmt::format("expected a hex string, got {}", shown(v)));
    std::vector<std::uint8_t> bytes;
    std::string error;
    if (!parse_hex_strict(v.get_ref<const std::string&>(), bytes, error)) fail(path, error);
    return store.keep(std::move(bytes));
}

const json& as_array(const json& v, std::string_view path) {
    if (!v.is_array()) fail(path, fmt::format("expected an array, got {}", shown(v)));
    return v;
}

// One JSON object being read: checks its keys against the ones allowed, then hands out values.
class object_reader {
  public:
    object_reader(const json& j, std::string path, owned_packet& store,
                  std::initializer_list<std::string_view> allowed)
        : j_(j), path_(std::move(path)), store_(store) {
        if (!j.is_object()) {
            fail(path_.empty() ? "packet" : path_,
                 fmt::format("expected a JSON object, got {}", shown(j)));
        }
        for (const auto& item : j.items()) {
            if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
                fail(child(path_, item.key()), "unknown key");
            }
        }
    }

    const json* find(std::string_view key) const {
        const auto it = j_.find(std::string(key));
        return it == j_.end() ? nullptr : &*it;
    }
    std::string path(std::string_view key) const { return child(path_, key); }

    std::uint64_t integer(std::string_view key, std::uint64_t max, std::uint64_t def) const {
        const json* v = find(key);
        return v ? as_integer(*v, path(key), max) : def;
    }
    bool boolean(std::string_view key, bool def) const {
        const json* v = find(key);
        return v ? as_bool(*v, path(key)) : def;
    }
    std::string_view string(std::string_view key) const {
        const json* v = find(key);
        return v ? as_string(*v, path(key), store_) : std::string_view{};
    }
    std::optional<std::string_view> optional_string(std::string_view key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        return as_string(*v, path(key), store_);
    }
    // Binary data given either as hex (`hex_key`) or as text (`text_key`), not both.
    std::optional<bytes_view> binary(std::string_view hex_key, std::string_view text_key) const {
        const json* hex = find(hex_key);
        const json* text = find(text_key);
        if (hex && text)
            fail(path(text_key), fmt::format("give {} or {}, not both", hex_key, text_key));
        if (hex) return as_hex(*hex, path(hex_key), store_);
        if (text) return as_bytes(as_string(*text, path(text_key), store_));
        return std::nullopt;
    }
    reason_code reason(std::string_view key) const { return reason_code(integer(key, 0xFF, 0)); }
    mqtt::qos qos(std::string_view key) const {
        return mqtt::qos(integer(key, 3, 0));  // 3 is kept: check_packet refuses it
    }
    void props(properties& out) const {
        if (const json* v = find("properties")) {
            properties_from_json(*v, path("properties"), store_, out);
        }
    }
    owned_packet& store() const { return store_; }

  private:
    const json& j_;
    std::string path_;
    owned_packet& store_;
};

std::uint16_t packet_id(const object_reader& r) {
    return std::uint16_t(r.integer("packet_id", 0xFFFF, 1));
}

will_message will_from_json(const json& j, owned_packet& store) {
    const object_reader r(j, "will", store,
                          {"topic", "payload_hex", "payload", "qos", "retain", "properties"});
    will_message w;
    w.topic = r.string("topic");
    w.payload = r.binary("payload_hex", "payload").value_or(bytes_view{});
    w.qos = r.qos("qos");
    w.retain = r.boolean("retain", false);
    r.props(w.props);
    return w;
}

subscription subscription_from_json(const json& j, std::string path, owned_packet& store) {
    const object_reader r(
        j, std::move(path), store,
        {"topic_filter", "qos", "no_local", "retain_as_published", "retain_handling"});
    subscription s;
    s.topic_filter = r.string("topic_filter");
    s.max_qos = r.qos("qos");
    s.no_local = r.boolean("no_local", false);
    s.retain_as_published = r.boolean("retain_as_published", false);
    s.retain_handling = retain_handling(r.integer("retain_handling", 3, 0));
    return s;
}

list_view<reason_code> reason_codes_from_json(const object_reader& r) {
    std::vector<reason_code> codes;
    if (const json* v = r.find("reason_codes")) {
        const std::string path = r.path("reason_codes");
        for (std::size_t i = 0; i < as_array(*v, path).size(); ++i) {
            codes.push_back(reason_code(as_integer((*v)[i], element(path, i), 0xFF)));
        }
    }
    return r.store().keep(std::move(codes));
}

packet body_from_json(packet_type type, const json& j, owned_packet& store) {
    switch (type) {
        case packet_type::connect: {
            const object_reader r(j, "", store,
                                  {"type", "clean_start", "keep_alive", "properties", "client_id",
                                   "will", "username", "password_hex", "password"});
            connect p;
            p.clean_start = r.boolean("clean_start", true);
            p.keep_alive = std::uint16_t(r.integer("keep_alive", 0xFFFF, 0));
            r.props(p.props);
            p.client_id = r.string("client_id");
            if (const json* w = r.find("will")) p.will = will_from_json(*w, store);
            p.username = r.optional_string("username");
            p.password = r.binary("password_hex", "password");
            return p;
        }
        case packet_type::connack: {
            const object_reader r(j, "", store,
                                  {"type", "session_present", "reason_code", "properties"});
            connack p;
            p.session_present = r.boolean("session_present", false);
            p.reason = r.reason("reason_code");
            r.props(p.props);
            return p;
        }
        case packet_type::publish: {
            const object_reader r(j, "", store,
                                  {"type", "dup", "qos", "retain", "topic", "packet_id",
                                   "properties", "payload_hex", "payload"});
            publish p;
            p.dup = r.boolean("dup", false);
            p.qos = r.qos("qos");
            p.retain = r.boolean("retain", false);
            p.topic = r.string("topic");
            // A QoS 0 PUBLISH has no Packet Identifier (MQTT-2.2.1-2); 0 or null is taken as
            // "none", as other tools write it, any other value is an error.
            if (const auto* id = r.find("packet_id");
                p.qos == qos::at_most_once && id && !id->is_null() && *id != 0) {
                fail("packet_id", "a QoS 0 PUBLISH has no Packet Identifier (MQTT-2.2.1-2)");
            }
            if (p.qos != qos::at_most_once) p.packet_id = packet_id(r);
            r.props(p.props);
            p.payload = r.binary("payload_hex", "payload").value_or(bytes_view{});
            return p;
        }
        case packet_type::puback:
        case packet_type::pubrec:
        case packet_type::pubrel:
        case packet_type::pubcomp: {
            const object_reader r(j, "", store, {"type", "packet_id", "reason_code", "properties"});
            auto fill = [&](auto p) -> packet {
                p.packet_id = packet_id(r);
                p.reason = r.reason("reason_code");
                r.props(p.props);
                return p;
            };
            if (type == packet_type::puback) return fill(puback{});
            if (type == packet_type::pubrec) return fill(pubrec{});
            if (type == packet_type::pubrel) return fill(pubrel{});
            return fill(pubcomp{});
        }
        case packet_type::subscribe: {
            const object_reader r(j, "", store,
                                  {"type", "packet_id", "properties", "subscriptions"});
            subscribe p;
            p.packet_id = packet_id(r);
            r.props(p.props);
            std::vector<subscription> subs;
            if (const json* v = r.find("subscriptions")) {
                const std::string path = r.path("subscriptions");
                for (std::size_t i = 0; i < as_array(*v, path).size(); ++i) {
                    subs.push_back(subscription_from_json((*v)[i], element(path, i), store));
                }
            }
            p.subscriptions = store.keep(std::move(subs));
            return p;
        }
        case packet_type::suback:
        case packet_type::unsuback: {
            const object_reader r(j, "", store,
                                  {"type", "packet_id", "properties", "reason_codes"});
            auto fill = [&](auto p) -> packet {
                p.packet_id = packet_id(r);
                r.props(p.props);
                p.reason_codes = reason_codes_from_json(r);
                return p;
            };
            if (type == packet_type::suback) return fill(suback{});
            return fill(unsuback{});
        }
        case packet_type::unsubscribe: {
            const object_reader r(j, "", store,
                                  {"type", "packet_id", "properties", "topic_filters"});
            unsubscribe p;
            p.packet_id = packet_id(r);
            r.props(p.props);
            std::vector<std::string_view> filters;
            if (const json* v = r.find("topic_filters")) {
                const std::string path = r.path("topic_filters");
                for (std::size_t i = 0; i < as_array(*v, path).size(); ++i) {
                    filters.push_back(as_string((*v)[i], element(path, i), store));
                }
            }
            p.topic_filters = store.keep(std::move(filters));
            return p;
        }
        case packet_type::pingreq:
            (void)object_reader(j, "", store, {"type"});
            return pingreq{};
        case packet_type::pingresp:
            (void)object_reader(j, "", store, {"type"});
            return pingresp{};
        case packet_type::disconnect:
        case packet_type::auth: {
            const object_reader r(j, "", store, {"type", "reason_code", "properties"});
            auto fill = [&](auto p) -> packet {
                p.reason = r.reason("reason_code");
                r.props(p.props);
                return p;
            };
            if (type == packet_type::disconnect) return fill(disconnect{});
            return fill(auth{});
        }
    }
    fail("type", "unknown packet type");
}

packet_type type_from_json(const json& j) {
    if (!j.is_object()) fail("packet", fmt::format("expected a JSON object, got {}", shown(j)));
    const auto it = j.find("type");
    if (it == j.end()) fail("type", "missing (e.g. \"type\": \"PUBLISH\")");
    if (!it->is_string()) fail("type", fmt::format("expected a string, got {}", shown(*it)));
    const std::string& name = it->get_ref<const std::string&>();
    for (int t = 1; t <= 15; ++t) {
        const std::string_view known = packet_type_name(packet_type(t));
        if (std::equal(name.begin(), name.end(), known.begin(), known.end(), [](char a, char b) {
                return std::toupper(static_cast<unsigned char>(a)) == b;
            })) {
            return packet_type(t);
        }
    }
    fail("type", fmt::format("unknown packet type {}", shown(*it)));
}

// One value of property `info` from JSON: numbers in its data type's range (the value rules,
// such as Receive Maximum > 0, are check_packet's to judge), strings, binary data as hex, and a
// UTF-8 String Pair as [name, value].
template <class T>
T value_from_json(const property_info& info, const json& v, const std::string& path,
                  owned_packet& store) {
    if constexpr (std::is_same_v<T, std::string_view>) {
        return as_string(v, path, store);
    } else if constexpr (std::is_same_v<T, bytes_view>) {
        return as_hex(v, path, store);
    } else if constexpr (std::is_same_v<T, string_pair>) {
        if (!v.is_array() || v.size() != 2) {
            fail(path, fmt::format("expected [name, value], got {}", shown(v)));
        }
        return {as_string(v[0], element(path, 0), store), as_string(v[1], element(path, 1), store)};
    } else {
        return T(as_integer(v, path, max_of(info.type)));
    }
}

// Sets the member of `out` that holds property `info` from JSON value `v`. A repeatable property
// takes an array of values in wire order; a single value is taken as an array of one.
void set_property(const property_info& info, const json& v, const std::string& path,
                  owned_packet& store, properties& out) {
    visit_member(out, info.id, [&](auto& member) {
        using M = std::decay_t<decltype(member)>;
        using T = typename M::value_type;
        if constexpr (is_list_view<M>) {
            std::vector<T> items;
            if (v.is_array()) {
                for (std::size_t i = 0; i < v.size(); ++i)
                    items.push_back(value_from_json<T>(info, v[i], element(path, i), store));
            } else {
                items.push_back(value_from_json<T>(info, v, path, store));
            }
            member = store.keep(std::move(items));
        } else {
            member = value_from_json<T>(info, v, path, store);
        }
    });
}

}  // namespace

void properties_from_json(const json& j, std::string_view path, owned_packet& store,
                          properties& out) {
    if (!j.is_object()) fail(path, fmt::format("expected a JSON object, got {}", shown(j)));
    for (const auto& item : j.items()) {
        const std::string at = child(path, item.key());
        const property_info* info = find_property(std::string_view(item.key()));
        if (!info) fail(at, "unknown property");
        set_property(*info, item.value(), at, store, out);
    }
}

namespace {

// An MQTT 3.1.1 object (packet_to_json's 3.1.1 keys) as the v5 object of the same packet, which
// body_from_json reads: clean_session is clean_start, a CONNACK's return_code the v5 reason code
// of its meaning, SUBACK's return_codes its reason_codes. Keys 3.1.1 does not have are refused,
// so a v5 field is never taken silently; check_packet refuses values 3.1.1 cannot carry.
json v311_as_v5(packet_type type, json j) {
    for (const char* key : {"clean_start", "reason_code", "reason_codes", "properties"}) {
        if (j.contains(key)) fail(key, "not in MQTT 3.1.1 (protocol_version 4)");
    }
    if (const json* w = j.contains("will") ? &j["will"] : nullptr;
        w && w->is_object() && w->contains("properties")) {
        fail("will.properties", "not in MQTT 3.1.1 (protocol_version 4)");
    }
    const auto rename = [&j](const char* from, const char* to) {
        if (!j.contains(from)) return;
        j[to] = j[from];
        j.erase(from);
    };
    rename("clean_session", "clean_start");
    rename("return_codes", "reason_codes");
    if (type == packet_type::connack && j.contains("return_code")) {
        const auto code = as_integer(j["return_code"], "return_code", 5);  // 3.1.1 Table 3.1
        j["reason_code"] = int(to_byte(to_reason_code(connect_return_code(code))));
        j.erase("return_code");
    }
    return j;
}

}  // namespace

owned_packet packet_from_json(const json& j) {
    owned_packet out;
    const packet_type type = type_from_json(j);
    if (!j.contains("protocol_version")) {
        out.packet = body_from_json(type, j, out);
        return out;
    }
    const auto level = as_integer(j["protocol_version"], "protocol_version", 5);
    if (level != 4 && level != 5) {
        fail("protocol_version", level == 3
                                     ? "MQTT 3.1 (3) is read, not encoded: give 4 (MQTT 3.1.1) or 5"
                                     : "expected 4 (MQTT 3.1.1) or 5");
    }
    json rest = j;
    rest.erase("protocol_version");
    if (level == 5) {
        out.packet = body_from_json(type, rest, out);
        return out;
    }
    out.version = protocol_version::v311;
    out.packet = body_from_json(type, v311_as_v5(type, std::move(rest)), out);
    if (connect* c = std::get_if<connect>(&out.packet)) c->protocol_version = out.version;
    return out;
}

}  // namespace mqtt::tools
