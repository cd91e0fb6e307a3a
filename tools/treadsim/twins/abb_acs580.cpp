// SPDX-License-Identifier: Apache-2.0
// ABB ACS580, from its firmware manual: "Fieldbus control through the embedded fieldbus interface
// (EFB)" (400001 control word, 400002 reference 1, 400004 status word, 400005 actual 1, signed;
// +-20000 = +-100 % of 46.02 for a frequency reference; ABB Drives profile control and status word
// bits and its state machine: switch-on inhibited from power-up until OFF1), parameter group 58
// (58.14 comms-loss action, 58.16 time — acting only after 58.06 "refresh" or a power-up — and no
// supervision for 30 s after power-up), parameter gg.ii at 400000 + 100 x gg + ii (58.33 mode 0).
// Defaults marked (unconfirmed) were not in a source we hold. Wire = register - 400001.
#include "tools/treadsim/twins/drive_twin.hpp"

#include <algorithm>
#include <cmath>

namespace treadd::twin {
namespace {

constexpr std::uint16_t wire(int group, int index) { return static_cast<std::uint16_t>(100 * group + index - 1); }
constexpr std::uint16_t raw(int v) { return static_cast<std::uint16_t>(static_cast<std::int16_t>(v)); }

class AbbAcs580 final : public DriveTwin {
 public:
  AbbAcs580() {
    add(wire(4, 1), {"04.01", 0, 0, false});                 // tripping fault (hex code)
    add(wire(20, 21), {"20.21", 0, 0, true, 2});             // direction: 0 request, 1 forward, 2 reverse
    add(wire(23, 12), {"23.12", 200, 0, true});              // accel time 1, s x10 (unconfirmed scale)
    add(wire(23, 13), {"23.13", 200, 0, true});              // decel time 1
    add(wire(23, 23), {"23.23", 30, 0, true});               // emergency stop time, s x10
    add(wire(30, 13), {"30.13", raw(-5000), 0, true});       // minimum frequency, Hz x100
    add(wire(30, 14), {"30.14", 5000, 0, true});             // maximum frequency
    add(wire(46, 2), {"46.02", 5000, 0, true});              // frequency scaling, Hz x100
    add(wire(58, 6), {"58.06", 0, 0, true, 1});              // communication control: 1 = refresh settings
    add(wire(58, 14), {"58.14", 1, 0, true, 5});             // comms-loss action: 1 fault (unconfirmed default)
    add(wire(58, 16), {"58.16", 30, 0, true, 6000});         // comms-loss time, 0.1 s (3.0 s)
    add(wire(58, 25), {"58.25", 0, 0, true, 5});             // control profile: 0 ABB Drives
    add(wire(58, 26), {"58.26", 0, 0, true, 5});             // EFB ref1 type: 0 speed or frequency ... 5 frequency (unconfirmed)
    add(wire(58, 28), {"58.28", 0, 0, true, 5});             // EFB act1 type (unconfirmed values)
    add(wire(99, 4), {"99.04", 0, 0, true, 1});              // motor control mode: 0 vector, 1 scalar (unconfirmed)
    comms_time_in_force_ = 30;
  }
  const char* model() const override { return "abb-acs580"; }

  void commission() override {
    for (const auto& [name, v] : {std::pair<const char*, std::uint16_t>{"58.14", 1}, {"58.16", 5}, {"58.26", 5},
                                  {"58.28", 5}, {"99.04", 1}, {"23.12", 10}, {"23.13", 10}, {"23.23", 10}}) {
      set_panel(name, v);
    }
    comms_time_in_force_ = param("58.16");  // as after the 58.06 refresh the README asks for
  }
  void power_cycle() override {
    DriveTwin::power_cycle();
    cw_ = 0;
    ref1_ = 0;
    switch_on_inhibited_ = true;
    comms_time_in_force_ = param("58.16");
  }

 protected:
  std::optional<Answer> read_word(bool input, std::uint16_t a, std::uint16_t& out) override {
    if (input) return Answer::illegal_function;
    switch (a) {
      case 0: out = cw_; return Answer::ok;
      case 1: out = static_cast<std::uint16_t>(ref1_); return Answer::ok;
      case 2: out = 0; return Answer::ok;  // reference 2
      case 3: out = status(); return Answer::ok;
      case 4: out = raw(static_cast<int>(std::lround(signed_hz() / scaling_hz() * 20000))); return Answer::ok;
      case 5: out = 0; return Answer::ok;  // actual 2
      case wire(4, 1): out = static_cast<std::uint16_t>(fault_); return Answer::ok;
      default: return std::nullopt;
    }
  }

  std::optional<Answer> write_word(std::uint16_t a, std::uint16_t v) override {
    switch (a) {
      case 0: control(v); return Answer::ok;
      case 1:
        ref1_ = static_cast<std::int16_t>(v);
        if (vfd_.run_state() == VfdRun::run) apply_run();
        return Answer::ok;
      case 2: return Answer::ok;
      case 3: case 4: case 5: return Answer::illegal_value;
      case wire(58, 6):
        if (v == 1) comms_time_in_force_ = param("58.16");  // refresh settings, then reads 0 again
        return Answer::ok;
      default: return std::nullopt;
    }
  }

  CommsLoss comms_loss(double& timeout_s) const override {
    timeout_s = powered_s_ < 30 ? 0 : comms_time_in_force_ * 0.1;  // no supervision in the first 30 s
    switch (param("58.14")) {
      case 1: case 4: return CommsLoss::coast;  // fault: the motor coasts
      default: return CommsLoss::none;          // last speed, safe speed or warning: it runs on
    }
  }
  int comms_loss_fault() const override { return 0x6681; }  // EFB comm loss
  void ramps(double& accel, double& decel, double& fast) const override {
    accel = scaling_hz() / std::max(0.1, param("23.12") / 10.0);
    decel = scaling_hz() / std::max(0.1, param("23.13") / 10.0);
    fast = scaling_hz() / std::max(0.1, param("23.23") / 10.0);
  }
  bool bus_has_control() const override { return true; }

 private:
  double scaling_hz() const { return std::max(1, static_cast<int>(param("46.02"))) / 100.0; }
  double signed_hz() const { return vfd_.direction() == Direction::reverse ? -vfd_.output_hz() : vfd_.output_hz(); }

  void control(std::uint16_t v) {
    const std::uint16_t previous = cw_;
    cw_ = v;
    if (profidrive_word(v, previous)) apply_run();  // OFF3 ramps with 23.23
  }

  void apply_run() {
    double hz = ref1_ / 20000.0 * scaling_hz();
    hz = std::clamp(hz, static_cast<std::int16_t>(param("30.13")) / 100.0, static_cast<std::int16_t>(param("30.14")) / 100.0);
    const auto lock = param("20.21");
    if ((lock == 1 && hz < 0) || (lock == 2 && hz > 0)) hz = 0;
    run(hz < 0 ? Direction::reverse : Direction::forward, std::abs(hz));
  }

  std::uint16_t status() const {
    std::uint16_t s = 0x0001 | 0x0002 | 0x0010 | 0x0020 | 0x0200;  // ready on/run, no OFF2/OFF3, remote
    if (vfd_.running() && vfd_.output_hz() > 0) s |= 0x0004;
    if (fault_ != 0) s |= 0x0008;
    if (switch_on_inhibited_) s |= 0x0040;
    return s;
  }

  std::uint16_t cw_ = 0;
  std::int16_t ref1_ = 0;
  std::uint16_t comms_time_in_force_ = 30;
};

}  // namespace

std::unique_ptr<DriveTwin> make_abb_acs580() { return std::make_unique<AbbAcs580>(); }

}  // namespace treadd::twin
