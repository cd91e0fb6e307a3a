// SPDX-License-Identifier: Apache-2.0
#include "hal/polled_drive.hpp"

#include <algorithm>

namespace treadd {

using Clock = std::chrono::steady_clock;

bool PolledDrive::try_connect(std::string& why) {
  close_link();
  if (!open_link(why)) return false;
  // The drive answers: before its settings are judged, it is told to stop (the fast stop if one
  // is latched), so a belt left running by a lost link or a dead treadd stops even on a drive
  // that is then refused.
  DriveCommand hold;
  {
    std::lock_guard lock(mutex_);
    hold = DriveCommand{wanted_.motion == Motion::fast_stop ? Motion::fast_stop : Motion::stop, wanted_.direction, 0};
  }
  send(hold);
  if (!arm(why)) {
    close_link();
    return false;
  }
  if (!send(DriveCommand{Motion::stop, Direction::reverse, 0}) || !read_feedback()) {
    why = "the drive stopped answering (" + describe() + "): " + link_error();
    close_link();
    return false;
  }
  std::lock_guard lock(mutex_);
  problem_.clear();
  return true;
}

void PolledDrive::connect() {
  std::string why;
  if (!try_connect(why)) throw DriveError(why);
  stopping_ = false;
  thread_ = std::thread([this] { io_loop(); });
}

void PolledDrive::start_connecting() {
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

std::string PolledDrive::link_problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

void PolledDrive::disconnect() {
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

std::optional<std::thread::native_handle_type> PolledDrive::io_thread() {
  if (!thread_.joinable()) return std::nullopt;
  return thread_.native_handle();
}

void PolledDrive::command(const DriveCommand& cmd) {
  if (cmd.acknowledge_fault) acknowledge_pending_ = true;  // sticky until the I/O thread has sent it
  std::lock_guard lock(mutex_);
  wanted_ = cmd;
  if (cmd.motion != Motion::run) hold_stop_ = false;  // the restart was answered with a stop
}

void PolledDrive::emergency_stop() {
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

DriveFeedback PolledDrive::feedback() {
  std::lock_guard lock(mutex_);
  return latest_;
}

LinkCounters PolledDrive::link_counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void PolledDrive::set_silent(bool silent) {
  // Speaking again starts with a read: a feedback register that echoes what treadd writes must
  // not make a belt the drive never stopped look stopped.
  if (!silent) read_first_ = true;
  silent_ = silent;
}

bool PolledDrive::send_pending_estop() {
  // Until none is pending: an e-stop asked for while the previous one's frame was on the wire
  // (e-stop, reset, e-stop) goes next, not after the command write that follows this call —
  // that let one e-stop in a hundred wait two transactions on a paced RS-485 line.
  while (estop_pending_.exchange(false)) {
    if (!write_fast_stop()) return false;
  }
  return true;
}

bool PolledDrive::send(const DriveCommand& wanted) {
  DriveCommand cmd = wanted;
  if (hold_stop_ && cmd.motion == Motion::run) cmd = DriveCommand{Motion::stop, cmd.direction, 0};
  last_sent_motion_ = cmd.motion;
  if (!send_pending_estop()) return false;
  return write_command(cmd, acknowledge_pending_.exchange(false));
}

void PolledDrive::publish_reading(const Reading& r) {
  std::lock_guard lock(mutex_);
  latest_.sequence++;
  latest_.received_at = Clock::now();
  latest_.link_up = true;
  latest_.measured_kmh = r.measured_kmh;
  latest_.turning = r.turning;
  latest_.direction_verified = r.direction_verified;
  latest_.fault_code = r.fault_code;
  latest_.safety_key_present = r.safety_key_present;
}

void PolledDrive::report_restart() {
  std::lock_guard lock(mutex_);
  ++latest_.drive_restarts;
  // Until the supervisor has answered the restart (its fast stop), no run goes to the drive: a run
  // resent to a drive that just came back would start the belt after a power blip.
  hold_stop_ = true;
}

void PolledDrive::report_settings(std::vector<std::optional<std::uint16_t>> lost) {
  std::lock_guard lock(mutex_);
  settings_lost_ = std::move(lost);
  publish_settings_lost();
}

void PolledDrive::report_setting(std::size_t index, std::size_t count, std::optional<std::uint16_t> lost) {
  std::lock_guard lock(mutex_);
  settings_lost_.resize(count);
  if (index < count) settings_lost_[index] = lost;
  publish_settings_lost();
}

void PolledDrive::publish_settings_lost() {
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

void PolledDrive::record_poll(bool ok) {
  {
    std::lock_guard lock(mutex_);
    counters_ = transport_counters();
    consecutive_failures_ = ok ? 0 : consecutive_failures_ + 1;
    // A broken connection is a lost link at once: the drive may have restarted and forgotten us.
    if (consecutive_failures_ >= max_failed_polls_ || (!ok && link_broken())) latest_.link_up = false;
  }
  // A failed poll on a connection still there may heal it (a TCP stream resynchronised): it counts
  // as a failed poll, not as a lost link (that takes max_failed_polls, or a connection that cannot be made).
  if (!ok && !link_broken()) after_failed_poll();
  if (!ok && (link_broken() || !link_open())) reconnect_with_backoff();
}

bool PolledDrive::wait_until_next_poll(Clock::time_point next) {
  // An e-stop goes out as soon as it is asked for, between polls; a flood of requests cannot crowd
  // the feedback reads off the bus, because only a change into the fast stop is pending (above).
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next, [&] { return stopping_ || estop_pending_.load(); });
      if (stopping_) return false;
    }
    if (!estop_pending_) return true;  // the poll is due
    if (link_open() && send_pending_estop()) continue;
    estop_pending_ = true;  // not sent: the next cycle sends it first
    record_poll(false);     // and the failure counts like a failed poll
    return true;
  }
}

bool PolledDrive::sleep_unless_stopping(Clock::duration d) {
  // Only a stop request cuts the back-off short: a pending e-stop cannot be sent without a link,
  // and waking for it would turn the back-off into a busy loop against a dead drive.
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
  return !stopping_;
}

void PolledDrive::reconnect_with_backoff() {
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

void PolledDrive::io_loop() {
  // The poll schedule is a fixed grid: an e-stop request is sent between polls, never moves the
  // grid. (Adding a period per wake-up let a burst of e-stops push the next poll seconds away,
  // and the silence latched link loss again after every reset.)
  auto next = Clock::now();
  while (!stopping_) {
    if (!silent_) {
      bool ok = link_open();
      if (ok && read_first_.exchange(false)) {
        ok = read_feedback();
      } else if (ok) {
        DriveCommand cmd;
        {
          std::lock_guard lock(mutex_);
          cmd = wanted_;
        }
        // The full command every cycle, not only on change, so a lost write heals on the next one.
        ok = send(cmd) && read_feedback() && poll_settings();
      }
      record_poll(ok);
    }
    next += poll_period_;
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
  if (link_open()) send(leave);
  close_link();
}

}  // namespace treadd
