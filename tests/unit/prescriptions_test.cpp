// SPDX-License-Identifier: Apache-2.0
// Prescriptions (patients/<CODE>.yaml) and the code syntax of profile and program names: every
// mistake a clinician can make is refused where it is written, with the reason.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/loader.hpp"
#include "config/names.hpp"
#include "config/prescriptions.hpp"

namespace treadd {
namespace {

LimitsConfig example_limits() {
  auto full = load_config_dir(std::string(TREADD_SOURCE_DIR) + "/config/examples");
  EXPECT_TRUE(full.ok()) << join(full.errors);
  return full.value->limits;
}

std::string errors_of(const std::string& yaml, const std::string& code = "LBP-0042") {
  return join(parse_prescription(yaml, "patients/" + code + ".yaml", code, example_limits()).errors);
}

constexpr const char* good = "patient: LBP-0042\nprofile: lumbar-early\nprogram: early-walk\n"
                             "clinician: A. Weber\ndate: 2026-12-01\ngoal_time: 13 min\ngoal_distance: 0.5 km\n";

TEST(Prescriptions, a_whole_prescription_is_read_with_its_goals) {
  auto p = parse_prescription(good, "LBP-0042.yaml", "LBP-0042", example_limits());
  ASSERT_TRUE(p.ok()) << join(p.errors);
  EXPECT_EQ(p.value->profile, "lumbar-early");
  EXPECT_EQ(p.value->program, "early-walk");
  EXPECT_EQ(p.value->clinician, "A. Weber");
  EXPECT_EQ(p.value->date, "2026-12-01");
  EXPECT_EQ(*p.value->goal_time, std::chrono::minutes(13));
  EXPECT_DOUBLE_EQ(*p.value->goal_distance_m, 500);
}

TEST(Prescriptions, the_example_directory_holds_one_that_loads) {
  const LimitsConfig limits = example_limits();
  ASSERT_EQ(limits.prescriptions.count("LBP-0100"), 1u);
  EXPECT_EQ(limits.prescriptions.at("LBP-0100").program, "early-walk");
}

// A program refused as another profile's is not what the goal is checked against: one error, not
// a second about a program that is not this prescription's.
TEST(Prescriptions, a_goal_is_not_checked_against_a_program_refused_as_another_profiles) {
  const std::string errors = errors_of("patient: LBP-0042\nprofile: lumbar-standard\nprogram: early-walk\n"
                                       "clinician: A. Weber\ndate: 2026-12-01\ngoal_time: 15 min\n");
  EXPECT_NE(errors.find("program 'early-walk' belongs to profile 'lumbar-early', not 'lumbar-standard'"), std::string::npos)
      << errors;
  EXPECT_EQ(errors.find("longer than program"), std::string::npos) << errors;
}

TEST(Prescriptions, each_mistake_is_named_at_its_line_and_column) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const Case cases[] = {
      {"patient: LBP-0024\nprofile: lumbar-early\nclinician: A\ndate: 2026-12-01\n",
       "LBP-0042.yaml:1:10: patient differs from the code the file is named for"},
      {"patient: Hans\nprofile: lumbar-early\nclinician: A\ndate: 2026-12-01\n", ":1:10: patient must be a patient code"},
      {"patient: LBP-0042\nprofile: nope\nclinician: A\ndate: 2026-12-01\n", ":2:10: profile 'nope' is not in limits.yaml"},
      {"patient: LBP-0042\nprofile: lumbar-standard\nprogram: early-walk\nclinician: A\ndate: 2026-12-01\n",
       ":3:10: program 'early-walk' belongs to profile 'lumbar-early', not 'lumbar-standard'"},
      {"patient: LBP-0042\nprofile: lumbar-early\nprogram: nope\nclinician: A\ndate: 2026-12-01\n",
       ":3:10: program 'nope' is not in limits.yaml"},
      {"patient: LBP-0042\nprofile: lumbar-early\nclinician: A\ndate: 1.12.2026\n",
       ":4:7: date must be the day it was prescribed as YYYY-MM-DD, got '1.12.2026'"},
      {"patient: LBP-0042\nprofile: lumbar-early\nclinician: A\ndate: 2026-02-30\n", ":4:7: date must be"},
      {"patient: LBP-0042\nprofile: lumbar-early\ndate: 2026-12-01\n", "missing the required key 'clinician'"},
      {"patient: LBP-0042\nprofile: lumbar-early\nclinican: A\ndate: 2026-12-01\n",
       ":3:1: prescription has an unknown key 'clinican': did you mean 'clinician'?"},
      {"patient: LBP-0042\nprofile: lumbar-early\nclinician: A\ndate: 2026-12-01\ngoal_time: 40 min\n",
       ":5:12: goal_time 40 min is longer than the session_time of 15 min in profile 'lumbar-early'"},
      {"patient: LBP-0042\nprofile: lumbar-early\nclinician: A\ndate: 2026-12-01\ngoal_time: 12,5 min\n", ":5:12:"},
      {"patient: LBP-0042\nprofile: lumbar-early\nclinician: A\ndate: 2026-12-01\ngoal_distance: 0 m\n",
       ":5:16: prescription.goal_distance must be greater than zero"},
  };
  for (const Case& c : cases) {
    const std::string errors = errors_of(c.yaml);
    EXPECT_NE(errors.find(c.expected), std::string::npos) << c.yaml << "\ngave: " << errors;
  }
}

TEST(Prescriptions, the_journals_copy_of_a_clinicians_file_error_names_no_patient_and_quotes_nothing) {
  const std::vector<Diagnostic> errors = {{"/etc/treadd/patients/LBP-0042.yaml", 2, 10, "profile 'x' is not in limits.yaml"},
                                          {"/etc/treadd/limits.yaml", 3, 4, "y"}};
  const std::vector<Diagnostic> technicians = {{"/etc/treadd/machine.yaml", 5, 6, "ceilings.max_decel: z"}};
  const std::string journal = join(for_the_journal(errors)) + join(for_the_journal(technicians));
  EXPECT_EQ(journal.find("LBP-0042"), std::string::npos) << journal;
  // The clinicians' files: places only, since any of their text may be a person's name.
  EXPECT_NE(journal.find("/etc/treadd/patients/(a patient's prescription):2:10: an error (not copied here"),
            std::string::npos)
      << journal;
  EXPECT_NE(journal.find("/etc/treadd/limits.yaml:3:4: an error (not copied here"), std::string::npos) << journal;
  EXPECT_EQ(journal.find("profile 'x'"), std::string::npos) << journal;
  // The technician's: whole.
  EXPECT_NE(journal.find("/etc/treadd/machine.yaml:5:6: ceilings.max_decel: z"), std::string::npos) << journal;
}

class PrescriptionDir : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("treadd-rx-" + std::to_string(getpid()));
  void SetUp() override { std::filesystem::create_directories(dir / "patients"); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir / "patients" / name) << text; }
};

TEST_F(PrescriptionDir, files_named_for_codes_load_and_anything_else_is_named) {
  write("LBP-0042.yaml", good);
  write("README", "not a prescription");
  auto ok = load_prescriptions((dir / "patients").string(), example_limits());
  ASSERT_TRUE(ok.ok()) << join(ok.errors);
  EXPECT_EQ(ok.value->size(), 1u);

  write("Hans Mueller.yaml", good);
  write("LBP-0043.yml", good);
  auto bad = load_prescriptions((dir / "patients").string(), example_limits());
  const std::string errors = join(bad.errors);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(errors.find("Hans Mueller.yaml: a prescription's file is named for the patient's code"), std::string::npos) << errors;
  EXPECT_NE(errors.find("LBP-0043.yml: name prescription files CODE.yaml, in lower case"), std::string::npos) << errors;
}

// A hostile or careless directory: nothing is followed, opened when it is not a plain file, or
// silently skipped when it is named like a prescription.
TEST_F(PrescriptionDir, links_pipes_big_files_and_other_spellings_are_refused_never_followed) {
  write("LBP-0042.yaml", good);
  std::filesystem::create_symlink(dir / "patients" / "LBP-0042.yaml", dir / "patients" / "LBP-0044.yaml");
  ASSERT_EQ(mkfifo((dir / "patients" / "LBP-0045.yaml").c_str(), 0600), 0);  // would block a reader for ever
  write("LBP-0046.YAML", good);
  write("LBP-0047.yaml", std::string(good) + std::string(20 * 1024, '#'));
  const auto t0 = std::chrono::steady_clock::now();
  auto loaded = load_prescriptions((dir / "patients").string(), example_limits());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  const std::string errors = join(loaded.errors);
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(errors.find("LBP-0044.yaml: is not a plain file"), std::string::npos) << errors;
  EXPECT_NE(errors.find("LBP-0045.yaml: is not a plain file"), std::string::npos) << errors;
  EXPECT_NE(errors.find("LBP-0046.YAML: name prescription files CODE.yaml, in lower case"), std::string::npos) << errors;
  EXPECT_NE(errors.find("LBP-0047.yaml: a prescription is a few lines; this file is 20 KiB"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("LBP-0042.yaml"), std::string::npos) << "the good one has no error: " << errors;
}

// Written by a clinician whose umask keeps it from the group (077): treadd, which reads as a member
// of treadd-clinician, could not; the error says how to let it, and a group-readable one loads.
TEST_F(PrescriptionDir, a_file_only_its_owner_may_read_is_named_with_the_chmod_that_mends_it) {
  write("LBP-0042.yaml", good);
  const auto file = dir / "patients" / "LBP-0042.yaml";
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto loaded = load_prescriptions((dir / "patients").string(), example_limits());
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(join(loaded.errors).find("LBP-0042.yaml: its mode lets neither the clinicians' group nor others read it, so "
                                     "treadd cannot: chmod g+r on the file (group treadd-clinician)"),
            std::string::npos)
      << join(loaded.errors);
  // The journal's copy names no patient (the file's name is the code).
  EXPECT_EQ(join(for_the_journal(loaded.errors)).find("LBP-0042"), std::string::npos) << join(for_the_journal(loaded.errors));
  std::filesystem::permissions(file, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  EXPECT_TRUE(load_prescriptions((dir / "patients").string(), example_limits()).ok());
}

TEST(Prescriptions, a_clinicians_name_is_one_printable_line_and_a_goal_fits_the_program) {
  EXPECT_NE(errors_of("patient: LBP-0042\nprofile: lumbar-early\nclinician: \"A\\e[2J\"\ndate: 2026-12-01\n")
                .find(":3:12: clinician must be a name of at most 80 characters on one line"),
            std::string::npos);
  // early-walk lasts 13 min: a 14-minute goal can never be reached by it.
  EXPECT_NE(errors_of("patient: LBP-0042\nprofile: lumbar-early\nprogram: early-walk\nclinician: A\ndate: 2026-12-01\n"
                      "goal_time: 14 min\n")
                .find(":6:12: goal_time 14 min is longer than program 'early-walk' (13 min)"),
            std::string::npos)
      << errors_of("patient: LBP-0042\nprofile: lumbar-early\nprogram: early-walk\nclinician: A\ndate: 2026-12-01\ngoal_time: 14 min\n");
  // Past both the program (13 min) and the profile's session_time (15 min): one error naming both.
  const std::string both =
      errors_of("patient: LBP-0042\nprofile: lumbar-early\nprogram: early-walk\nclinician: A\ndate: 2026-12-01\n"
                "goal_time: 40 min\n");
  EXPECT_NE(both.find(":6:12: goal_time 40 min is longer than program 'early-walk' (13 min) and the session_time of "
                      "15 min in profile 'lumbar-early'"),
            std::string::npos)
      << both;
  EXPECT_EQ(std::count(both.begin(), both.end(), '\n'), 1) << both;
  // A profile given twice: that error alone, not one about a program of the first profile.
  const std::string twice = errors_of("patient: LBP-0042\nprofile: lumbar-standard\nprofile: lumbar-early\n"
                                      "program: early-walk\nclinician: A\ndate: 2026-12-01\n");
  EXPECT_NE(twice.find("the key 'profile' is given twice"), std::string::npos) << twice;
  EXPECT_EQ(std::count(twice.begin(), twice.end(), '\n'), 1) << twice;
}

TEST_F(PrescriptionDir, a_missing_directory_is_no_prescriptions_and_a_missing_profile_refuses_the_reload) {
  auto none = load_prescriptions((dir / "elsewhere").string(), example_limits());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value->empty());
  // limits.yaml loses the profile a prescription names: the pair is refused, with the prescription's line.
  std::ifstream in(std::string(TREADD_SOURCE_DIR) + "/config/examples/limits.yaml");
  std::string limits((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "limits.yaml") << limits;
  write("LBP-0042.yaml", "patient: LBP-0042\nprofile: lumbar-late\nclinician: A\ndate: 2026-12-01\n");
  auto machine = load_machine(std::string(TREADD_SOURCE_DIR) + "/config/examples/machine.yaml");
  ASSERT_TRUE(machine.ok());
  auto both = load_clinical(dir.string(), *machine.value);
  EXPECT_FALSE(both.ok());
  EXPECT_NE(join(both.errors).find("LBP-0042.yaml:2:10: profile 'lumbar-late' is not in limits.yaml"), std::string::npos)
      << join(both.errors);
}

TEST(SettingNames, codes_pass_and_names_of_people_do_not) {
  for (const char* ok : {"lumbar-early", "walk_run-2", "p", "20min-intervals"}) EXPECT_TRUE(is_setting_name(ok)) << ok;
  for (const char* bad : {"Müller Hans (LBP)", "Lumbar", "lumbar early", "-lumbar", "", "x(1)", "anna.b",
                          "a-very-long-profile-name-that-goes-on-and-on"}) {
    EXPECT_FALSE(is_setting_name(bad)) << bad;
  }
}

TEST(SettingNames, a_profile_or_program_named_for_a_person_is_refused_where_it_is_written) {
  auto machine = load_machine(std::string(TREADD_SOURCE_DIR) + "/config/examples/machine.yaml");
  ASSERT_TRUE(machine.ok());
  const std::string yaml =
      "profiles:\n"
      "  \"Müller Hans (LBP)\":\n"
      "    reverse_cap: 3 km/h\n"
      "programs:\n"
      "  Hans walk:\n"
      "    profile: \"Müller Hans (LBP)\"\n"
      "    segments:\n"
      "      - {direction: reverse, speed: 2 km/h, duration: 2 min}\n";
  const std::string errors = join(parse_limits(yaml, "limits.yaml", *machine.value).errors);
  EXPECT_NE(errors.find("limits.yaml:2:3: the profile name 'Müller Hans (LBP)' is not a code: use 1 to 40 lower-case"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("limits.yaml:5:3: the program name 'Hans walk' is not a code"), std::string::npos) << errors;
}

}  // namespace
}  // namespace treadd
