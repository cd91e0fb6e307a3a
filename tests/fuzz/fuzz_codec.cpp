// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: Modbus feedback decoding and command encoding over any register words and
// any profile scaling. Decoded speeds are finite and never negative; an encoded setpoint decodes
// back to what was asked (within one count) or to the register's limit.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hal/register_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 12) return 0;
  std::uint16_t w[6];
  std::memcpy(w, data, sizeof w);
  treadd::DriveProfile p;
  p.output_hz = {static_cast<std::uint16_t>(w[0] % 64), (w[1] & 1) ? treadd::RegisterType::input : treadd::RegisterType::holding,
                 0.001 + (w[1] >> 1) % 1000 / 100.0, (w[1] & 2) != 0};
  p.fault_code = treadd::ScaledRegister{static_cast<std::uint16_t>(w[2] % 64), treadd::RegisterType::holding, 1, false};
  p.fault_code_mask = w[3];
  p.setpoint = {1, treadd::RegisterType::holding, p.output_hz.scale, (w[1] & 4) != 0};
  p.direction_by_sign = (w[1] & 8) != 0;
  treadd::RegisterWords words;
  for (std::size_t i = 12; i + 3 <= size; i += 3) {
    words[{(data[i] & 1) ? treadd::RegisterType::input : treadd::RegisterType::holding, static_cast<std::uint16_t>(data[i] % 64)}] =
        static_cast<std::uint16_t>(data[i + 1] | (data[i + 2] << 8));
  }
  const double kmh_per_hz = 0.05 + (w[4] % 100) / 100.0;
  const auto f = treadd::decode_feedback(p, words, kmh_per_hz);
  if (!std::isfinite(f.measured_kmh) || f.measured_kmh < 0) __builtin_trap();
  for (const auto& b : treadd::plan_feedback_reads(p)) {
    if (b.count == 0 || b.count > 125) __builtin_trap();
  }
  const double kmh = (w[5] % 2000) / 100.0;
  const treadd::DriveCommand cmd{treadd::Motion::run, (w[5] & 1) ? treadd::Direction::reverse : treadd::Direction::forward, kmh};
  const auto enc = treadd::encode_command(p, cmd, kmh_per_hz);
  treadd::ScaledRegister sp = p.setpoint;
  if (p.direction_by_sign) sp.is_signed = true;
  const double back_hz = std::abs(treadd::decode_scaled(sp, enc.setpoint));
  const double limit_hz = (sp.is_signed ? 32767.0 : 65535.0) * sp.scale;
  if (std::abs(back_hz - std::min(kmh / kmh_per_hz, limit_hz)) > sp.scale + 1e-9 && back_hz < limit_hz - sp.scale) __builtin_trap();
  return 0;
}
