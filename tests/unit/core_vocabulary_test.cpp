// SPDX-License-Identifier: Apache-2.0
// The core's small words, at their edges: the patient code's form and the units' whitespace (the
// mutation sample found both untested in-process).
#include <gtest/gtest.h>

#include <string>

#include "core/patient.hpp"
#include "core/units.hpp"

namespace treadd::testing {
namespace {

TEST(PatientCode, is_three_to_sixteen_capitals_digits_or_dashes_with_a_digit) {
  EXPECT_TRUE(is_patient_code("P17"));
  EXPECT_TRUE(is_patient_code("LBP-0042"));
  EXPECT_TRUE(is_patient_code(std::string(15, 'A') + "1"));
  EXPECT_FALSE(is_patient_code("P1")) << "too short to tell patients apart";
  EXPECT_FALSE(is_patient_code(std::string(16, 'A') + "1")) << "17 characters";
  EXPECT_FALSE(is_patient_code("MUELLER")) << "no digit: a name";
  EXPECT_FALSE(is_patient_code("p-0042")) << "the daemon upper-cases before it asks";
  EXPECT_FALSE(is_patient_code("LBP 0042"));
}

TEST(Units, a_value_read_from_a_file_may_carry_spaces_and_tabs_around_it) {
  std::string why;
  for (const char* text : {"3.5 km/h", " 3.5 km/h", "3.5 km/h ", "3.5 km/h\t", "\t3.5 km/h \t"}) {
    const auto kmh = units::parse_kmh(text, why);
    ASSERT_TRUE(kmh.has_value()) << "'" << text << "': " << why;
    EXPECT_DOUBLE_EQ(*kmh, 3.5);
  }
}

}  // namespace
}  // namespace treadd::testing
