// SPDX-License-Identifier: Apache-2.0
// The one place that limits how fast the commanded belt speed may change, and the one distance
// integrator.
#pragma once

#include "core/units.hpp"

namespace treadd {

// Moves `current_kmh` toward `target_kmh` (both magnitudes in one direction), speeding up by at most
// `accel_mps2` and slowing down by at most `decel_mps2` over `dt_s` seconds. dt_s <= 0 moves nothing.
double ramp_toward(double current_kmh, double target_kmh, double accel_mps2, double decel_mps2, double dt_s);

using units::kmh_per_s;

// The slowest rate that still covers `delta_kmh` within `seconds`.
constexpr double rate_to_cover(double delta_kmh, double seconds) { return units::mps_from_kmh(delta_kmh) / seconds; }

// Metres travelled at `kmh` for `dt_s` seconds.
constexpr double distance_m(double kmh, double dt_s) { return units::mps_from_kmh(kmh) * dt_s; }

}  // namespace treadd
