// SPDX-License-Identifier: Apache-2.0
// A bench rig: treadsim on loopback and treadd talking Modbus TCP to it, in a temporary
// directory, with a persistent control connection. Used only by treadbench.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/common/process.hpp"
#include "tools/treadctl/client.hpp"

namespace treadd::bench {

struct RigOptions {
  std::string bin_dir;          // where treadd and treadsim live (the build tree)
  std::string source_dir;       // config/examples and config/drives
  std::string transport = "tcp";  // tcp | rtu (socat pty pair, 19200 baud, poll 40 ms) | sim
  double tick_hz = 50;
  std::string extra_machine_yaml;  // appended to machine.yaml
  int nice = 0;                    // treadd's niceness, as the unit's Nice= sets it (needs root when < 0)
  // rtu only: 0 = a socat pty pair at 19200 (bytes move instantly); otherwise treadline paces the
  // line at this baud, as RS-485 would, and treadd polls every `rtu_poll`.
  int line_baud = 0;
  std::string rtu_poll = "40ms";
  // treadline and treadsim stand for hardware (a wire, a drive's own processor) that no host
  // scheduler delays: run them SCHED_FIFO above treadd's threads when the host allows it, so a
  // latency measured on the paced line is treadd's, not the rig's wake-ups.
  bool realtime_rig = false;
  // tcp only: serve the twin of this real drive (treadsim --twin, commissioned) with its shipped
  // profile, instead of treadsim's generic map.
  std::string twin;
};

class Rig {
 public:
  explicit Rig(const RigOptions& o);
  ~Rig();

  nlohmann::json call(const nlohmann::json& request);
  nlohmann::json status() { return call({{"cmd", "status"}})["status"]; }
  void wait_standstill();
  void sim_command(const std::string& line) { sim_->write_stdin(line + "\n"); }
  // The belt speed treadsim models (asked on its stdin); -1 when it does not answer.
  double sim_belt_hz();
  void restart_sim();
  // As systemd would after a crash: a new treadd on the same directory (it comes up stopped).
  void restart_daemon();
  proc::Background& daemon() { return *daemon_; }
  pid_t daemon_pid() const { return daemon_->pid(); }
  const std::string& dir() const { return dir_; }
  std::string frame_log() const { return dir_ + "/frames.log"; }
  std::string metrics_file() const { return dir_ + "/state/metrics/treadd.prom"; }

 private:
  std::string dir_;
  std::unique_ptr<proc::Background> socat_;  // or treadline
  std::unique_ptr<proc::Background> sim_;
  std::unique_ptr<proc::Background> daemon_;
  std::unique_ptr<treadctl::Client> client_;
  RigOptions options_;
  int port_ = 0;
  void start_sim();
  std::vector<std::string> maybe_realtime(std::vector<std::string> argv) const;
  void start_daemon();
};

// Frames treadsim received, read incrementally from its --frame-log.
class FrameLog {
 public:
  explicit FrameLog(std::string path) : path_(std::move(path)) {}
  // The receive time (steady clock, ns) of the first write of `value` to `address` after `after_ns`.
  std::optional<long long> first_write_after(long long after_ns, int address, int value, int timeout_ms);

 private:
  std::string path_;
  std::size_t offset_ = 0;
};

long long now_ns();

// Above treadd's control loop (50) and drive I/O thread (49): the rig's wire and drive go first.
inline constexpr int rig_rt_priority = 60;
// Whether this host lets treadbench run the rig SCHED_FIFO (root, or RLIMIT_RTPRIO high enough).
bool realtime_rig_allowed();

}  // namespace treadd::bench
