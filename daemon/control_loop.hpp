// SPDX-License-Identifier: Apache-2.0
// The periodic control tick on a Boost.Asio steady timer, with absolute deadlines so the period
// does not drift, and overrun detection that the supervisor turns into a fault.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "daemon/controller.hpp"
#include "daemon/records/latency_histogram.hpp"

namespace treadd {

struct LoopStats {
  std::uint64_t ticks = 0;
  std::uint64_t overruns = 0;
  std::chrono::nanoseconds worst_lateness{0};
  LatencyHistogram lateness;  // how late each tick fired after its deadline
  std::uint64_t tick_errors = 0;  // ticks that threw (counted, logged; the next counts as late)
};

class ControlLoop {
 public:
  using AfterTick = std::function<void(TimePoint now, bool on_time)>;
  ControlLoop(boost::asio::io_context& io, Controller& controller, double tick_hz, AfterTick after_tick);

  void start();
  void stop();
  const LoopStats& stats() const { return stats_; }
  std::chrono::nanoseconds period() const { return period_; }

 private:
  void schedule();
  void on_tick();

  boost::asio::steady_timer timer_;
  Controller& controller_;
  std::chrono::nanoseconds period_;
  AfterTick after_tick_;
  TimePoint deadline_{};
  LoopStats stats_;
  bool running_ = false;
  bool tick_failed_ = false;
};

}  // namespace treadd
