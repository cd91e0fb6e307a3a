// SPDX-License-Identifier: Apache-2.0
// Times as people at the machine read them. The daemon and its records keep UTC (ISO 8601, one
// clock for every clinic and for the audit); treadctl shows them in the reader's local time with
// the zone named, from the system's time zone (/etc/localtime) or TZ when it is set.
#pragma once

#include <ctime>
#include <string>

namespace treadctl {

// "2026-12-06T22:41:36Z" -> seconds since the epoch; false when it is not that form.
inline bool unix_from_iso_utc(const std::string& iso, std::time_t& out) {
  std::tm tm{};
  if (iso.size() != 20 || iso[10] != 'T' || iso[19] != 'Z') return false;
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return false;
  out = timegm(&tm);
  return true;
}

// `format` (strftime) of an ISO UTC time in local time; the text as it came when it is not one.
inline std::string local_time(const std::string& iso, const char* format = "%Y-%m-%d %H:%M:%S %Z") {
  std::time_t t{};
  if (!unix_from_iso_utc(iso, t)) return iso;
  tzset();
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  return std::strftime(buf, sizeof buf, format, &tm) > 0 ? buf : iso;
}

// The local zone's name and offset now, for a page's footnote: "CET, UTC+01:00".
inline std::string local_zone_text() {
  tzset();
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char name[32], offset[16];
  std::strftime(name, sizeof name, "%Z", &tm);
  std::strftime(offset, sizeof offset, "%z", &tm);  // +0100
  const std::string o = offset;
  return std::string(name) + ", UTC" + (o.size() == 5 ? o.substr(0, 3) + ":" + o.substr(3) : o);
}

}  // namespace treadctl
