// SPDX-License-Identifier: Apache-2.0
// How long one poll cycle of a drive profile takes on an RS-485 line: the frames treadd sends and
// the drive answers each cycle, at the configured baud and character format, with the 3.5-character
// gap before each frame (1.75 ms above 19200 baud, Modbus over serial line v1.02, 2.5.1.1). A poll
// period shorter than that cannot be kept: the polls run back to back and the e-stop waits longer.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/drive_profile.hpp"
#include "config/model.hpp"

namespace treadd {

// One Modbus read: `count` registers of `type` from `start`.
struct ReadBlock {
  RegisterType type;
  std::uint16_t start;
  std::uint16_t count;
};

// The fewest reads that cover every register read with each poll (one per type when they lie within 125).
std::vector<ReadBlock> plan_feedback_reads(const DriveProfile& p);

// Milliseconds one cycle (the command writes and the feedback reads, requests and answers) takes
// on the wire, before the drive's own turnaround.
double rtu_cycle_ms(const DriveProfile& p, const DriveSettings& d);

// An error naming machine.yaml's drive.poll_period when an RTU drive cannot be polled that often.
std::optional<Diagnostic> poll_period_error(const DriveProfile& p, const DriveSettings& d, const std::string& machine_path);

}  // namespace treadd
