// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/fields.hpp"
#include "tools/treadctl/report_html.hpp"
#include "tools/treadctl/report.hpp"
#include "tools/treadctl/local_time.hpp"
#include "tools/treadctl/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "tools/treadctl/chart.hpp"

namespace treadctl {
namespace {

using nlohmann::json;
using chart::min_sec;
using chart::short_number;
using chart::xml_escape;

std::string f1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
std::optional<int> optional_int(const json& j, const char* key) {
  const json& v = field(j, key);
  return v.is_number_integer() ? std::optional<int>(v.get<int>()) : std::nullopt;
}

double num(const json& j, const char* key, double fallback = 0) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}
std::string text(const json& j, const char* key, const std::string& fallback = "-") {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

// Event kinds as a clinician says them.
std::string event_words(const std::string& kind) {
  static const std::map<std::string, std::string> words = {
      {"session_started", "start"}, {"session_ended", "end"},  {"estop", "E-STOP"},
      {"fault", "FAULT"},           {"warning", "warning"},     {"direction_changed", "direction change"},
      {"reset", "reset"},           {"lock", "lock"},           {"unlock", "unlock"}};
  auto it = words.find(kind);
  return it == words.end() ? kind : it->second;
}
bool serious(const std::string& kind) { return kind == "estop" || kind == "fault"; }

// Days since 1970-01-01 of a YYYY-MM-DD date (the civil calendar, H. Hinnant's algorithm).
long day_number(const std::string& date) {
  int y = 1970, m = 1, d = 1;
  if (std::sscanf(date.c_str(), "%d-%d-%d", &y, &m, &d) != 3) return 0;
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// How a session ended, in a table cell's words, by the rule that ended it: its time limit reached
// is "completed", an e-stop "e-stop"; any other ending (a fault, an operator's words) as it was
// given. Records written before the end line carried its rule are read by their words.
std::string ended_briefly(const json& end) {
  const std::string rule = text(end, "rule", "");
  const std::string reason = text(end, "reason");
  if (rule == "session_time") return "completed";
  if (rule == "emergency_stop") return "e-stop";
  if (rule.empty() && reason == "session time limit reached (completed with cool-down)") return "completed";
  if (rule.empty() && reason == "emergency stop") return "e-stop";
  return reason;
}

const char* css = R"(
  @page { size: A4; margin: 14mm; }
  body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0 auto; max-width: 182mm; font-size: 10pt; }
  h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 11.5pt; margin: 5mm 0 2mm; }
  table { border-collapse: collapse; width: 100%; } td, th { padding: 1mm 2mm; text-align: left; border-bottom: 0.2mm solid #ddd; }
  th { background: #f2f2f2; } td.n, th.n { text-align: right; white-space: nowrap; }
  table.sessions { font-size: 8pt; } table.sessions td, table.sessions th { padding: 0.8mm 1mm; }
  table.sessions td:first-child { white-space: nowrap; }
  .facts td:first-child { color: #555; width: 38%; }
  .serious { color: #b00020; font-weight: bold; }
  svg { width: 100%; height: auto; }
  .note { color: #666; font-size: 8.5pt; }
  .two { display: flex; gap: 5mm; align-items: flex-start; font-size: 9pt; } .two > * { flex: 1; min-width: 0; }
  .two h2 { margin-top: 0; } .two td, .two th { padding: 0.6mm 1.5mm; } .two td:first-child { white-space: nowrap; width: auto; }
  /* A phone (390 px): sections stack, a wide table or chart scrolls sideways inside its box
     instead of being cut off, and charts keep a width at which their text stays readable. */
  .scroll { overflow-x: auto; }
  @media screen and (max-width: 640px) {
    body { font-size: 11pt; padding: 0 2mm; }
    .two { display: block; }
    .scroll svg { width: 860px; max-width: none; }
    table.sessions { font-size: 9pt; }
  }
  /* On paper a whole session, with a program's segments, the previous session and the notes, keeps
     to one A4 page (ReportsE2E prints it in Chromium and counts the pages). */
  @media print {
    body { font-size: 9pt; } h1 { font-size: 13pt; } h2 { font-size: 10.5pt; margin: 3mm 0 1.5mm; }
    td, th { padding: 0.6mm 1.5mm; } .two { font-size: 8pt; } .two td, .two th { padding: 0.4mm 1mm; }
  }
)";

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + xml_escape(title) +
         "</title><style>" + css + "</style></head>\n<body>\n" + body + "</body></html>\n";
}

struct Svg {
  std::string out;
  void add(const std::string& s) { out += s + "\n"; }
  void line(double x1, double y1, double x2, double y2, const std::string& style) {
    add("<line x1=\"" + f1(x1) + "\" y1=\"" + f1(y1) + "\" x2=\"" + f1(x2) + "\" y2=\"" + f1(y2) + "\" " + style + "/>");
  }
  void label(double x, double y, const std::string& s, const std::string& style) {
    add("<text x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" " + style + ">" + xml_escape(s) + "</text>");
  }
  void rect(double x, double y, double w, double h, const std::string& style) {
    add("<rect x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" width=\"" + f1(std::max(w, 0.5)) + "\" height=\"" + f1(h) + "\" " +
        style + "/>");
  }
};

std::string svg_open(double w, double h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + f1(w) + " " + f1(h) + "\" width=\"" + f1(w) +
         "\" height=\"" + f1(h) + "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n<title>" +
         xml_escape(title) + "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

}  // namespace

std::string session_chart_svg(const json& r) {
  const json& start = field(r, "start");
  const json& samples = field(r, "samples");
  const double width = 960, left = 64, right = 150, bottom = 74;
  double t_max = 60, v_max = 1;
  for (const auto& s : samples) {
    t_max = std::max(t_max, num(s, "t"));
    v_max = std::max({v_max, num(s, "target"), num(s, "commanded"), num(s, "measured")});
  }
  for (const auto& e : field(r, "events")) t_max = std::max(t_max, num(e, "t"));
  const double reverse_cap = num(start, "reverse_cap_kmh"), forward_cap = num(start, "forward_cap_kmh");
  v_max = std::max({v_max, reverse_cap, forward_cap});
  const auto y_ticks = chart::nice_ticks(0, v_max * 1.05, 7);
  const auto x_ticks = chart::time_ticks(t_max, 9);
  const double y_top = y_ticks.back(), t_end = x_ticks.back();
  const double pw = width - left - right;
  auto x = [&](double t) { return left + t / t_end * pw; };

  // Event labels first: their rows decide how much room the top needs.
  std::vector<chart::Label> labels;
  for (const auto& e : field(r, "events")) {
    const std::string kind = text(e, "kind");
    labels.push_back({x(num(e, "t")), event_words(kind) + " " + min_sec(num(e, "t")), serious(kind)});
  }
  const auto placed = chart::place_labels(labels, 6.6, 6, 2, width - 2);
  int rows = 0;
  for (const auto& p : placed) rows = std::max(rows, p.row + 1);
  const double top = 24 + rows * 16.0, ph = 300, height = top + ph + bottom;
  auto y = [&](double v) { return top + ph - v / y_top * ph; };

  Svg g;
  g.out = svg_open(width, height, "Speed of session " + text(start, "id"));
  // Bands: reverse running, pauses, cool-down — one rectangle per stretch.
  auto bands = [&](const std::string& id, const std::function<bool(const json&)>& in, const std::string& style,
                   double y0, double h) {
    g.add("<g id=\"" + id + "\">");
    for (std::size_t i = 0; i < samples.size();) {
      if (!in(samples[i])) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j + 1 < samples.size() && in(samples[j + 1])) ++j;
      const double x0 = x(num(samples[i], "t")), x1 = x(j + 1 < samples.size() ? num(samples[j + 1], "t") : num(samples[j], "t"));
      g.rect(x0, y0, x1 - x0, h, style);
      i = j + 1;
    }
    g.add("</g>");
  };
  bands("reverse", [](const json& s) { return text(s, "direction") == "reverse"; }, "fill=\"#f6e7c8\"", top, ph);
  bands("paused", [](const json& s) { return text(s, "state") == "paused"; }, "fill=\"#d9d9d9\" fill-opacity=\"0.8\"",
        top, ph);
  bands("cooldown", [](const json& s) { return text(s, "state") == "cooling_down"; },
        "fill=\"#cfe3f7\" fill-opacity=\"0.9\"", top, ph);
  // Program segments: a numbered strip along the bottom of the plot, one cell per segment.
  for (std::size_t i = 0; i < samples.size();) {
    if (!samples[i].contains("segment")) {
      ++i;
      continue;
    }
    const auto segment = field(samples[i], "segment");
    std::size_t j = i;
    while (j + 1 < samples.size() && samples[j + 1].value("segment", json()) == segment) ++j;
    const double x0 = x(num(samples[i], "t")), x1 = x(j + 1 < samples.size() ? num(samples[j + 1], "t") : num(samples[j], "t"));
    g.rect(x0, top + ph - 12, x1 - x0, 12,
           std::string("fill=\"") + (segment.get<int>() % 2 ? "#e9e2f3" : "#d8cdea") + "\" stroke=\"white\" stroke-width=\"0.5\"");
    if (x1 - x0 > 16) g.label((x0 + x1) / 2, top + ph - 3, std::to_string(segment.get<int>()), "text-anchor=\"middle\" font-size=\"9\" fill=\"#4b3a6b\"");
    i = j + 1;
  }
  // Grid, ticks and axis titles.
  for (double v : y_ticks) {
    g.line(left, y(v), left + pw, y(v), "stroke=\"#e4e4e4\"");
    g.label(left - 8, y(v) + 4, short_number(v), "text-anchor=\"end\"");
  }
  for (double t : x_ticks) {
    g.line(x(t), top + ph, x(t), top + ph + 5, "stroke=\"#444\"");
    g.label(x(t), top + ph + 19, min_sec(t), "text-anchor=\"middle\"");
  }
  g.line(left, top, left, top + ph, "stroke=\"#444\"");
  g.line(left, top + ph, left + pw, top + ph, "stroke=\"#444\"");
  g.label(left + pw / 2, top + ph + 38, "time since start (min:s)", "text-anchor=\"middle\"");
  g.label(16, top + ph / 2, "speed (km/h)",
          "text-anchor=\"middle\" transform=\"rotate(-90 16 " + f1(top + ph / 2) + ")\"");
  // The profile's caps.
  if (reverse_cap > 0) {
    g.line(left, y(reverse_cap), left + pw, y(reverse_cap), "stroke=\"#a0522d\" stroke-width=\"1.5\" stroke-dasharray=\"8 4\"");
    g.label(left + pw + 6, y(reverse_cap) + 4, "reverse cap " + short_number(reverse_cap) + " km/h", "fill=\"#a0522d\" font-size=\"11\"");
  }
  if (forward_cap > 0) {
    const double dy = std::abs(forward_cap - reverse_cap) < y_top * 0.05 ? 14 : 0;
    g.line(left, y(forward_cap), left + pw, y(forward_cap), "stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"2 4\"");
    g.label(left + pw + 6, y(forward_cap) + 4 + dy, "forward cap " + short_number(forward_cap) + " km/h", "fill=\"#555\" font-size=\"11\"");
  }
  // Speeds.
  const struct {
    const char* key;
    const char* color;
    const char* style;
    const char* name;
  } series[] = {{"target", "#888888", "stroke-dasharray=\"6 4\"", "target (asked)"},
                {"commanded", "#1f5fbf", "", "commanded (to the drive)"},
                {"measured", "#1a8a3a", "", "measured (belt)"}};
  for (const auto& s : series) {
    std::string points;
    for (const auto& p : samples) points += f1(x(num(p, "t"))) + "," + f1(y(num(p, s.key))) + " ";
    g.add(std::string("<polyline id=\"") + s.key + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"2\" " +
          s.style + " points=\"" + points + "\"/>");
  }
  // Events: a line at the instant, a label in its row, a leader between them.
  g.add("<g id=\"events\">");
  for (const auto& p : placed) {
    const std::string colour = p.label.serious ? "#b00020" : "#555";
    g.line(p.label.x, top, p.label.x, top + ph, "stroke=\"" + colour + "\" stroke-dasharray=\"2 3\"");
    const double ly = top - 8 - p.row * 16.0;
    g.line(p.label.x, top, std::clamp(p.label.x, p.left, p.left + p.width), ly + 3, "stroke=\"" + colour + "\" stroke-width=\"0.6\"");
    g.label(p.left, ly, p.label.text,
            "fill=\"" + colour + "\" font-size=\"11\"" + std::string(p.label.serious ? " font-weight=\"bold\"" : ""));
  }
  g.add("</g>");
  // Legend.
  double lx = left;
  const double ly = height - 14;
  for (const auto& s : series) {
    g.line(lx, ly - 4, lx + 22, ly - 4, std::string("stroke=\"") + s.color + "\" stroke-width=\"2\" " + s.style);
    g.label(lx + 27, ly, s.name, "font-size=\"11\"");
    lx += 185;
  }
  for (const auto& [fill, name] : {std::pair<const char*, const char*>{"#f6e7c8", "reverse"}, {"#d9d9d9", "paused"},
                                   {"#cfe3f7", "cool-down"}}) {
    g.rect(lx, ly - 10, 14, 12, std::string("fill=\"") + fill + "\"");
    g.label(lx + 18, ly, name, "font-size=\"11\"");
    lx += 80;
  }
  g.add("</svg>");
  return g.out;
}

std::string session_html(const json& r) {
  const json& start = field(r, "start");
  const json& end = field(r, "end");
  const double reverse_s = num(end, "reverse_s"), reverse_m = num(end, "reverse_m");
  std::string facts;
  auto fact = [&](const std::string& k, const std::string& v) {
    facts += "<tr><td>" + xml_escape(k) + "</td><td>" + xml_escape(v) + "</td></tr>\n";
  };
  fact("Patient", text(start, "patient", "(none recorded)"));
  fact("Profile / program", text(start, "profile") + (start.value("program", json()).is_string() ? " / " + text(start, "program") : ""));
  if (const std::string p = prescription_text(start); !p.empty()) fact("Prescription", p);
  fact("Started by", text(start, "who"));
  fact("Date and time", local_time(text(start, "start")));
  if (end.is_object()) {
    fact("Duration", min_sec(num(end, "duration_s")) + " min:s");
    fact("Distance", f1(num(end, "reverse_m") + num(end, "forward_m")) + " m");
    fact("Time in reverse / forward", min_sec(reverse_s) + " / " + min_sec(num(end, "forward_s")) + " min:s");
    fact("Peak reverse speed", end.contains("max_reverse_kmh") ? f1(num(end, "max_reverse_kmh")) + " km/h" : "-");
    fact("Mean reverse speed (while moving)", reverse_s > 0 ? f1(reverse_m / reverse_s * 3.6) + " km/h" : "-");
    fact("Interruptions", std::to_string(static_cast<int>(num(end, "estops"))) + " e-stop, " +
                              std::to_string(static_cast<int>(num(end, "faults"))) + " fault, " +
                              std::to_string(static_cast<int>(num(end, "pauses"))) + " pause");
  } else if (const json& live = field(r, "live"); live.is_object()) {
    fact("Duration so far", min_sec(num(live, "duration_s")) + " min:s");
    fact("Distance so far", f1(num(live, "distance_m")) + " m");
  }
  fact("How it ended", how_it_ended(r));
  if (const PainScores pain = pain_scores(field(r, "notes")); pain.before || pain.after) {
    fact("Pain before -> after (0-10)", pain_text(pain));
  }
  std::string notes;
  for (const auto& note : field(r, "notes")) {
    if (!field(note, "text").is_string()) continue;
    notes += "<tr><td>" + xml_escape(local_time(text(note, "at"))) + "</td><td>" + xml_escape(text(note, "who")) + "</td><td>" +
             xml_escape(text(note, "text")) + "</td></tr>\n";
  }
  if (const std::string stopped = how_the_belt_stopped(end); !stopped.empty()) fact("How the belt came to rest", stopped);
  std::string events;
  for (const auto& e : field(r, "events")) {
    const std::string kind = text(e, "kind");
    events += std::string("<tr") + (serious(kind) ? " class=\"serious\"" : "") + "><td class=\"n\">" + min_sec(num(e, "t")) +
              "</td><td>" + xml_escape(event_words(kind)) + "</td><td>" + xml_escape(text(e, "text")) +
              (by_whom(e).empty() ? "" : " (" + xml_escape(by_whom(e)) + ")") + "</td></tr>\n";
  }
  std::string planned;
  for (const PlanRow& row : planned_vs_achieved(r)) {
    planned += "<tr><td>" + xml_escape(row.what) + "</td><td>" + xml_escape(row.planned) + "</td><td>" +
               xml_escape(row.achieved) + "</td></tr>\n";
  }
  std::string compared;
  for (const Comparison& c : compared_with_previous(r)) {
    compared += "<tr><td>" + xml_escape(c.what) + "</td><td>" + xml_escape(c.previous) + "</td><td>" + xml_escape(c.now) +
                "</td></tr>\n";
  }
  const std::string title = "Session report " + text(start, "patient", "") + " " + text(start, "start");
  // The facts beside what was planned and the previous session: one A4 page for a whole session.
  const std::string beside =
      (planned.empty() ? "" : "<h2>Planned and achieved</h2>\n<table class=\"facts\"><tr><th></th><th>planned</th><th>achieved (at the measured mean speed)</th></tr>\n" + planned + "</table>\n") +
      (compared.empty() ? "" : "<h2>Beside the previous session</h2>\n<table class=\"facts\"><tr><th></th><th>previous</th><th>this session</th></tr>\n" + compared + "</table>\n");
  return page(title, "<h1>Backward-walking session report</h1>\n<div class=\"two\"><div><table class=\"facts\">\n" + facts +
                         "</table></div>\n" + (beside.empty() ? "" : "<div>" + beside + "</div>") + "</div>\n" +
                         "<h2>Speed</h2>\n<div class=\"scroll\">" + session_chart_svg(r) + "</div>\n" +
                         (notes.empty() ? "" : "<h2>Notes</h2>\n<table><tr><th>when</th><th>by</th><th>note</th></tr>\n" + notes + "</table>\n") +
                         "<h2>Events</h2>\n<table><tr><th class=\"n\">time</th><th>event</th><th>detail</th></tr>\n" +
                         events + "</table>\n<p class=\"note\">Session " + xml_escape(text(start, "id")) +
                         ", recorded by treadd. Times are since the start (min:s); dates in local time (" +
                         xml_escape(local_zone_text()) + "); speeds in km/h.</p>\n");
}

json progression_rows(json records) {
  json rows = json::array();
  for (auto& r : records) {
    const json& start = field(r, "start");
    const json& end = field(r, "end");
    const json& live = field(r, "live");  // the session being recorded now: its figures so far
    const json& figures = end.is_object() ? end : live;
    const PainScores pain = pain_scores(field(r, "notes"));
    const double reverse_s = num(figures, "reverse_s"), reverse_m = num(figures, "reverse_m");
    rows.push_back({{"session", text(start, "id")},
                    {"date", local_time(text(start, "start"), "%Y-%m-%d")},  // the calendar day where it was walked
                    {"start", text(start, "start")},
                    {"profile", text(start, "profile")},
                    {"duration_min", (end.is_object() ? num(end, "duration_s") : num(live, "duration_s")) / 60},
                    {"distance_m", end.is_object() ? num(end, "reverse_m") + num(end, "forward_m") : num(live, "distance_m")},
                    {"reverse_min", reverse_s / 60},
                    {"peak_reverse_kmh", num(figures, "max_reverse_kmh")},
                    {"mean_reverse_kmh", reverse_s > 0 ? reverse_m / reverse_s * 3.6 : 0.0},
                    {"estops", num(figures, "estops")},
                    {"faults", num(figures, "faults")},
                    {"pauses", num(figures, "pauses")},
                    // What the session aimed for: the prescription's goals, else the profile's session time.
                    {"goal_min", num(field(start, "prescription"), "goal_time_s", num(start, "session_time_s")) / 60},
                    {"goal_from_prescription", num(field(start, "prescription"), "goal_time_s") > 0},
                    {"goal_distance_m", num(field(start, "prescription"), "goal_distance_m")},
                    {"pain_before", pain.before ? json(*pain.before) : json(nullptr)},
                    {"pain_after", pain.after ? json(*pain.after) : json(nullptr)},
                    {"ended", end.is_object()    ? ended_briefly(end)
                              : live.is_object() ? "running now"
                                                 : "cut short"}});
    r = nullptr;  // this session's lines are done with
  }
  std::sort(rows.begin(), rows.end(), [](const json& a, const json& b) { return field(a, "start") < field(b, "start"); });
  return rows;
}

namespace {

// One trend across sessions: a line per series, the x axis the sessions in order (dated).
std::string trend_svg(const std::string& title, const std::string& unit, const json& rows,
                      const std::vector<std::pair<std::string, std::string>>& series,  // key, colour
                      const std::vector<std::string>& names, double reference = 0, const std::string& reference_name = "") {
  const double width = 900, height = 250, left = 64, right = 24, top = 30, bottom = 52;
  const double pw = width - left - right, ph = height - top - bottom;
  double v_max = reference;
  for (const auto& row : rows) {
    for (const auto& [key, _] : series) v_max = std::max(v_max, num(row, key.c_str()));
  }
  const auto ticks = chart::nice_ticks(0, std::max(v_max * 1.05, 0.1), 6);
  const std::size_t n = rows.size();
  // By calendar date: each day from the first session's to the last one's has a slot of the axis
  // (a week without sessions is a gap), and the sessions of one day share their day's slot.
  std::vector<long> day(n, 0);
  for (std::size_t i = 0; i < n; ++i) day[i] = day_number(text(rows[i], "date", "1970-01-01"));
  const long first_day = n > 0 ? day.front() : 0, days = n > 0 ? day.back() - first_day + 1 : 1;
  std::vector<double> slot(n, 0.5);  // where in its day's slot each session sits
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && day[j] == day[i]) ++j;
    for (std::size_t k = i; k < j; ++k) slot[k] = (static_cast<double>(k - i) + 0.5) / static_cast<double>(j - i);
    i = j;
  }
  auto x_of_day = [&](double d) { return left + pw * d / static_cast<double>(days); };
  auto x = [&](std::size_t i) { return x_of_day(static_cast<double>(day[i] - first_day) + slot[i]); };
  auto y = [&](double v) { return top + ph - v / ticks.back() * ph; };
  Svg g;
  g.out = svg_open(width, height, title);
  g.label(left, 18, title + " (" + unit + ")", "font-weight=\"bold\"");
  for (double v : ticks) {
    g.line(left, y(v), left + pw, y(v), "stroke=\"#e4e4e4\"");
    g.label(left - 8, y(v) + 4, short_number(v), "text-anchor=\"end\"");
  }
  g.line(left, top + ph, left + pw, top + ph, "stroke=\"#444\"");
  // Each session day once under its slot, thinned so that they never overlap: at most as many as
  // fit the axis (placing each of 10,000 against all the others took minutes).
  std::vector<chart::Label> dates;
  const std::size_t fit = static_cast<std::size_t>(pw / (10 * 6.6 + 10));
  std::vector<std::size_t> first_of_day;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || day[i] != day[i - 1]) first_of_day.push_back(i);
  }
  const std::size_t every = first_of_day.size() > fit ? (first_of_day.size() + fit - 1) / fit : 1;
  for (std::size_t k = 0; k < first_of_day.size(); k += every) {
    const std::size_t i = first_of_day[k];
    const double centre = x_of_day(static_cast<double>(day[i] - first_day) + 0.5);
    g.line(centre, top + ph, centre, top + ph + 4, "stroke=\"#444\"");
    dates.push_back({centre - 10 * 6.6 / 2, text(rows[i], "date"), false});
  }
  for (const auto& p : chart::place_labels(dates, 6.6, 10, 0, width)) {
    if (p.row == 0) g.label(p.left, top + ph + 18, p.label.text, "font-size=\"11\"");
  }
  g.label(left + pw / 2, top + ph + 40, "session date (each day's sessions side by side)", "text-anchor=\"middle\" font-size=\"11\"");
  if (reference > 0) {
    g.line(left, y(reference), left + pw, y(reference), "stroke=\"#a0522d\" stroke-dasharray=\"8 4\"");
    g.label(left + pw - 4, y(reference) - 5, reference_name, "text-anchor=\"end\" fill=\"#a0522d\" font-size=\"11\"");
  }
  double lx = left + 260;
  for (std::size_t s = 0; s < series.size(); ++s) {
    const auto& [key, colour] = series[s];
    std::string points;
    for (std::size_t i = 0; i < n; ++i) {
      if (!field(rows[i], key.c_str()).is_number()) continue;  // not given (a pain score): no point, not a 0
      points += f1(x(i)) + "," + f1(y(num(rows[i], key.c_str()))) + " ";
      g.add("<circle cx=\"" + f1(x(i)) + "\" cy=\"" + f1(y(num(rows[i], key.c_str()))) + "\" r=\"3.5\" fill=\"" + colour + "\"/>");
    }
    g.add("<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"" + points + "\"/>");
    g.line(lx, 14, lx + 20, 14, "stroke=\"" + colour + "\" stroke-width=\"2\"");
    g.label(lx + 25, 18, names[s], "font-size=\"11\"");
    lx += 190;
  }
  g.add("</svg>");
  return g.out;
}

}  // namespace

std::string progression_html(const std::string& patient, const json& rows) {
  std::string table =
      "<table class=\"sessions\"><tr><th>date</th><th>profile</th><th class=\"n\">duration</th><th class=\"n\">distance</th>"
      "<th class=\"n\">in reverse</th><th class=\"n\">reverse peak / mean</th><th class=\"n\">e-stops</th>"
      "<th class=\"n\">faults</th><th class=\"n\">pauses</th><th class=\"n\">pain</th><th>ended</th></tr>\n";
  for (const auto& row : rows) {
    const bool stopped = num(row, "estops") > 0 || num(row, "faults") > 0;
    table += std::string("<tr") + (stopped ? " class=\"serious\"" : "") + "><td>" + xml_escape(text(row, "date")) +
             "</td><td>" + xml_escape(text(row, "profile")) + "</td><td class=\"n\">" + min_sec(num(row, "duration_min") * 60) +
             "</td><td class=\"n\">" + f1(num(row, "distance_m")) + " m</td><td class=\"n\">" +
             min_sec(num(row, "reverse_min") * 60) + "</td><td class=\"n\">" + f1(num(row, "peak_reverse_kmh")) + " / " +
             f1(num(row, "mean_reverse_kmh")) + " km/h</td><td class=\"n\">" +
             // Counted apart, as the CSV does: an e-stop is a person's act, a fault the machine's.
             std::to_string(static_cast<int>(num(row, "estops"))) + "</td><td class=\"n\">" +
             std::to_string(static_cast<int>(num(row, "faults"))) + "</td><td class=\"n\">" +
             std::to_string(static_cast<int>(num(row, "pauses"))) + "</td><td class=\"n\">" +
             xml_escape(pain_text({optional_int(row, "pain_before"), optional_int(row, "pain_after")})) + "</td><td>" +
             xml_escape(text(row, "ended")) +
             "</td></tr>\n";
  }
  table += "</table>\n";
  // The reference lines are what the latest session aimed for: its prescription's goals, else its
  // profile's session time.
  const json& latest = rows.empty() ? json() : rows.back();
  const double goal_min = num(latest, "goal_min"), goal_m = num(latest, "goal_distance_m");
  const std::string goal_name = goal_min <= 0 ? ""
                                : field(latest, "goal_from_prescription") == true
                                    ? "goal " + short_number(goal_min) + " min (prescription)"
                                    : "session_time " + short_number(goal_min) + " min (" + text(latest, "profile") + ")";
  const std::string span = rows.empty() ? "no sessions"
                                        : std::to_string(rows.size()) + " sessions, " + text(rows.front(), "date") +
                                              " to " + text(rows.back(), "date");
  return page("Progression " + patient,
              "<h1>Backward-walking progression: patient " + xml_escape(patient) + "</h1>\n<p>" + xml_escape(span) +
                  "</p>\n<h2>Sessions</h2>\n<div class=\"scroll\">" + table + "</div><h2>Trends</h2>\n<div class=\"scroll\">" +
                  trend_svg("Reverse speed", "km/h", rows, {{"peak_reverse_kmh", "#b5651d"}, {"mean_reverse_kmh", "#1f5fbf"}},
                            {"peak reverse", "mean reverse (moving)"}) +
                  trend_svg("Session duration", "min", rows, {{"duration_min", "#1a8a3a"}, {"reverse_min", "#b5651d"}},
                            {"whole session", "in reverse"}, goal_min, goal_name) +
                  trend_svg("Distance", "m", rows, {{"distance_m", "#1f5fbf"}}, {"per session"}, goal_m,
                            goal_m > 0 ? "goal " + short_number(goal_m) + " m (prescription)" : "") +
                  trend_svg("Pain reported (NRS)", "0-10", rows, {{"pain_before", "#8b1a1a"}, {"pain_after", "#1a8a3a"}},
                            {"before the session", "after the session"}, 10, "10 = worst imaginable") +
                  "</div><p class=\"note\">Rows in red had an e-stop or a fault. Recorded by treadd; dates in local time (" +
                  xml_escape(local_zone_text()) + ").</p>\n");
}

std::string progression_csv(const json& rows) {
  std::string out =
      "session,start,profile,duration_min,distance_m,reverse_min,peak_reverse_kmh,mean_reverse_kmh,estops,faults,pauses,"
      "pain_before,pain_after,ended\n";
  for (const auto& row : rows) {
    char numbers[256];
    std::snprintf(numbers, sizeof numbers, ",%.2f,%.1f,%.2f,%.2f,%.2f,%d,%d,%d,", num(row, "duration_min"),
                  num(row, "distance_m"), num(row, "reverse_min"), num(row, "peak_reverse_kmh"),
                  num(row, "mean_reverse_kmh"), static_cast<int>(num(row, "estops")),
                  static_cast<int>(num(row, "faults")), static_cast<int>(num(row, "pauses")));
    auto score = [&](const char* key) {  // empty when not given: a spreadsheet must not read it as 0
      const std::optional<int> v = optional_int(row, key);
      return v ? std::to_string(*v) : std::string();
    };
    out += csv_field(text(row, "session")) + "," + csv_field(text(row, "start")) + "," + csv_field(text(row, "profile")) +
           numbers + score("pain_before") + "," + score("pain_after") + "," + csv_field(text(row, "ended")) + "\n";
  }
  return out;
}

}  // namespace treadctl
