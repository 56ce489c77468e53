// Packet -> JSON: the writing half of packet_json.hpp (the reading half is packet_json_read.cpp).
#include "tools/common/packet_json.hpp"

#include <type_traits>

#include "protocol/property.hpp"
#include "tools/common/hex.hpp"

namespace mqtt::tools {

namespace {

std::string str(std::string_view s) {
    return std::string(s);
}
int qos_number(mqtt::qos q) {
    return int(q);
}
int reason_number(reason_code rc) {
    return int(to_byte(rc));
}

json will_to_json(const will_message& w) {
    json j = json::object();
    j["topic"] = str(w.topic);
    j["payload_hex"] = to_hex(w.payload);
    j["qos"] = qos_number(w.qos);
    j["retain"] = w.retain;
    j["properties"] = properties_to_json(w.props);
    return j;
}

json subscription_to_json(const subscription& s) {
    json j = json::object();
    j["topic_filter"] = str(s.topic_filter);
    j["qos"] = qos_number(s.max_qos);
    j["no_local"] = s.no_local;
    j["retain_as_published"] = s.retain_as_published;
    j["retain_handling"] = int(s.retain_handling);
    return j;
}

json reason_codes_to_json(const list_view<reason_code>& codes) {
    json a = json::array();
    for (reason_code rc : codes)
        a.push_back(reason_number(rc));
    return a;
}

void body_to_json(const connect& p, json& j) {
    j["clean_start"] = p.clean_start;
    j["keep_alive"] = p.keep_alive;
    j["properties"] = properties_to_json(p.props);
    j["client_id"] = str(p.client_id);
    if (p.will) j["will"] = will_to_json(*p.will);
    if (p.username) j["username"] = str(*p.username);
    if (p.password) j["password_hex"] = to_hex(*p.password);
}

void body_to_json(const connack& p, json& j) {
    j["session_present"] = p.session_present;
    j["reason_code"] = reason_number(p.reason);
    j["properties"] = properties_to_json(p.props);
}

void body_to_json(const publish& p, json& j) {
    j["dup"] = p.dup;
    j["qos"] = qos_number(p.qos);
    j["retain"] = p.retain;
    j["topic"] = str(p.topic);
    if (p.qos != qos::at_most_once) j["packet_id"] = p.packet_id;  // MQTT-2.2.1-2
    j["properties"] = properties_to_json(p.props);
    j["payload_hex"] = to_hex(p.payload);
}

template <packet_type T>
void body_to_json(const publish_response<T>& p, json& j) {
    j["packet_id"] = p.packet_id;
    j["reason_code"] = reason_number(p.reason);
    j["properties"] = properties_to_json(p.props);
}

void body_to_json(const subscribe& p, json& j) {
    j["packet_id"] = p.packet_id;
    j["properties"] = properties_to_json(p.props);
    json a = json::array();
    for (const subscription& s : p.subscriptions)
        a.push_back(subscription_to_json(s));
    j["subscriptions"] = std::move(a);
}

template <class Ack>  // SUBACK, UNSUBACK
void ack_to_json(const Ack& p, json& j) {
    j["packet_id"] = p.packet_id;
    j["properties"] = properties_to_json(p.props);
    j["reason_codes"] = reason_codes_to_json(p.reason_codes);
}
void body_to_json(const suback& p, json& j) {
    ack_to_json(p, j);
}
void body_to_json(const unsuback& p, json& j) {
    ack_to_json(p, j);
}

void body_to_json(const unsubscribe& p, json& j) {
    j["packet_id"] = p.packet_id;
    j["properties"] = properties_to_json(p.props);
    json a = json::array();
    for (std::string_view f : p.topic_filters)
        a.push_back(str(f));
    j["topic_filters"] = std::move(a);
}

void body_to_json(const pingreq&, json&) {}
void body_to_json(const pingresp&, json&) {}

template <class P>  // DISCONNECT, AUTH
void reason_and_properties_to_json(const P& p, json& j) {
    j["reason_code"] = reason_number(p.reason);
    j["properties"] = properties_to_json(p.props);
}
void body_to_json(const disconnect& p, json& j) {
    reason_and_properties_to_json(p, j);
}
void body_to_json(const auth& p, json& j) {
    reason_and_properties_to_json(p, j);
}

// An MQTT 3.1.1 (or 3.1) packet: what that version has, by its spec's names (3.1.1 chapter 3).
// No properties anywhere, no reason codes but CONNACK's and SUBACK's return codes.
void v3_body_to_json(const packet& p, json& j) {
    if (const connect* c = std::get_if<connect>(&p)) {
        j["clean_session"] = c->clean_start;
        j["keep_alive"] = c->keep_alive;
        j["client_id"] = str(c->client_id);
        if (c->will) {
            json w = will_to_json(*c->will);
            w.erase("properties");
            j["will"] = std::move(w);
        }
        if (c->username) j["username"] = str(*c->username);
        if (c->password) j["password_hex"] = to_hex(*c->password);
    } else if (const connack* a = std::get_if<connack>(&p)) {
        j["session_present"] = a->session_present;
        connect_return_code rc{};
        if (to_connect_return_code(a->reason, rc)) {
            j["return_code"] = int(rc);
        } else {
            j["reason_code"] = reason_number(a->reason);  // no 3.1.1 code: only from our structs
        }
    } else if (const suback* s = std::get_if<suback>(&p)) {
        j["packet_id"] = s->packet_id;
        j["return_codes"] = reason_codes_to_json(s->reason_codes);
    } else {
        std::visit([&](const auto& body) { body_to_json(body, j); }, p);
        j.erase("properties");
        if (j.contains("reason_code") && j["reason_code"] == 0) j.erase("reason_code");
        if (j.contains("reason_codes") && j["reason_codes"].empty()) j.erase("reason_codes");
    }
}

}  // namespace

json properties_to_json(const properties& props) {
    json j = json::object();
    visit_properties(props, [&](const property_info& info, const auto& v) {
        json value;
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, string_pair>) {
            value = json::array({str(v.name), str(v.value)});
        } else if constexpr (std::is_same_v<V, bytes_view>) {
            value = to_hex(v);
        } else if constexpr (std::is_same_v<V, std::string_view>) {
            value = str(v);
        } else {
            value = v;
        }
        // A repeatable property is an array of its values in wire order.
        if (info.repeatable()) {
            j[str(info.json_key)].push_back(std::move(value));
        } else {
            j[str(info.json_key)] = std::move(value);
        }
    });
    return j;
}

json packet_to_json(const packet& p, protocol_version version) {
    json j = json::object();
    j["type"] = str(packet_type_name(type_of(p)));
    if (const connect* c = std::get_if<connect>(&p)) version = c->protocol_version;
    if (version == protocol_version::v5) {
        std::visit([&](const auto& body) { body_to_json(body, j); }, p);
    } else {
        j["protocol_version"] = int(version);
        v3_body_to_json(p, j);
    }
    return j;
}

}  // namespace mqtt::tools
