// Seeded random round trips: build valid packets of all 15 types with random fields and random
// property sets (only properties allowed in that packet, values in their valid ranges, UTF-8
// strings with 1- to 4-byte characters, valid Topic Names and Topic Filters), then check
//   encoded_size(p) == encode(p) == the bytes decode() consumes, decode(encode(p)) == p,
//   encode(decode(encode(p))) == encode(p) (re-encoding a packet whose lists are wire views),
//   and the same packet through the framer with the bytes split at a random point.
// The seeds are fixed, so a failure is reproducible; the message names seed and iteration.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/framer.hpp"
#include "protocol/packets.hpp"
#include "protocol/property.hpp"
#include "protocol/render.hpp"
#include "test_support.hpp"

namespace mqtt {
namespace {

using namespace mqtt::test;

constexpr int iterations = 1000;

// Reason codes each packet may carry (spec 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1, 3.9.3,
// 3.11.3, 3.14.2.1, 3.15.2.1), written as bytes so they read like the spec's tables.
const std::vector<std::uint8_t> connack_codes = {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
                                                 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
                                                 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
const std::vector<std::uint8_t> puback_codes = {0x00, 0x10, 0x80, 0x83, 0x87,
                                                0x90, 0x91, 0x97, 0x99};  // and PUBREC
const std::vector<std::uint8_t> pubrel_codes = {0x00, 0x92};              // and PUBCOMP
const std::vector<std::uint8_t> suback_codes = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                                                0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
const std::vector<std::uint8_t> unsuback_codes = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
const std::vector<std::uint8_t> disconnect_codes = {
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94,
    0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
const std::vector<std::uint8_t> auth_codes = {0x00, 0x18, 0x19};

// Builds random valid packets. Packets hold views, so the generator owns every string and list
// it hands out until clear() (call it between packets, after the checks).
class packet_generator {
  public:
    explicit packet_generator(std::uint32_t seed) : rng_(seed) {}

    void clear() { storage_.clear(); }
    std::uint32_t below(std::uint32_t n) { return std::uint32_t(rng_() % n); }
    std::uint32_t between(std::uint32_t lo, std::uint32_t hi) {  // inclusive
        return lo + std::uint32_t(std::uint64_t(rng_()) % (std::uint64_t(hi) - lo + 1));
    }
    bool percent(std::uint32_t p) { return below(100) < p; }

    packet make(packet_type t) {
        switch (t) {
            case packet_type::connect:
                return make_connect();
            case packet_type::connack:
                return make_connack();
            case packet_type::publish:
                return make_publish();
            case packet_type::puback:
                return make_response<puback>(puback_codes);
            case packet_type::pubrec:
                return make_response<pubrec>(puback_codes);
            case packet_type::pubrel:
                return make_response<pubrel>(pubrel_codes);
            case packet_type::pubcomp:
                return make_response<pubcomp>(pubrel_codes);
            case packet_type::subscribe:
                return make_subscribe();
            case packet_type::suback:
                return make_suback<suback>(suback_codes, property_context::suback);
            case packet_type::unsubscribe:
                return make_unsubscribe();
            case packet_type::unsuback:
                return make_suback<unsuback>(unsuback_codes, property_context::unsuback);
            case packet_type::pingreq:
                return pingreq{};
            case packet_type::pingresp:
                return pingresp{};
            case packet_type::disconnect: {
                disconnect d;
                d.reason = pick_code(disconnect_codes);
                if (percent(60)) d.props = make_properties(property_context::disconnect);
                return d;
            }
            case packet_type::auth: {
                auth a;
                a.reason = pick_code(auth_codes);
                if (percent(60)) a.props = make_properties(property_context::auth);
                return a;
            }
        }
        return pingreq{};
    }

  private:
    template <class T>
    const T& keep(T value) {
        auto owned = std::make_shared<T>(std::move(value));
        storage_.push_back(owned);
        return *owned;
    }

    // A Unicode scalar value that is valid in MQTT strings (spec 1.5.4): no U+0000
    // (MQTT-1.5.4-2), no surrogates (MQTT-1.5.4-1), and none of the control characters and
    // non-characters a receiver may refuse. U+FEFF is included (MQTT-1.5.4-3).
    std::uint32_t code_point() {
        for (;;) {
            std::uint32_t cp = 0;
            // Half ASCII; the rest 2-, 3- and 4-byte characters, and now and then U+FEFF.
            const std::uint32_t roll = below(40);
            if (roll < 20) {
                cp = between(0x20, 0x7E);
            } else if (roll < 25) {
                cp = between(0xA0, 0x7FF);
            } else if (roll < 30) {
                cp = between(0x800, 0xD7FF);
            } else if (roll < 34) {
                cp = between(0xE000, 0xFFFD);
            } else if (roll < 39) {
                cp = between(0x10000, 0x10FFFF);
            } else {
                cp = 0xFEFF;  // ZERO WIDTH NO-BREAK SPACE: kept as is (MQTT-1.5.4-3)
            }
            if (cp >= 0xFDD0 && cp <= 0xFDEF) continue;
            if ((cp & 0xFFFE) == 0xFFFE) continue;
            return cp;
        }
    }

    // Up to `max_chars` characters; `level` leaves out '/', '+' and '#' (a topic level).
    std::string raw_text(std::uint32_t max_chars, bool level = false) {
        std::string s;
        std::uint32_t n = below(max_chars + 1);
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint32_t cp = code_point();
            if (level && (cp == '/' || cp == '+' || cp == '#')) cp = '_';
            append_utf8(s, cp);
        }
        return s;
    }
    std::string_view text(std::uint32_t max_chars = 12) { return keep(raw_text(max_chars)); }

    // A Topic Name: one or more levels separated by '/', no wildcards (MQTT-4.7.0-1), at least
    // one character (MQTT-4.7.3-1). Levels may be empty ("a//b", "/a").
    std::string_view topic_name() {
        std::string s;
        std::uint32_t levels = between(1, 4);
        for (std::uint32_t i = 0; i < levels; ++i) {
            if (i) s += '/';
            s += raw_text(6, true);
        }
        if (s.empty()) s = "t";
        return keep(std::move(s));
    }

    // A Topic Filter: levels that are text, '+' alone (MQTT-4.7.1-2), and '#' alone and last
    // (MQTT-4.7.1-1); sometimes a shared subscription "$share/{ShareName}/{filter}" (spec 4.8.2).
    std::string_view topic_filter(bool& shared) {
        std::string s;
        std::uint32_t levels = between(1, 4);
        for (std::uint32_t i = 0; i < levels; ++i) {
            if (i) s += '/';
            if (i + 1 == levels && percent(15)) {
                s += '#';
            } else if (percent(20)) {
                s += '+';
            } else {
                s += raw_text(6, true);
            }
        }
        if (s.empty()) s = "f";
        shared = percent(15);
        if (shared) {
            std::string name = raw_text(5, true);
            if (name.empty()) name = "g";
            s = "$share/" + name + "/" + s;
        }
        return keep(std::move(s));
    }

    bytes_view binary(std::uint32_t max_bytes) {
        std::uint32_t n = below(max_bytes + 1);
        byte_vector b(n);
        for (auto& x : b)
            x = std::uint8_t(rng_());
        return keep(std::move(b));
    }

    // Mostly short; sometimes long enough for a 2-byte Remaining Length, rarely for 3 bytes.
    bytes_view payload(bool utf8) {
        std::uint32_t roll = below(100);
        std::uint32_t size = roll < 2    ? between(16'384, 20'000)
                             : roll < 10 ? between(100, 400)
                                         : below(40);
        if (!utf8) {
            byte_vector b(size);
            for (auto& x : b)
                x = std::uint8_t(rng_());
            return keep(std::move(b));
        }
        std::string s;
        while (s.size() < size)
            append_utf8(s, code_point());
        return as_bytes(keep(std::move(s)));
    }

    // 1 .. 268,435,455, spread over the four Variable Byte Integer sizes.
    std::uint32_t variable_byte_integer() {
        switch (below(4)) {
            case 0:
                return between(1, 127);
            case 1:
                return between(128, 16'383);
            case 2:
                return between(16'384, 2'097'151);
            default:
                return between(2'097'152, max_variable_byte_integer);
        }
    }

    std::uint8_t boolean() { return std::uint8_t(below(2)); }

    reason_code pick_code(const std::vector<std::uint8_t>& codes) {
        return reason_code(codes[below(std::uint32_t(codes.size()))]);
    }

    // A random set of the properties allowed in `where`, each present with probability 1/3.
    properties make_properties(property_context where) {
        properties p;
        auto maybe = [&](property_id id) { return property_allowed(id, where) && percent(33); };
        using id = property_id;
        if (maybe(id::payload_format_indicator)) p.payload_format_indicator = boolean();
        if (maybe(id::message_expiry_interval)) p.message_expiry_interval = std::uint32_t(rng_());
        if (maybe(id::content_type)) p.content_type = text();
        if (maybe(id::response_topic)) p.response_topic = topic_name();  // MQTT-3.3.2-14
        if (maybe(id::correlation_data)) p.correlation_data = binary(16);
        if (maybe(id::subscription_identifier)) {
            // Several only in PUBLISH (MQTT-3.3.4-4); at most one in SUBSCRIBE (3.8.2.1.2).
            std::uint32_t n = where == property_context::publish ? between(1, 3) : 1;
            std::vector<std::uint32_t> ids;
            for (std::uint32_t i = 0; i < n; ++i)
                ids.push_back(variable_byte_integer());
            p.subscription_identifiers = list(keep(std::move(ids)));
        }
        if (maybe(id::session_expiry_interval)) p.session_expiry_interval = std::uint32_t(rng_());
        if (maybe(id::assigned_client_identifier)) p.assigned_client_identifier = text(23);
        if (maybe(id::server_keep_alive)) p.server_keep_alive = std::uint16_t(rng_());
        if (maybe(id::authentication_method)) {
            p.authentication_method = text();
            // Authentication Data only with a method (spec 3.1.2.11.10).
            if (percent(50)) p.authentication_data = binary(24);
        }
        if (maybe(id::request_problem_information)) p.request_problem_information = boolean();
        if (maybe(id::will_delay_interval)) p.will_delay_interval = std::uint32_t(rng_());
        if (maybe(id::request_response_information)) p.request_response_information = boolean();
        if (maybe(id::response_information)) p.response_information = text();
        if (maybe(id::server_reference)) p.server_reference = text();
        if (maybe(id::reason_string)) p.reason_string = text(30);
        if (maybe(id::receive_maximum)) p.receive_maximum = std::uint16_t(between(1, 0xFFFF));
        if (maybe(id::topic_alias_maximum)) p.topic_alias_maximum = std::uint16_t(rng_());
        if (maybe(id::topic_alias)) p.topic_alias = std::uint16_t(between(1, 0xFFFF));
        if (maybe(id::maximum_qos)) p.maximum_qos = boolean();  // 0 or 1 (spec 3.2.2.3.4)
        if (maybe(id::retain_available)) p.retain_available = boolean();
        if (maybe(id::user_property)) {
            std::vector<string_pair> pairs;
            std::uint32_t n = between(1, 4);
            for (std::uint32_t i = 0; i < n; ++i) {
                // Sometimes repeat a name: User Property names need not be unique.
                std::string_view name = i && percent(25) ? pairs.back().name : text(8);
                pairs.push_back({name, text(8)});
            }
            p.user_properties = list(keep(std::move(pairs)));
        }
        if (maybe(id::maximum_packet_size)) p.maximum_packet_size = between(1, 0xFFFF'FFFF);
        if (maybe(id::wildcard_subscription_available)) {
            p.wildcard_subscription_available = boolean();
        }
        if (maybe(id::subscription_identifier_available)) {
            p.subscription_identifier_available = boolean();
        }
        if (maybe(id::shared_subscription_available)) p.shared_subscription_available = boolean();
        return p;
    }

    packet make_connect() {
        connect c;
        c.clean_start = percent(50);
        c.keep_alive = std::uint16_t(rng_());
        c.props = make_properties(property_context::connect);
        c.client_id = text(23);
        if (percent(40)) {
            will_message w;
            w.props = make_properties(property_context::will);
            w.topic = topic_name();  // no wildcards in a Will Topic
            w.payload = payload(w.props.payload_format_indicator == 1);
            w.qos = qos(below(3));  // MQTT-3.1.2-12
            w.retain = percent(50);
            c.will = w;
        }
        if (percent(50)) c.username = text(16);
        if (percent(50)) c.password = binary(16);
        return c;
    }

    packet make_connack() {
        connack c;
        c.reason = pick_code(connack_codes);
        // Session Present is 0 with a failure code (spec 3.2.2.1.1).
        c.session_present = c.reason == reason_code::success && percent(50);
        c.props = make_properties(property_context::connack);
        return c;
    }

    packet make_publish() {
        publish p;
        p.qos = qos(below(3));
        p.dup = p.qos != qos::at_most_once && percent(30);  // DUP 0 at QoS 0 (MQTT-3.3.1-2)
        p.retain = percent(30);
        p.props = make_properties(property_context::publish);
        // With a Topic Alias the Topic Name may be empty (spec 3.3.2.3.4).
        p.topic = p.props.topic_alias && percent(40) ? std::string_view() : topic_name();
        if (p.qos != qos::at_most_once) p.packet_id = std::uint16_t(between(1, 0xFFFF));
        p.payload = payload(p.props.payload_format_indicator == 1);
        return p;
    }

    template <class T>
    packet make_response(const std::vector<std::uint8_t>& codes) {
        T r;
        r.packet_id = std::uint16_t(between(1, 0xFFFF));
        if (percent(70)) r.reason = pick_code(codes);
        if (percent(50)) r.props = make_properties(context_of(T::type));
        return r;
    }

    packet make_subscribe() {
        subscribe s;
        s.packet_id = std::uint16_t(between(1, 0xFFFF));
        if (percent(60)) s.props = make_properties(property_context::subscribe);
        std::vector<subscription> subs(between(1, 5));
        for (auto& sub : subs) {
            bool shared = false;
            sub.topic_filter = topic_filter(shared);
            sub.max_qos = qos(below(3));
            sub.no_local = !shared && percent(50);  // not on a shared subscription
            sub.retain_as_published = percent(50);
            sub.retain_handling = retain_handling(below(3));  // 3 is a Protocol Error
        }
        s.subscriptions = list(keep(std::move(subs)));
        return s;
    }

    packet make_unsubscribe() {
        unsubscribe u;
        u.packet_id = std::uint16_t(between(1, 0xFFFF));
        if (percent(60)) u.props = make_properties(property_context::unsubscribe);
        std::vector<std::string_view> filters(between(1, 5));
        bool shared = false;
        for (auto& f : filters)
            f = topic_filter(shared);
        u.topic_filters = list(keep(std::move(filters)));
        return u;
    }

    template <class T>
    packet make_suback(const std::vector<std::uint8_t>& codes, property_context where) {
        T s;
        s.packet_id = std::uint16_t(between(1, 0xFFFF));
        if (percent(60)) s.props = make_properties(where);
        std::vector<reason_code> rcs(between(1, 6));
        for (auto& rc : rcs)
            rc = pick_code(codes);
        s.reason_codes = list(keep(std::move(rcs)));
        return s;
    }

    std::mt19937 rng_;
    std::vector<std::shared_ptr<void>> storage_;
};

// Runs every check on one packet; returns false (after recording failures) on the first problem.
bool round_trip(const packet& p, packet_generator& gen) {
    SCOPED_TRACE(to_string(p));
    auto size = encoded_size(p);
    if (!size) {
        ADD_FAILURE() << "encoded_size refused a valid packet";
        return false;
    }
    byte_vector bytes(*size);
    if (encode(p, bytes) != *size) {
        ADD_FAILURE() << "encode wrote another size than encoded_size said (" << *size << ")";
        return false;
    }
    SCOPED_TRACE("encoded: " +
                 to_hex(bytes_view(bytes).first(std::min<std::size_t>(bytes.size(), 200))));
    if (auto problem = check_packet(p)) {
        ADD_FAILURE() << "check_packet refused a valid packet: " << problem->message();
        return false;
    }

    decode_result r = decode(bytes);
    if (r.status != decode_status::complete) {
        ADD_FAILURE() << "decode: status " << int(r.status) << " " << r.error.message();
        return false;
    }
    if (r.consumed != bytes.size() || !(r.value == p)) {
        ADD_FAILURE() << "decoded " << r.consumed << " of " << bytes.size() << " bytes as "
                      << to_string(r.value);
        return false;
    }
    // The decoded packet's strings and lists are views into `bytes`: encoding it again must
    // give the same bytes.
    if (encoded_size(r.value) != size || encode_to_vector(r.value) != bytes) {
        ADD_FAILURE() << "re-encoding the decoded packet gives other bytes";
        return false;
    }

    // Through the framer, split at a random point (both parts non-empty).
    std::size_t split = 1 + gen.below(std::uint32_t(bytes.size() - 1));
    auto framed = frame_in_two(bytes, split);
    if (!framed) return false;
    if (*framed != bytes) {
        ADD_FAILURE() << "framer returned other bytes, split at " << split;
        return false;
    }
    decode_result again = decode(*framed);
    if (again.status != decode_status::complete || !(again.value == p)) {
        ADD_FAILURE() << "framed bytes decode differently, split at " << split;
        return false;
    }
    return true;
}

class RandomRoundTrip : public ::testing::TestWithParam<packet_type> {};

TEST_P(RandomRoundTrip, EncodeDecodeEncode) {
    const packet_type type = GetParam();
    const std::uint32_t seed = 1000 + std::uint32_t(type);
    packet_generator gen(seed);
    for (int i = 0; i < iterations; ++i) {
        SCOPED_TRACE("seed " + std::to_string(seed) + ", iteration " + std::to_string(i));
        packet p = gen.make(type);
        ASSERT_EQ(type_of(p), type);
        if (!round_trip(p, gen)) return;  // one reproducible failure is enough
        gen.clear();
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, RandomRoundTrip,
    ::testing::Values(packet_type::connect, packet_type::connack, packet_type::publish,
                      packet_type::puback, packet_type::pubrec, packet_type::pubrel,
                      packet_type::pubcomp, packet_type::subscribe, packet_type::suback,
                      packet_type::unsubscribe, packet_type::unsuback, packet_type::pingreq,
                      packet_type::pingresp, packet_type::disconnect, packet_type::auth),
    [](const ::testing::TestParamInfo<packet_type>& info) {
        return std::string(packet_type_name(info.param));
    });

// A stream of random packets of random types, fed to one framer in random chunks of 1 to 64
// bytes: every packet comes out whole, in order, and decodes to what was sent.
TEST(RandomStream, FramerSplitsAStreamInRandomChunks) {
    constexpr std::uint32_t seed = 42;
    constexpr int packets = 300;
    packet_generator gen(seed);
    std::vector<packet> sent;
    byte_vector stream;
    for (int i = 0; i < packets; ++i) {
        sent.push_back(gen.make(packet_type(gen.between(1, 15))));
        byte_vector bytes = encode_to_vector(sent.back());
        ASSERT_FALSE(bytes.empty());
        stream.insert(stream.end(), bytes.begin(), bytes.end());
    }
    // `sent` keeps views into the generator's storage, so no clear() until the end.

    framer f;
    std::size_t pos = 0, received = 0;
    while (pos < stream.size()) {
        std::size_t chunk_end = std::min(stream.size(), pos + gen.between(1, 64));
        bytes_view chunk = bytes_view(stream).subspan(pos, chunk_end - pos);
        while (!chunk.empty()) {
            frame_result r = f.feed(chunk);
            ASSERT_NE(r.status, decode_status::error) << r.error.message();
            ASSERT_GT(r.consumed, 0u);
            chunk = chunk.subspan(r.consumed);
            if (r.status == decode_status::complete) {
                ASSERT_LT(received, sent.size());
                SCOPED_TRACE("packet " + std::to_string(received));
                decode_result d = decode(r.packet);
                ASSERT_EQ(d.status, decode_status::complete) << d.error.message();
                EXPECT_TRUE(same_packet(d.value, sent[received]));
                ++received;
            }
        }
        pos = chunk_end;
    }
    EXPECT_EQ(received, sent.size());
    EXPECT_EQ(f.stream_offset(), stream.size());
}

}  // namespace
}  // namespace mqtt
