// SPDX-License-Identifier: Apache-2.0
// Axis ticks people read (round numbers, min:s) and event labels that never overlap.
#include <gtest/gtest.h>

#include <random>

#include "tools/treadctl/chart.hpp"
#include "tools/treadctl/report_html.hpp"

namespace treadctl::chart {
namespace {

TEST(Chart, speed_ticks_are_round_1_2_5_steps_covering_the_range) {
  EXPECT_EQ(nice_ticks(0, 4.6, 7), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(nice_ticks(0, 8.4, 6), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0, 0.9, 6), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(nice_ticks(0, 1300, 6), (std::vector<double>{0, 500, 1000, 1500}));
  for (double hi : {0.3, 1.0, 2.7, 4.6, 9.99, 16.0, 123.0, 20000.0}) {
    const auto t = nice_ticks(0, hi, 7);
    EXPECT_LE(t.size(), 8u) << hi;
    EXPECT_GE(t.back(), hi) << hi;
    const double step = t[1] - t[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9)
        << "step " << step << " for " << hi;
  }
}

TEST(Chart, time_ticks_fall_on_minutes_people_count_in) {
  EXPECT_EQ(time_ticks(29, 9), (std::vector<double>{0, 10, 20, 30}));  // not 0, 10, 19, 29 s
  EXPECT_EQ(time_ticks(20 * 60 + 30, 9), (std::vector<double>{0, 300, 600, 900, 1200, 1500}));
  EXPECT_EQ(min_sec(0), "0:00");
  EXPECT_EQ(min_sec(754), "12:34");
  EXPECT_EQ(min_sec(3723), "1:02:03");
  for (double s : {5.0, 59.0, 61.0, 600.0, 1234.0, 3600.0, 5400.0}) {
    const auto t = time_ticks(s, 9);
    EXPECT_LE(t.size(), 9u) << s;
    EXPECT_GE(t.back(), s) << s;
  }
}

bool any_overlap(const std::vector<PlacedLabel>& placed) {
  for (std::size_t i = 0; i < placed.size(); ++i) {
    for (std::size_t j = i + 1; j < placed.size(); ++j) {
      if (overlap(placed[i], placed[j])) return true;
    }
  }
  return false;
}

TEST(Chart, an_estop_and_the_session_end_at_the_same_instant_both_show_apart) {
  const auto placed = place_labels({{500, "end 20:05", false}, {500, "E-STOP 20:05", true}}, 6.6, 6, 0, 900);
  ASSERT_EQ(placed.size(), 2u);
  EXPECT_FALSE(any_overlap(placed));
  EXPECT_TRUE(placed[0].label.serious) << "the e-stop takes the row nearest the plot";
  EXPECT_EQ(placed[0].row, 0);
  EXPECT_EQ(placed[1].row, 1);
}

TEST(Chart, no_two_labels_overlap_however_crowded_and_none_leaves_the_chart) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<Label> labels;
    const int n = 1 + static_cast<int>(rng() % 25);
    for (int i = 0; i < n; ++i) {
      labels.push_back({static_cast<double>(rng() % 900), std::string(1 + rng() % 18, 'x'), rng() % 5 == 0});
    }
    const auto placed = place_labels(labels, 6.6, 6, 0, 900);
    ASSERT_EQ(placed.size(), labels.size());
    EXPECT_FALSE(any_overlap(placed)) << "round " << round;
    for (const auto& p : placed) {
      EXPECT_GE(p.left, 0);
      EXPECT_LE(p.left + p.width, 900 + 1e-9);
    }
  }
}

// The progression's CSV goes into the clinic's spreadsheet: a reason with quotes, commas or a
// leading '=' stays one text cell, and an operator's "not completed" is not read as "completed".
TEST(Chart, progression_csv_keeps_every_text_one_harmless_cell) {
  nlohmann::json end = {{"reason", "=HYPERLINK(\"x\"), not completed"}, {"duration_s", 600}};
  nlohmann::json records = nlohmann::json::array(
      {{{"start", {{"id", "A"}, {"start", "2026-11-30T09:00:00Z"}, {"profile", "p,1"}}}, {"end", end}}});
  const auto rows = treadctl::progression_rows(records);
  EXPECT_EQ(rows[0]["ended"], "=HYPERLINK(\"x\"), not completed");
  const std::string csv = treadctl::progression_csv(rows);
  EXPECT_NE(csv.find("\"p,1\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"x\"\"), not completed\"\n"), std::string::npos) << csv;
}

// An e-stop is a person's act, a fault the machine's: the progression counts them apart, in the
// page as in the CSV (the page once added a drive fault to the e-stops).
TEST(Chart, progression_counts_estops_and_faults_apart) {
  auto record = [](const char* id, int estops, int faults) {
    return nlohmann::json{{"start", {{"id", id}, {"start", "2026-11-30T09:00:00Z"}, {"profile", "p"}}},
                          {"end", {{"reason", "ended"}, {"duration_s", 600}, {"estops", estops}, {"faults", faults}}}};
  };
  const auto rows = treadctl::progression_rows(nlohmann::json::array({record("A", 0, 1), record("B", 2, 0)}));
  const std::string html = treadctl::progression_html("P-0042", rows);
  EXPECT_NE(html.find("<th class=\"n\">e-stops</th><th class=\"n\">faults</th>"), std::string::npos) << html;
  EXPECT_NE(html.find("km/h</td><td class=\"n\">0</td><td class=\"n\">1</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("km/h</td><td class=\"n\">2</td><td class=\"n\">0</td>"), std::string::npos) << html;
  const std::string csv = treadctl::progression_csv(rows);
  EXPECT_NE(csv.find(",0,1,0,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",2,0,0,"), std::string::npos) << csv;
}

// How a session ended is read from the rule that ended it, not from its words: a reworded reason
// still reads "completed" or "e-stop"; a record written before end lines carried their rule is
// read by its words; an operator's or a fault's reason stays as given.
TEST(Chart, progression_reads_how_a_session_ended_from_its_rule) {
  auto record = [](const char* id, nlohmann::json end) {
    end["duration_s"] = 600;
    return nlohmann::json{{"start", {{"id", id}, {"start", "2026-11-30T09:00:00Z"}, {"profile", "p"}}}, {"end", end}};
  };
  const auto rows = treadctl::progression_rows(nlohmann::json::array({
      record("A", {{"reason", "the session's time is up"}, {"rule", "session_time"}}),
      record("B", {{"reason", "stopped at once"}, {"rule", "emergency_stop"}}),
      record("C", {{"reason", "session time limit reached (completed with cool-down)"}}),
      record("D", {{"reason", "fault: belt measured at 5.6 km/h"}, {"rule", "overspeed"}}),
      record("E", {{"reason", "emergency stop"}, {"rule", "max_distance"}}),
  }));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["ended"], "completed");
  EXPECT_EQ(rows[1]["ended"], "e-stop");
  EXPECT_EQ(rows[2]["ended"], "completed") << "an older record, by its words";
  EXPECT_EQ(rows[3]["ended"], "fault: belt measured at 5.6 km/h");
  EXPECT_EQ(rows[4]["ended"], "emergency stop") << "a rule on the line wins over its words";
}

}  // namespace
}  // namespace treadctl::chart
