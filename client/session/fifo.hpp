// A first-in first-out queue over one vector. pop_front() moves a head index, and the vector is
// compacted once the head has passed half of it, so a queue that is filled and drained over and
// over keeps its capacity and allocates nothing; std::deque frees and allocates a block every
// few elements as it moves (every other message, for the session's events), and allocates one
// even while empty. For the session's and the client's per-message queues.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace mqtt::session {

template <class T>
class fifo {
  public:
    bool empty() const { return head_ == items_.size(); }
    std::size_t size() const { return items_.size() - head_; }
    T& front() { return items_[head_]; }
    T& back() { return items_.back(); }
    void push_back(T value) { items_.push_back(std::move(value)); }
    void pop_front() {
        items_[head_] = T{};  // let go of what the element held now
        if (++head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        } else if (head_ >= 64 && 2 * head_ >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + std::ptrdiff_t(head_));
            head_ = 0;
        }
    }
    void clear() {
        items_.clear();
        head_ = 0;
    }
    auto begin() { return items_.begin() + std::ptrdiff_t(head_); }
    auto end() { return items_.end(); }

  private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

}  // namespace mqtt::session
