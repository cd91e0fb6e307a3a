// SPDX-License-Identifier: Apache-2.0
// Loader tests: every error class names the place (file:line:column) and says what is wrong.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.hpp"
#include "config/machine_keys.hpp"
#include "config/profile_keys.hpp"
#include "core/units.hpp"
#include "tests/unit/config_samples.hpp"

namespace treadd {
namespace {

const std::string machine_yaml = testing::sample_machine_yaml();

MachineConfig machine() {
  auto m = parse_machine(machine_yaml, "machine.yaml");
  EXPECT_TRUE(m.ok()) << join(m.errors);
  return *m.value;
}

std::string profile_yaml(const std::string& extra_line = "", const std::string& reverse_cap = "4 km/h") {
  return "profiles:\n"
         "  p1:\n"
         "    reverse_cap: " + reverse_cap + "\n"
         "    start_speed: 0.5 km/h\n"
         "    accel: 0.2 m/s2\n"
         "    decel: 0.3 m/s2\n"
         "    session_time: 20min\n" +
         extra_line;
}

std::vector<Diagnostic> limits_errors(const std::string& yaml) {
  return parse_limits(yaml, "limits.yaml", machine()).errors;
}

::testing::AssertionResult has_error(const std::vector<Diagnostic>& errors, int line, const std::string& part) {
  for (const auto& e : errors) {
    if (e.line == line && e.message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no error at line " << line << " containing '" << part << "' in:\n"
                                       << join(errors);
}

TEST(ConfigExamples, shipped_examples_load_as_they_are) {
  auto full = load_config_dir(std::string(TREADD_SOURCE_DIR) + "/config/examples");
  ASSERT_TRUE(full.ok()) << join(full.errors);
  EXPECT_EQ(full.value->machine.drive.transport, Transport::sim);
  EXPECT_DOUBLE_EQ(full.value->limits.profiles.at("lumbar-early").reverse_cap_kmh, 3.0);
  EXPECT_EQ(full.value->limits.programs.at("backward-intervals").segments.size(), 1u + 4 * 2 + 1);
}

TEST(ConfigLimits, valid_profile_loads_with_defaults_for_reverse_ramps) {
  auto l = parse_limits(profile_yaml(), "limits.yaml", machine());
  ASSERT_TRUE(l.ok()) << join(l.errors);
  const Profile& p = l.value->profiles.at("p1");
  EXPECT_DOUBLE_EQ(p.reverse_accel_mps2, 0.2);
  EXPECT_EQ(p.session_time, std::chrono::minutes(20));
}

TEST(ConfigLimits, unknown_key_is_reported_with_its_line_and_the_accepted_keys) {
  auto errors = limits_errors(profile_yaml("    reverse_capp: 3 km/h\n"));
  EXPECT_TRUE(has_error(errors, 8, "unknown key 'reverse_capp'"));
  EXPECT_TRUE(has_error(errors, 8, "reverse_cap"));
}

TEST(ConfigLimits, missing_required_key_is_reported) {
  auto errors = limits_errors("profiles:\n  p1:\n    reverse_cap: 3 km/h\n");
  EXPECT_TRUE(has_error(errors, 3, "missing the required key 'start_speed'"));
  EXPECT_TRUE(has_error(errors, 3, "missing the required key 'session_time'"));
}

TEST(ConfigLimits, bare_number_without_unit_is_refused) {
  auto errors = limits_errors(profile_yaml("", "4"));
  EXPECT_TRUE(has_error(errors, 3, "has no unit"));
}

TEST(ConfigLimits, wrong_unit_is_refused_with_an_example) {
  auto errors = limits_errors(profile_yaml("", "4 mph"));
  EXPECT_TRUE(has_error(errors, 3, "unit 'mph' is not accepted here; write it like '3.5 km/h'"));
}

// Many clinicians write a decimal comma: it is named as such, not read as 3 with a unit ",5 km/h".
TEST(ConfigLimits, a_decimal_comma_is_named_and_a_point_asked_for) {
  auto errors = limits_errors(profile_yaml("", "3,5 km/h"));
  EXPECT_TRUE(has_error(errors, 3, "'3,5 km/h' has a decimal comma; write a decimal point, like '3.5 km/h'"));
  EXPECT_TRUE(units::decimal_comma(" 0,2 "));
  EXPECT_FALSE(units::decimal_comma("3.5 km/h"));
  EXPECT_FALSE(units::decimal_comma("1, 2"));
}

// A key given twice does not hide the file's other errors: all of them, in line order. A cap
// written wrong has its own error and no false "has no reverse_cap" besides.
TEST(ConfigLimits, every_error_shows_at_once_in_line_order_even_after_a_duplicate_key) {
  const std::string yaml = "profiles:\n"
                           "  p1:\n"
                           "    reverse_cap: 4 mph\n"
                           "    start_speed: 0.5 km/h\n"
                           "    accel: 0.2 m/s2\n"
                           "    decel: 0.3 m/s2\n"
                           "    start_speed: 0.6 km/h\n"
                           "    session_time: 20min\n"
                           "    colour: blue\n";
  const auto errors = limits_errors(yaml);
  EXPECT_TRUE(has_error(errors, 3, "unit 'mph' is not accepted")) << join(errors);
  EXPECT_TRUE(has_error(errors, 7, "given twice")) << join(errors);
  EXPECT_TRUE(has_error(errors, 9, "unknown key 'colour'")) << join(errors);
  for (std::size_t i = 1; i < errors.size(); ++i) EXPECT_LE(errors[i - 1].line, errors[i].line) << join(errors);
  EXPECT_EQ(join(errors).find("has no reverse_cap"), std::string::npos) << "the cap is there, written wrong: " << join(errors);
  EXPECT_TRUE(has_error(limits_errors(profile_yaml("    direction: forward\n")), 8, "starts in forward but has no forward_cap"))
      << "a cap not written at all is still named";
  EXPECT_TRUE(has_error(limits_errors(profile_yaml("", "")), 3, "needs at least one of forward_cap or reverse_cap"))
      << "a cap left empty is not written";
}

// The same class one level up: a profile with an error of its own (its cap written with a comma)
// adds no false error to its programs ("above the reverse cap of 0.0 km/h"); a program's own
// error is still named, and a program of a sound profile is still checked against it.
TEST(ConfigLimits, a_profiles_own_error_adds_no_false_errors_to_its_programs) {
  const std::string yaml = "profiles:\n"
                           "  p1:\n"
                           "    reverse_cap: 3,5 km/h\n"
                           "    start_speed: 0.5 km/h\n"
                           "    accel: 0.2 m/s2\n"
                           "    decel: 0.3 m/s2\n"
                           "    session_time: 20min\n"
                           "  p2:\n"
                           "    reverse_cap: 3 km/h\n"
                           "    start_speed: 0.5 km/h\n"
                           "    accel: 0.2 m/s2\n"
                           "    decel: 0.3 m/s2\n"
                           "    session_time: 20min\n"
                           "programs:\n"
                           "  walk:\n"
                           "    profile: p1\n"
                           "    segments:\n"
                           "      - {direction: reverse, speed: 2 km/h, duration: 3min}\n"
                           "      - {direction: reverse, speed: 2 mph, duration: 3min}\n"
                           "  fast:\n"
                           "    profile: p2\n"
                           "    segments:\n"
                           "      - {direction: reverse, speed: 4 km/h, duration: 3min}\n";
  const auto errors = limits_errors(yaml);
  EXPECT_TRUE(has_error(errors, 3, "has a decimal comma")) << join(errors);
  EXPECT_TRUE(has_error(errors, 19, "mph")) << "the program's own error: " << join(errors);
  EXPECT_TRUE(has_error(errors, 23, "is above the reverse cap of 3.0 km/h in profile 'p2'")) << join(errors);
  EXPECT_EQ(join(errors).find("in profile 'p1'"), std::string::npos) << "nothing checked against p1: " << join(errors);
  EXPECT_EQ(join(errors).find("does not define"), std::string::npos) << join(errors);
  EXPECT_EQ(errors.size(), 3u) << join(errors);
}

// The class, in each variation an outside review tried: a value not read as written never feeds a
// second check, whose error would then be false; and a typo elsewhere hides no real error.
TEST(ConfigLimits, a_value_not_read_as_written_feeds_no_second_error_and_hides_no_real_one) {
  const std::string program_of_p1 = "programs:\n  walk:\n    profile: p1\n    segments:\n";
  struct Case {
    std::string what, yaml, expected, never;
  };
  const Case cases[] = {
      {"a direction typo in a profile", profile_yaml("    direction: foward\n    forward_cap: 5 km/h\n", ""),
       "direction must be", "has no"},
      {"a direction typo in a segment",
       profile_yaml("    forward_cap: 6 km/h\n") + program_of_p1 + "      - {direction: foward, speed: 5 km/h, duration: 3min}\n",
       "direction must be", "above the"},
      {"a segment speed not read, then a short segment",
       profile_yaml() + program_of_p1 +
           "      - {direction: reverse, speed: 3 mph, duration: 3min}\n"
           "      - {direction: reverse, speed: 3.5 km/h, duration: 5s}\n",
       "unit 'mph' is not accepted", "needs"},
      {"'profiles' misspelt", "profils:\n  p1:\n    reverse_cap: 4 km/h\n" + program_of_p1 +
                                  "      - {direction: reverse, speed: 2 km/h, duration: 3min}\n",
       "unknown key 'profils': did you mean 'profiles'? (limits.yaml needs a 'profiles' section)", "does not define"},
      {"a cap above its ceiling, and a decel that stops the ceiling's speed in time",
       profile_yaml("", "7 km/h").replace(profile_yaml("", "7 km/h").find("decel: 0.3"), 10, "decel: 0.18"),
       "above the machine ceiling", "needs"},
      {"a profile given twice",
       profile_yaml() + "  p1:\n    reverse_cap: 3 km/h\n" + program_of_p1 +
           "      - {direction: reverse, speed: 3.5 km/h, duration: 3min}\n",
       "given twice", "above the"},
      {"a decimal comma inside { }",
       profile_yaml() + program_of_p1 + "      - {direction: reverse, speed: 2,5 km/h, duration: 3min}\n",
       "'2,5 km/h' has a decimal comma", "unknown key"},
  };
  for (const Case& c : cases) {
    const auto errors = limits_errors(c.yaml);
    EXPECT_NE(join(errors).find(c.expected), std::string::npos) << c.what << ":\n" << join(errors);
    EXPECT_EQ(join(errors).find(c.never), std::string::npos) << c.what << ": a false second error:\n" << join(errors);
  }
  EXPECT_EQ(join(limits_errors(profile_yaml() + program_of_p1 + "      - {direction: reverse, speed: 2,5 km/h, duration: 3min}\n"))
                .find("has no unit"),
            std::string::npos);
  // A comma inside { } after a value read without a unit (a count): never silently the '2' of '2,5'.
  const auto repeat = limits_errors(profile_yaml() + program_of_p1 +
                                    "      - {repeat: 2,5, segments: [{direction: reverse, speed: 2 km/h, duration: 1min}]}\n");
  EXPECT_FALSE(repeat.empty()) << "a repeat of '2,5' was accepted as 2";
  std::string keep = machine_yaml + "records: {keep: 1,000}\n";
  EXPECT_FALSE(parse_machine(keep, "machine.yaml").errors.empty()) << "records.keep of '1,000' was accepted as 1";
  // A typo in a key no program depends on hides nothing: the program's own error is still named.
  const auto typo = limits_errors(profile_yaml("    max_stepp: 1 km/h\n") + program_of_p1 +
                                  "      - {direction: reverse, speed: 4.5 km/h, duration: 3min}\n");
  EXPECT_NE(join(typo).find("did you mean 'max_step'"), std::string::npos) << join(typo);
  EXPECT_NE(join(typo).find("is above the reverse cap of 4.0 km/h"), std::string::npos) << join(typo);
  // Nor does a typo in a ramp: the cap is read as written, and the segment above it is named.
  const auto ramp_typo = limits_errors(profile_yaml("    reverse_dcel: 0.4 m/s2\n") + program_of_p1 +
                                       "      - {direction: reverse, speed: 4.5 km/h, duration: 3min}\n");
  EXPECT_NE(join(ramp_typo).find("is above the reverse cap of 4.0 km/h"), std::string::npos) << join(ramp_typo);
  // A profile that is not a mapping gives its own error, not one per segment of its programs.
  const auto not_a_map = limits_errors("profiles:\n  p1: 3\n" + program_of_p1 +
                                       "      - {direction: reverse, speed: 2 km/h, duration: 3min}\n");
  EXPECT_NE(join(not_a_map).find("must be a mapping"), std::string::npos) << join(not_a_map);
  EXPECT_EQ(join(not_a_map).find("above the"), std::string::npos) << join(not_a_map);
  // machine.yaml alike: an emergency_decel written wrong is not compared with max_decel.
  std::string m = machine_yaml;
  m.replace(m.find("emergency_decel: 1.5 m/s2"), 25, "emergency_decel: 0,6 m/s2");
  const auto machine_errors = parse_machine(m, "machine.yaml").errors;
  EXPECT_NE(join(machine_errors).find("decimal comma"), std::string::npos) << join(machine_errors);
  EXPECT_EQ(join(machine_errors).find("at least ceilings.max_decel"), std::string::npos) << join(machine_errors);
}

// One mistake, one error (issue 24 F, the variations a review tried): a required key misspelt is
// said once, at the typo, naming the key it meant and that it is required (not also "missing" at
// the section); a key given twice feeds no check; a goal past two bounds names both in one error.
TEST(ConfigLimits, one_mistake_is_one_error_where_it_was_made) {
  const std::string program_of_p1 = "programs:\n  walk:\n    profile: p1\n    segments:\n";
  struct Case {
    std::string what, yaml;
    int line;
    std::string expected;
  };
  const Case cases[] = {
      {"'profiles' misspelt", "profils:\n  p1:\n    reverse_cap: 4 km/h\n", 1,
       "limits.yaml has an unknown key 'profils': did you mean 'profiles'? (limits.yaml needs a 'profiles' section)"},
      {"a segment's speed misspelt",
       profile_yaml() + program_of_p1 + "      - {direction: reverse, sped: 2 km/h, duration: 3min}\n", 12,
       "unknown key 'sped': did you mean 'speed'? ('speed' is required)"},
      {"a program's segments misspelt", profile_yaml() + "programs:\n  walk:\n    profile: p1\n    segmens: []\n", 11,
       "unknown key 'segmens': did you mean 'segments'? ('segments' is required)"},
      {"a profile's cap given twice, the second lower than a segment",
       profile_yaml("    reverse_cap: 3 km/h\n") + program_of_p1 + "      - {direction: reverse, speed: 3.5 km/h, duration: 3min}\n",
       8, "the key 'reverse_cap' is given twice"},
      {"a segment's speed given twice, the first above the cap",
       profile_yaml() + program_of_p1 + "      - {direction: reverse, speed: 5 km/h, speed: 2 km/h, duration: 3min}\n", 12,
       "the key 'speed' is given twice"},
      {"a program's profile given twice",
       profile_yaml() + "programs:\n  walk:\n    profile: p2\n    profile: p1\n    segments:\n"
                        "      - {direction: reverse, speed: 2 km/h, duration: 3min}\n",
       11, "the key 'profile' is given twice"},
  };
  for (const Case& c : cases) {
    const auto errors = limits_errors(c.yaml);
    EXPECT_TRUE(has_error(errors, c.line, c.expected)) << c.what;
    EXPECT_EQ(errors.size(), 1u) << c.what << ": one mistake, one error:\n" << join(errors);
  }
  // machine.yaml: a misspelt required section is its typo, not also "must be a mapping".
  std::string sections = machine_yaml;
  sections.replace(sections.find("ceilings:"), 9, "ceilngs:");
  const auto section_errors = parse_machine(sections, "machine.yaml").errors;
  EXPECT_NE(join(section_errors).find("unknown key 'ceilngs': did you mean 'ceilings'? ('ceilings' is required)"),
            std::string::npos)
      << join(section_errors);
  EXPECT_EQ(section_errors.size(), 1u) << join(section_errors);
  // machine.yaml: a misspelt drive.profile is its typo, not also "drive.profile is required".
  std::string m = machine_yaml;
  m.replace(m.find("  transport: sim\n"), 17, "  transport: tcp\n  host: 127.0.0.1\n  profle: abb-acs580\n");
  const auto machine_errors = parse_machine(m, "machine.yaml").errors;
  EXPECT_NE(join(machine_errors).find("unknown key 'profle': did you mean 'profile'?"), std::string::npos)
      << join(machine_errors);
  EXPECT_EQ(machine_errors.size(), 1u) << join(machine_errors);
  // Still said when it is simply not there.
  m.replace(m.find("  profle: abb-acs580\n"), 21, "");
  EXPECT_NE(join(parse_machine(m, "machine.yaml").errors).find("drive.profile is required when drive.transport is 'tcp'"),
            std::string::npos)
      << join(parse_machine(m, "machine.yaml").errors);
}

// A typo'd key names the key it most likely meant; a key like no accepted one names none.
TEST(ConfigLimits, a_typo_in_a_key_gets_the_key_it_meant) {
  auto typo = limits_errors(profile_yaml("    reverse_acel: 0.3 m/s2\n"));
  EXPECT_TRUE(has_error(typo, 8, "unknown key 'reverse_acel': did you mean 'reverse_accel'?")) << join(typo);
  auto other = limits_errors(profile_yaml("    colour: blue\n"));
  EXPECT_TRUE(has_error(other, 8, "unknown key 'colour' (accepted:")) << join(other);
  const auto machine = parse_machine(testing::sample_machine_yaml() + "safety:\n  link_timout: 500ms\n", "machine.yaml");
  EXPECT_NE(join(machine.errors).find("did you mean 'link_timeout'?"), std::string::npos) << join(machine.errors);
}

TEST(ConfigLimits, wrong_type_is_refused) {
  auto errors = limits_errors(profile_yaml("", "[1, 2]"));
  EXPECT_TRUE(has_error(errors, 3, "must be a single value"));
}

TEST(ConfigLimits, zero_or_negative_values_are_refused) {
  EXPECT_TRUE(has_error(limits_errors(profile_yaml("", "0 km/h")), 3, "greater than zero"));
  EXPECT_TRUE(has_error(limits_errors(profile_yaml("", "-2 km/h")), 3, "greater than zero"));
}

TEST(ConfigLimits, profile_above_machine_ceiling_is_refused_naming_the_ceiling) {
  auto errors = limits_errors(profile_yaml("", "7 km/h"));
  EXPECT_TRUE(has_error(errors, 3, "above the machine ceiling ceilings.reverse_max of 6.00 km/h"));
  errors = limits_errors(profile_yaml("    reverse_accel: 0.9 m/s2\n"));
  EXPECT_TRUE(has_error(errors, 8, "ceilings.max_accel"));
  errors = limits_errors(profile_yaml("").replace(profile_yaml("").find("20min"), 5, "90min"));
  EXPECT_TRUE(has_error(errors, 7, "ceilings.max_session of 60 min"));
}

TEST(ConfigLimits, duplicate_profile_names_are_refused) {
  std::string yaml = profile_yaml();
  yaml += yaml.substr(yaml.find("  p1:"));
  auto errors = limits_errors(yaml);
  EXPECT_TRUE(has_error(errors, 8, "'p1' is given twice in one mapping (lines 2 and 8)"));
}

TEST(ConfigLimits, all_errors_are_reported_not_just_the_first) {
  auto errors = limits_errors(profile_yaml("    bogus: 1\n    cooldown_time: soon\n", "9 km/h"));
  EXPECT_GE(errors.size(), 3u) << join(errors);
}

TEST(ConfigLimits, invalid_yaml_is_reported_with_its_line) {
  auto errors = limits_errors("profiles:\n  p1: {reverse_cap: 3 km/h\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().message.find("not valid YAML"), std::string::npos);
}

std::string with_program(const std::string& segments) {
  return profile_yaml() + "programs:\n  g1:\n    profile: p1\n    segments:\n" + segments;
}

TEST(ConfigPrograms, segment_above_profile_cap_is_refused) {
  auto errors = limits_errors(with_program("      - {direction: reverse, speed: 5 km/h, duration: 2min}\n"));
  EXPECT_TRUE(has_error(errors, 12, "above the reverse cap of 4.0 km/h in profile 'p1'"));
}

TEST(ConfigPrograms, segment_the_ramp_cannot_reach_in_time_is_refused) {
  auto errors = limits_errors(with_program(
      "      - {direction: reverse, speed: 1 km/h, duration: 2min}\n"
      "      - {direction: reverse, speed: 4 km/h, duration: 3s}\n"));
  EXPECT_TRUE(has_error(errors, 13, "needs 4.2 s to reach 4.0 km/h"));
}

TEST(ConfigPrograms, program_of_unknown_profile_is_refused) {
  auto errors = limits_errors(profile_yaml() + "programs:\n  g1:\n    profile: nope\n    segments:\n"
                                               "      - {direction: reverse, speed: 1 km/h, duration: 2min}\n");
  EXPECT_TRUE(has_error(errors, 10, "names profile 'nope'"));
}

TEST(ConfigPrograms, repeat_blocks_expand_in_order) {
  auto l = parse_limits(with_program("      - {direction: reverse, speed: 1 km/h, duration: 1min}\n"
                                     "      - repeat: 3\n"
                                     "        segments:\n"
                                     "          - {direction: reverse, speed: 2 km/h, duration: 1min}\n"
                                     "          - {direction: reverse, speed: 3 km/h, duration: 1min}\n"),
                        "limits.yaml", machine());
  ASSERT_TRUE(l.ok()) << join(l.errors);
  const auto& segs = l.value->programs.at("g1").segments;
  ASSERT_EQ(segs.size(), 7u);
  EXPECT_DOUBLE_EQ(segs[1].speed_kmh, 2);
  EXPECT_DOUBLE_EQ(segs[6].speed_kmh, 3);
}

TEST(ConfigPrograms, repeat_blocks_that_expand_beyond_any_session_are_refused) {
  auto errors = limits_errors(with_program("      - repeat: 100\n"
                                           "        segments:\n"
                                           "          - repeat: 100\n"
                                           "            segments:\n"
                                           "              - {direction: reverse, speed: 1 km/h, duration: 1min}\n"));
  EXPECT_TRUE(has_error(errors, 12, "expands to more than 1000 segments"));
}

TEST(ConfigPrograms, program_longer_than_session_time_is_refused) {
  auto errors = limits_errors(with_program("      - {direction: reverse, speed: 1 km/h, duration: 25min}\n"));
  EXPECT_TRUE(has_error(errors, 12, "longer than the session_time"));
}

TEST(ConfigMachine, ceilings_are_required_and_checked) {
  auto m = parse_machine("drive:\n  transport: can\nbelt:\n  kmh_per_hz: 0.2\nceilings:\n  forward_max: 12 km/h\n",
                         "machine.yaml");
  EXPECT_TRUE(has_error(m.errors, 2, "must be one of 'sim', 'tcp', 'rtu', 'unconfigured', got 'can'"));
  EXPECT_TRUE(has_error(m.errors, 6, "missing the required key 'reverse_max'"));
}

TEST(ConfigMachine, ramps_near_balance_perturbation_rates_are_refused) {
  std::string yaml = machine_yaml;
  yaml.replace(yaml.find("0.5 m/s2"), 8, "3.2 m/s2");
  auto m = parse_machine(yaml, "machine.yaml");
  // Said once, by the key's range (machine_keys.cpp), with the reason.
  EXPECT_TRUE(has_error(m.errors, 8, "must be between 0.05 m/s² and 2.9 m/s²")) << join(m.errors);
  EXPECT_TRUE(has_error(m.errors, 8, "3 m/s² perturbs balance")) << join(m.errors);
  EXPECT_EQ(m.errors.size(), 1u) << join(m.errors);
}

TEST(ConfigMachine, missing_file_says_so) {
  auto m = load_machine("/nonexistent/machine.yaml");
  ASSERT_EQ(m.errors.size(), 1u);
  EXPECT_NE(m.errors[0].message.find("cannot open"), std::string::npos);
}

TEST(Units, parse_speeds_durations_and_accelerations) {
  std::string why;
  EXPECT_DOUBLE_EQ(*units::parse_kmh("3.5 km/h", why), 3.5);
  EXPECT_DOUBLE_EQ(*units::parse_kmh("1 m/s", why), 3.6);
  EXPECT_EQ(*units::parse_duration("90s", why), std::chrono::seconds(90));
  EXPECT_EQ(*units::parse_duration("20min", why), std::chrono::minutes(20));
  EXPECT_EQ(*units::parse_duration("500ms", why), std::chrono::milliseconds(500));
  EXPECT_DOUBLE_EQ(*units::parse_mps2("0.2 m/s2", why), 0.2);
  EXPECT_FALSE(units::parse_duration("20", why));
  EXPECT_FALSE(units::parse_kmh("fast", why));
  EXPECT_FALSE(units::parse_kmh("nan km/h", why));
}

// Issue 24 F: treadd.yaml(5) says which spellings each quantity accepts, "and no others". Its list
// is read here and must be the parser's table exactly: a spelling added to one and not the other
// fails, and every spelling listed parses.
TEST(Units, the_manual_lists_exactly_the_spellings_the_parser_accepts) {
  std::ifstream in(std::string(TREADD_SOURCE_DIR) + "/docs/man/treadd.yaml.5");
  std::stringstream page;
  page << in.rdbuf();
  const std::string text = page.str();
  const std::size_t from = text.find("The accepted spellings, and no others:");
  const std::size_t to = text.find("bare numbers are refused", from);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  const std::string list = text.substr(from, to - from);
  auto listed = [&](const std::string& quantity) {
    std::set<std::string> out;
    const std::size_t at = list.find(quantity + "\n.IR ");
    if (at == std::string::npos) return out;
    const std::size_t begin = at + quantity.size() + 5;
    std::string line = list.substr(begin, list.find('\n', begin) - begin);
    for (std::size_t q = line.find("\", \""); q != std::string::npos; q = line.find("\", \"")) line.replace(q, 4, " ");
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      if (w != ";") out.insert(w);
    }
    return out;
  };
  auto table = [](const auto& spellings) {
    std::set<std::string> out;
    for (const auto& s : spellings) out.insert(std::string(s.unit));
    return out;
  };
  EXPECT_EQ(listed("speeds"), table(units::speed_spellings));
  EXPECT_EQ(listed("accelerations"), table(units::acceleration_spellings));
  EXPECT_EQ(listed("durations"), table(units::duration_spellings));
  EXPECT_EQ(listed("distances"), table(units::distance_spellings));
  EXPECT_EQ(listed("frequencies"), table(units::frequency_spellings));
  std::string why;
  for (const std::string& u : listed("speeds")) EXPECT_TRUE(units::parse_kmh("2 " + u, why)) << u << ": " << why;
  for (const std::string& u : listed("accelerations")) EXPECT_TRUE(units::parse_mps2("0.2 " + u, why)) << u << ": " << why;
  for (const std::string& u : listed("durations")) EXPECT_TRUE(units::parse_duration("2 " + u, why)) << u << ": " << why;
  for (const std::string& u : listed("distances")) EXPECT_TRUE(units::parse_metres("2 " + u, why)) << u << ": " << why;
  for (const std::string& u : listed("frequencies")) EXPECT_TRUE(units::parse_hz("2 " + u, why)) << u << ": " << why;
  EXPECT_FALSE(units::parse_kmh("2 mph", why)) << "not listed, not accepted";
}

}  // namespace
}  // namespace treadd

// ---- the profile key table (config/profile_keys.hpp): each row is read, bounded and served ----
namespace treadd {
namespace {

// A valid profile with `key: value` set (replacing the base line if there is one).
std::string profile_with(const std::string& key, const std::string& value) {
  std::vector<std::pair<std::string, std::string>> lines = {
      {"reverse_cap", "4 km/h"}, {"start_speed", "0.5 km/h"}, {"accel", "0.2 m/s2"},
      {"decel", "0.3 m/s2"},     {"session_time", "20min"}};
  bool replaced = false;
  for (auto& [k, v] : lines) {
    if (k == key) v = value, replaced = true;
  }
  if (!replaced) lines.emplace_back(key, value);
  std::string yaml = "profiles:\n  p1:\n";
  for (const auto& [k, v] : lines) yaml += "    " + k + ": " + v + "\n";
  return yaml;
}

std::string valid_value(Quantity q) {
  switch (q) {
    case Quantity::direction: return "reverse";
    case Quantity::speed: return "1 km/h";
    case Quantity::accel: return "0.25 m/s2";
    case Quantity::duration: return "10min";
    case Quantity::distance: return "500 m";
  }
  return "";
}

TEST(ProfileKeys, every_key_is_accepted_with_a_value_of_its_unit) {
  for (const ProfileKey& k : profile_keys) {
    auto l = parse_limits(profile_with(std::string(k.key), valid_value(k.quantity)), "limits.yaml", machine());
    EXPECT_TRUE(l.ok()) << k.key << ":\n" << join(l.errors);
  }
}

TEST(ProfileKeys, every_key_with_a_ceiling_is_refused_above_it_naming_the_ceiling) {
  const MachineConfig m = machine();
  int checked = 0;
  for (const ProfileKey& k : profile_keys) {
    std::string above;
    if (const auto* c = std::get_if<double Ceilings::*>(&k.ceiling)) {
      above = std::to_string(m.ceilings.**c * 1.5) + (k.quantity == Quantity::speed ? " km/h" : " m/s2");
    } else if (const auto* d = std::get_if<Millis Ceilings::*>(&k.ceiling)) {
      above = std::to_string(std::chrono::duration_cast<std::chrono::minutes>(m.ceilings.**d).count() + 10) + "min";
    } else {
      continue;
    }
    auto errors = parse_limits(profile_with(std::string(k.key), above), "limits.yaml", m).errors;
    bool named = false;
    for (const auto& e : errors) named = named || e.message.find(std::string(k.ceiling_key)) != std::string::npos;
    EXPECT_TRUE(named) << k.key << ": " << above << " was not refused naming " << k.ceiling_key << ":\n" << join(errors);
    ++checked;
  }
  EXPECT_GE(checked, 7);
}

TEST(ProfileKeys, required_keys_are_required) {
  for (const ProfileKey& k : profile_keys) {
    if (!k.required) continue;
    std::string yaml = profile_with(std::string(k.key), "x");
    yaml.erase(yaml.find("    " + std::string(k.key) + ": x\n"), 4 + k.key.size() + 4);
    auto errors = parse_limits(yaml, "limits.yaml", machine()).errors;
    bool said = false;
    for (const auto& e : errors) said = said || e.message.find("required key '" + std::string(k.key) + "'") != std::string::npos;
    EXPECT_TRUE(said) << k.key << ":\n" << join(errors);
  }
}

}  // namespace
}  // namespace treadd

namespace treadd::testing {
namespace {

// Every bounded machine.yaml key, just outside its range (each side where a side exists), and a
// value inside it: outside is refused at the key's line with both bounds and the reason.
struct MachineBoundCase {
  const char* section;
  const char* key;
  const char* too_low;   // nullptr: no value below the floor can be written (e.g. 0 km/h allowed)
  const char* too_high;
  const char* inside;
};

const MachineBoundCase machine_bounds[] = {
    {"drive", "response_timeout", "5ms", "3s", "100ms"},
    {"drive", "poll_period", "2ms", "1s", "40ms"},
    {"ceilings", "forward_max", nullptr, "30 km/h", "16 km/h"},
    {"ceilings", "reverse_max", nullptr, "20 km/h", "8 km/h"},
    {"ceilings", "max_accel", "0.01 m/s2", "2.95 m/s2", "1 m/s2"},
    {"ceilings", "max_decel", "0.05 m/s2", "2.95 m/s2", "1 m/s2"},
    {"ceilings", "emergency_decel", "0.4 m/s2", "2.95 m/s2", "2 m/s2"},
    {"ceilings", "max_session", "30s", "5h", "90min"},
    {"ceilings", "max_stop_time", "500ms", "1h", "12s"},
    {"ceilings", "max_speedup_time", "500ms", "10min", "60s"},
    {"safety", "standstill_below", "0.001 km/h", "50 km/h", "0.2 km/h"},
    {"safety", "standstill_dwell", "100ms", "1min", "3s"},
    {"safety", "overspeed_margin", "0.05 km/h", "5 km/h", "1 km/h"},
    {"safety", "tracking_tolerance", "0.1 km/h", "100 km/h", "2 km/h"},
    {"safety", "tracking_time", "100ms", "1min", "5s"},
    {"safety", "link_timeout", "10ms", "1h", "1s"},
    {"safety", "implausible_step", "0.1 km/h", "10 km/h", "3 km/h"},
    {"metrics", "interval", "50ms", "1h", "10s"},
};

// sample_machine_yaml with `section.key: value` set (the section added when the sample has none).
std::string machine_with(const MachineBoundCase& c, const std::string& value) {
  std::string yaml = sample_machine_yaml();
  const std::string line = "  " + std::string(c.key) + ": " + value + "\n";
  const std::string existing = "  " + std::string(c.key) + ": ";
  if (auto at = yaml.find(existing); at != std::string::npos) {
    yaml.replace(at, yaml.find('\n', at) + 1 - at, line);
  } else if (auto sec = yaml.find(std::string(c.section) + ":\n"); sec != std::string::npos) {
    yaml.insert(sec + std::string(c.section).size() + 2, line);
  } else {
    yaml += std::string(c.section) + ":\n" + line;
  }
  return yaml;
}

TEST(MachineBounds, every_threshold_outside_its_range_is_refused_at_its_line_with_the_reason) {
  for (const auto& c : machine_bounds) {
    SCOPED_TRACE(std::string(c.section) + "." + c.key);
    const auto inside = parse_machine(machine_with(c, c.inside), "machine.yaml");
    EXPECT_TRUE(inside.ok()) << (inside.errors.empty() ? "" : inside.errors[0].to_string());
    for (const char* bad : {c.too_low, c.too_high}) {
      if (bad == nullptr) continue;
      const auto m = parse_machine(machine_with(c, bad), "machine.yaml");
      ASSERT_FALSE(m.ok()) << bad << " was accepted";
      const std::string text = m.errors[0].to_string();
      EXPECT_NE(text.find("machine.yaml:"), std::string::npos) << text;
      EXPECT_NE(text.find(std::string(c.section) + "." + c.key + " is "), std::string::npos) << text;
      EXPECT_NE(text.find("it must be between"), std::string::npos) << text;
      EXPECT_NE(text.find(": ", text.find("between")), std::string::npos) << "no reason given: " << text;
    }
  }
}

// records.age_by decides whether a wrong clock may delete records: a misspelt value is an error at
// its line, never a silent default.
TEST(MachineRecords, age_by_takes_the_synchronised_or_the_system_clock_and_nothing_else) {
  const MachineBoundCase age_by{"records", "age_by", nullptr, nullptr, "system_clock"};
  const auto trusted = parse_machine(machine_with(age_by, "system_clock"), "machine.yaml");
  ASSERT_TRUE(trusted.ok()) << trusted.errors[0].to_string();
  EXPECT_EQ(trusted.value->records.age_by, AgeClock::system);
  const auto plain = parse_machine(sample_machine_yaml(), "machine.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value->records.age_by, AgeClock::synchronised) << "the default waits for NTP";
  const auto wrong = parse_machine(machine_with(age_by, "sundial"), "machine.yaml");
  ASSERT_FALSE(wrong.ok());
  const std::string text = wrong.errors[0].to_string();
  EXPECT_NE(text.find("machine.yaml:"), std::string::npos) << text;
  EXPECT_NE(text.find("must be one of 'synchronised_clock', 'system_clock', got 'sundial'"), std::string::npos) << text;
}

// Every row of the machine key table takes effect (config/machine_keys.hpp): a value inside its
// bounds lands in the member the row names, one above (and below) is refused naming the key, and
// every word of a choice reads back. A row pointing at the wrong member, a bound not enforced or a
// key the loader skips fails here.
std::string machine_with(const MachineKey& k, const std::string& value) {
  YAML::Node doc = YAML::Load(testing::sample_machine_yaml());
  doc[std::string(k.section)][std::string(k.key)] = value;
  YAML::Emitter out;
  out << doc;
  return out.c_str();
}

std::string value_text(const MachineKey& k, double v) {
  char buf[64];
  switch (k.kind) {
    case MachineKind::speed: std::snprintf(buf, sizeof buf, "%g km/h", v); break;
    case MachineKind::accel: std::snprintf(buf, sizeof buf, "%g m/s2", v); break;
    case MachineKind::duration: std::snprintf(buf, sizeof buf, "%ldms", std::lround(v * 1000)); break;
    case MachineKind::hertz: std::snprintf(buf, sizeof buf, "%g Hz", v); break;
    case MachineKind::count: std::snprintf(buf, sizeof buf, "%ld", std::lround(v)); break;
    default: std::snprintf(buf, sizeof buf, "%g", v); break;
  }
  return buf;
}

double held(const MachineKey& k, MachineConfig& m) {
  return std::visit(
      [](auto* p) -> double {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return 0;
        } else if constexpr (std::is_same_v<T, Millis>) {
          return std::chrono::duration<double>(*p).count();
        } else {
          return static_cast<double>(*p);
        }
      },
      k.field(m));
}

TEST(MachineKeys, every_row_reads_into_its_member_and_refuses_values_outside_its_bounds) {
  for (const MachineKey& k : machine_keys) {
    const std::string name = std::string(k.section) + "." + std::string(k.key);
    SCOPED_TRACE(name);
    if (k.kind == MachineKind::choice) {
      std::string_view words = k.words;
      while (!words.empty()) {
        const auto bar = words.find('|');
        const std::string_view word = words.substr(0, bar);
        MachineConfig m;
        EXPECT_TRUE(k.choose(m, word));
        EXPECT_EQ(k.word_of(m), word);
        words = bar == std::string_view::npos ? std::string_view{} : words.substr(bar + 1);
      }
      const auto wrong = parse_machine(machine_with(k, "no-such-word"), "machine.yaml");
      EXPECT_NE(join(wrong.errors).find(name + " must be one of"), std::string::npos) << join(wrong.errors);
      continue;
    }
    if (k.kind == MachineKind::text) {
      const auto m = parse_machine(machine_with(k, "text-of-the-test"), "machine.yaml");
      ASSERT_TRUE(m.ok()) << join(m.errors);
      MachineConfig c = *m.value;
      EXPECT_EQ(*std::get<std::string*>(k.field(c)), "text-of-the-test");
      continue;
    }
    ASSERT_LT(k.min, k.max);
    const double inside = k.kind == MachineKind::count ? std::round((k.min + k.max) / 2) : (k.min + k.max) / 2;
    const auto m = parse_machine(machine_with(k, value_text(k, inside)), "machine.yaml");
    ASSERT_TRUE(m.ok()) << value_text(k, inside) << ": " << join(m.errors);
    MachineConfig c = *m.value;
    EXPECT_NEAR(held(k, c), inside, 1e-3) << "the row's member did not receive the value";
    const double above = k.kind == MachineKind::count ? k.max + 1 : k.max * 1.5 + 1;
    const auto high = parse_machine(machine_with(k, value_text(k, above)), "machine.yaml");
    EXPECT_NE(join(high.errors).find(name), std::string::npos) << value_text(k, above) << ": " << join(high.errors);
    if (k.min > 0) {
      const double below = k.kind == MachineKind::count ? k.min - 1 : k.min / 2;
      const auto low = parse_machine(machine_with(k, value_text(k, below)), "machine.yaml");
      EXPECT_NE(join(low.errors).find(name), std::string::npos) << value_text(k, below) << ": " << join(low.errors);
    }
  }
}

TEST(MachineKeys, the_docs_defaults_are_the_codes_defaults) {
  for (const MachineKey& k : machine_keys) {
    SCOPED_TRACE(std::string(k.section) + "." + std::string(k.key));
    EXPECT_FALSE(default_text(k).empty());
  }
  const auto find = [](std::string_view section, std::string_view key) -> const MachineKey& {
    for (const MachineKey& k : machine_keys) {
      if (k.section == section && k.key == key) return k;
    }
    throw std::runtime_error("no such key");
  };
  EXPECT_EQ(SafetySettings{}.link_timeout, Millis(500));
  EXPECT_EQ(default_text(find("safety", "link_timeout")), "500 ms");
  EXPECT_EQ(default_text(find("drive", "parity")), "N");
  EXPECT_EQ(default_text(find("ceilings", "forward_max")), "required");
}

}  // namespace
}  // namespace treadd::testing
