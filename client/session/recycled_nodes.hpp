// Node-based maps (std::map, std::unordered_map) allocate a node per insert. A busy session
// inserts and erases one per message (in flight by ticket, ticket by packet identifier), so
// their nodes are kept when erased (C++17 node handles) and used again by the next insert: no
// allocation per message once a connection has warmed up. At most `keep` nodes are kept, and
// a kept node's value is reset at once, so it holds no payload.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace mqtt::session {

template <class Map>
class recycled_nodes {
  public:
    explicit recycled_nodes(std::size_t keep = 1024) : keep_(keep) {}

    // Inserts (key, value) unless the key is there; the iterator to the key's element.
    template <class Value>
    typename Map::iterator emplace(Map& map, const typename Map::key_type& key, Value&& value) {
        if (free_.empty()) return map.emplace(key, std::forward<Value>(value)).first;
        typename Map::node_type node = std::move(free_.back());
        free_.pop_back();
        node.key() = key;
        node.mapped() = std::forward<Value>(value);
        return map.insert(std::move(node)).position;
    }
    void erase(Map& map, typename Map::iterator it) {
        if (free_.size() >= keep_) {
            map.erase(it);
            return;
        }
        typename Map::node_type node = map.extract(it);
        node.mapped() = typename Map::mapped_type{};
        free_.push_back(std::move(node));
    }
    void erase(Map& map, const typename Map::key_type& key) {
        if (const auto it = map.find(key); it != map.end()) erase(map, it);
    }

  private:
    std::size_t keep_;
    std::vector<typename Map::node_type> free_;
};

}  // namespace mqtt::session
