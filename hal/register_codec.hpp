// Pure translation between drive commands/feedback and a profile's register words.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "config/drive_profile.hpp"
#include "hal/drive_types.hpp"

namespace treadd {

struct CommandWords {
  std::uint16_t command = 0;
  std::uint16_t setpoint = 0;
};

CommandWords encode_command(const DriveProfile& p, const DriveCommand& cmd, double kmh_per_hz);

// One Modbus read: `count` registers of `type` from `start`.
struct ReadBlock {
  RegisterType type;
  std::uint16_t start;
  std::uint16_t count;
};

// The fewest reads that cover every feedback register (one per type when they lie within 125).
std::vector<ReadBlock> plan_feedback_reads(const DriveProfile& p);

struct DecodedFeedback {
  double measured_kmh = 0;
  std::optional<Direction> direction;  // only drives with a signed output report it
  int fault_code = 0;
  bool safety_key_present = true;
};

// `words` maps (type, address) to the raw value read. Missing words decode as zero.
using RegisterWords = std::map<std::pair<RegisterType, std::uint16_t>, std::uint16_t>;
DecodedFeedback decode_feedback(const DriveProfile& p, const RegisterWords& words, double kmh_per_hz);

double decode_scaled(const ScaledRegister& r, std::uint16_t raw);
std::uint16_t encode_scaled(const ScaledRegister& r, double value);

}  // namespace treadd
