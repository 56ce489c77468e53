// Our MQTT 3.1.1 codec against an independent one: random 3.1.1 packets, encoded by us, written to
// a capture (tools/common/pcap_writer.hpp) and decoded by tshark's MQTT dissector, which learns
// the stream's version from its CONNECT as we do. For every packet, tshark's fields must equal
// both the values the packet was made from and what our decoder reads back from the same bytes;
// tshark must find no property, no v5 reason code and nothing malformed anywhere.
//
// Skipped when tshark is not installed (scripts/setup installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "capture_files.hpp"
#include "protocol/codec.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools {
namespace {

// The fields compared, in tshark's -T fields order. All occurrences of a field are joined by ','.
const std::vector<std::string> fields = {
    "mqtt.msgtype",
    "mqtt.len",
    "mqtt.dupflag",
    "mqtt.qos",
    "mqtt.retain",
    "mqtt.msgid",
    "mqtt.topic",
    "mqtt.msg",
    "mqtt.sub.qos",
    "mqtt.suback.qos",
    "mqtt.conack.flags.sp",
    "mqtt.conack.val",
    "mqtt.protoname",
    "mqtt.ver",
    "mqtt.conflag.cleansess",
    "mqtt.conflag.willflag",
    "mqtt.conflag.qos",
    "mqtt.conflag.retain",
    "mqtt.kalive",
    "mqtt.clientid",
    "mqtt.willtopic",
    "mqtt.willmsg",
    "mqtt.username",
    "mqtt.passwd",
    // Must stay empty in 3.1.1: properties and v5 reason codes.
    "mqtt.property_len",
    "mqtt.puback.reason_code",
    "mqtt.suback.reason_code",
    "mqtt.unsuback.reason_code",
    "mqtt.disconnect.reason_code",
    "_ws.malformed",
};

std::string hex(bytes_view b) {
    std::string s;
    for (const std::uint8_t c : b)
        s += fmt::format("{:02x}", c);
    return s;
}

// The Remaining Length of an encoded packet (a Variable Byte Integer after the first byte).
std::size_t remaining_length(const std::vector<std::uint8_t>& packet) {
    std::size_t value = 0;
    for (std::size_t i = 1, shift = 0; i < packet.size() && i <= 4; ++i, shift += 7) {
        value |= std::size_t(packet[i] & 0x7F) << shift;
        if ((packet[i] & 0x80) == 0) break;
    }
    return value;
}

// The line tshark should print for `p`, from a decoded packet (ours) and its Remaining Length.
std::string expected_line(const packet& p, std::size_t remaining) {
    std::vector<std::string> v(fields.size());
    auto set = [&](std::string_view name, std::string value) {
        for (std::size_t i = 0; i < fields.size(); ++i)
            if (fields[i] == name) v[i] = std::move(value);
    };
    const auto type = unsigned(type_of(p));
    set("mqtt.msgtype", std::to_string(type));
    set("mqtt.len", std::to_string(remaining));
    if (const auto* c = std::get_if<connect>(&p)) {
        set("mqtt.protoname", "MQTT");
        set("mqtt.ver", "4");
        set("mqtt.conflag.cleansess", c->clean_start ? "1" : "0");
        set("mqtt.conflag.willflag", c->will ? "1" : "0");
        set("mqtt.conflag.qos", std::to_string(c->will ? unsigned(c->will->qos) : 0));
        set("mqtt.conflag.retain", c->will && c->will->retain ? "1" : "0");
        set("mqtt.kalive", std::to_string(c->keep_alive));
        set("mqtt.clientid", std::string(c->client_id));
        if (c->will) {
            set("mqtt.willtopic", std::string(c->will->topic));
            set("mqtt.willmsg", hex(c->will->payload));
        }
        if (c->username) set("mqtt.username", std::string(*c->username));
        if (c->password) set("mqtt.passwd", std::string(as_chars(*c->password)));
    } else if (const auto* a = std::get_if<connack>(&p)) {
        set("mqtt.conack.flags.sp", a->session_present ? "1" : "0");
        connect_return_code rc{};
        EXPECT_TRUE(to_connect_return_code(a->reason, rc));
        set("mqtt.conack.val", std::to_string(unsigned(rc)));
    } else if (const auto* pub = std::get_if<publish>(&p)) {
        set("mqtt.dupflag", pub->dup ? "1" : "0");
        set("mqtt.qos", std::to_string(unsigned(pub->qos)));
        set("mqtt.retain", pub->retain ? "1" : "0");
        if (pub->qos != qos::at_most_once) set("mqtt.msgid", std::to_string(pub->packet_id));
        set("mqtt.topic", std::string(pub->topic));
        if (!pub->payload.empty()) set("mqtt.msg", hex(pub->payload));
    } else if (const auto* s = std::get_if<subscribe>(&p)) {
        set("mqtt.msgid", std::to_string(s->packet_id));
        std::string topics, qoss;
        for (const subscription& sub : s->subscriptions) {
            topics += (topics.empty() ? "" : ",") + std::string(sub.topic_filter);
            qoss += (qoss.empty() ? "" : ",") + std::to_string(unsigned(sub.max_qos));
        }
        set("mqtt.topic", topics);
        set("mqtt.sub.qos", qoss);
    } else if (const auto* sa = std::get_if<suback>(&p)) {
        set("mqtt.msgid", std::to_string(sa->packet_id));
        std::string codes;
        for (const reason_code rc : sa->reason_codes)
            codes += (codes.empty() ? "" : ",") + std::to_string(unsigned(rc));
        set("mqtt.suback.qos", codes);
    } else if (const auto* u = std::get_if<unsubscribe>(&p)) {
        set("mqtt.msgid", std::to_string(u->packet_id));
        std::string topics;
        for (const std::string_view t : u->topic_filters)
            topics += (topics.empty() ? "" : ",") + std::string(t);
        set("mqtt.topic", topics);
    } else if (const auto* ua = std::get_if<unsuback>(&p)) {
        set("mqtt.msgid", std::to_string(ua->packet_id));
    } else {
        std::visit(
            [&](const auto& x) {
                if constexpr (requires { x.packet_id; })
                    set("mqtt.msgid", std::to_string(x.packet_id));
            },
            p);
    }
    std::string line;
    for (std::size_t i = 0; i < v.size(); ++i)
        line += (i ? "\t" : "") + v[i];
    return line;
}

// Random 3.1.1 packets, printable strings (tshark prints strings as text), payloads of any bytes.
class generator {
  public:
    explicit generator(unsigned seed) : rng_(seed) {}

    std::string_view text(std::size_t max) {
        std::string s(pick(1, max), 'a');
        for (char& c : s)
            c = "abcdefghijklmnopqrstuvwxyz0123456789-_"[pick(0, 37)];
        return keep(std::move(s));
    }
    std::string_view topic() {
        std::string t = std::string(text(8)) + "/" + std::string(text(8));
        return keep(std::move(t));
    }
    bytes_view payload(std::size_t max) {
        std::vector<std::uint8_t> b(pick(0, max));
        for (std::uint8_t& x : b)
            x = std::uint8_t(pick(0, 255));
        blobs_.push_back(std::move(b));
        return blobs_.back();
    }
    std::uint16_t id() { return std::uint16_t(pick(1, 65535)); }
    qos any_qos() { return qos(pick(0, 2)); }
    bool coin() { return pick(0, 1) == 1; }
    std::size_t pick(std::size_t lo, std::size_t hi) {
        return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_);
    }

    connect make_connect() {
        connect c;
        c.protocol_version = protocol_version::v311;
        c.clean_start = coin();
        c.keep_alive = std::uint16_t(pick(0, 65535));
        c.client_id = text(23);
        if (coin()) c.will = will_message{topic(), payload(40), any_qos(), coin(), {}};
        if (coin()) {
            c.username = text(12);
            if (coin()) c.password = as_bytes(text(12));
        }
        return c;
    }

    // Any packet but CONNECT, with the direction it travels in.
    std::pair<transport::direction, packet> make_other() {
        using transport::direction;
        switch (pick(0, 12)) {
            case 0: {
                static constexpr reason_code codes[] = {reason_code::success,
                                                        reason_code::unsupported_protocol_version,
                                                        reason_code::client_identifier_not_valid,
                                                        reason_code::server_unavailable,
                                                        reason_code::bad_user_name_or_password,
                                                        reason_code::not_authorized};
                connack a;
                a.reason = codes[pick(0, 5)];
                a.session_present = a.reason == reason_code::success && coin();
                return {direction::received, a};
            }
            case 1:
            case 2: {
                publish p;
                p.qos = any_qos();
                p.dup = p.qos != qos::at_most_once && coin();
                p.retain = coin();
                p.topic = topic();
                if (p.qos != qos::at_most_once) p.packet_id = id();
                p.payload = payload(coin() ? 20 : 300);
                return {coin() ? direction::sent : direction::received, p};
            }
            case 3:
                return {direction::sent, puback{id(), {}, {}}};
            case 4:
                return {direction::received, pubrec{id(), {}, {}}};
            case 5:
                return {direction::sent, pubrel{id(), {}, {}}};
            case 6:
                return {direction::received, pubcomp{id(), {}, {}}};
            case 7: {
                auto& subs = subscription_lists_.emplace_back();
                for (std::size_t n = pick(1, 3); n > 0; --n)
                    subs.push_back(subscription{topic(), any_qos(), false, false, {}});
                return {direction::sent, subscribe{id(), {}, std::span<const subscription>(subs)}};
            }
            case 8: {
                static constexpr reason_code codes[] = {
                    reason_code::success, reason_code::granted_qos_1, reason_code::granted_qos_2,
                    reason_code::unspecified_error};
                auto& list = code_lists_.emplace_back();
                for (std::size_t n = pick(1, 3); n > 0; --n)
                    list.push_back(codes[pick(0, 3)]);
                return {direction::received, suback{id(), {}, std::span<const reason_code>(list)}};
            }
            case 9: {
                auto& filters = filter_lists_.emplace_back();
                for (std::size_t n = pick(1, 3); n > 0; --n)
                    filters.push_back(topic());
                return {direction::sent,
                        unsubscribe{id(), {}, std::span<const std::string_view>(filters)}};
            }
            case 10:
                return {direction::received, unsuback{id(), {}, {}}};
            case 11:
                return {direction::sent, pingreq{}};
            default:
                return {direction::received, pingresp{}};
        }
    }

  private:
    std::string_view keep(std::string s) {
        strings_.push_back(std::make_unique<std::string>(std::move(s)));
        return *strings_.back();
    }
    std::mt19937 rng_;
    std::vector<std::unique_ptr<std::string>> strings_;
    std::vector<std::vector<std::uint8_t>> blobs_;
    std::vector<std::vector<subscription>> subscription_lists_;
    std::vector<std::vector<reason_code>> code_lists_;
    std::vector<std::vector<std::string_view>> filter_lists_;

  public:
    generator(const generator&) = delete;
};

class V311AgainstTshark : public ::testing::TestWithParam<unsigned> {};

TEST_P(V311AgainstTshark, RandomPacketsDecodeAlikeInBoth) {
    if (std::system("tshark -v >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
    const unsigned seed = GetParam();
    generator gen(seed);
    const std::string file =
        fmt::format("{}/mqtt-v311-tshark-{}-{}.pcap", ::testing::TempDir(), ::getpid(), seed);

    std::vector<std::string> expected;
    {
        pcap_writer w(file);
        const auto t0 = std::chrono::system_clock::now();  // 127.0.0.1:49152 -> :1883
        std::vector<std::pair<transport::direction, packet>> packets;
        packets.emplace_back(transport::direction::sent, gen.make_connect());
        for (int i = 0; i < 150; ++i)
            packets.push_back(gen.make_other());
        packets.emplace_back(transport::direction::sent, disconnect{});
        for (const auto& [dir, p] : packets) {
            ASSERT_FALSE(check_packet(p, protocol_version::v311).has_value())
                << "seed " << seed << ": generated an invalid 3.1.1 "
                << packet_type_name(type_of(p)) << ": "
                << check_packet(p, protocol_version::v311)->message();
            const auto size = encoded_size(p, protocol_version::v311);
            ASSERT_TRUE(size.has_value());
            std::vector<std::uint8_t> buf(*size);
            ASSERT_EQ(encode(p, buf, protocol_version::v311), *size);

            // Our decoder reads back what was encoded, and the line is made from its reading.
            decode_options opts;
            opts.version = protocol_version::v311;
            const decode_result r = decode(buf, opts);
            ASSERT_EQ(r.status, decode_status::complete) << packet_type_name(type_of(p));
            EXPECT_EQ(r.consumed, buf.size());
            EXPECT_TRUE(r.value == p) << "seed " << seed << ": " << packet_type_name(type_of(p));
            expected.push_back(expected_line(r.value, remaining_length(buf)));
            w.packet(transport::tapped_packet{dir, t0, buf});
        }
        w.closed(t0);
        ASSERT_EQ(w.error(), "");
    }

    std::string command =
        "tshark -r '" + file + "' -Y mqtt -T fields -E occurrence=a -E aggregator=,";
    for (const std::string& f : fields)
        command += " -e " + f;
    command += " 2>/dev/null";
    const std::vector<std::string> got = test_files::output_lines(command);
    ASSERT_EQ(got.size(), expected.size()) << "seed " << seed << ": frames with MQTT in tshark";
    for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], expected[i]) << "seed " << seed << ", packet " << i
                                       << "\nfields: " << fmt::format("{}", fmt::join(fields, " "));
    std::remove(file.c_str());
}

INSTANTIATE_TEST_SUITE_P(Seeds, V311AgainstTshark, ::testing::Values(1u, 2u, 3u, 4u));

}  // namespace
}  // namespace mqtt::tools
