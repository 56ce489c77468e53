// How many heap allocations this process has made. alloc_count.cpp replaces every global
// allocation function ([new.delete]) with one that counts, in whatever program links it: mqtt-bench
// (allocations per message) and the allocation tests (none while decoding, none per message in a
// warmed-up session). A relaxed atomic increment per allocation; read the count before and after
// what is measured.
#pragma once

#include <cstdint>

namespace mqtt::bench {

std::uint64_t allocation_count();

// The allocations made between its construction and count().
class allocation_counter {
  public:
    std::uint64_t count() const { return allocation_count() - start_; }

  private:
    std::uint64_t start_ = allocation_count();
};

}  // namespace mqtt::bench
