// The diagram as HTML: the SVG inline, and a side panel that shows the packet under the mouse
// (or the one clicked, which stays until another is clicked): its trace line and its dissection.
// Each packet's details are in a hidden <div>; one delegated script, in the page's head, copies
// them into the panel. Nothing is loaded from elsewhere: the page works offline.
#include <sstream>

#include <fmt/format.h>

#include "tools/common/diagram.hpp"
#include "tools/common/dissect.hpp"
#include "tools/common/trace.hpp"

namespace mqtt::tools {

namespace {

constexpr std::string_view page_css = R"(body { font-family: sans-serif; margin: 1em; color: #222; }
.dg { display: flex; gap: 1em; align-items: flex-start; }
.dg-svg { flex: 0 1 auto; max-width: calc(100% - 580px); overflow: auto; max-height: 92vh;
  border: 1px solid #ddd; }
.dg-panel { flex: 1 0 560px; position: sticky; top: 0; max-height: 92vh;
  overflow: auto; border: 1px solid #ddd; padding: 0.5em; background: #fafafa; }
.dg-panel pre { font-family: monospace; font-size: 12px; margin: 0.3em 0; white-space: pre; }
.dg-hint { color: #777; font-size: 0.9em; margin: 0; }
.dg-trace { font-weight: bold; white-space: pre-wrap !important; }
.dg-svg-root .arrow { cursor: pointer; }
.dg-svg-root .arrow:hover text, .dg-svg-root .arrow.sel text { font-weight: bold; }
.dg-svg-root .arrow.sel line { stroke-width: 2.5; }
)";

// Errors are recorded on <html data-errors="..."> (the tests read it); a hovered arrow's packet
// is shown in its diagram's panel, a clicked one stays there until another is clicked.
constexpr std::string_view page_script = R"(window.addEventListener('error', function (e) {
  var h = document.documentElement;
  h.dataset.errors = (h.dataset.errors ? h.dataset.errors + ' | ' : '') + (e.message || 'error');
});
(function () {
  function arrowOf(e) {
    return e.target && e.target.closest ? e.target.closest('.dg .arrow') : null;
  }
  function show(g, pin) {
    var root = g.closest('.dg');
    if (!root || (root.dataset.pinned && !pin)) return;
    var details = document.getElementById(root.id + '-p' + g.dataset.index);
    if (!details) return;
    root.querySelector('.dg-show').innerHTML = details.innerHTML;
    var old = root.querySelector('.arrow.sel');
    if (old) old.classList.remove('sel');
    g.classList.add('sel');
    if (pin) root.dataset.pinned = '1';
  }
  document.addEventListener('mouseover', function (e) {
    var g = arrowOf(e);
    if (g) show(g, false);
  });
  document.addEventListener('click', function (e) {
    var g = arrowOf(e);
    if (g) show(g, true);
  });
})();
)";

}  // namespace

std::string trace_line(const diagram& d, const diagram_row& arrow) {
    std::ostringstream out;
    trace_printer printer(out, {trace_mode::line, false, "", 0}, d.start);
    printer.packet(arrow.to_broker ? transport::direction::sent : transport::direction::received,
                   arrow.at, arrow.bytes, arrow.stream, arrow.version);
    std::string line = out.str();
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
}

std::string dissection_text(const diagram_row& arrow) {
    decode_options opts;
    opts.version = arrow.version;
    return dissect(arrow.bytes, 0, opts).text;
}

std::string diagram_html_head() {
    return fmt::format("<style>\n{}{}</style>\n<script>\n{}</script>\n", diagram_css(), page_css,
                       page_script);
}

std::string render_html_fragment(const diagram& d, std::string_view id_prefix) {
    const std::string id = xml_escape(id_prefix);
    svg_options o;
    o.id_prefix = id;
    o.standalone = false;
    o.titles = false;  // the panel shows the trace line
    std::string s = fmt::format("<div class=\"dg\" id=\"{}\">\n<div class=\"dg-svg\">\n", id);
    s += render_svg(d, o);
    s += "</div>\n<div class=\"dg-panel\"><p class=\"dg-hint\">Point at an arrow to see its "
         "packet; click to keep it.</p><div class=\"dg-show\"></div></div>\n";
    s += "<div class=\"dg-details\" hidden>\n";
    for (const diagram_row& r : d.rows) {
        if (r.kind != row_kind::arrow) continue;
        s += fmt::format(
            "<div id=\"{}-p{}\"><pre class=\"dg-trace\">{}</pre><pre class=\"dg-dissect\">{}"
            "</pre></div>\n",
            id, r.index, xml_escape(trace_line(d, r)), xml_escape(dissection_text(r)));
    }
    s += "</div>\n</div>\n";
    return s;
}

std::string render_html_page(const diagram& d, std::string_view title) {
    std::size_t shown = 0;
    for (const diagram_row& r : d.rows)
        shown += r.kind == row_kind::arrow ? 1 : 0;
    std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    s += fmt::format("<title>{}</title>\n", xml_escape(title));
    s += diagram_html_head();
    s += fmt::format("</head>\n<body>\n<h1>{}</h1>\n", xml_escape(title));
    s += fmt::format("<p>{} packets{}, {} clients.</p>\n", d.packets,
                     shown < d.packets ? fmt::format(" ({} shown)", shown) : "",
                     d.columns.empty() ? 0 : d.columns.size() - 1);
    s += render_html_fragment(d, "dg");
    s += "<script>document.body.dataset.ready = '1';</script>\n</body>\n</html>\n";
    return s;
}

}  // namespace mqtt::tools
