// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace treadd {

const std::array<double, LatencyHistogram::bucket_count>& LatencyHistogram::bounds_s() {
  static const auto bounds = [] {
    std::array<double, bucket_count> b{};
    for (std::size_t i = 0; i < bucket_count; ++i) b[i] = 1e-5 * std::pow(10.0, static_cast<double>(i) / 4.0);
    return b;
  }();
  return bounds;
}

void LatencyHistogram::record(std::chrono::nanoseconds lateness) {
  const double s = std::max(0.0, std::chrono::duration<double>(lateness).count());
  const auto& b = bounds_s();
  const auto it = std::lower_bound(b.begin(), b.end(), s);
  ++counts_[static_cast<std::size_t>(it - b.begin())];
  ++total_;
  sum_s_ += s;
}

double LatencyHistogram::percentile(double p) const {
  if (total_ == 0) return 0;
  const double rank = p * static_cast<double>(total_);
  double seen = 0;
  const auto& b = bounds_s();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    if (seen + static_cast<double>(counts_[i]) >= rank) {
      const double lo = i == 0 ? 0 : b[i - 1];
      const double hi = i < b.size() ? b[i] : b.back() * 10;
      return lo + (hi - lo) * (rank - seen) / static_cast<double>(counts_[i]);
    }
    seen += static_cast<double>(counts_[i]);
  }
  return b.back();
}

}  // namespace treadd
