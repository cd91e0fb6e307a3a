#include "tools/treadctl/report.hpp"

#include <algorithm>
#include <cstdio>

namespace treadctl {
namespace {

using nlohmann::json;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string str(const json& j, const char* key, const char* none = "-") {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : none;
}

std::string num(const json& j, const char* key, const char* format = "%.1f") {
  return j.contains(key) && j[key].is_number() ? fmt(format, j[key].get<double>()) : "-";
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

std::string how_it_ended(const json& rec_end) {
  return rec_end.is_object() ? str(rec_end, "reason") : "cut short (the daemon stopped mid-session)";
}

}  // namespace

std::string render_history(const json& sessions) {
  std::string out = "SESSION                 PATIENT          PROFILE            PROGRAM             WHO        DURATION  ENDED\n";
  for (const auto& s : sessions) {
    char line[512];
    const json& start = s["start"];
    const json& end = s["end"];
    std::snprintf(line, sizeof line, "%-23s %-16s %-18s %-19s %-10s %8s  %s\n", s["id"].get<std::string>().c_str(),
                  str(start, "patient").c_str(), str(start, "profile").c_str(), str(start, "program").c_str(), str(start, "who").c_str(),
                  end.is_object() ? (num(end, "duration_s", "%.0f") + " s").c_str() : "?",
                  how_it_ended(end).c_str());
    out += line;
  }
  if (sessions.empty()) out += "(no sessions)\n";
  return out;
}

std::string render_summary(const json& r) {
  const json& start = r["start"];
  const json& end = r["end"];
  std::string out;
  out += "session    " + str(start, "id") + "\n";
  out += "patient    " + str(start, "patient") + "\n";
  out += "profile    " + str(start, "profile") + (start["program"].is_string() ? ", program " + str(start, "program") : "") + "\n";
  out += "started    " + str(start, "start") + " by " + str(start, "who") + "\n";
  out += "ended      " + (end.is_object() ? str(end, "end") + ": " : std::string()) + how_it_ended(end) + "\n";
  if (end.is_object()) {
    out += "duration   " + num(end, "duration_s", "%.0f") + " s\n";
    out += "reverse    " + num(end, "reverse_s", "%.0f") + " s, " + num(end, "reverse_m", "%.0f") + " m\n";
    out += "forward    " + num(end, "forward_s", "%.0f") + " s, " + num(end, "forward_m", "%.0f") + " m\n";
    out += "max speed  " + num(end, "max_kmh") + " km/h\n";
  }
  out += "samples    " + std::to_string(r["samples"].size()) + " (2 per second)\n";
  for (const auto& e : r["events"]) {
    out += "  " + fmt("%7.1f s  ", e.value("t", 0.0)) + str(e, "kind") + ": " + str(e, "text") + "\n";
  }
  return out;
}

std::string render_csv(const json& r) {
  std::string out = "t_s,direction,target_kmh,commanded_kmh,measured_kmh\n";
  for (const auto& s : r["samples"]) {
    out += fmt("%.2f", s.value("t", 0.0)) + "," + str(s, "direction") + "," + fmt("%.2f", s.value("target", 0.0)) + "," +
           fmt("%.2f", s.value("commanded", 0.0)) + "," + fmt("%.2f", s.value("measured", 0.0)) + "\n";
  }
  return out;
}

std::string render_svg(const json& r) {
  const double width = 960, height = 420, left = 60, right = 20, top = 40, bottom = 50;
  const double pw = width - left - right, ph = height - top - bottom;
  const json& samples = r["samples"];
  double t_max = 1, v_max = 1;
  for (const auto& s : samples) {
    t_max = std::max(t_max, s.value("t", 0.0));
    v_max = std::max({v_max, s.value("target", 0.0), s.value("commanded", 0.0), s.value("measured", 0.0)});
  }
  v_max = std::ceil(v_max + 0.5);
  auto x = [&](double t) { return left + t / t_max * pw; };
  auto y = [&](double v) { return top + ph - v / v_max * ph; };

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", width) + "\" height=\"" +
         fmt("%.0f", height) + "\" viewBox=\"0 0 " + fmt("%.0f", width) + " " + fmt("%.0f", height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<title>" + xml_escape("treadd session " + str(r["start"], "id") + ", profile " + str(r["start"], "profile")) +
         "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  // Reverse running shaded, so a reviewer sees at once which parts were backward.
  out += "<g id=\"reverse\" fill=\"#f3e3c3\">\n";
  // One band per stretch of reverse running (not one per sample: no seams between samples).
  for (std::size_t i = 0; i + 1 < samples.size();) {
    if (str(samples[i], "direction") != "reverse") {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j + 1 < samples.size() && str(samples[j], "direction") == "reverse") ++j;
    const double x0 = x(samples[i].value("t", 0.0)), x1 = x(samples[j].value("t", 0.0));
    out += "<rect x=\"" + fmt("%.1f", x0) + "\" y=\"" + fmt("%.1f", top) + "\" width=\"" + fmt("%.2f", x1 - x0) +
           "\" height=\"" + fmt("%.1f", ph) + "\"/>\n";
    i = j + 1;
  }
  out += "</g>\n<g id=\"axes\" stroke=\"#444\">\n";
  out += "<line x1=\"" + fmt("%.1f", left) + "\" y1=\"" + fmt("%.1f", top + ph) + "\" x2=\"" + fmt("%.1f", left + pw) +
         "\" y2=\"" + fmt("%.1f", top + ph) + "\"/>\n";
  out += "<line x1=\"" + fmt("%.1f", left) + "\" y1=\"" + fmt("%.1f", top) + "\" x2=\"" + fmt("%.1f", left) +
         "\" y2=\"" + fmt("%.1f", top + ph) + "\"/>\n</g>\n<g id=\"ticks\" fill=\"#222\">\n";
  for (double v = 0; v <= v_max; v += 1) {
    out += "<text x=\"" + fmt("%.1f", left - 8) + "\" y=\"" + fmt("%.1f", y(v) + 4) + "\" text-anchor=\"end\">" +
           fmt("%.0f", v) + "</text>\n";
  }
  for (int i = 0; i <= 6; ++i) {
    const double t = t_max * i / 6;
    out += "<text x=\"" + fmt("%.1f", x(t)) + "\" y=\"" + fmt("%.1f", top + ph + 18) + "\" text-anchor=\"middle\">" +
           fmt("%.0f", t) + " s</text>\n";
  }
  out += "<text x=\"14\" y=\"" + fmt("%.1f", top + ph / 2) + "\" transform=\"rotate(-90 14 " + fmt("%.1f", top + ph / 2) +
         ")\" text-anchor=\"middle\">km/h</text>\n</g>\n";
  const struct {
    const char* key;
    const char* color;
    const char* dash;
  } series[] = {{"target", "#999999", "6 4"}, {"commanded", "#1f5fbf", ""}, {"measured", "#1a8a3a", ""}};
  for (const auto& s : series) {
    out += std::string("<polyline id=\"") + s.key + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"2\"" +
           (s.dash[0] ? std::string(" stroke-dasharray=\"") + s.dash + "\"" : "") + " points=\"";
    for (const auto& p : samples) out += fmt("%.1f", x(p.value("t", 0.0))) + "," + fmt("%.1f", y(p.value(s.key, 0.0))) + " ";
    out += "\"/>\n";
  }
  out += "<g id=\"events\" stroke=\"#c0392b\" fill=\"#c0392b\">\n";
  for (const auto& e : r["events"]) {
    const double ex = x(std::min(e.value("t", 0.0), t_max));
    out += "<line x1=\"" + fmt("%.1f", ex) + "\" y1=\"" + fmt("%.1f", top) + "\" x2=\"" + fmt("%.1f", ex) + "\" y2=\"" +
           fmt("%.1f", top + ph) + "\" stroke-dasharray=\"2 3\"/>\n";
    // Labels near the right edge grow leftwards so they stay inside the chart.
    const bool right_edge = ex > left + pw * 0.85;
    out += "<text x=\"" + fmt("%.1f", right_edge ? ex - 3 : ex + 3) + "\" y=\"" + fmt("%.1f", top - 6) +
           "\" font-size=\"10\" stroke=\"none\"" + (right_edge ? " text-anchor=\"end\"" : "") + ">" +
           xml_escape(str(e, "kind")) + "</text>\n";
  }
  out += "</g>\n<g id=\"legend\" font-size=\"12\">\n";
  double lx = left + 10;
  for (const auto& s : series) {
    out += std::string("<rect x=\"") + fmt("%.1f", lx) + "\" y=\"" + fmt("%.1f", height - 18) +
           "\" width=\"14\" height=\"4\" fill=\"" + s.color + "\"/><text x=\"" + fmt("%.1f", lx + 18) + "\" y=\"" +
           fmt("%.1f", height - 12) + "\">" + s.key + "</text>\n";
    lx += 120;
  }
  out += "<rect x=\"" + fmt("%.1f", lx) + "\" y=\"" + fmt("%.1f", height - 22) +
         "\" width=\"14\" height=\"12\" fill=\"#f3e3c3\"/><text x=\"" + fmt("%.1f", lx + 18) + "\" y=\"" +
         fmt("%.1f", height - 12) + "\">reverse</text>\n</g>\n</svg>\n";
  return out;
}

}  // namespace treadctl
