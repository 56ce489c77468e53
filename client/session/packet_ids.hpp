// Packet Identifiers 1..65535 (spec 2.2.1): never one still in use (MQTT-2.2.1-3), including
// after wrap-around, and an explicit failure when all are in use.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>

namespace mqtt::session {

class packet_id_pool {
  public:
    packet_id_pool() = default;
    // The next free identifier after the last one handed out, or nullopt when all are in use.
    std::optional<std::uint16_t> acquire();
    void reserve(std::uint16_t id);  // mark an id restored from a store
    void release(std::uint16_t id);
    bool in_use(std::uint16_t id) const { return id != 0 && used_ && (*used_)[id]; }
    std::size_t in_use_count() const { return count_; }
    void clear();

  private:
    std::bitset<65'536>& used();  // made on first use: 8 KiB an idle client never needs
    std::unique_ptr<std::bitset<65'536>> used_;
    std::uint16_t last_ = 0;
    std::size_t count_ = 0;
};

}  // namespace mqtt::session
