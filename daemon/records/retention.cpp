// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/retention.hpp"

#include <sys/timex.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

namespace treadd {

namespace {

// A record's name starts with its UTC start in this form, so names sort as starts do.
std::string compact_utc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

bool record_id_before(const std::string& a, const std::string& b) {
  auto key = [](const std::string& id) {
    const auto dash = id.find('-');
    return std::pair{id.substr(0, dash), dash == std::string::npos ? 1L : std::strtol(id.c_str() + dash + 1, nullptr, 10)};
  };
  return key(a) < key(b);
}

RetentionPlan plan_retention(std::vector<std::string> ids, const RetentionSettings& settings,
                             std::chrono::system_clock::time_point now, bool clock_synchronised,
                             bool started_by_clinician) {
  RetentionPlan plan;
  std::sort(ids.begin(), ids.end(), record_id_before);
  auto oldest = ids.begin();
  if (settings.keep_days > 0) {
    if (clock_synchronised || settings.age_by == AgeClock::system) {
      const std::string cutoff = compact_utc(now - std::chrono::hours(24) * settings.keep_days);
      while (oldest != ids.end() && plan.by_age.size() < max_deletions_per_start && *oldest < cutoff) {
        plan.by_age.push_back(*oldest++);
      }
    } else {
      plan.age_waits_for_clock = true;
    }
  }
  // Room for the new record: at most keep - 1 of the others stay.
  const auto left = static_cast<std::size_t>(ids.end() - oldest);
  const std::size_t surplus = left >= settings.keep ? left - settings.keep + 1 : 0;
  // Age and count together stay within the per-start budget: a surplus of thousands (a clinic
  // where only operators start sessions) goes a hundred a start, not in one long writer job.
  const std::size_t now_deleted =
      started_by_clinician ? std::min(surplus, max_deletions_per_start - plan.by_age.size()) : 0;
  plan.by_count.assign(oldest, oldest + static_cast<std::ptrdiff_t>(now_deleted));
  plan.over_keep = surplus - now_deleted;
  return plan;
}

bool system_clock_synchronised() {
  timex tx{};
  const int state = ::adjtimex(&tx);
  if (state != -1) return state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
  // The unit's ProtectClock=yes filters adjtimex even to read (EPERM). systemd-timesyncd marks a
  // synchronised clock with this file; without either, the clock is not known to be right.
  return ::access("/run/systemd/timesync/synchronized", F_OK) == 0;
}

}  // namespace treadd
