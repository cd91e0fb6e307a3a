// SPDX-License-Identifier: Apache-2.0
// Every key of a limits.yaml profile, declared once: its name, quantity (hence unit and the
// name of its field in the `limits` reply: key + _kmh/_mps2/_s/_m), whether it is required or
// what it defaults to, the machine ceiling that bounds it, and what it means. The loader reads
// and bounds a profile from this table, the protocol serialises it from it, and the key tables of
// the README and treadd.yaml(5) are generated from it (tools/update-docs.sh, checked by a test).
// A new key: a member of Profile (core/limits.hpp), a row here, and the rule that uses it.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/limits.hpp"

namespace treadd {

enum class Quantity { direction, speed, accel, duration, distance };

struct ProfileKey {
  using Member = std::variant<Direction Profile::*, double Profile::*, Millis Profile::*, std::optional<double> Profile::*,
                              std::optional<Millis> Profile::*>;
  using Ceiling = std::variant<std::monostate, double Ceilings::*, Millis Ceilings::*>;

  std::string_view key;
  Quantity quantity;
  Member member;
  bool required = false;
  std::string_view default_text;  // for people: "1min", "none"; a required key has none
  double Profile::*inherits = nullptr;  // unset: takes this member's value (reverse ramps take the forward ones)
  std::string_view ceiling_key;         // "ceilings.reverse_max"
  Ceiling ceiling;
  std::string_view meaning;
};

extern const std::array<ProfileKey, 17> profile_keys;

std::string_view unit_of(Quantity q);         // "km/h", for people
std::string_view json_suffix(Quantity q);     // "_kmh", the protocol's field suffix
std::string json_name(const ProfileKey& k);   // "reverse_cap_kmh"

// The key tables, generated for the docs.
std::string profile_keys_markdown();
std::string profile_keys_roff();

}  // namespace treadd
