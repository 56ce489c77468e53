#include "protocol/topic.hpp"

#include "protocol/utf8.hpp"

namespace mqtt {

namespace {

constexpr std::string_view share_prefix = "$share/";

// Rules common to names and filters (spec 4.7.3).
const char* common_problem(std::string_view s) {
    if (s.empty()) return "empty topic (MQTT-4.7.3-1)";
    if (s.size() > 65'535) return "longer than 65,535 bytes (MQTT-4.7.3-3)";
    const std::size_t bad = utf8_error_index(s);
    if (bad != std::string_view::npos) {
        return s[bad] == 0 ? "U+0000 in a topic (MQTT-4.7.3-2)" : "invalid UTF-8 (MQTT-1.5.4-1)";
    }
    return nullptr;
}

// Wildcards in a (non-shared) filter: '#' alone and last, '+' a whole level (spec 4.7.1).
const char* wildcard_problem(std::string_view filter) {
    std::size_t start = 0;
    while (true) {
        const std::size_t end = std::min(filter.find('/', start), filter.size());
        const std::string_view level = filter.substr(start, end - start);
        if (level.find('#') != std::string_view::npos) {
            if (level != "#") return "'#' must be a whole level (MQTT-4.7.1-1)";
            if (end != filter.size()) return "'#' must be the last level (MQTT-4.7.1-1)";
        }
        if (level.find('+') != std::string_view::npos && level != "+") {
            return "'+' must be a whole level (MQTT-4.7.1-2)";
        }
        if (end == filter.size()) return nullptr;
        start = end + 1;
    }
}

}  // namespace

const char* topic_name_problem(std::string_view name) {
    if (const char* p = common_problem(name)) return p;
    if (name.find_first_of("+#") != std::string_view::npos) {
        return "wildcard character in a Topic Name (MQTT-4.7.0-1)";
    }
    return nullptr;
}

const char* topic_filter_problem(std::string_view filter) {
    if (const char* p = common_problem(filter)) return p;
    if (filter.starts_with(share_prefix)) {
        const std::string_view rest = filter.substr(share_prefix.size());
        const std::size_t slash = rest.find('/');
        if (slash == std::string_view::npos) {
            return "shared subscription without a Topic Filter (MQTT-4.8.2-2)";
        }
        const std::string_view share_name = rest.substr(0, slash);
        if (share_name.empty()) return "empty ShareName (MQTT-4.8.2-1)";
        if (share_name.find_first_of("+#") != std::string_view::npos) {
            return "ShareName contains '+' or '#' (MQTT-4.8.2-2)";
        }
        const std::string_view inner = rest.substr(slash + 1);
        if (inner.empty()) return "shared subscription without a Topic Filter (MQTT-4.8.2-2)";
        return wildcard_problem(inner);
    }
    return wildcard_problem(filter);
}

std::optional<shared_filter> parse_shared(std::string_view filter) {
    if (!filter.starts_with(share_prefix)) return std::nullopt;
    const std::string_view rest = filter.substr(share_prefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    return shared_filter{rest.substr(0, slash), rest.substr(slash + 1)};
}

bool topic_matches(std::string_view filter, std::string_view name) {
    // MQTT-4.7.2-1: '$' topics are not matched by a filter that starts with a wildcard.
    if (!name.empty() && name[0] == '$' && !filter.empty() &&
        (filter[0] == '+' || filter[0] == '#')) {
        return false;
    }
    std::size_t fi = 0, ni = 0;
    while (true) {
        const std::size_t fe = std::min(filter.find('/', fi), filter.size());
        const std::string_view fl = filter.substr(fi, fe - fi);
        if (fl == "#") return true;  // matches this level, its children and the parent
        const std::size_t ne = std::min(name.find('/', ni), name.size());
        const std::string_view nl = name.substr(ni, ne - ni);
        if (fl != "+" && fl != nl) return false;
        const bool filter_last = fe == filter.size();
        const bool name_last = ne == name.size();
        if (filter_last || name_last) {
            // "a/#" matches "a": what is left of the filter may only be "/#".
            return filter_last == name_last || (name_last && filter.substr(fe + 1) == "#");
        }
        fi = fe + 1;
        ni = ne + 1;
    }
}

}  // namespace mqtt
