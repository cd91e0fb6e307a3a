// SPDX-License-Identifier: Apache-2.0
// The adversarial suite against the real daemon: each reproduction of issue 11, run as the hostile
// local user, the technician with a real (simulated) drive, or the failing disk would. treadd talks
// Modbus to treadsim on loopback TCP or through a socat pty pair (RTU). Every test is bounded in
// time and count, and uses loopback and Unix sockets only.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <future>

#include "tests/adversarial/estop_timing.hpp"
#include "tests/e2e/modbus_fixture.hpp"
#include "tools/treadctl/client.hpp"

namespace treadd::e2e {
namespace {

using Millis = std::chrono::milliseconds;
using nlohmann::json;

// Latency bounds are for the release build; a sanitizer build runs the daemon several times
// slower (and TSan serialises its threads), so its bounds and floods are scaled, not dropped.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double slack = 10;
constexpr int flood_scale = 3;
#else
constexpr double slack = 1;
constexpr int flood_scale = 1;
#endif

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// A connection that is opened and then never sends a byte.
int hold_connection(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval two_s{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &two_s, sizeof two_s);  // bounds a connect on a full backlog
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// CPU time (user + system) of a process, in clock ticks.
long cpu_ticks(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

// `threads` clients, each sending `command` as fast as the daemon answers, on `per_connection`
// requests per connection (then a new one: pushed out or not, the client comes back). Stops on
// destruction.
class Flood {
 public:
  Flood(const std::string& socket, int threads, const std::string& command, int per_connection) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, socket, command, per_connection] {
        while (!stop_) {
          try {
            treadctl::Client c(socket);
            for (int k = 0; k < per_connection && !stop_; ++k) c.call({{"v", 1}, {"cmd", command}});
          } catch (const std::exception&) {
          }
        }
      });
    }
  }
  ~Flood() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

class Adversarial : public ModbusFixture {
 protected:
  // One e-stop from a new client: connect, send, reply. Milliseconds, or a large value on failure.
  double estop_round_trip_ms(const std::string& suffix = "") { return e2e::estop_round_trip_ms(socket_ + suffix); }

  // Issue 23, item 10: the RTU variant failed once in a full `ctest -j2` while builds loaded the
  // machine, and passed alone. Then the control loop and the drive I/O ran at normal priority;
  // since they run SCHED_FIFO (daemon/realtime.cpp) ten runs under three busy loops plus an ASan
  // build on two cores all passed. What a failure says decides which it is: a latched loop_overrun
  // or link_loss with treadd's loop late is a defect; treadsim or the pty starved (stand-ins for
  // a drive and a wire that have CPUs of their own) is the rig. Hence everything is printed.
  std::string diagnosis() {
    const std::string log = read_file(dir_ + "/treadd.log"), sim = read_file(dir_ + "/treadsim.log");
    return "\nstatus: " + status_from_socket().value_or(json::object()).dump() + "\ntreadd log (tail):\n" +
           log.substr(log.size() > 3000 ? log.size() - 3000 : 0) + "\ntreadsim log (tail):\n" +
           sim.substr(sim.size() > 1500 ? sim.size() - 1500 : 0);
  }

  void reset_and_start_again() {
    ASSERT_TRUE(at_standstill()) << diagnosis();
    RunResult r = ctl({"reset"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out << diagnosis();
    // A reset that re-latches (the old fault) shows up within a second.
    std::this_thread::sleep_for(1s);
    json st = status();
    ASSERT_EQ(st["state"], "idle") << diagnosis();
    ASSERT_TRUE(at_standstill()) << diagnosis();
    r = ctl({"start", "--profile", "lumbar-standard"});
    ASSERT_EQ(r.exit_code, 0) << r.err << diagnosis();
    std::this_thread::sleep_for(2s);
    st = status();
    EXPECT_EQ(st["state"], "running") << st.dump();
    EXPECT_TRUE(st["drive"]["link_up"].get<bool>());
  }

  // Class: e-stop requests disturbing the drive link (the I/O thread slept far into the future).
  void estop_spam_then_reset_and_start() {
    run_at(2.0);
    treadctl::Client spammer(socket_);
    const auto t0 = std::chrono::steady_clock::now();
    int sent = 0;
    while (ms_since(t0) < 3000 && sent < 20000) {
      ASSERT_TRUE(spammer.call({{"v", 1}, {"cmd", "estop"}}).value("ok", false));
      ++sent;
    }
    EXPECT_GT(sent, 100);
    reset_and_start_again();
  }

  void add_to_profile(const std::string& line) {
    std::string l = read_file(dir_ + "/etc/limits.yaml");
    const std::string anchor = "  lumbar-standard:            # backward walking mixed with slow backward jogging\n";
    l.replace(l.find(anchor), anchor.size(), anchor + line);
    std::ofstream(dir_ + "/etc/limits.yaml") << l;
  }
};

// ---- 1. descriptors: held connections must not crowd out an e-stop ----

TEST_F(Adversarial, a_thousand_held_connections_do_not_delay_an_estop_from_a_new_client) {
  use_tcp();
  launcher_ = {"/usr/bin/prlimit", "--nofile=256:256", "--"};  // fewer descriptors than the flood
  start_daemon();
  run_at(2.0);
  std::vector<int> held;
  for (int i = 0; i < 1000; ++i) {
    const int fd = hold_connection(socket_);
    if (fd >= 0) held.push_back(fd);
  }
  std::this_thread::sleep_for(300ms);  // let the daemon take them all off its queue
  const long cpu_before = cpu_ticks(daemon_->pid());
  std::this_thread::sleep_for(1s);
  const long cpu_used = cpu_ticks(daemon_->pid()) - cpu_before;
  EXPECT_LT(cpu_used, sysconf(_SC_CLK_TCK) / 2) << "treadd spins while the connections are held";

  const double first = estop_round_trip_ms();
  EXPECT_LT(first, 250 * slack) << "the e-stop that stops the belt";
  EXPECT_EQ(status()["state"], "estopped");
  std::vector<double> trips;
  for (int i = 0; i < 50; ++i) trips.push_back(estop_round_trip_ms());
  const double p50 = percentile(trips, 0.5), p99 = percentile(trips, 0.99);
  std::cout << "e-stop round trip with " << held.size() << " connections held: p50 " << p50 << " ms, p99 " << p99
            << " ms\n";
  EXPECT_LT(p99, 100 * slack) << "p50 " << p50;

  // Another user: the flood of one user must not deny e-stop to another (socket open to anyone).
  if (getuid() == 0) {
    chmod(dir_.c_str(), 0755);  // the test's own directory stands in for /run/treadd (0755)
    const Credentials nobody{65534, 65534, {}};
    RunResult r = run({TREADCTL_BINARY, "--socket", socket_, "estop"}, 10s, &nobody);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  for (int fd : held) ::close(fd);
}

// A flood of busy clients of one user (reconnecting as fast as they are pushed out) fills the
// control socket's accept queue; the e-stop socket beside it has its own queue.
TEST_F(Adversarial, an_estop_on_its_own_socket_is_not_queued_behind_a_flood_of_active_clients) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  auto flood = std::make_unique<Flood>(socket_, 60 / flood_scale, "status", 50);
  std::this_thread::sleep_for(1s);
  std::vector<double> trips;
  for (int i = 0; i < 30; ++i) {
    trips.push_back(estop_round_trip_ms(".estop"));
    std::this_thread::sleep_for(20ms);
  }
  // The flooders share one user with this test, so they may evict its own control connection
  // (their user's share is 16): the state is read once they stop. The e-stop socket is the point.
  flood.reset();
  const json st = status();
  std::cout << "e-stop socket round trip under 60 reconnecting flooders: p50 " << percentile(trips, 0.5) << " ms, p99 "
            << percentile(trips, 0.99) << " ms\n";
  EXPECT_EQ(st["state"], "estopped");
  EXPECT_LT(percentile(trips, 0.5), 20 * slack);
  EXPECT_LT(percentile(trips, 0.99), 100 * slack);
  // It takes nothing but an e-stop, from anyone, and says where the rest goes.
  treadctl::Client c(socket_ + ".estop");
  const json r = c.call({{"v", 1}, {"cmd", "reset"}});
  EXPECT_FALSE(r.value("ok", true));
  EXPECT_NE(r.value("error", "").find("takes only an e-stop"), std::string::npos) << r.dump();
  struct stat sst {};
  ASSERT_EQ(::stat((socket_ + ".estop").c_str(), &sst), 0);
  EXPECT_EQ(sst.st_mode & 0777, 0666u);
}

TEST_F(Adversarial, a_client_that_never_finishes_a_line_is_closed_after_the_idle_timeout) {
  use_tcp();
  start_daemon();
  const int fd = hold_connection(socket_);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "{\"cmd\":", 7), 7);  // a partial line, then silence
  timeval limit{40, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  char buf[16];
  const auto t0 = std::chrono::steady_clock::now();
  const ssize_t n = ::read(fd, buf, sizeof buf);
  EXPECT_EQ(n, 0) << "the daemon closes it";
  EXPECT_LT(ms_since(t0), 35000);
  ::close(fd);
}

// ---- 2. e-stop bursts must not break the drive link for the next session ----

TEST_F(Adversarial, estop_spam_then_reset_and_start_work_on_tcp) {
  use_tcp();
  start_daemon();
  estop_spam_then_reset_and_start();
}

TEST_F(Adversarial, estop_spam_then_reset_and_start_work_on_rtu_at_poll_40ms) {
  use_rtu(19200, "40ms");
  start_daemon();
  estop_spam_then_reset_and_start();
}

// The same class on the drive side: an e-stop that cannot be sent (drive gone) must not turn the
// reconnect back-off into a busy loop.
TEST_F(Adversarial, a_vanished_drive_with_an_estop_pending_costs_no_cpu) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  sim_->stop(SIGKILL, 5s);  // connection refused from now on
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "faulted"; }, 5s));
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  const long before = cpu_ticks(daemon_->pid());
  std::this_thread::sleep_for(2s);
  EXPECT_LT(cpu_ticks(daemon_->pid()) - before, sysconf(_SC_CLK_TCK) / 5) << "more than 10 % of a core";
}

// Found by the fault matrix with its new pass condition: after a drive that answered too late
// for a while (stale replies in the TCP stream) heals, a reset and a new session must work.
TEST_F(Adversarial, after_slow_replies_heal_a_reset_and_a_new_session_work) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  sim_->write_stdin("slow 400\n");
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "faulted"; }, 5s));
  sim_->write_stdin("normal\n");
  std::this_thread::sleep_for(2s);
  reset_and_start_again();
}

// A drive that restarts on RS-485 drops no connection: only its forgotten settings tell. On
// 894f3f3 the belt ran on (the fault matrix's "peer restart" cells on RTU).
TEST_F(Adversarial, a_drive_that_restarts_on_rtu_is_noticed_by_its_lost_watchdog_setting) {
  use_rtu(19200, "40ms");
  start_daemon();
  run_at(1.0);
  sim_->stop(SIGKILL, 5s);
  start_sim({"--rtu", dir_ + "/ttyB", "--baud", "19200"});  // fresh: factory settings
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "faulted"; }, 3s)) << status().dump();
  const json st = status();
  // Named as what happened: the restart (its power-up counter went back), or — when the drive was
  // away longer than the link timeout — the lost link; never the speed jump a restart also causes.
  const std::string cause = st["fault"]["cause"];
  EXPECT_TRUE(cause == "drive_restarted" || cause == "link_loss") << st.dump();
  EXPECT_NE(cause, "implausible_reading") << st.dump();
  // Armed again: a reset and a new session work.
  reset_and_start_again();
}

// ---- 6. reload: parsed off the loop, bounded in size ----

TEST_F(Adversarial, a_multi_megabyte_limits_file_is_refused_and_estops_keep_their_latency_during_reloads) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  const std::string good = read_file(dir_ + "/etc/limits.yaml");
  write_big_limits();
  std::vector<double> trips;
  for (int round = 0; round < 5; ++round) {
    auto reload = std::async(std::launch::async, [&] { return ctl({"reload"}); });
    std::this_thread::sleep_for(5ms);
    trips.push_back(estop_round_trip_ms());
    RunResult r = reload.get();
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  // And a 2.4 MB file: refused with the bound named, quickly.
  std::string huge = good;
  while (huge.size() < 2400 * 1024) huge += "# " + std::string(200, 'x') + "\n";
  std::ofstream(dir_ + "/etc/limits.yaml") << huge;
  auto reload = std::async(std::launch::async, [&] { return ctl({"reload"}); });
  trips.push_back(estop_round_trip_ms());
  RunResult r = reload.get();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("at most 256 KiB"), std::string::npos) << r.err;
  std::cout << "e-stop round trip during reloads: p50 " << percentile(trips, 0.5) << " ms, max "
            << percentile(trips, 1.0) << " ms\n";
  EXPECT_LT(percentile(trips, 1.0), 100 * slack);
  json st = status();
  EXPECT_EQ(st["state"], "estopped");
}

// ---- the same class for queries anyone may send: a flood of `limits` costs the loop nothing ----

TEST_F(Adversarial, a_flood_of_limits_queries_on_a_big_configuration_does_not_stall_the_loop) {
  use_tcp();
  write_big_limits();
  start_daemon();
  run_at(1.0);
  auto flood = std::make_unique<Flood>(socket_, 12 / flood_scale, "limits", 1 << 30);
  std::this_thread::sleep_for(3s);
  const json st = status();
  const double trip = estop_round_trip_ms();
  flood.reset();
  EXPECT_EQ(st["state"], "running") << st.dump();  // on 894f3f3: faulted (loop_overrun)
  EXPECT_LT(trip, 100 * slack);
  // A late tick here and there is no fault under a sanitizer on a busy machine; five in a row
  // (safety.max_overruns) would be, and would have shown as state "faulted" above.
}

// ---- the same class for session records: reading them never stalls the loop ----

TEST_F(Adversarial, reading_a_large_history_does_not_delay_an_estop) {
  use_tcp();
  // 120 long records (~400 KB each, 48 MB): what years of sessions look like to `history`.
  fs::create_directories(dir_ + "/state/sessions");
  std::string body;
  for (int i = 0; i < 4000; ++i) {
    body += R"({"type":"sample","t":)" + std::to_string(i) +
            R"(,"direction":"reverse","target":2.5,"commanded":2.5,"measured":2.49,"pad":"................"})" "\n";
  }
  for (int i = 0; i < 120; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "20250101T%06dZ", i);
    std::ofstream(dir_ + "/state/sessions/" + id + ".jsonl")
        << R"({"type":"start","id":")" << id << R"(","profile":"lumbar-standard","start":"2025-01-01T00:00:00Z"})"
        << "\n" << body;
  }
  start_daemon();
  run_at(1.0);
  std::vector<double> trips;
  for (int round = 0; round < 3; ++round) {
    auto history = std::async(std::launch::async, [&] { return ctl({"--json", "history"}); });
    std::this_thread::sleep_for(20ms);
    trips.push_back(estop_round_trip_ms());
    RunResult h = history.get();
    ASSERT_EQ(h.exit_code, 0) << h.err;
    EXPECT_EQ(json::parse(h.out)["sessions"].size(), 121u);
  }
  std::cout << "e-stop round trip while history reads 48 MB: max " << percentile(trips, 1.0) << " ms\n";
  EXPECT_LT(percentile(trips, 1.0), 100 * slack);
}

// ---- the same class for the audit log: a refusal loop cannot fill the disk or the journal ----

TEST_F(Adversarial, a_client_looping_on_a_refused_command_cannot_flood_the_audit_log) {
  use_tcp();
  start_daemon();
  treadctl::Client client(socket_);
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < 3000; ++i) {
    ASSERT_FALSE(client.call({{"v", 1}, {"cmd", "speed"}, {"kmh", 2}}).value("ok", true));
  }
  std::this_thread::sleep_for(1100ms);
  ASSERT_FALSE(client.call({{"v", 1}, {"cmd", "speed"}, {"kmh", 2}}).value("ok", true));
  // The log takes a burst of 20 and then one a second: the bound grows with the time the 3001
  // refusals took (about 2 s here, 11 s under TSan), never with their number.
  const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const std::string audit = written_audit();  // written off the loop, by the storage writer
  const auto lines = std::count(audit.begin(), audit.end(), '\n');
  EXPECT_LE(lines, 20 + static_cast<long>(std::ceil(took_s)) + 8) << "3001 refusals in " << took_s << " s";
  EXPECT_GE(lines, 20);
  EXPECT_NE(audit.find("earlier refusals of this user not logged"), std::string::npos) << audit.substr(audit.size() - 400);
  // Every refusal is still counted.
  const std::string metrics = read_file(dir_ + "/state/metrics/treadd.prom");
  EXPECT_NE(metrics.find("treadd_refusals_total"), std::string::npos);
}

// ---- the same class in the CLI: check-config reads no further than the daemon would ----

TEST_F(Adversarial, check_config_of_an_endless_or_missing_file_names_that_file_at_once) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r = run({TREADCTL_BINARY, "check-config", "/dev/zero", dir_ + "/missing.yaml"}, 10s);
  EXPECT_LT(ms_since(t0), 2000);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/dev/zero:1:1: the file is larger than 256 KiB"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir_ + "/missing.yaml: cannot open the file"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(":0:0"), std::string::npos) << "a whole-file problem has no position: " << r.err;
}

// ---- 7 and 10. storage: a removed directory or a full disk never stops the loop ----

TEST_F(Adversarial, a_removed_state_directory_mid_session_is_recreated_and_the_belt_stays_controlled) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  fs::remove_all(dir_ + "/state");
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(daemon_->running());
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"reset"}).exit_code, 0);
  ASSERT_TRUE(at_standstill());
  RunResult r = ctl({"start", "--profile", "lumbar-standard"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(daemon_->running()) << read_file(dir_ + "/treadd.log");
  EXPECT_NE(written_audit().find("\"kind\":\"estop\""), std::string::npos);
  RunResult h = ctl({"--json", "history"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_GE(json::parse(h.out)["sessions"].size(), 1u) << "the new session's record was written in a re-created directory";
}

TEST_F(Adversarial, an_unwritable_records_directory_is_reported_and_the_session_runs) {
  use_tcp();
  start_daemon();
  ASSERT_TRUE(at_standstill());
  // Something that is not a directory where the records go (root ignores permission bits).
  fs::remove_all(dir_ + "/state/sessions");
  std::ofstream(dir_ + "/state/sessions") << "not a directory\n";
  RunResult r = ctl({"start", "--profile", "lumbar-standard"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(ctl({"speed", "1.5"}).exit_code, 0);
  std::this_thread::sleep_for(1500ms);
  const json st = status();
  EXPECT_EQ(st["state"], "running") << st.dump();
  EXPECT_FALSE(st["storage"]["ok"].get<bool>()) << st.dump();
  EXPECT_NE(st["storage"]["last_error"].get<std::string>().find("session record"), std::string::npos) << st.dump();
  EXPECT_NE(read_file(dir_ + "/treadd.log").find("session record"), std::string::npos);
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  EXPECT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  EXPECT_TRUE(daemon_->running());
}

TEST_F(Adversarial, a_full_disk_is_counted_shown_and_the_audit_entry_is_not_lost) {
  use_tcp();
  fs::create_directories(dir_ + "/state");
  fs::create_symlink("/dev/full", dir_ + "/state/audit.log");
  start_daemon();
  run_at(1.0);
  ASSERT_EQ(ctl({"estop"}).exit_code, 0);
  std::this_thread::sleep_for(300ms);
  json st = status();
  EXPECT_FALSE(st["storage"]["ok"].get<bool>()) << st.dump();
  EXPECT_GE(st["storage"]["errors"].get<int>(), 1);
  EXPECT_NE(st["storage"]["last_error"].get<std::string>().find("No space left on device"), std::string::npos);
  const std::string log = read_file(dir_ + "/treadd.log");
  // Not lost: every audited event is also the one journal entry (here, without journald, the one
  // stderr line) log::event writes, whatever became of the file.
  EXPECT_NE(log.find("estop: emergency stop ("), std::string::npos) << log;
  EXPECT_TRUE(daemon_->running());
}

// ---- 8. a second daemon never takes the first one's socket ----

TEST_F(Adversarial, a_second_daemon_on_the_same_socket_refuses_and_names_the_first) {
  use_tcp();
  start_daemon();
  RunResult second = run({TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket", socket_, "--state-dir",
                          dir_ + "/other-state"},
                         10s);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("PID " + std::to_string(daemon_->pid())), std::string::npos) << second.err;
  ASSERT_TRUE(fs::exists(socket_));
  EXPECT_EQ(ctl({"estop"}).exit_code, 0) << "the first daemon still answers";
}

// ---- 11. operator presence: hold-to-run, operator role only ----

TEST_F(Adversarial, hold_to_run_keeps_the_session_and_a_killed_holder_lets_the_belt_ramp_to_stop) {
  use_tcp();
  add_to_profile("    operator_presence: 1s\n");
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  Background holder({TREADCTL_BINARY, "--socket", socket_, "hold"}, dir_ + "/hold.log");
  ASSERT_EQ(ctl({"speed", "2"}).exit_code, 0);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(status()["state"], "running") << read_file(dir_ + "/hold.log");
  kill(holder.pid(), SIGKILL);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] != "running"; }, 3s));
  EXPECT_LT(ms_since(t0), 1600 * (slack > 1 ? 2 : 1)) << "operator_presence 1 s plus one status poll";
  EXPECT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
}

TEST_F(Adversarial, letting_go_of_hold_to_run_stops_the_belt_at_once) {
  use_tcp();
  add_to_profile("    operator_presence: 5s\n");
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  Background holder({TREADCTL_BINARY, "--socket", socket_, "hold"}, dir_ + "/hold.log");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(holder.stop(SIGINT, 3s), 0);
  const json st = status();
  EXPECT_TRUE(st["state"] == "stopping" || st["state"] == "idle") << st.dump();
}

// ---- 12. "e-stop from anyone" holds for the installed socket mode ----

TEST_F(Adversarial, the_socket_lets_any_local_user_estop_and_nothing_more) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run treadctl as another user";
  use_tcp();
  start_daemon();
  chmod(dir_.c_str(), 0755);  // the test's own directory stands in for /run/treadd (0755)
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u);
  const Credentials nobody{65534, 65534, {}};
  RunResult r = run({TREADCTL_BINARY, "--socket", socket_, "start", "--profile", "lumbar-standard"}, 10s, &nobody);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("needs the operator role"), std::string::npos) << r.err;
  r = run({TREADCTL_BINARY, "--socket", socket_, "estop"}, 10s, &nobody);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status()["state"], "estopped");
}

// ---- the smaller ones: what status and faults say when the link or the loop is gone ----

TEST_F(Adversarial, with_the_link_down_the_measured_speed_is_unknown_not_the_last_reading) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  sim_->write_stdin("drop\n");
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "faulted"; }, 5s));
  json st = status();
  if (!st["drive"]["link_up"].get<bool>()) {
    EXPECT_TRUE(st["measured_kmh"].is_null()) << st.dump();
  }
  EXPECT_EQ(st["fault"]["detail"].get<std::string>().find("for 30 ms"), std::string::npos) << st.dump();
  sim_->write_stdin("silence\n");
  std::this_thread::sleep_for(1500ms);
  st = status();
  EXPECT_FALSE(st["drive"]["link_up"].get<bool>());
  EXPECT_TRUE(st["measured_kmh"].is_null()) << st.dump();
}

TEST_F(Adversarial, a_stopped_daemon_reports_a_loop_stall_not_the_drive_trip_it_caused) {
  use_tcp();
  start_daemon();
  run_at(2.0);
  kill(daemon_->pid(), SIGSTOP);
  std::this_thread::sleep_for(800ms);
  kill(daemon_->pid(), SIGCONT);
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "faulted"; }, 3s));
  const json st = status();
  EXPECT_EQ(st["fault"]["cause"], "loop_overrun") << st.dump();
  EXPECT_NE(st["fault"]["detail"].get<std::string>().find("stalled"), std::string::npos) << st.dump();
}

}  // namespace
}  // namespace treadd::e2e
