// UTF-8 Encoded Strings (spec 1.5.4): utf8_error_index finds the first ill-formed sequence
// (MQTT-1.5.4-1) or U+0000 (MQTT-1.5.4-2), and keeps U+FEFF (MQTT-1.5.4-3). The index is the first
// byte of the sequence that cannot be completed, the way a receiver would report it.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/utf8.hpp"
#include "test_support.hpp"

namespace mqtt {
namespace {

using namespace std::string_view_literals;
constexpr auto npos = std::string_view::npos;

struct utf8_case {
    const char* what;
    std::string_view text;
    std::size_t error_index;  // npos when valid
};

const std::vector<utf8_case> cases = {
    // ---- Valid ----
    {"empty", ""sv, npos},
    {"ASCII", "sport/tennis/player1"sv, npos},
    {"all ASCII from 01 to 7F", "\x01\x1F !~\x7F"sv, npos},  // controls are SHOULD NOT, not invalid
    {"U+0080, smallest 2-byte", "\xC2\x80"sv, npos},
    {"U+00E9 e-acute", "caf\xC3\xA9"sv, npos},
    {"U+07FF, largest 2-byte", "\xDF\xBF"sv, npos},
    {"U+0800, smallest 3-byte", "\xE0\xA0\x80"sv, npos},
    {"U+20AC euro sign", "\xE2\x82\xAC"sv, npos},
    {"U+D7FF, just below the surrogates", "\xED\x9F\xBF"sv, npos},
    {"U+E000, just above the surrogates", "\xEE\x80\x80"sv, npos},
    {"U+FEFF at the start (MQTT-1.5.4-3)",
     "\xEF\xBB\xBF"
     "a/b"sv,
     npos},
    {"U+FEFF in the middle (MQTT-1.5.4-3)", "a/\xEF\xBB\xBF/b"sv, npos},
    {"U+FFFF, a non-character", "\xEF\xBF\xBF"sv, npos},
    {"U+10000, smallest 4-byte", "\xF0\x90\x80\x80"sv, npos},
    {"U+1D11E G clef", "\xF0\x9D\x84\x9E"sv, npos},
    {"U+10FFFF, the largest code point", "\xF4\x8F\xBF\xBF"sv, npos},
    {"mixed lengths", "a\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E/z"sv, npos},
    {"long ASCII run", "abcdefghijklmnopqrstuvwxyz/0123456789/ABCDEFGHIJKLMNOPQRSTUVWXYZ"sv, npos},

    // ---- U+0000 (MQTT-1.5.4-2) ----
    {"U+0000 alone", "\0"sv, 0},
    {"U+0000 after text", "ab\0"sv, 2},
    {"U+0000 in a long ASCII run", "abcdefghij\0klmnop"sv, 10},
    {"U+0000 after a 3-byte char", "\xE2\x82\xAC\0"sv, 3},

    // ---- Lone continuation bytes ----
    {"lone 80", "\x80"sv, 0},
    {"BF after ASCII", "a\xBF"sv, 1},
    {"continuation after a complete 2-byte char", "\xC3\xA9\x80"sv, 2},

    // ---- Overlong forms (MQTT-1.5.4-1) ----
    {"C0 80: overlong U+0000", "\xC0\x80"sv, 0},
    {"C0 AF: overlong '/'", "ab\xC0\xAF"sv, 2},
    {"C1 BF: overlong U+007F", "\xC1\xBF"sv, 0},
    {"E0 80 80: overlong 3-byte U+0000", "\xE0\x80\x80"sv, 0},
    {"E0 9F BF: overlong U+07FF", "x\xE0\x9F\xBF"sv, 1},
    {"F0 80 80 80: overlong 4-byte U+0000", "\xF0\x80\x80\x80"sv, 0},
    {"F0 8F BF BF: overlong U+FFFF", "\xF0\x8F\xBF\xBF"sv, 0},

    // ---- Surrogates U+D800..U+DFFF (MQTT-1.5.4-1) ----
    {"ED A0 80: U+D800", "\xED\xA0\x80"sv, 0},
    {"ED AF BF: U+DBFF", "abc\xED\xAF\xBF"sv, 3},
    {"ED B0 80: U+DC00", "\xED\xB0\x80"sv, 0},
    {"ED BF BF: U+DFFF", "x\xED\xBF\xBF"sv, 1},
    {"CESU-8 surrogate pair for U+1F600", "\xED\xA0\xBD\xED\xB8\x80"sv, 0},

    // ---- Above U+10FFFF ----
    {"F4 90 80 80: U+110000", "\xF4\x90\x80\x80"sv, 0},
    {"F5 80 80 80: lead byte F5", "a\xF5\x80\x80\x80"sv, 1},
    {"F7 BF BF BF: U+1FFFFF", "\xF7\xBF\xBF\xBF"sv, 0},
    {"F8: five-byte lead", "\xF8\x88\x80\x80\x80"sv, 0},
    {"FC: six-byte lead", "\xFC\x84\x80\x80\x80\x80"sv, 0},
    {"FE", "\xFE"sv, 0},
    {"FF", "ok\xFF"sv, 2},

    // ---- Truncated sequences ----
    {"C3 at the end", "\xC3"sv, 0},
    {"E2 82 at the end", "a\xE2\x82"sv, 1},
    {"F0 9D 84 at the end", "\xF0\x9D\x84"sv, 0},
    {"E2 82 then ASCII",
     "\xE2\x82"
     "a"sv,
     0},
    {"C3 then ASCII",
     "\xC3"
     "a"sv,
     0},
    {"F0 9D then 2-byte char", "\xF0\x9D\xC3\xA9"sv, 0},
    {"complete char then truncated one", "\xC3\xA9\xC3"sv, 2},
    {"invalid byte after a long ASCII run", "abcdefghijklmnop\x80"sv, 16},

    // ---- The first error wins ----
    {"continuation before an overlong", "a\x80\xC0\x80"sv, 1},
    {"NUL before a surrogate", "\0\xED\xA0\x80"sv, 0},
};

TEST(utf8, error_index_table) {
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        EXPECT_EQ(utf8_error_index(c.text), c.error_index);
        EXPECT_EQ(valid_utf8(c.text), c.error_index == npos);
        // Everything before the reported index is valid on its own.
        if (c.error_index != npos) {
            EXPECT_EQ(utf8_error_index(c.text.substr(0, c.error_index)), npos);
        }
    }
}

// U+FEFF is kept as is, never stripped or skipped (MQTT-1.5.4-3): a string that starts with it is
// valid, and so is the BOM alone.
TEST(utf8, bom_kept_MQTT_1_5_4_3) {
    EXPECT_TRUE(valid_utf8("\xEF\xBB\xBF"sv));
    EXPECT_TRUE(valid_utf8("\xEF\xBB\xBF\xEF\xBB\xBF"sv));
    // A truncated BOM is not.
    EXPECT_EQ(utf8_error_index("\xEF\xBB"sv), 0u);
}

// Every code point of each encoding length at its boundaries, generated from the code point so
// the whole Unicode range edges are covered; surrogates and values above U+10FFFF refused.
std::string encode_code_point(char32_t cp) {
    std::string s;
    test::append_utf8(s, cp);
    return s;
}

TEST(utf8, code_point_ranges) {
    for (char32_t cp = 1; cp <= 0x13'0000; cp += (cp < 0x1'0000 ? 1 : 0x3F)) {
        std::string s = "x";  // built by appends: GCC 12 -O3 misreports "x" + s (-Wrestrict)
        s += encode_code_point(cp);
        s += 'y';
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        const bool too_big = cp > 0x10'FFFF;
        ASSERT_EQ(utf8_error_index(s), surrogate || too_big ? 1u : npos)
            << std::hex << std::uint32_t(cp);
    }
    EXPECT_TRUE(valid_utf8(encode_code_point(0x10'FFFF)));
    EXPECT_FALSE(valid_utf8(encode_code_point(0x11'0000)));
}

}  // namespace
}  // namespace mqtt
