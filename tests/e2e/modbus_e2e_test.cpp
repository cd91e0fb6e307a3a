// SPDX-License-Identifier: Apache-2.0
// End to end over real Modbus: treadd <-> treadsim (libmodbus server) on loopback TCP and over a
// socat pty pair (RTU), driven by treadctl; faults injected in treadsim.
#include <signal.h>

#include <regex>

#include "config/drive_profile.hpp"
#include "tests/e2e/modbus_fixture.hpp"

namespace treadd::e2e {
namespace {

class ModbusE2E : public ModbusFixture {
 protected:
  // Injects a link fault and checks: latched, named, belt commanded to stop, within the bound.
  void expect_link_fault_after(const std::string& injection, const std::string& cause) {
    run_at(2.0);
    const auto t0 = std::chrono::steady_clock::now();
    sim_->write_stdin(injection + "\n");
    ASSERT_TRUE(wait_until([&](const nlohmann::json& s) { return s["state"] == "faulted"; }, 5s)) << injection;
    const auto reaction = std::chrono::steady_clock::now() - t0;
    nlohmann::json st = status();
    EXPECT_EQ(st["fault"]["cause"], cause) << st.dump();
    EXPECT_EQ(st["motion"], "fast_stop");
    EXPECT_EQ(st["commanded_kmh"], 0.0);
    // response_timeout 200 ms x max_failed_polls 3 + poll period 20 ms, plus status polling slack.
    EXPECT_LT(reaction, 620ms + 250ms) << injection;
    sim_->write_stdin("normal\n");
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(status()["state"], "faulted") << "a healed link does not clear the latch";
    EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1) << "no restart without a reset";
  }

};

TEST_F(ModbusE2E, tcp_session_drives_treadsim_and_estop_stops_it) {
  use_tcp();
  start_daemon();
  EXPECT_NE(status()["drive"]["name"].get<std::string>().find("Modbus TCP"), std::string::npos);
  run_at(3.0);
  std::this_thread::sleep_for(1s);
  EXPECT_NEAR(sim_belt_hz(), 3.0 / 0.2, 0.3);
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  std::this_thread::sleep_for(1500ms);
  EXPECT_LT(sim_belt_hz(), 0.1);
  // The fast-stop word (4 in the generic profile) reached the drive.
  EXPECT_NE(read_file(dir_ + "/frames.log").find(" 16 0 4\n"), std::string::npos);
}

TEST_F(ModbusE2E, silent_drive_latches_link_loss) { use_tcp(); start_daemon(); expect_link_fault_after("silence", "link_loss"); }
TEST_F(ModbusE2E, slow_drive_latches_link_loss) { use_tcp(); start_daemon(); expect_link_fault_after("slow 400", "link_loss"); }
TEST_F(ModbusE2E, exception_replies_latch_link_loss) { use_tcp(); start_daemon(); expect_link_fault_after("exception", "link_loss"); }
TEST_F(ModbusE2E, garbage_replies_latch_link_loss) { use_tcp(); start_daemon(); expect_link_fault_after("garbage", "link_loss"); }
TEST_F(ModbusE2E, dropped_connection_latches_link_loss) { use_tcp(); start_daemon(); expect_link_fault_after("drop", "link_loss"); }
TEST_F(ModbusE2E, drive_fault_code_latches_drive_fault) { use_tcp(); start_daemon(); expect_link_fault_after("fault 7", "drive_fault"); }
TEST_F(ModbusE2E, safety_key_pulled_latches_fault) { use_tcp(); start_daemon(); expect_link_fault_after("key-out", "safety_key_lost"); }

// Issue 24 A with a real drive trip: while the session runs, the progression lists it as running
// with its time so far; the trip is counted as a fault, not an e-stop (CSV and page alike); the
// record runs on until the belt is at rest, and the report says how it came to rest.
TEST_F(ModbusE2E, a_drive_trip_is_recorded_to_standstill_and_counted_as_a_fault_not_an_estop) {
  use_tcp();
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard", "--patient", "LBP-0007"}).exit_code, 0);
  ASSERT_EQ(ctl({"speed", "3"}).exit_code, 0);
  ASSERT_TRUE(wait_until([&](const nlohmann::json& s) { return s["measured_kmh"].is_number() && s["measured_kmh"].get<double>() > 2.8; }, 20s));
  RunResult r = ctl({"report", "--patient", "LBP-0007", "--csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch row;
  ASSERT_TRUE(std::regex_search(
      r.out, row, std::regex(",\"lumbar-standard\",([0-9.]+),([0-9.]+),([0-9.]+),([0-9.]+),([0-9.]+),[^\n]*,\"running now\"\n")))
      << r.out;
  EXPECT_GT(std::stod(row[1]), 0.0) << "the time so far, not zero: " << r.out;
  // Its figures so far, like a finished session's: time in reverse, peak and mean reverse speed.
  EXPECT_GT(std::stod(row[3]), 0.0) << "the time in reverse so far: " << r.out;
  EXPECT_GT(std::stod(row[4]), 2.0) << "the peak reverse speed so far: " << r.out;
  EXPECT_GT(std::stod(row[5]), 0.5) << "the mean reverse speed so far: " << r.out;

  sim_->write_stdin("fault 7\n");
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "faulted"; }, 5s));
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["at_standstill"] == true; }, 15s));
  std::this_thread::sleep_for(300ms);  // the tick that sees the belt at rest ends the record
  r = ctl({"report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("drive_fault"), std::string::npos) << r.out;
  // How it came to rest: from the speed it ran at, in a time, at a deceleration (the drive's own
  // ramp after a trip), all measured by the record that ran on after the fault.
  std::smatch stop;
  ASSERT_TRUE(std::regex_search(r.out, stop, std::regex("belt       from ([0-9.]+) km/h, at rest after ([0-9.]+) s and "
                                                        "([0-9.]+) m, steepest deceleration ([0-9.]+) m/s")))
      << r.out;
  EXPECT_NEAR(std::stod(stop[1]), 3.0, 0.4) << r.out;
  EXPECT_GT(std::stod(stop[2]), 0.0) << r.out;
  EXPECT_GT(std::stod(stop[4]), 0.0) << r.out;
  // The samples go on after the fault down to standstill (the chart no longer ends at speed).
  r = ctl({"report", "--csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<double> faulted;
  // session,patient,date,t_s,state,direction,target_kmh,commanded_kmh,measured_kmh: every row says
  // whose session, which, and on what day.
  const std::regex sample(
      ",\"LBP-0007\",\"[0-9]{4}-[0-9]{2}-[0-9]{2}\",[0-9.]+,\"faulted\",\"[a-z]+\",[-0-9.]+,[-0-9.]+,([-0-9.]+)\n");
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), sample), end; it != end; ++it) faulted.push_back(std::stod((*it)[1]));
  ASSERT_GE(faulted.size(), 2u) << "samples after the fault: " << r.out;
  EXPECT_GT(faulted.front(), 1.0) << "the first sample after the trip, still moving: " << r.out;
  EXPECT_LT(std::abs(faulted.back()), 0.3) << "the last one at rest: " << r.out;

  r = ctl({"report", "--patient", "LBP-0007", "--csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // ...,estops,faults,pauses,pain_before,pain_after,ended
  EXPECT_TRUE(std::regex_search(r.out, std::regex(",0,1,[0-9]+,,,[^\n]*\n$"))) << "0 e-stops, 1 fault: " << r.out;
  EXPECT_EQ(r.out.find("running now"), std::string::npos) << r.out;
  const std::string html = dir_ + "/progression.html";
  ASSERT_EQ(ctl({"report", "--patient", "LBP-0007", "--html", html}).exit_code, 0);
  const std::string page = read_file(html);
  EXPECT_NE(page.find("km/h</td><td class=\"n\">0</td><td class=\"n\">1</td>"), std::string::npos)
      << "the e-stops column 0, the faults column 1:\n" << page;
  EXPECT_NE(page.find("<tr class=\"serious\">"), std::string::npos) << "the row in red";
}

TEST_F(ModbusE2E, killed_daemon_leaves_the_drive_to_stop_the_belt_by_its_own_watchdog) {
  use_tcp();
  start_daemon();
  run_at(3.0);
  daemon_->stop(SIGKILL, 5s);
  std::this_thread::sleep_for(3s);  // watchdog 500 ms + ramp from 15 Hz at 10 Hz/s
  EXPECT_LT(sim_belt_hz(), 0.1);
}

// A drive that is not there yet (still booting, a cable being fixed) does not end the daemon: it
// stays up, says why, keeps the belt stopped and the e-stop socket open, and connects when it can.
TEST_F(ModbusE2E, an_unreachable_drive_leaves_the_daemon_up_saying_why_until_it_answers) {
  rewrite_machine("  transport: tcp\n  host: 127.0.0.1\n  port: " + std::to_string(port_) + "\n");
  start_daemon();
  auto st = status();
  EXPECT_FALSE(st["drive"]["link_up"].get<bool>()) << st.dump();
  EXPECT_NE(st["drive"]["problem"].get<std::string>().find("cannot connect (Modbus TCP 127.0.0.1:"), std::string::npos)
      << st.dump();
  EXPECT_EQ(ctl({"estop"}).exit_code, 0) << "the e-stop socket answers while the drive is away";
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 1);
  start_sim({"--tcp", "127.0.0.1:" + std::to_string(port_)});
  ASSERT_TRUE(wait_until([](const auto& s) { return s["drive"]["link_up"].template get<bool>(); }, 10s)) << status().dump();
  EXPECT_FALSE(status()["drive"].contains("problem"));
  ASSERT_TRUE(at_standstill());
  EXPECT_EQ(ctl({"reset"}).exit_code, 0);
  EXPECT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0) << status().dump();
}

// A peer we did not write checks our frames: the Delta profile's addresses, values and scaling.
class PymodbusPeerE2E : public ModbusFixture {
 protected:
  // pymodbus serving the Delta profile's registers with the panel settings it expects, except
  // those named in `unset` (left at 0, as a drive straight from the factory).
  void start_peer(const std::vector<std::string>& unset = {}) {
    rewrite_machine("  transport: tcp\n  host: 127.0.0.1\n  port: " + std::to_string(port_) + "\n");
    std::string m = read_file(dir_ + "/etc/machine.yaml");
    m.replace(m.find("profile: generic"), std::string("profile: generic").size(), "profile: delta-ms300");
    std::ofstream(dir_ + "/etc/machine.yaml") << m;
    const auto profile = load_drive_profile(std::string(TREADD_SOURCE_DIR) + "/config/drives/delta-ms300.yaml");
    ASSERT_TRUE(profile.ok());
    std::vector<std::string> argv{"/usr/bin/python3", std::string(TREADD_SOURCE_DIR) + "/tests/e2e/pymodbus_peer.py",
                                  std::to_string(port_), writes_log()};
    for (const auto& c : profile.value->parameters) {
      if (c.write || std::find(unset.begin(), unset.end(), c.parameter) != unset.end()) continue;
      argv.push_back(std::to_string(c.address) + "=" + std::to_string(c.equals ? *c.equals : *c.min));
    }
    peer_ = std::make_unique<Background>(argv, dir_ + "/peer.log");
    ASSERT_TRUE(wait_for_text(writes_log(), "READY", 10s)) << read_file(dir_ + "/peer.log");
    std::this_thread::sleep_for(500ms);  // READY is written just before the listener binds
  }
  std::string writes_log() const { return dir_ + "/writes.log"; }
  std::unique_ptr<Background> peer_;
};

TEST_F(PymodbusPeerE2E, frames_match_the_delta_profile) {
  start_peer();
  start_daemon();
  // Pr.09-02 = 1 (ramp to stop on comms loss) and Pr.09-03 = 5 (0.5 s) armed at connect.
  EXPECT_NE(read_file(writes_log()).find("WRITE 2306 1\n"), std::string::npos) << read_file(writes_log());
  EXPECT_NE(read_file(writes_log()).find("WRITE 2307 5\n"), std::string::npos);
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["commanded_kmh"] == 0.5; }, 5s));
  std::this_thread::sleep_for(200ms);
  // Two FC06 (combined_write: false), setpoint first: 0x2001 = 8193 gets 0.5 km/h / 0.2 km/h per Hz
  // = 2.5 Hz = 250 x 0.01 Hz, then 0x2000 = 8192 gets run reverse 0x0022 = 34.
  const std::string frames = read_file(writes_log());
  const auto setpoint = frames.find("WRITE 8193 250\n");
  ASSERT_NE(setpoint, std::string::npos) << frames;
  EXPECT_NE(frames.find("WRITE 8192 34\n", setpoint), std::string::npos) << frames;
  EXPECT_EQ(frames.find("WRITE 8192 34,"), std::string::npos) << "no multi-register write to the control block";
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  std::this_thread::sleep_for(200ms);
  EXPECT_NE(read_file(writes_log()).find("WRITE 8192 1\n"), std::string::npos) << "the e-stop frame: stop word 0x0001";
  EXPECT_NE(read_file(writes_log()).find("WRITE 8193 0\n"), std::string::npos) << "then setpoint 0 every cycle";
}

// The same third-party peer as a drive whose panel was never set: treadd names the parameter.
TEST_F(PymodbusPeerE2E, a_drive_not_set_to_take_commands_from_rs485_is_refused_with_the_parameter_named) {
  start_peer({"Pr.00-21"});
  RunResult r = run({TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket", socket_, "--state-dir", dir_ + "/state"}, 15s);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Pr.00-21"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("set Pr.00-21 to 2 on the panel"), std::string::npos) << r.err;
}

TEST_F(ModbusE2E, rtu_session_over_a_pty_pair) {
  const std::string a = dir_ + "/ttyA", b = dir_ + "/ttyB";
  Background socat({SOCAT_BINARY, "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b}, dir_ + "/socat.log");
  ASSERT_TRUE(wait_for_path(a, 5s) && wait_for_path(b, 5s));
  rewrite_machine("  transport: rtu\n  device: " + a + "\n  baud: 115200\n");
  start_sim({"--rtu", b, "--baud", "115200"});
  start_daemon();
  EXPECT_NE(status()["drive"]["name"].get<std::string>().find("Modbus RTU"), std::string::npos);
  run_at(2.5);
  std::this_thread::sleep_for(1s);
  EXPECT_NEAR(sim_belt_hz(), 2.5 / 0.2, 0.3);
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "idle"; }, 15s));
  sim_->write_stdin("badcrc\n");
  ASSERT_TRUE(wait_until([](const nlohmann::json& s) { return s["state"] == "faulted"; }, 5s));
  EXPECT_EQ(status()["fault"]["cause"], "link_loss");
}

}  // namespace
}  // namespace treadd::e2e
