#include "bench/compare/readings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

namespace mqtt::bench::compare {

hyperfine_export parse_hyperfine(std::string_view json) {
    const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded()) return {{}, "not JSON"};
    if (!j.is_object() || !j.contains("results") || !j["results"].is_array())
        return {{}, "no \"results\" array"};
    hyperfine_export out;
    for (const nlohmann::json& r : j["results"]) {
        hyperfine_result x;
        for (const auto& [key, into] :
             {std::pair{"median", &x.median_s}, std::pair{"user", &x.user_s},
              std::pair{"system", &x.system_s}}) {
            if (!r.is_object() || !r.contains(key) || !r[key].is_number())
                return {{}, std::string("a result without a number \"") + key + "\""};
            *into = r[key].get<double>();
        }
        if (r.contains("command") && r["command"].is_string())
            x.command = r["command"].get<std::string>();
        if (r.contains("exit_codes") && r["exit_codes"].is_array())
            for (const nlohmann::json& code : r["exit_codes"])
                x.exit_codes.push_back(code.is_number_integer() ? code.get<int>() : -1);
        out.results.push_back(std::move(x));
    }
    return out;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string out;
    for (const std::string& a : argv) {
        const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](unsigned char c) {
            return std::isalnum(c) ||
                   std::string_view("_-./:=@%+,").find(char(c)) != std::string_view::npos;
        });
        if (!out.empty()) out += ' ';
        if (plain) {
            out += a;
            continue;
        }
        out += '\'';
        for (const char c : a)
            out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

process_status parse_status(std::string_view text) {
    process_status out;
    const std::pair<std::string_view, std::uint64_t*> fields[] = {{"VmRSS", &out.vm_rss_kib},
                                                                  {"RssAnon", &out.rss_anon_kib},
                                                                  {"RssFile", &out.rss_file_kib},
                                                                  {"Threads", &out.threads}};
    bool found[std::size(fields)] = {};
    // Lines "Name:\tvalue" or "Name:\t   1234 kB".
    while (!text.empty()) {
        const std::string_view line = text.substr(0, text.find('\n'));
        text.remove_prefix(std::min(text.size(), line.size() + 1));
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        for (std::size_t i = 0; i < std::size(fields); ++i) {
            if (line.substr(0, colon) != fields[i].first) continue;
            std::string_view value = line.substr(colon + 1);
            value.remove_prefix(std::min(value.size(), value.find_first_not_of(" \t")));
            const auto [end, error] =
                std::from_chars(value.data(), value.data() + value.size(), *fields[i].second);
            found[i] = error == std::errc() && end != value.data();
        }
    }
    for (std::size_t i = 0; i < std::size(fields); ++i)
        if (!found[i]) out.missing.emplace_back(fields[i].first);
    return out;
}

}  // namespace mqtt::bench::compare
