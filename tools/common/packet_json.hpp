// Packets <-> JSON, the format of `mqtt-inspect decode --json` / `mqtt-inspect encode` and of the
// tools' `--trace=json`. One packet is one JSON object; tools/README.md lists every key.
//
// Writing (packet_to_json) follows fixed presence rules, so the output of one packet type always
// has the same keys: `type`, then the packet's fields in spec order; `properties` is always there
// (possibly {}) for the packet types that have properties; a PUBLISH has `packet_id` only at QoS
// 1 and 2; a CONNECT has `will`, `username` and `password_hex` only when present; `reason_code`
// is always there for the packets that carry one (also when it is 0x00 and was not on the wire).
//
// Reading (packet_from_json) takes the same objects. Every key but `type` is optional and takes
// the packet struct's default (qos 0, no properties, packet_id 1 where the packet needs one...).
// Unknown keys and values of the wrong type or range are errors naming the key. Reading does not
// judge whether the packet is valid MQTT: run mqtt::check_packet on the result for that.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/packets.hpp"

namespace mqtt::tools {

// Keys keep their insertion order, so objects print in spec order ("type" first).
using json = nlohmann::ordered_json;

// `version` is the stream's (a CONNECT's own wins). A packet of MQTT 3.1.1 (or 3.1) carries
// `"protocol_version": 4` (3) after `type` and only what that version has, by its names:
// `clean_session` in CONNECT, `return_code` (the 3.1.1 Connect Return Code) in CONNACK,
// `return_codes` in SUBACK, no `properties`, no `reason_code` in the acknowledgements, UNSUBACK
// or DISCONNECT. MQTT 5 packets have no `protocol_version` key: 5 is the default.
json packet_to_json(const packet& p, protocol_version version = protocol_version::v5);
// An object keyed by property_info::json_key, in identifier order; binary values as lowercase
// hex, `user_property` as [[name, value], ...] in wire order, `subscription_identifier` as an
// array of numbers.
json properties_to_json(const properties& props);

// What packet_from_json throws: the message names the key, e.g.
// `subscriptions[0].qos: expected an integer 0..3, got "1"`.
class json_packet_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A packet together with the storage its views point to: the strings, binary values and lists
// read from JSON. The storage is kept in deques of values that never move once added, so the
// views stay valid for the life of the owned_packet, also after it is moved (moving a deque
// moves no elements). Not copyable: a copy's views would point into the original.
class owned_packet {
  public:
    mqtt::packet packet;
    // The version the JSON said (`protocol_version`, 5 when absent): the one to encode it in.
    protocol_version version = protocol_version::v5;

    owned_packet() = default;
    owned_packet(const owned_packet&) = delete;
    owned_packet& operator=(const owned_packet&) = delete;
    owned_packet(owned_packet&&) = default;
    owned_packet& operator=(owned_packet&&) = default;

    // Store a value and return a view of the stored copy.
    std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }
    bytes_view keep(std::vector<std::uint8_t> b) { return bytes_.emplace_back(std::move(b)); }
    std::span<const std::uint32_t> keep(std::vector<std::uint32_t> v) {
        return u32s_.emplace_back(std::move(v));
    }
    std::span<const string_pair> keep(std::vector<string_pair> v) {
        return pairs_.emplace_back(std::move(v));
    }
    std::span<const subscription> keep(std::vector<subscription> v) {
        return subscriptions_.emplace_back(std::move(v));
    }
    std::span<const std::string_view> keep(std::vector<std::string_view> v) {
        return string_lists_.emplace_back(std::move(v));
    }
    std::span<const reason_code> keep(std::vector<reason_code> v) {
        return reason_codes_.emplace_back(std::move(v));
    }

  private:
    std::deque<std::string> strings_;
    std::deque<std::vector<std::uint8_t>> bytes_;
    std::deque<std::vector<std::uint32_t>> u32s_;
    std::deque<std::vector<string_pair>> pairs_;
    std::deque<std::vector<subscription>> subscriptions_;
    std::deque<std::vector<std::string_view>> string_lists_;
    std::deque<std::vector<reason_code>> reason_codes_;
};

// Reads one packet object, in the version its `protocol_version` says (4: the 3.1.1 keys
// packet_to_json writes; absent: 5). Throws json_packet_error.
owned_packet packet_from_json(const json& j);
// Reads a properties object into `out`, storing values in `storage`. `path` prefixes the keys
// in error messages (e.g. "will.properties"). Throws json_packet_error.
void properties_from_json(const json& j, std::string_view path, owned_packet& storage,
                          properties& out);

}  // namespace mqtt::tools
