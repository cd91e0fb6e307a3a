// SPDX-License-Identifier: Apache-2.0
// Reports a clinician reads, prints (A4) and files: one session, or one patient's progression
// across sessions. Self-contained HTML (inline SVG and CSS, nothing fetched), charts drawn with
// chart.hpp's ticks and label placement.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace treadctl {

// The speed chart of one session (also `treadctl report ID --svg FILE`): target, commanded and
// measured speed, the profile's caps as lines, reverse/pause/cool-down as bands, events as labels
// that never overlap (e-stops and faults stand out).
std::string session_chart_svg(const nlohmann::json& record);
std::string session_html(const nlohmann::json& record);

// One row per session of a patient, in time order: what the progression table and charts show.
// The sessions (history's start and end lines) are consumed as their rows are made, so that the
// two never both stay whole in memory.
nlohmann::json progression_rows(nlohmann::json records);
std::string progression_html(const std::string& patient, const nlohmann::json& rows);
std::string progression_csv(const nlohmann::json& rows);

}  // namespace treadctl
