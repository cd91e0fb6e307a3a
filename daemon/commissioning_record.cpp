#include "daemon/commissioning_record.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>


namespace treadd {

using nlohmann::json;
namespace fs = std::filesystem;

bool commissioning_passed(const CommissioningRecord& r) {
  bool backstop = false;
  for (const auto& c : r.checks) {
    if (!c.pass) return false;
    backstop = backstop || (c.name == "drive-side backstop" && c.kind == "belt");
  }
  return backstop;
}

json to_json(const CommissioningRecord& r) {
  json checks = json::array();
  for (const auto& c : r.checks) {
    json jc = {{"name", c.name}, {"kind", c.kind}, {"pass", c.pass}, {"detail", c.detail}};
    if (c.seconds) jc["seconds"] = *c.seconds;
    if (c.commanded_kmh) jc["commanded_kmh"] = *c.commanded_kmh;
    if (c.measured_kmh) jc["measured_kmh"] = *c.measured_kmh;
    checks.push_back(jc);
  }
  return {{"v", 1},           {"date", r.date},         {"profile", r.profile}, {"fingerprint", r.fingerprint},
          {"drive", r.drive}, {"result", r.passed ? "passed" : "failed"}, {"checks", checks}};
}

std::optional<CommissioningRecord> record_from_json(const json& j) {
  try {
    CommissioningRecord r;
    r.date = j.at("date").get<std::string>();
    r.profile = j.at("profile").get<std::string>();
    r.fingerprint = j.at("fingerprint").get<std::string>();
    r.drive = j.at("drive").get<std::string>();
    for (const auto& c : j.at("checks")) {
      r.checks.push_back(CommissioningCheck{c.at("name").get<std::string>(), c.at("kind").get<std::string>(),
                                            c.at("pass").get<bool>(), c.at("detail").get<std::string>(), {}, {}, {}});
    }
    r.passed = j.at("result").get<std::string>() == "passed" && commissioning_passed(r);
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string to_text(const CommissioningRecord& r) {
  std::ostringstream out;
  out << "treadd commissioning report\n"
      << "date:    " << r.date << "\n"
      << "drive:   " << r.drive << "\n"
      << "result:  " << (r.passed ? "PASSED" : "FAILED") << "\n\n";
  std::string kind;
  for (const auto& c : r.checks) {
    if (c.kind != kind) {
      kind = c.kind;
      out << (kind == "parameter" ? "Drive parameters (read from the drive)"
              : kind == "question" ? "Set on the panel or wired (confirmed by the technician)"
                                   : "Belt tests (belt unloaded)")
          << "\n";
    }
    out << "  [" << (c.pass ? "pass" : "FAIL") << "] " << c.name << ": " << c.detail << "\n";
  }
  return out.str();
}

std::string commissioning_fingerprint(const DriveProfile& p, const DriveSettings& d) {
  std::ostringstream s;
  s << p.name << '|' << p.command_register << ',' << p.run_forward << ',' << p.run_reverse << ',' << p.stop << ','
    << p.fast_stop << '|' << p.setpoint.address << ',' << p.setpoint.scale << ',' << p.setpoint.is_signed << '|'
    << p.output_hz.address << ',' << p.output_hz.scale << ',' << p.output_hz.is_signed << '|' << p.direction_by_sign
    << '|' << p.combined_write << '|' << p.backstop_within.count();
  for (const auto& c : p.parameters) {
    s << '|' << c.parameter << ',' << c.address << ',' << c.write.value_or(-1) << ',' << c.mask << ','
      << c.equals.value_or(-1) << ',' << c.min.value_or(-1) << ',' << c.max.value_or(-1);
  }
  for (const auto& q : p.panel_questions) s << '|' << q.parameter << ',' << q.ask;
  s << '|' << to_string(d.transport) << ',' << d.host << ',' << d.port << ',' << d.device << ',' << d.baud << ',' << d.parity
    << ',' << d.unit_id;
  // FNV-1a, 64 bits: stable across builds and machines, unlike std::hash.
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s.str()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string commissioning_dir(const std::string& state_dir) { return state_dir + "/commissioning"; }

namespace {

void write_whole(const fs::path& path, const std::string& text) {
  // Written beside, flushed, then renamed: a power cut leaves the old report or the new one.
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
}

}  // namespace

std::string write_commissioning_record(const std::string& state_dir, const CommissioningRecord& r) {
  const fs::path dir = commissioning_dir(state_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  std::string stamp = r.date;
  for (char& c : stamp) {
    if (c == ':') c = '-';
  }
  const std::string json_text = to_json(r).dump(2) + "\n", text = to_text(r);
  write_whole(dir / (stamp + ".json"), json_text);
  write_whole(dir / (stamp + ".txt"), text);
  write_whole(dir / "latest.json", json_text);
  write_whole(dir / "latest.txt", text);
  return (dir / "latest.txt").string();
}

json CommissioningStatus::to_json() const {
  return {{"state", state}, {"detail", detail}, {"date", date.empty() ? json(nullptr) : json(date)}};
}

CommissioningStatus commissioning_status(const FullConfig& config, const std::string& state_dir) {
  const DriveSettings& d = config.machine.drive;
  if (!needs_profile(d.transport) || !config.drive_profile) {
    return {"not_needed", "the built-in simulated drive needs no commissioning", ""};
  }
  const std::string run_it = "; run 'treadd --commission' with the belt unloaded (see the README's technician section)";
  const fs::path latest = fs::path(commissioning_dir(state_dir)) / "latest.json";
  std::optional<CommissioningRecord> rec;
  {
    std::ifstream in(latest);
    if (in) {
      try {
        rec = record_from_json(json::parse(in));
      } catch (const json::exception&) {
      }
    }
  }
  auto waived_or = [&](CommissioningStatus s) {
    if (d.commissioning_waiver.empty()) return s;
    return CommissioningStatus{"waived", "commissioning waived in machine.yaml: " + d.commissioning_waiver + " (" +
                                             s.detail + ")", s.date};
  };
  if (!rec) {
    const bool exists = fs::exists(latest);
    return waived_or({"missing", std::string(exists ? "the commissioning report " + latest.string() + " cannot be read"
                                                    : "the drive has never been commissioned") + run_it, ""});
  }
  if (rec->fingerprint != commissioning_fingerprint(*config.drive_profile, d)) {
    return waived_or({"stale", "the drive profile or connection changed since the commissioning of " + rec->date + run_it,
                      rec->date});
  }
  if (!rec->passed) {
    std::string failed;
    for (const auto& c : rec->checks) {
      if (!c.pass) failed += (failed.empty() ? "" : ", ") + c.name;
    }
    return waived_or({"failed", "the drive failed its commissioning of " + rec->date + " (" + failed + ")" + run_it,
                      rec->date});
  }
  return {"passed", "the drive passed its commissioning of " + rec->date, rec->date};
}

}  // namespace treadd
