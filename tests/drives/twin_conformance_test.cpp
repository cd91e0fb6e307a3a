// SPDX-License-Identifier: Apache-2.0
// Every shipped real-drive profile against the twin of its drive, written from the drive's manual
// (tools/treadsim/twins/): a drive mis-set on its panel is refused naming the setting, a commissioned
// one runs the way it is told, stops, e-stops with its fast ramp, reports and clears a trip, the key,
// a restart and its identity, and stops by itself when treadd falls silent. Then every register of
// the profile is moved by one address, one at a time: each such profile must fail — a test that
// passed with a wrong register would not be a test of the drive.
#include <gtest/gtest.h>

#include "config/drive_profile.hpp"
#include "config/diagnostics.hpp"
#include "hal/modbus_drive.hpp"

#include <atomic>
#include <map>
#include <thread>
#include "tests/drives/conformance.hpp"

namespace treadd::testing {
namespace {

const std::string drives_dir = std::string(TREADD_SOURCE_DIR) + "/config/drives";

DriveProfile shipped(const std::string& model) {
  auto p = load_drive_profile(drives_dir + "/" + model + ".yaml");
  if (!p.ok()) throw std::runtime_error(join(p.errors));
  return *p.value;
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += "\n  " + p;
  return out;
}

std::string test_name(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

class TwinConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(TwinConformance, the_shipped_profile_conforms_to_its_drive) {
  TwinRig rig(GetParam());
  const auto problems = conformance(shipped(GetParam()), rig);
  EXPECT_TRUE(problems.empty()) << GetParam() << ":" << joined(problems);
}

// A drive as it leaves the factory, wired but not set up: refused, naming what to set on its panel
// — or, where the profile cannot read the setting (V20's P0700, keypad only), it does not move.
TEST_P(TwinConformance, a_factory_default_drive_is_refused_naming_what_to_set_on_its_panel) {
  static const std::map<std::string, std::vector<std::string>> named = {
      {"delta-ms300", {"Pr.00-20 reads 0, must be 1", "Pr.00-21 reads 0, must be 2"}},
      {"optidrive-e3", {"P-24 reads 0", "P-12 reads 0, must be 3"}},
      {"abb-acs580", {"58.16 reads 30", "58.26 reads 0, must be 5", "58.28 reads 0", "99.04 reads 0, must be 1"}},
  };
  TwinRig rig(GetParam(), /*commissioned=*/false);
  const DriveProfile profile = shipped(GetParam());
  DriveSettings link;
  link.transport = Transport::tcp;
  link.port = rig.port();
  link.response_timeout = Millis(200);
  ModbusDrive drive(link, profile, 0.2);
  const auto it = named.find(GetParam());
  if (it == named.end()) {
    // Siemens V20 at factory takes commands from its panel (P0700 = 1): connected, the belt stays still.
    ASSERT_NO_THROW(drive.connect());
    drive.command(DriveCommand{Motion::run, Direction::reverse, 2.0});
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    EXPECT_LT(rig.with([](twin::DriveTwin& t) { return t.motor_hz(); }), 0.05);
    drive.disconnect();
    return;
  }
  try {
    drive.connect();
    ADD_FAILURE() << "a factory-default " << GetParam() << " was accepted";
  } catch (const DriveError& e) {
    for (const auto& fix : it->second) EXPECT_NE(std::string(e.what()).find(fix), std::string::npos) << fix << "\n" << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRealDrive, TwinConformance,
                         ::testing::Values("delta-ms300", "siemens-v20", "optidrive-e3", "abb-acs580"),
                         [](const auto& param_info) { return test_name(param_info.param); });

struct Shift {
  std::string model;
  std::size_t field = 0;
  int by = 1;
  std::string what;
};

std::vector<Shift> every_shift() {
  std::vector<Shift> out;
  for (const char* model : {"delta-ms300", "siemens-v20", "optidrive-e3", "abb-acs580"}) {
    const auto fields = register_fields(shipped(model));
    for (std::size_t i = 0; i < fields.size(); ++i) {
      for (int by : {+1, -1}) out.push_back({model, i, by, fields[i].what});
    }
  }
  return out;
}

// Each shift against a fresh twin of its own. The checks wait on the drive's timings (ramps,
// trips, the comms watchdog) and use almost no CPU (104 shifts: 220 s one after another, 1.5 s of
// CPU), so the shifts run side by side; each keeps its own rig, port and link.
TEST(ShiftedRegister, every_register_of_every_real_profile_moved_by_one_address_fails_against_the_drive) {
  const std::vector<Shift> shifts = every_shift();
  ASSERT_GE(shifts.size(), 100u) << "the four real profiles name fewer registers than they did";
  std::vector<std::string> unnoticed(shifts.size());  // per shift: empty when the suite failed it
  std::atomic<std::size_t> next{0};
  auto check_shifts = [&] {
    for (std::size_t i = next++; i < shifts.size(); i = next++) {
      const Shift& s = shifts[i];
      const std::string name = s.model + " " + s.what + (s.by > 0 ? " +1" : " -1");
      try {
        DriveProfile moved = shipped(s.model);
        std::uint16_t& address = register_fields(moved)[s.field].where(moved);
        address = static_cast<std::uint16_t>(address + s.by);
        TwinRig rig(s.model);
        if (conformance(moved, rig, {.stop_at_first_problem = true}).empty()) unnoticed[i] = name + " went unnoticed";
      } catch (const std::exception& e) {
        unnoticed[i] = name + ": the check itself failed: " + e.what();
      }
    }
  };
  std::vector<std::thread> checkers;
  for (int t = 0; t < 16; ++t) checkers.emplace_back(check_shifts);
  for (auto& c : checkers) c.join();
  for (const auto& u : unnoticed) EXPECT_TRUE(u.empty()) << u;
}

}  // namespace
}  // namespace treadd::testing
