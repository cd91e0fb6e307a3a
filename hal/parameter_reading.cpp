// SPDX-License-Identifier: Apache-2.0
#include "hal/parameter_reading.hpp"

namespace treadd {

std::string ParameterReading::detail() const {
  if (!raw) return "(" + check.what + ") could not be read: " + error + "; " + check.fix;
  const std::string value = check.shown(*raw);
  if (pass()) return "= " + value + " (" + check.what + "): ok";
  return "reads " + value + ", must be " + check.expected() + " (" + check.what + "): " + check.fix;
}

std::string ParameterReading::sentence() const { return check.parameter + " " + detail(); }

std::string failures(const std::vector<ParameterReading>& readings) {
  std::string out;
  for (const auto& r : readings) {
    if (!r.pass()) out += (out.empty() ? "" : "\n") + r.sentence();
  }
  return out;
}

}  // namespace treadd
