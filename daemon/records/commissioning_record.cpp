// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/commissioning_record.hpp"

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
    if (!c.value.empty()) jc["value"] = c.value;
    checks.push_back(jc);
  }
  return {{"v", 2},
          {"date", r.date},
          {"profile", r.profile},
          {"fingerprint", r.fingerprint},
          {"drive", r.drive},
          {"identity", r.identity},
          {"technician", r.technician},
          {"answered_by", r.answered_by},
          {"treadd_version", r.treadd_version},
          {"direction", r.direction},
          {"result", r.passed ? "passed" : "failed"},
          {"checks", checks}};
}

std::optional<CommissioningRecord> record_from_json(const json& j) {
  try {
    CommissioningRecord r;
    r.date = j.at("date").get<std::string>();
    r.profile = j.at("profile").get<std::string>();
    r.fingerprint = j.at("fingerprint").get<std::string>();
    r.drive = j.at("drive").get<std::string>();
    r.identity = j.value("identity", "");
    r.technician = j.value("technician", "");
    r.answered_by = j.value("answered_by", "");
    r.treadd_version = j.value("treadd_version", "");
    r.direction = j.value("direction", "");
    for (const auto& c : j.at("checks")) {
      r.checks.push_back(CommissioningCheck{c.at("name").get<std::string>(), c.at("kind").get<std::string>(),
                                            c.at("pass").get<bool>(), c.at("detail").get<std::string>(), {}, {}, {},
                                            c.value("value", "")});
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
      << "identity: " << (r.identity.empty() ? "(the drive exposes none)" : r.identity) << "\n"
      << "direction: " << (r.direction == "none" ? "unverified by the drive (confirmed by the technician's eyes only)"
                                                  : "reported by the drive (" + r.direction + ")") << "\n"
      << "technician: " << r.technician << " (answers from " << (r.answered_by.empty() ? "?" : r.answered_by) << ")\n"
      << "treadd:  " << r.treadd_version << "\n"
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
    out << "  [" << (c.pass ? "pass" : "FAIL") << "] " << c.name << (c.value.empty() ? "" : " = " + c.value) << ": "
        << c.detail << "\n";
  }
  return out.str();
}

std::string commissioning_fingerprint(const FullConfig& config) {
  // The whole profile file (every register, value, mask, question) and every belt-section key of
  // machine.yaml: nothing to keep in step when a key is added.
  const std::string text = (config.drive_profile ? config.drive_profile->source_text : std::string()) + '\0' +
                           config.machine.belt_sections_text;
  // FNV-1a, 64 bits: stable across builds and machines, unlike std::hash.
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
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

void withdraw_commissioning_record(const std::string& state_dir, const CommissioningRecord& starting) {
  const fs::path dir = commissioning_dir(state_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  CommissioningRecord in_progress = starting;
  in_progress.passed = false;
  in_progress.checks = {{"commissioning", "belt", false,
                         "started " + starting.date + " and not finished (interrupted, or its report could not be written)",
                         {}, {}, {}, ""}};
  try {
    write_whole(dir / "latest.json", to_json(in_progress).dump(2) + "\n");
    write_whole(dir / "latest.txt", to_text(in_progress));
    return;
  } catch (const std::runtime_error&) {
  }
  // A full disk still lets a file go: no report at all is "missing", never a stale pass.
  fs::remove(dir / "latest.json", ec);
  if (ec && fs::exists(dir / "latest.json")) {
    throw std::runtime_error("cannot replace or remove " + (dir / "latest.json").string() + ": " + ec.message());
  }
  fs::remove(dir / "latest.txt", ec);
}

std::string_view to_string(CommissioningState state) {
  switch (state) {
#define TREADD_NAME(name) \
  case CommissioningState::name: return #name;
    TREADD_COMMISSIONING_STATES(TREADD_NAME)
#undef TREADD_NAME
  }
  return "unknown";
}

json CommissioningStatus::to_json() const {
  return {{"state", to_string(state)}, {"detail", detail}, {"date", date.empty() ? json(nullptr) : json(date)}};
}

LatestCommissioning read_latest_commissioning(const std::string& state_dir) {
  LatestCommissioning latest;
  latest.path = (fs::path(commissioning_dir(state_dir)) / "latest.json").string();
  std::ifstream in(latest.path);
  latest.exists = static_cast<bool>(in);
  if (in) {
    try {
      latest.record = record_from_json(json::parse(in));
    } catch (const json::exception&) {
    }
  }
  return latest;
}

CommissioningStatus commissioning_status(const FullConfig& config, const std::string& state_dir,
                                         const std::optional<std::string>& live_identity) {
  return judge_commissioning(config, read_latest_commissioning(state_dir), live_identity);
}

CommissioningStatus judge_commissioning(const FullConfig& config, const LatestCommissioning& latest,
                                        const std::optional<std::string>& live_identity) {
  const DriveSettings& d = config.machine.drive;
  if (d.transport == Transport::unconfigured) {
    return {CommissioningState::unconfigured,
            "no drive is set up yet (machine.yaml drive.transport: unconfigured): a technician sets drive.transport to "
            "tcp or rtu with the drive's address and profile, then commissions it (treadd --commission); "
            "every session is refused until then",
            ""};
  }
  if (!needs_profile(d.transport) || !config.drive_profile) {
    return {CommissioningState::not_needed, "the built-in simulated drive needs no commissioning", ""};
  }
  const std::string run_it = "; run 'treadd --commission' with the belt unloaded (see the README's technician section)";
  const std::optional<CommissioningRecord>& rec = latest.record;
  auto waived_or = [&](CommissioningStatus s) {
    if (d.commissioning_waiver.empty()) return s;
    return CommissioningStatus{CommissioningState::waived, "commissioning waived in machine.yaml: " + d.commissioning_waiver + " (" +
                                             s.detail + ")", s.date};
  };
  if (!rec) {
    return waived_or({CommissioningState::missing, std::string(latest.exists ? "the commissioning report " + latest.path + " cannot be read"
                                                    : "the drive has never been commissioned") + run_it, ""});
  }
  if (rec->fingerprint != commissioning_fingerprint(config)) {
    return waived_or({CommissioningState::stale, "the drive profile or machine.yaml's drive, belt, ceilings or safety settings changed "
                               "since the commissioning of " + rec->date + run_it,
                      rec->date});
  }
  if (!rec->passed) {
    std::string failed;
    for (const auto& c : rec->checks) {
      if (!c.pass) failed += (failed.empty() ? "" : ", ") + c.name;
    }
    return waived_or({CommissioningState::failed, "the drive failed its commissioning of " + rec->date + " (" + failed + ")" + run_it,
                      rec->date});
  }
  if (!live_identity && !rec->identity.empty()) {
    return waived_or({CommissioningState::unchecked, "the drive's identity is checked once it answers (commissioned on " + rec->date +
                                       " as '" + rec->identity + "')",
                      rec->date});
  }
  if (live_identity && *live_identity != rec->identity) {
    return waived_or({CommissioningState::stale, "this is not the drive commissioned on " + rec->date + " (it says '" + *live_identity +
                                   "', the report says '" + rec->identity + "')" + run_it,
                      rec->date});
  }
  return {CommissioningState::passed, "passed " + rec->date + (rec->technician.empty() ? "" : " by " + rec->technician),
          rec->date};
}

}  // namespace treadd
