// SPDX-License-Identifier: Apache-2.0
#include "daemon/commissioning/commissioning.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>

#include "core/ramp.hpp"
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

CommissioningCheck check(std::string name, std::string kind, bool pass, std::string detail) {
  CommissioningCheck c;
  c.name = std::move(name);
  c.kind = std::move(kind);
  c.pass = pass;
  c.detail = std::move(detail);
  return c;
}

// Thrown out of the belt tests when the technician stops them (the drive is already fast-stopped).
struct Stopped {};

class BeltTests {
 public:
  BeltTests(const FullConfig& config, MotorDrive& drive, const CommissioningIo& io, CommissioningRecord& rec)
      : m_(config.machine), profile_(*config.drive_profile), drive_(drive), io_(io), rec_(rec) {}

  void run_all() {
    const double slow = std::min({commissioning_max_kmh, m_.ceilings.forward_max_kmh > 0 ? m_.ceilings.forward_max_kmh : 99.0,
                                  m_.ceilings.reverse_max_kmh});
    try {
      if (m_.ceilings.forward_max_kmh > 0) {
        if (!run_check("forward run", Direction::forward, slow)) return;
        stop_check("normal stop", [&] { drive_.command(DriveCommand{Motion::stop, Direction::forward, 0}); },
                   std::chrono::duration<double>(m_.ceilings.max_stop_time).count());
      }
      if (!run_check("reverse run", Direction::reverse, slow)) return;
      belt_direction_by_eye();
      estop_check("emergency stop", slow);
      const double cap = m_.ceilings.reverse_max_kmh;
      if (cap > slow) {
        if (!run_check("reverse run at the reverse ceiling", Direction::reverse, cap)) return;
        estop_check("emergency stop from the reverse ceiling", cap);
      }
      backstop_check(slow);
    } catch (const Stopped&) {
      record(check("stopped by the technician", "belt", false,
                   "an e-stop (socket or signal) ended the belt tests; the drive was told to fast-stop"));
    }
  }

 private:
  // The e-stop comes from another thread: a run sent just as it arrived must not outlive it, so the
  // stop is checked again after the command and the fast stop repeated.
  void command(const DriveCommand& c) {
    if (stopped()) throw Stopped{};
    drive_.command(c);
    if (stopped()) {
      drive_.emergency_stop();
      throw Stopped{};
    }
  }
  bool stopped() const { return io_.stopped != nullptr && io_.stopped->load(); }
  void pause(Clock::duration d) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
      if (stopped()) throw Stopped{};
      std::this_thread::sleep_for(std::min<Clock::duration>(10ms, until - Clock::now()));
    }
  }

  // Ramps the setpoint at the machine's max_accel (the drive's own ramp may be gentler), then
  // waits for the belt to hold the speed for a second.
  // False when the belt did not run as commanded: the remaining tests are not run on such a drive.
  bool run_check(const std::string& name, Direction dir, double kmh) {
    io_.say(name + ": " + units::format_kmh(kmh) + "...");
    const auto step = 20ms;
    for (double sp = 0; sp < kmh;) {
      sp = ramp_toward(sp, kmh, m_.ceilings.max_accel_mps2, m_.ceilings.max_decel_mps2, std::chrono::duration<double>(step).count());
      command(DriveCommand{Motion::run, dir, sp});
      pause(step);
    }
    const double tolerance = std::max(0.2, 0.1 * kmh);
    const auto deadline = Clock::now() + 15s;
    auto steady_since = Clock::now();
    double sum = 0;
    int n = 0;
    DriveFeedback fb;
    bool held = false;
    const auto started = Clock::now();
    while (Clock::now() < deadline) {
      pause(step);
      fb = drive_.feedback();
      // Not moving at all after 3 s at full command: the drive ignores the bus, nothing to wait for.
      if (Clock::now() - started > 3s && fb.measured_kmh < m_.safety.standstill_kmh) break;
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
    CommissioningCheck c = check(name, "belt", false, "");
    c.commanded_kmh = kmh;
    c.measured_kmh = held ? sum / n : fb.measured_kmh;
    const std::string seen = "commanded " + units::format_kmh(kmh) + " " + to_string(dir) + ", measured " +
                             units::format_kmh(*c.measured_kmh);
    const bool verified = profile_.direction_source() != DirectionSource::none;
    if (!fb.link_up) {
      c.detail = seen + ": the drive stopped answering";
    } else if (fb.fault_code != 0) {
      c.detail = seen + ": the drive tripped (fault " + profile_.describe_fault(fb.fault_code) + ")";
    } else if (!held && fb.measured_kmh < m_.safety.standstill_kmh) {
      std::string asked;
      for (const auto& q : profile_.panel_questions) {
        if (q.parameter != "wiring") asked += (asked.empty() ? "" : ", ") + q.parameter;
      }
      c.detail = seen + ": the belt did not move: the drive ignores treadd's run command; check that it takes its "
                        "commands and setpoint from Modbus (" + (asked.empty() ? std::string("its control source") : asked) +
                 ") and that its enable input is closed";
    } else if (!held && fb.measured_kmh > 3 * kmh) {
      c.detail = seen + ": the feedback register (" + std::to_string(profile_.output_hz.address) +
                 ") is read with the wrong scale or sign; check feedback.output_hz's scale and signed";
    } else if (!held) {
      c.detail = seen + ": the belt did not hold the commanded speed within " + units::format_kmh(tolerance) +
                 " in 15 s; check belt.kmh_per_hz and the drive's frequency scaling";
    } else if (verified && fb.turning != dir) {
      c.detail = seen + ", but the drive reports the motor turning " +
                 (fb.turning ? std::string(to_string(*fb.turning)) : std::string("neither way")) +
                 " (" + to_string(profile_.direction_source()) +
                 "): check the profile's run words and the drive's direction settings";
    } else {
      c.pass = true;
      c.detail = seen + (verified ? ", the drive reports it turning " + std::string(to_string(dir))
                                  : ", direction not reported by this drive (the technician confirms it by eye)");
    }
    record(c);
    if (!c.pass) {
      drive_.command(DriveCommand{Motion::stop, dir, 0});
      record(check("remaining belt tests", "belt", false, "not run: the belt did not run as commanded"));
    }
    return c.pass;
  }

  // No register shows a motor with two phases swapped: the drive believes it turns as told. Only
  // the technician's eyes prove the belt's own direction, once, here.
  void belt_direction_by_eye() {
    const auto answer = io_.ask(
        "The belt now runs in REVERSE. Look at its top surface: does it move toward the front (the console end), "
        "as a reverse belt for backward walking must?");
    if (stopped()) throw Stopped{};
    const bool yes = answer.value_or(false);
    record(check("belt direction (seen)", "belt", yes,
                 yes ? "the technician saw the belt run in reverse when reverse was commanded"
                     : answer ? "the belt runs the wrong way when reverse is commanded: swap two motor phases at the "
                                "drive's output (U/V/W), or fix the profile's run words; then commission again"
                              : "not answered (end of input)"));
  }

  // Time from the stop request until the belt reads standstill, against `bound_s`.
  void stop_check(const std::string& name, const std::function<void()>& stop, double bound_s) {
    const double from = drive_.feedback().measured_kmh;
    const auto t0 = Clock::now();
    if (stopped()) throw Stopped{};
    stop();
    std::optional<double> took;
    while (Clock::now() - t0 < std::chrono::duration<double>(bound_s + 5.0)) {
      pause(10ms);
      const DriveFeedback fb = drive_.feedback();
      if (fb.link_up && fb.received_at > t0 && fb.measured_kmh < m_.safety.standstill_kmh) {
        took = std::chrono::duration<double>(fb.received_at - t0).count();
        break;
      }
    }
    CommissioningCheck c = check(name, "belt", false, "");
    c.seconds = took;
    c.measured_kmh = from;
    if (!took) {
      c.detail = "the belt did not reach standstill within " + fixed(bound_s + 5.0, 1) + " s from " + units::format_kmh(from);
    } else {
      c.pass = *took <= bound_s;
      c.detail = "standstill " + fixed(*took) + " s after the request from " + units::format_kmh(from) + " (limit " +
                 fixed(bound_s) + " s)" + (c.pass ? "" : ": shorten the drive's stop ramp named in the profile");
    }
    record(c);
  }

  void estop_check(const std::string& name, double from_kmh) {
    const double expected = units::seconds_to_change(from_kmh, m_.ceilings.emergency_decel_mps2);
    stop_check(name, [&] { drive_.emergency_stop(); }, expected + 1.0);
    // Held for a few polls: after a fast stop (OFF3) ABB and Siemens drives are "switch-on
    // inhibited" until they see a stop word, and a run sent at once would be ignored.
    command(DriveCommand{Motion::stop, Direction::reverse, 0});
    pause(m_.drive.poll_period * 5);
  }

  // treadd falls silent on purpose: the drive must notice within backstop_within and stop the belt.
  void backstop_check(double kmh) {
    if (!run_check("belt at speed for the backstop test", Direction::reverse, kmh)) return;
    rec_.checks.pop_back();  // a means, not a check of its own
    io_.say("drive-side backstop: treadd goes silent...");
    const double stop_allowance = std::max(2.0, units::seconds_to_change(kmh, m_.ceilings.max_decel_mps2) * 2);
    const auto silence = std::chrono::duration<double>(profile_.backstop_within) + std::chrono::duration<double>(stop_allowance);
    drive_.set_silent(true);
    try {
      // A poll already under way when the silence began may still send the run it was sending;
      // only once it is through may the stop be queued (else it could go out and stop the belt).
      pause(m_.drive.poll_period + m_.drive.response_timeout * 3);
      command(DriveCommand{Motion::stop, Direction::reverse, 0});
      pause(std::chrono::duration_cast<Clock::duration>(silence));
    } catch (const Stopped&) {
      drive_.set_silent(false);
      drive_.emergency_stop();
      throw;
    }
    const auto resumed = Clock::now();
    drive_.set_silent(false);
    DriveFeedback fb;
    while (Clock::now() - resumed < 2s) {
      pause(10ms);
      fb = drive_.feedback();
      if (fb.received_at > resumed) break;
    }
    CommissioningCheck c = check("drive-side backstop", "belt", false, "");
    c.seconds = silence.count();
    c.commanded_kmh = kmh;
    c.measured_kmh = fb.measured_kmh;
    const std::string after = "after " + fixed(silence.count(), 1) + " s of silence (backstop_within " +
                              units::format_duration(profile_.backstop_within) + " + " + fixed(stop_allowance, 1) + " s to stop)";
    if (fb.received_at <= resumed) {
      c.detail = "the drive did not answer " + after;
    } else if (fb.measured_kmh >= m_.safety.standstill_kmh) {
      c.detail = "the belt still ran at " + units::format_kmh(fb.measured_kmh) + " " + after +
                 ": the drive's own comms-loss stop is off or slower than backstop_within; set " + profile_.backstop_set_by;
    } else {
      c.pass = true;
      c.detail = "the belt was at standstill " + after +
                 (fb.fault_code != 0 ? "; the drive reports fault " + profile_.describe_fault(fb.fault_code) : "");
    }
    record(c);
    // Clear the comms-loss trip so the drive is left as found.
    command(DriveCommand{Motion::stop, Direction::reverse, 0, true});
    pause(200ms);
  }

  void record(const CommissioningCheck& c) {
    io_.say(std::string(c.pass ? "  pass  " : "  FAIL  ") + c.name + ": " + c.detail);
    rec_.checks.push_back(c);
  }

  const MachineConfig& m_;
  const DriveProfile& profile_;
  MotorDrive& drive_;
  const CommissioningIo& io_;
  CommissioningRecord& rec_;
};

bool all_pass(const CommissioningRecord& r) {
  return std::all_of(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.pass; });
}

}  // namespace

CommissioningOutcome commission(const FullConfig& config, MotorDrive& drive, const CommissioningIo& io,
                                const std::function<void(const CommissioningRecord&)>& before_checks) {
  CommissioningOutcome out;
  CommissioningRecord& rec = out.record;
  rec.date = now_iso8601();
  rec.profile = config.drive_profile->name;
  rec.fingerprint = commissioning_fingerprint(config);
  rec.drive = drive.describe();
  rec.technician = io.technician;
  rec.treadd_version = TREADD_VERSION;
  rec.direction = to_string(config.drive_profile->direction_source());
  auto note = [&](CommissioningCheck c) {
    io.say(std::string(c.pass ? "  pass  " : "  FAIL  ") + c.name + (c.value.empty() ? "" : " = " + c.value) + ": " +
           c.detail);
    rec.checks.push_back(std::move(c));
  };

  io.say("1. drive parameters (" + rec.drive + ")");
  bool connected = true;
  try {
    drive.connect();
  } catch (const DriveError& e) {
    connected = false;
    if (drive.parameter_readings().empty()) {
      // No answer at all: the link, not the drive's settings. Nothing proven; the last report stays.
      out.drive_answered = false;
      note(check("connection", "parameter", false, e.what()));
      rec.passed = false;
      return out;
    }
  }
  rec.identity = drive.identity();
  rec.answered_by = io.answered_by;
  before_checks(rec);
  // A pass binds to the drive it was made on: an identity that cannot be read would match any drive.
  if (rec.identity.find("unreadable") != std::string::npos) {
    note(check("identity", "parameter", false, "the drive's identity could not be read (" + rec.identity +
                                                   "): check the profile's identity registers"));
  }
  for (const auto& r : drive.parameter_readings()) note(check(r.check.parameter, "parameter", r.pass(), r.detail()));

  io.say("2. settings made on the panel or by wiring");
  bool answered = true;
  for (const auto& q : config.drive_profile->panel_questions) {
    CommissioningCheck c = check(q.parameter, "question", false, "");
    if (!q.value.empty() && answered) {
      const auto v = io.ask_value(q.parameter + ": what does the panel show for " + q.value + "? (for the report)");
      if (v) c.value = *v;
      answered = v.has_value();
    }
    const auto yes = answered ? io.ask(q.parameter + ": " + q.ask) : std::nullopt;
    answered = answered && yes.has_value();
    c.pass = yes.value_or(false);
    c.detail = c.pass ? "confirmed by the technician" : yes ? "not confirmed: " + q.ask : "not answered (end of input)";
    note(c);
  }

  io.say("3. belt tests");
  const double top = std::max(commissioning_max_kmh, config.machine.ceilings.reverse_max_kmh);
  std::optional<bool> unloaded;
  if (connected && all_pass(rec) && answered) {
    unloaded = io.ask("The belt will run at up to " + units::format_kmh(top) +
                      " (1.5 km/h both ways, then reverse up to the reverse ceiling), stop, e-stop, and coast down by "
                      "itself. Is the belt unloaded and nobody on or near the treadmill?");
  }
  if (!connected || !all_pass(rec)) {
    note(check("belt tests", "belt", false, "not run: the drive's settings are not proven; fix the failures above first"));
  } else if (!unloaded.value_or(false)) {
    note(check("belt tests", "belt", false, unloaded ? "not run: the technician did not confirm an unloaded belt"
                                                     : "not run: the questions were not answered (end of input)"));
  } else {
    BeltTests(config, drive, io, rec).run_all();
  }
  if (connected) drive.disconnect();
  rec.passed = commissioning_passed(rec);
  return out;
}

}  // namespace treadd
