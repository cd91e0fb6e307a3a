// SPDX-License-Identifier: Apache-2.0
// How the adversarial tests time an e-stop: one new client connects, asks, and reads the reply.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <exception>
#include <string>

#include "tools/treadctl/client.hpp"

namespace treadd::e2e {

inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// While it measures, the timing client runs SCHED_FIFO above treadd's loop (as treadbench's rig
// does) when the host allows it (root, as in CI): it stands for an e-stop button's own process, and
// the figure must be treadd's answer, not this test's own flood threads keeping the one thread
// that measures off the CPU. At normal priority, two flood tests side by side on two cores once
// timed a 929 ms p99 of which treadd's loop (SCHED_FIFO itself) had no part. Without the
// privilege it measures at normal priority, as before.
class MeasuringPriority {
 public:
  MeasuringPriority() {
    pthread_getschedparam(pthread_self(), &policy_, &param_);
    sched_param raised{};
    raised.sched_priority = 60;
    raised_ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &raised) == 0;
  }
  ~MeasuringPriority() {
    if (raised_) pthread_setschedparam(pthread_self(), policy_, &param_);
  }
  MeasuringPriority(const MeasuringPriority&) = delete;
  MeasuringPriority& operator=(const MeasuringPriority&) = delete;

 private:
  int policy_ = SCHED_OTHER;
  sched_param param_{};
  bool raised_ = false;
};

// One e-stop from a new client on `socket_path`: milliseconds, or 1e6 when it was not accepted.
inline double estop_round_trip_ms(const std::string& socket_path) {
  const MeasuringPriority priority;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    treadctl::Client client(socket_path);
    if (!client.call({{"v", 1}, {"cmd", "estop"}}).value("ok", false)) return 1e6;
  } catch (const std::exception&) {
    return 1e6;
  }
  return ms_since(t0);
}

}  // namespace treadd::e2e
