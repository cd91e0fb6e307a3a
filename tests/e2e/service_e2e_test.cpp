// SPDX-License-Identifier: Apache-2.0
// The daemon as systemd and the staff's roles see it: sd_notify for real, restart after an
// unexpected stop, and each role against each command class through SO_PEERCRED.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {
namespace {

class ServiceE2E : public DaemonFixture {};

// Receives sd_notify datagrams as systemd would, on a socket passed as NOTIFY_SOCKET.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  ~NotifyListener() { close(fd_); }
  std::vector<std::string> drain() {
    std::vector<std::string> out;
    char buf[4096];
    for (ssize_t n; (n = recv(fd_, buf, sizeof buf, 0)) > 0;) out.emplace_back(buf, static_cast<std::size_t>(n));
    return out;
  }

 private:
  int fd_;
};

int count_with(const std::vector<std::string>& msgs, const std::string& part) {
  int n = 0;
  for (const auto& m : msgs) n += m.find(part) != std::string::npos;
  return n;
}

TEST_F(ServiceE2E, sd_notify_ready_status_and_watchdog_only_while_the_loop_runs) {
  NotifyListener notify(dir_ + "/notify.sock");
  daemon_ = std::make_unique<Background>(
      std::vector<std::string>{TREADD_BINARY, "--config-dir", dir_ + "/etc", "--socket", socket_, "--state-dir",
                               dir_ + "/state"},
      dir_ + "/treadd.log", false,
      std::vector<std::string>{"NOTIFY_SOCKET=" + dir_ + "/notify.sock", "WATCHDOG_USEC=400000"});
  ASSERT_TRUE(wait_for_path(socket_, 10s));
  std::this_thread::sleep_for(1s);
  auto msgs = notify.drain();
  EXPECT_EQ(count_with(msgs, "READY=1"), 1);
  EXPECT_GE(count_with(msgs, "STATUS=idle"), 1);
  EXPECT_GE(count_with(msgs, "WATCHDOG=1"), 3) << "pets every half interval (200 ms)";

  kill(daemon_->pid(), SIGSTOP);  // a stalled loop
  notify.drain();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count_with(notify.drain(), "WATCHDOG=1"), 0) << "no pets while the loop is stalled";
  kill(daemon_->pid(), SIGCONT);
  std::this_thread::sleep_for(1s);
  EXPECT_GE(count_with(notify.drain(), "WATCHDOG=1"), 2) << "pets resume with the loop";

  EXPECT_EQ(daemon_->stop(SIGTERM, 10s), 0);
  EXPECT_GE(count_with(notify.drain(), "STOPPING=1"), 1);
}

TEST_F(ServiceE2E, after_an_unexpected_stop_the_daemon_comes_up_stopped_and_says_why) {
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  ASSERT_EQ(ctl({"speed", "2"}).exit_code, 0);
  daemon_->stop(SIGKILL, 5s);
  start_daemon();
  nlohmann::json st = status();
  EXPECT_EQ(st["state"], "idle");
  EXPECT_EQ(st["profile"], nullptr);
  EXPECT_NE(st["notice"].get<std::string>().find("unexpected stop"), std::string::npos) << st.dump();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(status()["commanded_kmh"], 0.0) << "never resumes a session by itself";
  EXPECT_NE(read_file(dir_ + "/treadd.log").find("unexpected stop"), std::string::npos);

  EXPECT_EQ(daemon_->stop(SIGTERM, 10s), 0);
  start_daemon();
  EXPECT_EQ(status()["notice"], nullptr) << "a clean stop leaves no notice";
}

TEST_F(ServiceE2E, each_role_against_each_command_class) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run treadctl as other users";
  // Existing system groups stand in for the role groups (control.clinician_group / operator_group).
  std::string m = read_file(dir_ + "/etc/machine.yaml");
  const std::string tick = "  tick_rate: 50 Hz\n";
  m.replace(m.find(tick), tick.size(), tick + "  clinician_group: audio\n  operator_group: video\n");
  std::ofstream(dir_ + "/etc/machine.yaml") << m;
  start_daemon();
  chmod(dir_.c_str(), 0755);
  chmod(socket_.c_str(), 0666);  // so that an unprivileged test user can connect at all
  const gid_t audio = 29, video = 44, nogroup = 65534;
  const Credentials viewer{65534, nogroup, {}}, operator_user{65534, nogroup, {video}},
      clinician{65534, nogroup, {audio}};
  auto as = [&](const Credentials& who, std::vector<std::string> args) {
    args.insert(args.begin(), {TREADCTL_BINARY, "--socket", socket_});
    return run(args, 10s, &who);
  };
  ASSERT_TRUE(at_standstill());

  RunResult r0 = as(viewer, {"status"});
  EXPECT_EQ(r0.exit_code, 0) << r0.err;
  EXPECT_EQ(as(viewer, {"limits"}).exit_code, 0);
  RunResult r = as(viewer, {"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "refused: this needs the operator role (ask to join the group video); you have the viewer role\n");

  r = as(operator_user, {"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(as(operator_user, {"speed", "1.5"}).exit_code, 0);
  EXPECT_EQ(as(viewer, {"speed", "2"}).exit_code, 1);
  EXPECT_EQ(as(operator_user, {"reload"}).exit_code, 1);
  EXPECT_EQ(as(viewer, {"estop"}).exit_code, 0) << "anyone who can reach the socket may e-stop";
  ASSERT_TRUE(at_standstill());
  r = as(operator_user, {"reset"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("needs the clinician role"), std::string::npos) << r.err;
  EXPECT_EQ(as(clinician, {"reset"}).exit_code, 0);
  EXPECT_EQ(as(clinician, {"reload"}).exit_code, 0);
  EXPECT_EQ(as(operator_user, {"lock"}).exit_code, 0);
  EXPECT_EQ(as(operator_user, {"unlock"}).exit_code, 1);
  EXPECT_EQ(as(clinician, {"unlock"}).exit_code, 0);
}

}  // namespace
}  // namespace treadd::e2e
