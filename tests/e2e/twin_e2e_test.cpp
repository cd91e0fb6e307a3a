// SPDX-License-Identifier: Apache-2.0
// The real processes against drive twins written from the manuals (treadsim --twin): commissioning
// fails on a factory-default drive naming what to set and passes on a commissioned one; the daemon
// then runs, stops and e-stops the belt; a belt turning the wrong way, a setting changed at the
// panel mid-session and a swapped drive are each caught and named; commissioning obeys the e-stop.
#include <signal.h>

#include "tests/e2e/drive_fixture.hpp"

namespace treadd::e2e {
namespace {

std::string name_of(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}

class TwinE2E : public DriveFixture, public ::testing::WithParamInterface<std::string> {};

TEST_P(TwinE2E, a_factory_default_drive_fails_commissioning_naming_what_to_set) {
  use_twin(GetParam());
  const RunResult r = commission();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  static const std::map<std::string, std::string> first_fix = {{"delta-ms300", "set Pr.00-20 to 1 on the panel"},
                                                               {"siemens-v20", "P0700/P1000"},
                                                               {"optidrive-e3", "set P-12 to 3 on the panel"},
                                                               {"abb-acs580", "set 58.26 EFB ref1 type to Frequency"}};
  EXPECT_NE(r.out.find(first_fix.at(GetParam())), std::string::npos) << r.out;
  EXPECT_EQ(latest_report()["result"], "failed");
}

TEST_P(TwinE2E, a_commissioned_drive_passes_then_runs_stops_and_estops_a_session) {
  use_twin(GetParam(), {"--commissioned"});
  const RunResult r = commission();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto report = latest_report();
  EXPECT_EQ(report["technician"], "Test Technician");
  EXPECT_FALSE(report["treadd_version"].get<std::string>().empty());
  EXPECT_FALSE(check_named(report, "emergency stop from the reverse ceiling").is_null()) << report.dump(2);
  start_daemon();
  ASSERT_TRUE(wait_until([](const auto& s) { return s["drive"]["link_up"].template get<bool>(); }, 5s)) << status().dump();
  auto st = status();
  EXPECT_EQ(st["commissioning"]["state"], "passed") << st.dump();
  EXPECT_EQ(st["drive"]["direction"], GetParam() == "optidrive-e3" ? "unverified" : "verified") << st.dump();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  ASSERT_EQ(ctl({"speed", "2.5"}).exit_code, 0);
  EXPECT_TRUE(wait_until([](const auto& s) { return s["measured_kmh"].is_number() && s["measured_kmh"].template get<double>() > 2.3; }, 15s))
      << status().dump();
  EXPECT_EQ(ctl({"estop"}).exit_code, 0);
  EXPECT_TRUE(wait_until([](const auto& s) { return s["state"] == "estopped" && s["at_standstill"].template get<bool>(); }, 5s))
      << status().dump();
}

INSTANTIATE_TEST_SUITE_P(EveryRealDrive, TwinE2E,
                         ::testing::Values("delta-ms300", "siemens-v20", "optidrive-e3", "abb-acs580"),
                         [](const auto& param_info) { return name_of(param_info.param); });

class TwinHazards : public DriveFixture {};

TEST_F(TwinHazards, a_belt_turning_the_wrong_way_latches_before_it_reaches_1_kmh) {
  use_twin("delta-ms300", {"--commissioned"}, /*waive=*/true);  // commissioning is tested above
  start_daemon();
  ASSERT_TRUE(at_standstill());
  sim_->write_stdin("wrong-turn on\n");  // the drive turns the motor forward whatever it is told
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  double peak = 0;
  nlohmann::json st;
  for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
    st = status();
    if (st["measured_kmh"].is_number()) peak = std::max(peak, st["measured_kmh"].get<double>());
    if (st["state"] == "faulted") break;
  }
  ASSERT_EQ(st["state"], "faulted") << st.dump();
  EXPECT_EQ(st["fault"]["cause"], "wrong_direction") << st.dump();
  EXPECT_NE(st["fault"]["detail"].get<std::string>().find("turns forward while reverse is commanded"), std::string::npos);
  EXPECT_LT(peak, 1.0) << "the belt turned the wrong way up to " << peak << " km/h";
}

TEST_F(TwinHazards, a_comms_loss_time_set_to_0_at_the_panel_mid_session_latches_naming_it) {
  use_twin("abb-acs580", {"--commissioned"}, /*waive=*/true);
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  std::this_thread::sleep_for(1s);
  sim_->write_stdin("panel 58.16 0\n");
  ASSERT_TRUE(wait_until([](const auto& s) { return s["state"] == "faulted"; }, 5s)) << status().dump();
  const auto st = status();
  EXPECT_EQ(st["fault"]["cause"], "drive_setting_changed") << st.dump();
  EXPECT_NE(st["fault"]["detail"].get<std::string>().find("58.16"), std::string::npos) << st.dump();
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1) << "no new session on that drive";
}

TEST_F(TwinHazards, a_drive_swapped_for_another_of_its_model_makes_the_commissioning_stale) {
  use_twin("optidrive-e3", {"--commissioned", "--serial", "12345678"});
  ASSERT_EQ(commission().exit_code, 0);
  sim_.reset();
  start_sim({"--tcp", "127.0.0.1:" + std::to_string(port_), "--commissioned", "--serial", "87654321"});
  start_daemon();
  ASSERT_TRUE(wait_until([](const auto& s) { return s["commissioning"]["state"] == "stale"; }, 5s)) << status().dump();
  EXPECT_NE(status()["commissioning"]["detail"].get<std::string>().find("not the drive commissioned"), std::string::npos);
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1);
}

// Commissioning runs the belt: anyone's e-stop stops it (the e-stop socket is open), and so does
// Ctrl-C; either way the run counts as failed, never as an earlier pass.
TEST_F(TwinHazards, commissioning_obeys_the_estop_socket_and_ctrl_c) {
  use_twin("delta-ms300", {"--commissioned"});
  ASSERT_EQ(commission().exit_code, 0);  // a pass on record, which a stopped run must not leave in force
  for (const bool by_signal : {false, true}) {
    SCOPED_TRACE(by_signal ? "Ctrl-C" : "treadctl estop");
    const std::string log = dir_ + (by_signal ? "/commission-sigint.log" : "/commission-estop.log");
    Background commissioning({"/bin/sh", "-c",
                    "yes yes | exec " + std::string(TREADD_BINARY) +
                        " --commission --answers-from-stdin --technician T --config-dir " + dir_ + "/etc --state-dir " +
                        dir_ + "/state --socket " + socket_},
                   log);
    ASSERT_TRUE(wait_for_text(log, "reverse run:", 20s)) << read_file(log);
    std::this_thread::sleep_for(300ms);
    if (by_signal) {
      run({"/usr/bin/pkill", "-INT", "-f", "technician T --config-dir " + dir_});
      commissioning.stop(0, 15s);
    } else {
      const RunResult e = ctl({"estop"});
      EXPECT_EQ(e.exit_code, 0) << e.out << e.err;
      commissioning.stop(0, 30s);
    }
    bool still = false;
    for (int i = 0; i < 25 && !still; ++i) {
      std::ofstream(dir_ + "/treadsim.log", std::ios::trunc).close();
      sim_->write_stdin("status\n");
      still = wait_for_text(dir_ + "/treadsim.log", "motor 0.00 Hz", 200ms);
    }
    EXPECT_TRUE(still) << read_file(dir_ + "/treadsim.log");
    if (!by_signal) {
      EXPECT_NE(read_file(log).find("stopped by the technician"), std::string::npos) << read_file(log);
    }
    EXPECT_EQ(latest_report()["result"], "failed") << latest_report().dump(2);
  }
}

}  // namespace
}  // namespace treadd::e2e
