#include "daemon/supervisor/fault_monitor.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

namespace treadd {
namespace {

std::string fmt(const char* format, double a, double b) {
  char buf[200];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

}  // namespace

std::optional<Fault> FaultMonitor::persisting(const DriveFeedback& fb, TimePoint now) const {
  if (!fb.link_up) {
    return Fault{FaultCause::link_loss, "the drive link is down (connection lost or polls failing)"};
  }
  if (now - fb.received_at > settings_.link_timeout) {
    return Fault{FaultCause::link_loss, "no valid reply from the drive"};
  }
  if (fb.fault_code != 0) {
    return Fault{FaultCause::drive_fault, "the drive reports fault code " + std::to_string(fb.fault_code)};
  }
  if (!fb.safety_key_present) {
    return Fault{FaultCause::safety_key_lost, "the safety key (pull-cord) is out"};
  }
  return std::nullopt;
}

std::optional<Fault> FaultMonitor::check(const TickInputs& in, const MotionReference& ref, TimePoint now) {
  // A loop that stood still (SIGSTOP, swapped out, a stuck handler) for as long as the link may
  // be silent is named as what it was, before the drive's reaction to it (its own comms-loss trip)
  // is mistaken for the cause.
  const auto previous_check = std::exchange(last_check_, now);
  if (previous_check && now - *previous_check > settings_.link_timeout) {
    const auto stalled = std::chrono::duration_cast<Millis>(now - *previous_check).count();
    return Fault{FaultCause::loop_overrun, "the control loop stalled for " + std::to_string(stalled) +
                                               " ms (limit " + std::to_string(settings_.link_timeout.count()) + " ms)"};
  }
  overruns_in_a_row_ = in.loop_overrun ? overruns_in_a_row_ + 1 : 0;
  if (overruns_in_a_row_ >= settings_.max_overruns) {
    return Fault{FaultCause::loop_overrun,
                 "the control loop ran late " + std::to_string(overruns_in_a_row_) + " ticks in a row"};
  }
  if (auto f = persisting(in.feedback, now)) {
    if (f->cause == FaultCause::link_loss && in.feedback.link_up) {
      f->detail += " for " + std::to_string(std::chrono::duration_cast<Millis>(now - in.feedback.received_at).count()) +
                   " ms (limit " + std::to_string(settings_.link_timeout.count()) + " ms)";
    }
    return f;
  }
  const DriveFeedback& fb = in.feedback;
  const auto previous_generation = std::exchange(link_generation_, fb.link_generation);
  if (previous_generation && *previous_generation != fb.link_generation) {
    return Fault{FaultCause::link_loss, "the connection to the drive was lost and re-established (it may have restarted)"};
  }
  if (fb.sequence == last_sequence_) return std::nullopt;  // no new reading: nothing more to judge
  last_sequence_ = fb.sequence;
  const double measured = fb.measured_kmh;

  if (!std::isfinite(measured) || measured < 0) {
    return Fault{FaultCause::implausible_reading, "the drive reported an impossible speed"};
  }
  if (last_measured_ && std::abs(measured - *last_measured_) > settings_.implausible_step_kmh) {
    return Fault{FaultCause::implausible_reading,
                 fmt("measured speed jumped by %.1f km/h between two readings (limit %.1f km/h)",
                     std::abs(measured - *last_measured_), settings_.implausible_step_kmh)};
  }
  last_measured_ = measured;

  const double overspeed_limit = ref.overspeed_cap_kmh + settings_.overspeed_margin_kmh;
  if (measured > overspeed_limit) {
    return Fault{FaultCause::overspeed,
                 fmt("belt measured at %.1f km/h, above the cap plus margin of %.1f km/h", measured, overspeed_limit)};
  }

  if (ref.driving && std::abs(measured - ref.commanded_kmh) > settings_.tracking_tolerance_kmh) {
    if (!tracking_since_) tracking_since_ = now;
    if (now - *tracking_since_ >= settings_.tracking_time) {
      return Fault{FaultCause::tracking_error,
                   fmt("belt at %.1f km/h while %.1f km/h was commanded, for longer than the tracking time", measured,
                       ref.commanded_kmh)};
    }
  } else {
    tracking_since_.reset();
  }
  return std::nullopt;
}

void FaultMonitor::clear() {
  // The reading before the latch must not be compared with the first one after it. (The tracking
  // timer and the overrun count need no reset: a reset happens only at standstill, where the next
  // reading clears the one and the next on-time tick the other.)
  last_measured_.reset();
}

}  // namespace treadd
