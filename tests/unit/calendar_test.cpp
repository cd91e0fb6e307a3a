// SPDX-License-Identifier: Apache-2.0
// The dates treadctl's --since/--until accept and the protocol carries (core/calendar.cpp): every
// form accepted, every near miss refused — mutation testing found the calendar tested only end
// to end, where a refused form and an accepted one can look alike.
#include "core/calendar.hpp"

#include <gtest/gtest.h>

namespace treadd {
namespace {

constexpr std::int64_t now = 1796221805;  // 2026-12-02T14:30:05Z, a Wednesday

struct Typed {
  const char* text;
  const char* protocol_form;  // nullptr: refused
};

class CalendarUserText : public ::testing::TestWithParam<Typed> {};

TEST_P(CalendarUserText, becomes_the_protocol_form_or_is_refused) {
  const auto got = iso_utc_from_user_text(GetParam().text, now);
  if (GetParam().protocol_form == nullptr) {
    EXPECT_FALSE(got.has_value()) << GetParam().text << " became " << got.value_or("");
  } else {
    ASSERT_TRUE(got.has_value()) << GetParam().text << " was refused";
    EXPECT_EQ(*got, GetParam().protocol_form) << GetParam().text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryForm, CalendarUserText,
    ::testing::Values(
        Typed{"now", "2026-12-02T14:30:05Z"}, Typed{"today", "2026-12-02"}, Typed{"yesterday", "2026-12-01"},
        Typed{"tomorrow", "2026-12-03"}, Typed{"2026-02-28", "2026-02-28"}, Typed{"2024-02-29", "2024-02-29"},
        Typed{"2026-12-02 07:05", "2026-12-02T07:05:00Z"}, Typed{"2026-12-02 07:05:09", "2026-12-02T07:05:09Z"},
        Typed{"2026-12-02T07:05", "2026-12-02T07:05:00Z"}, Typed{"2026-12-02T23:59:59Z", "2026-12-02T23:59:59Z"},
        Typed{"-30s", "2026-12-02T14:29:35Z"}, Typed{"-90min", "2026-12-02T13:00:05Z"},
        Typed{"-2m", "2026-12-02T14:28:05Z"}, Typed{"+2h", "2026-12-02T16:30:05Z"},
        Typed{"-3d", "2026-11-29T14:30:05Z"}, Typed{"-2w", "2026-11-18T14:30:05Z"},
        Typed{"-123456s", "2026-12-01T04:12:29Z"},
        // near misses
        Typed{"", nullptr}, Typed{"Today", nullptr}, Typed{"2026-02-29", nullptr}, Typed{"2026-13-01", nullptr},
        Typed{"2026-12-32", nullptr}, Typed{"2026/12/02", nullptr}, Typed{"02.12.2026", nullptr},
        Typed{"2026-12-2", nullptr}, Typed{"2026-12-02 7:05", nullptr}, Typed{"2026-12-02 07:5", nullptr},
        Typed{"2026-12-02 07-05", nullptr}, Typed{"2026-12-02 07:05-09", nullptr}, Typed{"2026-12-02 24:00", nullptr},
        Typed{"2026-12-02 23:60", nullptr}, Typed{"2026-12-02 23:59:60", nullptr}, Typed{"2026-12-02 0a:05", nullptr},
        Typed{"2026-12-02 07:0a", nullptr}, Typed{"2026-12-02 07:05:0a", nullptr}, Typed{"2026-12-02_07:05", nullptr},
        Typed{"2026-12-02 07:05 ", nullptr}, Typed{"-3", nullptr}, Typed{"3d", nullptr}, Typed{"-d", nullptr},
        Typed{"-3x", nullptr}, Typed{"-3days", nullptr}, Typed{"-3d5", nullptr}, Typed{"-1234567s", nullptr},
        Typed{"-3 d", nullptr}));

TEST(Calendar, the_protocol_form_is_a_date_or_a_whole_utc_time) {
  EXPECT_TRUE(is_iso_utc("2026-12-02"));
  EXPECT_TRUE(is_iso_utc("2026-12-02T00:00:00Z"));
  EXPECT_FALSE(is_iso_utc("2026-12-02T00:00Z"));
  EXPECT_FALSE(is_iso_utc("2026-12-02T00:00:00"));
  EXPECT_FALSE(is_iso_utc("2026-12-02 00:00:00Z"));
  EXPECT_FALSE(is_iso_utc("2026-12-02T00:00:00Z "));
  EXPECT_FALSE(is_iso_utc("2026-12-02T00:00:00+01"));
  EXPECT_FALSE(is_iso_utc("2026-12-02T00:00:00X"));
}

TEST(Calendar, unix_seconds_format_as_utc_across_day_and_year_ends) {
  EXPECT_EQ(iso_utc_from_unix(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_utc_from_unix(now), "2026-12-02T14:30:05Z");
  EXPECT_EQ(iso_utc_from_unix(1798761599), "2026-12-31T23:59:59Z");
  EXPECT_EQ(iso_utc_from_unix(1798761600), "2027-01-01T00:00:00Z");
  EXPECT_EQ(iso_utc_from_unix(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(iso_utc_from_user_text("today", -1), "1969-12-31");  // midnight before an instant before 1970
}

}  // namespace
}  // namespace treadd
