// make_diagram's layout on small flows written here with pcap_writer: columns, arrows, labels,
// gaps, elision, filters, problems; and what the renderers make of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "tools/common/diagram.hpp"
#include "tools/common/packet_json.hpp"
#include "tools/common/pcap_writer.hpp"

namespace mqtt::tools {
namespace {

using bytes = std::vector<std::uint8_t>;
using transport::direction;
using namespace std::chrono_literals;

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

// The encoder is not what is tested here: packets are written as JSON for readability.
bytes encoded(const json& j) {
    const owned_packet p = packet_from_json(j);
    bytes out(*encoded_size(p.packet));
    encode(p.packet, out);
    return out;
}

// One step of a flow: client `client` (an index into the taps) opens a connection from `port`
// (when port != 0), or sends (sent) or receives a packet, at t0 + `at`.
struct step {
    std::size_t client = 0;
    direction dir = direction::sent;
    bytes packet;
    std::chrono::milliseconds at{0};
    std::uint16_t port = 0;
};

step open(std::size_t client, std::uint16_t port, std::chrono::milliseconds at = 0ms) {
    return {client, direction::sent, {}, at, port};
}
step sent(std::size_t client, const json& j, std::chrono::milliseconds at = 0ms) {
    return {client, direction::sent, encoded(j), at, 0};
}
step received(std::size_t client, const json& j, std::chrono::milliseconds at = 0ms) {
    return {client, direction::received, encoded(j), at, 0};
}
step connect(std::size_t client, const std::string& id, std::chrono::milliseconds at = 0ms) {
    return sent(client, {{"type", "CONNECT"}, {"client_id", id}}, at);
}
step connack(std::size_t client, std::chrono::milliseconds at = 0ms) {
    return received(client, {{"type", "CONNACK"}}, at);
}

capture_contents capture_of(const std::vector<step>& steps, std::size_t clients) {
    const std::string f = (std::filesystem::temp_directory_path() /
                           ("diagram_" + std::to_string(::getpid()) + ".pcap"))
                              .string();
    {
        pcap_writer w(f);
        std::vector<transport::packet_tap> taps(clients);
        for (auto& tap : taps)
            w.attach(tap);
        for (const step& s : steps) {
            if (s.port != 0) {
                transport::connection_event e;
                e.time = t0 + s.at;
                e.local = {asio::ip::make_address("127.0.0.1"), s.port};
                e.remote = {asio::ip::make_address("127.0.0.1"), 1883};
                taps[s.client].opened(e);
            } else {
                taps[s.client].bytes(s.dir, s.packet, t0 + s.at);
            }
        }
    }
    capture_contents c = read_capture_contents(f);
    std::remove(f.c_str());
    return c;
}

std::vector<std::string> column_names(const diagram& d) {
    std::vector<std::string> names;
    for (const auto& c : d.columns)
        names.push_back(c.name);
    return names;
}

std::vector<const diagram_row*> arrows(const diagram& d) {
    std::vector<const diagram_row*> a;
    for (const auto& r : d.rows) {
        if (r.kind == row_kind::arrow) a.push_back(&r);
    }
    return a;
}

std::vector<std::string> labels(const diagram& d) {
    std::vector<std::string> l;
    for (const diagram_row* r : arrows(d))
        l.push_back(r->text);
    return l;
}

const json publish_a_b = {{"type", "PUBLISH"}, {"qos", 1}, {"packet_id", 3}, {"topic", "a/b"}};

// A subscriber (client 0, first seen) and a publisher (client 1) through the broker.
std::vector<step> pub_sub() {
    return {
        open(0, 40001),
        connect(0, "sub"),
        connack(0),
        sent(0, {{"type", "SUBSCRIBE"},
                 {"packet_id", 1},
                 {"subscriptions", json::array({{{"topic_filter", "a/#"}, {"qos", 1}}})}}),
        received(0, {{"type", "SUBACK"}, {"packet_id", 1}, {"reason_codes", {1}}}),
        open(1, 40002),
        connect(1, "pub"),
        connack(1),
        sent(1, publish_a_b),
        received(1, {{"type", "PUBACK"}, {"packet_id", 3}}),
        received(0, {{"type", "PUBLISH"}, {"qos", 1}, {"packet_id", 7}, {"topic", "a/b"}}),
        sent(0, {{"type", "PUBACK"}, {"packet_id", 7}}),
        sent(1, {{"type", "DISCONNECT"}}),
        sent(0, {{"type", "DISCONNECT"}}),
    };
}

TEST(Diagram, BrokerInTheMiddleClientsNamedByTheirConnect) {
    const diagram d = make_diagram(capture_of(pub_sub(), 2), {});
    // The publisher left, the subscriber right, whatever the order they connected in.
    EXPECT_EQ(column_names(d), (std::vector<std::string>{"pub", "broker", "sub"}));
    EXPECT_EQ(d.broker, 1u);
    EXPECT_TRUE(d.columns[1].broker);
    EXPECT_EQ(d.columns[0].address, "127.0.0.1:40002");
    EXPECT_EQ(d.columns[1].address, "127.0.0.1:1883");
    EXPECT_EQ(d.columns[0].streams, std::vector<int>{2});
    EXPECT_LT(d.columns[0].x, d.columns[1].x);
    EXPECT_LT(d.columns[1].x, d.columns[2].x);
    EXPECT_EQ(d.packets, 12u);
}

TEST(Diagram, OneClientLeftOfTheBroker) {
    const diagram d =
        make_diagram(capture_of({open(0, 40001), connect(0, "only"), connack(0)}, 1), {});
    EXPECT_EQ(column_names(d), (std::vector<std::string>{"only", "broker"}));
}

TEST(Diagram, AClientWithoutConnectIsNamedByItsAddress) {
    // The capture started after the CONNECT: a PINGREQ is all there is.
    const diagram d =
        make_diagram(capture_of({open(0, 40009), sent(0, {{"type", "PINGREQ"}})}, 1), {});
    EXPECT_EQ(column_names(d), (std::vector<std::string>{"127.0.0.1:40009", "broker"}));
    EXPECT_EQ(d.columns[0].address, "");  // the name says it already
}

TEST(Diagram, AReconnectingClientKeepsItsColumn) {
    const diagram d = make_diagram(
        capture_of({open(0, 40001), connect(0, "c"), connack(0), open(1, 40002),
                    connect(1, "other"), connack(1), open(0, 40003), connect(0, "c"), connack(0)},
                   2),
        {});
    EXPECT_EQ(column_names(d), (std::vector<std::string>{"c", "broker", "other"}));
    EXPECT_EQ(d.columns[0].streams, (std::vector<int>{1, 3}));
    for (const diagram_row* r : arrows(d))
        EXPECT_EQ(r->column, r->stream == 2 ? 2u : 0u) << r->text;
}

TEST(Diagram, ArrowsLabelsAndDirections) {
    const diagram d = make_diagram(capture_of(pub_sub(), 2), {});
    EXPECT_EQ(labels(d),
              (std::vector<std::string>{
                  "CONNECT", "CONNACK", "SUBSCRIBE id=1 \"a/#\"", "SUBACK id=1 q1", "CONNECT",
                  "CONNACK", "PUBLISH id=3 q1 \"a/b\"", "PUBACK id=3", "PUBLISH id=7 q1 \"a/b\"",
                  "PUBACK id=7", "DISCONNECT 0x00", "DISCONNECT 0x00"}));
    const auto a = arrows(d);
    EXPECT_TRUE(a[0]->to_broker);   // CONNECT
    EXPECT_FALSE(a[1]->to_broker);  // CONNACK
    EXPECT_EQ(a[6]->column, 0u);    // the publisher's PUBLISH
    EXPECT_EQ(a[8]->column, 2u);    // delivered to the subscriber
    EXPECT_FALSE(a[8]->to_broker);
    EXPECT_EQ(a[0]->index, 1u);
    EXPECT_EQ(a[11]->index, 12u);
    // Each stream's first and last packets are marked.
    std::size_t opened = 0, ended = 0;
    for (const auto& r : d.rows) {
        opened += r.kind == row_kind::opened ? 1 : 0;
        ended += r.kind == row_kind::ended ? 1 : 0;
    }
    EXPECT_EQ(opened, 2u);
    EXPECT_EQ(ended, 2u);
    EXPECT_EQ(d.rows.front().kind, row_kind::opened);
    EXPECT_EQ(d.rows.front().text, "stream 1 opens: 127.0.0.1:40001 -> 127.0.0.1:1883");
    EXPECT_EQ(d.rows.back().kind, row_kind::ended);
}

TEST(Diagram, LabelsNameReasonsAndFlags) {
    const auto l = labels(make_diagram(
        capture_of(
            {open(0, 40001), connect(0, "c"),
             received(0, {{"type", "CONNACK"}, {"reason_code", 0x87}}),
             sent(0, {{"type", "PUBLISH"},
                      {"qos", 2},
                      {"packet_id", 3},
                      {"retain", true},
                      {"topic", "a/b"}}),
             received(0, {{"type", "PUBREC"}, {"packet_id", 3}, {"reason_code", 0x10}}),
             sent(0, {{"type", "PUBLISH"}, {"topic", ""}, {"properties", {{"topic_alias", 2}}}}),
             received(0, {{"type", "SUBACK"}, {"packet_id", 4}, {"reason_codes", {2, 0x87}}}),
             sent(0, {{"type", "PINGREQ"}}), received(0, {{"type", "PINGRESP"}}),
             received(0, {{"type", "DISCONNECT"}, {"reason_code", 0x8E}})},
            1),
        {}));
    EXPECT_EQ(l, (std::vector<std::string>{
                     "CONNECT", "CONNACK 0x87 Not authorized", "PUBLISH id=3 q2 retain \"a/b\"",
                     "PUBREC id=3 0x10 No matching subscribers", "PUBLISH q0 alias=2",
                     "SUBACK id=4 q2 0x87 Not authorized", "PINGREQ", "PINGRESP",
                     "DISCONNECT 0x8E Session taken over"}));
}

TEST(Diagram, LongTopicsKeepTheirEnds) {
    const std::string topic = "mqtt-scenario/ref00000/flow-control/burst";
    const auto l = labels(make_diagram(
        capture_of({open(0, 40001), sent(0, {{"type", "PUBLISH"}, {"topic", topic}})}, 1), {}));
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0], "PUBLISH q0 \"mqtt-scenario\u2026ef00000/flow-control/burst\"");
}

TEST(Diagram, SilenceLongerThanTheGapIsAGapRow) {
    const std::vector<step> steps = {open(0, 40001), connect(0, "c"), connack(0, 1ms),
                                     sent(0, {{"type", "PINGREQ"}}, 2501ms),
                                     received(0, {{"type", "PINGRESP"}}, 2502ms)};
    const diagram d = make_diagram(capture_of(steps, 1), {});
    std::vector<const diagram_row*> gaps;
    for (const auto& r : d.rows) {
        if (r.kind == row_kind::gap) gaps.push_back(&r);
    }
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_NEAR(gaps[0]->duration, 2.5, 1e-6);
    EXPECT_EQ(gaps[0]->text, "2.5 s");
    EXPECT_NEAR(gaps[0]->time, 0.001, 1e-6);
    EXPECT_NE(render_text(d, false).find("... 2.5 s ..."), std::string::npos);
    EXPECT_NEAR(arrows(d).back()->time, 2.502, 1e-6);

    diagram_options o;
    o.gap = 3;
    for (const auto& r : make_diagram(capture_of(steps, 1), o).rows)
        EXPECT_NE(r.kind, row_kind::gap);
}

TEST(Diagram, ElisionKeepsTheFirstAndLastHalves) {
    std::vector<step> steps = {open(0, 40001)};
    for (int i = 0; i < 10; ++i)
        steps.push_back(sent(0, {{"type", "PUBLISH"}, {"topic", "t/" + std::to_string(i)}}));
    diagram_options o;
    o.max_arrows = 4;
    const diagram d = make_diagram(capture_of(steps, 1), o);
    EXPECT_EQ(d.packets, 10u);
    std::vector<std::size_t> shown;
    for (const diagram_row* r : arrows(d))
        shown.push_back(r->index);
    EXPECT_EQ(shown, (std::vector<std::size_t>{1, 2, 9, 10}));
    std::size_t marker = 0;
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        if (d.rows[i].kind != row_kind::elided) continue;
        ++marker;
        EXPECT_EQ(d.rows[i].elided, 6u);
        EXPECT_EQ(d.rows[i].text, "6 packets not shown");
        EXPECT_EQ(d.rows[i - 1].index, 2u);  // between packets 2 and 9
        EXPECT_EQ(d.rows[i + 1].index, 9u);
    }
    EXPECT_EQ(marker, 1u);
    EXPECT_NE(render_text(d, false).find("... 6 packets not shown ..."), std::string::npos);
    o.max_arrows = 0;  // no limit
    EXPECT_EQ(arrows(make_diagram(capture_of(steps, 1), o)).size(), 10u);
}

TEST(Diagram, Filters) {
    const capture_contents c = capture_of(pub_sub(), 2);
    diagram_options o;
    o.types = {"publish", "PUBACK"};
    EXPECT_EQ(labels(make_diagram(c, o)),
              (std::vector<std::string>{"PUBLISH id=3 q1 \"a/b\"", "PUBACK id=3",
                                        "PUBLISH id=7 q1 \"a/b\"", "PUBACK id=7"}));

    o = {};
    o.streams = {2};
    diagram d = make_diagram(c, o);
    EXPECT_EQ(column_names(d), (std::vector<std::string>{"pub", "broker"}));
    EXPECT_EQ(arrows(d).size(), 5u);

    o = {};
    o.clients = {"sub"};
    EXPECT_EQ(column_names(make_diagram(c, o)), (std::vector<std::string>{"sub", "broker"}));
    o.clients = {"127.0.0.1:40002"};  // by address
    EXPECT_EQ(column_names(make_diagram(c, o)), (std::vector<std::string>{"pub", "broker"}));

    // Times: the subscriber's first four packets at 0, the rest later.
    std::vector<step> steps = pub_sub();
    for (std::size_t i = 5; i < steps.size(); ++i)
        steps[i].at = std::chrono::milliseconds(100 * i);
    o = {};
    o.from = 0.55;
    o.to = 1.05;  // steps 6 to 10
    EXPECT_EQ(labels(make_diagram(capture_of(steps, 2), o)),
              (std::vector<std::string>{"CONNECT", "CONNACK", "PUBLISH id=3 q1 \"a/b\"",
                                        "PUBACK id=3", "PUBLISH id=7 q1 \"a/b\""}));
}

TEST(Diagram, MalformedPacketsAndProblemsAreMarked) {
    std::vector<step> steps = {open(0, 40001), connect(0, "c")};
    // A PUBLISH whose topic is not UTF-8 (0xc3 0x28).
    steps.push_back({0, direction::received, {0x30, 0x05, 0x00, 0x02, 0xc3, 0x28, 0x00}, 0ms, 0});
    const diagram d = make_diagram(capture_of(steps, 1), {});
    const auto a = arrows(d);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_TRUE(a[1]->malformed);
    EXPECT_EQ(a[1]->text, "malformed PUBLISH");
    bool problem = false;
    for (const auto& r : d.rows) {
        if (r.kind == row_kind::problem) {
            problem = true;
            EXPECT_NE(r.text.find("stream 1: problem: frame"), std::string::npos) << r.text;
            EXPECT_NE(r.text.find("invalid UTF-8"), std::string::npos) << r.text;
        }
    }
    EXPECT_TRUE(problem);
    const std::string text = render_text(d, false);
    EXPECT_NE(text.find("malformed PUBLISH"), std::string::npos) << text;
    EXPECT_NE(render_svg(d).find("class=\"arrow malformed\""), std::string::npos);
    EXPECT_NE(render_html_page(d, "t").find("invalid UTF-8"), std::string::npos);
}

TEST(Diagram, EmptyCaptureDrawsOnlyTheBroker) {
    const diagram d = make_diagram(capture_contents{}, {});
    EXPECT_EQ(column_names(d), std::vector<std::string>{"broker"});
    EXPECT_FALSE(render_text(d, false).empty());
    EXPECT_FALSE(render_svg(d).empty());
}

TEST(Diagram, TextLadderArrows) {
    const diagram d = make_diagram(capture_of(pub_sub(), 2), {});
    text_options o;
    o.times = false;
    const std::string text = render_text(d, o);
    // The publisher's CONNECT goes right to the broker, the subscriber's left to it.
    EXPECT_NE(text.find("|-- CONNECT --"), std::string::npos) << text;
    EXPECT_NE(text.find("-->|"), std::string::npos) << text;
    EXPECT_NE(text.find("|<---"), std::string::npos) << text;
    EXPECT_NE(text.find("- CONNECT --|"), std::string::npos) << text;
    EXPECT_EQ(text.find("+0.0"), std::string::npos) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
    o.colour = true;
    o.times = true;
    const std::string coloured = render_text(d, o);
    EXPECT_NE(coloured.find("\x1b[36m"), std::string::npos);  // sent, as in traces
    EXPECT_NE(coloured.find("\x1b[32m"), std::string::npos);  // received
    EXPECT_NE(coloured.find("+0.000s"), std::string::npos);
}

TEST(Diagram, SvgEscapesTopicsAndHasOneArrowPerPacket) {
    const std::string topic = "a<b>&\"c\"";
    const diagram d = make_diagram(capture_of({open(0, 40001), connect(0, "x<y"),
                                               sent(0, {{"type", "PUBLISH"}, {"topic", topic}})},
                                              1),
                                   {});
    const std::string svg = render_svg(d);
    EXPECT_EQ(svg.find("a<b>"), std::string::npos);
    EXPECT_NE(svg.find("a&lt;b&gt;&amp;\\&quot;c\\&quot;"), std::string::npos) << svg;
    EXPECT_NE(svg.find(">x&lt;y</text>"), std::string::npos);
    EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
    std::size_t groups = 0;
    for (std::size_t at = 0; (at = svg.find("<g class=\"arrow ", at)) != std::string::npos; ++at)
        ++groups;
    EXPECT_EQ(groups, 2u);
    EXPECT_NE(svg.find("data-index=\"2\""), std::string::npos);

    // Fragments: ids start with the prefix; the head holds the script once.
    const std::string fragment = render_html_fragment(d, "s1");
    EXPECT_NE(fragment.find("id=\"s1\""), std::string::npos);
    EXPECT_NE(fragment.find("id=\"s1-p2\""), std::string::npos);
    EXPECT_NE(fragment.find("url(#s1-head-s)"), std::string::npos);
    EXPECT_EQ(fragment.find("<script"), std::string::npos);
    EXPECT_NE(diagram_html_head().find("<script"), std::string::npos);
}

}  // namespace
}  // namespace mqtt::tools
