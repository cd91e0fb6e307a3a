// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/fault_monitor.hpp"

#include <cmath>
#include <utility>


namespace treadd {
Conditions FaultMonitor::standing(const DriveFeedback& fb, TimePoint now) const {
  Conditions c;
  if (!fb.link_up) {
    c.raise(RuleId::link_loss, {{"how", Word{"link_down"}}});
  } else if (now - fb.received_at > settings_.link_timeout) {
    c.raise(RuleId::link_loss, {{"how", Word{"no_reply"}},
                                {"silent_for", Ms{std::chrono::duration_cast<Millis>(now - fb.received_at)}},
                                {"limit", Ms{settings_.link_timeout}}});
  }
  if (fb.fault_code != 0) c.raise(RuleId::drive_fault, {{"code", DriveFaultCode{fb.fault_code}}});
  if (!fb.safety_key_present) c.raise(RuleId::safety_key_lost, {});
  if (fb.setting_lost != 0) {
    c.raise(RuleId::drive_setting_changed,
            {{"setting", DriveSetting{fb.setting_lost}}, {"value", Count{fb.setting_raw}}});
  }
  return c;
}

Conditions FaultMonitor::evaluate(const TickInputs& in, const MotionReference& ref, TimePoint now) {
  Conditions c;
  // A loop that stood still (SIGSTOP, swapped out, a stuck handler) for as long as the link may
  // be silent is named as what it was, before the drive's reaction to it (its own comms-loss trip)
  // is mistaken for the cause: it is looked at first.
  const auto previous_check = std::exchange(last_check_, now);
  if (previous_check && now - *previous_check > settings_.link_timeout) {
    c.raise(RuleId::loop_overrun, {{"how", Word{"stalled"}},
                                   {"stalled_for", Ms{std::chrono::duration_cast<Millis>(now - *previous_check)}},
                                   {"limit", Ms{settings_.link_timeout}}});
  }
  overruns_in_a_row_ = in.loop_overrun ? overruns_in_a_row_ + 1 : 0;
  if (overruns_in_a_row_ >= settings_.max_overruns) {
    c.raise(RuleId::loop_overrun, {{"how", Word{"late"}},
                                   {"ticks", Count{overruns_in_a_row_}},
                                   {"limit_ticks", Count{settings_.max_overruns}}});
  }
  const DriveFeedback& fb = in.feedback;
  const Conditions outlasting = standing(fb, now);
  for (const Fault& f : outlasting.seen()) c.raise(f);
  // Before the link and the speed: a restarted drive also drops its speed and may drop the link,
  // and the technician must hear the cause, not its symptoms.
  const auto previous_restarts = std::exchange(drive_restarts_, fb.drive_restarts);
  const auto previous_generation = std::exchange(link_generation_, fb.link_generation);
  if (previous_restarts && *previous_restarts != fb.drive_restarts) {
    c.raise(RuleId::drive_restarted, {{"how", Word{"power_up"}}});
  } else if (previous_generation && *previous_generation != fb.link_generation) {
    c.raise(RuleId::link_loss, {{"how", Word{"reconnected"}}});
  }
  if (fb.sequence == last_sequence_) return c;  // no new reading: nothing more to judge
  last_sequence_ = fb.sequence;
  const double measured = fb.measured_kmh;

  if (!std::isfinite(measured) || measured < 0) {
    c.raise(RuleId::implausible_reading, {{"how", Word{"impossible_speed"}}});
    return c;  // a reading that is no speed cannot be judged further
  }
  if (last_measured_ && std::abs(measured - *last_measured_) > settings_.implausible_step_kmh) {
    // The reading before the jump stays the reference: the jump holds until a reset clears it.
    c.raise(RuleId::implausible_reading, {{"how", Word{"jump"}},
                                          {"jump", Kmh{std::abs(measured - *last_measured_)}},
                                          {"limit", Kmh{settings_.implausible_step_kmh}}});
  } else {
    last_measured_ = measured;
  }

  // A belt turning the wrong way is the worst hazard of a reverse treadmill: judged on what the
  // drive reports, never on what it was told, while it is told to run, above standstill and for a
  // few polls. (A belt pushed round by hand with the drive stopped has no commanded direction.)
  if (ref.driving && fb.turning && *fb.turning != ref.direction && measured >= settings_.standstill_kmh) {
    if (!wrong_turn_since_) wrong_turn_since_ = now;
    if (now - *wrong_turn_since_ >= settings_.wrong_direction_time) {
      c.raise(RuleId::wrong_direction, {{"turning", Word{to_string(*fb.turning)}},
                                        {"commanded", Word{to_string(ref.direction)}},
                                        {"limit", Span{settings_.wrong_direction_time}}});
    }
  } else {
    wrong_turn_since_.reset();
  }

  const double overspeed_limit = ref.overspeed_cap_kmh + settings_.overspeed_margin_kmh;
  if (measured > overspeed_limit) {
    c.raise(RuleId::overspeed, {{"measured", Kmh{measured}}, {"limit", Kmh{overspeed_limit}}});
  }

  if (ref.driving && std::abs(measured - ref.commanded_kmh) > settings_.tracking_tolerance_kmh) {
    if (!tracking_since_) tracking_since_ = now;
    if (now - *tracking_since_ >= settings_.tracking_time) {
      c.raise(RuleId::tracking_error, {{"measured", Kmh{measured}},
                                       {"commanded", Kmh{ref.commanded_kmh}},
                                       {"limit", Span{settings_.tracking_time}}});
    }
  } else {
    tracking_since_.reset();
  }
  return c;
}

void FaultMonitor::clear() {
  // The reading before the latch must not be compared with the first one after it. (The tracking
  // timer and the overrun count need no reset: a reset happens only at standstill, where the next
  // reading clears the one and the next on-time tick the other.)
  last_measured_.reset();
  wrong_turn_since_.reset();
}

}  // namespace treadd
