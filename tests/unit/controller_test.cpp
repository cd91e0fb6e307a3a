// SPDX-License-Identifier: Apache-2.0
// The controller with the simulated drive on simulated time: protocol in, drive commands out.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include "daemon/background_work.hpp"
#include "daemon/records/records.hpp"
#include "daemon/shutdown.hpp"
#include "daemon/records/storage_writer.hpp"
#include "tests/unit/controller_rig.hpp"

namespace treadd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ControllerRig;

TEST(Controller, when_program_started_expect_segments_in_order_on_the_real_drive_model) {
  ControllerRig rig;
  json r = rig.call(R"({"cmd":"start","profile":"lumbar-early","program":"early-walk"})");
  ASSERT_TRUE(r["ok"]) << r.dump();
  rig.run_for(2min);
  json st = rig.status();
  EXPECT_EQ(st["segment"]["index"], 0);
  EXPECT_NEAR(st["measured_kmh"].get<double>(), 1.5, 0.05);
  EXPECT_EQ(st["segment"]["next"]["speed_kmh"], 2.5);
  rig.run_for(1min + 30s);
  st = rig.status();
  EXPECT_EQ(st["segment"]["index"], 1);
  EXPECT_NEAR(st["measured_kmh"].get<double>(), 2.5, 0.05);
  rig.run_for(8min + 2min);
  EXPECT_EQ(rig.status()["state"], "idle");
  EXPECT_EQ(rig.status()["last_end_reason"], "program 'early-walk' completed");
}

// A records query lets the storage writer finish what was posted before it: a session that has
// just ended is read with its end line, even when the disk was slow to take it.
TEST(Controller, a_records_query_reads_a_session_that_just_ended_whole_behind_a_slow_disk) {
  ControllerRig rig;
  char tmpl[] = "/tmp/treadd-records-XXXXXX";
  const std::filesystem::path dir = std::string(mkdtemp(tmpl)) + "/sessions";
  {
    SessionRecorder recorder(dir, RetentionSettings{});
    StorageWriter writer;  // destroyed before the recorder its jobs write to
    Traces traces;
    traces.recorder = &recorder;
    traces.records_dir = dir;
    traces.writer = &writer;
    Controller controller(rig.config, std::string(TREADD_SOURCE_DIR) + "/config/examples", *rig.drive, traces);
    auto run_for = [&](std::chrono::milliseconds d) {
      for (auto t = 0ms; t < d; t += 20ms) controller.tick(rig.now += 20ms, false);
    };
    const Peer clinician{Role::clinician, "test"};
    run_for(3s);  // the belt known to stand still
    ASSERT_TRUE(controller.execute(R"({"cmd":"start","profile":"lumbar-standard"})", clinician, rig.now).reply["ok"]);
    run_for(3s);
    std::promise<void> disk;
    writer.post([stalled = disk.get_future().share()] { stalled.wait(); });  // the disk stalls
    ASSERT_TRUE(controller.execute(R"({"cmd":"stop"})", clinician, rig.now).reply["ok"]);
    run_for(15s);  // the session ends: its end line waits behind the stalled write
    ASSERT_EQ(controller.status_json()["state"], "idle");
    Controller::Outcome history = controller.execute(R"({"cmd":"history"})", clinician, rig.now);
    ASSERT_TRUE(history.query);
    std::thread release([&disk] {
      std::this_thread::sleep_for(200ms);
      disk.set_value();
    });
    const json reply = history.query();
    release.join();
    ASSERT_EQ(reply["sessions"].size(), 1u) << reply.dump();
    EXPECT_TRUE(reply["sessions"][0]["end"].is_object()) << "read before its end line was written: " << reply.dump();
  }
  std::filesystem::remove_all(dir.parent_path());
}

TEST(Controller, when_program_belongs_to_another_profile_expect_refusal) {
  ControllerRig rig;
  json r = rig.call(R"({"cmd":"start","profile":"lumbar-standard","program":"early-walk"})");
  EXPECT_FALSE(r["ok"]);
  EXPECT_EQ(r["error"], "refused: program 'early-walk' belongs to profile 'lumbar-early', not 'lumbar-standard'");
}

TEST(Controller, when_unknown_profile_expect_refusal_listing_profiles) {
  ControllerRig rig;
  json r = rig.call(R"({"cmd":"start","profile":"nope"})");
  EXPECT_EQ(r["error"], "refused: there is no profile 'nope' (profiles: lumbar-early, lumbar-standard)");
}

TEST(Controller, when_estop_arrives_expect_drive_fast_stops_before_the_next_tick) {
  ControllerRig rig;
  rig.call(R"({"cmd":"start","profile":"lumbar-standard"})");
  rig.call(R"({"cmd":"speed","kmh":3})");
  rig.run_for(10s);
  rig.call(R"({"cmd":"estop"})", Role::viewer);
  rig.now += 500ms;  // no tick in between: the drive was told directly
  EXPECT_LT(rig.drive->feedback().measured_kmh, 1.0);
}

TEST(Controller, when_garbage_arrives_expect_error_reply_and_no_motion) {
  ControllerRig rig;
  for (const char* bad : {"", "{{{{", R"({"cmd":"speed","kmh":1e308})", "\x01\x02\xff", R"({"cmd":"start","profile":5})"}) {
    json r = rig.call(bad);
    EXPECT_FALSE(r["ok"]) << bad;
  }
  rig.run_for(2s);
  EXPECT_EQ(rig.status()["state"], "idle");
  EXPECT_EQ(rig.drive->model().output_hz(), 0);
}

TEST(Controller, a_reload_of_an_unchanged_file_says_nothing_changed) {
  ControllerRig rig;
  const json r = rig.controller->reload("test");
  ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
  EXPECT_NE(r["message"].get<std::string>().find("nothing changed"), std::string::npos) << r.dump();
  EXPECT_TRUE(r["changed"]["profiles"]["changed"].empty());
}

TEST(Controller, when_operator_reloads_expect_refusal_naming_clinician_role) {
  ControllerRig rig;
  json r = rig.call(R"({"cmd":"reload"})", Role::operator_role);
  EXPECT_EQ(r["rule"], "role_required") << r.dump();
}

// Shutdown (SIGTERM): the belt ramps down as for a stop, and the daemon exits only once it is at rest
// — a session that is only "stopping" is not at rest, nor is a belt still turning.
TEST(Controller, shutdown_ramps_the_belt_down_and_rests_only_at_standstill) {
  ControllerRig rig;
  ASSERT_TRUE(rig.call(R"({"cmd":"start","profile":"lumbar-standard"})", Role::operator_role)["ok"]);
  ASSERT_TRUE(rig.call(R"({"cmd":"speed","kmh":4.0})", Role::operator_role)["ok"]);
  rig.run_for(15s);
  ASSERT_GT(rig.drive->feedback().measured_kmh, 3.5);
  EXPECT_FALSE(rig.controller->belt_at_rest()) << "a running session";

  ShutdownSequence shutdown;
  ASSERT_TRUE(shutdown.begin(rig.now));
  EXPECT_FALSE(shutdown.begin(rig.now + 1s)) << "a second SIGTERM does not start it again";
  rig.controller->stop_for_shutdown(rig.now);
  rig.run_for(100ms);
  EXPECT_FALSE(rig.controller->belt_at_rest()) << "ramping down";
  EXPECT_FALSE(shutdown.may_exit(rig.controller->belt_at_rest(), rig.now));
  rig.run_for(20s);
  EXPECT_LT(rig.drive->feedback().measured_kmh, 0.1);
  EXPECT_TRUE(rig.controller->belt_at_rest());
  EXPECT_TRUE(shutdown.may_exit(rig.controller->belt_at_rest(), rig.now));
}

TEST(Controller, shutdown_gives_up_waiting_after_its_bound_and_not_before) {
  ShutdownSequence shutdown;
  const TimePoint t0 = TimePoint{} + 1h;
  EXPECT_FALSE(shutdown.may_exit(true, t0)) << "nothing to exit before a shutdown began";
  shutdown.begin(t0);
  EXPECT_FALSE(shutdown.may_exit(false, t0 + ShutdownSequence::bound));
  EXPECT_TRUE(shutdown.may_exit(false, t0 + ShutdownSequence::bound + 1ms));
}

// A controller that records its sessions (no writer: each line is written at once).
struct RecordingRig {
  // `config_dir`: where limits.yaml and patients/ are (re)loaded from; the examples by default.
  explicit RecordingRig(const std::string& config_dir = std::string(TREADD_SOURCE_DIR) + "/config/examples") {
    char tmpl[] = "/tmp/treadd-records-XXXXXX";
    dir = std::string(mkdtemp(tmpl)) + "/sessions";
    recorder = std::make_unique<SessionRecorder>(dir, RetentionSettings{});
    Traces traces;
    traces.recorder = recorder.get();
    traces.records_dir = dir;
    auto loaded = load_config_dir(config_dir);
    EXPECT_TRUE(loaded.ok()) << join(loaded.errors);
    if (loaded.ok()) rig.config = *loaded.value;
    controller = std::make_unique<Controller>(rig.config, config_dir, *rig.drive, traces);
    run_for(3s);  // the belt known to stand still
  }
  ~RecordingRig() {
    controller.reset();
    recorder.reset();
    std::filesystem::remove_all(dir.parent_path());
  }
  void run_for(std::chrono::milliseconds d) {
    for (auto t = 0ms; t < d; t += 20ms) controller->tick(rig.now += 20ms, false);
  }
  json ask(const std::string& line, const std::string& who = "test", Role role = Role::clinician) {
    Controller::Outcome o = controller->execute(line, Peer{role, who}, rig.now);
    if (o.shared_line != nullptr) return json::parse(*o.shared_line);  // status: one line for every caller of a role
    // As the daemon does: the query off the loop, then its on_answer on the loop with the fields
    // BackgroundWork hands it.
    const json reply = o.query ? o.query() : o.reply;
    if (o.on_answer) {
      json for_the_loop = json::object();
      for (const char* key : reply_fields_for_the_loop) {
        if (reply.contains(key)) for_the_loop[key] = reply[key];
      }
      o.on_answer(for_the_loop);
    }
    return reply;
  }
  json only_session() {
    const json h = ask(R"({"cmd":"history"})");
    EXPECT_EQ(h["sessions"].size(), 1u) << h.dump();
    return h["sessions"].empty() ? json::object() : h["sessions"][0];
  }

  ControllerRig rig;
  std::filesystem::path dir;
  std::unique_ptr<SessionRecorder> recorder;
  std::unique_ptr<Controller> controller;
};

// Issue 24 A: the session being recorded reads as running with its figures so far, never as cut
// short; an e-stop ends the session at once but its record runs on until the belt is at rest and
// says how it came to rest, and who pressed.
TEST(Controller, a_running_session_reads_as_running_and_an_estop_is_recorded_until_the_belt_rests) {
  RecordingRig r;
  ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard"})")["ok"]);
  ASSERT_TRUE(r.ask(R"({"cmd":"speed","kmh":3})")["ok"]);
  r.run_for(20s);
  json s = r.only_session();
  EXPECT_FALSE(s["cut_short"].get<bool>()) << s.dump();
  EXPECT_EQ(s["live"]["state"], "running") << s.dump();
  EXPECT_NEAR(s["live"]["duration_s"].get<double>(), 20, 0.5);
  EXPECT_GT(s["live"]["distance_m"].get<double>(), 10);
  const json report = r.ask(R"({"cmd":"report","session":")" + s["id"].get<std::string>() + R"("})");
  EXPECT_EQ(report["record"]["live"]["state"], "running") << report.dump();
  EXPECT_FALSE(report["record"]["cut_short"].get<bool>());

  const double at_estop = r.controller->status_json()["session_s"];
  ASSERT_TRUE(r.ask(R"({"cmd":"estop"})", "alice (e-stop socket)")["ok"]);
  r.run_for(40ms);
  s = r.only_session();
  EXPECT_EQ(s["live"]["state"], "stopping") << "the belt still turns: " << s.dump();
  EXPECT_TRUE(s["end"].is_null());
  r.run_for(10s);
  s = r.only_session();
  ASSERT_TRUE(s["end"].is_object()) << s.dump();
  EXPECT_FALSE(s.contains("live"));
  EXPECT_EQ(s["end"]["reason"], "emergency stop");
  EXPECT_EQ(s["end"]["rule"], "emergency_stop") << "the ending rule, what reports and programs read";
  EXPECT_NEAR(s["end"]["duration_s"].get<double>(), at_estop, 0.1) << "the session's time ends at the e-stop";
  const json& stop = s["end"]["stop"];
  ASSERT_TRUE(stop.is_object()) << s.dump();
  EXPECT_TRUE(stop["reached_standstill"].get<bool>());
  EXPECT_NEAR(stop["from_kmh"].get<double>(), 3, 0.1);
  EXPECT_GT(stop["to_standstill_s"].get<double>(), 0.1);
  // The belt's own time to stop, not the 2 s the supervisor waits before it calls it stopped.
  EXPECT_LT(stop["to_standstill_s"].get<double>(), 1.9) << s.dump();
  EXPECT_GT(stop["peak_decel_mps2"].get<double>(), 0.1);
  EXPECT_GT(stop["distance_m"].get<double>(), 0.05);
  EXPECT_NEAR(s["end"]["reverse_s"].get<double>(), at_estop, 0.5) << "the patient's time ends at the e-stop too";
  const json record = r.ask(R"({"cmd":"report","session":")" + s["id"].get<std::string>() + R"("})")["record"];
  bool pressed_by_alice = false;
  for (const json& e : record["events"]) pressed_by_alice |= e["kind"] == "estop" && e["who"] == "alice (e-stop socket)";
  EXPECT_TRUE(pressed_by_alice) << record["events"].dump();
  EXPECT_GT(record["samples"].back()["t"].get<double>(), at_estop + stop["to_standstill_s"].get<double>() - 0.6)
      << "samples run on to standstill";
}

// A belt whose speed cannot be known after the e-stop (the link is gone) does not keep its record
// open for ever: it ends after its bound, saying the belt was not seen at rest.
// Meanwhile the patient's records cannot be erased: the record being finished would survive it.
TEST(Controller, an_estop_record_whose_belt_speed_is_unknown_ends_after_its_bound_saying_so) {
  RecordingRig r;
  ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard","patient":"LBP-0007"})")["ok"]);
  ASSERT_TRUE(r.ask(R"({"cmd":"speed","kmh":3})")["ok"]);
  r.run_for(10s);
  r.rig.drive->cut_link(true);
  ASSERT_TRUE(r.ask(R"({"cmd":"estop"})")["ok"]);
  r.run_for(29s);
  EXPECT_EQ(r.only_session()["live"]["state"], "stopping");
  const json refused = r.ask(R"({"cmd":"forget","patient":"LBP-0007","confirm":"LBP-0007"})");
  EXPECT_FALSE(refused["ok"].get<bool>()) << "its record is still being written: " << refused.dump();
  r.run_for(2s);
  const json s = r.only_session();
  ASSERT_TRUE(s["end"].is_object()) << s.dump();
  EXPECT_FALSE(s["end"]["stop"]["reached_standstill"].get<bool>()) << s.dump();
  EXPECT_NEAR(s["end"]["stop"]["to_standstill_s"].get<double>(), 30, 0.1);
  EXPECT_TRUE(r.ask(R"({"cmd":"forget","patient":"LBP-0007","confirm":"LBP-0007"})")["ok"]);
}

// Staff at the machine see whose session runs, by its patient code; a viewer does not.
TEST(Controller, status_shows_the_patient_code_to_staff_and_not_to_a_viewer) {
  RecordingRig r;
  ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard","patient":"LBP-0042"})")["ok"]);
  r.run_for(1s);
  const json staff = r.ask(R"({"cmd":"status"})", "op", Role::operator_role);
  EXPECT_EQ(staff["status"]["patient"], "LBP-0042") << staff.dump();
  const json viewer = r.ask(R"({"cmd":"status"})", "anyone", Role::viewer);
  EXPECT_TRUE(viewer["status"]["patient"].is_null()) << viewer.dump();
  ASSERT_TRUE(r.ask(R"({"cmd":"stop"})")["ok"]);
  r.run_for(15s);
  EXPECT_TRUE(r.ask(R"({"cmd":"status"})")["status"]["patient"].is_null()) << "no session, no patient";
}

// A daemon that exits while a record waits for the belt ends it: never read as cut short.
TEST(Controller, an_exit_while_the_belt_comes_to_rest_ends_the_record) {
  RecordingRig r;
  ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard"})")["ok"]);
  ASSERT_TRUE(r.ask(R"({"cmd":"speed","kmh":3})")["ok"]);
  r.run_for(10s);
  r.rig.drive->cut_link(true);
  ASSERT_TRUE(r.ask(R"({"cmd":"estop"})")["ok"]);
  r.run_for(1s);
  r.controller->end_records_for_exit(r.rig.now);
  const json s = r.only_session();
  ASSERT_TRUE(s["end"].is_object()) << s.dump();
  EXPECT_FALSE(s["cut_short"].get<bool>());
  EXPECT_EQ(s["end"]["reason"], "emergency stop");
}

// A session that ends the ordinary way (its ramp brought the belt down), or an e-stop with the belt
// at rest, ends its record at once, with no stop figures.
TEST(Controller, a_session_ended_at_rest_ends_its_record_at_once) {
  {
    RecordingRig r;
    ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard"})")["ok"]);
    ASSERT_TRUE(r.ask(R"({"cmd":"speed","kmh":3})")["ok"]);
    r.run_for(10s);
    ASSERT_TRUE(r.ask(R"({"cmd":"stop"})")["ok"]);
    while (r.controller->status_json()["state"] != "idle") r.run_for(20ms);
    const json s = r.only_session();
    ASSERT_TRUE(s["end"].is_object()) << "ended with the session: " << s.dump();
    EXPECT_FALSE(s["end"].contains("stop")) << s.dump();
    EXPECT_FALSE(s["end"].contains("rule")) << "a person's stop is no rule's: " << s.dump();
  }
  RecordingRig r;
  ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard"})")["ok"]);
  r.run_for(2s);
  ASSERT_TRUE(r.ask(R"({"cmd":"pause"})")["ok"]);
  r.run_for(10s);
  ASSERT_TRUE(r.controller->status_json()["at_standstill"].get<bool>());
  ASSERT_TRUE(r.ask(R"({"cmd":"estop"})")["ok"]);
  const json s = r.only_session();
  ASSERT_TRUE(s["end"].is_object()) << s.dump();
  EXPECT_FALSE(s["end"].contains("stop"));
}

// Issue 24 C: pain scores and a note are kept beside the session's record (never in it: the
// record stays the machine's and ends with its end line), shown with it, and erased with it.
TEST(Controller, a_note_keeps_pain_scores_with_the_session_and_forget_erases_it) {
  RecordingRig r;
  ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-standard","patient":"LBP-0042"})")["ok"]);
  r.run_for(5s);
  ASSERT_TRUE(r.ask(R"({"cmd":"stop"})")["ok"]);
  r.run_for(15s);
  const std::string id = r.only_session()["id"];
  auto note = [&](const std::string& fields, Role role = Role::operator_role) {
    return r.ask(R"({"cmd":"note","session":")" + id + "\"" + fields + "}", "alice", role);
  };
  json reply = note(R"(,"pain_before":6,"pain_after":3,"text":"walked well, less pain bending")");
  ASSERT_TRUE(reply["ok"]) << reply.dump();
  EXPECT_EQ(reply["note"]["who"], "alice");
  ASSERT_TRUE(note(R"(,"pain_after":2)")["ok"]) << "a later score corrects the earlier one";
  const json s = r.only_session();
  ASSERT_EQ(s["notes"].size(), 2u) << s.dump();
  EXPECT_EQ(s["notes"][0]["pain_before"], 6);
  EXPECT_EQ(s["notes"][1]["pain_after"], 2);
  EXPECT_TRUE(s["end"].is_object()) << "the record still ends with its end line: " << s.dump();
  const json record = r.ask(R"({"cmd":"report","session":")" + id + R"("})")["record"];
  EXPECT_EQ(record["notes"][0]["text"], "walked well, less pain bending");

  // Bad notes are refused, saying why; nothing is kept.
  for (const auto& [fields, words] : std::vector<std::pair<std::string, std::string>>{
           {"", "--pain-before N"},
           {R"(,"pain_before":3.5)", "whole number from 0 (no pain) to 10"},
           {R"(,"pain_after":11)", "from 0 to 10"},
           {R"(,"text":"line one\nline two")", "must not contain control characters"},
           {R"(,"text":"   ")", "text is empty"}}) {
    reply = note(fields);
    EXPECT_FALSE(reply["ok"].get<bool>()) << fields;
    EXPECT_NE(reply.dump().find(words), std::string::npos) << fields << " -> " << reply.dump();
  }
  reply = r.ask(R"({"cmd":"note","session":"../../etc/passwd","pain_before":1})");
  EXPECT_NE(reply.value("error", "").find("there is no session"), std::string::npos) << reply.dump();
  reply = r.ask(R"({"cmd":"note","session":"20990101T000000Z","pain_before":1})");
  EXPECT_NE(reply.value("error", "").find("there is no session"), std::string::npos) << reply.dump();
  EXPECT_EQ(r.only_session()["notes"].size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(r.dir / "20990101T000000Z.notes"));

  // An operator may note today's sessions only, as they may read them.
  const std::string old_id = "20200101T090000Z";
  std::ofstream(r.dir / (old_id + ".jsonl"))
      << R"({"type":"start","id":"20200101T090000Z","profile":"lumbar-standard","start":"2020-01-01T09:00:00Z"})" << "\n";
  reply = r.ask(R"({"cmd":"note","session":")" + old_id + R"(","pain_before":4})", "bob", Role::operator_role);
  EXPECT_EQ(reply["rule"], "records_clinician_only") << reply.dump();
  EXPECT_TRUE(r.ask(R"({"cmd":"note","session":")" + old_id + R"(","pain_before":4})")["ok"]);

  ASSERT_TRUE(std::filesystem::exists(r.dir / (id + ".notes")));
  reply = r.ask(R"({"cmd":"forget","patient":"LBP-0042","confirm":"LBP-0042"})");
  ASSERT_TRUE(reply["ok"]) << reply.dump();
  EXPECT_FALSE(std::filesystem::exists(r.dir / (id + ".notes"))) << "the notes go with the records";
  EXPECT_TRUE(std::filesystem::exists(r.dir / (old_id + ".notes"))) << "another patient's stay";
}

// Issue 24 B: a clinician binds a patient to a profile and program in patients/CODE.yaml; staff
// start it by the code alone; anything else for that patient is a clinician's override, recorded
// as one; forget erases the prescription with the records; a reload says what changed (counted).
TEST(Controller, a_prescription_starts_by_the_patient_code_and_only_a_clinician_departs_from_it) {
  char tmpl[] = "/tmp/treadd-config-XXXXXX";
  const std::filesystem::path config = mkdtemp(tmpl);
  for (const char* f : {"machine.yaml", "limits.yaml"}) {
    std::filesystem::copy_file(std::string(TREADD_SOURCE_DIR) + "/config/examples/" + f, config / f);
  }
  std::filesystem::create_directories(config / "patients");
  std::ofstream(config / "patients" / "LBP-0042.yaml")
      << "patient: LBP-0042\nprofile: lumbar-standard\nprogram: backward-intervals\nclinician: A. Weber\n"
         "date: 2026-11-30\ngoal_time: 15 min\n";
  {
    RecordingRig r(config.string());
    // By the code alone: the prescribed profile and program.
    json reply = r.ask(R"({"cmd":"start","patient":"LBP-0042"})", "op", Role::operator_role);
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    EXPECT_NE(reply["message"].get<std::string>().find("backward-intervals"), std::string::npos) << reply.dump();
    r.run_for(2s);
    ASSERT_TRUE(r.ask(R"({"cmd":"stop"})")["ok"]);
    r.run_for(20s);
    json s = r.only_session();
    EXPECT_EQ(s["start"]["profile"], "lumbar-standard");
    EXPECT_EQ(s["start"]["program"], "backward-intervals");
    const json record = r.ask(R"({"cmd":"report","session":")" + s["id"].get<std::string>() + R"("})")["record"];
    EXPECT_EQ(record["start"]["prescription"]["clinician"], "A. Weber") << record.dump();
    EXPECT_EQ(record["start"]["prescription"]["goal_time_s"], 15 * 60) << record.dump();
    EXPECT_FALSE(record["start"]["overrides_prescription"].get<bool>());

    // The same profile without its program, or another profile: an operator is refused, saying whose
    // prescription it is and what it holds; nothing starts.
    for (const char* other : {R"({"cmd":"start","profile":"lumbar-standard","patient":"LBP-0042"})",
                              R"({"cmd":"start","profile":"lumbar-early","patient":"LBP-0042"})",
                              R"({"cmd":"start","profile":"lumbar-early","program":"early-walk","patient":"LBP-0042"})"}) {
      reply = r.ask(other, "op", Role::operator_role);
      EXPECT_EQ(reply["rule"], "prescription_override") << other << " -> " << reply.dump();
      EXPECT_NE(reply.dump().find("lumbar-standard, program backward-intervals (A. Weber, 2026-11-30)"), std::string::npos)
          << reply.dump();
    }
    EXPECT_EQ(r.controller->status_json()["state"], "idle");
    // Another patient, and a session with no patient, are not bound by it.
    r.run_for(3s);
    ASSERT_TRUE(r.ask(R"({"cmd":"start","profile":"lumbar-early","patient":"LBP-0043"})", "op", Role::operator_role)["ok"]);
    ASSERT_TRUE(r.ask(R"({"cmd":"stop"})")["ok"]);
    r.run_for(20s);
    r.run_for(10min);  // lumbar-early's rest between sessions
    // A clinician may depart from it: the record says so.
    reply = r.ask(R"({"cmd":"start","profile":"lumbar-early","patient":"LBP-0042"})", "dr", Role::clinician);
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    ASSERT_TRUE(r.ask(R"({"cmd":"stop"})")["ok"]);
    r.run_for(20s);
    const json h = r.ask(R"({"cmd":"history","patient":"LBP-0042"})");
    ASSERT_EQ(h["sessions"].size(), 2u) << h.dump();
    // In the order they started, whether in one wall-clock second ("…Z", "…Z-2") or not.
    EXPECT_EQ(h["sessions"][0]["start"]["overrides_prescription"], false) << h.dump();
    const json overridden = r.ask(R"({"cmd":"report","session":")" + h["sessions"][1]["id"].get<std::string>() + R"("})")["record"];
    EXPECT_TRUE(overridden["start"]["overrides_prescription"].get<bool>()) << overridden.dump();
    // The prescribed session's record holds its program as planned; the report of the later one
    // carries the patient's previous session beside it (for a clinician).
    EXPECT_EQ(record["start"]["plan"].size(), 10u) << record["start"].dump();
    const json later = r.ask(R"({"cmd":"report","session":")" + h["sessions"][1]["id"].get<std::string>() + R"("})");
    EXPECT_EQ(later["previous"]["start"]["id"], h["sessions"][0]["id"]) << later.dump();
    EXPECT_TRUE(later["previous"]["end"].is_object());
    const json first = r.ask(R"({"cmd":"report","session":")" + h["sessions"][0]["id"].get<std::string>() + R"("})");
    EXPECT_TRUE(first["previous"].is_null()) << "the patient's first session has none: " << first["previous"].dump();
    EXPECT_EQ(overridden["start"]["profile"], "lumbar-early");

    // A reload counts what changed in the prescriptions, naming no patient.
    std::ofstream(config / "patients" / "LBP-0050.yaml")
        << "patient: LBP-0050\nprofile: lumbar-early\nclinician: B\ndate: 2026-12-01\n";
    reply = r.controller->reload("dr");
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    EXPECT_NE(reply["message"].get<std::string>().find("prescriptions: 1 added"), std::string::npos) << reply.dump();
    EXPECT_EQ(reply["message"].get<std::string>().find("LBP-0050"), std::string::npos) << reply.dump();
    // A prescription naming a profile limits.yaml lacks refuses the reload; the file is named in the reply.
    std::ofstream(config / "patients" / "LBP-0051.yaml")
        << "patient: LBP-0051\nprofile: lumbar-late\nclinician: B\ndate: 2026-12-01\n";
    reply = r.controller->reload("dr");
    EXPECT_FALSE(reply["ok"].get<bool>());
    EXPECT_NE(reply.dump().find("LBP-0051.yaml:2:10: profile 'lumbar-late' is not in limits.yaml"), std::string::npos)
        << reply.dump();
    std::filesystem::remove(config / "patients" / "LBP-0051.yaml");

    // forget erases the prescription with the records; the code then starts nothing by itself.
    reply = r.ask(R"({"cmd":"forget","patient":"LBP-0042","confirm":"LBP-0042"})");
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    EXPECT_TRUE(reply["prescription_erased"].get<bool>()) << reply.dump();
    EXPECT_FALSE(std::filesystem::exists(config / "patients" / "LBP-0042.yaml"));
    EXPECT_TRUE(std::filesystem::exists(config / "patients" / "LBP-0050.yaml")) << "another patient's stays";
    reply = r.ask(R"({"cmd":"start","patient":"LBP-0042"})", "op", Role::operator_role);
    EXPECT_EQ(reply["rule"], "profile_required") << reply.dump();
  }
  std::filesystem::remove_all(config);
}

// Retention by count takes a record's notes with it: a note never outlives its session.
TEST(Controller, retention_deletes_a_records_notes_with_it) {
  char tmpl[] = "/tmp/treadd-records-XXXXXX";
  const std::filesystem::path dir = std::string(mkdtemp(tmpl)) + "/sessions";
  std::filesystem::create_directories(dir);
  for (const std::string id : {"20200101T090000Z", "20200102T090000Z"}) {
    std::ofstream(dir / (id + ".jsonl")) << R"({"type":"start"})" << "\n";
    ASSERT_EQ(append_note(dir, id, {{"type", "note"}, {"pain_before", 5}}), "");
  }
  {
    SessionRecorder recorder(dir, RetentionSettings{2, 0, AgeClock::synchronised});
    SessionContext by_clinician;
    by_clinician.by_clinician = true;
    recorder.begin(Status{}, "test", by_clinician, TimePoint{} + 1h);
    recorder.end(SessionEnding{"test", std::nullopt}, TimePoint{} + 1h + 1s);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "20200101T090000Z.jsonl"));
  EXPECT_FALSE(std::filesystem::exists(dir / "20200101T090000Z.notes")) << "left behind by retention";
  EXPECT_TRUE(std::filesystem::exists(dir / "20200102T090000Z.notes"));
  std::filesystem::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace treadd

namespace treadd {
namespace {
// Issue 24 E: journald reads stderr line by line, so every line of a multi-line message (a refused
// reload lists its errors one per line) carries the message's priority, not only the first.
TEST(Log, every_line_of_a_multi_line_message_carries_its_priority) {
  EXPECT_EQ(log::stderr_lines(log::Level::warning, "refused: 2 errors\na.yaml:1:1: x\nb.yaml:2:2: y", true),
            "<4>refused: 2 errors\n<4>a.yaml:1:1: x\n<4>b.yaml:2:2: y\n");
  EXPECT_EQ(log::stderr_lines(log::Level::error, "one line", true), "<3>one line\n");
  EXPECT_EQ(log::stderr_lines(log::Level::error, "ends with a newline\n", false), "treadd: error: ends with a newline\n");
  EXPECT_EQ(log::stderr_lines(log::Level::notice, "a\nb", false), "treadd: a\ntreadd: b\n");
}
}  // namespace
}  // namespace treadd

namespace treadd {
namespace {
// Issue 24 E: the packaged machine.yaml says drive.transport: unconfigured. treadd runs (status,
// e-stop), the belt is never driven, and every start is refused saying what a technician must do.
TEST(Controller, an_unconfigured_drive_refuses_every_session_saying_what_to_set) {
  testing::ControllerRig rig;
  rig.config.machine.drive.transport = Transport::unconfigured;
  rig.controller = std::make_unique<Controller>(rig.config, std::string(TREADD_SOURCE_DIR) + "/config/examples", *rig.drive);
  rig.controller->set_commissioning(judge_commissioning(rig.config, LatestCommissioning{}, std::nullopt));
  rig.run_for(3s);
  const json refused = rig.call(R"({"cmd":"start","profile":"lumbar-early"})", Role::clinician);
  EXPECT_EQ(refused["rule"], "drive_not_commissioned") << refused.dump();
  EXPECT_NE(refused.dump().find("no drive is set up yet (machine.yaml drive.transport: unconfigured)"), std::string::npos)
      << refused.dump();
  EXPECT_EQ(rig.status()["commissioning"]["state"], "unconfigured") << rig.status().dump();
  EXPECT_EQ(rig.status()["state"], "idle");
  EXPECT_EQ(parse_transport("unconfigured"), Transport::unconfigured);
}
}  // namespace
}  // namespace treadd
