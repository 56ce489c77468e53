#include "client/session/packet_ids.hpp"

namespace mqtt::session {

std::bitset<65'536>& packet_id_pool::used() {
    if (!used_) used_ = std::make_unique<std::bitset<65'536>>();
    return *used_;
}

std::optional<std::uint16_t> packet_id_pool::acquire() {
    if (count_ == 65'535) return std::nullopt;
    std::bitset<65'536>& used_ids = used();
    std::uint16_t id = last_;
    do {
        id = std::uint16_t(id == 65'535 ? 1 : id + 1);  // wraps to 1: 0 is never an identifier
    } while (used_ids[id]);
    used_ids[id] = true;
    ++count_;
    last_ = id;
    return id;
}

void packet_id_pool::reserve(std::uint16_t id) {
    std::bitset<65'536>& used_ids = used();
    if (id == 0 || used_ids[id]) return;
    used_ids[id] = true;
    ++count_;
}

void packet_id_pool::release(std::uint16_t id) {
    if (!in_use(id)) return;
    (*used_)[id] = false;
    --count_;
}

void packet_id_pool::clear() {
    if (used_) used_->reset();
    count_ = 0;
}

}  // namespace mqtt::session
