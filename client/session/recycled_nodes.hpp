// Node-based containers (std::map, std::unordered_map, std::set) allocate a node per insert. A
// busy session inserts and erases one per message (in flight by ticket, ticket by packet
// identifier, inbound QoS 2 identifiers awaiting PUBREL), so their nodes are kept when erased
// (C++17 node handles) and used again by the next insert: no allocation per message once a
// connection has warmed up. At most `keep` nodes are kept, and a kept map node's value is reset
// at once, so it holds no payload.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace mqtt::session {

template <class Container>
class recycled_nodes {
  public:
    explicit recycled_nodes(std::size_t keep = 1024) : keep_(keep) {}

    // Maps: inserts (key, value) unless the key is there; the iterator to the key's element.
    template <class Value>
    typename Container::iterator emplace(Container& map, const typename Container::key_type& key,
                                         Value&& value) {
        if (free_.empty()) return map.emplace(key, std::forward<Value>(value)).first;
        typename Container::node_type node = std::move(free_.back());
        free_.pop_back();
        node.key() = key;
        node.mapped() = std::forward<Value>(value);
        return map.insert(std::move(node)).position;
    }
    // Sets: inserts `key` unless it is there; the iterator to it.
    typename Container::iterator insert(Container& set, const typename Container::key_type& key) {
        if (free_.empty()) return set.insert(key).first;
        typename Container::node_type node = std::move(free_.back());
        free_.pop_back();
        node.value() = key;
        return set.insert(std::move(node)).position;
    }
    void erase(Container& c, typename Container::iterator it) {
        if (free_.size() >= keep_) {
            c.erase(it);
            return;
        }
        typename Container::node_type node = c.extract(it);
        if constexpr (requires { node.mapped(); })
            node.mapped() = typename Container::mapped_type{};
        free_.push_back(std::move(node));
    }
    // Whether `key` was there.
    bool erase(Container& c, const typename Container::key_type& key) {
        const auto it = c.find(key);
        if (it == c.end()) return false;
        erase(c, it);
        return true;
    }

  private:
    std::size_t keep_;
    std::vector<typename Container::node_type> free_;
};

}  // namespace mqtt::session
