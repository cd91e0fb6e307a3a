// SPDX-License-Identifier: Apache-2.0
// The lock-out outlives a restart, a crash and a power cut (ISO 20957-6 §6.6: a treadmill locked
// against use stays locked until a clinician unlocks it). One small file under the state
// directory, replaced atomically (written, synced, renamed) by the storage writer on every lock and
// unlock; read once at start-up.
#pragma once

#include <filesystem>
#include <string>

namespace treadd {

struct LockoutAtStart {
  bool locked = false;
  std::string why;  // for status and the journal: who locked it and when, or why the state is unknown
};

// No file: never locked (a new machine). A file saying "unlocked": not locked. Anything else — a
// lock, an unreadable or damaged file — comes up locked: a clinician unlocks.
LockoutAtStart read_lockout(const std::filesystem::path& file);
// Throws std::runtime_error when the file cannot be replaced (the writer counts it).
void write_lockout(const std::filesystem::path& file, bool locked, const std::string& who, const std::string& when);

}  // namespace treadd
