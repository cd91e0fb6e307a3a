// SPDX-License-Identifier: Apache-2.0
// The two clocks' vocabulary: durations in milliseconds and points of the monotonic clock.
// The core never reads a clock; it is handed `now`.
#pragma once

#include <chrono>

namespace treadd {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

}  // namespace treadd
