// SPDX-License-Identifier: Apache-2.0
#include "hal/modbus_drive.hpp"

#include <algorithm>

namespace treadd {

using Clock = std::chrono::steady_clock;

ModbusDrive::ModbusDrive(const DriveSettings& settings, DriveProfile profile, double kmh_per_hz)
    : settings_(settings),
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
  std::string identity = read_identity();
  std::lock_guard lock(mutex_);
  readings_ = std::move(readings);
  identity_ = std::move(identity);
  settings_lost_.assign(checks_.size(), std::nullopt);
  for (std::size_t i = 0; i < readings_.size(); ++i) {
    if (!readings_[i].check.write && readings_[i].raw && !readings_[i].pass()) settings_lost_[i] = readings_[i].raw;
  }
  publish_settings_lost();
  last_restart_counter_.reset();
  return all_hold;
}

void ModbusDrive::publish_settings_lost() {
  // Every lost setting is tracked; the feedback names the first, and clears only when none is lost.
  latest_.setting_lost = 0;
  for (std::size_t i = 0; i < settings_lost_.size(); ++i) {
    if (settings_lost_[i]) {
      latest_.setting_lost = static_cast<std::uint16_t>(i + 1);
      latest_.setting_raw = *settings_lost_[i];
      return;
    }
  }
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
  std::lock_guard lock(mutex_);
  return identity_;
}

void ModbusDrive::count_restart() {
  ++latest_.drive_restarts;
  // Until the supervisor has answered the restart (its fast stop), no run goes to the drive: a run
  // resent to a drive that just came back would start the belt after a power blip.
  hold_stop_ = true;
}

std::vector<ParameterReading> ModbusDrive::parameter_readings() const {
  std::lock_guard lock(mutex_);
  return readings_;
}

void ModbusDrive::set_silent(bool silent) {
  // Speaking again starts with a read: a feedback register that echoes what treadd writes must
  // not make a belt the drive never stopped look stopped.
  if (!silent) read_first_ = true;
  silent_ = silent;
}

bool ModbusDrive::try_connect(std::string& why) {
  link_.close();
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
  // The drive answers: before its settings are judged, it is told to stop (the fast stop if one
  // is latched), so a belt left running by a lost link or a dead treadd stops even on a drive
  // that is then refused.
  {
    DriveCommand hold;
    {
      std::lock_guard lock(mutex_);
      hold = DriveCommand{wanted_.motion == Motion::fast_stop ? Motion::fast_stop : Motion::stop, wanted_.direction, 0};
    }
    send_command(hold);
  }
  if (!apply_parameters()) {
    why = "refusing to run the belt: the drive does not hold the settings profile " + profile_.name + " needs:\n" +
          failures(parameter_readings());
    link_.close();
    return false;
  }
  if (!send_command(DriveCommand{Motion::stop, Direction::reverse, 0}) || !read_feedback()) {
    why = "the drive stopped answering (" + describe() + "): " + link_.last_error();
    link_.close();
    return false;
  }
  std::lock_guard lock(mutex_);
  problem_.clear();
  return true;
}

void ModbusDrive::connect() {
  std::string why;
  if (!try_connect(why)) throw DriveError(why);
  stopping_ = false;
  thread_ = std::thread([this] { io_loop(); });
}

void ModbusDrive::start_connecting() {
  stopping_ = false;
  {
    std::lock_guard lock(mutex_);
    problem_ = "connecting to the drive (" + describe() + ")";
  }
  thread_ = std::thread([this] {
    reconnect_with_backoff();
    io_loop();
  });
}

std::string ModbusDrive::link_problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

void ModbusDrive::disconnect() {
  // Callable from two threads at once (commissioning's signal thread and its main one): one joins.
  std::lock_guard join_lock(join_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ModbusDrive::command(const DriveCommand& cmd) {
  if (cmd.acknowledge_fault) acknowledge_pending_ = true;  // sticky until the I/O thread has sent it
  std::lock_guard lock(mutex_);
  wanted_ = cmd;
  if (cmd.motion != Motion::run) hold_stop_ = false;  // the restart was answered with a stop
}

void ModbusDrive::emergency_stop() {
  {
    // Marked under the lock the I/O thread's wait reads it under: set after the unlock, the notify
    // could fall between the waiter's check and its sleep, and the e-stop would wait for the next
    // poll (about 1 % of e-stops did, the 17 ms tail). Only a change into the fast stop needs its
    // own frame: a repeated e-stop asks for the word every poll already sends.
    std::lock_guard lock(mutex_);
    if (wanted_.motion != Motion::fast_stop) estop_pending_ = true;
    wanted_ = DriveCommand{Motion::fast_stop, wanted_.direction, 0};
  }
  wake_.notify_all();
}

DriveFeedback ModbusDrive::feedback() {
  std::lock_guard lock(mutex_);
  return latest_;
}

LinkCounters ModbusDrive::link_counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void ModbusDrive::record_poll(bool ok) {
  {
    std::lock_guard lock(mutex_);
    counters_ = link_.counters();
    consecutive_failures_ = ok ? 0 : consecutive_failures_ + 1;
    // A broken connection is a lost link at once: the drive may have restarted and forgotten us.
    if (consecutive_failures_ >= settings_.max_failed_polls || (!ok && link_.broken())) latest_.link_up = false;
  }
  // A desynchronised TCP stream gets a fresh connection at once; it counts as a failed poll, not
  // as a lost link (that takes max_failed_polls, or a connection that cannot be made).
  if (!ok && link_.needs_resync() && !link_.broken()) link_.resync();
  if (!ok && (link_.broken() || !link_.is_open())) reconnect_with_backoff();
}

bool ModbusDrive::wait_until_next_poll(Clock::time_point next) {
  // An e-stop goes out as soon as it is asked for, between polls; a flood of requests cannot crowd
  // the feedback reads off the bus, because only a change into the fast stop is pending (above).
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next, [&] { return stopping_ || estop_pending_.load(); });
      if (stopping_) return false;
    }
    if (!estop_pending_) return true;  // the poll is due
    if (link_.is_open() && send_pending_estop()) continue;
    estop_pending_ = true;  // not sent: the next cycle sends it first
    record_poll(false);     // and the failure counts like a failed poll
    return true;
  }
}

bool ModbusDrive::sleep_unless_stopping(Clock::duration d) {
  // Only a stop request cuts the back-off short: a pending e-stop cannot be sent without a link,
  // and waking for it would turn the back-off into a busy loop against a dead drive.
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
  return !stopping_;
}

bool ModbusDrive::send_pending_estop() {
  // Until none is pending: an e-stop asked for while the previous one's frame was on the wire
  // (e-stop, reset, e-stop) goes next, not after the command write that follows this call —
  // that let one e-stop in a hundred wait two transactions on a paced RS-485 line.
  while (estop_pending_.exchange(false)) {
    if (!link_.write_register(profile_.command_register, profile_.fast_stop)) return false;
  }
  return true;
}

bool ModbusDrive::send_command(const DriveCommand& wanted) {
  DriveCommand cmd = wanted;
  if (hold_stop_ && cmd.motion == Motion::run) cmd = DriveCommand{Motion::stop, cmd.direction, 0};
  last_sent_motion_ = cmd.motion;
  if (!send_pending_estop()) return false;
  if (profile_.fault_reset && acknowledge_pending_.exchange(false) &&
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
  if (d.restart_flag && last_sent_motion_ == Motion::run) restarted = true;
  if (restarted) {
    apply_parameters();
    last_restart_counter_ = d.restart_counter;
    std::lock_guard lock(mutex_);
    count_restart();
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
  std::lock_guard lock(mutex_);
  latest_.sequence++;
  latest_.received_at = Clock::now();
  latest_.link_up = true;
  latest_.measured_kmh = d.measured_kmh;
  latest_.turning = d.direction;
  latest_.direction_verified = profile_.direction_source() != DirectionSource::none;
  latest_.fault_code = d.fault_code;
  latest_.safety_key_present = d.safety_key_present;
  return true;
}

bool ModbusDrive::cycle() {
  DriveCommand cmd;
  {
    std::lock_guard lock(mutex_);
    cmd = wanted_;
  }
  // The full command every cycle, not only on change, so a lost write heals on the next one.
  return send_command(cmd) && read_feedback() && scan_next_setting();
}

bool ModbusDrive::scan_next_setting() {
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
    std::lock_guard lock(mutex_);
    count_restart();
    return armed;
  }
  std::lock_guard lock(mutex_);
  settings_lost_.resize(checks_.size());
  settings_lost_[index] = check.holds(value) ? std::nullopt : std::optional<std::uint16_t>(value);
  publish_settings_lost();
  return true;
}

void ModbusDrive::reconnect_with_backoff() {
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    std::string why;
    if (try_connect(why)) {
      std::lock_guard lock(mutex_);
      ++counters_.reconnects;
      // Even a reconnect faster than a tick must reach the supervisor: the drive may have restarted.
      ++latest_.link_generation;
      return;
    }
    {
      std::lock_guard lock(mutex_);
      problem_ = why;
      latest_.link_up = false;
    }
    if (!sleep_unless_stopping(backoff)) return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

void ModbusDrive::io_loop() {
  // The poll schedule is a fixed grid: an e-stop request is sent between polls, never moves the
  // grid. (Adding a period per wake-up let a burst of e-stops push the next poll seconds away,
  // and the silence latched link loss again after every reset.)
  auto next = Clock::now();
  while (!stopping_) {
    if (!silent_) record_poll(link_.is_open() && (read_first_.exchange(false) ? read_feedback() : cycle()));
    next += settings_.poll_period;
    if (next < Clock::now()) next = Clock::now();  // after a slow cycle, no burst of catch-up polls
    if (!wait_until_next_poll(next)) break;
  }
  // Leaving: tell the drive to stop (it would stop by its own watchdog anyway) and close. A fast
  // stop under way stays one: its normal ramp may be several times longer.
  DriveCommand leave;
  {
    std::lock_guard lock(mutex_);
    leave = DriveCommand{wanted_.motion == Motion::fast_stop ? Motion::fast_stop : Motion::stop, wanted_.direction, 0};
  }
  if (link_.is_open()) send_command(leave);
  link_.close();
}

}  // namespace treadd
