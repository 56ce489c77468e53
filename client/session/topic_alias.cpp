#include "client/session/topic_alias.hpp"

#include <algorithm>

namespace mqtt::session {

void outbound_aliases::reset(std::uint16_t maximum) {
    maximum_ = maximum;
    tick_ = 0;
    by_topic_.clear();
    topic_of_.assign(std::size_t(maximum) + 1, std::string());
    last_used_.assign(std::size_t(maximum) + 1, 0);
}

outbound_aliases::choice outbound_aliases::pick(std::string_view topic) {
    if (maximum_ == 0) return {};
    ++tick_;
    if (auto it = by_topic_.find(topic); it != by_topic_.end()) {
        last_used_[it->second] = tick_;
        return {it->second, false};
    }
    // A free alias if there is one (last_used_ 0), else the least recently used.
    const auto lru = std::min_element(last_used_.begin() + 1, last_used_.end());
    const auto alias = std::uint16_t(lru - last_used_.begin());
    if (!topic_of_[alias].empty()) {
        // The reassigned alias's map node takes the new topic: nothing allocated if it fits.
        auto node = by_topic_.extract(topic_of_[alias]);
        node.key().assign(topic);
        by_topic_.insert(std::move(node));
    } else {
        by_topic_.emplace(std::string(topic), alias);
    }
    topic_of_[alias].assign(topic);
    last_used_[alias] = tick_;
    return {alias, true};
}

}  // namespace mqtt::session
