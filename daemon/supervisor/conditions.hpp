// SPDX-License-Identifier: Apache-2.0
// What the fault monitor saw on one tick: every condition that holds, in the order the monitor
// looks (the first is the one a fault is named by), each with the typed facts it saw. Detection only: what to do about them is the safety policy's (safety_policy.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "daemon/supervisor/types.hpp"

namespace treadd {

class Conditions {
 public:
  // At most one entry per rule: the first sighting on a tick is the one kept, with its facts.
  void raise(RuleId rule, Facts facts) { raise(Fault{rule, std::move(facts)}); }
  void raise(Fault fault) {
    if (!holds(fault.rule)) seen_.push_back(std::move(fault));
  }
  bool holds(RuleId rule) const {
    for (const Fault& f : seen_) {
      if (f.rule == rule) return true;
    }
    return false;
  }
  const std::vector<Fault>& seen() const { return seen_; }

 private:
  std::vector<Fault> seen_;
};

}  // namespace treadd
