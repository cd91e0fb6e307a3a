// SPDX-License-Identifier: Apache-2.0
// Retention's decisions, apart from the disk: each rule of daemon/records/retention.hpp fails a test here
// when it is removed.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/records/retention.hpp"

namespace treadd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

// 2026-12-06 12:00:00 UTC.
const Clock::time_point now = Clock::from_time_t(1796558400);

// `n` records, one a day, the newest two hours ago: 20261206T100000Z, 20261205T100000Z, …
std::vector<std::string> daily_records(int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) {
    const std::time_t t = Clock::to_time_t(now - 24h * (i - 1) - 2h);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    ids.push_back(buf);
  }
  return ids;  // newest first: the plan must not rely on the directory's order
}

TEST(Retention, a_clinicians_start_deletes_the_oldest_beyond_keep_leaving_room_for_the_new_record) {
  const RetentionPlan plan = plan_retention(daily_records(12), {.keep = 10}, now, true, true);
  ASSERT_EQ(plan.by_count.size(), 3u) << "12 + the new one, 10 kept";
  EXPECT_EQ(plan.by_count[0], daily_records(12).back()) << "the oldest first";
  EXPECT_EQ(plan.over_keep, 0u);
  EXPECT_TRUE(plan.by_age.empty());
}

// An operator may read only today's records and may not `forget`: cycling empty sessions must not
// push a clinic's history out. The surplus is kept and counted until a clinician starts a session.
TEST(Retention, an_operators_start_never_deletes_by_count_and_the_surplus_is_counted) {
  const RetentionPlan plan = plan_retention(daily_records(600), {.keep = 500}, now, true, false);
  EXPECT_TRUE(plan.by_count.empty());
  EXPECT_TRUE(plan.by_age.empty());
  EXPECT_EQ(plan.over_keep, 101u);
}

TEST(Retention, records_past_keep_days_go_oldest_first_when_the_clock_is_synchronised) {
  const RetentionPlan plan = plan_retention(daily_records(40), {.keep = 500, .keep_days = 30}, now, true, false);
  EXPECT_EQ(plan.by_age.size(), 10u) << "days 31 to 40";
  for (const auto& id : plan.by_age) EXPECT_LT(id, "20261106T120000Z") << id;
  EXPECT_FALSE(plan.age_waits_for_clock);
}

// A clock set two years forward by hand (the kernel marks it unsynchronised) must not delete
// valid records: the age limit waits for a synchronised clock, and says so.
TEST(Retention, a_clock_that_is_not_synchronised_deletes_nothing_by_age_and_says_it_waits) {
  const RetentionPlan plan =
      plan_retention(daily_records(200), {.keep = 500, .keep_days = 30}, now + 24h * 730, false, true);
  EXPECT_TRUE(plan.by_age.empty());
  EXPECT_TRUE(plan.age_waits_for_clock);
  EXPECT_TRUE(plan.by_count.empty());
}

TEST(Retention, a_machine_without_ntp_may_trust_its_clock_as_it_is) {
  const RetentionPlan plan = plan_retention(daily_records(40), {.keep = 500, .keep_days = 30, .age_by = AgeClock::system},
                                            now, false, false);
  EXPECT_EQ(plan.by_age.size(), 10u);
  EXPECT_FALSE(plan.age_waits_for_clock);
}

// A first start after keep_days is set on a full directory must not unlink thousands of files in
// one go (the writer would fall behind the session): 100 a start, the rest at the next ones.
TEST(Retention, at_most_a_hundred_go_by_age_at_one_start) {
  const RetentionPlan plan = plan_retention(daily_records(1000), {.keep = 5000, .keep_days = 30}, now, true, true);
  EXPECT_EQ(plan.by_age.size(), max_deletions_per_start);
}

// A clinic where only operators start sessions builds up a surplus; the first clinician's start
// must not unlink thousands of files in one writer job: a hundred a start, age and count together.
TEST(Retention, a_large_surplus_goes_a_hundred_a_start_and_the_rest_stays_counted) {
  RetentionPlan plan = plan_retention(daily_records(5500), {.keep = 500}, now, true, true);
  EXPECT_EQ(plan.by_count.size(), max_deletions_per_start);
  EXPECT_EQ(plan.over_keep, 5001u - max_deletions_per_start);
  plan = plan_retention(daily_records(700), {.keep = 500, .keep_days = 30}, now, true, true);
  EXPECT_EQ(plan.by_age.size() + plan.by_count.size(), max_deletions_per_start);
  EXPECT_EQ(plan.by_age.size(), max_deletions_per_start) << "age first";
  EXPECT_GT(plan.over_keep, 0u);
}

TEST(Retention, records_deleted_by_age_are_not_counted_again_against_keep) {
  const RetentionPlan plan = plan_retention(daily_records(15), {.keep = 10, .keep_days = 10}, now, true, true);
  EXPECT_EQ(plan.by_age.size(), 5u);
  EXPECT_EQ(plan.by_count.size(), 1u) << "10 left + the new one: one more goes";
}

}  // namespace
}  // namespace treadd
