// SPDX-License-Identifier: Apache-2.0
// The safety policy (PX4 commander failsafe style): run by the rule table's reaction and clear
// columns, not by code per rule. It keeps the set of active latched rules, takes the strongest
// reaction, says when things got worse, and answers whether a reset may clear them. Pure: fed the
// monitor's conditions, it reads no clock and does no I/O; tested apart from the real rules with a
// toy table (tests/unit/safety_policy_test.cpp).
#pragma once

#include <bitset>
#include <optional>
#include <span>
#include <vector>

#include "daemon/supervisor/conditions.hpp"

namespace treadd {

class SafetyPolicy {
 public:
  explicit SafetyPolicy(std::span<const Rule> table = rules) : table_(table) {}

  struct Latched {
    std::vector<Fault> added;  // rules active from now on, in the monitor's order: each is recorded
    bool worse = false;        // the strongest reaction rose: the first added is what the user hears
  };
  // Every condition whose row latches and that is not active yet becomes active. A condition whose
  // row does not latch (or that the table does not name) is not the policy's to hold.
  Latched latch(const Conditions& seen);

  // Among the conditions whose row ends the session (clear: session_end), the one to act on: the
  // strongest reaction, the first seen among equals. Nothing is held: the session's end clears it.
  std::optional<Fault> session_end(const Conditions& seen) const;

  // The strongest reaction of the active rules; `refuse` (nothing to do) when none is active.
  Reaction strongest() const { return strongest_; }
  bool active(RuleId id) const { return active_.test(static_cast<std::size_t>(id)); }
  bool any_active() const { return active_.any(); }

  struct ResetAnswer {
    enum class Verdict {
      clears,             // the active set is empty now
      not_at_standstill,  // every latch clears only at standstill
      held,               // `holding` is a condition that must be gone first
      acknowledge_first,  // `holding` is the drive's own trip: this reset acknowledges it, the next may clear
    };
    Verdict verdict = Verdict::clears;
    std::optional<Fault> holding;
  };
  // A clinician's reset: `standing` is what the monitor sees now of the conditions that outlast a
  // stopped belt (monitor.standing()). Any of them whose row clears only once gone holds the reset,
  // latched or not (it would latch on the next tick).
  ResetAnswer reset(const Conditions& standing, bool at_standstill);

 private:
  const Rule* row(RuleId id) const;

  std::span<const Rule> table_;
  std::bitset<rule_count> active_;
  Reaction strongest_ = Reaction::refuse;
};

}  // namespace treadd
