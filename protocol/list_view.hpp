// A read-only sequence that either points at items the caller built (to encode them) or walks the
// already-validated wire bytes of a decoded packet (decoding them lazily, so decoding allocates
// nothing). Used for User Properties, Subscription Identifiers, SUBSCRIBE's subscriptions,
// UNSUBSCRIBE's topic filters and SUBACK/UNSUBACK reason codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "protocol/types.hpp"

namespace mqtt {

template <class T>
class list_view {
  public:
    using value_type = T;
    // Reads the next item at `p` (advancing it) from bytes already validated by the decoder.
    // Returns false when no further item lies before `end` (it may skip unrelated bytes, as the
    // property walkers do).
    using wire_reader = bool (*)(const std::uint8_t*& p, const std::uint8_t* end, T& out);

    list_view() = default;
    list_view(std::span<const T> items) : items_(items), count_(items.size()) {}  // NOLINT
    static list_view from_wire(bytes_view wire, std::size_t count, wire_reader read) {
        list_view v;
        v.wire_ = wire;
        v.read_ = read;
        v.count_ = count;
        return v;
    }

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }

    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T*;
        using reference = const T&;

        iterator() = default;
        const T& operator*() const { return item_ ? *item_ : value_; }
        const T* operator->() const { return &**this; }
        iterator& operator++() {
            if (item_) {
                ++item_;
                if (item_ == item_end_) item_ = nullptr, done_ = true;
            } else {
                advance();
            }
            return *this;
        }
        iterator operator++(int) {
            auto old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) {
            if (a.done_ || b.done_) return a.done_ == b.done_;
            return a.item_ == b.item_ && a.p_ == b.p_;
        }

      private:
        friend class list_view;
        void advance() {
            if (!read_ || !read_(p_, end_, value_)) done_ = true;
        }
        const T* item_ = nullptr;
        const T* item_end_ = nullptr;
        const std::uint8_t* p_ = nullptr;
        const std::uint8_t* end_ = nullptr;
        wire_reader read_ = nullptr;
        T value_{};
        bool done_ = true;
    };

    iterator begin() const {
        iterator it;
        if (count_ == 0) return it;
        it.done_ = false;
        if (read_) {
            it.p_ = wire_.data();
            it.end_ = wire_.data() + wire_.size();
            it.read_ = read_;
            it.advance();
        } else {
            it.item_ = items_.data();
            it.item_end_ = items_.data() + items_.size();
        }
        return it;
    }
    iterator end() const { return iterator{}; }

    friend bool operator==(const list_view& a, const list_view& b) {
        if (a.size() != b.size()) return false;
        auto i = a.begin();
        for (const T& item : b) {
            if (!(*i == item)) return false;
            ++i;
        }
        return true;
    }

  private:
    std::span<const T> items_;
    bytes_view wire_;
    wire_reader read_ = nullptr;
    std::size_t count_ = 0;
};

template <class>
inline constexpr bool is_list_view = false;
template <class T>
inline constexpr bool is_list_view<list_view<T>> = true;

}  // namespace mqtt
