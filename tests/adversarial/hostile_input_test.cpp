// SPDX-License-Identifier: Apache-2.0
// Adversarial tests of the pure parts: hostile configuration files, hostile protocol lines and
// command sequences a careful attacker or a confused user would try. Each test names the defect
// class it keeps closed (docs/safety.md, "Defect classes"); each failed on 894f3f3.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "config/drive_profile.hpp"
#include "config/loader.hpp"
#include "core/units.hpp"
#include "config/yaml_section.hpp"
#include "daemon/protocol/protocol.hpp"
#include "tests/unit/config_samples.hpp"
#include "tests/unit/supervisor_rig.hpp"

namespace treadd {
namespace {

using namespace treadd::testing;

const std::string machine_text = sample_machine_yaml("1min");

MachineConfig machine() {
  auto m = parse_machine(machine_text, "machine.yaml");
  EXPECT_TRUE(m.ok()) << join(m.errors);
  return *m.value;
}

std::string profile(const std::string& lines) {
  return "profiles:\n"
         "  p1:\n"
         "    reverse_cap: 4 km/h\n"
         "    start_speed: 0.5 km/h\n"
         "    accel: 0.2 m/s2\n"
         "    decel: 0.3 m/s2\n"
         "    session_time: 20s\n" +
         lines;
}

std::string errors_of(const std::string& limits) {
  auto l = parse_limits(limits, "limits.yaml", machine());
  return l.ok() ? std::string("(accepted)") : join(l.errors);
}

// ---- class: a session that outlasts the machine ----

TEST(AdversarialConfig, cooldown_that_outlasts_max_session_is_refused_with_its_line) {
  const std::string e = errors_of(profile("    cooldown_speed: 3 km/h\n    cooldown_time: 1000h\n"));
  EXPECT_NE(e.find("limits.yaml:9:"), std::string::npos) << e;
  EXPECT_NE(e.find("ceilings.max_session"), std::string::npos) << e;
}

TEST(AdversarialSupervisor, a_session_with_cooldown_stops_within_max_session_even_if_built_in_code) {
  SupervisorSettings s = test_settings();
  s.ceilings.max_session = 1min;
  Rig rig(s);
  Profile p = test_profile();
  p.session_time = 20s;
  p.warning_before_end = 5s;
  p.cooldown_speed_kmh = 3;
  p.cooldown_time = std::chrono::hours(1000);
  ASSERT_TRUE(rig.start(p).accepted);
  rig.send(SpeedCmd{3.0});
  // 60 s of session plus the ramp down from 3 km/h.
  EXPECT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 75s));
  EXPECT_LT(rig.belt_kmh, 0.1);
}

// ---- class: ramps too slow to mean anything ----

TEST(AdversarialConfig, a_decel_that_cannot_stop_the_belt_in_max_stop_time_is_refused) {
  for (const char* decel : {"0.0001 m/s2", "1e-9 m/s2"}) {
    std::string yaml = profile("");
    yaml.replace(yaml.find("decel: 0.3 m/s2"), 15, std::string("decel: ") + decel);
    const std::string e = errors_of(yaml);
    EXPECT_NE(e.find("limits.yaml:6:"), std::string::npos) << e;
    EXPECT_NE(e.find("ceilings.max_stop_time"), std::string::npos) << e;
  }
  const std::string e = errors_of(profile("    reverse_decel: 0.01 m/s2\n"));
  EXPECT_NE(e.find("limits.yaml:8:"), std::string::npos) << e;
}

TEST(AdversarialConfig, an_accel_that_makes_a_start_meaningless_is_refused) {
  std::string yaml = profile("");
  yaml.replace(yaml.find("accel: 0.2 m/s2"), 15, "accel: 0.000001 m/s2");
  const std::string e = errors_of(yaml);
  EXPECT_NE(e.find("limits.yaml:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("ceilings.max_speedup_time"), std::string::npos) << e;
}

TEST(AdversarialSupervisor, stop_brings_the_belt_down_within_max_stop_time_whatever_the_profile_says) {
  Rig rig;
  Profile p = test_profile();
  p.reverse_decel_mps2 = 1e-9;
  p.decel_mps2 = 1e-9;
  ASSERT_TRUE(rig.start(p).accepted);
  rig.send(SpeedCmd{3.0});
  rig.run_for(30s);
  ASSERT_GT(rig.belt_kmh, 2.9);
  rig.send(StopCmd{});
  EXPECT_TRUE(rig.run_until([&] { return rig.belt_kmh == 0.0; }, 10s + 100ms));
}

// ---- class: YAML keys that silently shadow each other ----

TEST(AdversarialConfig, a_duplicate_key_is_refused_naming_both_lines_whichever_comes_first) {
  for (const char* second : {"6 km/h", "2 km/h"}) {
    const std::string e = errors_of(profile(std::string("    reverse_cap: ") + second + "\n"));
    EXPECT_NE(e.find("limits.yaml:8:5: the key 'reverse_cap' is given twice in one mapping (lines 3 and 8)"),
              std::string::npos)
        << e;
  }
}

TEST(AdversarialConfig, duplicate_keys_are_refused_in_machine_yaml_and_drive_profiles_too) {
  auto m = parse_machine(machine_text + "ceilings:\n  reverse_max: 8 km/h\n", "machine.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(join(m.errors).find("'ceilings' is given twice"), std::string::npos) << join(m.errors);
  auto d = parse_drive_profile("name: x\naddress_base: 0\naddress_base: 1\n", "x.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(join(d.errors).find("'address_base' is given twice"), std::string::npos) << join(d.errors);
  // Inside a program segment (a flow mapping) as well.
  const std::string e = errors_of(profile("programs:\n  g:\n    profile: p1\n    segments:\n"
                                          "      - {direction: reverse, speed: 1 km/h, speed: 9 km/h, duration: 5s}\n"));
  EXPECT_NE(e.find("'speed' is given twice"), std::string::npos) << e;
}

// ---- class: inputs so big they stall whoever parses them ----

TEST(AdversarialConfig, a_file_over_the_size_bound_is_refused_before_parsing) {
  std::string big = profile("");
  while (big.size() <= max_config_bytes) big += "# padding padding padding padding padding padding padding\n";
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = errors_of(big);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
  EXPECT_NE(e.find("at most 256 KiB"), std::string::npos) << e;
}

TEST(AdversarialConfig, an_endless_file_is_read_no_further_than_the_bound) {
  std::vector<Diagnostic> errors;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(read_config_file("/dev/zero", errors).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].to_string().find("/dev/zero:1:1: the file is larger than 256 KiB"), std::string::npos);
}

// ---- class: protocol values that pass through a narrowing conversion ----

TEST(AdversarialProtocol, a_version_that_only_truncates_to_1_is_refused) {
  for (const char* v : {"4294967297", "1.0", "18446744073709551617", "-4294967295", "\"1\""}) {
    auto r = protocol::parse_request(std::string(R"({"v":)") + v + R"(,"cmd":"status"})");
    EXPECT_FALSE(r.request.has_value()) << v;
  }
  EXPECT_TRUE(protocol::parse_request(R"({"v":1,"cmd":"status"})").request.has_value());
}

// ---- class: refusal texts that lie or lose the number ----

TEST(AdversarialMessages, huge_and_negative_zero_speeds_are_shown_whole_and_signless) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(1s);
  const Reply r = rig.send(SpeedCmd{1e308});
  ASSERT_FALSE(r.accepted);
  const std::string words = Wording{}.reply(r);  // as the edge words it for the user
  EXPECT_NE(words.find("1e+308 km/h is above the reverse cap of 4.0 km/h"), std::string::npos) << words;
  EXPECT_EQ(units::format_kmh(-0.0), "0.0 km/h");
  EXPECT_EQ(units::format_kmh(-0.04), "0.0 km/h");
}

TEST(AdversarialMessages, a_start_during_the_standstill_dwell_says_the_belt_is_settling_and_for_how_long) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(5s);
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 10s));
  const Reply r = rig.start();
  ASSERT_FALSE(r.accepted);
  const std::string words = Wording{}.reply(r);
  EXPECT_NE(words.find("the belt is settling: below 0.1 km/h for"), std::string::npos) << words;
  EXPECT_NE(words.find("of the 2 s needed"), std::string::npos) << words;
  EXPECT_EQ(words.find("still moving"), std::string::npos) << words;
}

// ---- class: a latch that another command quietly clears ----

TEST(AdversarialSupervisor, a_lock_survives_an_estop_and_its_reset) {
  Rig rig;
  ASSERT_TRUE(rig.send(LockCmd{}, Role::operator_role).accepted);
  rig.send(EStopCmd{}, Role::viewer);
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_EQ(rig.state(), State::locked);
  EXPECT_FALSE(rig.start().accepted);
  ASSERT_TRUE(rig.send(UnlockCmd{}).accepted);
  EXPECT_TRUE(rig.start().accepted);
}

TEST(AdversarialSupervisor, a_lock_survives_a_fault_and_its_reset) {
  Rig rig;
  ASSERT_TRUE(rig.send(LockCmd{}, Role::operator_role).accepted);
  rig.link_replies = false;
  rig.run_for(1s);
  ASSERT_EQ(rig.state(), State::faulted);
  rig.link_replies = true;
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_EQ(rig.state(), State::locked);
  EXPECT_FALSE(rig.start().accepted);
}

// ---- class: a safety signal anyone can fake ----

TEST(AdversarialSupervisor, a_viewer_cannot_keep_operator_presence_alive) {
  Rig rig;
  Profile p = test_profile();
  p.presence_timeout = 2s;
  ASSERT_TRUE(rig.start(p).accepted);
  const Reply r = rig.send(HeartbeatCmd{}, Role::viewer);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::role_required);
  EXPECT_EQ(fact<Word>(r.facts, "needed").value, "operator");
  for (int i = 0; i < 10; ++i) {
    rig.run_for(500ms);
    rig.send(HeartbeatCmd{}, Role::viewer);
  }
  EXPECT_NE(rig.state(), State::running);
}

// ---- class: a fault named after its consequence instead of its cause ----

TEST(AdversarialSupervisor, a_stalled_loop_is_named_a_stall_not_the_drive_trip_it_caused) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(5s);
  // 800 ms with no tick (SIGSTOP); meanwhile the drive's own watchdog tripped (code 16).
  rig.now += 800ms;
  rig.fb.fault_code = 16;
  rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  const auto fault = rig.sup.status().fault;
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->rule, RuleId::loop_overrun);
  EXPECT_EQ(fact<Word>(fault->facts, "how").value, "stalled");
  EXPECT_EQ(fact<Ms>(fault->facts, "stalled_for").value, 820ms);
  EXPECT_EQ(fact<Ms>(fault->facts, "limit").value, 500ms);
}

TEST(AdversarialSupervisor, a_dropped_connection_is_named_as_such_not_as_a_short_silence) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(2s);
  rig.fb.link_up = false;  // the HAL saw the connection break: fresh timestamp, no reply for 0 ms
  rig.tick();
  const auto fault = rig.sup.status().fault;
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->rule, RuleId::link_loss);
  EXPECT_EQ(fact<Word>(fault->facts, "how").value, "link_down");
  EXPECT_EQ(find_fact(fault->facts, "limit"), nullptr) << "no silence was timed: the connection broke";
}

}  // namespace
}  // namespace treadd
