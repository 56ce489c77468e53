// What the normative session tests (normative_*_test.cpp) share. Those tests hold one test per
// client-side normative statement that the other session tests do not already cite by id. Each
// test is named after its statement and checks the session's behaviour on the wire: the bytes the
// session writes are taken raw from take_output() and split by hand here (spec 2.1), so a bug our
// encoder and decoder share cannot hide a violation.
//
// Not tested, because they cannot apply to this session:
//   MQTT-4.3.3-9   the session never sends PUBREC >= 0x80 (it takes every QoS 2 message), so
//                  "after a failed PUBREC, a same-id PUBLISH is new" is vacuous.
//   MQTT-3.4.2-2/3, MQTT-3.5.2-2/3, MQTT-3.6.2-2/3, MQTT-3.7.2-2/3
//                  the session puts no Reason String or User Property on PUBACK, PUBREC, PUBREL
//                  or PUBCOMP (its API has no way to ask for one), so none can be too large.
//   MQTT-3.15.2-2/3
//                  the AUTH packets the session sends carry only the Authentication Method and
//                  Data: no Reason String, no User Property.
//   MQTT-4.3.3-7, MQTT-4.3.3-13
//                  the session applies no message expiry at all: it never drops or rewrites a
//                  message for its Message Expiry Interval.
// Not the session's: the codec's (MQTT-1.5.4-3, 1.5.5-1, 2.1.3-1, 3.1.2-1, 3.6.1-1, 3.8.1-1,
// 3.10.1-1, 3.15.1-1: the encoder writes these fields), the transport's (MQTT-4.2.0-1) and
// WebSocket's (MQTT-6.0.0-1..3).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "client/session/authenticator.hpp"
#include "client/session/session.hpp"
#include "tests/protocol/test_support.hpp"
#include "tests/session/helpers.hpp"

namespace mqtt::session::test {

using mqtt::test::concat;
using mqtt::test::encode_to_vector;
using mqtt::test::hex;
using mqtt::test::to_hex;

// ---------------------------------------------------------------------------------------------
// Reading the session's raw output

// One packet as the session wrote it: the first byte (type and flags) and the bytes the
// Remaining Length covers, split by hand from the output.
struct raw_packet {
    std::uint8_t first = 0;
    byte_vector body;
    byte_vector whole;
    std::uint8_t type() const { return first >> 4; }
    std::uint16_t u16(std::size_t at) const {
        return at + 1 < body.size() ? std::uint16_t(body[at] << 8 | body[at + 1]) : 0;
    }
};

inline std::vector<raw_packet> split(const byte_vector& out) {
    std::vector<raw_packet> packets;
    std::size_t i = 0;
    while (i < out.size()) {
        raw_packet p;
        p.first = out[i];
        std::size_t j = i + 1;
        std::uint32_t length = 0;
        for (unsigned shift = 0;; shift += 7) {
            if (j >= out.size() || shift > 21) {
                ADD_FAILURE() << "bad Remaining Length in " << to_hex(out);
                return packets;
            }
            const std::uint8_t b = out[j++];
            length |= std::uint32_t(b & 0x7F) << shift;
            if (!(b & 0x80)) break;
        }
        if (out.size() - j < length) {
            ADD_FAILURE() << "truncated packet in " << to_hex(out);
            return packets;
        }
        p.body.assign(out.begin() + std::ptrdiff_t(j), out.begin() + std::ptrdiff_t(j + length));
        p.whole.assign(out.begin() + std::ptrdiff_t(i), out.begin() + std::ptrdiff_t(j + length));
        packets.push_back(std::move(p));
        i = j + length;
    }
    return packets;
}

// The only packet in `out`.
inline raw_packet one_packet(const byte_vector& out) {
    const std::vector<raw_packet> packets = split(out);
    if (packets.size() != 1) {
        ADD_FAILURE() << "expected one packet, the session wrote " << packets.size() << ": "
                      << to_hex(out);
        return {};
    }
    return packets.front();
}

// Packet types (spec 2.1.2).
inline constexpr std::uint8_t connect_type = 1, publish_type = 3, pubrel_type = 6,
                              subscribe_type = 8, auth_type = 15;

// The reason code of a PUBACK, PUBREC, PUBREL or PUBCOMP: absent (Remaining Length 2) means 0x00
// (spec 3.4.2.1).
inline std::uint8_t ack_reason(const raw_packet& p) {
    return p.body.size() > 2 ? p.body[2] : 0x00;
}
// The reason code of a DISCONNECT or AUTH: absent (Remaining Length 0) means 0x00.
inline std::uint8_t first_reason(const raw_packet& p) {
    return p.body.empty() ? 0x00 : p.body[0];
}
// The Packet Identifier of a QoS 1/2 PUBLISH: after the Topic Name.
inline std::uint16_t publish_id(const raw_packet& p) {
    return p.u16(2 + p.u16(0));
}

// The reason codes each packet may carry, copied from the spec's tables (not from our codec).
inline const std::set<std::uint8_t> puback_reasons = {0x00, 0x10, 0x80, 0x83, 0x87,
                                                      0x90, 0x91, 0x97, 0x99};  // 3.4.2.1
inline const std::set<std::uint8_t> pubrec_reasons = puback_reasons;            // 3.5.2.1
inline const std::set<std::uint8_t> pubrel_reasons = {0x00, 0x92};              // 3.6.2.1
inline const std::set<std::uint8_t> pubcomp_reasons = {0x00, 0x92};             // 3.7.2.1
inline const std::set<std::uint8_t>
    disconnect_reasons = {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                          0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                          0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};  // 3.14.2.1
inline const std::set<std::uint8_t> auth_reasons = {0x00, 0x18, 0x19};            // 3.15.2.1

// ---------------------------------------------------------------------------------------------
// Driving the session

inline connect_options keep_session(std::uint32_t expiry = 600) {
    connect_options o;
    o.client_id = "normative";
    o.session_expiry_interval = expiry;
    return o;
}

inline connack session_present() {
    connack ack;
    ack.session_present = true;
    return ack;
}

// A new network connection for `c`: returns what followed CONNACK `ack`; the CONNECT sent before
// it goes to `connect_bytes`.
inline byte_vector reconnect(connected_session& c, const connack& ack,
                             byte_vector* connect_bytes = nullptr) {
    c.s.connection_lost(c.peer.now);
    c.s.connection_opened(c.peer.now);
    byte_vector connect = c.out();
    EXPECT_EQ(one_packet(connect).type(), connect_type) << to_hex(connect);
    if (connect_bytes) *connect_bytes = std::move(connect);
    return c.server(ack);
}

// Publishes `m`, which must go out at once as one PUBLISH; returns its Packet Identifier, read
// from the raw bytes.
inline std::uint16_t publish_raw(connected_session& c, message m) {
    const command_result r = c.s.publish(std::move(m), c.peer.now);
    EXPECT_TRUE(r) << r.detail;
    const std::vector<raw_packet> packets = split(c.out());
    if (packets.size() != 1 || packets[0].type() != publish_type) {
        ADD_FAILURE() << "expected one PUBLISH, the session wrote " << packets.size() << " packets";
        return 0;
    }
    return publish_id(packets[0]);
}

template <class E>
inline std::size_t count(const std::vector<event>& events) {
    std::size_t n = 0;
    for (const event& e : events)
        n += std::holds_alternative<E>(e) ? 1 : 0;
    return n;
}

// A command refused locally: the error, and nothing written, queued or reported.
inline void expect_refused(connected_session& c, const command_result& r, errc e) {
    EXPECT_FALSE(r);
    EXPECT_EQ(r.error, e) << r.error.message() << ": " << r.detail;
    const byte_vector written = c.out();
    EXPECT_TRUE(written.empty()) << "refused, yet the session wrote " << to_hex(written);
    c.peer.expect_no_event();
    EXPECT_EQ(c.s.queued(), 0u);
    EXPECT_FALSE(c.s.wants_close());
}

inline void expect_publish_refused(connected_session& c, message m, errc e) {
    for (qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
        SCOPED_TRACE(int(q));
        m.qos = q;
        expect_refused(c, c.s.publish(m, c.peer.now), e);
    }
}

// The SUBSCRIBE written for `filter` carries exactly that filter (UTF-8 Encoded String, 3.8.3).
inline void expect_subscribed(connected_session& c, const std::string& filter) {
    const command_result r = c.s.subscribe({sub(filter)}, {}, c.peer.now);
    ASSERT_TRUE(r) << filter << ": " << r.detail;
    const raw_packet p = one_packet(c.out());
    ASSERT_EQ(p.type(), subscribe_type);
    // Packet Identifier (2), Property Length 0 (1), then the filter's length and bytes.
    ASSERT_GE(p.body.size(), 5u + filter.size());
    EXPECT_EQ(p.u16(3), filter.size());
    EXPECT_EQ(std::string(p.body.begin() + 5, p.body.begin() + 5 + std::ptrdiff_t(filter.size())),
              filter);
}

// A tiny enhanced-authentication method: data "hi" to start, "ok" for every challenge.
class toy_authenticator final : public authenticator {
  public:
    bool give_up = false;
    std::string method() const override { return "TOY"; }
    std::optional<byte_vector> start(bool) override { return byte_vector{'h', 'i'}; }
    std::optional<byte_vector> step(const std::optional<byte_vector>&) override {
        if (give_up) return std::nullopt;
        return byte_vector{'o', 'k'};
    }
    bool finish(const std::optional<byte_vector>&) override { return true; }
};

inline auth server_auth(reason_code rc) {
    auth a;
    a.reason = rc;
    a.props.authentication_method = "TOY";
    return a;
}

}  // namespace mqtt::session::test
