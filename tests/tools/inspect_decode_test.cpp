// mqtt-inspect decode: the layer-by-layer printout, splitting a stream, and the exit codes of
// bad input. Byte vectors are written by hand, one comment per field.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "run_inspect.hpp"

namespace mqtt::tools::test {
namespace {

// PUBLISH QoS 1 with two properties and a payload.
const std::string publish_hex =
    "32 16 "                 // PUBLISH, DUP 0, QoS 1, RETAIN 0; Remaining Length 22
    "00 03 61 2f 62 "        // Topic Name "a/b"
    "00 07 "                 // Packet Identifier 7
    "0c "                    // Property Length 12
    "02 00 00 00 3c "        // Message Expiry Interval 60
    "26 00 01 6b 00 01 76 "  // User Property "k" = "v"
    "68 69";                 // Payload "hi"

bool has_line(const std::string& text, const std::string& line) {
    const auto lines = lines_of(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(InspectDecode, PublishWithPropertiesLayerByLayer) {
    const run_result r = run_inspect({"decode", publish_hex});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const auto lines = lines_of(r.out);
    ASSERT_FALSE(lines.empty());
    // The header line carries mqtt::to_string's rendering.
    EXPECT_EQ(lines[0].rfind("Packet 1 at 0000-0017 (24 bytes): PUBLISH", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("topic=\"a/b\""), std::string::npos) << lines[0];
    // Fixed header: each flag bit, and the byte of the Remaining Length.
    EXPECT_TRUE(has_line(r.out, "0000       0011 ....                  Packet Type: PUBLISH (3)"))
        << r.out;
    EXPECT_TRUE(has_line(r.out, "0000       .... 0...                  DUP: 0")) << r.out;
    EXPECT_TRUE(has_line(r.out, "0000       .... .01.                  QoS: 1 (At least once)"))
        << r.out;
    EXPECT_TRUE(has_line(r.out, "0000       .... ...0                  RETAIN: 0")) << r.out;
    EXPECT_TRUE(has_line(r.out, "0001       16                         Remaining Length: 22"))
        << r.out;
    // Variable header fields with offsets and raw bytes.
    EXPECT_TRUE(has_line(r.out, "0002-0006  00 03 61 2f 62             Topic Name: \"a/b\""))
        << r.out;
    EXPECT_TRUE(has_line(r.out, "0007-0008  00 07                      Packet Identifier: 7"))
        << r.out;
    // Properties: id, name and value.
    EXPECT_TRUE(has_line(r.out, "0009       0c                           Property Length: 12"))
        << r.out;
    EXPECT_TRUE(has_line(
        r.out, "000a-000e  02 00 00 00 3c               Message Expiry Interval (0x02): 60"))
        << r.out;
    EXPECT_TRUE(has_line(
        r.out, "000f-0015  26 00 01 6b 00 01 76         User Property (0x26): \"k\" = \"v\""))
        << r.out;
    // Payload: hex, then the text it spells.
    EXPECT_TRUE(has_line(r.out, "0016-0017  68 69                      Payload: 6869  \"hi\""))
        << r.out;
}

TEST(InspectDecode, ReadsHexFromStdinInEveryPastedForm) {
    // 0x prefixes, ':' separators, commas and newlines; the same PINGREQ + PUBACK each time.
    for (const std::string input : {"c0 00 40 02 00 07\n", "0xc0,0x00,\n0x40 0x02 0x0 0x7",
                                    "c0:00:40:02:00:07", "c000\n40020007\n"}) {
        const run_result r = run_inspect({"decode"}, input);
        ASSERT_EQ(r.exit_code, 0) << input << "\n" << r.err;
        EXPECT_TRUE(has_line_containing(r.out, "Packet 1 at 0000-0001 (2 bytes): PINGREQ"))
            << input << "\n"
            << r.out;
        EXPECT_TRUE(has_line_containing(r.out, "Packet 2 at 0002-0005 (4 bytes): PUBACK"))
            << input << "\n"
            << r.out;
    }
}

TEST(InspectDecode, TwoConcatenatedPacketsShownInTurn) {
    const std::string two =
        "30 07 00 03 61 2f 62 00 78 "  // PUBLISH QoS 0, topic "a/b", no properties, payload "x"
        "40 03 00 07 10";              // PUBACK id 7, No matching subscribers
    const run_result r = run_inspect({"decode", two});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    const auto second = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
        return l.rfind("Packet 2", 0) == 0;
    });
    ASSERT_NE(second, lines.end()) << r.out;
    EXPECT_EQ(second->rfind("Packet 2 at 0009-000d (5 bytes): PUBACK", 0), 0u) << *second;
    EXPECT_EQ(lines[0].rfind("Packet 1 at 0000-0008 (9 bytes): PUBLISH", 0), 0u) << lines[0];
    // The first packet's payload, then the second packet's fields at stream offsets.
    EXPECT_TRUE(has_line(r.out, "0008       78                         Payload: 78  \"x\""))
        << r.out;
    EXPECT_TRUE(has_line(r.out, "000b-000c  00 07                      Packet Identifier: 7"))
        << r.out;
    EXPECT_TRUE(has_line(r.out,
                         "000d       10                         Reason Code: 0x10 No matching "
                         "subscribers"))
        << r.out;
}

TEST(InspectDecode, ConnectFlagsAsBitFields) {
    const std::string connect =
        "10 0f "              // CONNECT, Remaining Length 15
        "00 04 4d 51 54 54 "  // Protocol Name "MQTT"
        "05 "                 // Protocol Version 5
        "02 "                 // Connect Flags: Clean Start
        "00 3c "              // Keep Alive 60
        "00 "                 // Property Length 0
        "00 02 63 31";        // Client Identifier "c1"
    const run_result r = run_inspect({"decode", connect});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The flag bits under their byte, one level deeper.
    EXPECT_TRUE(has_line(r.out, "0009       02                         Connect Flags: 0x02"))
        << r.out;
    EXPECT_TRUE(has_line(r.out, "0009       .... ..1.                    Clean Start: 1")) << r.out;
    EXPECT_TRUE(
        has_line(r.out, "0009       ...0 0...                    Will QoS: 0 (At most once)"))
        << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "Protocol Version: 5 (MQTT 5.0)")) << r.out;
    EXPECT_TRUE(has_line_containing(r.out, "Client Identifier: \"c1\"")) << r.out;
}

TEST(InspectDecode, MalformedExitsTwoWithOffsetFieldAndReason) {
    // MQTT-1.5.4-1: a Topic Name that is not UTF-8 is a Malformed Packet. A good PINGREQ first.
    const std::string bytes =
        "c0 00 "        // PINGREQ
        "30 05 "        // PUBLISH QoS 0, Remaining Length 5
        "00 02 c3 28 "  // Topic Name: C3 starts a 2-byte sequence, 28 does not continue it
        "00";           // Property Length 0
    const run_result r = run_inspect({"decode", bytes});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has_line_containing(r.out, "Packet 1 at 0000-0001 (2 bytes): PINGREQ")) << r.out;
    EXPECT_NE(r.err.find("Topic Name"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("offset 6"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("0x81 Malformed Packet"), std::string::npos) << r.err;
}

TEST(InspectDecode, MalformedJsonModeStillPrintsEarlierPackets) {
    // MQTT-3.3.1-4: QoS 3 in a PUBLISH fixed header is a Malformed Packet.
    const run_result r = run_inspect({"decode", "--json", "c0 00 36 00"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "{\"type\":\"PINGREQ\"}\n");
    EXPECT_NE(r.err.find("QoS"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("offset 2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("0x81"), std::string::npos) << r.err;
}

TEST(InspectDecode, WildcardInTopicNameIsTopicNameInvalid) {
    // MQTT-3.3.2-2: no wildcards in a PUBLISH Topic Name (0x90).
    const run_result r = run_inspect({"decode", "30 06 00 03 61 2f 23 00"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("Topic Name"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("offset 2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("0x90"), std::string::npos) << r.err;
}

TEST(InspectDecode, IncompleteInputSaysHowManyBytesAreMissing) {
    const run_result r = run_inspect({"decode", "c0 00 30 05 00"});  // PUBLISH needs 7 bytes
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has_line_containing(r.out, "PINGREQ")) << r.out;
    EXPECT_NE(r.err.find("incomplete packet: 4 more bytes needed"), std::string::npos) << r.err;

    const run_result cut = run_inspect({"decode", "30"});  // Remaining Length missing
    EXPECT_EQ(cut.exit_code, 2);
    EXPECT_NE(cut.err.find("incomplete packet"), std::string::npos) << cut.err;
}

TEST(InspectDecode, MaximumPacketSizeRefusesLargerPackets) {
    const std::string publish = "30 07 00 03 61 2f 62 00 78";  // 9 bytes
    EXPECT_EQ(run_inspect({"decode", "--max-packet-size", "9", publish}).exit_code, 0);
    const run_result r = run_inspect({"decode", "--max-packet-size", "8", publish});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("0x95"), std::string::npos) << r.err;
}

TEST(InspectDecode, BadHexExitsTwo) {
    for (const std::string bad : {"zz", "3", "c0 0g", "0x"}) {
        const run_result r = run_inspect({"decode", bad});
        EXPECT_EQ(r.exit_code, 2) << bad;
        EXPECT_NE(r.err.find("bad hex"), std::string::npos) << bad << ": " << r.err;
        EXPECT_EQ(r.out, "") << bad;
    }
    const run_result empty = run_inspect({"decode"}, "\n");
    EXPECT_EQ(empty.exit_code, 2);
    EXPECT_NE(empty.err.find("no bytes"), std::string::npos) << empty.err;
}

TEST(InspectDecode, UsageErrorsExitTwo) {
    EXPECT_EQ(run_inspect({}).exit_code, 2);  // no subcommand
    EXPECT_EQ(run_inspect({"decode", "--no-such-option", "c0 00"}).exit_code, 2);
    EXPECT_EQ(run_inspect({"decode", "--max-packet-size", "0", "c0 00"}).exit_code, 2);
    EXPECT_EQ(run_inspect({"frobnicate"}).exit_code, 2);
    const run_result help = run_inspect({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("decode"), std::string::npos);
}

TEST(InspectDecode, LongFieldsContinueOnMoreRows) {
    // PUBLISH QoS 0, topic "t", 20-byte payload: raw bytes 8 per row.
    const run_result r =
        run_inspect({"decode", "30 18 00 01 74 00 000102030405060708090a0b0c0d0e0f10111213"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has_line_containing(r.out, "0006-0019  00 01 02 03 04 05 06 07    Payload: "))
        << r.out;
    EXPECT_TRUE(has_line(r.out, "000e       08 09 0a 0b 0c 0d 0e 0f")) << r.out;
    EXPECT_TRUE(has_line(r.out, "0016       10 11 12 13")) << r.out;
}

}  // namespace
}  // namespace mqtt::tools::test
