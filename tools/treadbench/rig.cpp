// SPDX-License-Identifier: Apache-2.0
#include "tools/treadbench/rig.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace treadd::bench {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> Rig::maybe_realtime(std::vector<std::string> argv) const {
  // chrt starts the program with the policy, so every thread it makes inherits it; without the
  // privilege (not root, no RLIMIT_RTPRIO) the rig runs as before and the JSON says so.
  if (!options_.realtime_rig || !realtime_rig_allowed()) return argv;
  argv.insert(argv.begin(), {"/usr/bin/chrt", "--fifo", std::to_string(rig_rt_priority)});
  return argv;
}

bool realtime_rig_allowed() {
  if (access("/usr/bin/chrt", X_OK) != 0) return false;
  if (geteuid() == 0) return true;
  rlimit limit{};
  return getrlimit(RLIMIT_RTPRIO, &limit) == 0 && limit.rlim_cur >= static_cast<rlim_t>(rig_rt_priority);
}

void Rig::start_sim() {
  std::vector<std::string> argv{options_.bin_dir + "/tools/treadsim", "--frame-log", frame_log()};
  if (options_.twin.empty()) {
    argv.insert(argv.end(), {"--profile", options_.source_dir + "/config/drives/generic.yaml"});
  } else {
    argv.insert(argv.end(), {"--twin", options_.twin, "--commissioned"});
  }
  if (options_.transport == "rtu") {
    argv.insert(argv.end(), {"--rtu", dir_ + "/ttyB", "--baud", std::to_string(options_.line_baud > 0 ? options_.line_baud : 19200)});
  } else {
    argv.insert(argv.end(), {"--tcp", "127.0.0.1:" + std::to_string(port_)});
  }
  sim_ = std::make_unique<proc::Background>(maybe_realtime(argv), dir_ + "/treadsim.log", true);
  for (int i = 0; i < 250 && proc::read_file(dir_ + "/treadsim.log").find("serving") == std::string::npos; ++i) {
    std::this_thread::sleep_for(20ms);
  }
}

void Rig::restart_sim() {
  sim_->stop(SIGKILL, 5s);
  std::filesystem::remove(dir_ + "/treadsim.log");
  start_sim();
}

double Rig::sim_belt_hz() {
  const std::string before = proc::read_file(dir_ + "/treadsim.log");
  sim_command("status");
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(10ms);
    const std::string fresh = proc::read_file(dir_ + "/treadsim.log").substr(before.size());
    const auto at = fresh.find("belt ");
    if (at != std::string::npos) return std::stod(fresh.substr(at + 5));
  }
  return -1;
}

Rig::Rig(const RigOptions& o) : options_(o) {
  char tmpl[] = "/tmp/treadbench-XXXXXX";
  dir_ = mkdtemp(tmpl);
  fs::create_directories(dir_ + "/etc");
  fs::copy(o.source_dir + "/config/examples/limits.yaml", dir_ + "/etc/limits.yaml");
  fs::create_directory_symlink(o.source_dir + "/config/drives", dir_ + "/etc/drives");
  std::string m = proc::read_file(o.source_dir + "/config/examples/machine.yaml");
  static int instance = 0;
  port_ = 30000 + (getpid() * 7 + instance++) % 20000;
  // treadsim is not a drive to commission: the bench says so, as a technician would in machine.yaml.
  const std::string waiver = "\n  commissioning_waiver: \"treadbench rig on treadsim\"";
  if (o.transport == "tcp") {
    m.replace(m.find("  transport: sim"), 16, "  transport: tcp\n  host: 127.0.0.1\n  port: " + std::to_string(port_) + waiver);
    if (!o.twin.empty()) m.replace(m.find("profile: generic"), 16, "profile: " + o.twin);
    start_sim();
  } else if (o.transport == "rtu") {
    // RS-485 without hardware: a socat pty pair (instant), or treadline (paced at the baud rate).
    const int baud = o.line_baud > 0 ? o.line_baud : 19200;
    std::vector<std::string> line{"/usr/bin/socat", "pty,raw,echo=0,link=" + dir_ + "/ttyA",
                                  "pty,raw,echo=0,link=" + dir_ + "/ttyB"};
    if (o.line_baud > 0) {
      line = {o.bin_dir + "/tools/treadline", "--a", dir_ + "/ttyA", "--b", dir_ + "/ttyB", "--baud", std::to_string(baud)};
    }
    socat_ = std::make_unique<proc::Background>(maybe_realtime(line), dir_ + "/socat.log");
    if (!proc::wait_for_path(dir_ + "/ttyA", 5s) || !proc::wait_for_path(dir_ + "/ttyB", 5s)) {
      throw std::runtime_error("no pty pair for the RTU line");
    }
    m.replace(m.find("  transport: sim"), 16,
              "  transport: rtu\n  device: " + dir_ + "/ttyA\n  baud: " + std::to_string(baud) + waiver);
    m.replace(m.find("poll_period: 20ms"), 17, "poll_period: " + o.rtu_poll);
    start_sim();
  }
  const auto tick = m.find("  tick_rate: 50 Hz");
  m.replace(tick, 18, "  tick_rate: " + std::to_string(static_cast<int>(o.tick_hz)) + " Hz");
  m += "\nmetrics:\n  interval: 1s\n" + o.extra_machine_yaml;
  std::ofstream(dir_ + "/etc/machine.yaml") << m;
  start_daemon();
}

void Rig::start_daemon() {
  const std::string sock = dir_ + "/control.sock";
  client_.reset();
  // As systemd's Restart=on-failure would: a drive that is slow to answer the first frames at
  // connect makes treadd refuse to start; a few tries, then give up with its message.
  for (int attempt = 0; attempt < 3 && !client_; ++attempt) {
    std::vector<std::string> argv;
    if (options_.nice != 0) argv = {"/usr/bin/nice", "-n", std::to_string(options_.nice)};
    argv.insert(argv.end(), {options_.bin_dir + "/daemon/treadd", "--config-dir", dir_ + "/etc", "--socket", sock,
                             "--state-dir", dir_ + "/state"});
    daemon_ = std::make_unique<proc::Background>(argv, dir_ + "/treadd.log");
    // The socket file may be a dead daemon's: wait until the new one answers (or exits).
    for (int i = 0; i < 500 && !client_ && daemon_->running(); ++i) {
      try {
        client_ = std::make_unique<treadctl::Client>(sock);
      } catch (const std::exception&) {
        std::this_thread::sleep_for(20ms);
      }
    }
    if (!client_) std::this_thread::sleep_for(500ms);
  }
  if (!client_) throw std::runtime_error("treadd did not start: " + proc::read_file(dir_ + "/treadd.log"));
}

void Rig::restart_daemon() {
  if (daemon_->running()) daemon_->stop(SIGKILL, 5s);
  start_daemon();
}

Rig::~Rig() {
  client_.reset();
  if (daemon_) daemon_->stop(SIGTERM, 20s);
  if (sim_) sim_->stop(SIGTERM, 5s);
  if (socat_) socat_->stop(SIGTERM, 5s);
  fs::remove_all(dir_);
}

nlohmann::json Rig::call(const nlohmann::json& request) {
  try {
    return client_->call(request);
  } catch (const std::exception&) {
    // Closed under us (a flood of connections from the same user pushes out the least recently
    // active one): one new connection, then the request again.
    client_ = std::make_unique<treadctl::Client>(dir_ + "/control.sock");
    return client_->call(request);
  }
}

void Rig::wait_standstill() {
  for (int i = 0; i < 1000 && !status()["at_standstill"].get<bool>(); ++i) std::this_thread::sleep_for(10ms);
}

std::optional<long long> FrameLog::first_write_after(long long after_ns, int address, int value, int timeout_ms) {
  const long long deadline = now_ns() + static_cast<long long>(timeout_ms) * 1000000;
  while (now_ns() < deadline) {
    std::ifstream in(path_);
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // a line still being written
      offset_ += line.size() + 1;
      std::istringstream fields(line);
      long long ts = 0;
      int function = 0, addr = 0, v = 0;
      fields >> ts >> function >> addr >> v;
      if (ts > after_ns && addr == address && v == value) return ts;
    }
    std::this_thread::sleep_for(200us);
  }
  return std::nullopt;
}

}  // namespace treadd::bench
