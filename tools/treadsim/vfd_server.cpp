// SPDX-License-Identifier: Apache-2.0
#include "tools/treadsim/vfd_server.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hal/register_codec.hpp"

namespace treadd::sim {

VfdRegisters::VfdRegisters(DriveProfile profile, VfdParameters params)
    : profile_(std::move(profile)), vfd_(params), map_(modbus_mapping_new(0, 0, 65536, 65536)) {
  if (map_ == nullptr) throw std::runtime_error("cannot allocate the register map");
  holding(profile_.command_register) = profile_.stop;
  // A drive set up on its panel as the profile asks: every read-only parameter holds a passing
  // value. Parameters treadd writes start at 0, as a drive's factory settings (comms-loss off).
  for (const auto& c : profile_.parameters) {
    if (c.write) continue;
    const long good = c.equals ? *c.equals : c.min ? *c.min : c.max.value_or(0);
    auto& cell = c.type == RegisterType::holding ? map_->tab_registers[c.address] : map_->tab_input_registers[c.address];
    cell = static_cast<std::uint16_t>(good);
  }
  apply_writes();
}

bool VfdRegisters::pin_parameter(const std::string& name, std::uint16_t raw) {
  const ParameterCheck* c = profile_.parameter(name);
  if (c == nullptr) return false;
  pinned_.emplace_back(c->address, raw);
  (c->type == RegisterType::holding ? map_->tab_registers : map_->tab_input_registers)[c->address] = raw;
  apply_writes();
  return true;
}

void VfdRegisters::set_panel_watchdog(double seconds) {
  VfdParameters p = vfd_.parameters();
  p.watchdog_s = seconds;
  vfd_.set_parameters(p);
}

void VfdRegisters::apply_pinned() {
  for (const auto& [address, raw] : pinned_) {
    // Holding registers are what a master can write; input-register pins never change anyway.
    holding(address) = raw;
  }
}

VfdRegisters::~VfdRegisters() { modbus_mapping_free(map_); }

void VfdRegisters::apply_writes() {
  vfd_.heard_master();
  apply_pinned();
  if (profile_.fault_reset && holding(profile_.fault_reset->address) == profile_.fault_reset->value) {
    vfd_.reset_fault();
  }
  if (profile_.comms_timeout) {
    VfdParameters p = vfd_.parameters();
    p.watchdog_s = decode_scaled(*profile_.comms_timeout, holding(profile_.comms_timeout->address));
    vfd_.set_parameters(p);
  }
  // The profile read as a drive reads it: the same codec the daemon writes with (hal/register_codec).
  const DriveOrder order = decode_command(profile_, {holding(profile_.command_register), holding(profile_.setpoint.address)});
  switch (order.motion) {
    case Motion::run: vfd_.command(VfdRun::run, *order.direction, order.hz); break;
    case Motion::fast_stop: vfd_.command(VfdRun::fast_stop, vfd_.direction(), 0); break;
    case Motion::stop: vfd_.command(VfdRun::stop, vfd_.direction(), 0); break;
  }
}

void VfdRegisters::step(double dt_s) {
  vfd_.step(dt_s);
  powered_s_ += dt_s;
  DriveState state{vfd_.belt_hz(), vfd_.direction(), vfd_.fault_code(), key_present_};
  state.powered_for_s = static_cast<std::uint16_t>(std::min(powered_s_, 65535.0));
  for (const auto& [where, raw] : encode_feedback(profile_, state)) {
    (where.first == RegisterType::holding ? map_->tab_registers : map_->tab_input_registers)[where.second] = raw;
  }
  // A read-only parameter that shares a word with feedback (E3 register 6's ready bit) keeps its bits.
  for (const auto& c : profile_.parameters) {
    if (c.write) continue;
    const long good = c.equals ? *c.equals : c.min ? *c.min : c.max.value_or(0);
    auto& cell = c.type == RegisterType::holding ? map_->tab_registers[c.address] : map_->tab_input_registers[c.address];
    if (c.mask != 0xFFFF) cell = static_cast<std::uint16_t>((cell & ~c.mask) | (static_cast<std::uint16_t>(good) & c.mask));
  }
  apply_pinned();
}

}  // namespace treadd::sim
