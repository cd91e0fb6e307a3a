// SPDX-License-Identifier: Apache-2.0
#include "core/ramp.hpp"

#include <algorithm>
#include <cmath>

namespace treadd {

double ramp_toward(double current_kmh, double target_kmh, double accel_mps2, double decel_mps2, double dt_s) {
  if (!(dt_s > 0) || !std::isfinite(dt_s)) return current_kmh;
  if (target_kmh > current_kmh) return std::min(target_kmh, current_kmh + kmh_per_s(accel_mps2) * dt_s);
  return std::max(target_kmh, current_kmh - kmh_per_s(decel_mps2) * dt_s);
}

}  // namespace treadd
