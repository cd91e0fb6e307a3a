// SPDX-License-Identifier: Apache-2.0
// Every safety rule (daemon/supervisor/rules.hpp) has a scenario here that makes it fire, a row in
// docs/safety.md, and a message without holes. A rule added without them fails this file; a rule
// whose check is removed fails its scenario. Latched rules share one table-driven test of what a
// latch means (fast stop, a clinician's reset only at standstill and once the cause is gone).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "tests/unit/controller_rig.hpp"
#include "tests/unit/supervisor_rig.hpp"

namespace treadd::testing {
namespace {

// What fired, and its sentence as the edge words it from the facts (no drive profile: plain codes).
struct Observed {
  std::optional<RuleId> rule;
  std::string message;
};

Observed of(const Reply& r) { return {r.rule, Wording{}.reply(r)}; }
Observed of(const json& reply) {
  if (!reply.contains("rule")) return {std::nullopt, reply.dump()};
  return {rule_from_code(reply["rule"].get<std::string>()), reply.value("error", "")};
}
Observed fault_of(const Rig& rig) {
  const auto f = rig.sup.status().fault;
  return f ? Observed{f->rule, Wording{}.fault(*f)} : Observed{};
}
Observed end_of(const Rig& rig) {
  const auto ending = rig.sup.status().last_ending;
  return ending ? Observed{ending->rule, Wording{}.ending(*ending)} : Observed{};
}

Rig running(double kmh = 3.0, Profile p = test_profile()) {
  Rig rig;
  rig.start(std::move(p));
  rig.send(SpeedCmd{kmh});
  rig.run_for(15s);
  return rig;
}

Program two_segments() {
  return test_program("p", {{Direction::reverse, 1.0, 30s}, {Direction::reverse, 1.5, 30s}});
}

// How each latched rule is provoked on a running belt, and how its cause goes away.
struct Latch {
  RuleId rule;
  std::function<void(Rig&)> provoke;
  std::function<void(Rig&)> remove_cause;
};

void PrintTo(const Latch& l, std::ostream* os) { *os << to_string(l.rule); }

const std::vector<Latch>& latches() {
  static const std::vector<Latch> table = {
      {RuleId::emergency_stop, [](Rig& r) { r.send(EStopCmd{}, Role::viewer); }, [](Rig&) {}},
      {RuleId::drive_fault, [](Rig& r) { r.fb.fault_code = 7; }, [](Rig& r) { r.fb.fault_code = 0; }},
      {RuleId::link_loss, [](Rig& r) { r.link_replies = false; }, [](Rig& r) { r.link_replies = true; }},
      {RuleId::overspeed, [](Rig& r) { r.sensor_offset_kmh = 1.6; }, [](Rig& r) { r.sensor_offset_kmh = 0; }},
      {RuleId::tracking_error, [](Rig& r) { r.sensor_offset_kmh = -1.6; }, [](Rig& r) { r.sensor_offset_kmh = 0; }},
      {RuleId::implausible_reading, [](Rig& r) { r.sensor_offset_kmh = -2.5; }, [](Rig& r) { r.sensor_offset_kmh = 0; }},
      {RuleId::safety_key_lost, [](Rig& r) { r.fb.safety_key_present = false; },
       [](Rig& r) { r.fb.safety_key_present = true; }},
      {RuleId::loop_overrun, [](Rig& r) { r.overrun = true; }, [](Rig& r) { r.overrun = false; }},
      {RuleId::wrong_direction, [](Rig& r) { r.belt_turns_wrong_way = true; },
       [](Rig& r) { r.belt_turns_wrong_way = false; }},
      {RuleId::drive_setting_changed, [](Rig& r) { r.fb.setting_lost = 1; r.fb.setting_raw = 0; },
       [](Rig& r) { r.fb.setting_lost = 0; }},
      {RuleId::drive_restarted, [](Rig& r) { ++r.fb.drive_restarts; }, [](Rig&) {}},
  };
  return table;
}

Observed provoke_latch(RuleId id) {
  for (const Latch& l : latches()) {
    if (l.rule != id) continue;
    Rig rig = running(3.0);
    l.provoke(rig);
    rig.run_until([&] { return rig.state() == State::faulted || rig.state() == State::estopped; }, 5s);
    if (id == RuleId::emergency_stop) return end_of(rig);
    return fault_of(rig);
  }
  return {};
}

// One scenario per rule: returns what fired.
const std::map<RuleId, std::function<Observed()>>& scenarios() {
  static const std::map<RuleId, std::function<Observed()>> table = {
      {RuleId::role_required, [] { Rig r; return of(r.send(StartCmd{test_profile(), std::nullopt, std::nullopt}, Role::viewer)); }},
      {RuleId::estop_latched, [] { Rig r; r.send(EStopCmd{}); return of(r.start()); }},
      {RuleId::fault_latched, [] { Rig r = running(); r.fb.fault_code = 3; r.run_for(3s); r.fb.fault_code = 0;
                                   return of(r.start()); }},
      {RuleId::locked_out, [] { Rig r; r.send(LockCmd{}); return of(r.start()); }},
      {RuleId::session_running, [] { Rig r; r.start(); return of(r.start()); }},
      {RuleId::drive_not_commissioned, [] {
         SupervisorSettings s = test_settings();
         s.start_blocked = "no commissioning report";
         Rig r(s);
         return of(r.start());
       }},
      {RuleId::not_at_standstill, [] { Rig r = running(); return of(r.send(DirectionCmd{Direction::forward})); }},
      {RuleId::direction_not_allowed, [] { Profile p = test_profile(); p.forward_cap_kmh = 0; Rig r;
                                           return of(r.send(StartCmd{p, std::nullopt, Direction::forward})); }},
      {RuleId::rest_between, [] { Profile p = test_profile(); p.rest_between = 10min; Rig r; r.start(p);
                                  r.send(StopCmd{}); r.run_for(10s); return of(r.start(p)); }},
      {RuleId::program_empty, [] { Rig r; return of(r.send(StartCmd{test_profile(), test_program("e", {}), {}})); }},
      {RuleId::program_above_cap, [] { Rig r;
         return of(r.send(StartCmd{test_profile(), test_program("fast", {{Direction::reverse, 5.0, 30s}}), {}})); }},
      {RuleId::speed_not_a_number, [] { Rig r; r.start(); return of(r.send(SpeedCmd{-1})); }},
      {RuleId::no_session, [] { Rig r; return of(r.send(SpeedCmd{1})); }},
      {RuleId::session_paused, [] { Rig r = running(); r.send(PauseCmd{}); return of(r.send(SpeedCmd{1})); }},
      {RuleId::session_changing_direction, [] { Rig r = running(); r.send(DirectionCmd{Direction::forward, true});
                                                return of(r.send(SpeedCmd{1})); }},
      {RuleId::session_cooling_down, [] { Rig r = running(); r.run_for(20min); return of(r.send(SpeedCmd{1})); }},
      {RuleId::session_stopping, [] { Rig r = running(); r.send(StopCmd{}); return of(r.send(SpeedCmd{1})); }},
      {RuleId::not_running, [] { Rig r; return of(r.send(PauseCmd{})); }},
      {RuleId::not_paused, [] { Rig r = running(); return of(r.send(ResumeCmd{})); }},
      {RuleId::program_in_control, [] { Rig r; r.send(StartCmd{test_profile(), two_segments(), {}});
                                        return of(r.send(DirectionCmd{Direction::forward})); }},
      {RuleId::program_only_slower, [] { Rig r; r.send(StartCmd{test_profile(), two_segments(), {}}); r.run_for(10s);
                                         return of(r.send(SpeedCmd{3.5})); }},
      {RuleId::above_cap, [] { Rig r = running(); return of(r.send(SpeedCmd{4.5})); }},
      {RuleId::step_limit, [] { Profile p = test_profile(); p.max_step_kmh = 1.0; Rig r = running(1.0, p);
                                return of(r.send(SpeedCmd{3.0})); }},
      {RuleId::cause_persists, [] { Rig r = running(); r.fb.safety_key_present = false; r.run_for(10s);
                                    return of(r.send(ResetCmd{})); }},
      {RuleId::drive_trip_acknowledged, [] { Rig r = running(); r.fb.fault_code = 9; r.run_for(10s);
                                             return of(r.send(ResetCmd{})); }},
      {RuleId::lock_needs_idle, [] { Rig r = running(); return of(r.send(LockCmd{})); }},
      {RuleId::not_locked, [] { Rig r; return of(r.send(UnlockCmd{})); }},
      {RuleId::unknown_profile, [] { ControllerRig c; return of(c.call(R"({"cmd":"start","profile":"nope"})")); }},
      {RuleId::profile_required, [] { ControllerRig c; return of(c.call(R"({"cmd":"start"})")); }},
      {RuleId::prescription_override, [] {
         // LBP-0100 is prescribed lumbar-early's early-walk (config/examples/patients/).
         ControllerRig c;
         return of(c.call(R"({"cmd":"start","profile":"lumbar-standard","patient":"LBP-0100"})", Role::operator_role));
       }},
      {RuleId::unknown_program, [] {
         ControllerRig c;
         return of(c.call(R"({"cmd":"start","profile":"lumbar-early","program":"nope"})"));
       }},
      {RuleId::patient_code_required, [] {
         ControllerRig c;
         c.config.machine.records.patient_code_required = true;
         c.controller = std::make_unique<Controller>(c.config, std::string(TREADD_SOURCE_DIR) + "/config/examples", *c.drive);
         c.run_for(3s);
         return of(c.call(R"({"cmd":"start","profile":"lumbar-early"})", Role::operator_role));
       }},
      {RuleId::erasure_unconfirmed, [] {
         ControllerRig c;
         return of(c.call(R"({"cmd":"forget","patient":"LBP-0042","confirm":"LBP-0024"})"));
       }},
      {RuleId::records_clinician_only, [] {
         // A record of an earlier day, asked for by an operator (answered off the loop).
         const auto dir = std::filesystem::temp_directory_path() / ("treadd-rules-" + std::to_string(getpid()));
         std::filesystem::create_directories(dir);
         std::ofstream(dir / "20200102T030405Z.jsonl")
             << R"({"type":"start","id":"20200102T030405Z","start":"2020-01-02T03:04:05Z","profile":"p","patient":"P-1"})"
             << "\n";
         ControllerRig c;
         c.controller = std::make_unique<Controller>(c.config, std::string(TREADD_SOURCE_DIR) + "/config/examples",
                                                     *c.drive, Traces{nullptr, nullptr, dir, nullptr, nullptr, {}});
         auto outcome = c.controller->execute(R"({"cmd":"report","session":"20200102T030405Z"})",
                                              Peer{Role::operator_role, "op"}, c.now);
         const json reply = outcome.query ? outcome.query() : outcome.reply;
         std::filesystem::remove_all(dir);
         return of(reply);
       }},
      {RuleId::program_of_other_profile, [] {
         ControllerRig c;
         std::string other;
         for (const auto& [name, _] : c.config.limits.profiles) {
           if (name != c.config.limits.programs.begin()->second.profile) other = name;
         }
         return of(c.call(R"({"cmd":"start","profile":")" + other + R"(","program":")" +
                          c.config.limits.programs.begin()->first + R"("})"));
       }},
      {RuleId::max_session, [] { SupervisorSettings s = test_settings(); s.ceilings.max_session = 10min;
                                 Profile p = test_profile(); p.session_time = 30min; Rig r(s); r.start(p);
                                 r.run_for(10min + 15s); return end_of(r); }},
      {RuleId::presence_lost, [] { Profile p = test_profile(); p.presence_timeout = 3s; Rig r = running(1.0, p);
                                   return end_of(r); }},
      {RuleId::max_distance, [] { Profile p = test_profile(); p.max_distance_m = 20; Rig r = running(3.0, p);
                                  r.run_for(30s); return end_of(r); }},
      {RuleId::max_pause, [] { Rig r = running(); r.send(PauseCmd{}); r.run_for(6min); return end_of(r); }},
      {RuleId::session_time, [] { Rig r = running(); r.run_for(22min); return end_of(r); }},
  };
  return table;
}

Observed fire(RuleId id) {
  if (rule(id).reaction == Reaction::fast_stop_latch) return provoke_latch(id);
  auto it = scenarios().find(id);
  return it == scenarios().end() ? Observed{} : it->second();
}

TEST(Rules, every_rule_has_a_scenario_that_fires_exactly_it_with_a_message_without_holes) {
  for (const Rule& r : rules) {
    SCOPED_TRACE(r.code);
    const Observed seen = fire(r.id);
    ASSERT_TRUE(seen.rule.has_value()) << "no scenario makes " << r.code << " fire (add one to this file): "
                                       << seen.message;
    EXPECT_EQ(to_string(*seen.rule), std::string(r.code)) << seen.message;
    EXPECT_FALSE(seen.message.empty());
    EXPECT_EQ(seen.message.find('{'), std::string::npos) << "a placeholder without a fact: " << seen.message;
  }
}

TEST(Rules, every_rule_has_a_row_in_docs_safety_md) {
  std::ifstream in(std::string(TREADD_SOURCE_DIR) + "/docs/safety.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const Rule& r : rules) {
    const std::string row = std::string("| `") + r.code + "` |";
    EXPECT_NE(text.str().find(row), std::string::npos) << "docs/safety.md has no row starting " << row;
  }
}

TEST(Rules, codes_are_unique_and_read_back) {
  for (const Rule& r : rules) EXPECT_EQ(rule_from_code(r.code), r.id) << r.code;
  EXPECT_FALSE(rule_from_code("no_such_rule").has_value());
}

TEST(Rules, a_message_names_the_numbers_it_was_given) {
  EXPECT_EQ(Wording{}.rule(RuleId::above_cap, {{"asked", Kmh{6.0}}, {"direction", Word{"reverse"}}, {"cap", Kmh{4.0}},
                                               {"profile", Name{"lumbar-test"}}}),
            "6.0 km/h is above the reverse cap of 4.0 km/h in profile 'lumbar-test'");
  EXPECT_EQ(Wording{}.rule(RuleId::above_cap, {}), "{asked} is above the {direction} cap of {cap} in profile '{profile}'");
}

// What came from a patient's file is said to the person who asked, and never copied into the
// journal or the audit log (Reader::journal), inside a phrase or another rule's sentence alike.
TEST(Rules, what_came_from_a_patients_file_reaches_the_asker_and_never_the_journal) {
  const Facts facts{{"prescribed", Name{"lumbar-early"}}, {"prescribed_by", FromRecord{"A. Weber, 2026-11-30"}},
                    {"group", Name{"treadd-clinician"}}};
  const std::string asked = Wording{}.rule(RuleId::prescription_override, facts);
  const std::string journal = Wording{}.rule(RuleId::prescription_override, facts, Reader::journal);
  EXPECT_NE(asked.find("lumbar-early (A. Weber, 2026-11-30)"), std::string::npos) << asked;
  EXPECT_NE(journal.find("lumbar-early ([from the patient's file: not copied here])"), std::string::npos) << journal;
  EXPECT_EQ(journal.find("Weber"), std::string::npos) << journal;
  Event e;
  e.kind = Event::Kind::warning;
  e.rule = RuleId::prescription_override;
  e.facts = facts;
  EXPECT_EQ(Wording{}.event(e).find("Weber"), std::string::npos) << "an event is the journal's line";
  // A session's ending alike: whole for its record and the asker, withheld in the journal's event.
  const Ending completed{std::nullopt, {{"completed", FromRecord{"early-walk"}}}, "", ""};
  EXPECT_EQ(Wording{}.ending(completed), "program 'early-walk' completed");
  EXPECT_EQ(Wording{}.ending(completed, Reader::journal).find("early-walk"), std::string::npos);
  Event ended;
  ended.kind = Event::Kind::session_ended;
  ended.facts = completed.facts;
  EXPECT_EQ(Wording{}.event(ended).find("early-walk"), std::string::npos) << Wording{}.event(ended);
}

// What a latch means, for every latched rule alike.
class Latched : public ::testing::TestWithParam<Latch> {};

TEST_P(Latched, fast_stops_at_once_and_clears_only_by_a_clinician_at_standstill_once_the_cause_is_gone) {
  const Latch& l = GetParam();
  Rig rig = running(3.0);
  l.provoke(rig);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::faulted || rig.state() == State::estopped; }, 5s));
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::fast_stop);
  EXPECT_EQ(rig.commanded(), 0) << "the setpoint is zeroed on the tick the rule latches";
  EXPECT_EQ(rig.start().rule, l.rule == RuleId::emergency_stop ? RuleId::estop_latched : RuleId::fault_latched);
  EXPECT_EQ(rig.send(ResetCmd{}, Role::operator_role).rule, RuleId::role_required);
  EXPECT_FALSE(rig.send(ResetCmd{}).accepted) << "the belt is still moving";
  if (rule(l.rule).clear == Clear::reset_once_condition_gone || rule(l.rule).clear == Clear::acknowledge_then_reset) {
    rig.run_for(15s);
    const Reply held = rig.send(ResetCmd{});
    EXPECT_FALSE(held.accepted) << "its clear column says the condition must be gone first";
  }
  l.remove_cause(rig);
  rig.run_for(15s);
  ASSERT_NE(rig.state(), State::idle) << "a cleared condition does not clear the latch";
  Reply reset = rig.send(ResetCmd{});
  if (!reset.accepted && reset.rule == RuleId::drive_trip_acknowledged) {
    rig.tick();
    reset = rig.send(ResetCmd{});
  }
  EXPECT_TRUE(reset.accepted) << Wording{}.reply(reset);
  EXPECT_EQ(rig.state(), State::idle);
  rig.run_for(2s);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::stop) << "nothing moves until a new start";
}

INSTANTIATE_TEST_SUITE_P(EveryLatchedRule, Latched, ::testing::ValuesIn(latches()),
                         [](const ::testing::TestParamInfo<Latch>& p) { return std::string(to_string(p.param.rule)); });

// A second rule latched while a first holds is recorded (an event, so it is logged and counted),
// but the fault the user reads stays the first: things did not get worse. A reset then waits for
// each condition that must be gone, in the monitor's order.
TEST(Rules, a_second_latch_while_faulted_is_recorded_and_every_cause_must_go_before_a_reset) {
  Rig rig = running(3.0);
  rig.fb.fault_code = 7;
  rig.run_for(1s);
  ASSERT_EQ(rig.state(), State::faulted);
  rig.fb.safety_key_present = false;
  rig.run_for(15s);
  int faults = 0;
  bool key_recorded = false;
  for (const Event& e : rig.sup.events()) {
    if (e.kind != Event::Kind::fault) continue;
    ++faults;
    key_recorded = key_recorded || e.rule == RuleId::safety_key_lost;
  }
  EXPECT_EQ(faults, 2);
  EXPECT_TRUE(key_recorded);
  EXPECT_EQ(rig.sup.status().fault->rule, RuleId::drive_fault);
  EXPECT_EQ(rig.send(ResetCmd{}).rule, RuleId::drive_trip_acknowledged);
  rig.fb.fault_code = 0;
  rig.tick();
  const Reply key = rig.send(ResetCmd{});
  EXPECT_EQ(key.rule, RuleId::cause_persists);
  const Fact* held_by = find_fact(key.facts, "fault");
  ASSERT_NE(held_by, nullptr);
  EXPECT_EQ(std::get<RuleRef>(held_by->value).rule, RuleId::safety_key_lost) << Wording{}.reply(key);
  rig.fb.safety_key_present = true;
  rig.tick();
  EXPECT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_EQ(rig.state(), State::idle);
}

// A fault carries what broke its rule as typed facts, one for each placeholder of the rule's
// message (or of the phrase a cause word stands for): a program reads them (the protocol's
// fault.facts) where people read the sentence the edge makes of them.
TEST(Rules, every_latched_fault_carries_a_fact_for_each_placeholder_of_its_message) {
  for (const Latch& l : latches()) {
    if (l.rule == RuleId::emergency_stop) continue;  // a button, not a measurement: no fault
    SCOPED_TRACE(to_string(l.rule));
    Rig rig = running(3.0);
    l.provoke(rig);
    ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::faulted; }, 5s));
    const auto fault = rig.sup.status().fault;
    ASSERT_TRUE(fault.has_value());
    ASSERT_EQ(fault->rule, l.rule);
    const std::string_view message = rule(l.rule).message;
    for (std::size_t open = message.find('{'); open != std::string_view::npos; open = message.find('{', open + 1)) {
      const std::string name(message.substr(open + 1, message.find('}', open) - open - 1));
      // A lost setting's expected value and fix come from the drive profile, by the setting's number.
      const bool from_profile = (name == "expected" || name == "fix") && find_fact(fault->facts, "setting");
      EXPECT_TRUE(find_fact(fault->facts, name) || from_profile) << "no fact '" << name << "' in " << Wording{}.fault(*fault);
    }
    const std::string words = Wording{}.fault(*fault);
    EXPECT_EQ(words.find('{'), std::string::npos) << "a placeholder without a fact: " << words;
  }
}

// Two rules that latch on the same tick are both recorded before the session ends, so the
// session's record (which closes on its end) holds both; the fault is named by the first.
TEST(Rules, rules_latched_on_one_tick_are_all_recorded_before_the_session_ends) {
  Rig rig = running(3.0);
  rig.sup.clear_events();
  rig.fb.fault_code = 7;
  rig.fb.safety_key_present = false;
  rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  std::vector<Event::Kind> kinds;
  for (const Event& e : rig.sup.events()) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector{Event::Kind::fault, Event::Kind::fault, Event::Kind::session_ended}));
  EXPECT_EQ(rig.sup.status().fault->rule, RuleId::drive_fault);
}

// A drive setting lost while connected is named by its own row of the drive profile, so the
// technician turns the right knob.
TEST(Rules, a_lost_drive_setting_is_named_by_its_own_row) {
  const Wording wording({}, {{"Pr.09-03 (comms-loss timeout)", "5", "set Pr.09-03 to 5"},
                             {"Pr.00-20 (frequency command source)", "1", "set Pr.00-20 to 1"}});
  for (const std::uint16_t lost : {std::uint16_t{1}, std::uint16_t{2}}) {
    Rig rig;
    rig.start();
    rig.send(SpeedCmd{3.0});
    rig.run_for(15s);
    rig.fb.setting_lost = lost;
    rig.fb.setting_raw = 0;
    ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::faulted; }, 2s));
    const Fault fault = *rig.sup.status().fault;
    const Fact* setting = find_fact(fault.facts, "setting");
    ASSERT_NE(setting, nullptr);
    EXPECT_EQ(std::get<DriveSetting>(setting->value).number, lost);
    const std::string detail = wording.fault(fault);
    EXPECT_NE(detail.find(lost == 1 ? "Pr.09-03" : "Pr.00-20"), std::string::npos) << detail;
    EXPECT_NE(detail.find(lost == 1 ? "set Pr.09-03 to 5" : "set Pr.00-20 to 1"), std::string::npos) << detail;
  }
}

TEST(Rules, every_latched_rule_is_in_the_latch_table) {
  for (const Rule& r : rules) {
    if (r.reaction != Reaction::fast_stop_latch) continue;
    bool found = false;
    for (const Latch& l : latches()) found = found || l.rule == r.id;
    EXPECT_TRUE(found) << r.code;
  }
}

}  // namespace
}  // namespace treadd::testing

namespace treadd::testing {
namespace {

// A drive that turns the belt the wrong way from the first second (and says so): the start speed is the fastest the belt goes the wrong
// way, and the rule latches within its time once the drive reports the turn.
TEST(Rules, a_belt_turning_the_wrong_way_from_the_start_latches_before_1_kmh_and_names_both_ways) {
  Rig rig;
  rig.belt_turns_wrong_way = true;
  ASSERT_TRUE(rig.start().accepted);
  double peak = 0;
  ASSERT_TRUE(rig.run_until([&] {
    peak = std::max(peak, rig.belt_kmh);
    return rig.state() == State::faulted;
  }, 2s));
  EXPECT_LT(peak, 1.0);
  const auto fault = rig.sup.status().fault;
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->rule, RuleId::wrong_direction);
  EXPECT_EQ(fact<Word>(fault->facts, "turning").value, "forward");
  EXPECT_EQ(fact<Word>(fault->facts, "commanded").value, "reverse");
}

// One garbled status word is not a wrong turn; and a drive that reports no turn is never judged.
TEST(Rules, a_single_wrong_reading_or_an_unverified_drive_does_not_latch_wrong_direction) {
  Rig rig = running(3.0);
  rig.link_replies = false;
  for (int i = 0; i < 3; ++i) {
    rig.fb.sequence++;
    rig.fb.received_at = rig.now + rig.period;
    rig.fb.measured_kmh = 3.0;
    rig.fb.turning = (i == 1) ? Direction::forward : Direction::reverse;
    rig.tick();
  }
  EXPECT_EQ(rig.state(), State::running);
  for (int i = 0; i < 100; ++i) {
    rig.fb.sequence++;
    rig.fb.received_at = rig.now + rig.period;
    rig.fb.turning.reset();
    rig.fb.direction_verified = false;
    rig.tick();
  }
  EXPECT_EQ(rig.state(), State::running);
}

}  // namespace
}  // namespace treadd::testing

namespace treadd::testing {
namespace {

// Every notice (notices.hpp) is said somewhere, and the facts the core gives it fill every one of
// its {placeholders}: a confirmation or a journal line never shows a clinician "{speed}".
TEST(Notices, every_notice_is_said_and_worded_without_holes) {
  std::map<NoticeId, std::string> said;
  const Wording wording;
  auto heard = [&](const Reply& r) {
    if (r.accepted) said[r.notice] = wording.reply(r);
  };
  auto drain = [&](Rig& rig) {
    for (const Event& e : rig.sup.events()) {
      if (e.notice) said[*e.notice] = wording.event(e);
    }
    rig.sup.clear_events();
    if (const auto w = rig.sup.status().warning) said[w->id] = wording.notice(*w);
  };
  {
    Rig rig;
    heard(rig.send(HeartbeatCmd{}));
    rig.run_for(3s);
    heard(rig.start());
    heard(rig.send(DirectionCmd{Direction::forward, false}));  // at standstill, nothing moving yet
    heard(rig.send(DirectionCmd{Direction::forward, false}));
    heard(rig.send(HeartbeatCmd{}));
    heard(rig.send(SpeedCmd{3.0}));
    rig.run_for(30s);
    heard(rig.send(DirectionCmd{Direction::reverse, true}));
    rig.run_until([&] { return rig.state() == State::running; }, 30s);
    drain(rig);
    heard(rig.send(PauseCmd{}));
    rig.run_for(10s);
    heard(rig.send(ResumeCmd{}));
    rig.run_for(20min);  // the warning, then the cool-down
    drain(rig);
    heard(rig.send(StopCmd{}));
    heard(rig.send(StopCmd{}));
    rig.run_for(15s);
    heard(rig.send(ResetCmd{}));
    heard(rig.send(LockCmd{}));
    heard(rig.send(LockCmd{}));
    drain(rig);
    heard(rig.send(UnlockCmd{}));
    heard(rig.send(LockCmd{}));
    heard(rig.send(EStopCmd{}));
    heard(rig.send(EStopCmd{}));
    heard(rig.send(UnlockCmd{}));  // the latch stays
    heard(rig.send(LockCmd{}));
    rig.run_for(3s);
    drain(rig);
  }
  {
    Rig rig;  // a reset that leaves the lock, and one that does not
    heard(rig.send(LockCmd{}));
    heard(rig.send(EStopCmd{}));
    rig.run_for(3s);
    heard(rig.send(ResetCmd{}));
    heard(rig.send(UnlockCmd{}));
    heard(rig.send(EStopCmd{}));
    rig.run_for(3s);
    heard(rig.send(ResetCmd{}));
    drain(rig);
  }
  {
    Rig rig;  // a program lowered by hand until its segment ends
    rig.send(StartCmd{test_profile(), test_program("jog", {{Direction::reverse, 3.0, 2min}, {Direction::reverse, 3.5, 2min}}),
                      std::nullopt});
    rig.run_for(30s);
    heard(rig.send(SpeedCmd{2.0}));
    rig.run_for(2min);
    drain(rig);
  }
  for (const NoticeRow& n : notices) {
    SCOPED_TRACE(n.code);
    const auto it = said.find(n.id);
    ASSERT_NE(it, said.end()) << "no scenario says " << n.code << " (add it to this test)";
    EXPECT_FALSE(it->second.empty());
    EXPECT_EQ(it->second.find('{'), std::string::npos) << "a placeholder without a fact: " << it->second;
  }
}

}  // namespace
}  // namespace treadd::testing

namespace treadd::testing {
namespace {

// The words as staff read them, fixed: a changed phrase, template or unit shows here (the facts
// are the core's; the sentences were the core's own before they moved to the edge).
TEST(Wording, renders_the_sentences_staff_read_from_the_facts) {
  const Wording w({{1025, "overcurrent"}}, {{"Pr.00-20 (frequency command source)", "1", "set Pr.00-20 to 1"}});
  const Facts standstill{{"below", Kmh{0.1}}, {"dwell", Span{2s}}};
  auto with = [](Facts base, const Facts& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  const std::pair<std::string, std::string> cases[] = {
      {w.rule(RuleId::loop_overrun, {{"how", Word{"stalled"}}, {"stalled_for", Ms{820ms}}, {"limit", Ms{500ms}}}),
       "the control loop stalled for 820 ms (limit 500 ms)"},
      {w.rule(RuleId::loop_overrun, {{"how", Word{"late"}}, {"ticks", Count{5}}, {"limit_ticks", Count{5}}}),
       "the control loop ran late 5 ticks in a row (limit 5)"},
      {w.rule(RuleId::link_loss, {{"how", Word{"link_down"}}}), "the drive link is down (connection lost or polls failing)"},
      {w.rule(RuleId::link_loss, {{"how", Word{"no_reply"}}, {"silent_for", Ms{600ms}}, {"limit", Ms{500ms}}}),
       "no valid reply from the drive for 600 ms (limit 500 ms)"},
      {w.rule(RuleId::link_loss, {{"how", Word{"reconnected"}}}),
       "the connection to the drive was lost and re-established (it may have restarted)"},
      {w.rule(RuleId::drive_restarted, {{"how", Word{"power_up"}}}),
       "the drive restarted (it reported a power-up or forgot a setting treadd writes); its settings were checked "
       "again and a new start is needed"},
      {w.rule(RuleId::implausible_reading, {{"how", Word{"impossible_speed"}}}), "the drive reported an impossible speed"},
      {w.rule(RuleId::implausible_reading, {{"how", Word{"jump"}}, {"jump", Kmh{2.5}}, {"limit", Kmh{2.0}}}),
       "measured speed jumped by 2.5 km/h between two readings (limit 2.0 km/h)"},
      {w.rule(RuleId::wrong_direction, {{"turning", Word{"forward"}}, {"commanded", Word{"reverse"}}, {"limit", Span{100ms}}}),
       "the belt turns forward while reverse is commanded (for 0.1 s)"},
      {w.rule(RuleId::drive_fault, {{"code", DriveFaultCode{1025}}}), "the drive reports fault code 1025 (overcurrent)"},
      {w.rule(RuleId::drive_fault, {{"code", DriveFaultCode{7}}}), "the drive reports fault code 7"},
      {w.rule(RuleId::drive_setting_changed, {{"setting", DriveSetting{1}}, {"value", Count{0}}}),
       "the drive no longer holds Pr.00-20 (frequency command source): it reads 0, must be 1; set Pr.00-20 to 1"},
      {w.rule(RuleId::not_at_standstill,
              with(standstill, {{"belt", Word{"settling"}}, {"settled", Elapsed{1000ms}}, {"action", Word{"start"}},
                                {"alternative", Word{"none"}}})),
       "the belt is settling: below 0.1 km/h for 1.0 s of the 2 s needed; a session starts only at standstill "
       "(below 0.1 km/h for 2 s)"},
      {w.rule(RuleId::not_at_standstill,
              with(standstill, {{"belt", Word{"moving"}}, {"measured", Kmh{2.0}}, {"action", Word{"direction_changes"}},
                                {"alternative", Word{"via_stop"}}})),
       "the belt is still moving (2.0 km/h); the direction changes only at standstill (below 0.1 km/h for 2 s), or "
       "ask for it via a stop"},
      {w.rule(RuleId::not_at_standstill,
              with(standstill, {{"belt", Word{"unknown_speed"}}, {"action", Word{"reset"}}, {"alternative", Word{"none"}}})),
       "the belt's speed is unknown while the drive link is down; reset is allowed only at standstill (below 0.1 "
       "km/h for 2 s)"},
      {w.rule(RuleId::not_running, {{"action", Word{"direction_can_change"}}, {"state", Word{"paused"}}}),
       "the direction can change only in a running session; it is paused"},
      {w.rule(RuleId::no_session, {{"hint", Word{"start_with_profile"}}}), "no session is running; start one with a profile first"},
      {w.rule(RuleId::fault_latched, {{"fault", RuleRef{RuleId::overspeed}}, {"measured", Kmh{5.6}}, {"limit", Kmh{4.5}}}),
       "a fault is latched (belt measured at 5.6 km/h, above the cap plus margin of 4.5 km/h); a clinician must reset it"},
      {w.ending({RuleId::drive_fault, {{"code", DriveFaultCode{7}}}, {}, {}}), "fault: the drive reports fault code 7"},
      {w.ending({RuleId::emergency_stop, {}, {}, {}}), "emergency stop"},
      {w.ending({RuleId::session_time, {{"limit", Span{20min}}, {"cooldown", Span{1min}}}, {}, {}}), "session time limit reached"},
      {w.ending({RuleId::session_time, {{"limit", Span{20min}}, {"cooled_down", Span{1min}}}, {}, {}}),
       "session time limit reached (completed with cool-down)"},
      {w.ending({RuleId::max_distance, {{"limit", Metres{500}}}, {}, {}}), "the profile's max_distance of 500 m was reached"},
      {w.ending({std::nullopt, {{"completed", Name{"intervals"}}}, {}, {}}), "program 'intervals' completed"},
      {w.ending({std::nullopt, {}, "stopped by operator", {}}), "stopped by operator"},
      {w.notice(NoticeId::session_started, {{"profile", Name{"lumbar-test"}}, {"direction", Word{"reverse"}},
                                            {"target", Kmh{0.5}}, {"program", Word{"program_with_segments"}},
                                            {"program_name", Name{"intervals"}}, {"segments", Count{2}}}),
       "session started: profile 'lumbar-test', program 'intervals' (2 segments), reverse at 0.5 km/h"},
      {w.notice(NoticeId::started_by, {{"profile", Name{"lumbar-test"}}, {"direction", Word{"reverse"}}, {"who", Name{"ana"}},
                                       {"program", Word{"none"}}}),
       "profile 'lumbar-test', reverse, by ana"},
      {w.notice(NoticeId::target_set, {{"target", Kmh{3.0}}, {"direction", Word{"reverse"}}, {"stepping", Word{"from_start_speed"}},
                                       {"start_speed", Kmh{0.5}}}),
       "target 3.0 km/h reverse (from the start speed of 0.5 km/h first)"},
      {w.notice(NoticeId::resuming, {{"speed", Kmh{3.0}}, {"stepping", Word{"in_steps"}}, {"step", Kmh{1.0}}}),
       "resuming toward 3.0 km/h (in steps of at most 1.0 km/h)"},
      {w.notice(NoticeId::program_lowered, {{"program_name", Name{"jog"}}, {"speed", Kmh{2.0}}, {"until", Word{"until_segment_ends"}},
                                            {"segment", Count{1}}, {"segments", Count{2}}, {"left", Span{90s}},
                                            {"stepping", Word{"none"}}}),
       "program 'jog' lowered to 2.0 km/h until segment 1 of 2 ends in 90 s"},
      {w.notice(NoticeId::lowered_by_hand, {{"speed", Kmh{2.0}}, {"who", Name{"ana"}}, {"until", Word{"until_segment_ends"}},
                                            {"segment", Count{1}}, {"segments", Count{2}}, {"left", Span{90s}}}),
       "speed lowered by hand to 2.0 km/h by ana until segment 1 of 2 ends in 90 s"},
      {w.notice(NoticeId::pausing, {{"max_pause", Span{5min}}}),
       "pausing: the belt ramps to a stop; the session is kept for up to 5 min"},
      {w.notice(NoticeId::time_left, {{"left", Span{2min}}}), "2 min left in this session; cool-down follows"},
      {w.notice(NoticeId::cooling_down_left, {{"speed", Kmh{1.5}}, {"left", Span{50s}}}), "cooling down at 1.5 km/h: 50 s left"},
      {w.notice(NoticeId::direction_change_begun, {{"direction", Word{"forward"}}, {"speed", Kmh{0.5}}}),
       "ramping down, then forward at 0.5 km/h"},
  };
  for (const auto& [got, want] : cases) EXPECT_EQ(got, want);
}

// A phrase or rule sentence that names itself stops after a few levels, its placeholder left
// visible; the daemon never recurses for ever on a table mistake.
TEST(Wording, a_loop_among_phrases_ends_with_the_placeholder_visible) {
  const std::string looped = Wording{}.rule(RuleId::fault_latched, {{"fault", RuleRef{RuleId::fault_latched}}});
  EXPECT_NE(looped.find("{fault}"), std::string::npos) << looped;
}

}  // namespace
}  // namespace treadd::testing
