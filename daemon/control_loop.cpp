// SPDX-License-Identifier: Apache-2.0
#include "daemon/control_loop.hpp"

#include "daemon/records/log.hpp"

namespace treadd {

ControlLoop::ControlLoop(boost::asio::io_context& io, Controller& controller, double tick_hz, AfterTick after_tick)
    : timer_(io),
      controller_(controller),
      period_(std::chrono::nanoseconds(static_cast<long long>(1e9 / tick_hz))),
      after_tick_(std::move(after_tick)) {}

void ControlLoop::start() {
  running_ = true;
  deadline_ = std::chrono::steady_clock::now() + period_;
  schedule();
}

void ControlLoop::stop() {
  running_ = false;
  timer_.cancel();
}

void ControlLoop::schedule() {
  timer_.expires_at(deadline_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && running_) on_tick();
  });
}

void ControlLoop::on_tick() {
  const TimePoint now = std::chrono::steady_clock::now();
  const auto lateness = now - deadline_;
  const bool overrun = lateness > period_;
  ++stats_.ticks;
  if (overrun) ++stats_.overruns;
  stats_.worst_lateness = std::max(stats_.worst_lateness, std::chrono::nanoseconds(lateness));
  stats_.lateness.record(lateness);
  LoopHealth& health = controller_.loop_health();
  health.ticks = stats_.ticks;
  health.overruns = stats_.overruns;
  health.worst_late_ms = std::chrono::duration<double, std::milli>(stats_.worst_lateness).count();
  if (lateness > std::chrono::milliseconds(20)) ++health.late_over_20ms;
  // The loop's boundary: a tick that throws (a bug, an allocation) is counted and logged, and the
  // next tick is treated as late — a few in a row latch loop_overrun, which stops the belt.
  try {
    controller_.tick(now, overrun || tick_failed_);
    tick_failed_ = false;
    if (after_tick_) after_tick_(now, !overrun);
  } catch (const std::exception& e) {
    ++stats_.tick_errors;
    tick_failed_ = true;
    log::error(std::string("a control tick failed: ") + e.what());
  }
  deadline_ += period_;
  // After a stall, resume from now instead of firing a burst of catch-up ticks.
  if (deadline_ < now) deadline_ = now + period_;
  schedule();
}

}  // namespace treadd
