// SPDX-License-Identifier: Apache-2.0
// Drive-side values the core does not need: link health for metrics.
#pragma once

#include <cstdint>

#include "core/motion.hpp"

namespace treadd {

// Link health by kind, for metrics. The simulated drive has none.
struct LinkCounters {
  std::uint64_t transactions = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t exceptions = 0;
  std::uint64_t broken = 0;       // connection reset, broken pipe, refused
  std::uint64_t other_errors = 0;  // CRC, bad data, ...
  std::uint64_t reconnects = 0;
};

}  // namespace treadd
