// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/fault_monitor.hpp"

#include <cmath>
#include <utility>

#include "core/units.hpp"

namespace treadd {
namespace {

std::string ms(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<Millis>(d).count()) + " ms";
}

}  // namespace

Conditions FaultMonitor::standing(const DriveFeedback& fb, TimePoint now) const {
  Conditions c;
  if (!fb.link_up) {
    c.raise(RuleId::link_loss, {{"how", "the drive link is down (connection lost or polls failing)"}});
  } else if (now - fb.received_at > settings_.link_timeout) {
    c.raise(RuleId::link_loss, {{"how", "no valid reply from the drive"}});
  }
  if (fb.fault_code != 0) {
    const auto name = fault_names_.find(fb.fault_code);
    c.raise(RuleId::drive_fault,
            {{"code", std::to_string(fb.fault_code) +
                                                           (name == fault_names_.end() ? "" : " (" + name->second + ")")}});
  }
  if (!fb.safety_key_present) c.raise(RuleId::safety_key_lost, {});
  if (fb.setting_lost != 0) {
    const std::size_t i = fb.setting_lost - 1u;
    const DriveSettingText unknown{"setting #" + std::to_string(fb.setting_lost), "?", "check the drive profile"};
    const DriveSettingText& s = i < drive_settings_.size() ? drive_settings_[i] : unknown;
    c.raise(RuleId::drive_setting_changed,
            {{"setting", s.name},
                                                        {"value", std::to_string(fb.setting_raw)},
                                                        {"expected", s.expected},
                                                        {"fix", s.fix}});
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
    c.raise(RuleId::loop_overrun,
            {{"how", "stalled for " + ms(now - *previous_check) + " (limit " +
                                                           ms(settings_.link_timeout) + ")"}});
  }
  overruns_in_a_row_ = in.loop_overrun ? overruns_in_a_row_ + 1 : 0;
  if (overruns_in_a_row_ >= settings_.max_overruns) {
    c.raise(RuleId::loop_overrun,
            {{"how", "ran late " + std::to_string(overruns_in_a_row_) +
                                                           " ticks in a row (limit " +
                                                           std::to_string(settings_.max_overruns) + ")"}});
  }
  const DriveFeedback& fb = in.feedback;
  const Conditions outlasting = standing(fb, now);
  for (Fault f : outlasting.seen()) {
    if (f.rule == RuleId::link_loss && fb.link_up) {
      f.detail += " for " + ms(now - fb.received_at) + " (limit " + ms(settings_.link_timeout) + ")";
      f.facts.emplace_back("silent_for", ms(now - fb.received_at));
      f.facts.emplace_back("limit", ms(settings_.link_timeout));
    }
    c.raise(std::move(f));
  }
  // Before the link and the speed: a restarted drive also drops its speed and may drop the link,
  // and the technician must hear the cause, not its symptoms.
  const auto previous_restarts = std::exchange(drive_restarts_, fb.drive_restarts);
  const auto previous_generation = std::exchange(link_generation_, fb.link_generation);
  if (previous_restarts && *previous_restarts != fb.drive_restarts) {
    c.raise(RuleId::drive_restarted,
            {{"how", "it reported a power-up or forgot a setting treadd writes"}});
  } else if (previous_generation && *previous_generation != fb.link_generation) {
    c.raise(RuleId::link_loss,
            {{"how", "the connection to the drive was lost and re-established (it may have restarted)"}});
  }
  if (fb.sequence == last_sequence_) return c;  // no new reading: nothing more to judge
  last_sequence_ = fb.sequence;
  const double measured = fb.measured_kmh;

  if (!std::isfinite(measured) || measured < 0) {
    c.raise(RuleId::implausible_reading,
            {{"how", "the drive reported an impossible speed"}});
    return c;  // a reading that is no speed cannot be judged further
  }
  if (last_measured_ && std::abs(measured - *last_measured_) > settings_.implausible_step_kmh) {
    // The reading before the jump stays the reference: the jump holds until a reset clears it.
    c.raise(RuleId::implausible_reading,
            {{"how", "measured speed jumped by " + units::format_kmh(std::abs(measured - *last_measured_)) +
                                     " between two readings (limit " +
                                     units::format_kmh(settings_.implausible_step_kmh) + ")"}});
  } else {
    last_measured_ = measured;
  }

  // A belt turning the wrong way is the worst hazard of a reverse treadmill: judged on what the
  // drive reports, never on what it was told, while it is told to run, above standstill and for a
  // few polls. (A belt pushed round by hand with the drive stopped has no commanded direction.)
  if (ref.driving && fb.turning && *fb.turning != ref.direction && measured >= settings_.standstill_kmh) {
    if (!wrong_turn_since_) wrong_turn_since_ = now;
    if (now - *wrong_turn_since_ >= settings_.wrong_direction_time) {
      c.raise(RuleId::wrong_direction,
              {{"turning", to_string(*fb.turning)},
                                                    {"commanded", to_string(ref.direction)},
                                                    {"limit", units::format_duration(settings_.wrong_direction_time)}});
    }
  } else {
    wrong_turn_since_.reset();
  }

  const double overspeed_limit = ref.overspeed_cap_kmh + settings_.overspeed_margin_kmh;
  if (measured > overspeed_limit) {
    c.raise(RuleId::overspeed, {{"measured", units::format_kmh(measured)},
                                                               {"limit", units::format_kmh(overspeed_limit)}});
  }

  if (ref.driving && std::abs(measured - ref.commanded_kmh) > settings_.tracking_tolerance_kmh) {
    if (!tracking_since_) tracking_since_ = now;
    if (now - *tracking_since_ >= settings_.tracking_time) {
      c.raise(RuleId::tracking_error,
              {{"measured", units::format_kmh(measured)},
                                                   {"commanded", units::format_kmh(ref.commanded_kmh)},
                                                   {"limit", units::format_duration(settings_.tracking_time)}});
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
