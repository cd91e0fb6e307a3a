#include "daemon/commissioning.hpp"
#include "core/ramp.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>

#include "core/units.hpp"

namespace treadd {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string fixed(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

class BeltTests {
 public:
  BeltTests(const FullConfig& config, ModbusDrive& drive, const CommissioningIo& io, CommissioningRecord& rec)
      : m_(config.machine), profile_(*config.drive_profile), drive_(drive), io_(io), rec_(rec) {}

  void run_all() {
    const double v = std::min({commissioning_max_kmh, m_.ceilings.forward_max_kmh, m_.ceilings.reverse_max_kmh});
    if (m_.ceilings.forward_max_kmh > 0) {
      run_check("forward run", Direction::forward, v);
      stop_check("normal stop", [&] { drive_.command(DriveCommand{Motion::stop, Direction::forward, 0}); },
                 std::chrono::duration<double>(m_.ceilings.max_stop_time).count());
    }
    run_check("reverse run", Direction::reverse, v);
    const double expected = units::seconds_to_change(v, m_.ceilings.emergency_decel_mps2);
    stop_check("emergency stop", [&] { drive_.emergency_stop(); }, expected + 1.0);
    drive_.command(DriveCommand{Motion::stop, Direction::reverse, 0});
    backstop_check(v);
  }

 private:
  // Ramps the setpoint at the machine's max_accel (the drive's own ramp may be gentler), then
  // waits for the belt to hold the speed for a second.
  void run_check(const std::string& name, Direction dir, double kmh) {
    io_.say(name + ": " + units::format_kmh(kmh) + "...");
    const auto step = 20ms;
    for (double sp = 0; sp < kmh;) {
      sp = ramp_toward(sp, kmh, m_.ceilings.max_accel_mps2, m_.ceilings.max_decel_mps2, std::chrono::duration<double>(step).count());
      drive_.command(DriveCommand{Motion::run, dir, sp});
      std::this_thread::sleep_for(step);
    }
    const double tolerance = std::max(0.2, 0.1 * kmh);
    const auto deadline = Clock::now() + 15s;
    auto steady_since = Clock::now();
    double sum = 0;
    int n = 0;
    DriveFeedback fb;
    bool held = false;
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(step);
      fb = drive_.feedback();
      if (std::abs(fb.measured_kmh - kmh) > tolerance || !fb.link_up || fb.fault_code != 0) {
        steady_since = Clock::now();
        sum = 0;
        n = 0;
        continue;
      }
      sum += fb.measured_kmh;
      ++n;
      if (Clock::now() - steady_since >= 1s) {
        held = true;
        break;
      }
    }
    CommissioningCheck c{name, "belt", false, "", std::nullopt, kmh, held ? sum / n : fb.measured_kmh};
    const std::string seen = "commanded " + units::format_kmh(kmh) + ", measured " + units::format_kmh(*c.measured_kmh);
    if (!fb.link_up) {
      c.detail = seen + ": the drive stopped answering";
    } else if (fb.fault_code != 0) {
      c.detail = seen + ": the drive tripped (fault " + std::to_string(fb.fault_code) + ")";
    } else if (!held && fb.measured_kmh > 3 * kmh) {
      c.detail = seen + ": the feedback register (" + std::to_string(profile_.output_hz.address) +
                 ") is read with the wrong scale or sign; check feedback.output_hz's scale and signed";
    } else if (!held) {
      c.detail = seen + ": the belt did not hold the commanded speed within " + units::format_kmh(tolerance) +
                 " in 15 s; check belt.kmh_per_hz and the drive's frequency scaling";
    } else if (profile_.output_hz.is_signed && fb.direction != dir) {
      c.detail = seen + ", but the drive reports the belt running " + to_string(fb.direction) +
                 ": the feedback sign disagrees with the command; check the motor's phase order and the profile's "
                 "reverse command";
    } else {
      c.pass = true;
      c.detail = seen + (profile_.output_hz.is_signed ? ", the drive reports " + std::string(to_string(fb.direction))
                                                      : ", direction as commanded (the drive reports no sign)");
    }
    record(c);
  }

  // Time from the stop request until the belt reads standstill, against `bound_s`.
  void stop_check(const std::string& name, const std::function<void()>& stop, double bound_s) {
    const double from = drive_.feedback().measured_kmh;
    const auto t0 = Clock::now();
    stop();
    std::optional<double> took;
    while (Clock::now() - t0 < std::chrono::duration<double>(bound_s + 5.0)) {
      std::this_thread::sleep_for(10ms);
      const DriveFeedback fb = drive_.feedback();
      if (fb.link_up && fb.received_at > t0 && fb.measured_kmh < m_.safety.standstill_kmh) {
        took = std::chrono::duration<double>(fb.received_at - t0).count();
        break;
      }
    }
    CommissioningCheck c{name, "belt", false, "", took, std::nullopt, from};
    if (!took) {
      c.detail = "the belt did not reach standstill within " + fixed(bound_s + 5.0, 1) + " s from " + units::format_kmh(from);
    } else {
      c.pass = *took <= bound_s;
      c.detail = "standstill " + fixed(*took) + " s after the request from " + units::format_kmh(from) + " (limit " +
                 fixed(bound_s) + " s)" + (c.pass ? "" : ": shorten the drive's stop ramp named in the profile");
    }
    record(c);
  }

  // treadd falls silent on purpose: the drive must notice within backstop_within and stop the belt.
  void backstop_check(double kmh) {
    run_check("belt at speed for the backstop test", Direction::reverse, kmh);
    if (!rec_.checks.back().pass) return;
    rec_.checks.pop_back();  // a means, not a check of its own
    io_.say("drive-side backstop: treadd goes silent...");
    const double stop_allowance = std::max(2.0, units::seconds_to_change(kmh, m_.ceilings.max_decel_mps2) * 2);
    const auto silence = std::chrono::duration<double>(profile_.backstop_within) + std::chrono::duration<double>(stop_allowance);
    drive_.set_silent(true);
    // A poll already under way when the silence began may still send the run it was sending;
    // only once it is through may the stop be queued (else it could go out and stop the belt).
    std::this_thread::sleep_for(m_.drive.poll_period + m_.drive.response_timeout * 3);
    drive_.command(DriveCommand{Motion::stop, Direction::reverse, 0});
    std::this_thread::sleep_for(silence);
    const auto resumed = Clock::now();
    drive_.set_silent(false);
    DriveFeedback fb;
    while (Clock::now() - resumed < 2s) {
      std::this_thread::sleep_for(10ms);
      fb = drive_.feedback();
      if (fb.received_at > resumed) break;
    }
    CommissioningCheck c{"drive-side backstop", "belt", false, "", silence.count(), kmh, fb.measured_kmh};
    const std::string after = "after " + fixed(silence.count(), 1) + " s of silence (backstop_within " +
                              units::format_duration(profile_.backstop_within) + " + " + fixed(stop_allowance, 1) + " s to stop)";
    if (fb.received_at <= resumed) {
      c.detail = "the drive did not answer " + after;
    } else if (fb.measured_kmh >= m_.safety.standstill_kmh) {
      c.detail = "the belt still ran at " + units::format_kmh(fb.measured_kmh) + " " + after +
                 ": the drive's comms-loss stop is off or too slow; set the profile's comms-loss parameters";
    } else {
      c.pass = true;
      c.detail = "the belt was at standstill " + after +
                 (fb.fault_code != 0 ? "; the drive reports fault " + std::to_string(fb.fault_code) : "");
    }
    record(c);
    // Clear the comms-loss trip so the drive is left as found.
    drive_.command(DriveCommand{Motion::stop, Direction::reverse, 0, true});
    std::this_thread::sleep_for(200ms);
  }

  void record(const CommissioningCheck& c) {
    io_.say(std::string(c.pass ? "  pass  " : "  FAIL  ") + c.name + ": " + c.detail);
    rec_.checks.push_back(c);
  }

  const MachineConfig& m_;
  const DriveProfile& profile_;
  ModbusDrive& drive_;
  const CommissioningIo& io_;
  CommissioningRecord& rec_;
};

bool all_pass(const CommissioningRecord& r) {
  return std::all_of(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.pass; });
}

}  // namespace

CommissioningRecord commission(const FullConfig& config, ModbusDrive& drive, const CommissioningIo& io) {
  CommissioningRecord rec;
  rec.date = now_iso8601();
  rec.profile = config.drive_profile->name;
  rec.fingerprint = commissioning_fingerprint(*config.drive_profile, config.machine.drive);
  rec.drive = drive.describe();
  auto note = [&](CommissioningCheck c) {
    io.say(std::string(c.pass ? "  pass  " : "  FAIL  ") + c.name + ": " + c.detail);
    rec.checks.push_back(std::move(c));
  };

  io.say("1. drive parameters (" + rec.drive + ")");
  bool connected = true;
  try {
    drive.connect();
  } catch (const DriveError& e) {
    connected = false;
    if (drive.parameter_readings().empty()) note({"connection", "parameter", false, e.what(), {}, {}, {}});
  }
  for (const auto& r : drive.parameter_readings()) note({r.check.parameter, "parameter", r.pass(), r.sentence(), {}, {}, {}});

  io.say("2. settings made on the panel or by wiring");
  for (const auto& q : config.drive_profile->panel_questions) {
    const bool yes = io.ask(q.parameter + ": " + q.ask);
    note({q.parameter, "question", yes, yes ? "confirmed by the technician" : "not confirmed: " + q.ask, {}, {}, {}});
  }

  io.say("3. belt tests");
  if (!connected || !all_pass(rec)) {
    note({"belt tests", "belt", false, "not run: the drive's backstop is not proven; fix the failures above first", {}, {}, {}});
  } else if (!io.ask("The belt will run at up to " + units::format_kmh(commissioning_max_kmh) +
                     " forward and in reverse, stop, e-stop, and coast down by itself. Is the belt unloaded and nobody "
                     "on or near the treadmill?")) {
    note({"belt tests", "belt", false, "not run: the technician did not confirm an unloaded belt", {}, {}, {}});
  } else {
    BeltTests(config, drive, io, rec).run_all();
  }
  if (connected) drive.disconnect();
  rec.passed = commissioning_passed(rec);
  return rec;
}

}  // namespace treadd
