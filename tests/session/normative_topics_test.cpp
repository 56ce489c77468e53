// Normative statements on SUBSCRIBE and UNSUBSCRIBE (spec 3.8, 3.10) and on Topic Names and Topic
// Filters (spec 4.7, 4.8), checked on the raw bytes the session writes (normative_support.hpp).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/session/normative_support.hpp"

namespace mqtt::session::test {
namespace {

using namespace std::chrono_literals;

// =============================================================================================
// SUBSCRIBE and UNSUBSCRIBE (spec 3.8, 3.10)

// MQTT-3.8.3-1: "Each SUBSCRIBE Topic Filter is a UTF-8 Encoded String."
TEST(normative, MQTT_3_8_3_1_subscribe_filter_utf8) {
    connected_session c;
    ASSERT_TRUE(c.s.subscribe({sub("\xC3\xBC/+")}, {}, c.peer.now));
    EXPECT_EQ(c.out(), hex("82 0A 0001 00"
                           "0004 C3BC '/+'"  // Topic Filter "ü/+", length in bytes
                           "00"));           // Subscription Options
    for (const std::string bad : {"a/\xFF", "\xED\xA0\x80/#", "\xC3"}) {
        expect_refused(c, c.s.subscribe({sub("ok"), sub(bad)}, {}, c.peer.now),
                       errc::invalid_topic_filter);
    }
}

// MQTT-3.10.3-1: "UNSUBSCRIBE Topic Filters are UTF-8 Encoded Strings."
TEST(normative, MQTT_3_10_3_1_unsubscribe_filter_utf8) {
    connected_session c;
    ASSERT_TRUE(c.s.unsubscribe({"\xC3\xBC/+"}, {}, c.peer.now));
    EXPECT_EQ(c.out(), hex("A2 09 0001 00"
                           "0004 C3BC '/+'"));  // Topic Filter "ü/+"
    for (const std::string bad : {"a/\xFF", "\xED\xA0\x80/#", "\xC3"}) {
        expect_refused(c, c.s.unsubscribe({"ok", bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
}

// =============================================================================================
// Topic Names and Topic Filters (spec 4.7, 4.8): refused before anything is written

// MQTT-4.7.1-1: "'#' stands alone or after '/', and only as the filter's last character."
TEST(normative, MQTT_4_7_1_1_multi_level_wildcard_position) {
    connected_session c;
    for (const char* bad : {"a#", "a/b#", "a/#/b", "#/a", "##", "a/#/#", "$share/g/a#"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    for (const char* good : {"#", "a/#", "a/b/#", "/#", "+/#", "$share/g/#"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

// MQTT-4.7.1-2: "'+' must occupy an entire topic level."
TEST(normative, MQTT_4_7_1_2_single_level_wildcard_whole_level) {
    connected_session c;
    for (const char* bad : {"a+", "+a", "a/+b", "a/b+/c", "++", "a/++/b", "$share/g/a+"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    for (const char* good : {"+", "+/+", "a/+", "+/a/+/b", "/+", "+/", "$share/g/+/x"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

// MQTT-4.7.3-1: "Topic Names and Topic Filters contain at least one character."
TEST(normative, MQTT_4_7_3_1_topic_at_least_one_character) {
    connected_session c;
    expect_publish_refused(c, make_message(""), errc::invalid_topic);
    expect_refused(c, c.s.subscribe({sub("")}, {}, c.peer.now), errc::invalid_topic_filter);
    expect_refused(c, c.s.unsubscribe({""}, {}, c.peer.now), errc::invalid_topic_filter);
    ASSERT_TRUE(c.s.publish(make_message("a", "", qos::at_most_once), c.peer.now));
    EXPECT_EQ(c.out(), hex("30 04 0001 'a' 00"));
}

// MQTT-4.7.3-2: "Topic Names and Topic Filters never contain U+0000."
TEST(normative, MQTT_4_7_3_2_no_null_character) {
    connected_session c;
    for (const std::string& bad :
         {std::string("a\0b", 3), std::string("\0", 1), std::string("a/\0", 3)}) {
        expect_publish_refused(c, make_message(bad), errc::invalid_topic);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
}

// MQTT-4.7.3-3: "Topic Names and Topic Filters encode to at most 65,535 bytes."
TEST(normative, MQTT_4_7_3_3_topic_at_most_65535_bytes) {
    connected_session c;
    std::string two_byte_chars;  // 32,768 "é": 65,536 bytes in UTF-8
    for (int i = 0; i < 32'768; ++i)
        two_byte_chars += "\xC3\xA9";
    for (const std::string& bad : {std::string(65'536, 'a'), two_byte_chars}) {
        for (qos q : {qos::at_most_once, qos::at_least_once, qos::exactly_once}) {
            const command_result r = c.s.publish(make_message(bad, q), c.peer.now);
            EXPECT_FALSE(r);
            EXPECT_TRUE(r.error == errc::invalid_topic || r.error == errc::packet_too_large)
                << r.error.message();
            EXPECT_TRUE(c.out().empty());
        }
        const command_result r = c.s.subscribe({sub(bad)}, {}, c.peer.now);
        EXPECT_TRUE(r.error == errc::invalid_topic_filter || r.error == errc::packet_too_large)
            << r.error.message();
        EXPECT_TRUE(c.out().empty());
    }
    c.peer.expect_no_event();
    // 65,535 bytes is fine: its length field is FF FF.
    ASSERT_TRUE(
        c.s.publish(make_message(std::string(65'535, 't'), "", qos::at_most_once), c.peer.now));
    const raw_packet p = one_packet(c.out());
    EXPECT_EQ(p.first, 0x30);
    EXPECT_EQ(p.body.size(), 2u + 65'535u + 1u);
    EXPECT_EQ(p.u16(0), 65'535);
}

// MQTT-4.8.2-1: "A shared filter begins "$share/" with a ShareName of at least one character."
TEST(normative, MQTT_4_8_2_1_share_name_at_least_one_character) {
    connected_session c;
    for (const char* bad : {"$share//a", "$share//#", "$share//"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    for (const char* good : {"$share/g/a", "$share/group-1/a/b"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

// MQTT-4.8.2-2: "ShareName excludes '/', '+', '#', and is followed by '/' and a Topic Filter."
TEST(normative, MQTT_4_8_2_2_share_name_characters_and_filter) {
    connected_session c;
    for (const char* bad : {"$share/g+/a", "$share/+/a", "$share/g#/a", "$share/#/a", "$share/g",
                            "$share/g/", "$share/+", "$share/#"}) {
        SCOPED_TRACE(bad);
        expect_refused(c, c.s.subscribe({sub(bad)}, {}, c.peer.now), errc::invalid_topic_filter);
        expect_refused(c, c.s.unsubscribe({bad}, {}, c.peer.now), errc::invalid_topic_filter);
    }
    // The ShareName ends at the first '/': "g" shares "a/b/c".
    for (const char* good : {"$share/g/a/b/c", "$share/g/+/#", "$share/g//"}) {
        SCOPED_TRACE(good);
        expect_subscribed(c, good);
    }
}

}  // namespace
}  // namespace mqtt::session::test
