// SPDX-License-Identifier: Apache-2.0
// A drive without its own comms-loss stop is a belt that runs on when treadd dies. Every shipped
// profile, served by treadsim with that backstop switched off (or the setpoint scale wrong): treadd
// refuses to run the belt and names the parameter to set on the panel. A keypad-only backstop
// (Optidrive E3's P-36) cannot be read: the commissioning's silence test catches it instead.
#include "tests/e2e/drive_fixture.hpp"

namespace treadd::e2e {
namespace {

struct BadDrive {
  std::string profile;
  std::string pin;       // treadsim --set PARAMETER=RAW
  std::string expected;  // in treadd's refusal
};

void PrintTo(const BadDrive& b, std::ostream* os) { *os << b.profile << " with " << b.pin; }

class BackstopOff : public DriveFixture, public ::testing::WithParamInterface<BadDrive> {};

TEST_P(BackstopOff, treadd_refuses_to_run_and_names_the_parameter) {
  const BadDrive& bad = GetParam();
  use_profile(bad.profile, {"--set", bad.pin});
  // treadd stays up (status says why, the e-stop socket answers) and keeps refusing the drive.
  start_daemon();
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["drive"].contains("problem") &&
                                                             s["drive"]["problem"].get<std::string>().find("refusing") != std::string::npos; },
                         5s))
      << status().dump();
  const std::string problem = status()["drive"]["problem"].get<std::string>();
  EXPECT_NE(problem.find("refusing to run the belt: the drive does not hold the settings profile"), std::string::npos) << problem;
  EXPECT_NE(problem.find(bad.expected), std::string::npos) << problem;
  EXPECT_FALSE(status()["drive"]["link_up"].get<bool>());
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1);
  daemon_.reset();
  // And commissioning says the same, without moving the belt.
  const RunResult c = commission();
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.out.find(bad.expected.substr(bad.expected.find(' ') + 1)), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("forward run:"), std::string::npos) << c.out;
}

INSTANTIATE_TEST_SUITE_P(
    EveryProfileWithARegister, BackstopOff,
    ::testing::Values(BadDrive{"generic", "reg32=0", "reg32 reads 0, must be 500 (comms-loss timeout in ms)"},
                      BadDrive{"delta-ms300", "Pr.09-03=0", "Pr.09-03 reads 0, must be 5 (comms-loss timeout, 0.1 s units"},
                      BadDrive{"delta-ms300", "Pr.09-02=3", "Pr.09-02 reads 3, must be 1 (comms-loss action: warn and ramp to stop)"},
                      BadDrive{"siemens-v20", "P2000=6000", "P2000 reads 6000, must be 5000 (reference frequency"},
                      BadDrive{"abb-acs580", "58.14=5", "58.14 reads 5, must be 1 (communication loss action"},
                      BadDrive{"abb-acs580", "58.16=0", "58.16 reads 0, must be from 1 to 10 (communication loss time"},
                      BadDrive{"optidrive-e3", "P-24=0", "P-24 reads 0, must be at least 1 (decel ramp 2"},
                      BadDrive{"optidrive-e3", "P-31=3", "P-31 reads 3, must be at most 1 (start mode"}),
    [](const auto& param_info) {
      std::string n = param_info.param.profile + "_" + param_info.param.pin.substr(0, param_info.param.pin.find('='));
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

class KeypadOnly : public DriveFixture, public ::testing::WithParamInterface<std::string> {};

// E3 P-36 and V20 P2014 have no register: asked at commissioning, and the silence test proves them.
TEST_P(KeypadOnly, a_drive_without_its_comms_loss_stop_fails_commissioning_naming_it_and_sessions_are_refused) {
  use_profile(GetParam(), {"--watchdog-ms", "0"});
  const RunResult c = commission();
  EXPECT_EQ(c.exit_code, 1) << c.out;
  const auto backstop = check_named(latest_report(), "drive-side backstop");
  ASSERT_FALSE(backstop.is_null()) << c.out;
  EXPECT_FALSE(backstop["pass"].get<bool>());
  EXPECT_NE(backstop["detail"].get<std::string>().find("the belt still ran"), std::string::npos) << backstop.dump();
  EXPECT_NE(backstop["detail"].get<std::string>().find(GetParam() == "optidrive-e3" ? "set P-36 index 3" : "set P2014"),
            std::string::npos)
      << backstop.dump();
  start_daemon();
  ASSERT_TRUE(at_standstill());
  const RunResult s = ctl({"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_NE((s.out + s.err).find("drive-side backstop"), std::string::npos) << s.out << s.err;
}

class KeypadBackstop : public DriveFixture {};

INSTANTIATE_TEST_SUITE_P(E3AndV20, KeypadOnly, ::testing::Values("optidrive-e3", "siemens-v20"),
                         [](const auto& param_info) { return param_info.param == "optidrive-e3" ? std::string("optidrive_e3") : std::string("siemens_v20"); });

// A drive that restarts with factory settings mid-session forgets what treadd wrote: the
// once-a-second read-back notices on every profile that writes its backstop (tested on generic
// over RTU in daemon_adversarial_test); here, the Delta over TCP. Named as the restart it is.
TEST_F(KeypadBackstop, a_delta_that_forgets_its_comms_loss_timeout_is_rearmed_and_latched_as_a_restart) {
  use_profile("delta-ms300", {}, /*waive=*/true);
  start_daemon();
  run_at(1.0);
  sim_->write_stdin("set Pr.09-03 0\n");  // pinned: the drive now ignores the write, as a locked panel would
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "faulted"; }, 5s)) << status().dump();
  EXPECT_EQ(status()["fault"]["cause"], "drive_restarted") << status().dump();
}

}  // namespace
}  // namespace treadd::e2e
