// SPDX-License-Identifier: Apache-2.0
// Planned against achieved, the prescription and the previous session, as the report says them.
#include <gtest/gtest.h>

#include "tools/treadctl/plan.hpp"
#include "tools/treadctl/report.hpp"

namespace treadctl {
namespace {

using nlohmann::json;

json record_of_two_segments() {
  json r = {{"start",
             {{"id", "20261201T090000Z"},
              {"start", "2026-12-01T09:00:00Z"},
              {"profile", "lumbar-early"},
              {"program", "early-walk"},
              {"patient", "LBP-0042"},
              {"who", "op"},
              {"session_time_s", 900},
              {"prescription",
               {{"profile", "lumbar-early"}, {"program", "early-walk"}, {"clinician", "A. Weber"}, {"date", "2026-11-30"},
                {"goal_time_s", 600}, {"goal_distance_m", 400}}},
              {"overrides_prescription", false},
              {"plan",
               {{{"direction", "reverse"}, {"speed_kmh", 1.5}, {"duration_s", 60}},
                {{"direction", "reverse"}, {"speed_kmh", 2.5}, {"duration_s", 120}},
                {{"direction", "reverse"}, {"speed_kmh", 1.5}, {"duration_s", 60}}}}}},
            {"end", {{"duration_s", 150}, {"reverse_m", 90}, {"forward_m", 0}, {"max_reverse_kmh", 2.5}, {"reason", "stopped by operator"}}},
            {"samples", json::array()}};
  // 60 s in segment 1 at 1.4 km/h, then 90 s in segment 2 at 2.4 km/h; segment 3 never reached.
  for (int i = 0; i < 300; ++i) {
    r["samples"].push_back({{"t", i * 0.5}, {"segment", i < 120 ? 1 : 2}, {"state", "running"}, {"measured", i < 120 ? 1.4 : 2.4}});
  }
  return r;
}

TEST(Plan, each_segment_is_set_beside_what_the_belt_did_and_the_goals_beside_the_session) {
  const auto rows = planned_vs_achieved(record_of_two_segments());
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].what, "segment 1 (reverse)");
  EXPECT_EQ(rows[0].planned, "1.5 km/h for 1:00");
  EXPECT_EQ(rows[0].achieved, "1:00 at 1.4 km/h");
  EXPECT_EQ(rows[1].achieved, "1:30 at 2.4 km/h");
  EXPECT_EQ(rows[2].achieved, "not reached");
  EXPECT_EQ(rows[3].what, "session time");
  EXPECT_EQ(rows[3].planned, "10:00 (prescription's goal)");
  EXPECT_EQ(rows[3].achieved, "2:30");
  EXPECT_EQ(rows[4].planned, "400 m (prescription's goal)");
  EXPECT_EQ(rows[4].achieved, "90 m");
  // Without a prescription the profile's session time is the plan; a long program is cut short with a count.
  json r = record_of_two_segments();
  r["start"]["prescription"] = nullptr;
  const auto without = planned_vs_achieved(r, 2);
  ASSERT_EQ(without.size(), 4u);
  EXPECT_EQ(without[2].what, "and 1 more segments");
  EXPECT_EQ(without[3].planned, "15:00 (profile's session_time)");
}

TEST(Plan, the_prescription_and_an_override_of_it_are_said_with_the_clinician_and_date) {
  json r = record_of_two_segments();
  EXPECT_EQ(prescription_text(r["start"]), "lumbar-early, program early-walk, by A. Weber on 2026-11-30");
  r["start"]["overrides_prescription"] = true;
  EXPECT_EQ(prescription_text(r["start"]).rfind("a clinician's override of lumbar-early", 0), 0u);
  r["start"]["prescription"] = nullptr;
  EXPECT_EQ(prescription_text(r["start"]), "");
  EXPECT_NE(render_summary(record_of_two_segments()).find("prescribed lumbar-early, program early-walk, by A. Weber"),
            std::string::npos);
}

TEST(Plan, the_previous_session_is_set_beside_this_one) {
  json r = record_of_two_segments();
  EXPECT_TRUE(compared_with_previous(r).empty());
  r["previous"] = {{"start", {{"start", "2026-11-28T09:00:00Z"}, {"profile", "lumbar-early"}}},
                   {"end", {{"duration_s", 600}, {"reverse_m", 300}, {"max_reverse_kmh", 2.0}, {"reason", "completed"}}},
                   {"notes", json::array({{{"pain_before", 6}, {"pain_after", 4}}})}};
  const auto rows = compared_with_previous(r);
  ASSERT_GE(rows.size(), 6u);
  EXPECT_EQ(rows[0].previous, "2026-11-28");
  EXPECT_EQ(rows[2].what, "duration (min:s)");
  EXPECT_EQ(rows[2].previous, "10:00");
  EXPECT_EQ(rows[2].now, "2:30");
  EXPECT_EQ(rows[3].previous, "300 m");
  EXPECT_EQ(rows[5].previous, "6 -> 4");
  EXPECT_NE(render_summary(r).find("previous session -> this one"), std::string::npos) << render_summary(r);
}

}  // namespace
}  // namespace treadctl
