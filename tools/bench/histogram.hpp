// A latency histogram with bounded relative error, in fixed memory (HdrHistogram's idea):
// values below 128 have a bucket each; above, every power of two is split into 128 buckets, so
// a bucket is never wider than 1/128 (0.8 %) of the values it holds. 7,424 counters (58 KiB)
// cover every 64-bit value; recording is a few instructions and never allocates.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace mqtt::bench {

class histogram {
  public:
    static constexpr int sub_bucket_bits = 7;
    static constexpr std::uint64_t sub_buckets = std::uint64_t{1} << sub_bucket_bits;  // 128
    static constexpr std::size_t bucket_count = (64 - sub_bucket_bits + 1) * sub_buckets;
    static constexpr double relative_error = 1.0 / double(sub_buckets);

    void record(std::uint64_t value) {
        ++counts_[index_of(value)];
        ++count_;
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    void merge(const histogram& other) {
        for (std::size_t i = 0; i < bucket_count; ++i)
            counts_[i] += other.counts_[i];
        count_ += other.count_;
        min_ = std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
    }

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ ? min_ : 0; }
    std::uint64_t max() const { return max_; }
    // The smallest value v such that at least `percent` % of the samples are <= v, within the
    // relative error (the upper end of its bucket, never beyond the largest sample seen); 0
    // when empty.
    std::uint64_t percentile(double percent) const {
        if (count_ == 0) return 0;
        percent = std::clamp(percent, 0.0, 100.0);
        auto rank = std::uint64_t(percent / 100.0 * double(count_) + 0.999999);
        rank = std::clamp<std::uint64_t>(rank, 1, count_);
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts_[i];
            if (seen >= rank) return std::clamp(highest_in(i), min(), max_);
        }
        return max_;
    }

    // Bucket arithmetic, public for the tests.
    static std::size_t index_of(std::uint64_t v) {
        if (v < sub_buckets) return std::size_t(v);
        const int magnitude = 63 - std::countl_zero(v);  // >= sub_bucket_bits
        const int shift = magnitude - sub_bucket_bits;
        const std::uint64_t mantissa = v >> shift;  // in [128, 256)
        return std::size_t(std::uint64_t(shift + 1) * sub_buckets + (mantissa - sub_buckets));
    }
    static std::uint64_t lowest_in(std::size_t index) {
        if (index < sub_buckets) return index;
        const std::uint64_t shift = index / sub_buckets - 1;
        const std::uint64_t mantissa = index % sub_buckets + sub_buckets;
        return mantissa << shift;
    }
    static std::uint64_t highest_in(std::size_t index) {
        if (index < sub_buckets) return index;
        const std::uint64_t shift = index / sub_buckets - 1;
        const std::uint64_t mantissa = index % sub_buckets + sub_buckets;
        if (shift + 8 >= 64 && mantissa + 1 == 2 * sub_buckets)
            return std::numeric_limits<std::uint64_t>::max();
        return ((mantissa + 1) << shift) - 1;
    }

  private:
    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t max_ = 0;
};

}  // namespace mqtt::bench
