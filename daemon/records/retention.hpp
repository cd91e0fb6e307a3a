// SPDX-License-Identifier: Apache-2.0
// Which session records retention deletes at a session start, decided apart from the disk so that
// every rule has a test of its own (tests/unit/retention_test.cpp).
//
// Two limits, two threats:
// - records.keep (count): anyone who may start a session adds a record, so a count limit applied
//   at every start would let an operator — who may read only today's records and may not
//   `forget` — erase a clinic's history by cycling empty sessions. The oldest records beyond
//   `keep` are deleted only when a clinician (who may read and erase them all) starts a session;
//   until then they are kept and counted (status.storage.records_over_keep).
// - records.keep_days (age): ages come from the wall clock, and a clock set forward (a wrong RTC,
//   a typo in `date -s`) would delete valid records years early. Age deletions run only while the
//   kernel says the clock is synchronised (NTP; a manual `date` marks it unsynchronised), or where
//   the technician declared the clock trusted (`records.age_by: system_clock`, a machine without
//   NTP); otherwise they wait, and status says so.
// At most 100 records go at one start, by age and count together (the rest at the next starts):
// unlinking thousands in one writer job would hold up the session's own lines behind it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace treadd {

struct RetentionSettings {
  std::size_t keep = 500;  // records.keep
  int keep_days = 0;       // records.keep_days; 0: no age limit
  AgeClock age_by = AgeClock::synchronised;
};

// Record ids in the order the sessions started: by the UTC second, then by the number of a later
// session started within it ("…Z", "…Z-2", … "…Z-10"; plain string order puts "-10" first).
bool record_id_before(const std::string& a, const std::string& b);

struct RetentionPlan {
  std::vector<std::string> by_age;    // past keep_days, oldest first
  std::vector<std::string> by_count;  // the oldest beyond records.keep (a clinician's start only)
  std::size_t over_keep = 0;          // beyond records.keep and kept (an operator's start, or past the budget)
  bool age_waits_for_clock = false;   // keep_days not applied: the clock is not synchronised
};

constexpr std::size_t max_deletions_per_start = 100;

// `ids`: the records on disk (named by their UTC start, 20261130T091204Z or …Z-2), any order.
// The plan leaves room for the record about to be created.
RetentionPlan plan_retention(std::vector<std::string> ids, const RetentionSettings& settings,
                             std::chrono::system_clock::time_point now, bool clock_synchronised,
                             bool started_by_clinician);

// The kernel's word on the wall clock (adjtimex): synchronised by NTP and not set by hand since;
// where the unit forbids asking (ProtectClock), systemd-timesyncd's /run/systemd/timesync/synchronized.
bool system_clock_synchronised();

}  // namespace treadd
