// Unit tests of the session's small parts: packet_id_pool, outbound_aliases, inbound_aliases,
// timer_table, memory_store, fifo, recycled_nodes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <map>
#include <unordered_map>

#include "client/session/fifo.hpp"
#include "client/session/packet_ids.hpp"
#include "client/session/recycled_nodes.hpp"
#include "client/session/store.hpp"
#include "client/session/timers.hpp"
#include "client/session/topic_alias.hpp"

namespace mqtt::session::test {
namespace {

// ---- packet_id_pool (spec 2.2.1) ----

// An idle pool holds no bitset yet, and answers as an empty one (release and in_use included).
TEST(parts_packet_id_pool, empty_before_first_use) {
    packet_id_pool pool;
    EXPECT_FALSE(pool.in_use(1));
    pool.release(1);  // not in use: nothing happens
    pool.clear();
    EXPECT_EQ(pool.in_use_count(), 0u);
    pool.reserve(9);
    EXPECT_TRUE(pool.in_use(9));
    EXPECT_EQ(pool.acquire(), 1);
}

TEST(parts_packet_id_pool, hands_out_1_to_65535_in_order) {
    packet_id_pool pool;
    EXPECT_EQ(pool.in_use_count(), 0u);
    EXPECT_FALSE(pool.in_use(0));
    for (std::uint32_t expected = 1; expected <= 65'535; ++expected) {
        const auto id = pool.acquire();
        ASSERT_TRUE(id.has_value()) << expected;
        ASSERT_EQ(*id, expected);  // never 0 (spec 2.2.1)
        ASSERT_TRUE(pool.in_use(*id));
    }
    EXPECT_EQ(pool.in_use_count(), 65'535u);
    EXPECT_FALSE(pool.in_use(0));
}

TEST(parts_packet_id_pool, exhausted_when_all_in_use) {
    packet_id_pool pool;
    for (int i = 0; i < 65'535; ++i)
        ASSERT_TRUE(pool.acquire().has_value());
    EXPECT_FALSE(pool.acquire().has_value());
    EXPECT_FALSE(pool.acquire().has_value());  // and stays so
    EXPECT_EQ(pool.in_use_count(), 65'535u);

    pool.release(40'000);
    EXPECT_EQ(pool.in_use_count(), 65'534u);
    EXPECT_FALSE(pool.in_use(40'000));
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(40'000));  // the only free one
    EXPECT_FALSE(pool.acquire().has_value());
}

// A released id is not handed out again at once: the pool moves on (so a late ack for the old
// exchange cannot be mistaken for the new one), and after wrap-around skips ids still in use
// (MQTT-2.2.1-3).
TEST(parts_packet_id_pool, wrap_around_skips_ids_in_use_MQTT_2_2_1_3) {
    packet_id_pool pool;
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(1));
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(2));
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(3));
    pool.release(2);
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(4));  // not 2 again yet

    // Take and release ids up to 65535, keeping 1, 3 and 4.
    for (std::uint32_t expected = 5; expected <= 65'535; ++expected) {
        const auto id = pool.acquire();
        ASSERT_EQ(id, std::optional<std::uint16_t>(std::uint16_t(expected)));
        pool.release(*id);
    }
    // Wrap: 1 is in use, 2 is free.
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(2));
    // 3 and 4 are in use, 5 is free.
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(5));
    EXPECT_EQ(pool.in_use_count(), 5u);
}

TEST(parts_packet_id_pool, reserve_marks_restored_ids) {
    packet_id_pool pool;
    pool.reserve(1);
    pool.reserve(3);
    pool.reserve(65'535);
    EXPECT_EQ(pool.in_use_count(), 3u);
    EXPECT_TRUE(pool.in_use(3));
    std::set<std::uint16_t> got;
    for (int i = 0; i < 65'532; ++i) {
        const auto id = pool.acquire();
        ASSERT_TRUE(id.has_value()) << i;
        ASSERT_NE(*id, 1);
        ASSERT_NE(*id, 3);
        ASSERT_NE(*id, 65'535);
        ASSERT_TRUE(got.insert(*id).second) << "handed out twice: " << *id;
    }
    EXPECT_FALSE(pool.acquire().has_value());
    pool.release(3);
    EXPECT_EQ(pool.acquire(), std::optional<std::uint16_t>(3));
}

TEST(parts_packet_id_pool, release_of_free_id_changes_nothing) {
    packet_id_pool pool;
    pool.release(9);
    EXPECT_EQ(pool.in_use_count(), 0u);
    const auto id = pool.acquire();
    ASSERT_TRUE(id.has_value());
    pool.release(*id);
    pool.release(*id);  // twice
    EXPECT_EQ(pool.in_use_count(), 0u);
    pool.reserve(7);
    pool.reserve(7);  // twice
    EXPECT_EQ(pool.in_use_count(), 1u);
}

TEST(parts_packet_id_pool, clear_frees_everything) {
    packet_id_pool pool;
    for (int i = 0; i < 100; ++i)
        pool.acquire();
    pool.clear();
    EXPECT_EQ(pool.in_use_count(), 0u);
    for (std::uint16_t id = 1; id <= 100; ++id)
        EXPECT_FALSE(pool.in_use(id));
    const auto id = pool.acquire();
    ASSERT_TRUE(id.has_value());
    EXPECT_NE(*id, 0);
}

// ---- outbound_aliases (spec 3.3.2.3.4; policy: assign on first use, LRU when full) ----

TEST(parts_outbound_aliases, none_when_maximum_is_0_MQTT_3_2_2_18) {
    outbound_aliases a;
    a.reset(0);
    for (int i = 0; i < 3; ++i) {
        const auto c = a.pick("t");
        EXPECT_EQ(c.alias, 0);
        EXPECT_TRUE(c.send_topic);
    }
}

TEST(parts_outbound_aliases, none_before_reset) {
    outbound_aliases a;
    const auto c = a.pick("t");
    EXPECT_EQ(c.alias, 0);
    EXPECT_TRUE(c.send_topic);
}

TEST(parts_outbound_aliases, first_use_sends_topic_then_alias_only) {
    outbound_aliases a;
    a.reset(10);
    const auto first = a.pick("x/y");
    EXPECT_TRUE(first.send_topic);
    EXPECT_GE(first.alias, 1);
    EXPECT_LE(first.alias, 10);
    const auto again = a.pick("x/y");
    EXPECT_FALSE(again.send_topic);
    EXPECT_EQ(again.alias, first.alias);
    const auto other = a.pick("x/z");
    EXPECT_TRUE(other.send_topic);
    EXPECT_NE(other.alias, first.alias);
}

TEST(parts_outbound_aliases, least_recently_used_reassigned_when_full) {
    outbound_aliases a;
    a.reset(2);
    const auto pa = a.pick("a");
    const auto pb = a.pick("b");
    EXPECT_NE(pa.alias, pb.alias);
    EXPECT_FALSE(a.pick("a").send_topic);  // a more recent than b

    const auto pc = a.pick("c");  // replaces b
    EXPECT_TRUE(pc.send_topic);
    EXPECT_EQ(pc.alias, pb.alias);
    EXPECT_FALSE(a.pick("a").send_topic);  // a kept
    EXPECT_FALSE(a.pick("c").send_topic);  // c now more recent than a

    const auto pb2 = a.pick("b");  // replaces a
    EXPECT_TRUE(pb2.send_topic);
    EXPECT_EQ(pb2.alias, pa.alias);
    const auto pa2 = a.pick("a");  // replaces c
    EXPECT_TRUE(pa2.send_topic);
    EXPECT_EQ(pa2.alias, pc.alias);
}

TEST(parts_outbound_aliases, every_alias_within_1_to_maximum_MQTT_3_3_2_8_MQTT_3_3_2_9) {
    outbound_aliases a;
    a.reset(5);
    std::set<std::uint16_t> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto c = a.pick("t/" + std::to_string((i * 7) % 13));
        ASSERT_GE(c.alias, 1);
        ASSERT_LE(c.alias, 5);
        seen.insert(c.alias);
    }
    EXPECT_EQ(seen.size(), 5u);
}

// The mapping the choices imply is always the right one, as a server would resolve it.
TEST(parts_outbound_aliases, choices_resolve_to_the_picked_topic) {
    outbound_aliases a;
    a.reset(3);
    std::vector<std::string> server(4);
    for (int i = 0; i < 500; ++i) {
        const std::string topic = "topic/" + std::to_string((i * i) % 7);
        const auto c = a.pick(topic);
        ASSERT_NE(c.alias, 0);
        if (c.send_topic) server[c.alias] = topic;
        ASSERT_EQ(server[c.alias], topic) << "pick " << i;
    }
}

TEST(parts_outbound_aliases, reset_forgets_everything_MQTT_3_3_2_7) {
    outbound_aliases a;
    a.reset(2);
    a.pick("a");
    EXPECT_FALSE(a.pick("a").send_topic);
    a.reset(2);
    EXPECT_TRUE(a.pick("a").send_topic);
    a.reset(0);
    EXPECT_EQ(a.pick("a").alias, 0);
}

TEST(parts_outbound_aliases, maximum_65535) {
    outbound_aliases a;
    a.reset(65'535);
    EXPECT_TRUE(a.pick("a").send_topic);
    EXPECT_FALSE(a.pick("a").send_topic);
}

// ---- inbound_aliases (MQTT-3.3.2-10) ----

TEST(parts_inbound_aliases, set_get_and_override) {
    inbound_aliases in;
    in.reset(3);
    EXPECT_EQ(in.maximum(), 3);
    for (std::uint16_t a = 0; a <= 4; ++a)
        EXPECT_FALSE(in.get(a).has_value()) << a;
    {
        std::string temporary = "first/topic";
        in.set(3, temporary);
        temporary = "changed";  // the map keeps its own copy
    }
    EXPECT_EQ(in.get(3), std::optional<std::string_view>("first/topic"));
    in.set(1, "one");
    in.set(3, "second");
    EXPECT_EQ(in.get(3), std::optional<std::string_view>("second"));
    EXPECT_EQ(in.get(1), std::optional<std::string_view>("one"));
    EXPECT_FALSE(in.get(2).has_value());
    EXPECT_FALSE(in.get(0).has_value());
    EXPECT_FALSE(in.get(4).has_value());
}

TEST(parts_inbound_aliases, reset_forgets_MQTT_3_3_2_7) {
    inbound_aliases in;
    in.reset(2);
    in.set(2, "t");
    in.reset(2);
    EXPECT_FALSE(in.get(2).has_value());
    in.reset(0);
    EXPECT_EQ(in.maximum(), 0);
    EXPECT_FALSE(in.get(1).has_value());
}

// ---- timer_table ----

TEST(parts_timer_table, next_is_the_soonest) {
    const time_point t0 = time_point{} + std::chrono::hours(1);
    timer_table t;
    EXPECT_FALSE(t.next().has_value());
    t.set(timer_kind::keep_alive, t0 + std::chrono::seconds(10));
    t.set(timer_kind::connack, t0 + std::chrono::seconds(5));
    t.set(timer_kind::ping_response, t0 + std::chrono::seconds(7));
    EXPECT_EQ(t.next(), t0 + std::chrono::seconds(5));
    t.cancel(timer_kind::connack);
    EXPECT_EQ(t.next(), t0 + std::chrono::seconds(7));
    EXPECT_FALSE(t.get(timer_kind::connack).has_value());
    t.set(timer_kind::keep_alive, t0 + std::chrono::seconds(1));  // replaces
    EXPECT_EQ(t.next(), t0 + std::chrono::seconds(1));
    EXPECT_EQ(t.get(timer_kind::keep_alive), t0 + std::chrono::seconds(1));
    t.cancel_all();
    EXPECT_FALSE(t.next().has_value());
}

TEST(parts_timer_table, expired_at_and_after_the_deadline) {
    const time_point t0 = time_point{} + std::chrono::hours(1);
    timer_table t;
    EXPECT_FALSE(t.expired(timer_kind::keep_alive, t0));  // not set
    t.set(timer_kind::keep_alive, t0);
    EXPECT_FALSE(t.expired(timer_kind::keep_alive, t0 - std::chrono::milliseconds(1)));
    EXPECT_TRUE(t.expired(timer_kind::keep_alive, t0));
    EXPECT_TRUE(t.expired(timer_kind::keep_alive, t0 + std::chrono::hours(1)));
    EXPECT_FALSE(t.expired(timer_kind::ping_response, t0 + std::chrono::hours(1)));
}

// ---- memory_store ----

stored_outbound entry(std::uint64_t ticket, std::uint16_t id, outbound_stage stage) {
    stored_outbound e;
    e.ticket = ticket;
    e.packet_id = id;
    e.stage = stage;
    e.message.topic = "t/" + std::to_string(ticket);
    e.message.qos = qos::exactly_once;
    e.message.payload = {1, 2, 3};
    e.message.props.user_properties = {{"k", "v"}};
    return e;
}

TEST(parts_memory_store, starts_empty) {
    memory_store store;
    EXPECT_TRUE(store.load().empty());
}

TEST(parts_memory_store, outbound_in_ticket_order_and_replaced_by_ticket) {
    memory_store store;
    store.put_outbound(entry(5, 12, outbound_stage::awaiting_ack));
    store.put_outbound(entry(2, 0, outbound_stage::queued));
    store.put_outbound(entry(9, 13, outbound_stage::awaiting_ack));
    store.put_outbound(entry(5, 12, outbound_stage::awaiting_pubcomp));  // replaces ticket 5

    const session_snapshot snap = store.load();
    EXPECT_FALSE(snap.empty());
    ASSERT_EQ(snap.outbound.size(), 3u);
    EXPECT_EQ(snap.outbound[0], entry(2, 0, outbound_stage::queued));
    EXPECT_EQ(snap.outbound[1], entry(5, 12, outbound_stage::awaiting_pubcomp));
    EXPECT_EQ(snap.outbound[2], entry(9, 13, outbound_stage::awaiting_ack));

    store.erase_outbound(5);
    store.erase_outbound(77);  // unknown: nothing happens
    const session_snapshot after = store.load();
    ASSERT_EQ(after.outbound.size(), 2u);
    EXPECT_EQ(after.outbound[0].ticket, 2u);
    EXPECT_EQ(after.outbound[1].ticket, 9u);
}

TEST(parts_memory_store, inbound_qos2_ids) {
    memory_store store;
    store.put_inbound_qos2(300);
    store.put_inbound_qos2(7);
    store.put_inbound_qos2(300);  // a set
    session_snapshot snap = store.load();
    EXPECT_FALSE(snap.empty());
    std::vector<std::uint16_t> ids = snap.inbound_qos2;
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::uint16_t>{7, 300}));
    EXPECT_TRUE(snap.outbound.empty());

    store.erase_inbound_qos2(7);
    EXPECT_EQ(store.load().inbound_qos2, (std::vector<std::uint16_t>{300}));
}

TEST(parts_memory_store, clear_empties_both) {
    memory_store store;
    store.put_outbound(entry(1, 1, outbound_stage::awaiting_ack));
    store.put_inbound_qos2(1);
    store.clear();
    EXPECT_TRUE(store.load().empty());
}

// Through the base class, as the session uses it.
TEST(parts_memory_store, usable_as_session_store) {
    memory_store concrete;
    session_store& store = concrete;
    store.put_outbound(entry(3, 4, outbound_stage::awaiting_ack));
    store.put_inbound_qos2(8);
    const session_snapshot snap = store.load();
    ASSERT_EQ(snap.outbound.size(), 1u);
    EXPECT_EQ(snap.outbound[0].message.topic, "t/3");
    EXPECT_EQ(snap.inbound_qos2, (std::vector<std::uint16_t>{8}));
}

// ---- fifo ----

// First in, first out, across the compaction that keeps its vector from growing while it is
// filled and drained over and over.
TEST(parts_fifo, order_kept_across_compaction) {
    fifo<std::string> q;
    EXPECT_TRUE(q.empty());
    std::size_t next_in = 0, next_out = 0;
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 37; ++i)
            q.push_back(std::to_string(next_in++));
        for (int i = 0; i < 30; ++i) {
            ASSERT_EQ(q.front(), std::to_string(next_out++));
            q.pop_front();
        }
        ASSERT_EQ(q.size(), next_in - next_out);
        ASSERT_EQ(q.back(), std::to_string(next_in - 1));
    }
    std::size_t seen = 0;
    for (const std::string& s : q)
        EXPECT_EQ(s, std::to_string(next_out + seen++));
    EXPECT_EQ(seen, q.size());
    while (!q.empty()) {
        ASSERT_EQ(q.front(), std::to_string(next_out++));
        q.pop_front();
    }
    EXPECT_EQ(next_out, next_in);
    q.push_back("again");
    q.clear();
    EXPECT_TRUE(q.empty());
}

// ---- recycled_nodes ----

// Erased nodes come back for later inserts, with their old value gone; the maps behave as maps.
TEST(parts_recycled_nodes, map_and_unordered_map) {
    std::map<std::uint64_t, std::string> ordered;
    recycled_nodes<std::map<std::uint64_t, std::string>> ordered_nodes(2);
    for (std::uint64_t k = 1; k <= 4; ++k)
        ordered_nodes.emplace(ordered, k, "v" + std::to_string(k));
    ordered_nodes.erase(ordered, ordered.find(2));
    ordered_nodes.erase(ordered, std::uint64_t{3});
    ordered_nodes.erase(ordered, std::uint64_t{4});   // beyond `keep`: freed
    ordered_nodes.erase(ordered, std::uint64_t{99});  // not there: nothing happens
    EXPECT_EQ(ordered.size(), 1u);
    const auto it = ordered_nodes.emplace(ordered, 7, std::string("seven"));
    EXPECT_EQ(it->first, 7u);
    EXPECT_EQ(it->second, "seven");
    ordered_nodes.emplace(ordered, 5, std::string("five"));
    ordered_nodes.emplace(ordered, 6, std::string("six"));  // a new node: the kept ones are used
    std::vector<std::uint64_t> keys;
    for (const auto& [k, v] : ordered)
        keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::uint64_t>{1, 5, 6, 7}));
    EXPECT_EQ(ordered.at(5), "five");
    EXPECT_EQ(ordered_nodes.emplace(ordered, 5, std::string("other"))->second, "five");

    std::unordered_map<std::uint16_t, std::uint64_t> ids;
    recycled_nodes<std::unordered_map<std::uint16_t, std::uint64_t>> id_nodes;
    for (std::uint16_t round = 0; round < 1000; ++round) {
        id_nodes.emplace(ids, std::uint16_t(round % 7 + 1), round);
        ASSERT_EQ(ids.at(std::uint16_t(round % 7 + 1)), round);
        id_nodes.erase(ids, std::uint16_t(round % 7 + 1));
        ASSERT_TRUE(ids.empty());
    }
}

}  // namespace
}  // namespace mqtt::session::test
