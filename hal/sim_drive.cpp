// SPDX-License-Identifier: Apache-2.0
#include "hal/sim_drive.hpp"

#include "core/units.hpp"
#include <algorithm>

namespace treadd {

SimDrive::SimDrive(SimDriveOptions options, Clock clock)
    : options_(options),
      clock_(std::move(clock)),
      vfd_(options.vfd),
      ring_(static_cast<std::size_t>(options.feedback_lag / options.physics_step) + 2) {}

void SimDrive::connect() {
  connected_ = true;
  simulated_until_ = clock_();
  last_.link_up = true;
  last_.received_at = simulated_until_;
}

void SimDrive::disconnect() {
  if (connected_) apply(DriveCommand{Motion::stop, vfd_.direction(), 0});
  connected_ = false;
}

void SimDrive::apply(const DriveCommand& cmd) {
  const VfdRun run = cmd.motion == Motion::run ? VfdRun::run
                     : cmd.motion == Motion::fast_stop ? VfdRun::fast_stop
                                                       : VfdRun::stop;
  vfd_.command(run, cmd.direction, units::hz_from_kmh(cmd.setpoint_kmh, options_.kmh_per_hz));
  ++commands_received_;
}

void SimDrive::command(const DriveCommand& cmd) {
  advance();
  if (!connected_ || link_cut_ || silent_) return;
  if (cmd.acknowledge_fault) vfd_.reset_fault();
  apply(cmd);
}

void SimDrive::emergency_stop() {
  advance();
  // Even while silent: an e-stop during commissioning's backstop test must reach the drive.
  if (connected_ && !link_cut_) apply(DriveCommand{Motion::fast_stop, vfd_.direction(), 0});
}

void SimDrive::inject_fault(int code) {
  advance();
  vfd_.trip(code);
}

void SimDrive::advance() {
  if (!connected_) return;
  const TimePoint now = clock_();
  const auto step = options_.physics_step;
  while (simulated_until_ + step <= now) {
    simulated_until_ += step;
    vfd_.step(std::chrono::duration<double>(step).count());
    ring_[next_] = Sample{simulated_until_, units::kmh_from_hz(vfd_.belt_hz(), options_.kmh_per_hz), vfd_.direction(), vfd_.fault_code()};
    next_ = (next_ + 1) % ring_.size();
    filled_ = std::min(filled_ + 1, ring_.size());
  }
}

DriveFeedback SimDrive::feedback() {
  advance();
  if (!connected_ || link_cut_ || silent_) {
    last_.link_up = connected_ && !link_cut_;
    return last_;
  }
  if (filled_ > 0) {
    // The newest sample at least one feedback lag old (or the oldest there is).
    const TimePoint cutoff = clock_() - options_.feedback_lag;
    std::size_t pick = (next_ + ring_.size() - filled_) % ring_.size();
    for (std::size_t k = 1; k <= filled_; ++k) {
      const std::size_t i = (next_ + ring_.size() - k) % ring_.size();
      if (ring_[i].at <= cutoff) {
        pick = i;
        break;
      }
    }
    const Sample& s = ring_[pick];
    last_.measured_kmh = s.kmh + sensor_offset_kmh_;
    // The built-in model is its own belt sensor: it knows which way the belt turns.
    last_.turning = s.kmh > 0 ? std::optional(s.direction) : std::nullopt;
    last_.direction_verified = true;
    last_.fault_code = s.fault;
  }
  last_.safety_key_present = safety_key_present_;
  last_.link_up = true;
  last_.received_at = clock_();
  ++last_.sequence;
  return last_;
}

}  // namespace treadd
