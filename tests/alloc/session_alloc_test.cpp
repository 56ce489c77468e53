// The session allocates nothing per message once warmed up: publish(const message&) at QoS 0, 1
// and 2 with their acknowledgements, and received PUBLISHes at QoS 0, 1 and 2 whose messages
// the application gives back with recycle(). The global operator new/delete are replaced by
// counting versions (tools/bench/alloc_count.cpp); a separate binary, because that replacement
// affects the whole program. The session is driven by hand-written server bytes on a fixed
// clock, its output read with output() and clear_output() and its events drained after every
// input (session.hpp's call-order contract); the loops check what they can without allocating.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "client/session/session.hpp"
#include "tools/bench/alloc_count.hpp"

namespace mqtt::session {
namespace {

using bench::allocation_counter;  // the global allocation functions count (alloc_count.cpp)

constexpr std::size_t warm_up = 300;  // messages before counting
constexpr std::size_t counted = 1000;

constexpr std::uint8_t hi(std::uint16_t id) {
    return std::uint8_t(id >> 8);
}
constexpr std::uint8_t lo(std::uint16_t id) {
    return std::uint8_t(id & 0xFF);
}

// CONNACK: Session Present 0, Success, the server allows 10 Topic Aliases (ours to it).
constexpr std::array<std::uint8_t, 8> connack_bytes = {
    0x20, 0x06,        // CONNACK, Remaining Length 6
    0x00,              // Connect Acknowledge Flags: Session Present 0
    0x00,              // Reason Code 0x00 Success
    0x03,              // Property Length 3
    0x22, 0x00, 0x0A,  // Topic Alias Maximum 10
};

// A session connected to the scripted bytes above; it accepts 10 Topic Aliases from the server.
struct connected_session {
    connected_session() : s(options()) {
        s.connection_opened(now);
        s.clear_output();  // CONNECT
        s.receive(connack_bytes, now);
        s.clear_output();
        while (s.poll_event()) {
        }
        EXPECT_EQ(s.current_state(), state::connected);
    }
    static connect_options options() {
        connect_options o;
        o.client_id = "alloc-test";
        o.topic_alias_maximum = 10;
        return o;
    }

    // The server sends `bytes`.
    void server(std::span<const std::uint8_t> bytes) { s.receive(bytes, now); }
    // Whether the session's output since the last look is exactly `expected`; clears it.
    bool sent(std::span<const std::uint8_t> expected) {
        const bytes_view out = s.output();
        const bool same = std::equal(out.begin(), out.end(), expected.begin(), expected.end());
        s.clear_output();
        return same;
    }
    // Drains the events; the number of publish_completed events, each checked for success.
    std::size_t completed() {
        std::size_t n = 0;
        while (std::optional<event> e = s.poll_event()) {
            const auto* done = std::get_if<publish_completed>(&*e);
            if (done && !done->error && done->reason == reason_code::success) ++n;
        }
        return n;
    }

    session s;
    time_point now = time_point{} + std::chrono::hours(1);
};

// What we publish: 25 bytes of topic (longer than any small-string buffer), Content Type, one
// User Property, 16 bytes of payload.
message outbound_message(qos q) {
    message m;
    m.topic = "sensors/room1/temperature";
    const std::string_view payload = "0123456789abcdef";
    m.payload.assign(payload.begin(), payload.end());
    m.qos = q;
    m.props.content_type = "text/plain";
    m.props.user_properties = {{"unit", "C"}};
    return m;
}

// Writes Packet Identifier `id` into a packet at `at` (built before counting, changed in place).
void set_packet_id(std::vector<std::uint8_t>& packet, std::size_t at, std::uint16_t id) {
    packet[at] = hi(id);
    packet[at + 1] = lo(id);
}

// Appends `bytes`, then the characters of `text`.
void put(std::vector<std::uint8_t>& b, std::initializer_list<std::uint8_t> bytes,
         std::string_view text = {}) {
    b.insert(b.end(), bytes);
    b.insert(b.end(), text.begin(), text.end());
}

// Our PUBLISH of outbound_message(q) once Topic Alias 1 stands for its topic: an empty Topic Name
// and the alias (the first PUBLISH, during the warm-up, carries the topic too). Its Packet
// Identifier, if any, is at offset 4 (set_packet_id() writes it).
std::vector<std::uint8_t> expected_publish(qos q) {
    std::vector<std::uint8_t> b;
    put(b, {std::uint8_t(0x30 | std::uint8_t(q) << 1)});       // PUBLISH, DUP 0, QoS q, RETAIN 0
    put(b, {std::uint8_t(q == qos::at_most_once ? 45 : 47)});  // Remaining Length
    put(b, {0x00, 0x00});                                      // Topic Name: empty (the alias)
    if (q != qos::at_most_once) put(b, {0x00, 0x00});          // Packet Identifier
    put(b, {0x1A});                                            // Property Length 26
    put(b, {0x03, 0x00, 0x0A}, "text/plain");                  // Content Type
    put(b, {0x23, 0x00, 0x01});                                // Topic Alias 1
    put(b, {0x26, 0x00, 0x04}, "unit");                        // User Property: name "unit",
    put(b, {0x00, 0x01}, "C");                                 //   value "C"
    put(b, {}, "0123456789abcdef");                            // Payload
    return b;
}

// The Packet Identifiers a fresh session hands out: 1, 2, 3, ... (spec 2.2.1).
struct id_sequence {
    std::uint16_t next() { return last = std::uint16_t(last == 65'535 ? 1 : last + 1); }
    std::uint16_t last = 0;
};

// publish(const message&) of `m`, the server's acknowledgements, output and events drained, `n`
// times; false at the first thing that is not as expected. `want` is expected_publish(m.qos).
bool publish_loop(connected_session& c, const message& m, std::vector<std::uint8_t>& want,
                  id_sequence& ids, std::size_t n, bool first = false) {
    for (std::size_t i = 0; i < n; ++i) {
        const command_result r = c.s.publish(m, c.now);
        if (!r) return false;
        const std::uint16_t id = m.qos == qos::at_most_once ? 0 : ids.next();
        if (first && i == 0) {
            c.s.clear_output();  // carries the topic as well as the alias
        } else {
            if (id) set_packet_id(want, 4, id);
            if (!c.sent(want)) return false;
        }
        switch (m.qos) {
            case qos::at_most_once:
                break;
            case qos::at_least_once: {
                const std::array<std::uint8_t, 4> puback = {
                    0x40, 0x02,      // PUBACK, Remaining Length 2 (Success, no properties)
                    hi(id), lo(id),  // Packet Identifier
                };
                c.server(puback);
                if (!c.sent({})) return false;
                break;
            }
            case qos::exactly_once: {
                const std::array<std::uint8_t, 4> pubrec = {
                    0x50, 0x02,      // PUBREC, Remaining Length 2 (Success, no properties)
                    hi(id), lo(id),  // Packet Identifier
                };
                c.server(pubrec);
                const std::array<std::uint8_t, 4> pubrel = {
                    0x62, 0x02,      // PUBREL (flags 0010), Remaining Length 2 (Success)
                    hi(id), lo(id),  // Packet Identifier
                };
                if (!c.sent(pubrel)) return false;
                const std::array<std::uint8_t, 4> pubcomp = {
                    0x70, 0x02,      // PUBCOMP, Remaining Length 2 (Success, no properties)
                    hi(id), lo(id),  // Packet Identifier
                };
                c.server(pubcomp);
                if (!c.sent({})) return false;
                break;
            }
        }
        if (c.completed() != 1) return false;
    }
    return true;
}

// The allocations of `counted` publishes of a warmed-up session.
std::size_t publish_allocations(qos q) {
    connected_session c;
    const message m = outbound_message(q);
    std::vector<std::uint8_t> want = expected_publish(q);
    id_sequence ids;
    EXPECT_TRUE(publish_loop(c, m, want, ids, warm_up, true));
    std::size_t n;
    bool ok;
    {
        allocation_counter counter;
        ok = publish_loop(c, m, want, ids, counted);
        n = counter.count();
    }
    EXPECT_TRUE(ok);
    EXPECT_EQ(m, outbound_message(q)) << "publish(const message&) changed the caller's message";
    return n;
}

TEST(session_alloc, publish_qos0_allocates_nothing) {
    EXPECT_EQ(publish_allocations(qos::at_most_once), 0u);
}

TEST(session_alloc, publish_qos1_and_puback_allocate_nothing) {
    EXPECT_EQ(publish_allocations(qos::at_least_once), 0u);
}

TEST(session_alloc, publish_qos2_pubrec_pubrel_pubcomp_allocate_nothing) {
    EXPECT_EQ(publish_allocations(qos::exactly_once), 0u);
}

// Ten in flight at a time: ten spares, ten nodes of each map, all used again.
TEST(session_alloc, publish_window_of_ten_allocates_nothing) {
    connected_session c;
    const message m = outbound_message(qos::at_least_once);
    id_sequence ids;
    const auto round = [&] {
        std::array<std::uint16_t, 10> sent{};
        for (std::uint16_t& id : sent) {
            if (!c.s.publish(m, c.now)) return false;
            id = ids.next();
        }
        c.s.clear_output();
        for (const std::uint16_t id : sent) {
            const std::array<std::uint8_t, 4> puback = {
                0x40, 0x02,      // PUBACK, Remaining Length 2 (Success, no properties)
                hi(id), lo(id),  // Packet Identifier
            };
            c.server(puback);
        }
        return c.completed() == sent.size() && c.s.inflight() == 0;
    };
    for (std::size_t i = 0; i < warm_up / 10; ++i)
        ASSERT_TRUE(round());
    std::size_t n;
    bool ok = true;
    {
        allocation_counter counter;
        for (std::size_t i = 0; i < counted / 10; ++i)
            ok = round() && ok;
        n = counter.count();
    }
    EXPECT_TRUE(ok);
    EXPECT_EQ(n, 0u);
}

// The server's PUBLISHes, QoS 0 with its Topic Name, QoS 1 with the Topic Name and Topic Alias
// 1, QoS 2 with Topic Alias 1 alone, each with Payload Format Indicator, Content Type,
// Correlation Data, a User Property and a Subscription Identifier. A QoS 1 one has its Packet
// Identifier at offset 29, a QoS 2 one at offset 4.
std::vector<std::uint8_t> server_publish(qos q, std::uint16_t id = 1) {
    const bool topic = q != qos::exactly_once;
    const bool alias = q != qos::at_most_once;
    if (q == qos::at_most_once) id = 0;
    const std::uint8_t property_length = 29 + (alias ? 3 : 0);
    const std::uint8_t remaining =
        std::uint8_t(2 + (topic ? 25 : 0) + (id ? 2 : 0) + 1 + property_length + 16);
    std::vector<std::uint8_t> b;
    put(b, {std::uint8_t(0x30 | std::uint8_t(q) << 1)});  // PUBLISH, DUP 0, QoS q, RETAIN 0
    put(b, {remaining});                                  // Remaining Length
    if (topic) {
        put(b, {0x00, 0x19}, "sensors/room1/temperature");  // Topic Name
    } else {
        put(b, {0x00, 0x00});  // Topic Name: empty, Topic Alias 1 stands for it
    }
    if (id) put(b, {hi(id), lo(id)});          // Packet Identifier
    put(b, {property_length});                 // Property Length 29, or 32 with the alias
    put(b, {0x01, 0x01});                      // Payload Format Indicator 1 (UTF-8)
    put(b, {0x03, 0x00, 0x0A}, "text/plain");  // Content Type
    put(b, {0x09, 0x00, 0x02, 0xCA, 0xFE});    // Correlation Data CA FE
    put(b, {0x0B, 0x05});                      // Subscription Identifier 5
    if (alias) put(b, {0x23, 0x00, 0x01});     // Topic Alias 1
    put(b, {0x26, 0x00, 0x01}, "u");           // User Property: name "u",
    put(b, {0x00, 0x01}, "C");                 //   value "C"
    put(b, {}, "0123456789abcdef");            // Payload
    return b;
}

// The server's packets, built before counting.
struct server_packets {
    std::vector<std::uint8_t> qos0 = server_publish(qos::at_most_once);
    std::vector<std::uint8_t> qos1 = server_publish(qos::at_least_once);
    std::vector<std::uint8_t> qos2 = server_publish(qos::exactly_once);
};

// One server PUBLISH at each QoS (QoS 2 with its PUBREL), every message_received checked and
// recycled (unless `recycle` is false), `n` times.
bool receive_loop(connected_session& c, server_packets& in, std::size_t n, std::uint16_t& id,
                  bool recycle = true) {
    const auto deliver = [&](qos q) {
        std::size_t received = 0;
        while (std::optional<event> e = c.s.poll_event()) {
            auto* r = std::get_if<message_received>(&*e);
            if (!r) return false;
            const message& m = r->message;
            if (m.topic != "sensors/room1/temperature" || m.qos != q || m.payload.size() != 16 ||
                m.props.content_type != "text/plain" ||
                m.props.subscription_identifiers.size() != 1 || m.props.user_properties.size() != 1)
                return false;
            if (recycle) c.s.recycle(std::move(r->message));
            ++received;
        }
        return received == 1;
    };
    for (std::size_t i = 0; i < n; ++i) {
        id = std::uint16_t(id == 65'535 ? 1 : id + 1);
        c.server(in.qos0);
        if (!deliver(qos::at_most_once) || !c.sent({})) return false;

        set_packet_id(in.qos1, 29, id);
        c.server(in.qos1);
        const std::array<std::uint8_t, 4> puback = {
            0x40, 0x02,      // PUBACK, Remaining Length 2 (Success, no properties)
            hi(id), lo(id),  // Packet Identifier
        };
        if (!deliver(qos::at_least_once) || !c.sent(puback)) return false;

        set_packet_id(in.qos2, 4, id);
        c.server(in.qos2);
        const std::array<std::uint8_t, 4> pubrec = {
            0x50, 0x02,      // PUBREC, Remaining Length 2 (Success, no properties)
            hi(id), lo(id),  // Packet Identifier
        };
        if (!deliver(qos::exactly_once) || !c.sent(pubrec)) return false;
        const std::array<std::uint8_t, 4> pubrel = {
            0x62, 0x02,      // PUBREL (flags 0010), Remaining Length 2 (Success)
            hi(id), lo(id),  // Packet Identifier
        };
        c.server(pubrel);
        const std::array<std::uint8_t, 4> pubcomp = {
            0x70, 0x02,      // PUBCOMP, Remaining Length 2 (Success, no properties)
            hi(id), lo(id),  // Packet Identifier
        };
        if (!c.sent(pubcomp) || c.s.inbound_qos2_pending() != 0) return false;
    }
    return true;
}

TEST(session_alloc, received_publishes_recycled_allocate_nothing) {
    connected_session c;
    server_packets in;
    std::uint16_t id = 0;
    ASSERT_TRUE(receive_loop(c, in, warm_up, id));
    std::size_t n;
    bool ok;
    {
        allocation_counter counter;
        ok = receive_loop(c, in, counted, id);
        n = counter.count();
    }
    EXPECT_TRUE(ok);
    EXPECT_EQ(n, 0u);
}

// Without recycle() every message is new (the zero above is recycling's doing, and the counter
// sees allocations): its topic, payload, Correlation Data, User Property list and Subscription
// Identifier list, five allocations per message with libstdc++ (the shorter strings fit in
// std::string itself); at least four, whatever the library.
TEST(session_alloc, received_publishes_not_recycled_allocate) {
    connected_session c;
    server_packets in;
    std::uint16_t id = 0;
    ASSERT_TRUE(receive_loop(c, in, warm_up, id, false));
    std::size_t n;
    {
        allocation_counter counter;
        EXPECT_TRUE(receive_loop(c, in, counted, id, false));
        n = counter.count();
    }
    EXPECT_GE(n, 3 * counted * 4);
}

// Receives one QoS 0 PUBLISH and returns its message, polled.
message receive_one(connected_session& c, const server_packets& in) {
    c.server(in.qos0);
    std::optional<event> e = c.s.poll_event();
    EXPECT_TRUE(e && std::holds_alternative<message_received>(*e));
    if (!e || !std::holds_alternative<message_received>(*e)) return {};
    return std::move(std::get<message_received>(*e).message);
}

// The pool keeps a spare whose payload capacity is 64 KiB, not one above (session.hpp).
TEST(session_alloc, spare_with_payload_capacity_over_64_KiB_is_dropped) {
    for (const std::size_t capacity : {std::size_t(64 * 1024), std::size_t(64 * 1024 + 1)}) {
        connected_session c;
        server_packets in;
        std::uint16_t id = 0;
        ASSERT_TRUE(receive_loop(c, in, 10, id));  // the pool holds one spare now
        message m = receive_one(c, in);            // and none now
        m.payload.reserve(capacity);
        c.s.recycle(std::move(m));
        std::size_t n;
        {
            allocation_counter counter;
            m = receive_one(c, in);
            n = counter.count();
        }
        EXPECT_EQ(m.topic, "sensors/room1/temperature");
        if (capacity <= 64 * 1024) {
            EXPECT_EQ(n, 0u) << "a spare with payload capacity " << capacity << " was not kept";
        } else {
            EXPECT_GT(n, 0u) << "a spare with payload capacity " << capacity << " was kept";
        }
    }
}

// Receives `given` messages, gives them all back (each with its payload capacity raised to
// `payload_capacity` first), then receives `given` more: how many allocations each of those made.
std::vector<std::uint64_t> allocations_after_giving_back(std::size_t given,
                                                         std::size_t payload_capacity = 0) {
    connected_session c;
    const server_packets in;
    std::vector<message> held;
    held.reserve(given);
    for (std::size_t i = 0; i < given; ++i) {
        held.push_back(receive_one(c, in));
        held.back().payload.reserve(payload_capacity);
    }
    for (message& m : held)
        c.s.recycle(std::move(m));
    held.clear();
    std::vector<std::uint64_t> per_message;
    per_message.reserve(given);
    for (std::size_t i = 0; i < given; ++i) {
        allocation_counter counter;
        held.push_back(receive_one(c, in));
        per_message.push_back(counter.count());
    }
    return per_message;
}

// The pool keeps 1,024 spares at most: with 1,030 given back, 1,024 messages are received
// without an allocation and the 1,025th allocates.
TEST(session_alloc, at_most_1024_spares_are_kept) {
    const std::vector<std::uint64_t> per_message = allocations_after_giving_back(1030);
    for (std::size_t i = 0; i < 1024; ++i)
        EXPECT_EQ(per_message[i], 0u) << "message " << i;
    EXPECT_GT(per_message[1024], 0u);
}

// The spares' payload capacities stay within 256 KiB together: of five given back with 60 KiB
// each, four are kept (240 KiB) and the fifth is freed, so the fifth message received allocates.
TEST(session_alloc, spares_hold_at_most_256_KiB_of_payload_together) {
    const std::vector<std::uint64_t> per_message = allocations_after_giving_back(5, 60 * 1024);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(per_message[i], 0u) << "message " << i;
    EXPECT_GT(per_message[4], 0u);
}

}  // namespace
}  // namespace mqtt::session
