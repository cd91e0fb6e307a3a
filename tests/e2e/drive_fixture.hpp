// SPDX-License-Identifier: Apache-2.0
// treadd and treadsim serving one shipped drive profile over loopback TCP, with the drive's
// settings as a technician finds them (treadsim --set pins a parameter, --watchdog-ms is a
// keypad-set comms-loss stop), and `treadd --commission` answered from a pipe.
#pragma once

#include "config/drive_profile.hpp"
#include "tests/e2e/modbus_fixture.hpp"

namespace treadd::e2e {

class DriveFixture : public ModbusFixture {
 protected:
  // Machine on `profile` over TCP, no commissioning waiver unless `waive`; treadsim with `sim_args` besides.
  void use_profile(const std::string& profile, std::vector<std::string> sim_args = {}, bool waive = false) {
    waive_commissioning_ = waive;
    sim_profile_ = profile;
    rewrite_machine("  transport: tcp\n  host: 127.0.0.1\n  port: " + std::to_string(port_) + "\n");
    std::string m = read_file(dir_ + "/etc/machine.yaml");
    m.replace(m.find("profile: generic"), std::string("profile: generic").size(), "profile: " + profile);
    std::ofstream(dir_ + "/etc/machine.yaml") << m;
    sim_args.insert(sim_args.begin(), {"--tcp", "127.0.0.1:" + std::to_string(port_)});
    start_sim(sim_args);
  }

  // Machine on the shipped profile of `model`, served by the twin of that drive (treadsim --twin).
  void use_twin(const std::string& model, std::vector<std::string> sim_args = {}, bool waive = false) {
    twin_ = model;
    use_profile(model, std::move(sim_args), waive);
  }

  // Every question answered with `answer` ("yes" or "no").
  RunResult commission(const std::string& answer = "yes") {
    return run({"/bin/sh", "-c",
                "yes " + answer + " | " + std::string(TREADD_BINARY) + " --commission --answers-from-stdin --technician \"Test Technician\" --config-dir " + dir_ +
                    "/etc --state-dir " + dir_ + "/state --socket " + socket_},
               60s);
  }

  nlohmann::json latest_report() {
    return nlohmann::json::parse(read_file(dir_ + "/state/commissioning/latest.json"));
  }

  static nlohmann::json check_named(const nlohmann::json& report, const std::string& name) {
    for (const auto& c : report["checks"]) {
      if (c["name"] == name) return c;
    }
    return nullptr;
  }

  // The daemon's refusal to run at all: exit code and stderr.
  RunResult run_daemon_once() {
    return run({TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket", socket_, "--state-dir", dir_ + "/state"}, 15s);
  }
};

// What treadsim needs to be the drive a profile expects, set up as the README says: the keypad-set
// comms-loss stop for profiles without a comms_timeout register (E3 P-36, V20 P2014), and the
// emergency ramp as the normal decel where the stop word is the e-stop word (Delta: Pr.01-13).
inline std::vector<std::string> panel_watchdog_for(const std::string& profile) {
  if (profile == "optidrive-e3") return {"--watchdog-ms", "300"};
  if (profile == "siemens-v20") return {"--watchdog-ms", "500"};
  if (profile == "delta-ms300") return {"--decel", "40"};
  return {};
}

}  // namespace treadd::e2e
