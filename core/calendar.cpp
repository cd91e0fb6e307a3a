// SPDX-License-Identifier: Apache-2.0
#include "core/calendar.hpp"

#include <chrono>
#include <cstdio>

namespace treadd {
namespace {

using namespace std::chrono;

struct Parts {
  int y, mo, d;  // always given
  int h = 0, mi = 0, s = 0;
};

bool all_digits(std::string_view t) {
  for (char c : t) {
    if (c < '0' || c > '9') return false;
  }
  return !t.empty();
}

int number(std::string_view t) {
  int n = 0;
  for (char c : t) n = n * 10 + (c - '0');
  return n;
}

// "YYYY-MM-DD" then optionally `sep` and "HH:MM" or "HH:MM:SS"; `need_seconds_z` for the protocol form.
std::optional<Parts> split(std::string_view t, char sep, bool protocol_form) {
  if (t.size() < 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!all_digits(t.substr(0, 4)) || !all_digits(t.substr(5, 2)) || !all_digits(t.substr(8, 2))) return std::nullopt;
  Parts p{number(t.substr(0, 4)), number(t.substr(5, 2)), number(t.substr(8, 2))};
  if (!year_month_day{year{p.y}, month{static_cast<unsigned>(p.mo)}, day{static_cast<unsigned>(p.d)}}.ok()) {
    return std::nullopt;
  }
  std::string_view rest = t.substr(10);
  if (rest.empty()) return p;
  if (rest[0] != sep) return std::nullopt;
  rest.remove_prefix(1);
  if (protocol_form) {
    if (rest.size() != 9 || rest[8] != 'Z') return std::nullopt;
    rest.remove_suffix(1);
  }
  if ((rest.size() != 5 && rest.size() != 8) || rest[2] != ':' || (rest.size() == 8 && rest[5] != ':')) {
    return std::nullopt;
  }
  if (protocol_form && rest.size() != 8) return std::nullopt;
  if (!all_digits(rest.substr(0, 2)) || !all_digits(rest.substr(3, 2))) return std::nullopt;
  p.h = number(rest.substr(0, 2));
  p.mi = number(rest.substr(3, 2));
  if (rest.size() == 8) {
    if (!all_digits(rest.substr(6, 2))) return std::nullopt;
    p.s = number(rest.substr(6, 2));
  }
  if (p.h > 23 || p.mi > 59 || p.s > 59) return std::nullopt;
  return p;
}

std::string format(const Parts& p, bool with_time) {
  char buf[32];
  if (with_time) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", p.y, p.mo, p.d, p.h, p.mi, p.s);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", p.y, p.mo, p.d);
  }
  return buf;
}

Parts parts_of(std::int64_t unix_s) {
  const sys_seconds t{seconds{unix_s}};
  const sys_days day_start = floor<days>(t);
  const year_month_day ymd{day_start};
  const hh_mm_ss hms{t - day_start};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count())};
}

// "-3d", "+2h", "-90min": the offset in seconds.
std::optional<std::int64_t> relative_offset(std::string_view t) {
  if (t.size() < 3 || (t[0] != '-' && t[0] != '+')) return std::nullopt;
  const int sign = t[0] == '-' ? -1 : 1;
  std::size_t i = 1;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i == 1 || i > 7) return std::nullopt;
  const std::int64_t n = number(t.substr(1, i - 1));
  const std::string_view unit = t.substr(i);
  std::int64_t per = 0;
  if (unit == "s") per = 1;
  else if (unit == "min" || unit == "m") per = 60;
  else if (unit == "h") per = 3600;
  else if (unit == "d") per = 86400;
  else if (unit == "w") per = 7 * 86400;
  else return std::nullopt;
  return sign * n * per;
}

}  // namespace

bool is_iso_utc(std::string_view text) {
  if (text.size() == 10) return split(text, 'T', true).has_value();
  return text.size() == 20 && split(text, 'T', true).has_value();
}

std::string iso_utc_from_unix(std::int64_t unix_s) { return format(parts_of(unix_s), true); }

std::optional<std::string> iso_utc_from_user_text(std::string_view text, std::int64_t now_unix_s) {
  const std::int64_t day_s = 86400;
  const std::int64_t midnight = now_unix_s - ((now_unix_s % day_s) + day_s) % day_s;
  if (text == "now") return iso_utc_from_unix(now_unix_s);
  if (text == "today") return format(parts_of(midnight), false);
  if (text == "yesterday") return format(parts_of(midnight - day_s), false);
  if (text == "tomorrow") return format(parts_of(midnight + day_s), false);
  if (auto offset = relative_offset(text)) return iso_utc_from_unix(now_unix_s + *offset);
  if (is_iso_utc(text)) return std::string(text);
  // A date alone is 10 characters (and the protocol's form, taken above); split() accepts nothing
  // between 10 and 15.
  if (auto p = split(text, ' ', false)) return format(*p, /*with_time=*/text.size() != 10);
  if (auto p = split(text, 'T', false)) return format(*p, /*with_time=*/true);
  return std::nullopt;
}

}  // namespace treadd
