// SPDX-License-Identifier: Apache-2.0
#include "tests/drives/conformance.hpp"

#include <cmath>
#include <thread>

#include "core/units.hpp"
#include "hal/modbus_drive.hpp"

namespace treadd::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kmh_per_hz = 0.2;

DriveSettings link_to(const TwinRig& rig) {
  DriveSettings d;
  d.transport = Transport::tcp;
  d.host = "127.0.0.1";
  d.port = rig.port();
  d.unit_id = 1;
  d.response_timeout = Millis(200);
  d.poll_period = Millis(20);
  d.max_failed_polls = 3;
  return d;
}

template <class Pred>
bool eventually(Pred pred, Clock::duration limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

std::string fixed(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// A value the check must refuse, as the drive would hold it after a careless panel edit.
std::optional<std::uint16_t> bad_value(const ParameterCheck& c) {
  if (c.equals) return static_cast<std::uint16_t>(*c.equals + 1);
  if (c.min) return static_cast<std::uint16_t>(*c.min - 1);
  if (c.max) return static_cast<std::uint16_t>(*c.max + 1);
  return std::nullopt;
}

class Run {
 public:
  Run(const DriveProfile& p, TwinRig& rig, ConformanceOptions o) : p_(p), rig_(rig), o_(o) {}

  std::vector<std::string> all() {
    misset_settings_are_refused_by_name();
    if (stop()) return problems_;
    rig_.reset(true);
    ModbusDrive drive(link_to(rig_), p_, kmh_per_hz);
    try {
      drive.connect();
    } catch (const DriveError& e) {
      problem(std::string("a commissioned drive was refused: ") + e.what());
      return problems_;
    }
    identity_is_the_drives(drive);
    if (!stop()) runs_reverse_as_commanded(drive);
    if (!stop()) stops_and_estops(drive);
    if (!stop()) reports_and_clears_a_trip(drive);
    if (!stop()) reports_the_safety_key(drive);
    // Before the restart: an ABB drive does not supervise the link for 30 s after a power-up.
    if (!stop()) stops_by_itself_when_treadd_falls_silent(drive);
    if (!stop()) notices_a_restart(drive);
    drive.disconnect();
    return problems_;
  }

 private:
  bool stop() const { return o_.stop_at_first_problem && !problems_.empty(); }
  void problem(std::string s) { problems_.push_back(std::move(s)); }

  // A setting the profile reads, mis-set on the drive's panel: the drive must be refused, naming it.
  void misset_settings_are_refused_by_name() {
    for (const auto& c : p_.parameters) {
      const auto bad = bad_value(c);
      if (c.write || !bad) continue;
      rig_.reset(true);
      if (!rig_.with([&](twin::DriveTwin& t) { return t.set_panel(c.parameter, *bad); })) continue;  // not a drive parameter
      ModbusDrive drive(link_to(rig_), p_, kmh_per_hz);
      try {
        drive.connect();
        drive.disconnect();
        problem("a drive with " + c.parameter + " = " + c.shown(*bad) + " on its panel was not refused (the profile reads register " +
                std::to_string(c.address) + ")");
      } catch (const DriveError& e) {
        if (std::string(e.what()).find(c.parameter + " reads") == std::string::npos) {
          problem("a drive with " + c.parameter + " mis-set was refused, but not by name: " + e.what());
        }
      }
      if (stop()) return;
    }
  }

  void runs_reverse_as_commanded(ModbusDrive& drive) {
    drive.command(DriveCommand{Motion::run, Direction::reverse, 2.0});
    const double want_hz = 2.0 / kmh_per_hz;
    if (!eventually([&] { return rig_.with([&](twin::DriveTwin& t) { return std::abs(t.motor_hz() - want_hz) < 0.3; }); }, 4s)) {
      problem("commanded 2.0 km/h reverse (" + fixed(want_hz) + " Hz), the motor runs at " +
              fixed(rig_.with([](twin::DriveTwin& t) { return t.motor_hz(); })) + " Hz");
      return;
    }
    if (rig_.with([](twin::DriveTwin& t) { return t.motor_turn(); }) != Direction::reverse) {
      problem("commanded reverse, the motor turns forward");
    }
    std::this_thread::sleep_for(100ms);
    const DriveFeedback fb = drive.feedback();
    if (std::abs(fb.measured_kmh - 2.0) > 0.3) problem("the motor runs at 2.0 km/h, the feedback reads " + fixed(fb.measured_kmh));
    if (p_.direction_source() != DirectionSource::none && fb.turning != Direction::reverse) {
      problem("the motor turns reverse, the feedback reports " +
              (fb.turning ? std::string(to_string(*fb.turning)) : std::string("no turn")));
    }
    if (fb.drive_restarts != 0) problem("a restart was reported while the drive ran on (restart: " + p_.restart->what + ")");
    if (fb.setting_lost != 0) problem("a setting was reported lost while the drive held it all");
  }

  void stops_and_estops(ModbusDrive& drive) {
    drive.command(DriveCommand{Motion::stop, Direction::reverse, 0});
    if (!eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() < 0.05; }); }, 3s)) {
      problem("a stop did not stop the motor");
      return;
    }
    drive.command(DriveCommand{Motion::run, Direction::reverse, 2.0});
    eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() > 9.0; }); }, 3s);
    drive.emergency_stop();
    const std::string wanted = p_.fast_stop == p_.stop ? "ramp" : "fast";
    if (!eventually([&] { return rig_.with([&](twin::DriveTwin& t) { return t.stopping_by() == wanted; }); }, 300ms)) {
      problem("an e-stop did not start the drive's " + wanted + " stop (it is stopping by '" +
              rig_.with([](twin::DriveTwin& t) { return t.stopping_by(); }) + "')");
    }
    if (!eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() < 0.05; }); }, 3s)) {
      problem("an e-stop did not stop the motor");
    }
    drive.command(DriveCommand{Motion::stop, Direction::reverse, 0});
  }

  // Tripped while running and still told to run: the feedback must follow the motor down (a
  // profile reading the frequency command instead of the output would hold the commanded speed).
  void reports_and_clears_a_trip(ModbusDrive& drive) {
    const int code = p_.fault_names.empty() ? 7 : p_.fault_names.begin()->first;
    drive.command(DriveCommand{Motion::run, Direction::reverse, 2.0});
    eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() > 9.0; }); }, 3s);
    rig_.with([&](twin::DriveTwin& t) { t.trip(code); return 0; });
    if (!eventually([&] { return drive.feedback().measured_kmh < 0.3; }, 4s)) {
      problem("the drive tripped and its motor coasted to a stop, the feedback still reads " +
              fixed(drive.feedback().measured_kmh) + " km/h");
    }
    // A one-bit fault flag reports 1; a code field or the drive's fault number reports the code.
    const bool flag_only = !p_.fault_number && std::popcount(p_.fault_code_mask) == 1;
    const int expected = flag_only ? 1 : code;
    if (!eventually([&] { return drive.feedback().fault_code == expected; }, 1s)) {
      problem("the drive tripped with fault " + std::to_string(code) + ", the feedback reads fault " +
              std::to_string(drive.feedback().fault_code) + " (expected " + std::to_string(expected) + ")");
    }
    // As the supervisor does: the reset (and the drive's acknowledge) only at standstill.
    drive.command(DriveCommand{Motion::stop, Direction::reverse, 0});
    eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() < 0.001; }); }, 4s);
    std::this_thread::sleep_for(100ms);
    drive.command(DriveCommand{Motion::stop, Direction::reverse, 0, true});
    if (!eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.fault_code() == 0; }); }, 1s)) {
      problem("the fault reset did not clear the drive's trip");
    }
    if (!eventually([&] { return drive.feedback().fault_code == 0; }, 1s)) problem("the feedback still reads a fault after the reset");
  }

  void reports_the_safety_key(ModbusDrive& drive) {
    if (!p_.safety_key) return;
    rig_.with([](twin::DriveTwin& t) { t.set_safety_key(false); return 0; });
    if (!eventually([&] { return !drive.feedback().safety_key_present; }, 1s)) problem("the key is out, the feedback says it is in");
    rig_.with([](twin::DriveTwin& t) { t.set_safety_key(true); return 0; });
    if (!eventually([&] { return drive.feedback().safety_key_present; }, 1s)) problem("the key is back, the feedback says it is out");
  }

  void notices_a_restart(ModbusDrive& drive) {
    if (!p_.restart) return;
    const auto before = drive.feedback().drive_restarts;
    drive.command(DriveCommand{Motion::run, Direction::reverse, 1.0});
    std::this_thread::sleep_for(300ms);
    rig_.with([](twin::DriveTwin& t) { t.power_cycle(); return 0; });
    if (!eventually([&] { return drive.feedback().drive_restarts != before; }, 3s)) {
      problem("the drive was switched off and on while running; treadd did not notice (restart: " + p_.restart->what + ")");
    }
    // A restarted drive runs again only after a stop word (ABB and Siemens: switch-on inhibited
    // until OFF1), as treadd sends after the latched fault's reset: held for a few polls.
    drive.command(DriveCommand{Motion::stop, Direction::reverse, 0});
    std::this_thread::sleep_for(150ms);
    eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() < 0.05; }); }, 3s);
  }

  // What treadd reads as the drive's identity is what its nameplate says, entry by entry.
  void identity_is_the_drives(ModbusDrive& drive) {
    const std::string id = drive.identity();
    const auto plate = rig_.with([](twin::DriveTwin& t) { return t.nameplate(); });
    for (const auto& entry : p_.identity) {
      const auto it = plate.find(entry.name);
      if (it == plate.end()) {
        problem("the profile reads an identity '" + entry.name + "' the drive does not have");
        continue;
      }
      std::string want = entry.name + " ";
      for (std::size_t i = 0; i < it->second.size(); ++i) want += (i ? "-" : "") + std::to_string(it->second[i]);
      if (id.find(want) == std::string::npos) problem("the drive's " + want + ", treadd read '" + id + "'");
    }
  }

  void stops_by_itself_when_treadd_falls_silent(ModbusDrive& drive) {
    drive.command(DriveCommand{Motion::run, Direction::reverse, 2.0});
    if (!eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() > 9.0; }); }, 4s)) {
      problem("the belt did not come up to speed for the backstop check (motor " +
              fixed(rig_.with([](twin::DriveTwin& t) { return t.motor_hz(); })) + " Hz, fault " +
              std::to_string(rig_.with([](twin::DriveTwin& t) { return t.fault_code(); })) + ", link " +
              (drive.feedback().link_up ? "up" : "down") + ")");
      return;
    }
    drive.set_silent(true);
    const auto allowance = std::chrono::duration_cast<Clock::duration>(p_.backstop_within) + 2s;
    if (!eventually([&] { return rig_.with([](twin::DriveTwin& t) { return t.motor_hz() < 0.05; }); }, allowance)) {
      problem("treadd fell silent; the drive ran on (its own comms-loss stop: " + p_.backstop_set_by + ")");
    }
    drive.set_silent(false);
  }

  const DriveProfile& p_;
  TwinRig& rig_;
  ConformanceOptions o_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> conformance(const DriveProfile& profile, TwinRig& rig, ConformanceOptions options) {
  return Run(profile, rig, options).all();
}

std::vector<RegisterField> register_fields(const DriveProfile& p) {
  std::vector<RegisterField> f;
  f.push_back({"commands.register", [](DriveProfile& q) -> std::uint16_t& { return q.command_register; }});
  f.push_back({"setpoint", [](DriveProfile& q) -> std::uint16_t& { return q.setpoint.address; }});
  f.push_back({"feedback.output_hz", [](DriveProfile& q) -> std::uint16_t& { return q.output_hz.address; }});
  if (p.fault_code) f.push_back({"feedback.fault_code", [](DriveProfile& q) -> std::uint16_t& { return q.fault_code->address; }});
  if (p.fault_number) f.push_back({"feedback.fault_number", [](DriveProfile& q) -> std::uint16_t& { return q.fault_number->address; }});
  if (p.safety_key) f.push_back({"feedback.safety_key", [](DriveProfile& q) -> std::uint16_t& { return q.safety_key->address; }});
  if (p.turn) f.push_back({"feedback.turn", [](DriveProfile& q) -> std::uint16_t& { return q.turn->word.address; }});
  if (p.fault_reset) f.push_back({"commands.fault_reset", [](DriveProfile& q) -> std::uint16_t& { return q.fault_reset->address; }});
  if (p.restart) f.push_back({"restart", [](DriveProfile& q) -> std::uint16_t& { return q.restart->word.address; }});
  for (std::size_t i = 0; i < p.parameters.size(); ++i) {
    f.push_back({"parameter " + p.parameters[i].parameter, [i](DriveProfile& q) -> std::uint16_t& { return q.parameters[i].address; }});
  }
  for (std::size_t i = 0; i < p.identity.size(); ++i) {
    f.push_back({"identity " + p.identity[i].name, [i](DriveProfile& q) -> std::uint16_t& { return q.identity[i].first.address; }});
  }
  return f;
}

}  // namespace treadd::testing
