// SPDX-License-Identifier: Apache-2.0
// Every key of machine.yaml, declared once: its section and name, what kind of value it takes
// (hence its unit), where the loader puts it, whether it is required, its bounds with their reason,
// and what it means. Defaults are not written here: they are read from a default MachineConfig
// (config/model.hpp), so the docs cannot disagree with the code. The loader reads every key from
// this table (config/machine_loader.cpp), and the key tables of the README and treadd.yaml(5) are
// generated from it (tools/update-docs.sh, checked by a test).
// A new key: a member of its settings struct (config/model.hpp or core/limits.hpp) and a row here.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <variant>

#include "config/model.hpp"

namespace treadd {

enum class MachineKind { speed, accel, duration, count, hertz, ratio, text, choice };

struct MachineKey {
  // Where a value goes: the member of a MachineConfig the key sets.
  using Field = std::variant<double*, Millis*, int*, std::string*>;

  std::string_view section;
  std::string_view key;
  MachineKind kind;
  bool required = false;
  // The bounds, in the kind's unit (seconds for a duration); a text or a choice has none.
  double min = 0;
  double max = 0;
  std::string_view why;  // the bounds' reason, said with an error
  std::string_view meaning;
  std::string_view default_note;  // a default that is no value ("none", "<state-dir>/metrics/treadd.prom")
  Field (*field)(MachineConfig&) = nullptr;  // every kind but choice
  // A choice: its words ("sim|tcp|rtu"), the one a config holds, and how one is set (false: not a word of it).
  std::string_view words;
  std::string_view (*word_of)(const MachineConfig&) = nullptr;
  bool (*choose)(MachineConfig&, std::string_view) = nullptr;
};

extern const std::array<MachineKey, 41> machine_keys;

// The sections in the order the loader reads them and the docs list them.
inline constexpr std::string_view machine_sections[] = {"drive", "belt", "ceilings", "safety", "control", "metrics", "records"};

std::string_view unit_of(MachineKind k);  // "km/h", for people ("" for a text or a count)
// The default a MachineConfig{} holds, as a person writes it ("required" for a required key).
std::string default_text(const MachineKey& k);

// The key tables, generated for the docs.
std::string machine_keys_markdown();
std::string machine_keys_roff();

}  // namespace treadd
