#include "hal/parameter_reading.hpp"

namespace treadd {

std::string ParameterReading::sentence() const {
  const std::string name = check.parameter + " (" + check.what + ")";
  if (!raw) return name + " could not be read: " + error + "; " + check.fix;
  const std::string value = std::to_string(*raw & check.mask);
  if (pass()) return name + " = " + value + ": ok";
  return name + " reads " + value + ", must be " + check.expected() + ": " + check.fix;
}

std::string failures(const std::vector<ParameterReading>& readings) {
  std::string out;
  for (const auto& r : readings) {
    if (!r.pass()) out += (out.empty() ? "" : "\n") + r.sentence();
  }
  return out;
}

}  // namespace treadd
