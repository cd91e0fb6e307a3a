// SPDX-License-Identifier: Apache-2.0
// The pieces of a chart a clinician reads: round axis ticks (1-2-5 steps; time in min:s at 10 s,
// 30 s, 1, 2, 5, 10 min…), and event labels placed so that no two overlap. Pure and tested
// (tests/unit/chart_test.cpp); report_html.cpp draws with them.
#pragma once

#include <string>
#include <vector>

namespace treadctl::chart {

// Round ticks (1, 2 or 5 × 10^k apart) from 0 or below `lo` to at least `hi`; at most `max_count`.
std::vector<double> nice_ticks(double lo, double hi, int max_count);
// Time ticks in seconds over [0, seconds], at a step people count in (10 s, 15 s, 30 s, 1, 2, 5,
// 10, 15, 30 min, 1 h); at most `max_count`.
std::vector<double> time_ticks(double seconds, int max_count);
// "0:00", "12:30", "1:02:03".
std::string min_sec(double seconds);
// A number without trailing zeros: 2, 2.5, 0.25.
std::string short_number(double v);

struct Label {
  double x = 0;  // where it points, in pixels
  std::string text;
  bool serious = false;  // e-stops and faults: drawn to stand out
};
struct PlacedLabel {
  Label label;
  double left = 0, width = 0;  // the text box, in pixels
  int row = 0;                 // 0 nearest the plot
};

// Each label goes in the lowest row where its box clears every other box in that row by `gap`;
// serious labels are placed first so they get the nearest rows. Text width is estimated at
// `char_width` pixels a character. Boxes never leave [min_x, max_x].
std::vector<PlacedLabel> place_labels(std::vector<Label> labels, double char_width, double gap, double min_x,
                                      double max_x);
bool overlap(const PlacedLabel& a, const PlacedLabel& b);

std::string xml_escape(const std::string& s);

}  // namespace treadctl::chart
