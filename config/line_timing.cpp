// SPDX-License-Identifier: Apache-2.0
#include "config/line_timing.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace treadd {

std::vector<ReadBlock> plan_feedback_reads(const DriveProfile& p) {
  std::vector<const ScaledRegister*> regs{&p.output_hz};
  if (p.fault_code) regs.push_back(&*p.fault_code);
  if (p.safety_key) regs.push_back(&*p.safety_key);
  if (p.turn) regs.push_back(&p.turn->word);
  // A restart counter or flag is read with every poll, so a restart is named before the speed drop
  // it causes; a marker is read back with the settings, about once a second.
  if (p.restart && p.restart->kind != RestartIndicator::Kind::marker) regs.push_back(&p.restart->word);
  std::vector<ReadBlock> blocks;
  for (RegisterType type : {RegisterType::holding, RegisterType::input}) {
    std::vector<std::uint16_t> addrs;
    for (const auto* r : regs) {
      if (r->type == type) addrs.push_back(r->address);
    }
    if (addrs.empty()) continue;
    std::sort(addrs.begin(), addrs.end());
    if (addrs.back() - addrs.front() < 125) {
      blocks.push_back({type, addrs.front(), static_cast<std::uint16_t>(addrs.back() - addrs.front() + 1)});
    } else {
      for (auto a : addrs) blocks.push_back({type, a, 1});
    }
  }
  return blocks;
}

double rtu_cycle_ms(const DriveProfile& p, const DriveSettings& d) {
  const int bits_per_char = 1 + d.data_bits + (d.parity == 'N' ? 0 : 1) + d.stop_bits;
  const double char_ms = 1000.0 * bits_per_char / d.baud;
  const double gap_ms = d.baud > 19200 ? 1.75 : 3.5 * char_ms;
  double ms = 0;
  auto frame = [&](int bytes) { ms += gap_ms + bytes * char_ms; };
  if (p.combined_write && p.setpoint.address == p.command_register + 1) {
    frame(9 + 4);  // FC16, two registers
    frame(8);
  } else {
    for (int i = 0; i < 2; ++i) {  // FC06 setpoint, FC06 control word: request and echo
      frame(8);
      frame(8);
    }
  }
  for (const auto& b : plan_feedback_reads(p)) {
    frame(8);
    frame(5 + 2 * b.count);
  }
  return ms;
}

std::optional<Diagnostic> poll_period_error(const DriveProfile& p, const DriveSettings& d, const std::string& machine_path) {
  if (d.transport != Transport::rtu) return std::nullopt;
  const double need = rtu_cycle_ms(p, d);
  const double have = static_cast<double>(d.poll_period.count());
  if (have >= need) return std::nullopt;
  // The key's own line, so the technician lands on it.
  int line = 0, column = 0;
  std::ifstream in(machine_path);
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    if (const auto at = text.find("poll_period:"); at != std::string::npos && text.find('#') > at) {
      line = n;
      column = static_cast<int>(at) + 1;
      break;
    }
  }
  std::ostringstream msg;
  const int suggest = static_cast<int>(std::ceil(need / 10.0) * 10);
  msg << "drive.poll_period " << d.poll_period.count() << "ms is shorter than one poll cycle of profile " << p.name
      << " on the wire at " << d.baud << " baud (" << (p.combined_write ? "one FC16 write" : "two FC06 writes") << " and "
      << plan_feedback_reads(p).size() << " read" << (plan_feedback_reads(p).size() == 1 ? "" : "s") << ": "
      << static_cast<int>(std::ceil(need)) << " ms); set poll_period to at least " << suggest << "ms or raise the baud rate";
  return Diagnostic{machine_path, line, column, msg.str()};
}

}  // namespace treadd
