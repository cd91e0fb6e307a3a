// SPDX-License-Identifier: Apache-2.0
// A valid machine.yaml for loader tests; `max_session` varies per test.
#pragma once

#include <string>

namespace treadd::testing {

inline std::string sample_machine_yaml(const std::string& max_session = "60min") {
  return "drive:\n"
         "  transport: sim\n"
         "belt:\n"
         "  kmh_per_hz: 0.2\n"
         "ceilings:\n"
         "  forward_max: 12 km/h\n"
         "  reverse_max: 6 km/h\n"
         "  max_accel: 0.5 m/s2\n"
         "  max_decel: 0.8 m/s2\n"
         "  emergency_decel: 1.5 m/s2\n"
         "  max_session: " + max_session + "\n";
}

}  // namespace treadd::testing
