// What a benchmark message carries at the start of its payload, so that the receiver can tell
// lost, duplicated and reordered messages apart and measure end-to-end latency:
//
//   bytes 0-3    "MQB1"            (a message that does not start with it is not ours)
//   bytes 4-7    publisher index    big-endian u32
//   bytes 8-15   sequence number    big-endian u64, from 0, per publisher
//   bytes 16-23  send time          big-endian u64, ns of CLOCK_MONOTONIC
//
// CLOCK_MONOTONIC is one clock for every process on a machine, so a publisher and a subscriber
// in different processes (mqtt-bench pub | sub, the libmosquitto peer) measure the same way.
// The rest of the payload is filler. mqtt-bench, bench/peers/ and their tests share this file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <vector>

namespace mqtt::bench {

inline constexpr std::size_t stamp_size = 24;

struct stamp {
    std::uint32_t publisher = 0;
    std::uint64_t sequence = 0;
    std::uint64_t sent_ns = 0;
};

inline std::uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
}

namespace detail {
inline void put_be(std::uint8_t* p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i, v >>= 8)
        p[i] = std::uint8_t(v);
}
inline std::uint64_t get_be(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = v << 8 | p[i];
    return v;
}
}  // namespace detail

// Writes the stamp over the first stamp_size bytes; false (nothing written) if the payload is
// shorter.
inline bool write_stamp(std::span<std::uint8_t> payload, const stamp& s) {
    if (payload.size() < stamp_size) return false;
    std::uint8_t* p = payload.data();
    p[0] = 'M', p[1] = 'Q', p[2] = 'B', p[3] = '1';
    detail::put_be(p + 4, s.publisher, 4);
    detail::put_be(p + 8, s.sequence, 8);
    detail::put_be(p + 16, s.sent_ns, 8);
    return true;
}

inline std::optional<stamp> read_stamp(std::span<const std::uint8_t> payload) {
    const std::uint8_t* p = payload.data();
    if (payload.size() < stamp_size || p[0] != 'M' || p[1] != 'Q' || p[2] != 'B' || p[3] != '1')
        return std::nullopt;
    return stamp{std::uint32_t(detail::get_be(p + 4, 4)), detail::get_be(p + 8, 8),
                 detail::get_be(p + 16, 8)};
}

// A payload of `size` bytes (at least stamp_size) with filler after the stamp.
inline std::vector<std::uint8_t> make_payload(std::size_t size) {
    std::vector<std::uint8_t> v(size < stamp_size ? stamp_size : size, std::uint8_t('x'));
    return v;
}

// Which sequence numbers one subscriber (or one shared-subscription group) has seen, per
// publisher: unique, duplicated and out-of-order arrivals. A bitmap per publisher, grown as
// sequence numbers arrive (one bit per message sent).
class sequence_tracker {
  public:
    enum class verdict : std::uint8_t { fresh, duplicate };
    verdict seen(const stamp& s) {
        if (s.publisher >= publishers_.size()) publishers_.resize(std::size_t(s.publisher) + 1);
        auto& p = publishers_[s.publisher];
        if (s.sequence >= p.bits.size())
            p.bits.resize(std::size_t(s.sequence) + 1 + p.bits.size() / 2);
        if (p.bits[s.sequence]) {
            ++duplicates_;
            return verdict::duplicate;
        }
        p.bits[s.sequence] = true;
        ++unique_;
        if (p.any && s.sequence < p.highest) ++reordered_;
        if (!p.any || s.sequence > p.highest) p.highest = s.sequence;
        p.any = true;
        return verdict::fresh;
    }
    std::uint64_t unique() const { return unique_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t reordered() const { return reordered_; }  // arrived after a later one
    // Messages never seen, when the receiver knows how many each publisher sent...
    std::uint64_t lost(std::uint64_t expected) const {
        return expected > unique_ ? expected - unique_ : 0;
    }
    // ... and when it does not: the gaps below each publisher's highest sequence number (losses
    // after the last message seen cannot be told apart from messages never sent).
    std::uint64_t gaps() const {
        std::uint64_t n = 0, u = 0;
        for (const auto& p : publishers_)
            if (p.any) n += p.highest + 1;
        u = unique_;
        return n > u ? n - u : 0;
    }

  private:
    struct per_publisher {
        std::vector<bool> bits;
        std::uint64_t highest = 0;
        bool any = false;
    };
    std::vector<per_publisher> publishers_;
    std::uint64_t unique_ = 0, duplicates_ = 0, reordered_ = 0;
};

}  // namespace mqtt::bench
