// SPDX-License-Identifier: Apache-2.0
// What a session was meant to be beside what it was: the prescription it ran under, its program's
// segments (or the profile's session time and the prescription's goals) as planned and as
// achieved, and the patient's previous session beside this one. Shared by the text summary and
// the HTML report, so both say the same.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace treadctl {

// "lumbar-early, program early-walk, by A. Weber on 2026-12-01" — with "a clinician's
// override of " before it when the session departed from it; empty without a prescription.
std::string prescription_text(const nlohmann::json& start);

struct PlanRow {
  std::string what;      // "segment 3 (reverse)", "session time", "distance"
  std::string planned;   // "2.5 km/h for 8:00"
  std::string achieved;  // "8:00 at 2.4 km/h", "not reached"
};
// At most `max_rows` segment rows (a program may have 1,000); the last row then says how many more.
std::vector<PlanRow> planned_vs_achieved(const nlohmann::json& record, std::size_t max_rows = 40);

struct Comparison {
  std::string what, previous, now;
};
// This session beside the patient's previous one (record["previous"], from the daemon's report
// reply): date, profile, duration, distance, peak reverse speed, pain. Empty when there is none.
std::vector<Comparison> compared_with_previous(const nlohmann::json& record);

}  // namespace treadctl
