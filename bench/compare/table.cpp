#include "bench/compare/table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mqtt::bench::compare {

namespace {

// The spread's ends, short: 398k, 1.23M, or as the median is written.
std::string compact(double v, int decimals) {
    if (std::abs(v) >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
    if (std::abs(v) >= 1e4) return fmt::format("{:.0f}k", v / 1e3);
    return thousands(v, decimals);
}

std::string with_spread(const std::vector<double>& values, int decimals, bool spread = true) {
    if (values.empty()) return "-";
    std::string s = thousands(median(values), decimals);
    if (!spread) return s;
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    const std::string a = compact(*low, decimals), b = compact(*high, decimals);
    if (a != b) s += fmt::format(" ({}-{})", a, b);
    return s;
}

std::string against(double value, const target& t) {
    const bool met = t.at_most ? value <= t.limit : value >= t.limit;
    return fmt::format(" {} {:g} {}", t.at_most ? "<=" : ">=", t.limit, met ? "ok" : "MISSED");
}

std::vector<double> values_of(const row& r, const column& c) {
    std::vector<double> out;
    for (const run& x : r.runs)
        if (auto it = x.figures.find(c.key); it != x.figures.end())
            out.push_back(it->second * c.scale);
    return out;
}

// Each distinct problem once, with the rounds it happened in.
std::string problems_of(const row& r) {
    std::vector<std::pair<std::string, std::vector<std::size_t>>> seen;
    for (std::size_t i = 0; i < r.runs.size(); ++i) {
        const std::string& p = r.runs[i].problem;
        if (p.empty()) continue;
        auto it =
            std::find_if(seen.begin(), seen.end(), [&p](const auto& x) { return x.first == p; });
        if (it == seen.end()) it = seen.insert(seen.end(), {p, {}});
        it->second.push_back(i + 1);
    }
    std::vector<std::string> out;
    for (const auto& [problem, rounds] : seen) {
        if (r.runs.size() == 1)
            out.push_back(problem + "!");
        else if (rounds.size() == r.runs.size())
            out.push_back("every round: " + problem + "!");
        else
            out.push_back(fmt::format("round{} {}: {}!", rounds.size() > 1 ? "s" : "",
                                      fmt::join(rounds, ", "), problem));
    }
    return fmt::format("{}", fmt::join(out, "; "));
}

const row* find_row(const std::vector<row>& rows, const std::string& section,
                    const std::string& case_name, const std::string& implementation) {
    for (const row& r : rows)
        if (r.section == section && r.case_name == case_name && r.implementation == implementation)
            return &r;
    return nullptr;
}

// Pads every cell but the last of its line to its column's widest cell; a line's last cell
// (a row's problems, or the text of a row not available) widens no column. All ASCII, so bytes
// are columns.
std::string aligned(const std::vector<std::vector<std::string>>& lines) {
    std::vector<std::size_t> width;
    for (const auto& line : lines)
        for (std::size_t i = 0; i + 1 < line.size(); ++i) {
            width.resize(std::max(width.size(), i + 1));
            width[i] = std::max(width[i], line[i].size());
        }
    std::string out;
    for (const auto& line : lines) {
        std::string text;
        for (std::size_t i = 0; i < line.size(); ++i)
            text +=
                "  " + (i + 1 < line.size() ? fmt::format("{:<{}}", line[i], width[i]) : line[i]);
        out += text.substr(0, text.find_last_not_of(' ') + 1) + "\n";
    }
    return out;
}

}  // namespace

double median(std::vector<double> values) {
    if (values.empty()) return NAN;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::vector<double> ratio_values(const ratio& r, const row& numerator, const row& denominator) {
    std::vector<double> out;
    for (std::size_t i = 0; i < std::min(numerator.runs.size(), denominator.runs.size()); ++i) {
        const auto& a = numerator.runs[i].figures;
        const auto& b = denominator.runs[i].figures;
        const auto x = a.find(r.key), y = b.find(r.key);
        if (x != a.end() && y != b.end() && y->second > 0) out.push_back(x->second / y->second);
    }
    return out;
}

std::string format_section(const section& s, const std::vector<row>& rows) {
    std::vector<std::vector<std::string>> lines;
    lines.push_back({"case", "program"});
    for (const column& c : s.columns)
        lines[0].push_back(c.header);
    lines[0].push_back("");
    std::vector<std::string> cases;
    for (const row& r : rows)
        if (r.section == s.name &&
            std::find(cases.begin(), cases.end(), r.case_name) == cases.end())
            cases.push_back(r.case_name);
    std::vector<std::pair<std::string, std::string>> pairs;  // of the ratios, in their order
    for (const ratio& q : s.ratios)
        if (std::find(pairs.begin(), pairs.end(), std::pair(q.numerator, q.denominator)) ==
            pairs.end())
            pairs.emplace_back(q.numerator, q.denominator);

    for (const std::string& case_name : cases) {
        bool first = true;  // the case is named on its first line only
        const auto start = [&](const std::string& program) {
            lines.push_back({first ? case_name : "", program});
            first = false;
            return &lines.back();
        };
        for (const std::string& implementation : s.implementations) {
            const row* r = find_row(rows, s.name, case_name, implementation);
            if (!r) continue;
            std::vector<std::string>& line = *start(implementation);
            if (!r->unavailable.empty()) {
                line.push_back(r->unavailable);
                continue;
            }
            for (const column& c : s.columns) {
                const std::vector<double> v = values_of(*r, c);
                line.push_back(with_spread(v, c.decimals, c.spread) +
                               (c.aim && !v.empty() ? against(median(v), *c.aim) : ""));
            }
            line.push_back(problems_of(*r));
        }
        for (const auto& [numerator, denominator] : pairs) {
            const row* a = find_row(rows, s.name, case_name, numerator);
            const row* b = find_row(rows, s.name, case_name, denominator);
            if (!a || !b || !a->unavailable.empty() || !b->unavailable.empty()) continue;
            std::vector<std::string>& line = *start(numerator + "/" + denominator);
            for (const column& c : s.columns) {
                std::string cell;
                for (const ratio& q : s.ratios) {
                    if (q.numerator != numerator || q.denominator != denominator || q.key != c.key)
                        continue;
                    const std::vector<double> v = ratio_values(q, *a, *b);
                    cell =
                        with_spread(v, 2) + (q.aim && !v.empty() ? against(median(v), *q.aim) : "");
                }
                line.push_back(cell);
            }
            line.push_back("");
        }
    }
    return aligned(lines);
}

nlohmann::json to_json(const std::vector<section>& sections, const std::vector<row>& rows) {
    nlohmann::json out = {{"rows", nlohmann::json::array()}, {"ratios", nlohmann::json::array()}};
    for (const row& r : rows) {
        nlohmann::json j = {{"section", r.section},
                            {"case", r.case_name},
                            {"implementation", r.implementation},
                            {"rounds", nlohmann::json::array()}};
        if (!r.unavailable.empty()) j["unavailable"] = r.unavailable;
        for (const run& x : r.runs) {
            nlohmann::json round = {{"figures", x.figures}};
            if (!x.problem.empty()) round["problem"] = x.problem;
            if (!x.summary.is_null()) round["summary"] = x.summary;
            j["rounds"].push_back(round);
        }
        out["rows"].push_back(j);
    }
    for (const section& s : sections) {
        for (const ratio& q : s.ratios) {
            for (const row& a : rows) {
                if (a.section != s.name || a.implementation != q.numerator) continue;
                const row* b = find_row(rows, s.name, a.case_name, q.denominator);
                if (!b) continue;
                const std::vector<double> v = ratio_values(q, a, *b);
                nlohmann::json j = {{"section", s.name},
                                    {"case", a.case_name},
                                    {"ratio", q.numerator + "/" + q.denominator},
                                    {"key", q.key},
                                    {"rounds", v}};
                if (!v.empty()) j["median"] = median(v);
                if (q.aim)
                    j["target"] =
                        (q.aim->at_most ? "<= " : ">= ") + fmt::format("{:g}", q.aim->limit);
                out["ratios"].push_back(j);
            }
        }
    }
    return out;
}

}  // namespace mqtt::bench::compare
