// SPDX-License-Identifier: Apache-2.0
// Invertek Optidrive E3, from the ODE-3 user guide (8.4 "Modbus register map", 10.1 fault codes) and
// the Optidrive E3 Advanced Technical Manual (ATM): 4.6.1 register table, 4.7.5 register 6 (high
// byte trip code; low byte bit 0 running, bit 1 tripped, bit 5 standby, bit 6 ready), 4.7.7 serial
// number (registers 25-28), 4.7.10 P-36, 4.8 indirect parameter access (44 index, 45 value),
// P-nn at register 128 + nn. 1-based registers: wire = register - 1.
#include "tools/treadsim/twins/drive_twin.hpp"

#include <cmath>

namespace treadd::twin {
namespace {

constexpr std::uint16_t wire_of_parameter(int n) { return static_cast<std::uint16_t>(128 + n - 1); }

class OptidriveE3 final : public DriveTwin {
 public:
  OptidriveE3() {
    add(wire_of_parameter(1), {"P-01", 500, 0, true, 5000});   // max speed, Hz x10
    add(wire_of_parameter(2), {"P-02", 0, 0, true, 5000});     // min speed
    add(wire_of_parameter(3), {"P-03", 500, 0, true});         // accel ramp, s x100
    add(wire_of_parameter(4), {"P-04", 500, 0, true});         // decel ramp, s x100
    add(wire_of_parameter(12), {"P-12", 0, 0, true, 9});       // control source: 0 terminals, 3/4 Modbus
    add(wire_of_parameter(24), {"P-24", 0, 0, true});          // decel ramp 2 (fast stop), s x100; 0 = coast (unconfirmed)
    add(wire_of_parameter(31), {"P-31", 1, 0, true, 7});       // start mode (keypad/Modbus start needs 0 or 1)
    // P-36 packs address, baud and watchdog (4.7.10); the packing is not confirmed: keypad only here.
    keypad_ = {{"P-36 index 3", 3000}};  // comms-loss watchdog ms; factory t3000 (trip), unconfirmed
    keypad_["P-36 action"] = 0;          // 0 = t (trip: coast), 1 = r (ramp to stop)
  }
  const char* model() const override { return "optidrive-e3"; }

  void commission() override {
    for (const auto& [name, v] : {std::pair<const char*, std::uint16_t>{"P-12", 3}, {"P-31", 1}, {"P-24", 100},
                                  {"P-03", 100}, {"P-04", 100}, {"P-36 index 3", 300}, {"P-36 action", 1}}) {
      set_panel(name, v);
    }
  }
  void power_cycle() override {
    DriveTwin::power_cycle();
    control_ = 0;
    setpoint_ = 0;
    indirect_index_ = 0;  // working memory
  }
  std::map<std::string, std::vector<std::uint16_t>> nameplate() const override {
    return {{"serial number", {static_cast<std::uint16_t>(serial_ % 100), static_cast<std::uint16_t>((serial_ / 100) % 100),
                               static_cast<std::uint16_t>((serial_ / 10000) % 10000), 57}},
            {"software version", {300, 301}}};
  }
  // FC16 is taken for the control block, registers 1-4, and nowhere else (user guide 8.4).
  bool takes_multi_write(std::uint16_t address, std::uint16_t count) const override { return address + count <= 4; }

 protected:
  std::optional<Answer> read_word(bool input, std::uint16_t a, std::uint16_t& out) override {
    if (input) return Answer::illegal_function;  // FC03 and FC06 (and FC16 to 1-4) only
    switch (a + 1) {  // the manual's 1-based register numbers
      case 1: out = control_; return Answer::ok;
      case 2: out = static_cast<std::uint16_t>(setpoint_); return Answer::ok;
      case 6: out = status(); return Answer::ok;
      case 7: out = static_cast<std::uint16_t>(std::lround(vfd_.output_hz() * 10)); return Answer::ok;  // magnitude
      case 8: out = static_cast<std::uint16_t>(vfd_.running() ? 21 : 0); return Answer::ok;
      case 11: out = key_closed_ ? 0x0001 : 0x0000; return Answer::ok;  // DI1 = hardware enable (the key)
      case 15: out = 300; return Answer::ok;  // IO processor software 3.00
      case 16: out = 301; return Answer::ok;  // motor-control processor software 3.01
      case 25: out = static_cast<std::uint16_t>(serial_ % 100); return Answer::ok;
      case 26: out = static_cast<std::uint16_t>((serial_ / 100) % 100); return Answer::ok;
      case 27: out = static_cast<std::uint16_t>((serial_ / 10000) % 10000); return Answer::ok;
      case 28: out = 57; return Answer::ok;
      case 44: out = indirect_index_; return Answer::ok;
      case 45: out = param("P-" + std::string(indirect_index_ < 10 ? "0" : "") + std::to_string(indirect_index_)); return Answer::ok;
      default:
        // The rest of the documented block 1-28 (ramp time, torque, power, ratings, analog inputs,
        // DC bus, heatsink): readable, not modelled.
        if (a + 1 <= 28) {
          out = 0;
          return Answer::ok;
        }
        return std::nullopt;
    }
  }

  std::optional<Answer> write_word(std::uint16_t a, std::uint16_t v) override {
    switch (a + 1) {
      case 1: control(v); return Answer::ok;
      case 2:
        if (std::abs(static_cast<std::int16_t>(v)) > 5000) return Answer::illegal_value;
        setpoint_ = static_cast<std::int16_t>(v);
        if (control_ & 0x0001) control(control_);
        return Answer::ok;
      case 44:
        if (v < 1 || v > 60) return Answer::illegal_value;
        indirect_index_ = v;
        return Answer::ok;
      case 6: case 7: case 8: case 11: case 15: case 16: case 25: case 26: case 27: case 28: return Answer::illegal_value;
      default: return std::nullopt;
    }
  }

  CommsLoss comms_loss(double& timeout_s) const override {
    timeout_s = param("P-36 index 3") / 1000.0;
    return param("P-36 action") == 1 ? CommsLoss::ramp : CommsLoss::coast;
  }
  int comms_loss_fault() const override { return 50; }  // SC-F01
  void ramps(double& accel, double& decel, double& fast) const override {
    const double max_hz = param("P-01") / 10.0;
    accel = max_hz / std::max(0.01, param("P-03") / 100.0);
    decel = max_hz / std::max(0.01, param("P-04") / 100.0);
    fast = param("P-24") == 0 ? 1e9 : max_hz / (param("P-24") / 100.0);
  }
  bool bus_has_control() const override {
    const auto p12 = param("P-12"), p31 = param("P-31");
    return (p12 == 3 || p12 == 4) && p31 <= 1;
  }

 private:
  void control(std::uint16_t v) {
    control_ = v;
    if ((v & 0x0004) && (param("P-12") == 3 || param("P-12") == 4)) reset_fault();
    if (v & 0x0008) {
      if (bus_has_control()) coast();
    } else if (v & 0x0002) {
      if (param("P-24") == 0 && bus_has_control()) coast(); else fast_stop();
    } else if (v & 0x0001) {
      const double hz = std::min(std::abs(setpoint_) / 10.0, param("P-01") / 10.0);
      run(setpoint_ < 0 ? Direction::reverse : Direction::forward, hz);
    } else {
      ramp_stop();
    }
  }

  std::uint16_t status() const {
    std::uint16_t low = 0;
    if (vfd_.running() && vfd_.output_hz() > 0) low |= 0x01;
    if (fault_ != 0) low |= 0x02;
    if (!vfd_.running()) low |= 0x20;
    if (fault_ == 0 && key_closed_) low |= 0x40;
    return static_cast<std::uint16_t>(((fault_ & 0xFF) << 8) | low);
  }

  std::uint16_t control_ = 0;
  std::int16_t setpoint_ = 0;
  std::uint16_t indirect_index_ = 0;
};

}  // namespace

std::unique_ptr<DriveTwin> make_optidrive_e3() { return std::make_unique<OptidriveE3>(); }

}  // namespace treadd::twin
