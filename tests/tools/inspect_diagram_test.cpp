// mqtt-inspect diagram as a program, on the reference capture captures/qos.pcap: the ladder
// against a committed text, and the HTML page loaded in headless Chromium (scripts/setup
// installs it): one arrow per packet with its label, no script errors, a click shows the packet.
//
// The ladder is compared without its time margin (--no-times): `mqtt-scenario
// --update-captures` rewrites the captures and their times. When it changes the flow itself,
// regenerate the expected text with MQTT_UPDATE_EXPECTED=1 and read the diff.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "run_inspect.hpp"
#include "tools/common/capture_reader.hpp"
#include "tools/common/diagram.hpp"

namespace mqtt::tools::test {
namespace {

const std::string qos_pcap = std::string(MQTT_SOURCE_DIR) + "/captures/qos.pcap";
const std::string expected_ladder =
    std::string(MQTT_SOURCE_DIR) + "/tests/tools/expected/qos-diagram.txt";

std::string temp_file(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("inspect_diagram_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

TEST(InspectDiagram, LadderOfTheQosReferenceCapture) {
    const run_result r = run_inspect({"diagram", "--no-times", qos_pcap});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    if (const char* update = std::getenv("MQTT_UPDATE_EXPECTED"); update && *update) {
        std::ofstream(expected_ladder, std::ios::binary) << r.out;
        GTEST_SKIP() << "wrote " << expected_ladder;
    }
    EXPECT_EQ(r.out, slurp(expected_ladder))
        << "regenerate with MQTT_UPDATE_EXPECTED=1 if the capture's flow changed on purpose";
}

TEST(InspectDiagram, ErrorsAndExitCodesAsPcap) {
    EXPECT_EQ(run_inspect({"diagram", "/nonexistent.pcap"}).exit_code, 2);
    EXPECT_EQ(run_inspect({"diagram", "--types", "PUBLISH,NOPE", qos_pcap}).exit_code, 2);
    const run_result beyond = run_inspect({"diagram", "--stream", "9", qos_pcap});
    EXPECT_EQ(beyond.exit_code, 2);
    EXPECT_NE(beyond.err.find("the capture has streams 1 to 3"), std::string::npos) << beyond.err;
    const run_result none = run_inspect({"diagram", "--client", "nobody", qos_pcap});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_NE(none.err.find("no packet matches the filters"), std::string::npos) << none.err;
    const run_result other_port = run_inspect({"diagram", "--port", "1999", qos_pcap});
    EXPECT_EQ(other_port.exit_code, 1);
    EXPECT_NE(other_port.err.find("--port N"), std::string::npos) << other_port.err;
    const run_result publishes = run_inspect({"diagram", "--types", "publish", qos_pcap});
    EXPECT_EQ(publishes.exit_code, 0) << publishes.err;
    EXPECT_EQ(std::count(publishes.out.begin(), publishes.out.end(), '\n'),
              3 + 9 + 3 + 3);  // headers, 9 PUBLISHes, opened and ended markers
}

// The labels of the arrows in a dumped DOM, in document order.
std::vector<std::string> arrow_labels(const std::string& dom) {
    std::vector<std::string> labels;
    const std::regex arrow(
        R"(<g class="arrow [a-z ]+" data-index="\d+"[^>]*>.*?<text[^>]*>(.*?)</text></g>)");
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), arrow);
         it != std::sregex_iterator(); ++it)
        labels.push_back((*it)[1].str());
    return labels;
}

// Text as Chromium serialises it in a dumped DOM: & < > escaped, quotes not.
std::string dom_text(const std::string& text) {
    std::string out;
    for (const char c : text) {
        out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
    }
    return out;
}

// Loads `html` in headless Chromium and returns the DOM after the page's scripts ran.
std::string dump_dom(const std::string& html) {
    const std::string page = temp_file("page.html"), dom = temp_file("dom.html");
    std::ofstream(page, std::ios::binary) << html;
    const std::string command =
        "timeout 60 chromium --headless --no-sandbox --disable-gpu "
        "--dump-dom " +
        shell_quote("file://" + page) + " >" + shell_quote(dom) + " 2>/dev/null";
    const int status = std::system(command.c_str());
    EXPECT_EQ(status, 0) << command;
    std::string out = slurp(dom);
    std::remove(page.c_str());
    std::remove(dom.c_str());
    return out;
}

TEST(InspectDiagram, HtmlLoadsInChromiumWithOneArrowPerPacket) {
    ASSERT_EQ(std::system("command -v chromium >/dev/null 2>&1"), 0)
        << "chromium is not installed: run scripts/setup";
    const std::string html_file = temp_file("qos.html"), svg_file = temp_file("qos.svg");
    const run_result r = run_inspect({"diagram", qos_pcap, "--html", html_file, "--svg", svg_file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string html = slurp(html_file);
    const std::string svg = slurp(svg_file);
    std::remove(html_file.c_str());
    std::remove(svg_file.c_str());
    ASSERT_FALSE(svg.empty());

    // What the page must show: every packet of the capture, labelled as the library labels it.
    const capture_contents capture = read_capture_contents(qos_pcap);
    const diagram d = make_diagram(capture, {});
    std::vector<std::string> expected;
    std::size_t packets = 0;
    for (const auto& st : capture.streams)
        packets += st.packets.size();
    for (const auto& row : d.rows) {
        if (row.kind == row_kind::arrow) expected.push_back(dom_text(row.text));
    }
    ASSERT_EQ(expected.size(), packets);

    // Click the seventh arrow (the first SUBSCRIBE) once the page has loaded: its packet must show
    // in the panel.
    const std::string click =
        "<script>document.querySelector('.dg .arrow[data-index=\"7\"] text')"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true}));</script>\n";
    html.insert(html.rfind("</body>"), click);
    const std::string dom = dump_dom(html);
    ASSERT_FALSE(dom.empty());
    EXPECT_NE(dom.find("<body data-ready=\"1\""), std::string::npos) << dom.substr(0, 400);
    EXPECT_EQ(dom.find("data-errors"), std::string::npos)
        << dom.substr(0, dom.find("<head>") + 200);

    const std::vector<std::string> labels = arrow_labels(dom);
    EXPECT_EQ(labels, expected);
    EXPECT_EQ(std::count(labels.begin(), labels.end(),
                         "PUBLISH id=2 q2 \"mqtt-scenario/ref00000/qos/2\""),
              2)
        << "sent by the publisher, delivered to the QoS 2 subscriber";
    EXPECT_NE(std::find(labels.begin(), labels.end(), "SUBACK id=1 q2"), labels.end());
    EXPECT_NE(std::find(labels.begin(), labels.end(), "PUBCOMP id=2"), labels.end());

    // The clicked packet (the first SUBSCRIBE): its trace line and dissection in the panel.
    const std::size_t shown = dom.find("<div class=\"dg-show\">");
    ASSERT_NE(shown, std::string::npos);
    const std::string panel = dom.substr(shown, dom.find("</div>", shown) - shown);
    EXPECT_NE(panel.find("#1 -&gt; SUBSCRIBE id=1 [\"mqtt-scenario/ref00000/qos/#\" qos=2] (36 B)"),
              std::string::npos)
        << panel;
    EXPECT_NE(panel.find("Packet Type: SUBSCRIBE (8)"), std::string::npos) << panel;
}

// The page's error recorder works: a page whose script throws says so in the DOM.
TEST(InspectDiagram, ChromiumErrorsAreRecordedInTheDom) {
    ASSERT_EQ(std::system("command -v chromium >/dev/null 2>&1"), 0)
        << "chromium is not installed: run scripts/setup";
    const std::string html_file = temp_file("broken.html");
    ASSERT_EQ(run_inspect({"diagram", qos_pcap, "--html", html_file}).exit_code, 0);
    std::string html = slurp(html_file);
    std::remove(html_file.c_str());
    html.insert(html.rfind("</body>"), "<script>no_such_function();</script>\n");
    const std::string dom = dump_dom(html);
    EXPECT_NE(dom.find("data-errors=\""), std::string::npos);
    EXPECT_NE(dom.find("no_such_function"), std::string::npos);
    EXPECT_NE(dom.find("<body data-ready=\"1\""), std::string::npos);
}

}  // namespace
}  // namespace mqtt::tools::test
