// Topic Names and Topic Filters, spec 4.7 and 4.8.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/reason_code.hpp"

namespace mqtt {

// Why a topic string is invalid, or nullptr when it is valid. Checks length 1..65,535
// (MQTT-4.7.3-1, -3), UTF-8 (MQTT-1.5.4-1, -2), and for names: no '+' or '#' (MQTT-4.7.0-1).
const char* topic_name_problem(std::string_view name);
// For filters: '#' alone and last (MQTT-4.7.1-1), '+' a whole level (MQTT-4.7.1-2), and a
// well-formed $share/ShareName/filter (MQTT-4.8.2-1, -2).
const char* topic_filter_problem(std::string_view filter);

inline bool valid_topic_name(std::string_view name) {
    return !topic_name_problem(name);
}
inline bool valid_topic_filter(std::string_view filter) {
    return !topic_filter_problem(filter);
}

struct shared_filter {
    std::string_view share_name;
    std::string_view filter;
};
// Splits "$share/name/filter"; nullopt when `filter` is not a shared subscription.
std::optional<shared_filter> parse_shared(std::string_view filter);

// Whether a (valid, non-shared) filter matches a (valid) topic name. Names starting with '$' are
// not matched by a filter starting with a wildcard (MQTT-4.7.2-1).
bool topic_matches(std::string_view filter, std::string_view name);

}  // namespace mqtt
