// SPDX-License-Identifier: Apache-2.0
// The safety policy apart from the real rules (PX4's FailsafeTester idea): a toy table whose
// columns the test chooses, so arbitration, each clear kind and "worse only" are tested without the
// monitor, the supervisor or the real rows; then one generic test that every real row behaves as
// its columns declare.
#include <gtest/gtest.h>

#include "daemon/supervisor/safety_policy.hpp"

namespace treadd::testing {
namespace {

using Verdict = SafetyPolicy::ResetAnswer::Verdict;

// Real ids (the policy's set is indexed by them), toy columns.
constexpr Rule toy[] = {
    {RuleId::overspeed, "weak_latch", Reaction::stop_session, Clear::reset_at_standstill, Role::clinician, "weak"},
    {RuleId::link_loss, "gone_latch", Reaction::fast_stop_latch, Clear::reset_once_condition_gone, Role::clinician, "gone"},
    {RuleId::drive_fault, "ack_latch", Reaction::fast_stop_latch, Clear::acknowledge_then_reset, Role::clinician, "ack"},
    {RuleId::max_distance, "limit", Reaction::stop_session, Clear::session_end, Role::clinician, "limit"},
    {RuleId::max_pause, "other_limit", Reaction::stop_session, Clear::session_end, Role::clinician, "other limit"},
    {RuleId::session_time, "slow_limit", Reaction::cool_down, Clear::session_end, Role::clinician, "slow limit"},
};

Conditions seen(std::initializer_list<RuleId> ids) {
  Conditions c;
  for (RuleId id : ids) c.raise(Fault{id, {{"seen", Word{to_string(id)}}}});
  return c;
}

std::vector<RuleId> ids(const std::vector<Fault>& faults) {
  std::vector<RuleId> out;
  for (const Fault& f : faults) out.push_back(f.rule);
  return out;
}

TEST(SafetyPolicy, the_strongest_reaction_wins_and_only_a_stronger_one_is_worse) {
  SafetyPolicy policy(toy);
  EXPECT_EQ(policy.strongest(), Reaction::refuse);
  auto first = policy.latch(seen({RuleId::overspeed}));
  EXPECT_EQ(ids(first.added), std::vector{RuleId::overspeed});
  EXPECT_TRUE(first.worse);
  EXPECT_EQ(policy.strongest(), Reaction::stop_session);

  auto again = policy.latch(seen({RuleId::overspeed}));
  EXPECT_TRUE(again.added.empty()) << "an active rule seen again is not news";
  EXPECT_FALSE(again.worse);

  auto stronger = policy.latch(seen({RuleId::overspeed, RuleId::link_loss}));
  EXPECT_EQ(ids(stronger.added), std::vector{RuleId::link_loss});
  EXPECT_TRUE(stronger.worse);
  EXPECT_EQ(policy.strongest(), Reaction::fast_stop_latch);

  auto as_strong = policy.latch(seen({RuleId::drive_fault}));
  EXPECT_EQ(ids(as_strong.added), std::vector{RuleId::drive_fault}) << "a second latch is recorded";
  EXPECT_FALSE(as_strong.worse) << "but it is not worse than what already holds";
}

TEST(SafetyPolicy, rules_seen_together_latch_in_the_monitors_order) {
  SafetyPolicy policy(toy);
  auto both = policy.latch(seen({RuleId::drive_fault, RuleId::link_loss}));
  EXPECT_EQ(ids(both.added), (std::vector{RuleId::drive_fault, RuleId::link_loss}));
  EXPECT_EQ(std::get<Word>(both.added.front().facts.front().value).value, "drive_fault") << "each with its own facts";
  EXPECT_TRUE(both.worse);
}

TEST(SafetyPolicy, a_row_that_does_not_latch_and_a_rule_outside_the_table_are_not_held) {
  SafetyPolicy policy(toy);
  auto none = policy.latch(seen({RuleId::max_distance, RuleId::tracking_error}));
  EXPECT_TRUE(none.added.empty());
  EXPECT_FALSE(none.worse);
  EXPECT_FALSE(policy.any_active());
  EXPECT_EQ(policy.strongest(), Reaction::refuse);
}

// Session limits: the policy picks the one to act on by the reaction column — a stop outranks a
// cool-down, the first seen wins among equals — and holds nothing (the session's end clears it).
TEST(SafetyPolicy, the_session_ends_by_the_strongest_limit_and_the_first_among_equals) {
  SafetyPolicy policy(toy);
  EXPECT_FALSE(policy.session_end(seen({})).has_value());
  EXPECT_FALSE(policy.session_end(seen({RuleId::overspeed, RuleId::tracking_error})).has_value())
      << "a latching row or a rule outside the table ends nothing here";
  EXPECT_EQ(policy.session_end(seen({RuleId::session_time}))->rule, RuleId::session_time);
  EXPECT_EQ(policy.session_end(seen({RuleId::session_time, RuleId::max_distance}))->rule, RuleId::max_distance)
      << "a stop outranks a cool-down whatever the order";
  EXPECT_EQ(policy.session_end(seen({RuleId::max_pause, RuleId::max_distance}))->rule, RuleId::max_pause);
  EXPECT_EQ(policy.session_end(seen({RuleId::max_distance, RuleId::max_pause}))->rule, RuleId::max_distance);
  EXPECT_EQ(std::get<Word>(policy.session_end(seen({RuleId::max_distance}))->facts.front().value).value,
            "max_distance") << "with its facts";
  EXPECT_FALSE(policy.any_active());
}

TEST(SafetyPolicy, every_latch_clears_only_at_standstill) {
  SafetyPolicy policy(toy);
  policy.latch(seen({RuleId::overspeed}));
  EXPECT_EQ(policy.reset(seen({}), false).verdict, Verdict::not_at_standstill);
  EXPECT_TRUE(policy.active(RuleId::overspeed));
  EXPECT_EQ(policy.reset(seen({}), true).verdict, Verdict::clears);
  EXPECT_FALSE(policy.any_active());
  EXPECT_EQ(policy.strongest(), Reaction::refuse);
}

TEST(SafetyPolicy, reset_at_standstill_clears_whether_or_not_its_condition_is_still_seen) {
  SafetyPolicy policy(toy);
  policy.latch(seen({RuleId::overspeed}));
  EXPECT_EQ(policy.reset(seen({RuleId::overspeed}), true).verdict, Verdict::clears);
}

TEST(SafetyPolicy, a_condition_that_must_be_gone_holds_the_reset_and_is_named) {
  SafetyPolicy policy(toy);
  policy.latch(seen({RuleId::overspeed}));
  // Held even though only the weak latch is active: the condition would latch on the next tick.
  const auto held = policy.reset(seen({RuleId::overspeed, RuleId::link_loss}), true);
  EXPECT_EQ(held.verdict, Verdict::held);
  ASSERT_TRUE(held.holding.has_value());
  EXPECT_EQ(held.holding->rule, RuleId::link_loss);
  EXPECT_TRUE(policy.active(RuleId::overspeed)) << "a refused reset clears nothing";
  EXPECT_EQ(policy.reset(seen({}), true).verdict, Verdict::clears);
}

TEST(SafetyPolicy, a_drive_trip_still_held_is_acknowledged_first) {
  SafetyPolicy policy(toy);
  policy.latch(seen({RuleId::drive_fault}));
  const auto ack = policy.reset(seen({RuleId::drive_fault}), true);
  EXPECT_EQ(ack.verdict, Verdict::acknowledge_first);
  ASSERT_TRUE(ack.holding.has_value());
  EXPECT_EQ(ack.holding->rule, RuleId::drive_fault);
  EXPECT_TRUE(policy.active(RuleId::drive_fault));
  EXPECT_EQ(policy.reset(seen({}), true).verdict, Verdict::clears);
}

TEST(SafetyPolicy, the_first_standing_condition_in_the_monitors_order_is_the_one_named) {
  SafetyPolicy policy(toy);
  policy.latch(seen({RuleId::link_loss, RuleId::drive_fault}));
  EXPECT_EQ(policy.reset(seen({RuleId::drive_fault, RuleId::link_loss}), true).verdict, Verdict::acknowledge_first);
  EXPECT_EQ(policy.reset(seen({RuleId::link_loss, RuleId::drive_fault}), true).verdict, Verdict::held);
}

// Every real row, alone: it latches if and only if its clear column says so, a latch makes things
// worse from rest, and a reset with its condition still seen is held exactly when its column says
// the condition must be gone (acknowledged first for the drive's own trip).
TEST(SafetyPolicy, every_real_row_behaves_as_its_columns_declare) {
  for (const Rule& r : rules) {
    SCOPED_TRACE(r.code);
    SafetyPolicy policy;
    const auto latched = policy.latch(seen({r.id}));
    const bool latches = r.clear == Clear::reset_at_standstill || r.clear == Clear::reset_once_condition_gone ||
                         r.clear == Clear::acknowledge_then_reset;
    EXPECT_EQ(latched.added.size(), latches ? 1u : 0u);
    EXPECT_EQ(latched.worse, latches);
    EXPECT_EQ(policy.active(r.id), latches);
    const auto ends = policy.session_end(seen({r.id}));
    EXPECT_EQ(ends.has_value(), r.clear == Clear::session_end) << "only a session_end row ends the session";
    if (!latches) continue;
    EXPECT_EQ(policy.strongest(), r.reaction);
    const auto answer = policy.reset(seen({r.id}), true);
    switch (r.clear) {
      case Clear::reset_at_standstill: EXPECT_EQ(answer.verdict, Verdict::clears); break;
      case Clear::reset_once_condition_gone: EXPECT_EQ(answer.verdict, Verdict::held); break;
      case Clear::acknowledge_then_reset: EXPECT_EQ(answer.verdict, Verdict::acknowledge_first); break;
      default: ADD_FAILURE() << "a latching row with clear " << to_string(r.clear);
    }
    EXPECT_EQ(policy.reset(seen({}), false).verdict, Verdict::not_at_standstill);
    EXPECT_EQ(policy.reset(seen({}), true).verdict, Verdict::clears);
    EXPECT_FALSE(policy.any_active());
  }
}

}  // namespace
}  // namespace treadd::testing
