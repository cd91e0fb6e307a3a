// SPDX-License-Identifier: Apache-2.0
// Delta VFD-MS300, from its user manual (Appendix A "Modbus protocol", A-4 address list; chapter 12
// parameter descriptions). Wire addresses are the manual's hex addresses: Pr.GG-nn = 0xGGnn with
// both numbers in hexadecimal (A-4: Pr.04-10 = 040AH).
#include "tools/treadsim/twins/drive_twin.hpp"

namespace treadd::twin {
namespace {

class DeltaMs300 final : public DriveTwin {
 public:
  DeltaMs300() {
    // Group 00 (A-4; defaults from chapter 12: unconfirmed where no source we hold gave them).
    add(0x0000, {"Pr.00-00", 14, 0, false});    // identity code (read-only; 14 = a 230 V 0.75 kW unit, unconfirmed)
    add(0x0006, {"Pr.00-06", 104, 0, false});   // firmware version (read-only), 1.04
    add(0x0014, {"Pr.00-20", 0, 0, true, 8});   // frequency command source: 0 keypad, 1 RS-485
    add(0x0015, {"Pr.00-21", 0, 0, true, 5});   // operation command source: 0 keypad, 1 terminals, 2 RS-485
    add(0x0016, {"Pr.00-22", 0, 0, true, 1});   // stop method: 0 ramp, 1 coast
    add(0x0017, {"Pr.00-23", 0, 0, true, 2});   // direction: 0 both, 1 reverse disabled, 2 forward disabled
    // Neighbours a profile with decimal-numbered addresses would hit (Pr.00-32/00-33/00-35).
    add(0x0020, {"Pr.00-32", 0, 0, true, 1});   // keypad STOP function
    add(0x0021, {"Pr.00-33", 0, 0, true, 3});
    add(0x0023, {"Pr.00-35", 0, 0, true, 5});
    add(0x0100, {"Pr.01-00", 6000, 0, true});   // maximum output frequency, 0.01 Hz
    add(0x010C, {"Pr.01-12", 1000, 0, true});   // accel time 1, 0.01 s (Pr.01-45 = 0)
    add(0x010D, {"Pr.01-13", 1000, 0, true});   // decel time 1, 0.01 s
    add(0x012D, {"Pr.01-45", 0, 0, true, 1});   // time unit: 0 = 0.01 s
    // Group 09 (communication).
    add(0x0900, {"Pr.09-00", 1, 0, true, 254});  // address
    add(0x0901, {"Pr.09-01", 96, 0, true});      // baud, 9.6 kbps
    add(0x0902, {"Pr.09-02", 3, 0, true, 3});    // comms fault: 0 warn, 1 ramp stop, 2 coast, 3 ignore
    add(0x0903, {"Pr.09-03", 0, 0, true, 1000}); // comms time-out, 0.1 s; 0 = off
    add(0x0904, {"Pr.09-04", 1, 0, true, 17});   // protocol: 1 = 7N2 ASCII (factory), 13 = 8N2 RTU
  }
  const char* model() const override { return "delta-ms300"; }

  void commission() override {
    for (const auto& [name, v] : {std::pair<const char*, std::uint16_t>{"Pr.00-20", 1}, {"Pr.00-21", 2}, {"Pr.00-22", 0},
                                  {"Pr.00-23", 0}, {"Pr.01-12", 100}, {"Pr.01-13", 100}, {"Pr.09-04", 13}}) {
      set_panel(name, v);
    }
  }
  std::map<std::string, std::vector<std::uint16_t>> nameplate() const override {
    return {{"identity code (Pr.00-00)", {param("Pr.00-00")}}, {"firmware (Pr.00-06)", {param("Pr.00-06")}}};
  }
  void power_cycle() override {
    DriveTwin::power_cycle();
    control_ = 0;
    frequency_ = 0;
  }

 protected:
  std::optional<Answer> read_word(bool input, std::uint16_t a, std::uint16_t& out) override {
    if (input) return std::nullopt;  // FC04 is not in the MS300's function list: 02 for all
    switch (a) {
      case 0x2000: out = control_; return Answer::ok;
      case 0x2001: out = frequency_; return Answer::ok;
      case 0x2002: out = 0; return Answer::ok;
      case 0x2100: out = static_cast<std::uint16_t>(fault_ & 0xFF); return Answer::ok;  // low byte fault, high byte warning
      case 0x2101: out = status(); return Answer::ok;
      case 0x2102: out = frequency_; return Answer::ok;
      case 0x2103: out = static_cast<std::uint16_t>(vfd_.output_hz() * 100 + 0.5); return Answer::ok;  // unsigned
      case 0x2104: out = static_cast<std::uint16_t>(vfd_.running() ? 150 : 0); return Answer::ok;
      default: return std::nullopt;
    }
  }

  std::optional<Answer> write_word(std::uint16_t a, std::uint16_t v) override {
    switch (a) {
      case 0x2000: control(v); return Answer::ok;
      case 0x2001:
        if (v > param("Pr.01-00")) return Answer::illegal_value;
        frequency_ = v;
        if (vfd_.run_state() == VfdRun::run) run(commanded_turn_, hz());
        return Answer::ok;
      case 0x2002:
        if (v & 0x0001) trip(49);  // EF: external fault
        if (v & 0x0002) reset_fault();
        return Answer::ok;
      case 0x2100: case 0x2101: case 0x2102: case 0x2103: case 0x2104: return Answer::illegal_value;  // read-only
      default: return std::nullopt;
    }
  }

  CommsLoss comms_loss(double& timeout_s) const override {
    timeout_s = param("Pr.09-03") * 0.1;
    switch (param("Pr.09-02")) {
      case 1: return CommsLoss::ramp;
      case 2: return CommsLoss::coast;
      default: return CommsLoss::none;  // 0 warns and runs on, 3 ignores
    }
  }
  int comms_loss_fault() const override { return 58; }  // CE10, Modbus transmission time-out
  void ramps(double& accel, double& decel, double& fast) const override {
    const double max_hz = param("Pr.01-00") / 100.0;
    accel = max_hz / std::max(0.01, param("Pr.01-12") / 100.0);
    decel = max_hz / std::max(0.01, param("Pr.01-13") / 100.0);
    fast = decel;  // a stop word ramps with Decel 1; the MS300 has no separate bus e-stop ramp
  }
  bool bus_has_control() const override { return param("Pr.00-21") == 2; }

 private:
  double hz() const { return param("Pr.00-20") == 1 ? frequency_ / 100.0 : 0.0; }  // else the keypad's (0)

  void control(std::uint16_t v) {
    control_ = v;
    const unsigned runbits = v & 0x3, dirbits = (v >> 4) & 0x3;
    if (dirbits == 1) commanded_turn_ = Direction::forward;
    if (dirbits == 2) commanded_turn_ = Direction::reverse;
    if (runbits == 1) {
      if (param("Pr.00-22") == 1 && bus_has_control()) {
        coast();
      } else {
        ramp_stop();
      }
    } else if (runbits == 2 || runbits == 3) {
      const unsigned lock = param("Pr.00-23");
      if ((lock == 1 && commanded_turn_ == Direction::reverse) || (lock == 2 && commanded_turn_ == Direction::forward)) {
        ramp_stop();
        return;
      }
      run(commanded_turn_, hz());
    }
  }

  std::uint16_t status() const {
    unsigned run = 0;
    if (vfd_.running() && vfd_.output_hz() > 0) run = 3;
    else if (vfd_.output_hz() > 0) run = 1;  // decelerating
    const unsigned turn = vfd_.direction() == Direction::reverse ? 3u : 0u;  // bits 4-3
    unsigned s = run | (turn << 3);
    if (param("Pr.00-20") == 1) s |= 1u << 8;
    if (param("Pr.00-21") == 2) s |= 1u << 10;
    return static_cast<std::uint16_t>(s);
  }

  std::uint16_t control_ = 0;
  std::uint16_t frequency_ = 0;
};

}  // namespace

std::unique_ptr<DriveTwin> make_delta_ms300() { return std::make_unique<DeltaMs300>(); }

}  // namespace treadd::twin
