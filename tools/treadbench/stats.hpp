// SPDX-License-Identifier: Apache-2.0
// Medians and percentiles of measured samples.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace treadd::bench {

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(rank);
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

inline nlohmann::json summary_ms(const std::vector<double>& ms) {
  return {{"n", ms.size()},
          {"p50_ms", percentile(ms, 0.5)},
          {"p99_ms", percentile(ms, 0.99)},
          {"max_ms", ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end())}};
}

}  // namespace treadd::bench
