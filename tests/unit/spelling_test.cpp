// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "core/spelling.hpp"

namespace treadd {
namespace {

TEST(Spelling, a_typo_is_a_few_edits_away_and_other_words_are_far) {
  EXPECT_EQ(edit_distance("reverse_accel", "reverse_accel"), 0u);
  EXPECT_EQ(edit_distance("reverse_acel", "reverse_accel"), 1u);   // a letter left out
  EXPECT_EQ(edit_distance("reverse_acccel", "reverse_accel"), 1u); // one too many
  EXPECT_EQ(edit_distance("statsu", "status"), 2u);                // two letters swapped
  EXPECT_EQ(edit_distance("", "stop"), 4u);
  EXPECT_EQ(edit_distance("stop", ""), 4u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_GE(edit_distance("colour", "reverse_cap"), 8u);
}

}  // namespace
}  // namespace treadd
