#include "daemon/control_loop.hpp"

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
  controller_.tick(now, overrun);
  if (after_tick_) after_tick_(now, !overrun);
  deadline_ += period_;
  // After a stall, resume from now instead of firing a burst of catch-up ticks.
  if (deadline_ < now) deadline_ = now + period_;
  schedule();
}

}  // namespace treadd
