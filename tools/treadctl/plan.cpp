// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/plan.hpp"

#include <cstdio>

#include "tools/treadctl/chart.hpp"
#include "tools/treadctl/fields.hpp"
#include "tools/treadctl/local_time.hpp"
#include "tools/treadctl/report.hpp"

namespace treadctl {
namespace {

using nlohmann::json;

double number(const json& j, const char* key, double fallback = 0) {
  const json& v = field(j, key);
  return v.is_number() ? v.get<double>() : fallback;
}
std::string words(const json& j, const char* key, const std::string& fallback = "-") {
  const json& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}
std::string kmh(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f km/h", v);
  return b;
}
std::string metres(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f m", v);
  return b;
}
double distance_of(const json& end) { return number(end, "reverse_m") + number(end, "forward_m"); }

}  // namespace

std::string prescription_text(const json& start) {
  const json& p = field(start, "prescription");
  if (!p.is_object()) return "";
  std::string out = words(p, "profile") + (field(p, "program").is_string() ? ", program " + words(p, "program") : "") +
                    ", by " + words(p, "clinician") + " on " + words(p, "date");
  const bool overridden = field(start, "overrides_prescription").is_boolean() && start["overrides_prescription"].get<bool>();
  return overridden ? "a clinician's override of " + out : out;
}

std::vector<PlanRow> planned_vs_achieved(const json& record, std::size_t max_rows) {
  std::vector<PlanRow> rows;
  const json& start = field(record, "start");
  const json& end = field(record, "end");
  const json& plan = field(start, "plan");
  const json& samples = field(record, "samples");
  if (plan.is_array() && !plan.empty()) {
    // Each sample stands for the time to the next one (2 per second).
    std::vector<double> seconds(plan.size(), 0), speed_sum(plan.size(), 0);
    std::vector<int> moving(plan.size(), 0);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const json& seg = field(samples[i], "segment");
      if (!seg.is_number_integer() || seg.get<int>() < 1 || static_cast<std::size_t>(seg.get<int>()) > plan.size()) continue;
      const std::size_t k = static_cast<std::size_t>(seg.get<int>()) - 1;
      const double t = number(samples[i], "t");
      seconds[k] += i + 1 < samples.size() ? number(samples[i + 1], "t", t) - t : 0.5;
      if (words(samples[i], "state") == "running") {
        speed_sum[k] += number(samples[i], "measured");
        ++moving[k];
      }
    }
    for (std::size_t k = 0; k < plan.size() && k < max_rows; ++k) {
      const json& seg = plan[k];
      rows.push_back({"segment " + std::to_string(k + 1) + " (" + words(seg, "direction") + ")",
                      kmh(number(seg, "speed_kmh")) + " for " + chart::min_sec(number(seg, "duration_s")),
                      seconds[k] <= 0 ? "not reached"
                                      : chart::min_sec(seconds[k]) +
                                            (moving[k] > 0 ? " at " + kmh(speed_sum[k] / moving[k]) : "")});
    }
    if (plan.size() > max_rows) {
      rows.push_back({"and " + std::to_string(plan.size() - max_rows) + " more segments", "", ""});
    }
  }
  const json& prescription = field(start, "prescription");
  const double goal_s = number(prescription, "goal_time_s");
  const double session_s = number(start, "session_time_s");
  const std::string achieved_time = end.is_object() ? chart::min_sec(number(end, "duration_s")) : "-";
  if (goal_s > 0) {
    rows.push_back({"session time", chart::min_sec(goal_s) + " (prescription's goal)", achieved_time});
  } else if (session_s > 0) {
    rows.push_back({"session time", chart::min_sec(session_s) + " (profile's session_time)", achieved_time});
  }
  if (const double goal_m = number(prescription, "goal_distance_m"); goal_m > 0) {
    rows.push_back({"distance", metres(goal_m) + " (prescription's goal)", end.is_object() ? metres(distance_of(end)) : "-"});
  }
  return rows;
}

std::vector<Comparison> compared_with_previous(const json& record) {
  const json& previous = field(record, "previous");
  if (!previous.is_object()) return {};
  const json& before = field(previous, "start");
  const json& before_end = field(previous, "end");
  const json& start = field(record, "start");
  const json& end = field(record, "end");
  auto duration = [](const json& e) { return e.is_object() ? chart::min_sec(number(e, "duration_s")) : "-"; };
  auto distance = [](const json& e) { return e.is_object() ? metres(distance_of(e)) : "-"; };
  auto peak = [](const json& e) { return e.is_object() ? kmh(number(e, "max_reverse_kmh")) : "-"; };
  return {
      {"date", local_time(words(before, "start"), "%Y-%m-%d"), local_time(words(start, "start"), "%Y-%m-%d")},
      {"profile / program",
       words(before, "profile") + (field(before, "program").is_string() ? " / " + words(before, "program") : ""),
       words(start, "profile") + (field(start, "program").is_string() ? " / " + words(start, "program") : "")},
      {"duration (min:s)", duration(before_end), duration(end)},
      {"distance", distance(before_end), distance(end)},
      {"peak reverse speed", peak(before_end), peak(end)},
      {"pain before -> after", pain_text(pain_scores(field(previous, "notes"))), pain_text(pain_scores(field(record, "notes")))},
  };
}

}  // namespace treadctl
