// SPDX-License-Identifier: Apache-2.0
// A session record (from `report`) as a clinician reads it: summary, CSV, and an SVG chart.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace treadctl {

// How a session ended, in words, from a history entry or a whole record: its end line's reason;
// for the session being recorded now, that it runs (or that its belt is still coming to rest);
// otherwise that the daemon stopped before the record was finished.
std::string how_it_ended(const nlohmann::json& session);
// How the belt came to rest after a session ended under it (an e-stop, a fault): the end line's
// `stop`, in words; empty when the session ended with the belt at rest.
std::string how_the_belt_stopped(const nlohmann::json& end);
// Who asked for an event ("by alice"), or empty for the daemon's own.
std::string by_whom(const nlohmann::json& event);

// A session's pain on the 0-10 numeric rating scale, from its notes (`treadctl note`): the latest
// note that gives a score wins, so a clinician corrects a score by noting it again.
struct PainScores {
  std::optional<int> before, after;
};
PainScores pain_scores(const nlohmann::json& notes);
// "6 -> 3", "6 -> -", or "-" when neither was given.
std::string pain_text(const PainScores& pain);

std::string render_history(const nlohmann::json& sessions);
std::string render_summary(const nlohmann::json& record);
// The session's samples, a row each, every row naming its session, patient and local date (rows of
// several sessions can be merged) and the session's state at that moment.
std::string render_csv(const nlohmann::json& record);
// One CSV field for the clinic's spreadsheet: quoted, quotes doubled, and a leading = + - @ made
// text so that it is never run as a formula.
std::string csv_field(const std::string& v);
// The chart (--svg, --html) is in report_html.hpp.

}  // namespace treadctl
