// SPDX-License-Identifier: Apache-2.0
#include "hal/modbus_drive.hpp"

#include <algorithm>

namespace treadd {

ModbusDrive::ModbusDrive(const DriveSettings& settings, DriveProfile profile, double kmh_per_hz)
    : PolledDrive(settings.poll_period, settings.max_failed_polls),
      settings_(settings),
      profile_(std::move(profile)),
      kmh_per_hz_(kmh_per_hz),
      reads_(plan_feedback_reads(profile_)),
      link_(settings),
      checks_(profile_.parameters) {
  if (profile_.restart && profile_.restart->kind == RestartIndicator::Kind::marker) {
    const RestartIndicator& m = *profile_.restart;
    ParameterCheck marker;
    marker.parameter = "restart marker";
    marker.address = m.word.address;
    marker.write = m.value;
    marker.what = m.what + ": written at connect, cleared by the drive's power-up";
    marker.fix = "the drive refused the write: check the profile's restart register";
    checks_.push_back(marker);
  }
}

// The I/O thread calls this class's overrides: it ends before they go.
ModbusDrive::~ModbusDrive() { disconnect(); }

std::string ModbusDrive::describe() const { return link_.describe() + ", profile " + profile_.name; }

bool ModbusDrive::apply_parameters() {
  // Most drives ship with their comms-loss stop off; the belt must stop by itself if treadd dies.
  // What can be written is written; everything else (panel-only parameters included) is read.
  std::vector<ParameterReading> readings;
  for (const auto& check : checks_) {
    ParameterReading r{check, std::nullopt, {}};
    std::uint16_t value = 0;
    // A re-arm mid-session is a dozen transactions: an e-stop never waits behind them.
    send_pending_estop();
    const bool written = !check.write || link_.write_register(check.address, *check.write);
    const bool read = written && link_.read(check.type, check.address, 1, &value);
    if (read) {
      r.raw = value;
    } else {
      r.error = std::string(written ? "" : "writing it failed: ") + link_.last_error();
    }
    readings.push_back(std::move(r));
  }
  const bool all_hold = failures(readings).empty();
  std::vector<std::optional<std::uint16_t>> lost(checks_.size());
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (!readings[i].check.write && readings[i].raw && !readings[i].pass()) lost[i] = readings[i].raw;
  }
  report_settings(std::move(lost));
  std::string identity = read_identity();
  {
    std::lock_guard lock(readings_mutex_);
    readings_ = std::move(readings);
    identity_ = std::move(identity);
  }
  last_restart_counter_.reset();
  return all_hold;
}

std::string ModbusDrive::read_identity() {
  std::string out;
  for (const auto& id : profile_.identity) {
    std::uint16_t words[8] = {};
    out += (out.empty() ? "" : ", ") + id.name + " ";
    send_pending_estop();
    if (!link_.read(id.first.type, id.first.address, id.count, words)) {
      out += "unreadable";
      continue;
    }
    for (std::uint16_t i = 0; i < id.count; ++i) out += (i ? "-" : "") + std::to_string(words[i]);
  }
  return out;
}

std::string ModbusDrive::identity() const {
  std::lock_guard lock(readings_mutex_);
  return identity_;
}

std::vector<ParameterReading> ModbusDrive::parameter_readings() const {
  std::lock_guard lock(readings_mutex_);
  return readings_;
}

bool ModbusDrive::open_link(std::string& why) {
  if (!link_.open()) {
    why = link_.last_error();
    return false;
  }
  // A drive that answers nothing at all is a link to fix, not a list of panel settings.
  const auto exceptions_before = link_.counters().exceptions;
  std::uint16_t probe = 0;
  if (!link_.read(profile_.output_hz.type, profile_.output_hz.address, 1, &probe)) {
    why = link_.counters().exceptions != exceptions_before
              ? "the drive answered reading its output frequency (register " + std::to_string(profile_.output_hz.address) +
                    ") with an error: " + link_.last_error() + "; is drive.profile (" + profile_.name + ") this drive's?"
              : link_.no_answer();
    link_.close();
    return false;
  }
  return true;
}

bool ModbusDrive::arm(std::string& why) {
  if (apply_parameters()) return true;
  why = "refusing to run the belt: the drive does not hold the settings profile " + profile_.name + " needs:\n" +
        failures(parameter_readings());
  return false;
}

void ModbusDrive::after_failed_poll() {
  // A desynchronised TCP stream gets a fresh connection at once.
  if (link_.needs_resync()) link_.resync();
}

bool ModbusDrive::write_fast_stop() { return link_.write_register(profile_.command_register, profile_.fast_stop); }

bool ModbusDrive::write_command(const DriveCommand& cmd, bool acknowledge_fault) {
  if (profile_.fault_reset && acknowledge_fault &&
      !link_.write_register(profile_.fault_reset->address, profile_.fault_reset->value)) {
    return false;
  }
  const CommandWords words = encode_command(profile_, cmd, kmh_per_hz_);
  // Setpoint before run, so a run never starts on a stale setpoint; one frame when adjacent and
  // the profile says the drive takes multi-register writes to its control block.
  if (profile_.combined_write && profile_.setpoint.address == profile_.command_register + 1) {
    return link_.write_registers(profile_.command_register, {words.command, words.setpoint});
  }
  return link_.write_register(profile_.setpoint.address, words.setpoint) && send_pending_estop() &&
         link_.write_register(profile_.command_register, words.command);
}

bool ModbusDrive::read_feedback() {
  RegisterWords words;
  std::uint16_t buf[125];
  for (const auto& block : reads_) {
    if (!send_pending_estop()) return false;
    if (!link_.read(block.type, block.start, block.count, buf)) return false;
    for (std::uint16_t i = 0; i < block.count; ++i) words[{block.type, static_cast<std::uint16_t>(block.start + i)}] = buf[i];
  }
  DecodedFeedback d = decode_feedback(profile_, words, kmh_per_hz_);
  // A power-up counter that went back, or a power-up flag while the drive is told to run: the
  // drive restarted. Re-armed at once (a restarted drive may have forgotten its comms-loss stop).
  bool restarted = false;
  if (d.restart_counter) {
    // Going back is a restart; from near the top to near 0 is a counter that wrapped.
    const bool wrapped = last_restart_counter_ && *last_restart_counter_ > 0xF000 && *d.restart_counter < 0x1000;
    restarted = last_restart_counter_ && *d.restart_counter < *last_restart_counter_ && !wrapped;
    last_restart_counter_ = d.restart_counter;
  }
  // Judged against the word last sent, not the one wanted now: a run the drive never got cannot
  // have been refused by a drive that restarted.
  if (d.restart_flag && last_sent_motion() == Motion::run) restarted = true;
  if (restarted) {
    apply_parameters();
    last_restart_counter_ = d.restart_counter;
    report_restart();
  }
  if (d.fault_code != 0 && profile_.fault_number) {
    // The flag says "a fault"; the drive's own code says which (read only while faulted).
    std::uint16_t number = 0;
    const auto& r = *profile_.fault_number;
    if (!send_pending_estop()) return false;
    if (link_.read(r.type, r.address, 1, &number) && number != 0) {
      d.fault_code = number;
    }
  }
  publish_reading({d.measured_kmh, d.direction, profile_.direction_source() != DirectionSource::none, d.fault_code,
                   d.safety_key_present});
  return true;
}

bool ModbusDrive::poll_settings() {
  // A drive that restarts (a power blip) while the link stays quiet — on RS-485 there is no
  // connection to drop — comes back with its stored defaults, and its comms-loss watchdog may be
  // off: the belt would run on with no backstop. And a read-only setting changed at the panel
  // mid-session (58.16 comms-loss time set to 0) leaves a belt the drive would no longer stop by
  // itself. So every setting is read again, one per turn, all of them about once a second.
  if (checks_.empty()) return true;
  const auto cycles_per_second = std::max<long>(1, static_cast<long>(std::chrono::milliseconds(1000) / settings_.poll_period));
  const long every = std::max<long>(1, cycles_per_second / static_cast<long>(checks_.size()));
  if (++cycles_since_settings_check_ < every) return true;
  cycles_since_settings_check_ = 0;
  const std::size_t index = next_setting_;
  next_setting_ = (next_setting_ + 1) % checks_.size();
  const ParameterCheck& check = checks_[index];
  std::uint16_t value = 0;
  if (!send_pending_estop() || !link_.read(check.type, check.address, 1, &value)) return false;
  if (check.write) {
    if (value == *check.write) return true;
    const bool armed = apply_parameters();
    report_restart();
    return armed;
  }
  report_setting(index, checks_.size(), check.holds(value) ? std::nullopt : std::optional<std::uint16_t>(value));
  return true;
}

}  // namespace treadd
