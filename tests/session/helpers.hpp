// Builders and checks the session tests share: messages, subscriptions, acknowledgements, and a
// session already connected to the scripted server (scripted_peer.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "client/session/session.hpp"
#include "protocol/codec.hpp"
#include "tests/protocol/test_support.hpp"
#include "tests/session/scripted_peer.hpp"

namespace mqtt::session::test {

inline byte_vector bytes_of(std::string_view s) {
    return byte_vector(s.begin(), s.end());
}
inline byte_vector to_vector(bytes_view b) {
    return byte_vector(b.begin(), b.end());
}
inline user_property_list pairs_of(const list_view<string_pair>& l) {
    user_property_list out;
    for (const string_pair& p : l)
        out.emplace_back(std::string(p.name), std::string(p.value));
    return out;
}

// Whether a detail names `word` (details are for people: "Topic Name", "topic name", ...).
inline bool contains_ignoring_case(std::string_view text, std::string_view word) {
    auto lower = [](std::string_view s) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        return out;
    };
    return lower(text).find(lower(word)) != std::string::npos;
}

// "0x87 Not authorized", for failure messages.
inline std::string rc_name(reason_code rc) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s = "0x";
    s += digits[to_byte(rc) >> 4];
    s += digits[to_byte(rc) & 0xF];
    return s + " " + std::string(reason_code_name(rc));
}

// A message to publish.
inline message make_message(std::string topic, std::string_view payload, qos q,
                            bool retain = false) {
    message m;
    m.topic = std::move(topic);
    m.payload = bytes_of(payload);
    m.qos = q;
    m.retain = retain;
    return m;
}
// One whose payload does not matter: "p".
inline message make_message(std::string topic, qos q = qos::at_least_once) {
    return make_message(std::move(topic), "p", q);
}

inline subscription_request sub(std::string filter, qos q = qos::at_most_once) {
    subscription_request r;
    r.topic_filter = std::move(filter);
    r.max_qos = q;
    return r;
}

// The server's acknowledgements of our PUBLISHes, and its PUBREL for one of its own.
inline puback ack_of(std::uint16_t id, reason_code rc = reason_code::success) {
    puback a;
    a.packet_id = id;
    a.reason = rc;
    return a;
}
inline pubrec rec_of(std::uint16_t id, reason_code rc = reason_code::success) {
    pubrec a;
    a.packet_id = id;
    a.reason = rc;
    return a;
}
inline pubrel rel_of(std::uint16_t id) {
    pubrel a;
    a.packet_id = id;
    return a;
}
inline pubcomp comp_of(std::uint16_t id) {
    pubcomp a;
    a.packet_id = id;
    return a;
}

// Once the session is closing it sends nothing more (MQTT-3.14.4-1): not an acknowledgement for
// a PUBLISH the server still sends, not a PINGREQ however long we wait.
inline void expect_silence_from_now_on(scripted_peer& peer) {
    publish late;
    late.qos = qos::at_least_once;
    late.topic = "late/news";
    late.packet_id = 77;
    peer.reply(late);
    peer.advance(std::chrono::hours(2));
    peer.advance(std::chrono::hours(2));
    peer.expect_nothing_sent();
}

// Every command is refused with errc::closed once DISCONNECT was sent or received.
inline void expect_commands_closed(session& s, time_point now) {
    EXPECT_EQ(s.publish(make_message("a/b", "x", qos::at_most_once), now).error, errc::closed);
    EXPECT_EQ(s.publish(make_message("a/b", "x", qos::at_least_once), now).error, errc::closed);
    EXPECT_EQ(s.subscribe({{"a/#"}}, {}, now).error, errc::closed);
    EXPECT_EQ(s.unsubscribe({"a/#"}, {}, now).error, errc::closed);
    EXPECT_EQ(s.disconnect({}, now).error, errc::closed);
}

// A session connected to the scripted server: CONNECT sent, CONNACK `ack` received, `connected`
// taken. out() and server() read and feed raw bytes, for tests that check the wire by hand.
struct connected_session {
    explicit connected_session(connect_options o = {}, connack ack = {})
        : s(std::move(o)), peer(s) {
        peer.handshake(ack);
    }
    session s;
    scripted_peer peer;

    // What the session wrote since the last look, as bytes.
    byte_vector out() { return s.take_output(); }
    // The server sends `bytes` (or `p`, encoded by our encoder); returns what the session wrote.
    byte_vector server(const byte_vector& bytes) {
        s.receive(bytes, peer.now);
        return s.take_output();
    }
    byte_vector server(const packet& p) {
        byte_vector bytes(encoded_size(p, peer.version()).value_or(0));
        encode(p, bytes, peer.version());
        return server(bytes);
    }
};

// A server PUBLISH; its views point at string literals.
inline mqtt::publish server_publish(qos q, std::uint16_t id, std::string_view topic = "in/topic",
                                    std::string_view payload = "payload") {
    mqtt::publish p;
    p.qos = q;
    p.packet_id = q == qos::at_most_once ? 0 : id;
    p.topic = topic;
    p.payload = as_bytes(payload);
    return p;
}

// Every property a server PUBLISH can carry to a client, and the message_received it must become,
// field for field: the server forwards Payload Format Indicator, Response Topic, Correlation Data,
// the User Properties in order and Content Type unchanged (MQTT-3.3.2-4, -15, -16, -17, -18, -20)
// with the Subscription Identifiers that matched (MQTT-3.3.4-3), and the application gets exactly
// those.
struct full_inbound {
    const std::uint8_t correlation[3] = {0xCA, 0xFE, 0x00};
    const string_pair user[3] = {{"z", "1"}, {"a", "2"}, {"z", "3"}};
    const std::uint32_t sub_ids[2] = {7, 268'435'455};

    mqtt::publish packet(qos q, std::uint16_t id) const {
        mqtt::publish p = server_publish(q, id, "a/b/c", "hello");
        p.retain = true;
        p.props.payload_format_indicator = 1;
        p.props.message_expiry_interval = 3600;
        p.props.content_type = "application/json";
        p.props.response_topic = "reply/to";
        p.props.correlation_data = bytes_view(correlation);
        p.props.user_properties = std::span<const string_pair>(user);
        p.props.subscription_identifiers = std::span<const std::uint32_t>(sub_ids);
        return p;
    }
    message_received event(qos q, std::uint16_t id) const {
        message_received e;
        e.message.topic = "a/b/c";
        e.message.payload = bytes_of("hello");
        e.message.qos = q;
        e.message.retain = true;
        e.message.props.payload_format_indicator = 1;
        e.message.props.message_expiry_interval = 3600;
        e.message.props.content_type = "application/json";
        e.message.props.response_topic = "reply/to";
        e.message.props.correlation_data = byte_vector{0xCA, 0xFE, 0x00};
        e.message.props.user_properties = {{"z", "1"}, {"a", "2"}, {"z", "3"}};
        e.message.props.subscription_identifiers = {7, 268'435'455};
        e.packet_id = q == qos::at_most_once ? 0 : id;
        e.dup = false;
        return e;
    }
};

}  // namespace mqtt::session::test
