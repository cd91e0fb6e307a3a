// SPDX-License-Identifier: Apache-2.0
// What the fault monitor saw on one tick: every condition that holds, in the order the monitor
// looks (the first is the one a fault is named by), each with its rule's message filled with the
// numbers it saw. Detection only: what to do about them is the safety policy's (safety_policy.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "daemon/supervisor/types.hpp"

namespace treadd {

class Conditions {
 public:
  // At most one entry per rule: the first sighting on a tick is the one kept.
  void raise(RuleId rule, std::string detail) {
    if (!holds(rule)) seen_.push_back(Fault{rule, std::move(detail)});
  }
  bool holds(RuleId rule) const {
    for (const Fault& f : seen_) {
      if (f.rule == rule) return true;
    }
    return false;
  }
  const std::vector<Fault>& seen() const { return seen_; }
  bool empty() const { return seen_.empty(); }

 private:
  std::vector<Fault> seen_;
};

}  // namespace treadd
