// Topic Aliases (spec 3.3.2.3.4). Both maps live for one network connection only
// (MQTT-3.3.2-7): the session resets them on every new connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mqtt::session {

// Ours to the server, within the server's Topic Alias Maximum (none when it is absent or 0:
// MQTT-3.2.2-18). Policy: a topic gets an alias the first time it is published; once all aliases
// are taken, the least recently used one is reassigned to the new topic.
class outbound_aliases {
  public:
    void reset(std::uint16_t maximum);
    struct choice {
        std::uint16_t alias = 0;  // 0: send no alias
        bool send_topic = true;   // false: the alias is known to the server, send an empty topic
    };
    choice pick(std::string_view topic);

  private:
    std::uint16_t maximum_ = 0;
    std::uint64_t tick_ = 0;
    // Looked up by string_view (no std::string made per PUBLISH to find its alias).
    struct topic_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::uint16_t, topic_hash, std::equal_to<>> by_topic_;
    std::vector<std::string> topic_of_;     // index: alias
    std::vector<std::uint64_t> last_used_;  // index: alias
};

// The server's to us, within the Topic Alias Maximum we sent (MQTT-3.3.2-10).
class inbound_aliases {
  public:
    void reset(std::uint16_t maximum) {
        maximum_ = maximum;
        topics_.assign(std::size_t(maximum) + 1, std::string());
        known_.assign(std::size_t(maximum) + 1, false);
    }
    std::uint16_t maximum() const { return maximum_; }
    void set(std::uint16_t alias, std::string_view topic) {
        topics_[alias] = topic;
        known_[alias] = true;
    }
    std::optional<std::string_view> get(std::uint16_t alias) const {
        if (alias == 0 || alias > maximum_ || !known_[alias]) return std::nullopt;
        return std::string_view(topics_[alias]);
    }

  private:
    std::uint16_t maximum_ = 0;
    std::vector<std::string> topics_;
    std::vector<bool> known_;
};

}  // namespace mqtt::session
