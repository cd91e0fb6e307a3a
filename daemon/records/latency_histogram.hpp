// SPDX-License-Identifier: Apache-2.0
// Tick lateness in fixed log-spaced buckets: recording is one array increment, no allocation, so it
// can run on every tick for the daemon's whole life. Percentiles are read back by interpolation.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace treadd {

class LatencyHistogram {
 public:
  // Bucket upper bounds: 10 us .. ~100 ms, 4 per decade, then +Inf.
  static constexpr std::size_t bucket_count = 18;
  static const std::array<double, bucket_count>& bounds_s();

  void record(std::chrono::nanoseconds lateness);
  double percentile(double p) const;  // seconds; 0 <= p <= 1
  std::uint64_t count() const { return total_; }
  const std::array<std::uint64_t, bucket_count + 1>& buckets() const { return counts_; }  // last = overflow
  double sum_s() const { return sum_s_; }

 private:
  std::array<std::uint64_t, bucket_count + 1> counts_{};
  std::uint64_t total_ = 0;
  double sum_s_ = 0;
};

}  // namespace treadd
