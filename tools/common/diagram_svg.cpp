// The diagram as SVG: the ladder's character cells scaled to pixels (so both drawings agree),
// one <g class="arrow"> per packet with a line, an arrowhead and a label, lifelines cut by gap
// and elision rows, marker texts in a right margin, times in a left one.
#include <algorithm>

#include <fmt/format.h>

#include "tools/common/diagram.hpp"

namespace mqtt::tools {

namespace {

constexpr double cell = 7.5;     // px per character cell (12px monospace is about 7.2)
constexpr double row_h = 20;     // px per row
constexpr double margin = 72;    // px of the time margin
constexpr double header_h = 46;  // px of the column headers

double px(std::size_t x) {
    return margin + static_cast<double>(x) * cell;
}

std::string num(double v) {  // short coordinates: "12.5", "40"
    std::string s = fmt::format("{:.1f}", v);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s;
}

}  // namespace

std::string_view diagram_css() {
    return R"(.dg-svg-root { background: #fff; }
.dg-svg-root text { font-family: monospace; font-size: 12px; fill: #222; }
.dg-svg-root .name { font-weight: bold; font-size: 13px; }
.dg-svg-root .address, .dg-svg-root .time, .dg-svg-root .note { fill: #777; }
.dg-svg-root .life { stroke: #999; stroke-width: 1; }
.dg-svg-root .cut { stroke: #bbb; stroke-width: 1; stroke-dasharray: 2 3; }
.dg-svg-root .arrow line { stroke-width: 1.4; }
.dg-svg-root .sent line { stroke: #0b7285; }
.dg-svg-root .sent text { fill: #0b5563; }
.dg-svg-root .received line { stroke: #2b8a3e; }
.dg-svg-root .received text { fill: #1e6b2f; }
.dg-svg-root .malformed line { stroke: #c92a2a; }
.dg-svg-root .malformed text, .dg-svg-root .problem { fill: #c92a2a; }
.dg-svg-root .hit { fill: transparent; }
.dg-svg-root .opened { fill: #555; }
.dg-svg-root .ended { stroke: #555; stroke-width: 2; }
)";
}

std::string render_svg(const diagram& d) {
    return render_svg(d, svg_options{});
}

std::string render_svg(const diagram& d, const svg_options& o) {
    const std::string& p = o.id_prefix;
    std::size_t note = 0;
    for (const diagram_row& r : d.rows) {
        if (r.kind != row_kind::arrow) note = std::max(note, display_width(r.text) + 8);
    }
    const double width = px(d.width) + 16 + static_cast<double>(note) * cell;
    const double height = header_h + static_cast<double>(d.rows.size()) * row_h + 12;
    const auto top = [](std::size_t i) { return header_h + static_cast<double>(i) * row_h; };

    std::string s;
    if (o.standalone) s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dg-svg-root\" viewBox=\"0 0 {0} {1}\" "
        "width=\"{0}\" height=\"{1}\" font-family=\"monospace\" font-size=\"12\">\n",
        num(width), num(height));
    if (o.standalone) s += fmt::format("<style>\n{}</style>\n", diagram_css());
    s += "<defs>\n";
    for (const auto& [id, colour] :
         {std::pair{"s", "#0b7285"}, std::pair{"r", "#2b8a3e"}, std::pair{"m", "#c92a2a"}}) {
        s += fmt::format(
            "<marker id=\"{}-head-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
            "markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" "
            "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 "
            "z\" fill=\"{}\"/></marker>\n",
            p, id, colour);
    }
    s += "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";

    // Headers, then lifelines: solid, dashed across gap and elision rows.
    for (const diagram_column& c : d.columns) {
        s +=
            fmt::format("<text class=\"name\" x=\"{}\" y=\"16\" text-anchor=\"middle\">{}</text>\n",
                        num(px(c.x)), xml_escape(c.name));
        if (!c.address.empty()) {
            s += fmt::format(
                "<text class=\"address\" x=\"{}\" y=\"32\" text-anchor=\"middle\">{}</text>\n",
                num(px(c.x)), xml_escape(c.address));
        }
    }
    const auto lifeline = [&](double y1, double y2, const char* cls) {
        for (const diagram_column& c : d.columns) {
            s += fmt::format("<line class=\"{0}\" x1=\"{3}\" y1=\"{1}\" x2=\"{3}\" y2=\"{2}\"/>\n",
                             cls, num(y1), num(y2), num(px(c.x)));
        }
    };
    double from = header_h - 8;
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        if (d.rows[i].kind != row_kind::gap && d.rows[i].kind != row_kind::elided) continue;
        lifeline(from, top(i), "life");
        lifeline(top(i), top(i + 1), "cut");
        from = top(i + 1);
    }
    lifeline(from, height - 4, "life");

    const std::string note_x = num(px(d.width) + 16);
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
        const diagram_row& r = d.rows[i];
        const double y = top(i);
        if (r.kind != row_kind::gap && r.kind != row_kind::elided) {
            s += fmt::format("<text class=\"time\" x=\"4\" y=\"{}\">{:+.3f}s</text>\n", num(y + 14),
                             r.time);
        }
        const double xc = px(d.columns[r.column].x);
        switch (r.kind) {
            case row_kind::arrow: {
                const double xb = px(d.columns[d.broker].x);
                const bool client_left = xc < xb;
                const double x1 = r.to_broker ? xc : xb, x2 = r.to_broker ? xb : xc;
                const char* cls = r.malformed ? "malformed" : r.to_broker ? "sent" : "received";
                const std::size_t w = display_width(r.text);
                const std::size_t lo = std::min(d.columns[r.column].x, d.columns[d.broker].x);
                const std::size_t hi = std::max(d.columns[r.column].x, d.columns[d.broker].x);
                const double tx = client_left ? px(lo + 4) : px(hi - 3 - w);
                s += fmt::format("<g class=\"arrow {}\" data-index=\"{}\" data-stream=\"{}\">", cls,
                                 r.index, r.stream);
                if (o.titles) s += fmt::format("<title>{}</title>", xml_escape(trace_line(d, r)));
                s += fmt::format(
                    "<rect class=\"hit\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
                    "marker-end=\"url(#{}-head-{})\"/>"
                    "<text x=\"{}\" y=\"{}\">{}</text></g>\n",
                    num(std::min(xc, xb)), num(y), num(std::max(xc, xb) - std::min(xc, xb)),
                    num(row_h), num(x1), num(y + 15), num(x2), num(y + 15), p, cls[0], num(tx),
                    num(y + 11), xml_escape(r.text));
                break;
            }
            case row_kind::opened:
                s += fmt::format("<circle class=\"opened\" cx=\"{}\" cy=\"{}\" r=\"4\"/>", num(xc),
                                 num(y + 10));
                break;
            case row_kind::ended:
                s += fmt::format(
                    "<line class=\"ended\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>",
                    num(xc - 6), num(xc + 6), num(y + 10));
                break;
            case row_kind::problem:
                s += fmt::format(
                    "<text class=\"problem\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">!</text>",
                    num(xc), num(y + 14));
                break;
            case row_kind::gap:
            case row_kind::elided:
                break;
        }
        if (r.kind == row_kind::arrow) continue;
        const std::string text = r.kind == row_kind::gap || r.kind == row_kind::elided
                                     ? fmt::format("... {} ...", r.text)
                                     : r.text;
        s += fmt::format("<text class=\"{}\" x=\"{}\" y=\"{}\">{}</text>\n",
                         r.kind == row_kind::problem ? "problem" : "note", note_x, num(y + 14),
                         xml_escape(text));
    }
    s += "</svg>\n";
    return s;
}

}  // namespace mqtt::tools
