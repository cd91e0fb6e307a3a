// A session record (from `report`) as a clinician reads it: summary, CSV, and an SVG chart.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace treadctl {

std::string render_history(const nlohmann::json& sessions);
std::string render_summary(const nlohmann::json& record);
std::string render_csv(const nlohmann::json& record);
// The chart (--svg, --html) is in report_html.hpp.

}  // namespace treadctl
