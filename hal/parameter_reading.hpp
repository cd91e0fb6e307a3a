// SPDX-License-Identifier: Apache-2.0
// What the drive holds for one of its profile's safety parameters, and the sentence a technician
// needs when it is wrong. Shared by the connect check (treadd refuses to run) and commissioning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/drive_profile.hpp"

namespace treadd {

struct ParameterReading {
  ParameterCheck check;
  std::optional<std::uint16_t> raw;  // nullopt: the drive did not answer
  std::string error;                 // why it could not be written or read

  bool pass() const { return raw && check.holds(*raw); }
  // "Pr.09-03 (comms-loss timeout, 0.1 s units) reads 0, must be from 1 to 10: set Pr.09-03 to 5 on the panel"
  std::string sentence() const;
  // The same without the leading parameter name (where the name is already shown beside it).
  std::string detail() const;
};

// Every failing reading, one sentence a line; empty when all pass.
std::string failures(const std::vector<ParameterReading>& readings);

}  // namespace treadd
