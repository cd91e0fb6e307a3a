// SPDX-License-Identifier: Apache-2.0
// Commissioning end to end, for every shipped drive profile: treadsim serves the profile as a
// correctly set-up drive, `treadd --commission` passes, and the daemon then runs sessions; without
// a passed commissioning it refuses them, saying why.
#include "tests/e2e/drive_fixture.hpp"

namespace treadd::e2e {
namespace {

class Commissioning : public DriveFixture, public ::testing::WithParamInterface<std::string> {};

TEST_P(Commissioning, passes_on_a_correctly_set_drive_and_then_sessions_may_start) {
  use_profile(GetParam(), panel_watchdog_for(GetParam()));
  const RunResult r = commission();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto report = latest_report();
  EXPECT_EQ(report["result"], "passed");
  EXPECT_EQ(report["profile"], GetParam());
  for (const char* belt : {"forward run", "normal stop", "reverse run", "emergency stop", "drive-side backstop"}) {
    const auto c = check_named(report, belt);
    ASSERT_FALSE(c.is_null()) << belt << " missing from " << report.dump(2);
    EXPECT_TRUE(c["pass"].get<bool>()) << c.dump();
  }
  // The real emergency-stop time, measured from feedback, is in the report.
  EXPECT_GT(check_named(report, "emergency stop")["seconds"].get<double>(), 0.0);
  // Every parameter the profile checks and every panel question is in the report too.
  const auto profile = load_drive_profile(std::string(TREADD_SOURCE_DIR) + "/config/drives/" + GetParam() + ".yaml");
  ASSERT_TRUE(profile.ok());
  for (const auto& p : profile.value->parameters) EXPECT_FALSE(check_named(report, p.parameter).is_null()) << p.parameter;
  for (const auto& q : profile.value->panel_questions) EXPECT_FALSE(check_named(report, q.parameter).is_null()) << q.parameter;
  EXPECT_NE(read_file(dir_ + "/state/commissioning/latest.txt").find("result:  PASSED"), std::string::npos);

  start_daemon();
  const auto st = status();
  EXPECT_EQ(st["commissioning"]["state"], "passed") << st.dump();
  ASSERT_TRUE(at_standstill());
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  EXPECT_EQ(ctl({"stop"}).exit_code, 0);
}

// The real drives' profiles are commissioned against their twins, written from the manuals
// (twin_e2e_test.cpp); here treadsim's own map, whose drive is treadsim.
INSTANTIATE_TEST_SUITE_P(EveryShippedProfile, Commissioning, ::testing::Values("generic"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

class CommissioningRefusals : public DriveFixture {};

TEST_F(CommissioningRefusals, without_a_commissioning_report_start_is_refused_and_status_says_why) {
  use_profile("siemens-v20");
  start_daemon();
  const auto st = status();
  EXPECT_EQ(st["commissioning"]["state"], "missing") << st.dump();
  ASSERT_TRUE(at_standstill());
  const RunResult r = ctl({"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("never been commissioned"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("treadd --commission"), std::string::npos) << r.out << r.err;
}

TEST_F(CommissioningRefusals, a_waiver_in_machine_yaml_is_stated_in_status) {
  waive_commissioning_ = true;
  use_tcp();
  start_daemon();
  const auto st = status();
  EXPECT_EQ(st["commissioning"]["state"], "waived") << st.dump();
  EXPECT_NE(st["commissioning"]["detail"].get<std::string>().find("test rig on treadsim"), std::string::npos);
  ASSERT_TRUE(at_standstill());
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
}

TEST_F(CommissioningRefusals, a_wrong_setpoint_scale_fails_by_name_and_the_belt_never_moves) {
  use_profile("siemens-v20", {"--set", "P2000=6000"});
  const RunResult r = commission();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const auto report = latest_report();
  EXPECT_EQ(report["result"], "failed");
  const auto p2000 = check_named(report, "P2000");
  EXPECT_FALSE(p2000["pass"].get<bool>());
  EXPECT_NE(p2000["detail"].get<std::string>().find("reads 6000, must be 5000 ("), std::string::npos) << p2000.dump();
  EXPECT_NE(p2000["detail"].get<std::string>().find("): set P2000 to 50.00 Hz"), std::string::npos) << p2000.dump();
  EXPECT_TRUE(check_named(report, "forward run").is_null()) << "no belt test on a drive that failed its parameters";
  EXPECT_NE(r.out.find("not run"), std::string::npos);
}

TEST_F(CommissioningRefusals, a_panel_setting_not_confirmed_fails_and_start_stays_refused) {
  use_profile("delta-ms300");
  const RunResult r = commission("no");
  EXPECT_EQ(r.exit_code, 1);
  const auto report = latest_report();
  EXPECT_FALSE(check_named(report, "wiring")["pass"].get<bool>());
  start_daemon();
  EXPECT_EQ(status()["commissioning"]["state"], "failed");
  ASSERT_TRUE(at_standstill());
  const RunResult s = ctl({"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_NE((s.out + s.err).find("failed its commissioning"), std::string::npos) << s.out << s.err;
  EXPECT_NE((s.out + s.err).find("wiring"), std::string::npos) << s.out << s.err;
}

TEST_F(CommissioningRefusals, a_report_for_another_connection_is_stale) {
  use_profile("generic");
  ASSERT_EQ(commission().exit_code, 0);
  std::string m = read_file(dir_ + "/etc/machine.yaml");
  m.replace(m.find("unit_id: 1"), std::string("unit_id: 1").size(), "unit_id: 2");
  std::ofstream(dir_ + "/etc/machine.yaml") << m;
  // treadsim answers any unit id on TCP, so the daemon connects: only the report no longer fits.
  start_daemon();
  EXPECT_EQ(status()["commissioning"]["state"], "stale") << status().dump();
}

TEST_F(CommissioningRefusals, commissioning_refuses_to_run_beside_a_running_daemon) {
  waive_commissioning_ = true;
  use_tcp();
  start_daemon();
  const RunResult r = commission();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("already"), std::string::npos) << r.out << r.err;
}

TEST_F(CommissioningRefusals, check_config_loads_the_profile_machine_yaml_names) {
  use_profile("siemens-v20");
  std::string m = read_file(dir_ + "/etc/machine.yaml");
  m.replace(m.find("profile: siemens-v20"), std::string("profile: siemens-v20").size(), "profile: siemens-v2O");
  std::ofstream(dir_ + "/etc/machine.yaml") << m;
  const RunResult r = run({TREADCTL_BINARY, "check-config", dir_ + "/etc/machine.yaml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("drive profile 'siemens-v2O' not found in " + dir_ + "/etc/drives"), std::string::npos) << r.err;
  const RunResult d = run({TREADD_BINARY, "--check-config", "--config-dir", dir_ + "/etc"});
  EXPECT_EQ(d.exit_code, 2) << d.err;
}

// A drive that flags a fault with a status bit: the fault names the drive's own code (ABB 04.01).
TEST_F(CommissioningRefusals, an_abb_fault_names_the_drives_own_fault_code_not_the_status_bit) {
  use_profile("abb-acs580", {}, /*waive=*/true);
  start_daemon();
  sim_->write_stdin("fault 7\n");  // 7 is not bit 3 (8) of the status word
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "faulted"; }, 5s)) << status().dump();
  const auto st = status();
  EXPECT_EQ(st["fault"]["cause"], "drive_fault");
  EXPECT_EQ(st["drive"]["fault_code"], 7) << st.dump();
}

}  // namespace
}  // namespace treadd::e2e

namespace treadd::e2e {
namespace {

// Fail closed: a run that fails on a full disk (its report cannot be written) must not leave the
// earlier pass in force. The report's temporary file points at /dev/full: every write of it fails.
TEST_F(CommissioningRefusals, a_failed_run_whose_report_cannot_be_written_withdraws_the_earlier_pass) {
  use_profile("generic");
  ASSERT_EQ(commission().exit_code, 0);
  std::filesystem::create_symlink("/dev/full", dir_ + "/state/commissioning/latest.json.tmp");
  const RunResult r = commission("no");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("the commissioning counts as failed"), std::string::npos) << r.err;
  start_daemon();
  const auto st = status();
  EXPECT_NE(st["commissioning"]["state"], "passed") << st.dump();
  ASSERT_TRUE(at_standstill());
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1);
}

}  // namespace
}  // namespace treadd::e2e
