// The terminal ladder: the diagram's rows drawn in character cells at the columns' x, with the
// time in a left margin and marker texts in a right one.
//
//              pub            broker             sub
//               |                |                |
//   +0.000s     o                |                |  stream 1 opens: 127.0.0.1:40312 -> ...
//   +0.000s     |-- CONNECT ---->|                |
//   +0.042s     |                |-- PUBLISH q0 "a/b" ->|
#include <algorithm>

#include <fmt/format.h>

#include "tools/common/diagram.hpp"
#include "tools/common/trace.hpp"

namespace mqtt::tools {

namespace {

// One line of cells; a cell holds one character (several bytes for UTF-8) and may start or end
// with colour codes.
class line {
  public:
    explicit line(std::size_t width) : cells_(width, " ") {}

    void put(std::size_t x, std::string_view text) {
        for (std::size_t i = 0; i < text.size();) {
            std::size_t n = 1;
            while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80)
                ++n;
            at(x++) = std::string(text.substr(i, n));
            i += n;
        }
    }
    void fill(std::size_t from, std::size_t to, std::string_view c) {  // [from, to)
        for (std::size_t x = from; x < to; ++x)
            at(x) = std::string(c);
    }
    // Colours cells [from, to).
    void colour(std::size_t from, std::size_t to, const char* on, const char* off) {
        if (*on == '\0' || from >= to) return;
        at(from).insert(0, on);
        at(to - 1) += off;
    }
    std::size_t used() const {  // cells up to the last one that is not blank
        std::size_t end = cells_.size();
        while (end > 0 && cells_[end - 1] == " ")
            --end;
        return end;
    }
    std::string str() const {
        std::string s;
        for (std::size_t i = 0, end = used(); i < end; ++i)
            s += cells_[i];
        return s;
    }

  private:
    std::string& at(std::size_t x) {
        if (x >= cells_.size()) cells_.resize(x + 1, " ");
        return cells_[x];
    }
    std::vector<std::string> cells_;
};

line lifelines(const diagram& d, std::string_view c) {
    line l(d.width);
    for (const diagram_column& col : d.columns)
        l.put(col.x, c);
    return l;
}

void draw_arrow(line& l, const diagram& d, const diagram_row& r, const trace_palette& p) {
    const std::size_t xc = d.columns[r.column].x, xb = d.columns[d.broker].x;
    const bool client_left = xc < xb;
    const std::size_t lo = std::min(xc, xb), hi = std::max(xc, xb);
    l.fill(lo + 1, hi, "-");
    const bool rightwards = client_left == r.to_broker;
    if (rightwards) {
        l.put(hi - 1, ">");
    } else {
        l.put(lo + 1, "<");
    }
    const std::size_t w = display_width(r.text);
    const std::size_t at = client_left ? lo + 4 : hi - 3 - w;
    l.put(at - 1, " ");
    l.put(at, r.text);
    l.put(at + w, " ");
    const char* c = r.malformed ? p.error : r.to_broker ? p.sent : p.received;
    l.colour(lo + 1, hi, c, p.reset);
}

}  // namespace

std::string render_text(const diagram& d, const text_options& options) {
    const trace_palette p = trace_colours(options.colour);
    double last = 0;
    for (const diagram_row& r : d.rows)
        last = std::max(last, r.time);
    const std::size_t margin = options.times ? fmt::format("{:+.3f}s", last).size() + 2 : 2;
    const std::string blank(margin, ' ');
    std::string out;
    const auto emit = [&](const std::string& left, const line& l, std::string_view note,
                          const char* note_colour) {
        std::string s = left + l.str();
        if (!note.empty()) {
            const std::size_t used = l.used();
            s += std::string(d.width > used ? d.width - used : 0, ' ') + "  " + note_colour +
                 std::string(note) + (*note_colour ? p.reset : "");
        }
        while (!s.empty() && s.back() == ' ')
            s.pop_back();
        out += s + '\n';
    };

    // Headers: names (bold), then addresses where they add something, centred on the lifelines.
    line names(d.width), addresses(d.width);
    bool any_address = false;
    for (const diagram_column& c : d.columns) {
        const std::size_t w = display_width(c.name);
        names.put(c.x - std::min(c.x, w / 2), c.name);
        names.colour(c.x - std::min(c.x, w / 2), c.x - std::min(c.x, w / 2) + w, p.bold, p.reset);
        if (!c.address.empty()) {
            any_address = true;
            addresses.put(c.x - std::min(c.x, display_width(c.address) / 2), c.address);
        }
    }
    emit(blank, names, "", "");
    if (any_address) emit(blank, addresses, "", "");
    emit(blank, lifelines(d, "|"), "", "");

    for (const diagram_row& r : d.rows) {
        const std::string time =
            options.times
                ? fmt::format("{}{:<{}}{}", p.dim, fmt::format("{:+.3f}s", r.time), margin, p.reset)
                : blank;
        switch (r.kind) {
            case row_kind::arrow: {
                line l = lifelines(d, "|");
                draw_arrow(l, d, r, p);
                emit(time, l, "", "");
                break;
            }
            case row_kind::opened:
            case row_kind::ended:
            case row_kind::problem: {
                line l = lifelines(d, "|");
                const char* mark = r.kind == row_kind::opened  ? "o"
                                   : r.kind == row_kind::ended ? "x"
                                                               : "!";
                l.put(d.columns[r.column].x, mark);
                emit(time, l, r.text, r.kind == row_kind::problem ? p.error : p.dim);
                break;
            }
            case row_kind::gap:
                emit(blank, lifelines(d, ":"),
                     options.times ? fmt::format("... {} ...", r.text) : "...", p.dim);
                break;
            case row_kind::elided:
                emit(blank, lifelines(d, ":"), fmt::format("... {} ...", r.text), p.dim);
                break;
        }
    }
    return out;
}

}  // namespace mqtt::tools
