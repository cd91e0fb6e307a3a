// SPDX-License-Identifier: Apache-2.0
// End to end: the real treadd on its simulated drive, driven by the real treadctl binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using DaemonE2E = DaemonFixture;

TEST_F(DaemonE2E, session_with_refusal_estop_latch_reset_and_stop) {
  start_daemon();
  nlohmann::json st = status();
  for (const char* key : {"state", "direction", "target_kmh", "commanded_kmh", "measured_kmh", "profile", "session_s",
                          "fault", "limits"}) {
    EXPECT_TRUE(st.contains(key)) << key;
  }
  EXPECT_EQ(st["state"], "idle");
  ASSERT_TRUE(at_standstill());

  RunResult r = ctl({"start", "--profile", "lumbar-standard"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status()["direction"], "reverse");
  ASSERT_EQ(ctl({"speed", "2.5"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["measured_kmh"].get<double>() > 2.3; }, 15s));
  EXPECT_EQ(status()["limits"]["reverse_cap_kmh"], 5.0);

  r = ctl({"speed", "9"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "refused: 9.0 km/h is above the reverse cap of 5.0 km/h in profile 'lumbar-standard'\n");
  EXPECT_DOUBLE_EQ(status()["target_kmh"].get<double>(), 2.5);

  r = ctl({"direction", "forward"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("only at standstill"), std::string::npos) << r.err;

  r = ctl({"estop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  st = status();
  EXPECT_EQ(st["state"], "estopped");
  EXPECT_EQ(st["commanded_kmh"], 0.0);
  EXPECT_EQ(ctl({"reset"}).exit_code, 1) << "the belt is still coasting down";
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1) << "latched";

  ASSERT_TRUE(at_standstill());
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(status()["state"], "estopped") << "the latch holds at standstill";
  r = ctl({"reset"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status()["state"], "idle");

  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["measured_kmh"].get<double>() > 0.3; }, 10s));
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "idle"; }, 10s));
  EXPECT_EQ(status()["last_end_reason"], "stopped by operator");

  EXPECT_EQ(daemon_->stop(SIGTERM, 10s), 0);
}

TEST_F(DaemonE2E, sigterm_ramps_the_belt_down_before_exit) {
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  ASSERT_EQ(ctl({"speed", "2"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["measured_kmh"].get<double>() > 1.8; }, 15s));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_->stop(SIGTERM, 20s), 0);
  // 2 km/h at the reverse decel of 0.3 m/s² takes about 1.9 s: an exit much sooner would mean no ramp.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1500ms);
  EXPECT_NE(read_file(dir_ + "/treadd.log").find("ramping the belt down"), std::string::npos);
}

TEST_F(DaemonE2E, bad_config_refuses_to_start_with_file_and_line) {
  std::string limits = read_file(dir_ + "/etc/limits.yaml");
  limits.replace(limits.find("reverse_cap: 3 km/h"), 19, "reverse_cap: 30 km/h");
  std::ofstream(dir_ + "/etc/limits.yaml") << limits;
  // The daemon's log (the journal) keeps the place: a clinician's file may quote a person's name.
  RunResult r = run({TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket", socket_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("limits.yaml:15:18: an error (not copied here"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(socket_));
  // At a terminal, whole: treadctl check-config and treadd --check-config.
  const std::string whole = "limits.yaml:15:18: profile 'lumbar-early'.reverse_cap is 30.00 km/h, above the machine ceiling";
  r = run({TREADCTL_BINARY, "check-config", dir_ + "/etc/limits.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find(whole), std::string::npos) << r.out << r.err;
  r = run({TREADD_BINARY, "--config-dir", dir_ + "/etc", "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(whole), std::string::npos) << r.err;
}

TEST_F(DaemonE2E, reload_applies_from_next_session_and_a_bad_file_keeps_the_old_limits) {
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  const std::string good = read_file(dir_ + "/etc/limits.yaml");
  std::string tighter = good;
  tighter.replace(tighter.find("reverse_cap: 5 km/h"), 19, "reverse_cap: 4.6 km/h");
  std::ofstream(dir_ + "/etc/limits.yaml") << tighter;
  RunResult r = ctl({"reload"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profiles changed: lumbar-standard"), std::string::npos) << "says what changed: " << r.out;
  EXPECT_EQ(r.out.find("added"), std::string::npos) << r.out;
  EXPECT_EQ(ctl({"speed", "4.8"}).exit_code, 0) << "the running session keeps the limits it started with";
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "idle" && s["at_standstill"]; }, 20s));
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  r = ctl({"speed", "4.8"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("reverse cap of 4.6 km/h"), std::string::npos) << r.err;
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);

  std::string bad = tighter;
  bad.replace(bad.find("reverse_cap: 4.6 km/h"), 21, "reverse_cap: 4.6 mph");
  std::ofstream(dir_ + "/etc/limits.yaml") << bad;
  r = ctl({"reload"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the limits in force are unchanged"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("limits.yaml:29:18"), std::string::npos) << r.err;
  kill(daemon_->pid(), SIGHUP);
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(daemon_->running()) << "a bad file on SIGHUP must not stop the daemon";
  r = ctl({"--json", "limits", "--profile", "lumbar-standard"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["limits"]["reverse_cap_kmh"], 4.6);
}

// A lock-out is kept on disk: a restart, a crash or a power cut does not lift it; an unreadable or
// damaged lock state comes up locked; only a clinician's unlock lifts it, and that is kept too.
TEST_F(DaemonE2E, a_lockout_survives_a_kill_and_a_damaged_lock_state_comes_up_locked) {
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"lock"}).exit_code, 0);
  std::this_thread::sleep_for(300ms);  // the writer replaces the file
  daemon_->stop(SIGKILL, 5s);
  start_daemon();
  ASSERT_TRUE(at_standstill());
  RunResult r = ctl({"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(r.exit_code, 1) << "a lock-out lifted by a crash";
  EXPECT_NE(r.err.find("locked"), std::string::npos) << r.err;
  EXPECT_EQ(status()["state"], "locked");
  EXPECT_NE(status()["notice"].get<std::string>().find("outlives restarts"), std::string::npos);
  ASSERT_EQ(ctl({"unlock"}).exit_code, 0);
  std::this_thread::sleep_for(300ms);
  daemon_->stop(SIGTERM, 10s);
  start_daemon();
  ASSERT_TRUE(at_standstill());
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0) << "the unlock was kept too";
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "idle"; }, 15s));
  daemon_->stop(SIGTERM, 10s);
  std::ofstream(dir_ + "/state/lockout") << "\xff\xfe garbage\n";
  start_daemon();
  EXPECT_EQ(status()["state"], "locked") << "a damaged lock state is a lock";
}

// One Latin-1 byte in a profile name: refused with its place by check-config, at start and on a
// reload — which keeps the daemon and the limits in force (it used to end treadd mid-session).
TEST_F(DaemonE2E, a_limits_file_that_is_not_utf8_is_refused_with_its_position) {
  const std::string good = read_file(dir_ + "/etc/limits.yaml");
  std::string latin1 = good;
  const std::size_t at = latin1.find("lumbar-early:");
  ASSERT_NE(at, std::string::npos);
  latin1.insert(at + 6, "\xe9");  // lumbar\xe9-early
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  std::ofstream(dir_ + "/etc/limits.yaml") << latin1;
  RunResult r = ctl({"reload"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not UTF-8"), std::string::npos) << r.err;
  EXPECT_TRUE(daemon_->running());
  EXPECT_EQ(status()["state"], "running") << "the session goes on with its limits";
  r = run({TREADCTL_BINARY, "check-config", dir_ + "/etc/limits.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("limits.yaml:13:9: not UTF-8"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not UTF-8"), std::string::npos) << r.err;
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  daemon_->stop(SIGTERM, 20s);
  r = run({TREADD_BINARY, "--config-dir", dir_ + "/etc", "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not UTF-8"), std::string::npos) << r.err;
}

TEST_F(DaemonE2E, treadctl_without_daemon_says_how_to_check) {
  RunResult r = ctl({"status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("is treadd running?"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace treadd::e2e
