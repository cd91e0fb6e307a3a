// SPDX-License-Identifier: Apache-2.0
// What a drive profile must do against its drive: the checks the drive tests run, as a list of
// problems (empty = conforms) rather than assertions, so one function serves both "every shipped
// profile conforms to its twin" and "a profile with any register moved by one address does not".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/drive_profile.hpp"
#include "tests/drives/twin_rig.hpp"

namespace treadd::testing {

struct ConformanceOptions {
  bool stop_at_first_problem = false;
};

std::vector<std::string> conformance(const DriveProfile& profile, TwinRig& rig, ConformanceOptions options = {});

// Every register address a profile names that treadd reads or writes, as (what, where) to move it.
struct RegisterField {
  std::string what;
  std::function<std::uint16_t&(DriveProfile&)> where;
};
std::vector<RegisterField> register_fields(const DriveProfile& profile);

}  // namespace treadd::testing
