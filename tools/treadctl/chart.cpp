// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace treadctl::chart {

std::vector<double> nice_ticks(double lo, double hi, int max_count) {
  if (!(hi > lo)) hi = lo + 1;
  max_count = std::max(max_count, 2);
  const double raw = (hi - lo) / (max_count - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (magnitude * m >= raw) {
      step = magnitude * m;
      break;
    }
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step) * step;
  for (double v = first; v < hi + step * 0.999; v += step) {
    // k x step, rounded to nine decimals so that 3 x 0.2 is 0.6, not 0.6000000000000001.
    ticks.push_back(std::round(std::round(v / step) * step * 1e9) / 1e9 + 0.0);
  }
  return ticks;
}

std::vector<double> time_ticks(double seconds, int max_count) {
  static const double steps[] = {10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200};
  seconds = std::max(seconds, 1.0);
  double step = steps[std::size(steps) - 1];
  for (double s : steps) {
    if (seconds / s <= max_count - 1) {
      step = s;
      break;
    }
  }
  std::vector<double> ticks;
  for (double t = 0; t < seconds + step * 0.999; t += step) ticks.push_back(t);
  return ticks;
}

std::string min_sec(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

bool overlap(const PlacedLabel& a, const PlacedLabel& b) {
  return a.row == b.row && a.left < b.left + b.width && b.left < a.left + a.width;
}

std::vector<PlacedLabel> place_labels(std::vector<Label> labels, double char_width, double gap, double min_x,
                                      double max_x) {
  std::stable_sort(labels.begin(), labels.end(), [](const Label& a, const Label& b) {
    if (a.serious != b.serious) return a.serious;
    return a.x < b.x;
  });
  std::vector<PlacedLabel> placed;
  for (Label& l : labels) {
    PlacedLabel p;
    p.width = static_cast<double>(l.text.size()) * char_width;
    p.left = std::clamp(l.x - p.width / 2, min_x, std::max(min_x, max_x - p.width));
    p.label = std::move(l);
    for (p.row = 0;; ++p.row) {
      PlacedLabel padded = p;
      padded.left -= gap / 2;
      padded.width += gap;
      const bool clear = std::none_of(placed.begin(), placed.end(), [&](const PlacedLabel& q) {
        PlacedLabel other = q;
        other.left -= gap / 2;
        other.width += gap;
        return overlap(padded, other);
      });
      if (clear) break;
    }
    placed.push_back(std::move(p));
  }
  return placed;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace treadctl::chart
