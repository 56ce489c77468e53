// The 15 MQTT v5 control packets (spec chapter 3) as plain structs, and `packet`, a variant of
// them. Field names follow the spec. Decoded strings, binary data and lists are views into the
// received bytes (see list_view.hpp); to encode, point them at data the caller keeps alive until
// encode() returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "protocol/list_view.hpp"
#include "protocol/property.hpp"
#include "protocol/reason_code.hpp"
#include "protocol/types.hpp"

namespace mqtt {

// Will Message fields of the CONNECT payload (spec 3.1.2.5 - 3.1.2.7, 3.1.3.2 - 3.1.3.4).
struct will_message {
    std::string_view topic;
    bytes_view payload;
    mqtt::qos qos = qos::at_most_once;
    bool retain = false;
    properties props;  // Will Properties
    friend bool operator==(const will_message&, const will_message&);
};

struct connect {  // 3.1
    bool clean_start = true;
    std::uint16_t keep_alive = 0;  // seconds; 0 turns keep-alive off
    properties props;
    std::string_view client_id;
    std::optional<will_message> will;
    std::optional<std::string_view> username;
    std::optional<bytes_view> password;
    // The Protocol Level: 5, or 4 for MQTT 3.1.1 (no properties; the password needs a user name;
    // an empty client_id needs clean_start, which 3.1.1 calls Clean Session).
    mqtt::protocol_version protocol_version = mqtt::protocol_version::v5;
    friend bool operator==(const connect&, const connect&);
};

struct connack {  // 3.2
    bool session_present = false;
    reason_code reason = reason_code::success;
    properties props;
    friend bool operator==(const connack&, const connack&) = default;
};

struct publish {  // 3.3
    bool dup = false;
    mqtt::qos qos = qos::at_most_once;
    bool retain = false;
    std::string_view topic;       // may be empty when a Topic Alias is set
    std::uint16_t packet_id = 0;  // only on the wire for QoS 1 and 2
    properties props;
    bytes_view payload;
    friend bool operator==(const publish&, const publish&);
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape (3.4 - 3.7).
template <packet_type Type>
struct publish_response {
    static constexpr packet_type type = Type;
    std::uint16_t packet_id = 0;
    reason_code reason = reason_code::success;
    properties props;
    friend bool operator==(const publish_response&, const publish_response&) = default;
};
using puback = publish_response<packet_type::puback>;
using pubrec = publish_response<packet_type::pubrec>;
using pubrel = publish_response<packet_type::pubrel>;
using pubcomp = publish_response<packet_type::pubcomp>;

// Subscription Options, spec 3.8.3.1.
enum class retain_handling : std::uint8_t {
    send_on_subscribe = 0,
    send_if_new_subscription = 1,
    do_not_send = 2,
};

struct subscription {
    std::string_view topic_filter;
    mqtt::qos max_qos = qos::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    mqtt::retain_handling retain_handling = retain_handling::send_on_subscribe;
    friend bool operator==(const subscription&, const subscription&) = default;
};

struct subscribe {  // 3.8
    std::uint16_t packet_id = 0;
    properties props;
    list_view<subscription> subscriptions;
    friend bool operator==(const subscribe&, const subscribe&) = default;
};

struct suback {  // 3.9
    std::uint16_t packet_id = 0;
    properties props;
    list_view<reason_code> reason_codes;
    friend bool operator==(const suback&, const suback&) = default;
};

struct unsubscribe {  // 3.10
    std::uint16_t packet_id = 0;
    properties props;
    list_view<std::string_view> topic_filters;
    friend bool operator==(const unsubscribe&, const unsubscribe&) = default;
};

struct unsuback {  // 3.11
    std::uint16_t packet_id = 0;
    properties props;
    list_view<reason_code> reason_codes;
    friend bool operator==(const unsuback&, const unsuback&) = default;
};

struct pingreq {  // 3.12
    friend bool operator==(const pingreq&, const pingreq&) = default;
};
struct pingresp {  // 3.13
    friend bool operator==(const pingresp&, const pingresp&) = default;
};

struct disconnect {                             // 3.14
    reason_code reason = reason_code::success;  // Normal disconnection
    properties props;
    friend bool operator==(const disconnect&, const disconnect&) = default;
};

struct auth {  // 3.15
    reason_code reason = reason_code::success;
    properties props;
    friend bool operator==(const auth&, const auth&) = default;
};

// Alternatives are in packet-type order, so index() + 1 is the packet type.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

inline packet_type type_of(const packet& p) {
    return packet_type(p.index() + 1);
}

}  // namespace mqtt
