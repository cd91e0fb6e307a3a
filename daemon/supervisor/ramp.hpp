// The one place that limits how fast the commanded belt speed may change.
#pragma once

namespace treadd {

// Moves `current_kmh` toward `target_kmh` (both magnitudes in one direction), speeding up by at most
// `accel_mps2` and slowing down by at most `decel_mps2` over `dt_s` seconds. dt_s <= 0 moves nothing.
double ramp_toward(double current_kmh, double target_kmh, double accel_mps2, double decel_mps2, double dt_s);

constexpr double kmh_per_s(double mps2) { return mps2 * 3.6; }

}  // namespace treadd
