// SPDX-License-Identifier: Apache-2.0
// Drive profiles as data a technician writes: every shipped profile loads and states its drive-side
// backstop; parameter checks mean what they say; machine.yaml must name a real profile for a real
// transport; a commissioning report counts only for the drive it was made on.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/drive_profile.hpp"
#include "config/loader.hpp"
#include "core/units.hpp"
#include "daemon/protocol/wording.hpp"
#include "daemon/records/commissioning_record.hpp"
#include "hal/parameter_reading.hpp"
#include "hal/register_codec.hpp"
#include "tests/unit/supervisor_rig.hpp"

namespace treadd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
const std::string drives_dir = std::string(TREADD_SOURCE_DIR) + "/config/drives";

TEST(DriveProfiles, every_shipped_profile_loads_and_proves_its_backstop) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(drives_dir)) {
    SCOPED_TRACE(entry.path().string());
    auto p = load_drive_profile(entry.path().string());
    ASSERT_TRUE(p.ok()) << join(p.errors);
    ++count;
    EXPECT_GT(p.value->backstop_within.count(), 0);
    // The comms-loss stop is either written and read back, read back, or asked at commissioning.
    const bool register_backed = p.value->comms_timeout.has_value() &&
                                 std::any_of(p.value->parameters.begin(), p.value->parameters.end(), [&](const auto& c) {
                                   return c.address == p.value->comms_timeout->address;
                                 });
    // Asked: a panel question about the parameter backstop_set_by names (the backstop test measures it).
    const bool asked = std::any_of(p.value->panel_questions.begin(), p.value->panel_questions.end(), [&](const auto& q) {
      return p.value->backstop_set_by.find(q.parameter) != std::string::npos;
    });
    EXPECT_TRUE(register_backed || asked) << "no comms-loss backstop checked";
    EXPECT_FALSE(p.value->backstop_set_by.empty());
    // A drive trip is always latched: a fault register with a mask that lets a code through.
    ASSERT_TRUE(p.value->fault_code.has_value());
    EXPECT_NE(p.value->fault_code_mask, 0);
    for (const auto& c : p.value->parameters) EXPECT_FALSE(c.fix.empty()) << c.parameter;
    // The safety key: read from the drive, or its wiring asked at commissioning.
    const bool key_asked = std::any_of(p.value->panel_questions.begin(), p.value->panel_questions.end(),
                                       [](const auto& q) { return q.ask.find("safety key") != std::string::npos; });
    EXPECT_TRUE(p.value->safety_key.has_value() || key_asked);
  }
  EXPECT_EQ(count, 5);
}

TEST(DriveProfiles, the_old_watchdog_list_is_refused_with_the_new_name) {
  auto p = parse_drive_profile(
      "name: x\ncommands: {register: 0, run_forward: 1, run_reverse: 2, stop: 0}\nsetpoint: {register: 1}\n"
      "feedback: {output_hz: {register: 2}}\nbackstop_within: 500ms\nwatchdog:\n  - {register: 3, value: 5}\n",
      "x.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(join(p.errors).find("'watchdog' is now 'parameters'"), std::string::npos) << join(p.errors);
}

TEST(DriveProfiles, a_parameter_check_needs_a_condition_and_the_sentence_for_the_technician) {
  const std::string head =
      "name: x\ncommands: {register: 0, run_forward: 1, run_reverse: 2, stop: 0}\nsetpoint: {register: 1}\n"
      "feedback: {output_hz: {register: 2}}\n";
  auto p = parse_drive_profile(head + "parameters:\n  - {parameter: P1, register: 3, what: w, fix: f}\n", "x.yaml");
  EXPECT_NE(join(p.errors).find("parameter P1 needs write, equals, or min/max"), std::string::npos) << join(p.errors);
  EXPECT_NE(join(p.errors).find("backstop_within"), std::string::npos) << "every profile states its backstop";
  p = parse_drive_profile(head + "backstop_within: 1s\nparameters:\n  - {parameter: P1, register: 3, equals: 1, what: w}\n", "x.yaml");
  EXPECT_NE(join(p.errors).find("'fix'"), std::string::npos) << join(p.errors);
  p = parse_drive_profile(head + "backstop_within: 1s\nparameters:\n  - {parameter: P1, register: 3, write: 1, min: 0, what: w, fix: f}\n",
                          "x.yaml");
  EXPECT_NE(join(p.errors).find("must read back what was written"), std::string::npos) << join(p.errors);
  p = parse_drive_profile(head + "backstop_within: 1s\nparameters:\n  - {parameter: P1, register: 3, min: 9, max: 2, what: w, fix: f}\n",
                          "x.yaml");
  EXPECT_NE(join(p.errors).find("min is above max"), std::string::npos) << join(p.errors);
  p = parse_drive_profile(head + "backstop_within: 30s\n", "x.yaml");
  EXPECT_NE(join(p.errors).find("backstop_within must be more than 0 and at most 10s"), std::string::npos) << join(p.errors);
}

TEST(DriveProfiles, registers_and_words_that_would_make_a_check_prove_nothing_are_refused) {
  const std::string base =
      "name: x\nbackstop_within: 1s\ncommands: {register: 0, run_forward: 1, run_reverse: 2, stop: 0, fast_stop: FS}\n"
      "backstop_set_by: the registers A\n"
      "setpoint: {register: 1}\nfeedback: {output_hz: {register: OUT}, fault_code: {register: 17}}\nparameters:\n"
      "  - {parameter: A, register: PA, write: 5, what: w, fix: f}\n  - {parameter: B, register: 40, equals: 1, mask: M, what: w, fix: f}\n";
  auto variant = [&](const char* fs, const char* out, const char* pa, const char* m) {
    std::string y = base;
    y.replace(y.find("FS"), 2, fs);
    y.replace(y.find("OUT"), 3, out);
    y.replace(y.find("PA"), 2, pa);
    y.replace(y.find("mask: M"), 7, std::string("mask: ") + m);
    return join(parse_drive_profile(y, "x.yaml").errors);
  };
  EXPECT_EQ(variant("4", "16", "32", "0xFF"), "");
  EXPECT_NE(variant("2", "16", "32", "0xFF").find("must differ from the run values"), std::string::npos);
  EXPECT_NE(variant("4", "1", "32", "0xFF").find("output_hz must not be a register treadd writes"), std::string::npos);
  EXPECT_NE(variant("4", "16", "1", "0xFF").find("parameter A is on a register treadd writes"), std::string::npos);
  EXPECT_NE(variant("4", "16", "40", "0xFF").find("another parameter already checks"), std::string::npos);
  EXPECT_NE(variant("4", "16", "32", "0").find("a mask of 0"), std::string::npos);
}

TEST(DriveProfiles, a_profile_that_could_never_latch_a_drive_trip_is_refused) {
  const std::string head =
      "name: x\nbackstop_within: 1s\nbackstop_set_by: reg 3\ncommands: {register: 0, run_forward: 1, run_reverse: 2, stop: 0}\n"
      "setpoint: {register: 1}\n";
  auto errors = [&](const std::string& feedback) { return join(parse_drive_profile(head + feedback, "x.yaml").errors); };
  EXPECT_EQ(errors("feedback: {output_hz: {register: 2}, fault_code: {register: 3}}\n"), "");
  EXPECT_NE(errors("feedback: {output_hz: {register: 2}}\n").find("feedback.fault_code is required"), std::string::npos);
  EXPECT_NE(errors("feedback: {output_hz: {register: 2}, fault_code: {register: 3}, fault_code_mask: 0}\n")
                .find("fault_code_mask of 0 hides every fault code"),
            std::string::npos);
}

// One mistake, one error, in a technician's file too: a misspelt section or key is its typo, not
// also a "required" error and false checks built on the defaults it left (a stop word equal to a
// run word of 0, a parameter with no condition).
TEST(DriveProfiles, a_misspelt_section_or_key_is_one_error_at_the_typo) {
  const std::string good =
      "name: x\nbackstop_within: 1s\nbackstop_set_by: reg 3\ncommands: {register: 0, run_forward: 1, run_reverse: 2, stop: 0}\n"
      "setpoint: {register: 1}\nfeedback: {output_hz: {register: 2}, fault_code: {register: 3}}\n"
      "parameters:\n  - {parameter: P1, register: 4, equals: 1, what: w, fix: f}\n";
  ASSERT_EQ(join(parse_drive_profile(good, "x.yaml").errors), "");
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {"commands:", "comands:", "unknown key 'comands': did you mean 'commands'? ('commands' is required)"},
      {"feedback:", "fedback:", "unknown key 'fedback': did you mean 'feedback'? ('feedback' is required)"},
      {"fault_code:", "fault_cod:",
       "unknown key 'fault_cod': did you mean 'fault_code'? (feedback.fault_code is required: without it no drive trip "
       "is ever latched)"},
      {"run_reverse:", "run_revrse:", "unknown key 'run_revrse': did you mean 'run_reverse'?"},
      {"equals:", "equls:", "unknown key 'equls': did you mean 'equals'?"},
      // A sign-directed drive has no run_reverse: misspelt, direction_by must not make it "required".
      {"run_reverse: 2, stop: 0}\n", "stop: 0}\ndirection_bi: sign\n",
       "unknown key 'direction_bi': did you mean 'direction_by'?"},
  };
  for (const Case& c : cases) {
    std::string y = good;
    y.replace(y.find(c.from), c.from.size(), c.to);
    const auto errors = parse_drive_profile(y, "x.yaml").errors;
    EXPECT_NE(join(errors).find(c.expected), std::string::npos) << c.to << ":\n" << join(errors);
    EXPECT_EQ(errors.size(), 1u) << c.to << ": one mistake, one error:\n" << join(errors);
  }
}

TEST(DriveProfiles, turn_bits_say_forward_reverse_or_nothing_and_a_fault_field_is_its_value) {
  auto p = load_drive_profile(drives_dir + "/delta-ms300.yaml");
  ASSERT_TRUE(p.ok()) << join(p.errors);
  EXPECT_EQ(p.value->direction_source(), DirectionSource::status_bits);
  RegisterWords w{{{RegisterType::holding, 0x2101}, 0x0018 | 0x0003}, {{RegisterType::holding, 0x2103}, 500}};
  EXPECT_EQ(decode_feedback(*p.value, w, 0.2).direction, Direction::reverse);
  w[{RegisterType::holding, 0x2101}] = 0x0003;
  EXPECT_EQ(decode_feedback(*p.value, w, 0.2).direction, Direction::forward);
  w[{RegisterType::holding, 0x2101}] = 0x0010 | 0x0003;  // forward -> reverse in progress: says nothing
  EXPECT_FALSE(decode_feedback(*p.value, w, 0.2).direction.has_value());
  auto e3 = load_drive_profile(drives_dir + "/optidrive-e3.yaml");
  ASSERT_TRUE(e3.ok()) << join(e3.errors);
  EXPECT_EQ(e3.value->direction_source(), DirectionSource::none);
  RegisterWords status{{{RegisterType::holding, 5}, (50 << 8) | 0x02}};  // SC-F01, tripped bit
  EXPECT_EQ(decode_feedback(*e3.value, status, 0.2).fault_code, 50);
  status[{RegisterType::holding, 5}] = 0x0040;  // healthy, ready: not "fault 64"
  EXPECT_EQ(decode_feedback(*e3.value, status, 0.2).fault_code, 0);
  DriveState tripped;
  tripped.fault_code = 50;
  EXPECT_EQ(decode_feedback(*e3.value, encode_feedback(*e3.value, tripped), 0.2).fault_code, 50);
}

TEST(DriveProfiles, parameter_checks_compare_masked_raw_values) {
  ParameterCheck c;
  c.parameter = "P";
  c.min = 1;
  c.max = 10;
  EXPECT_FALSE(c.holds(0)) << "0 = comms-loss off";
  EXPECT_TRUE(c.holds(1));
  EXPECT_TRUE(c.holds(10));
  EXPECT_FALSE(c.holds(11));
  c = ParameterCheck{};
  c.equals = 3;
  c.mask = 0x000F;
  EXPECT_TRUE(c.holds(0xAB03)) << "other bits of the word are not this parameter";
  EXPECT_FALSE(c.holds(0x0004));
  c = ParameterCheck{};
  c.write = 500;
  EXPECT_TRUE(c.holds(500));
  EXPECT_FALSE(c.holds(0));
  c = ParameterCheck{};
  c.min = -5;
  c.max = 5;
  EXPECT_TRUE(c.holds(static_cast<std::uint16_t>(-3))) << "a negative bound reads the value as signed";
  EXPECT_FALSE(c.holds(static_cast<std::uint16_t>(-6)));
}

TEST(DriveProfiles, a_failed_reading_names_the_parameter_the_value_and_what_to_set) {
  ParameterCheck c;
  c.parameter = "P2014";
  c.what = "telegram-off time in ms";
  c.fix = "set P2014 to 500 on the panel";
  c.min = 1;
  c.max = 1000;
  EXPECT_EQ(ParameterReading({c, std::uint16_t{0}, {}}).sentence(),
            "P2014 reads 0, must be from 1 to 1000 (telegram-off time in ms): set P2014 to 500 on the panel");
  EXPECT_EQ(ParameterReading({c, std::nullopt, "Connection timed out"}).sentence(),
            "P2014 (telegram-off time in ms) could not be read: Connection timed out; set P2014 to 500 on the panel");
  EXPECT_TRUE(failures({ParameterReading{c, std::uint16_t{500}, {}}}).empty());
  c.max = -100;  // a negative bound: the drive's value is shown signed, as on its panel
  c.min.reset();
  EXPECT_EQ(ParameterReading({c, static_cast<std::uint16_t>(-5000), {}}).detail(), "= -5000 (telegram-off time in ms): ok");
}

TEST(DriveProfiles, an_unsigned_feedback_register_never_reports_reverse_as_forward) {
  // The E3's output register is a magnitude: the direction is the commanded one, never a guess.
  auto p = load_drive_profile(drives_dir + "/optidrive-e3.yaml");
  ASSERT_TRUE(p.ok());
  RegisterWords words{{{RegisterType::holding, p.value->output_hz.address}, 300}};
  const DecodedFeedback d = decode_feedback(*p.value, words, 0.2);
  EXPECT_FALSE(d.direction.has_value());
  EXPECT_NEAR(d.measured_kmh, 6.0, 1e-9);
}

// ---- machine.yaml names the profile of a real drive ----

const char* machine_head = "belt:\n  kmh_per_hz: 0.2\nceilings:\n  forward_max: 12 km/h\n  reverse_max: 6 km/h\n"
                           "  max_accel: 0.5 m/s2\n  max_decel: 0.8 m/s2\n  emergency_decel: 1.5 m/s2\n  max_session: 60min\n";

TEST(DriveProfiles, a_real_transport_without_a_profile_is_refused) {
  auto m = parse_machine(std::string("drive:\n  transport: tcp\n  host: 10.0.0.5\n") + machine_head, "machine.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(join(m.errors).find("drive.profile is required when drive.transport is 'tcp'"), std::string::npos)
      << join(m.errors);
  EXPECT_TRUE(parse_machine(std::string("drive:\n  transport: sim\n") + machine_head, "machine.yaml").ok());
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class ConfigDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/treadd-unit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::copy(std::string(TREADD_SOURCE_DIR) + "/config/examples", dir_);
    fs::create_directory_symlink(drives_dir, dir_ + "/drives");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void set_drive(const std::string& lines) {
    std::ifstream in(std::string(TREADD_SOURCE_DIR) + "/config/examples/machine.yaml");
    std::string m((std::istreambuf_iterator<char>(in)), {});
    m.replace(m.find("  transport: sim"), 16, lines);
    m.replace(m.find("  profile: generic"), 18, "");
    std::ofstream(dir_ + "/machine.yaml") << m;
  }
  std::string dir_;
};

TEST_F(ConfigDir, a_misspelt_profile_fails_at_load_naming_where_it_was_looked_for) {
  set_drive("  transport: tcp\n  profile: genric");
  auto c = load_config_dir(dir_);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(join(c.errors).find("drive profile 'genric' not found in " + dir_ + "/drives"), std::string::npos)
      << join(c.errors);
  set_drive("  transport: tcp\n  profile: ../../etc/passwd");
  EXPECT_NE(join(load_config_dir(dir_).errors).find("must be the name of a profile"), std::string::npos);
}

TEST_F(ConfigDir, the_named_profile_is_loaded_with_the_configuration) {
  set_drive("  transport: tcp\n  profile: siemens-v20");
  auto c = load_config_dir(dir_);
  ASSERT_TRUE(c.ok()) << join(c.errors);
  ASSERT_TRUE(c.value->drive_profile.has_value());
  EXPECT_EQ(c.value->drive_profile->name, "siemens-v20");
  EXPECT_NE(c.value->drive_profile->parameter("P2000"), nullptr);
}

// ---- a commissioning report counts for the drive it was made on ----

TEST_F(ConfigDir, commissioning_status_is_missing_then_passed_then_stale_failed_or_waived) {
  set_drive("  transport: tcp\n  profile: delta-ms300");
  auto c = load_config_dir(dir_);
  ASSERT_TRUE(c.ok()) << join(c.errors);
  FullConfig config = *c.value;
  const std::string state = dir_ + "/state";
  EXPECT_EQ(commissioning_status(config, state).state, CommissioningState::missing);
  EXPECT_FALSE(commissioning_status(config, state).allows_start());

  auto row = [](std::string name, std::string kind) {
    CommissioningCheck check;
    check.name = std::move(name);
    check.kind = std::move(kind);
    check.pass = true;
    check.detail = "ok";
    return check;
  };
  CommissioningRecord rec;
  rec.date = "2026-11-28T10:00:00Z";
  rec.profile = "delta-ms300";
  rec.fingerprint = commissioning_fingerprint(config);
  rec.drive = "d";
  rec.identity = "identity code 12, firmware 104";
  rec.passed = true;
  rec.checks = {row("Pr.09-03", "parameter"), row("drive-side backstop", "belt")};
  write_commissioning_record(state, rec);
  EXPECT_EQ(commissioning_status(config, state).state, CommissioningState::unchecked) << "not before the drive said who it is";
  EXPECT_FALSE(commissioning_status(config, state).allows_start());
  EXPECT_EQ(commissioning_status(config, state, rec.identity).state, CommissioningState::passed);
  EXPECT_TRUE(commissioning_status(config, state, rec.identity).allows_start());
  EXPECT_EQ(commissioning_status(config, state, "identity code 12, firmware 105").state, CommissioningState::stale)
      << "a swapped drive of the same model";

  // Any key of machine.yaml's drive, belt, ceilings or safety sections, and any byte of the profile.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"unit_id: 1", "unit_id: 2"},
           {"kmh_per_hz: 0.2", "kmh_per_hz: 0.1"},
           {"emergency_decel: 1.5 m/s2", "emergency_decel: 1.2 m/s2"},
           {"  transport: tcp", "  transport: tcp\n  data_bits: 7"},
           {"poll_period: 20ms", "poll_period: 40ms"},
           {"  transport: tcp", "  transport: tcp\n  commissioning_waiver: \"bench\""}}) {
    std::string m = read_text(dir_ + "/machine.yaml");
    const std::string original = m;
    ASSERT_NE(m.find(from), std::string::npos) << from;
    m.replace(m.find(from), from.size(), to);
    std::ofstream(dir_ + "/machine.yaml") << m;
    auto changed = load_config_dir(dir_);
    std::ofstream(dir_ + "/machine.yaml") << original;
    ASSERT_TRUE(changed.ok()) << to << ": " << join(changed.errors);
    const bool waiver_only = to.find("commissioning_waiver") != std::string::npos;
    EXPECT_EQ(commissioning_status(*changed.value, state, rec.identity).state, waiver_only ? CommissioningState::passed : CommissioningState::stale) << to;
    if (waiver_only) {
      EXPECT_EQ(commissioning_fingerprint(*changed.value), rec.fingerprint) << "a waiver changes no belt";
    }
  }
  FullConfig edited = config;
  edited.drive_profile->source_text += "# a comment is a change of the file too\n";
  EXPECT_EQ(commissioning_status(edited, state, rec.identity).state, CommissioningState::stale) << "any change of the profile file";

  // A report edited to say "passed" proves nothing: the result is recomputed from its checks.
  rec.checks[0].pass = false;
  write_commissioning_record(state, rec);
  EXPECT_EQ(commissioning_status(config, state).state, CommissioningState::failed);
  CommissioningRecord no_backstop = rec;
  no_backstop.checks = {row("Pr.09-03", "parameter")};
  write_commissioning_record(state, no_backstop);
  EXPECT_EQ(commissioning_status(config, state).state, CommissioningState::failed) << "no backstop measured, no pass";
  rec.passed = false;
  write_commissioning_record(state, rec);
  const auto failed = commissioning_status(config, state);
  EXPECT_EQ(failed.state, CommissioningState::failed);
  EXPECT_NE(failed.detail.find("(Pr.09-03)"), std::string::npos) << failed.detail;

  config.machine.drive.commissioning_waiver = "bench drive, no belt";
  const auto waived = commissioning_status(config, state);
  EXPECT_EQ(waived.state, CommissioningState::waived);
  EXPECT_TRUE(waived.allows_start());
  EXPECT_NE(waived.detail.find("bench drive, no belt"), std::string::npos);

  std::ofstream(state + "/commissioning/latest.json") << "{not json";
  config.machine.drive.commissioning_waiver.clear();
  EXPECT_EQ(commissioning_status(config, state).state, CommissioningState::missing) << "an unreadable report proves nothing";
}

TEST(CommissioningGate, a_blocked_machine_refuses_every_start_with_the_reason) {
  testing::Rig rig;
  rig.sup.block_starts("this treadmill's drive may not run a session: it was never commissioned");
  const Reply r = rig.start();
  EXPECT_EQ(r.rule, RuleId::drive_not_commissioned);
  EXPECT_EQ(testing::fact<Name>(r.facts, "why").value,
            "this treadmill's drive may not run a session: it was never commissioned");
  rig.sup.block_starts(std::nullopt);
  EXPECT_TRUE(rig.start().accepted);
}

// ---- a drive that reports speed without its sign ----

TEST(Overspeed, a_reverse_run_read_back_as_forward_is_still_held_to_the_reverse_cap) {
  testing::Rig rig;
  ASSERT_TRUE(rig.start().accepted);  // reverse cap 4, forward cap 6, margin 0.5
  rig.send(SpeedCmd{4.0});
  rig.run_for(10s);
  ASSERT_EQ(rig.state(), State::running);
  rig.belt_direction = Direction::forward;  // the drive's register has no sign: it reads "forward"
  rig.sensor_offset_kmh = 0.8;              // 4.8 km/h: over the reverse cap + margin, under the forward one
  rig.run_for(100ms);
  ASSERT_EQ(rig.state(), State::faulted);
  EXPECT_EQ(rig.sup.status().fault->rule, RuleId::overspeed);
}

}  // namespace
}  // namespace treadd

namespace treadd {
namespace {

// Every shipped profile read both ways: what treadd writes is what a drive (treadsim) understands,
// and what a drive reports is what treadd reads. One codec, so a profile cannot mean two things.
class EveryShippedProfile : public ::testing::TestWithParam<std::string> {
 protected:
  DriveProfile load() {
    auto loaded = load_drive_profile(drives_dir + "/" + GetParam());
    EXPECT_TRUE(loaded.ok()) << join(loaded.errors);
    return loaded.ok() ? *loaded.value : DriveProfile{};
  }
};

TEST_P(EveryShippedProfile, commands_round_trip_through_the_drive_side) {
  const DriveProfile p = load();
  const double kmh_per_hz = 0.2;
  for (Direction d : {Direction::forward, Direction::reverse}) {
    for (double kmh : {0.3, 2.5, 4.5, 7.9}) {
      const DriveOrder order = decode_command(p, encode_command(p, {Motion::run, d, kmh}, kmh_per_hz));
      EXPECT_EQ(order.motion, Motion::run) << to_string(d) << " " << kmh;
      EXPECT_EQ(order.direction, d) << kmh << " km/h";
      EXPECT_NEAR(order.hz, units::hz_from_kmh(kmh, kmh_per_hz), p.setpoint.scale / 2 + 1e-9) << to_string(d) << " " << kmh;
    }
  }
  EXPECT_EQ(decode_command(p, encode_command(p, {Motion::stop, Direction::reverse, 0}, kmh_per_hz)).motion, Motion::stop);
  EXPECT_EQ(decode_command(p, encode_command(p, {Motion::fast_stop, Direction::reverse, 0}, kmh_per_hz)).motion,
            p.fast_stop == p.stop ? Motion::stop : Motion::fast_stop);
}

TEST_P(EveryShippedProfile, feedback_round_trips_through_the_drive_side) {
  const DriveProfile p = load();
  const double kmh_per_hz = 0.2;
  for (Direction d : {Direction::forward, Direction::reverse}) {
    for (double hz : {0.0, 12.5, 22.5}) {
      for (int fault : {0, 1, 7}) {
        for (bool key : {true, false}) {
          const DecodedFeedback f = decode_feedback(p, encode_feedback(p, {hz, d, fault, key}), kmh_per_hz);
          EXPECT_NEAR(f.measured_kmh, units::kmh_from_hz(hz, kmh_per_hz), p.output_hz.scale * kmh_per_hz);
          if (p.output_hz.is_signed && hz > 0) {
            EXPECT_EQ(f.direction, d);
          }
          if (p.fault_code) {
            EXPECT_EQ(f.fault_code != 0, fault != 0) << "fault " << fault;
          }
          if (p.safety_key) {
            EXPECT_EQ(f.safety_key_present, key);
          }
        }
      }
    }
  }
}

std::vector<std::string> shipped_profiles() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(drives_dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Drives, EveryShippedProfile, ::testing::ValuesIn(shipped_profiles()),
                         [](const auto& param_info) {
                           std::string n = param_info.param.substr(0, param_info.param.find('.'));
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace treadd

namespace treadd {
namespace {

// A fault reads as the drive's manual names it; a code the profile does not name stays a number,
// and a malformed table is refused naming the line.
TEST(DriveProfiles, fault_codes_are_named_where_the_profile_names_them) {
  auto generic = load_drive_profile(drives_dir + "/generic.yaml");
  ASSERT_TRUE(generic.ok()) << join(generic.errors);
  EXPECT_EQ(generic.value->describe_fault(1), "1 (overcurrent (simulated))");
  EXPECT_EQ(generic.value->describe_fault(99), "99");

  SafetySettings safety;
  FaultMonitor monitor(safety);
  DriveFeedback fb;
  fb.link_up = true;
  fb.received_at = TimePoint{} + 1h;
  fb.fault_code = 1;
  const Conditions standing = monitor.standing(fb, fb.received_at);
  ASSERT_EQ(standing.seen().size(), 1u);
  const Fault* f = &standing.seen().front();
  EXPECT_EQ(f->rule, RuleId::drive_fault);
  const std::string words = Wording(generic.value->fault_names, {}).fault(*f);
  EXPECT_NE(words.find("fault code 1 (overcurrent (simulated))"), std::string::npos) << words;

  std::string text;
  {
    std::ifstream in(drives_dir + "/generic.yaml");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto bad = parse_drive_profile(text + "  zero: \"not a code\"\n", "x.yaml");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(join(bad.errors).find("'zero' is not a fault code"), std::string::npos) << join(bad.errors);
}

}  // namespace
}  // namespace treadd
