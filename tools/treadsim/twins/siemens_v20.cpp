// SPDX-License-Identifier: Apache-2.0
// Siemens SINAMICS V20, from its operating instructions: "MODBUS communication", mapping table
// (40001 watchdog time, 40002 watchdog action — with no parameter behind them; 40016 P2000; 40024
// output frequency, signed Hz x100; 40100 STW, 40101 HSW, 40110 ZSW, 40111 HIW, 16384 = 100 % of
// P2000, signed), the STW/ZSW bit tables (as FluidNC SiemensV20Protocol.cpp transcribes them from
// Siemens entry 63696870), P2014 (telegram-off time; F72 on expiry; the 2012 edition gives factory 0
// = off, the 2014 edition 2000 ms: this twin ships 0, the worse of the two). Wire = 4xxxx - 40001.
#include "tools/treadsim/twins/drive_twin.hpp"

#include <cmath>

namespace treadd::twin {
namespace {

class SiemensV20 final : public DriveTwin {
 public:
  SiemensV20() {
    add(0, {"40001 watchdog time", 0, 0, true});    // mapping table: no parameter behind it (not P2014)
    add(1, {"40002 watchdog action", 0, 0, true});
    add(10, {"P1120", 1000, 0, true});              // 40011 ramp-up time, s x100
    add(11, {"P1121", 1000, 0, true});              // 40012 ramp-down time, s x100
    add(15, {"P2000", 5000, 0, true, 55000});       // 40016 reference frequency, Hz x100
    // Keypad-only here (the DS47 channel at 40601 ff. is not modelled: no register answers for them).
    keypad_ = {{"P0700", 1}, {"P1000", 1}, {"P2023", 1}, {"P2014", 0}, {"P1135", 500}, {"P1110", 0}};
  }
  const char* model() const override { return "siemens-v20"; }

  void commission() override {
    for (const auto& [name, v] : {std::pair<const char*, std::uint16_t>{"P0700", 5}, {"P1000", 5}, {"P2023", 2},
                                  {"P2014", 500}, {"P1135", 100}, {"P1120", 100}, {"P1121", 100}}) {
      set_panel(name, v);
    }
  }
  void power_cycle() override {
    DriveTwin::power_cycle();
    stw_ = 0;
    hsw_ = 0;
    switch_on_inhibited_ = true;  // PROFIdrive S1 until OFF1 (STW bit 0 = 0)
  }

 protected:
  std::optional<Answer> read_word(bool input, std::uint16_t a, std::uint16_t& out) override {
    if (input) return Answer::illegal_function;  // FC 3, 6, 16 only (mapping table notes)
    switch (a) {
      case 23: out = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(signed_hz() * 100))); return Answer::ok;
      case 99: out = stw_; return Answer::ok;
      case 100: out = hsw_; return Answer::ok;
      case 109: out = zsw(); return Answer::ok;
      case 110: out = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(signed_hz() / p2000_hz() * 16384))); return Answer::ok;
      default: return std::nullopt;
    }
  }

  std::optional<Answer> write_word(std::uint16_t a, std::uint16_t v) override {
    switch (a) {
      case 99: control(v); return Answer::ok;
      case 100:
        hsw_ = v;
        if (vfd_.run_state() == VfdRun::run) apply_run();
        return Answer::ok;
      case 23: case 109: case 110: return Answer::illegal_value;
      default: return std::nullopt;
    }
  }

  CommsLoss comms_loss(double& timeout_s) const override {
    timeout_s = param("P2014") / 1000.0;
    return CommsLoss::coast;  // F72 is a fault: the pulses are inhibited, the motor coasts
  }
  int comms_loss_fault() const override { return 72; }
  void ramps(double& accel, double& decel, double& fast) const override {
    accel = p2000_hz() / std::max(0.01, param("P1120") / 100.0);
    decel = p2000_hz() / std::max(0.01, param("P1121") / 100.0);
    fast = p2000_hz() / std::max(0.01, param("P1135") / 100.0);
  }
  bool bus_has_control() const override { return param("P0700") == 5 && param("P2023") == 2; }

 private:
  double p2000_hz() const { return std::max(1, static_cast<int>(param("P2000"))) / 100.0; }
  double signed_hz() const { return vfd_.direction() == Direction::reverse ? -vfd_.output_hz() : vfd_.output_hz(); }

  void control(std::uint16_t v) {
    const std::uint16_t previous = stw_;
    stw_ = v;
    if (!(v & 0x0400)) return;  // bit 10: control by PLC, else the telegram is ignored
    if (profidrive_word(v, previous)) apply_run();  // OFF1 ramp P1121, OFF3 ramp P1135
  }

  void apply_run() {
    // Setpoint enable (bit 6) and the bus as setpoint source (P1000 = 5), else 0 Hz.
    const double hz = (stw_ & 0x0040) && param("P1000") == 5
                          ? static_cast<std::int16_t>(hsw_) / 16384.0 * p2000_hz() : 0.0;
    const bool reverse = ((stw_ & 0x0800) != 0) != (hz < 0);  // bit 11 reverses; a negative setpoint too
    run(reverse ? Direction::reverse : Direction::forward, std::abs(hz));
  }

  std::uint16_t zsw() const {
    std::uint16_t z = 0x0001 | 0x0002 | 0x0010 | 0x0020;  // ready, ready to run, no OFF2, no OFF3
    if (vfd_.running() && vfd_.output_hz() > 0) z |= 0x0004;
    if (fault_ != 0) z |= 0x0008;
    if (switch_on_inhibited_) z |= 0x0040;
    if (vfd_.direction() == Direction::forward) z |= 0x4000;  // bit 14: motor runs right
    return z;
  }

  std::uint16_t stw_ = 0;
  std::uint16_t hsw_ = 0;
};

}  // namespace

std::unique_ptr<DriveTwin> make_siemens_v20() { return std::make_unique<SiemensV20>(); }

}  // namespace treadd::twin
