// SPDX-License-Identifier: Apache-2.0
#include "tools/treadsim/twins/drive_twin.hpp"

#include <algorithm>
#include <cmath>

namespace treadd::twin {

DriveTwin::DriveTwin(VfdParameters physics) : vfd_([&] {
  physics.watchdog_s = 0;  // the twin's own comms-loss handling, from its parameters
  return physics;
}()) {}

void DriveTwin::add(std::uint16_t address, Parameter p) {
  p.value = p.factory;
  params_[address] = std::move(p);
}

Parameter* DriveTwin::find(const std::string& name) {
  for (auto& [a, p] : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::uint16_t DriveTwin::param(const std::string& name) const { return panel(name).value_or(0); }

bool DriveTwin::set_panel(const std::string& name, std::uint16_t value) {
  if (auto k = keypad_.find(name); k != keypad_.end()) {
    k->second = value;
    return true;
  }
  Parameter* p = find(name);
  if (p == nullptr) return false;
  p->value = value;
  return true;
}

std::optional<std::uint16_t> DriveTwin::panel(const std::string& name) const {
  if (auto k = keypad_.find(name); k != keypad_.end()) return k->second;
  for (const auto& [a, p] : params_) {
    if (p.name == name) return p.value;
  }
  return std::nullopt;
}

Answer DriveTwin::read(bool input_register, std::uint16_t address, std::uint16_t& out) {
  if (auto a = read_word(input_register, address, out)) return *a;
  if (input_register) return Answer::illegal_address;
  const auto it = params_.find(address);
  if (it == params_.end()) return Answer::illegal_address;
  out = it->second.value;
  return Answer::ok;
}

Answer DriveTwin::write(std::uint16_t address, std::uint16_t value) {
  if (auto a = write_word(address, value)) return *a;
  const auto it = params_.find(address);
  if (it == params_.end()) return Answer::illegal_address;
  if (!it->second.bus_writable || value > it->second.max) return Answer::illegal_value;
  it->second.value = value;
  return Answer::ok;
}

void DriveTwin::run(Direction direction, double hz) {
  if (!bus_has_control() || fault_ != 0 || !key_closed_) return;
  commanded_turn_ = direction;
  const Direction turn = wrong_turn_ ? (direction == Direction::forward ? Direction::reverse : Direction::forward) : direction;
  vfd_.command(VfdRun::run, turn, hz);
  stopping_by_.clear();
}

void DriveTwin::ramp_stop() {
  if (!bus_has_control()) return;
  if (vfd_.run_state() != VfdRun::fast_stop) {
    vfd_.command(VfdRun::stop, vfd_.direction(), 0);
    if (vfd_.output_hz() > 0) stopping_by_ = "ramp";
  }
}

void DriveTwin::fast_stop() {
  if (!bus_has_control()) return;
  vfd_.command(VfdRun::fast_stop, vfd_.direction(), 0);
  stopping_by_ = "fast";
}

void DriveTwin::coast() {
  vfd_.trip(fault_ == 0 ? -1 : fault_);  // the model coasts while "tripped"
  stopping_by_ = "coast";
}

bool DriveTwin::profidrive_word(std::uint16_t v, std::uint16_t previous) {
  if ((v & 0x0080) && !(previous & 0x0080)) reset_fault();
  if (!(v & 0x0001)) switch_on_inhibited_ = false;
  if (!(v & 0x0002)) {
    coast();  // OFF2
    switch_on_inhibited_ = true;
  } else if (!(v & 0x0004)) {
    fast_stop();  // OFF3
    switch_on_inhibited_ = true;
  } else if (!(v & 0x0001)) {
    ramp_stop();  // OFF1
  } else {
    return !switch_on_inhibited_ && (v & 0x0008);
  }
  return false;
}

void DriveTwin::trip(int manual_code) {
  fault_ = manual_code;
  vfd_.trip(manual_code);
  stopping_by_ = "coast";
}

bool DriveTwin::reset_fault() {
  if (vfd_.output_hz() > 0.01) return false;
  fault_ = 0;
  vfd_.reset_fault();
  vfd_.command(VfdRun::stop, vfd_.direction(), 0);
  return true;
}

void DriveTwin::power_cycle() {
  vfd_ = VfdModel(vfd_.parameters());
  fault_ = 0;
  since_telegram_s_ = 0;
  powered_s_ = 0;
  stopping_by_.clear();
}

void DriveTwin::step(double dt_s) {
  powered_s_ += dt_s;
  since_telegram_s_ += dt_s;
  VfdParameters p = vfd_.parameters();
  ramps(p.accel_hz_per_s, p.decel_hz_per_s, p.fast_stop_hz_per_s);
  vfd_.set_parameters(p);
  double timeout = 0;
  const CommsLoss action = comms_loss(timeout);
  if (action != CommsLoss::none && timeout > 0 && since_telegram_s_ > timeout && fault_ == 0 &&
      vfd_.run_state() == VfdRun::run) {
    fault_ = comms_loss_fault();
    if (action == CommsLoss::coast) {
      vfd_.trip(fault_);
      stopping_by_ = "coast";
    } else {
      vfd_.command(VfdRun::stop, vfd_.direction(), 0);
      stopping_by_ = "ramp";
    }
  }
  if (!key_closed_ && vfd_.running()) coast();  // the key on the hardware enable: torque off
  if (key_closed_ && fault_ == 0 && vfd_.fault_code() == -1) vfd_.reset_fault();  // enable back: may run again
  vfd_.step(dt_s);
  if (vfd_.output_hz() <= 0 && stopping_by_ != "coast") stopping_by_.clear();
}

}  // namespace treadd::twin
