// SPDX-License-Identifier: Apache-2.0
#include "hal/register_codec.hpp"

#include "core/units.hpp"
#include <algorithm>
#include <bit>
#include <cmath>

namespace treadd {

double decode_scaled(const ScaledRegister& r, std::uint16_t raw) {
  const double counts = r.is_signed ? static_cast<double>(static_cast<std::int16_t>(raw)) : static_cast<double>(raw);
  return counts * r.scale;
}

std::uint16_t encode_scaled(const ScaledRegister& r, double value) {
  double counts = std::round(value / r.scale);
  if (r.is_signed) {
    counts = std::clamp(counts, -32768.0, 32767.0);
    return static_cast<std::uint16_t>(static_cast<std::int16_t>(counts));
  }
  return static_cast<std::uint16_t>(std::clamp(counts, 0.0, 65535.0));
}

CommandWords encode_command(const DriveProfile& p, const DriveCommand& cmd, double kmh_per_hz) {
  CommandWords w;
  double hz = cmd.motion == Motion::run ? units::hz_from_kmh(std::max(0.0, cmd.setpoint_kmh), kmh_per_hz) : 0.0;
  switch (cmd.motion) {
    case Motion::run:
      if (p.direction_by_sign) {
        w.command = p.run_forward;
        if (cmd.direction == Direction::reverse) hz = -hz;
      } else {
        w.command = cmd.direction == Direction::forward ? p.run_forward : p.run_reverse;
      }
      break;
    case Motion::stop: w.command = p.stop; break;
    case Motion::fast_stop: w.command = p.fast_stop; break;
  }
  ScaledRegister sp = p.setpoint;
  if (p.direction_by_sign) sp.is_signed = true;
  w.setpoint = encode_scaled(sp, hz);
  return w;
}

DecodedFeedback decode_feedback(const DriveProfile& p, const RegisterWords& words, double kmh_per_hz) {
  auto raw = [&](const ScaledRegister& r) -> std::uint16_t {
    auto it = words.find({r.type, r.address});
    return it == words.end() ? 0 : it->second;
  };
  DecodedFeedback f;
  const double hz = decode_scaled(p.output_hz, raw(p.output_hz));
  f.measured_kmh = units::kmh_from_hz(std::abs(hz), kmh_per_hz);
  if (p.turn) {
    const std::uint16_t bits = raw(p.turn->word) & p.turn->mask;
    if (bits == p.turn->forward) f.direction = Direction::forward;
    if (bits == p.turn->reverse) f.direction = Direction::reverse;
  } else if (p.output_hz.is_signed && std::abs(hz) > 1e-9) {
    f.direction = hz < 0 ? Direction::reverse : Direction::forward;
  }
  if (p.restart && p.restart->kind == RestartIndicator::Kind::counter) {
    f.restart_counter = static_cast<std::uint16_t>(raw(p.restart->word) & p.restart->mask);
  }
  if (p.restart && p.restart->kind == RestartIndicator::Kind::flag_while_running) {
    f.restart_flag = (raw(p.restart->word) & p.restart->mask) != 0;
  }
  // The fault code is the masked bit field's value (E3 register 6: the high byte), or 1 for a
  // one-bit "fault present" flag.
  if (p.fault_code) f.fault_code = (raw(*p.fault_code) & p.fault_code_mask) >> std::countr_zero(p.fault_code_mask);
  if (p.safety_key) f.safety_key_present = (raw(*p.safety_key) & p.safety_key_mask) != 0;
  return f;
}

DriveOrder decode_command(const DriveProfile& p, const CommandWords& words) {
  ScaledRegister sp = p.setpoint;
  if (p.direction_by_sign) sp.is_signed = true;
  const double hz = decode_scaled(sp, words.setpoint);
  if (words.command == p.run_forward && p.direction_by_sign) {
    return {Motion::run, hz < 0 ? Direction::reverse : Direction::forward, std::abs(hz)};
  }
  if (words.command == p.run_forward) return {Motion::run, Direction::forward, std::abs(hz)};
  // A direction-by-sign drive has no reverse word (its run_reverse is unset, often equal to stop).
  if (!p.direction_by_sign && words.command == p.run_reverse) return {Motion::run, Direction::reverse, std::abs(hz)};
  if (words.command == p.fast_stop && p.fast_stop != p.stop) return {Motion::fast_stop, std::nullopt, 0};
  // The stop word, and any word the drive does not know, stop the belt.
  return {Motion::stop, std::nullopt, 0};
}

RegisterWords encode_feedback(const DriveProfile& p, const DriveState& state) {
  RegisterWords w;
  const double hz = state.direction == Direction::reverse && p.output_hz.is_signed ? -state.belt_hz : state.belt_hz;
  w[{p.output_hz.type, p.output_hz.address}] = encode_scaled(p.output_hz, hz);
  const auto code = static_cast<std::uint16_t>(state.fault_code);
  if (p.fault_code) {
    // Drives that flag a fault with a status bit (a mask) set that bit; others report the code.
    const int shift = std::countr_zero(p.fault_code_mask);
    const auto field = static_cast<std::uint16_t>((code << shift) & p.fault_code_mask);
    w[{p.fault_code->type, p.fault_code->address}] = (field >> shift) == code ? field : p.fault_code_mask;
  }
  if (p.fault_number) w[{p.fault_number->type, p.fault_number->address}] = code;
  if (p.safety_key) w[{p.safety_key->type, p.safety_key->address}] = state.safety_key_present ? p.safety_key_mask : 0;
  if (p.turn) {
    auto& word = w[{p.turn->word.type, p.turn->word.address}];
    word = static_cast<std::uint16_t>((word & ~p.turn->mask) |
                                      (state.direction == Direction::reverse ? p.turn->reverse : p.turn->forward));
  }
  if (p.restart && p.restart->kind == RestartIndicator::Kind::counter) {
    auto& word = w[{p.restart->word.type, p.restart->word.address}];
    word = static_cast<std::uint16_t>((word & ~p.restart->mask) | (state.powered_for_s & p.restart->mask));
  }
  if (p.restart && p.restart->kind == RestartIndicator::Kind::flag_while_running) {
    auto& word = w[{p.restart->word.type, p.restart->word.address}];
    word = static_cast<std::uint16_t>(state.switch_on_inhibited ? word | p.restart->mask : word & ~p.restart->mask);
  }
  return w;
}

}  // namespace treadd
