#include "tools/scenario/report.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "tools/common/capture_reader.hpp"
#include "tools/common/diagram.hpp"

namespace mqtt::scenario {

namespace {

namespace fs = std::filesystem;

const char* css_class(outcome o) {
    return o == outcome::pass ? "pass" : o == outcome::fail ? "fail" : "skip";
}

constexpr const char* page_style = R"(<style>
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table.summary { border-collapse: collapse; }
table.summary td, table.summary th { padding: 0.2em 0.8em; text-align: left; }
.pass { color: #17702a; font-weight: bold; } .fail { color: #b3141c; font-weight: bold; }
.skip { color: #9a6700; font-weight: bold; }
ul.parts li { margin: 0.15em 0; } ul.parts pre { margin: 0.2em 0; }
pre.explain, pre.trace { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
pre.trace { max-height: 30em; font-size: 0.85em; }
details { margin: 0.6em 0; }
</style>
)";

}  // namespace

std::string without_colours(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
            std::size_t j = i + 2;
            while (j < text.size() && text[j] != 'm')
                ++j;
            i = j;
            continue;
        }
        out += text[i];
    }
    return out;
}

void write_report(const fs::path& dir, const report_header& header,
                  const std::vector<report_entry>& entries) {
    fs::create_directories(dir);
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<title>mqtt-scenario report</title>\n";
    page += page_style;
    page += tools::diagram_html_head();
    page += "</head><body>\n<h1>mqtt-scenario report</h1>\n";
    page += fmt::format("<p>Broker: {}<br>Topics under <code>{}</code></p>\n",
                        tools::xml_escape(header.broker), tools::xml_escape(header.prefix));
    if (!header.capabilities.empty()) {
        page += "<details><summary>What its CONNACK announced</summary><ul>\n";
        for (const std::string& line : header.capabilities)
            page += "<li>" + tools::xml_escape(line) + "</li>\n";
        page += "</ul></details>\n";
    }

    std::size_t counts[3] = {0, 0, 0};
    page +=
        "<table class=\"summary\" id=\"summary\"><tr><th>scenario</th><th>result</th>"
        "<th>time</th><th>checks</th></tr>\n";
    for (const report_entry& e : entries) {
        std::size_t n[3] = {0, 0, 0};
        for (const part_result& p : e.result.parts)
            ++n[int(p.result)];
        ++counts[int(e.result.result)];
        page += fmt::format(
            "<tr><td><a href=\"#{0}\">{0}</a></td><td class=\"{1}\">{2}</td><td>{3:.2f} s</td>"
            "<td>{4} passed, {5} failed, {6} skipped</td></tr>\n",
            tools::xml_escape(e.result.name), css_class(e.result.result),
            to_string(e.result.result), e.result.seconds, n[0], n[1], n[2]);
    }
    page += fmt::format("</table>\n<p>{} passed, {} failed, {} skipped.</p>\n", counts[0],
                        counts[1], counts[2]);

    for (const report_entry& e : entries) {
        const std::string& name = e.result.name;
        page += fmt::format("<section class=\"scenario\" id=\"{}\" data-result=\"{}\">\n",
                            tools::xml_escape(name), to_string(e.result.result));
        page += fmt::format("<h2>{}: {} <span class=\"{}\">{}</span></h2>\n",
                            tools::xml_escape(name), tools::xml_escape(e.what ? e.what->title : ""),
                            css_class(e.result.result), to_string(e.result.result));
        if (e.what != nullptr)
            page += "<pre class=\"explain\">" + tools::xml_escape(e.what->explain) + "</pre>\n";
        page += "<ul class=\"parts\">\n";
        for (const part_result& p : e.result.parts) {
            page += fmt::format("<li><span class=\"{}\">{}</span> {}: <pre>{}</pre></li>\n",
                                css_class(p.result), to_string(p.result), tools::xml_escape(p.part),
                                tools::xml_escape(p.detail));
        }
        page += "</ul>\n";
        // The capture, beside the page, and its diagram.
        const fs::path capture = e.result.capture;
        const std::string file = capture.filename().string();
        std::error_code ec;
        if (!capture.empty() && fs::absolute(capture, ec) != fs::absolute(dir / file, ec))
            fs::copy_file(capture, dir / file, fs::copy_options::overwrite_existing, ec);
        page += fmt::format("<p>Capture: <a href=\"{0}\">{0}</a> (open it in Wireshark)</p>\n",
                            tools::xml_escape(file));
        try {
            const auto contents = tools::read_capture_contents(capture.string());
            const tools::diagram d = tools::make_diagram(contents, {});
            page += tools::render_html_fragment(d, "d-" + name + "-");
        } catch (const std::exception& x) {
            page += "<p>No diagram: " + tools::xml_escape(x.what()) + "</p>\n";
        }
        page += "<details open><summary>Trace</summary><pre class=\"trace\">" +
                tools::xml_escape(e.trace.empty() ? "(not traced: run without --quiet)" : e.trace) +
                "</pre></details>\n</section>\n";
    }
    // Loaded (the diagrams' script records errors in <html data-errors>): what tests look for.
    page += "<script>document.body.dataset.ready = \"1\";</script>\n</body></html>\n";

    const fs::path index = dir / "index.html";
    std::ofstream out(index, std::ios::binary);
    out << page;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + index.string());
}

}  // namespace mqtt::scenario
