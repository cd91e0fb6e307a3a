#include "hal/modbus_drive.hpp"

#include <algorithm>

namespace treadd {

using Clock = std::chrono::steady_clock;

ModbusDrive::ModbusDrive(const DriveSettings& settings, DriveProfile profile, double kmh_per_hz)
    : settings_(settings),
      profile_(std::move(profile)),
      kmh_per_hz_(kmh_per_hz),
      reads_(plan_feedback_reads(profile_)),
      link_(settings) {}

ModbusDrive::~ModbusDrive() { disconnect(); }

std::string ModbusDrive::describe() const { return link_.describe() + ", profile " + profile_.name; }

bool ModbusDrive::apply_parameters() {
  // Most drives ship with their comms-loss stop off; the belt must stop by itself if treadd dies.
  // What can be written is written; everything else (panel-only parameters included) is read.
  std::vector<ParameterReading> readings;
  for (const auto& check : profile_.parameters) {
    ParameterReading r{check, std::nullopt, {}};
    std::uint16_t value = 0;
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
  std::lock_guard lock(mutex_);
  readings_ = std::move(readings);
  return all_hold;
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

void ModbusDrive::connect() {
  if (!link_.open()) throw DriveError(link_.last_error());
  if (!apply_parameters()) {
    link_.close();
    throw DriveError("refusing to run a belt the drive would not stop by itself (profile " + profile_.name + "):\n" +
                     failures(parameter_readings()));
  }
  if (!send_command(DriveCommand{Motion::stop, Direction::reverse, 0}) || !read_feedback()) {
    link_.close();
    throw DriveError("the drive does not answer (" + describe() + "): " + link_.last_error());
  }
  stopping_ = false;
  thread_ = std::thread([this] { io_loop(); });
}

void ModbusDrive::disconnect() {
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
}

void ModbusDrive::emergency_stop() {
  {
    std::lock_guard lock(mutex_);
    wanted_ = DriveCommand{Motion::fast_stop, wanted_.direction, 0};
  }
  estop_pending_ = true;
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
  // At most one out-of-band e-stop frame between two polls: the next poll writes the fast-stop
  // word anyway, and a flood of requests must not crowd the feedback reads off the bus.
  bool sent_estop = false;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next, [&] { return stopping_ || (!sent_estop && estop_pending_.load()); });
      if (stopping_) return false;
    }
    if (sent_estop || !estop_pending_) return true;  // the poll is due
    if (link_.is_open() && send_pending_estop()) {
      sent_estop = true;
      continue;
    }
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
  if (!estop_pending_.exchange(false)) return true;
  return link_.write_register(profile_.command_register, profile_.fast_stop);
}

bool ModbusDrive::send_command(const DriveCommand& cmd) {
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
  latest_.direction = d.direction.value_or(wanted_.direction);
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
  return send_command(cmd) && read_feedback() && check_drive_settings();
}

bool ModbusDrive::check_drive_settings() {
  // A drive that restarts (a power blip) while the link stays quiet — on RS-485 there is no
  // connection to drop — comes back with its stored defaults, and its comms-loss watchdog may be
  // off: the belt would run on with no backstop. About once a second the watchdog registers are
  // read back; if one changed, it is armed again and the link is reported lost and re-established,
  // which the supervisor latches as link loss ("it may have restarted").
  const auto every = std::max<long>(1, static_cast<long>(std::chrono::milliseconds(1000) / settings_.poll_period));
  if (++cycles_since_settings_check_ < every) return true;
  cycles_since_settings_check_ = 0;
  for (const auto& check : profile_.parameters) {
    if (!check.write) continue;  // panel-only parameters survive a restart; written ones may not
    std::uint16_t value = 0;
    if (!send_pending_estop() || !link_.read_holding(check.address, 1, &value)) return false;
    if (value == *check.write) continue;
    const bool armed = apply_parameters();
    std::lock_guard lock(mutex_);
    ++latest_.link_generation;
    return armed;
  }
  return true;
}

void ModbusDrive::reconnect_with_backoff() {
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    link_.close();
    if (link_.open() && apply_parameters()) {
      std::lock_guard lock(mutex_);
      ++counters_.reconnects;
      // Even a reconnect faster than a tick must reach the supervisor: the drive may have restarted.
      ++latest_.link_generation;
      return;
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
  // Leaving: tell the drive to stop (it would stop by its own watchdog anyway) and close.
  Direction direction;
  {
    std::lock_guard lock(mutex_);
    direction = wanted_.direction;
  }
  if (link_.is_open()) send_command(DriveCommand{Motion::stop, direction, 0});
  link_.close();
}

}  // namespace treadd
