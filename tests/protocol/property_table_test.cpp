// The property table (protocol/property_table.hpp) against the MQTT v5 specification, section
// 2.2.2.2, Table 2-4 "Properties", written out again below by hand, row by row: identifier, name,
// data type and the packets each property may appear in. Then the decoder is held to the same
// rows with hand-built packets: a property is accepted exactly where the spec allows it, repeats
// exactly where the spec lets it repeat, and its values are refused exactly where the spec's
// section for it says, with the reason code the spec names.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/property.hpp"
#include "test_support.hpp"

namespace mqtt {
namespace {

using namespace mqtt::test;
using ctx = property_context;
using pt = property_type;

// ---------------------------------------------------------------------------------------------
// Spec 2.2.2.2, Table 2-4. "Will Properties" is written `ctx::will`.

struct spec_row {
    std::uint8_t id;
    std::string_view name;
    property_type type;
    std::vector<ctx> packets;
};

const std::vector<spec_row>& table_2_4() {
    static const std::vector<spec_row> rows = {
        {0x01, "Payload Format Indicator", pt::byte, {ctx::publish, ctx::will}},
        {0x02, "Message Expiry Interval", pt::four_byte_integer, {ctx::publish, ctx::will}},
        {0x03, "Content Type", pt::utf8_string, {ctx::publish, ctx::will}},
        {0x08, "Response Topic", pt::utf8_string, {ctx::publish, ctx::will}},
        {0x09, "Correlation Data", pt::binary_data, {ctx::publish, ctx::will}},
        {0x0B,
         "Subscription Identifier",
         pt::variable_byte_integer,
         {ctx::publish, ctx::subscribe}},
        {0x11,
         "Session Expiry Interval",
         pt::four_byte_integer,
         {ctx::connect, ctx::connack, ctx::disconnect}},
        {0x12, "Assigned Client Identifier", pt::utf8_string, {ctx::connack}},
        {0x13, "Server Keep Alive", pt::two_byte_integer, {ctx::connack}},
        {0x15, "Authentication Method", pt::utf8_string, {ctx::connect, ctx::connack, ctx::auth}},
        {0x16, "Authentication Data", pt::binary_data, {ctx::connect, ctx::connack, ctx::auth}},
        {0x17, "Request Problem Information", pt::byte, {ctx::connect}},
        {0x18, "Will Delay Interval", pt::four_byte_integer, {ctx::will}},
        {0x19, "Request Response Information", pt::byte, {ctx::connect}},
        {0x1A, "Response Information", pt::utf8_string, {ctx::connack}},
        {0x1C, "Server Reference", pt::utf8_string, {ctx::connack, ctx::disconnect}},
        {0x1F,
         "Reason String",
         pt::utf8_string,
         {ctx::connack, ctx::puback, ctx::pubrec, ctx::pubrel, ctx::pubcomp, ctx::suback,
          ctx::unsuback, ctx::disconnect, ctx::auth}},
        {0x21, "Receive Maximum", pt::two_byte_integer, {ctx::connect, ctx::connack}},
        {0x22, "Topic Alias Maximum", pt::two_byte_integer, {ctx::connect, ctx::connack}},
        {0x23, "Topic Alias", pt::two_byte_integer, {ctx::publish}},
        {0x24, "Maximum QoS", pt::byte, {ctx::connack}},
        {0x25, "Retain Available", pt::byte, {ctx::connack}},
        {0x26,
         "User Property",
         pt::utf8_string_pair,
         {ctx::connect, ctx::connack, ctx::publish, ctx::will, ctx::puback, ctx::pubrec,
          ctx::pubrel, ctx::pubcomp, ctx::subscribe, ctx::suback, ctx::unsubscribe, ctx::unsuback,
          ctx::disconnect, ctx::auth}},
        {0x27, "Maximum Packet Size", pt::four_byte_integer, {ctx::connect, ctx::connack}},
        {0x28, "Wildcard Subscription Available", pt::byte, {ctx::connack}},
        {0x29, "Subscription Identifier Available", pt::byte, {ctx::connack}},
        {0x2A, "Shared Subscription Available", pt::byte, {ctx::connack}},
    };
    return rows;
}

bool listed(const std::vector<ctx>& packets, ctx c) {
    for (ctx p : packets) {
        if (p == c) return true;
    }
    return false;
}

// Where the spec lets a property appear more than once; everywhere else it says "It is a
// Protocol Error to include the <property> more than once".
bool spec_repeatable(std::uint8_t id, ctx c) {
    if (id == 0x26) return true;               // User Property: 3.1.2.11.8 and the like
    if (id == 0x0B) return c == ctx::publish;  // one per matching subscription, 3.3.2.3.8
    return false;                              // (in SUBSCRIBE: once, 3.8.2.1.2)
}

// "Maximum QoS" -> "maximum_qos" (sep '_') or "maximum-qos" (sep '-').
std::string spelled(std::string_view name, char sep) {
    std::string s;
    for (char c : name)
        s += c == ' ' ? sep : char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Every context that has a property block (PINGREQ and PINGRESP have none).
std::vector<ctx> contexts_with_properties() {
    std::vector<ctx> all;
    for (int c = 0; c <= 15; ++c) {
        if (ctx(c) != ctx::pingreq && ctx(c) != ctx::pingresp) all.push_back(ctx(c));
    }
    return all;
}

TEST(PropertyTable, MatchesSpecTable2_4RowByRow) {
    const auto table = all_properties();
    const auto& spec = table_2_4();
    ASSERT_EQ(table.size(), 27u);
    ASSERT_EQ(spec.size(), 27u);
    for (std::size_t i = 0; i < spec.size(); ++i) {
        SCOPED_TRACE(spec[i].name);
        const property_info& row = table[i];
        EXPECT_EQ(std::uint8_t(row.id), spec[i].id);
        EXPECT_EQ(row.name, spec[i].name);
        EXPECT_EQ(row.type, spec[i].type);
        EXPECT_EQ(row.json_key, spelled(spec[i].name, '_'));
        EXPECT_EQ(row.cli_name, spelled(spec[i].name, '-'));  // mosquitto_pub's -D spelling
        for (int c = 0; c <= 15; ++c) {
            EXPECT_EQ(row.allowed_in(ctx(c)), listed(spec[i].packets, ctx(c))) << "context " << c;
            EXPECT_EQ(row.repeatable_in(ctx(c)),
                      listed(spec[i].packets, ctx(c)) && spec_repeatable(spec[i].id, ctx(c)))
                << "context " << c;
        }
        EXPECT_EQ(row.repeatable(), spec[i].id == 0x26 || spec[i].id == 0x0B);
    }
}

TEST(PropertyTable, LookupByIdentifierAndJsonKey) {
    for (const auto& row : table_2_4()) {
        const property_info* by_id = find_property(row.id);
        ASSERT_NE(by_id, nullptr) << row.name;
        EXPECT_EQ(by_id->name, row.name);
        EXPECT_EQ(find_property(std::string_view(spelled(row.name, '_'))), by_id) << row.name;
    }
    // Identifiers the spec does not define.
    for (std::uint8_t unknown :
         {0x00, 0x04, 0x0A, 0x0C, 0x10, 0x14, 0x1B, 0x1D, 0x20, 0x2B, 0x7F, 0x80, 0xFF}) {
        EXPECT_EQ(find_property(unknown), nullptr) << int(unknown);
    }
    EXPECT_EQ(find_property(std::string_view("no_such_property")), nullptr);
    EXPECT_EQ(find_property(std::string_view("Maximum QoS")), nullptr);  // keys, not names
}

// ---------------------------------------------------------------------------------------------
// Hand-built packets carrying a given property block in each context.

byte_vector varint(std::uint32_t v) {
    byte_vector out;
    do {
        std::uint8_t b = v & 0x7F;
        v >>= 7;
        if (v) b |= 0x80;
        out.push_back(b);
    } while (v);
    return out;
}

byte_vector cat(std::initializer_list<byte_vector> parts) {
    byte_vector out;
    for (const byte_vector& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Property Length, then the block.
byte_vector props(const byte_vector& block) {
    return cat({varint(std::uint32_t(block.size())), block});
}

// A minimal valid packet whose property block (or Will Properties) is `block`.
byte_vector packet_with(ctx c, const byte_vector& block) {
    std::uint8_t first = 0;
    byte_vector body;
    switch (c) {
        case ctx::will:  // Will Flag and Clean Start; Client Identifier "c", Will Topic "w"
            first = 0x10;
            body = cat(
                {hex("0004 'MQTT' 05 06 0000 00 0001 'c'"), props(block), hex("0001 'w' 0000")});
            break;
        case ctx::connect:
            first = 0x10;
            body = cat({hex("0004 'MQTT' 05 02 0000"), props(block), hex("0001 'c'")});
            break;
        case ctx::connack:  // no Session Present, 0x00 Success
            first = 0x20;
            body = cat({hex("00 00"), props(block)});
            break;
        case ctx::publish:  // QoS 0, Topic Name "t", no payload
            first = 0x30;
            body = cat({hex("0001 't'"), props(block)});
            break;
        case ctx::puback:
        case ctx::pubrec:
        case ctx::pubrel:
        case ctx::pubcomp:  // Packet Identifier 1, 0x00 Success
            first = c == ctx::puback   ? 0x40
                    : c == ctx::pubrec ? 0x50
                    : c == ctx::pubrel ? 0x62
                                       : 0x70;
            body = cat({hex("0001 00"), props(block)});
            break;
        case ctx::subscribe:  // "a" at QoS 0
            first = 0x82;
            body = cat({hex("0001"), props(block), hex("0001 'a' 00")});
            break;
        case ctx::suback:
        case ctx::unsuback:  // one 0x00 reason code
            first = c == ctx::suback ? 0x90 : 0xB0;
            body = cat({hex("0001"), props(block), hex("00")});
            break;
        case ctx::unsubscribe:
            first = 0xA2;
            body = cat({hex("0001"), props(block), hex("0001 'a'")});
            break;
        case ctx::disconnect:  // 0x00 Normal disconnection
            first = 0xE0;
            body = cat({hex("00"), props(block)});
            break;
        case ctx::auth:  // 0x18 Continue authentication
            first = 0xF0;
            body = cat({hex("18"), props(block)});
            break;
        default:
            ADD_FAILURE() << "no property block in context " << int(c);
    }
    return cat({{first}, varint(std::uint32_t(body.size())), body});
}

// One property with a value valid for every property of its type (spec 1.5): 1, "r" (also a valid
// Topic Name), 0xAA, ("k", "v"). Authentication Data comes after the Authentication Method it
// needs (spec 3.1.2.11.10).
byte_vector one_property(const spec_row& row, std::uint32_t number = 1) {
    byte_vector value;
    switch (row.type) {
        case pt::byte:
            value = {std::uint8_t(number)};
            break;
        case pt::two_byte_integer:
            value = {std::uint8_t(number >> 8), std::uint8_t(number)};
            break;
        case pt::four_byte_integer:
            value = {std::uint8_t(number >> 24), std::uint8_t(number >> 16),
                     std::uint8_t(number >> 8), std::uint8_t(number)};
            break;
        case pt::variable_byte_integer:
            value = varint(number);
            break;
        case pt::utf8_string:
            value = hex("0001 'r'");
            break;
        case pt::binary_data:
            value = hex("0001 AA");
            break;
        case pt::utf8_string_pair:
            value = hex("0001 'k' 0001 'v'");
            break;
    }
    return cat({{row.id}, value});
}

byte_vector method_if_needed(const spec_row& row) {
    return row.id == 0x16 ? hex("15 0001 'm'") : byte_vector{};
}

TEST(PropertyTable, DecoderAcceptsEachPropertyExactlyWhereTheSpecAllowsIt) {
    for (const spec_row& row : table_2_4()) {
        for (ctx c : contexts_with_properties()) {
            SCOPED_TRACE(::testing::Message() << row.name << " in context " << int(c));
            const bool allowed = listed(row.packets, c);
            const decode_result r = decode(packet_with(
                c, cat({allowed ? method_if_needed(row) : byte_vector{}, one_property(row)})));
            if (allowed) {
                EXPECT_EQ(r.status, decode_status::complete) << r.error.message();
            } else {  // spec 2.2.2.2: not valid for its packet type: Malformed Packet
                ASSERT_EQ(r.status, decode_status::error);
                EXPECT_EQ(r.error.reason, reason_code::malformed_packet);
                EXPECT_EQ(r.error.field, row.name);
            }
        }
    }
}

TEST(PropertyTable, DecoderAcceptsARepeatExactlyWhereTheSpecAllowsIt) {
    for (const spec_row& row : table_2_4()) {
        for (ctx c : row.packets) {
            SCOPED_TRACE(::testing::Message() << row.name << " twice in context " << int(c));
            const decode_result r = decode(
                packet_with(c, cat({method_if_needed(row), one_property(row), one_property(row)})));
            if (spec_repeatable(row.id, c)) {
                EXPECT_EQ(r.status, decode_status::complete) << r.error.message();
            } else {
                ASSERT_EQ(r.status, decode_status::error);
                EXPECT_EQ(r.error.reason, reason_code::protocol_error);
                EXPECT_EQ(r.error.field, row.name);
                EXPECT_EQ(r.error.problem, "property included more than once");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Values: the range each property's section gives, and the reason code a value outside it
// carries. Numbers only; Response Topic's rule is below.

struct value_range {
    std::uint8_t id;
    std::uint32_t min;
    std::uint32_t max;
    reason_code violation = reason_code::protocol_error;
};

const std::vector<value_range>& spec_ranges() {
    static const std::vector<value_range> ranges = {
        {0x01, 0, 1},            // 3.3.2.3.2: 0 unspecified bytes, 1 UTF-8
        {0x02, 0, 0xFFFFFFFF},   // Four Byte Integer
        {0x0B, 1, 268'435'455},  // 3.3.2.3.8: "1 to 268,435,455", 0 a Protocol Error
        {0x11, 0, 0xFFFFFFFF},
        {0x13, 0, 0xFFFF},
        {0x17, 0, 1},  // 3.1.2.11.7: other values a Protocol Error
        {0x18, 0, 0xFFFFFFFF},
        {0x19, 0, 1},       // 3.1.2.11.6
        {0x21, 1, 0xFFFF},  // 3.1.2.11.3, 3.2.2.3.3: 0 a Protocol Error
        {0x22, 0, 0xFFFF},
        {0x23, 1, 0xFFFF, reason_code::topic_alias_invalid},  // MQTT-3.3.2-8, 3.3.4
        {0x24, 0, 1},                                         // 3.2.2.3.4
        {0x25, 0, 1},                                         // 3.2.2.3.5
        {0x27, 1, 0xFFFFFFFF},  // 3.1.2.11.4, 3.2.2.3.6: 0 a Protocol Error
        {0x28, 0, 1},           // 3.2.2.3.11
        {0x29, 0, 1},           // 3.2.2.3.12
        {0x2A, 0, 1},           // 3.2.2.3.13
    };
    return ranges;
}

const spec_row& row_of(std::uint8_t id) {
    for (const spec_row& row : table_2_4()) {
        if (row.id == id) return row;
    }
    throw std::invalid_argument("no such row");
}

TEST(PropertyTable, NumericRangesAndTheirReasonCodes) {
    std::size_t numeric = 0;
    for (const property_info& info : all_properties()) {
        numeric += info.type <= pt::variable_byte_integer;
    }
    EXPECT_EQ(numeric, spec_ranges().size());  // every numeric property has a range below

    for (const value_range& range : spec_ranges()) {
        const spec_row& row = row_of(range.id);
        const property_info& info = *find_property(range.id);
        SCOPED_TRACE(row.name);
        EXPECT_EQ(info.min(), range.min);
        EXPECT_EQ(info.max(), range.max);
        const ctx c = row.packets.front();
        auto decoded = [&](std::uint32_t v) {
            return decode(packet_with(c, one_property(row, v)));
        };
        EXPECT_EQ(decoded(range.min).status, decode_status::complete);
        EXPECT_EQ(decoded(range.max).status, decode_status::complete);
        std::vector<std::uint32_t> outside;
        if (range.min > 0) outside.push_back(range.min - 1);
        if (range.max == 1) outside.push_back(2);  // a byte with room above the range
        for (std::uint32_t v : outside) {
            const decode_result r = decoded(v);
            ASSERT_EQ(r.status, decode_status::error) << v;
            EXPECT_EQ(r.error.reason, range.violation) << v;
            EXPECT_EQ(info.rule.violation, range.violation);
            EXPECT_EQ(r.error.field, row.name) << v;
            // The message names the property and the range it broke.
            const std::string message = r.error.message();
            EXPECT_NE(message.find(std::string(row.name) + ": value must "), std::string::npos)
                << message;
            EXPECT_NE(message.find(range.min == 1 ? "must not be 0" : "must be 0 or 1"),
                      std::string::npos)
                << message;
        }
    }
}

TEST(PropertyTable, DecodeErrorsNameThePropertyTheRuleAndTheReasonCode) {
    struct named_case {
        byte_vector bytes;
        std::string message;
    };
    const named_case cases[] = {
        {hex("10 10 0004 'MQTT' 05 02 0000 03"
             "21 0000"  // Receive Maximum 0
             "0001 'c'"),
         "CONNECT Receive Maximum: value must not be 0 at offset 13 (0x82 Protocol Error)"},
        {hex("30 07 0001 't' 03"
             "23 0000"),  // Topic Alias 0
         "PUBLISH Topic Alias: value must not be 0 (MQTT-3.3.2-8) at offset 6 "
         "(0x94 Topic Alias invalid)"},
        {hex("20 05 00 00 02"
             "24 02"),  // Maximum QoS 2
         "CONNACK Maximum QoS: value must be 0 or 1 at offset 5 (0x82 Protocol Error)"},
        {hex("30 0A 0001 't' 06"
             "08 0003 'a/+'"),  // Response Topic with a wildcard
         "PUBLISH Response Topic: not a valid Topic Name (MQTT-3.3.2-14) at offset 6 "
         "(0x82 Protocol Error)"},
        {hex("20 08 00 00 05"
             "18 0000000A"),  // Will Delay Interval in a CONNACK
         "CONNACK Will Delay Interval: property not allowed in this packet at offset 5 "
         "(0x81 Malformed Packet)"},
        {hex("82 0B 0001 04"
             "0B 01 0B 02"  // Subscription Identifier twice in a SUBSCRIBE
             "0001 'a' 00"),
         "SUBSCRIBE Subscription Identifier: property included more than once at offset 7 "
         "(0x82 Protocol Error)"},
    };
    for (const named_case& c : cases) {
        const decode_result r = decode(c.bytes);
        ASSERT_EQ(r.status, decode_status::error) << c.message;
        EXPECT_EQ(r.error.message(), c.message);
    }
}

}  // namespace
}  // namespace mqtt
