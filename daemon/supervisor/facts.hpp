// SPDX-License-Identifier: Apache-2.0
// What a rule saw, typed: speeds, durations and distances as numbers with their unit, names that
// people gave, and treadd's own words (codes). The core states facts and makes no sentence; the
// edge (daemon/protocol/wording.hpp) renders them in the clinician's words, and a program reads
// them as they are (the protocol's fault.facts).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.hpp"

namespace treadd {

enum class RuleId : unsigned char;

struct Kmh { double value; };
struct Metres { double value; };
struct Span { Millis value; };  // a clinician's duration: "90 s", "20 min"
struct Ms { Millis value; };    // a technician's timing figure: "1234 ms"
struct Elapsed { Millis value; };  // a running time to a tenth of a second: "1.4 s", "0.0 s"
struct Count { long long value; };
struct Name { std::string value; };       // something a person named: a profile, a program, a group
struct Word { std::string_view value; };  // one of treadd's own words: a direction, a state, a role, a cause
struct DriveFaultCode { int value; };     // the drive's own fault number: named from its profile at the edge
struct DriveSetting { std::size_t number; };  // 1-based, in the drive profile's order of settings
struct RuleRef { RuleId rule; };  // another rule's sentence, filled from the same facts (a latched fault in a refusal)
// Something read from a patient's file (a prescription's clinician and date): shown to the staff
// who asked, never copied into the journal or the audit log, which outlive the patient's erasure.
struct FromRecord { std::string value; };

using FactValue = std::variant<Kmh, Metres, Span, Ms, Elapsed, Count, Name, Word, DriveFaultCode, DriveSetting, RuleRef,
                               FromRecord>;

// A fact by the placeholder it fills in its rule's message.
struct Fact {
  std::string_view name;
  FactValue value;
};
using Facts = std::vector<Fact>;

inline const Fact* find_fact(const Facts& facts, std::string_view name) {
  for (const Fact& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace treadd
