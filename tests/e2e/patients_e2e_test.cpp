// SPDX-License-Identifier: Apache-2.0
// Sessions belong to a pseudonymous patient: machine.yaml may require a code, a name is refused,
// records/history/audit carry the code, history filters by it, an operator sees today's sessions
// only and a clinician all, `forget` erases one patient's records (confirmed, audited), and
// records older than records.keep_days go (audited). Roles are real users and groups.
#include <sys/stat.h>
#include <sys/timex.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {
namespace {

using nlohmann::json;

class PatientsE2E : public DaemonFixture {
 protected:
  // The roles are real groups (audio: clinicians, video: operators) of the user nobody.
  static constexpr gid_t audio = 29, video = 44, nogroup = 65534;
  const Credentials operator_user{65534, nogroup, {video}}, clinician{65534, nogroup, {audio}};
  RunResult as(const Credentials& who, std::vector<std::string> args) {
    args.insert(args.begin(), {TREADCTL_BINARY, "--socket", socket_});
    return run(args, 10s, &who);
  }
  // An earlier day's record, as an earlier session would have left it.
  void earlier_record(const std::string& id, const std::string& patient) {
    fs::create_directories(dir_ + "/state/sessions");
    std::ofstream(dir_ + "/state/sessions/" + id + ".jsonl")
        << R"({"type":"start","id":")" << id << R"(","start":"2020-01-02T03:04:05Z","profile":"lumbar-standard","patient":")"
        << patient << R"(","who":"x"})" << "\n";
  }

  void require_patient_codes(int keep_days = 0, const std::string& more = "") {
    std::string m = read_file(dir_ + "/etc/machine.yaml");
    m += "\nrecords:\n  patient_code: required\n" + more;
    if (keep_days > 0) m += "  keep_days: " + std::to_string(keep_days) + "\n";
    const std::string tick = "  tick_rate: 50 Hz\n";
    m.replace(m.find(tick), tick.size(), tick + "  clinician_group: audio\n  operator_group: video\n");
    std::ofstream(dir_ + "/etc/machine.yaml") << m;
  }
  void session(const std::string& patient) {
    ASSERT_TRUE(at_standstill());
    RunResult r = ctl({"start", "--profile", "lumbar-standard", "--patient", patient});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Staff at the machine see whose session runs, by its code (a viewer does not:
    // Controller.status_shows_the_patient_code_to_staff_and_not_to_a_viewer).
    EXPECT_EQ(status()["patient"], patient);
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(ctl({"stop"}).exit_code, 0);
    ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  }
  json history(std::vector<std::string> args) {
    args.insert(args.begin(), {"history", "--json"});
    RunResult r = ctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return json::parse(r.out)["sessions"];
  }
};

TEST_F(PatientsE2E, sessions_belong_to_patients_and_history_filters_them) {
  require_patient_codes();
  start_daemon();
  ASSERT_TRUE(at_standstill());
  RunResult r = ctl({"start", "--profile", "lumbar-standard"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("records every session under a patient code"), std::string::npos) << r.err;
  r = ctl({"start", "--profile", "lumbar-standard", "--patient", "MUELLER"});
  EXPECT_EQ(r.exit_code, 1) << "a name is never a patient code";
  EXPECT_NE(r.err.find("never a name"), std::string::npos) << r.err;

  session("LBP-0001");
  session("LBP-0002");
  session("LBP-0001");
  EXPECT_EQ(history({}).size(), 3u);
  json mine = history({"--patient", "LBP-0001"});
  ASSERT_EQ(mine.size(), 2u);
  for (const auto& s : mine) EXPECT_EQ(s["start"]["patient"], "LBP-0001");
  EXPECT_EQ(history({"--patient", "LBP-0002", "--since", "today", "--until", "today"}).size(), 1u);
  const std::string audit = written_audit();
  // The code is in the records only: `forget` erases those, and nothing else may keep it.
  EXPECT_EQ(audit.find("LBP-000"), std::string::npos) << "the audit log never carries a patient code:\n" << audit;
  EXPECT_NE(audit.find("session_started"), std::string::npos) << audit;
  EXPECT_NE(ctl({"report", mine[0]["id"]}).out.find("patient    LBP-0001"), std::string::npos);
}

// Issue 24 B at the machine: the prescription a clinician wrote starts by the patient's code; an
// operator cannot start another profile for that patient; the report names the prescribing
// clinician; forget erases the prescription file with the records.
TEST_F(PatientsE2E, a_prescription_is_started_by_the_code_kept_to_and_erased_by_forget) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run treadctl as other users";
  require_patient_codes();
  fs::create_directories(dir_ + "/etc/patients");
  std::ofstream(dir_ + "/etc/patients/LBP-0042.yaml")
      << "patient: LBP-0042\nprofile: lumbar-early\nclinician: A. Weber\ndate: 2026-11-30\ngoal_time: 12 min\n";
  // check-config checks it against the limits.yaml of its configuration directory.
  RunResult r = ctl({"check-config", dir_ + "/etc/patients/LBP-0042.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  start_daemon();
  chmod(dir_.c_str(), 0755);
  chmod(socket_.c_str(), 0666);
  ASSERT_TRUE(at_standstill());
  r = as(operator_user, {"start", "--patient", "lbp-0042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("lumbar-early"), std::string::npos) << r.out;
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  r = as(operator_user, {"start", "--profile", "lumbar-standard", "--patient", "LBP-0042"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("this patient's prescription is lumbar-early (A. Weber, 2026-11-30)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ask to join the group audio"), std::string::npos) << r.err;
  // The journal and the audit log keep the refusal and the profile it held to, never what came from
  // the patient's file (who prescribed it, and when): they outlive forget.
  const std::string audit = written_audit();
  EXPECT_NE(audit.find("this patient's prescription is lumbar-early ([from the patient's file: not copied here])"),
            std::string::npos) << audit;
  for (const std::string& kept : {audit, read_file(dir_ + "/treadd.log")}) {
    EXPECT_EQ(kept.find("Weber"), std::string::npos) << kept;
    EXPECT_EQ(kept.find("2026-11-30"), std::string::npos) << kept;
  }
  r = as(clinician, {"report"});
  EXPECT_NE(r.out.find("prescribed lumbar-early, by A. Weber on 2026-11-30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("session time: 12:00 (prescription's goal)"), std::string::npos) << r.out;
  EXPECT_EQ(written_audit().find("LBP-0042"), std::string::npos) << "the audit never names the patient";
  r = as(clinician, {"forget", "--patient", "LBP-0042", "--confirm", "LBP-0042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("and the prescription"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ + "/etc/patients/LBP-0042.yaml"));
  // Forgotten in the running daemon too, not only on disk: the code alone starts nothing now.
  r = as(operator_user, {"start", "--patient", "LBP-0042"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("a session starts from a profile or a patient's prescription"), std::string::npos) << r.err;
}

TEST_F(PatientsE2E, an_operator_sees_today_a_clinician_everything_and_only_a_clinician_forgets) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run treadctl as other users";
  require_patient_codes();
  earlier_record("20200102T030405Z", "LBP-0009");
  start_daemon();
  chmod(dir_.c_str(), 0755);
  chmod(socket_.c_str(), 0666);
  session("LBP-0009");
  // On disk, only treadd reads them: an operator's shell gets nothing there.
  EXPECT_EQ(fs::status(dir_ + "/state/audit.log").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  RunResult cat = run({"/bin/cat", dir_ + "/state/audit.log"}, 5s, &operator_user);
  EXPECT_NE(cat.exit_code, 0) << "an operator read the audit log directly";
  RunResult r = as(operator_user, {"history", "--json", "--patient", "LBP-0009"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["sessions"].size(), 1u) << "an operator sees today's session only";
  r = as(operator_user, {"report", "20200102T030405Z"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("for clinicians only"), std::string::npos) << r.err;
  r = as(clinician, {"history", "--json", "--patient", "LBP-0009"});
  EXPECT_EQ(json::parse(r.out)["sessions"].size(), 2u) << "a clinician sees the earlier day too";

  // Status is anyone's (the e-stop is): a viewer reads no staff names and no typed stop reason.
  const Credentials viewer{65534, nogroup, {}};
  ASSERT_TRUE(at_standstill());
  r = ctl({"start", "--profile", "lumbar-standard", "--patient", "LBP-0009"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(ctl({"stop", "--reason", "Mrs Jones felt dizzy"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  r = as(viewer, {"--json", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("Jones"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" by root"), std::string::npos) << r.out;
  EXPECT_EQ(json::parse(r.out)["last_end_reason"], "ended by staff") << r.out;
  r = as(operator_user, {"--json", "status"});
  EXPECT_NE(r.out.find("Jones"), std::string::npos) << "staff see the reason: " << r.out;

  // A damaged record (no start line: power cut before the first sync) is refused, for anyone, and
  // never takes the daemon down (it did: an operator's report of it aborted treadd).
  std::ofstream(dir_ + "/state/sessions/20200101T000000Z.jsonl").flush();
  std::ofstream(dir_ + "/state/sessions/20200101T000001Z.jsonl") << R"({"type":"sample","t":1})" << "\n";
  for (const char* id : {"20200101T000000Z", "20200101T000001Z"}) {
    EXPECT_EQ(as(operator_user, {"report", id}).exit_code, 1) << id;
    EXPECT_EQ(as(clinician, {"report", id}).exit_code, 1) << id;
  }
  ASSERT_TRUE(daemon_->running()) << read_file(dir_ + "/treadd.log");

  // Erasure: a clinician's, confirmed by typing the code twice, audited, irreversible.
  r = as(operator_user, {"forget", "--patient", "LBP-0009", "--confirm", "LBP-0009"});
  EXPECT_EQ(r.exit_code, 1);
  r = as(clinician, {"forget", "--patient", "LBP-0009", "--confirm", "LBP-0008"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot be undone"), std::string::npos) << r.err;
  r = as(clinician, {"forget", "--patient", "LBP-0009", "--confirm", "LBP-0009", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(json::parse(r.out)["erased"], 3);
  EXPECT_EQ(history({"--patient", "LBP-0009"}).size(), 0u);
  const std::string audit = written_audit();
  EXPECT_NE(audit.find("erased 3 session records of one patient"), std::string::npos) << audit;
  EXPECT_EQ(audit.find("LBP-0009"), std::string::npos) << "after forget nothing names the patient:\n" << audit;
}

TEST_F(PatientsE2E, records_older_than_keep_days_are_deleted_and_audited) {
  // A machine without NTP (as this test's host may be) trusts its clock only when told to.
  require_patient_codes(30, "  age_by: system_clock\n");
  earlier_record("20200102T030405Z", "LBP-0001");
  start_daemon();
  session("LBP-0001");
  json all = history({});
  ASSERT_EQ(all.size(), 1u) << "the record of 2020 is past records.keep_days (30)";
  EXPECT_NE(all[0]["id"], "20200102T030405Z");
  EXPECT_NE(written_audit().find("\"kind\":\"retention\""), std::string::npos);
}

// A clock set forward by hand would make every record "old": unless the clock is synchronised (or
// declared trusted), keep_days waits and says so, and nothing is deleted by age.
TEST_F(PatientsE2E, keep_days_waits_for_a_synchronised_clock_and_deletes_nothing_meanwhile) {
  timex tx{};
  if (::adjtimex(&tx) != TIME_ERROR) GTEST_SKIP() << "this host's clock is synchronised: nothing to wait for";
  require_patient_codes(30);
  earlier_record("20200102T030405Z", "LBP-0001");
  start_daemon();
  session("LBP-0001");
  EXPECT_EQ(history({}).size(), 2u) << "the record of 2020 stays while the clock is not trusted";
  EXPECT_TRUE(status()["storage"].value("keep_days_waits_for_clock", false));
  EXPECT_NE(written_audit().find("records.keep_days (30) waits: the system clock is not known to be synchronised"), std::string::npos);
}

// An operator may not read earlier days' records nor forget them: cycling sessions must not push
// them out through records.keep. They stay (counted in status) until a clinician starts a session.
TEST_F(PatientsE2E, an_operators_sessions_never_push_out_earlier_records_a_clinicians_start_trims_them) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run treadctl as other users";
  require_patient_codes(0, "  keep: 3\n");
  for (const char* id : {"20200102T030405Z", "20200103T030405Z", "20200104T030405Z"}) earlier_record(id, "LBP-0001");
  start_daemon();
  chmod(dir_.c_str(), 0755);
  chmod(socket_.c_str(), 0666);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(at_standstill());
    ASSERT_EQ(as(operator_user, {"start", "--profile", "lumbar-standard", "--patient", "LBP-0002"}).exit_code, 0);
    ASSERT_EQ(as(operator_user, {"stop"}).exit_code, 0);
    ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  }
  ASSERT_TRUE(storage_written());
  // The record and the audit say who stopped the session (issue 24 F), not treadd: its end came at
  // a later tick, when the ramp had brought the belt down.
  const std::string report = ctl({"report"}).out;
  EXPECT_TRUE(std::regex_search(report, std::regex("session_ended: [^\n]*\\(by nobody\\)"))) << report;
  EXPECT_TRUE(std::regex_search(written_audit(), std::regex("\"kind\":\"session_ended\"[^\n]*\"who\":\"nobody\"")))
      << written_audit();
  EXPECT_EQ(history({}).size(), 6u) << "the three earlier records are all there";
  EXPECT_EQ(status()["storage"].value("records_over_keep", 0), 3);
  EXPECT_NE(written_audit().find("beyond records.keep (3) are kept"), std::string::npos);
  // A clinician's start: the oldest go, leaving records.keep with the new one.
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(as(clinician, {"start", "--profile", "lumbar-standard", "--patient", "LBP-0003"}).exit_code, 0);
  ASSERT_EQ(as(clinician, {"stop"}).exit_code, 0);
  ASSERT_TRUE(storage_written());
  const json all = history({});
  EXPECT_EQ(all.size(), 3u);
  for (const auto& s : all) EXPECT_NE(s["id"].get<std::string>().substr(0, 4), "2020") << s["id"];
  EXPECT_EQ(status()["storage"].value("records_over_keep", -1), 0);
  EXPECT_NE(written_audit().find("oldest session records beyond records.keep (3) at a clinician's session start"),
            std::string::npos);
}

// Issue 24 B, C and F through the daemon, as each role: a clinician's other profile for a patient
// is started and recorded as an override; an operator (not root) notes the session; reload refuses
// a prescription of a profile that does not exist and a profile named for a person (file:line:column
// and the reason) and keeps what is in force; a good reload says which profiles it added and
// removed; forget erases the notes with the records.
TEST_F(PatientsE2E, an_override_a_note_refused_and_accepted_reloads_and_forget_through_the_daemon) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run treadctl as other users";
  require_patient_codes();
  fs::create_directories(dir_ + "/etc/patients");
  std::ofstream(dir_ + "/etc/patients/LBP-0042.yaml")
      << "patient: LBP-0042\nprofile: lumbar-standard\nclinician: A. Weber\ndate: 2026-11-30\n";
  start_daemon();
  chmod(dir_.c_str(), 0755);
  chmod(socket_.c_str(), 0666);
  ASSERT_TRUE(at_standstill());
  RunResult r = as(clinician, {"start", "--profile", "lumbar-early", "--patient", "LBP-0042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(as(clinician, {"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  r = as(clinician, {"report"});
  EXPECT_NE(r.out.find("a clinician's override of lumbar-standard, by A. Weber on 2026-11-30"), std::string::npos) << r.out;
  const std::string id = history({})[0]["id"];

  r = as(operator_user, {"note", id, "--pain-before", "5", "--pain-after", "4", "--text", "stiff at first"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(as(operator_user, {"history"}).out.find("5 -> 4"), std::string::npos);
  ASSERT_TRUE(storage_written());
  ASSERT_TRUE(fs::exists(dir_ + "/state/sessions/" + id + ".notes"));

  // A prescription of a profile limits.yaml does not hold: refused, where it is written, and with
  // it the good one beside it (a reload takes all or nothing).
  std::ofstream(dir_ + "/etc/patients/LBP-0043.yaml")
      << "patient: LBP-0043\nprofile: lumbar-late\nclinician: A. Weber\ndate: 2026-12-01\n";
  std::ofstream(dir_ + "/etc/patients/LBP-0044.yaml")
      << "patient: LBP-0044\nprofile: lumbar-standard\nclinician: A. Weber\ndate: 2026-12-01\n";
  r = as(clinician, {"reload"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("LBP-0043\\.yaml:2:[0-9]+: profile 'lumbar-late' is not in limits\\.yaml")))
      << r.err;
  EXPECT_NE(r.err.find("the limits in force are unchanged, and so are the prescriptions"), std::string::npos) << r.err;
  r = as(operator_user, {"start", "--patient", "LBP-0044"});
  EXPECT_EQ(r.exit_code, 1) << "the good prescription of a refused reload is not in force: " << r.out;
  fs::remove(dir_ + "/etc/patients/LBP-0043.yaml");

  // A profile and a program named for a person: refused at their lines and columns, with the form
  // a name must take; the journal and the audit keep the places only, never the name.
  const std::string limits = read_file(dir_ + "/etc/limits.yaml");
  const std::size_t profiles = limits.find("profiles:\n");
  ASSERT_NE(profiles, std::string::npos);
  const long line = std::count(limits.begin(), limits.begin() + static_cast<long>(profiles), '\n') + 2;
  std::string named = limits;
  named.insert(profiles + 10, "  \"Müller Hans (LBP)\":\n    reverse_cap: 3 km/h\n");
  named += "  Hans walk:\n    profile: lumbar-standard\n    segments:\n      - {direction: reverse, speed: 2 km/h, duration: 3min}\n";
  std::ofstream(dir_ + "/etc/limits.yaml") << named;
  r = as(clinician, {"reload"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("limits.yaml:" + std::to_string(line) + ":3: the profile name 'Müller Hans (LBP)' is not a code"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("the program name 'Hans walk' is not a code"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("never for whom"), std::string::npos) << r.err;
  EXPECT_EQ(as(clinician, {"limits"}).out.find("Müller"), std::string::npos) << "the refused profile is not in force";
  ASSERT_TRUE(storage_written());
  EXPECT_EQ(written_audit().find("Hans"), std::string::npos) << written_audit();
  EXPECT_EQ(read_file(dir_ + "/treadd.log").find("Hans"), std::string::npos) << "the journal's copy";
  // Nor through ExecReload: systemd writes `treadctl reload`'s stderr into the journal (and sets
  // JOURNAL_STREAM to it), where treadctl gives the places only.
  const std::string journal_file = dir_ + "/execreload.err";
  r = run({"/bin/sh", "-c", "exec 2>\"$1\"; JOURNAL_STREAM=$(stat -c %d:%i \"$1\") exec \"$2\" --socket \"$3\" reload", "sh",
           journal_file, TREADCTL_BINARY, socket_});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const std::string via_systemd = read_file(journal_file);
  EXPECT_EQ(via_systemd.find("Hans"), std::string::npos) << via_systemd;
  EXPECT_NE(via_systemd.find("limits.yaml:" + std::to_string(line) + ":3: an error (not copied here"), std::string::npos)
      << via_systemd;

  // A good edit: one profile renamed. The reply names what was added and removed.
  std::string renamed = limits;
  for (std::size_t at = renamed.find("lumbar-early"); at != std::string::npos; at = renamed.find("lumbar-early", at)) {
    renamed.replace(at, std::string("lumbar-early").size(), "lumbar-gentle");
  }
  std::ofstream(dir_ + "/etc/limits.yaml") << renamed;
  r = as(clinician, {"reload"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("profiles added: lumbar-gentle; profiles removed: lumbar-early"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("programs changed: early-walk"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prescriptions: 1 added"), std::string::npos) << r.out;
  // The prescription that reload added starts by its code; staff at the machine see whose session
  // runs (an operator's status screen), a viewer does not.
  ASSERT_TRUE(at_standstill());
  r = as(operator_user, {"start", "--patient", "LBP-0044"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("lumbar-standard"), std::string::npos) << r.out;
  EXPECT_NE(as(operator_user, {"status"}).out.find("LBP-0044"), std::string::npos);
  const Credentials viewer{65534, nogroup, {}};
  const RunResult seen = as(viewer, {"status"});
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_EQ(seen.out.find("LBP-0044"), std::string::npos) << seen.out;
  ASSERT_EQ(as(operator_user, {"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));

  r = as(clinician, {"forget", "--patient", "LBP-0042", "--confirm", "LBP-0042"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(storage_written());
  EXPECT_FALSE(fs::exists(dir_ + "/state/sessions/" + id + ".notes")) << "the notes go with the records";
  EXPECT_FALSE(fs::exists(dir_ + "/state/sessions/" + id + ".jsonl"));
  for (const auto& entry : fs::recursive_directory_iterator(dir_ + "/state")) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(read_file(entry.path().string()).find("stiff at first"), std::string::npos) << entry.path();
    }
  }
}

// Issue 24 D and F through the daemon: a prescription of a program with goals. The start names the
// program; the report sets planned against achieved per segment and the previous session beside
// this one; the progression's reference lines are the prescription's goals.
TEST_F(PatientsE2E, a_prescribed_program_is_reported_segment_by_segment_beside_the_previous_session) {
  fs::create_directories(dir_ + "/etc/patients");
  std::ofstream(dir_ + "/etc/patients/LBP-0050.yaml")
      << "patient: LBP-0050\nprofile: lumbar-standard\nprogram: backward-intervals\nclinician: A. Weber\n"
         "date: 2026-12-01\ngoal_time: 16 min\ngoal_distance: 800 m\n";
  start_daemon();
  // Without a profile or a code, the answer lists the profiles to choose from.
  const RunResult bare = ctl({"start"});
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_NE(bare.err.find("(--patient CODE); profiles: "), std::string::npos) << bare.err;
  for (const char* profile : {"lumbar-early", "lumbar-standard"}) EXPECT_NE(bare.err.find(profile), std::string::npos) << bare.err;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(at_standstill());
    RunResult r = ctl({"start", "--patient", "LBP-0050"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("program 'backward-intervals'"), std::string::npos) << r.out;
    std::this_thread::sleep_for(3s);
    ASSERT_EQ(ctl({"stop"}).exit_code, 0);
    ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  }
  const RunResult r = ctl({"report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("planned -> achieved (time, at the measured mean speed)\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("segment 1 \\(reverse\\): 2\\.0 km/h for 3:00 -> 0:[0-5][0-9]")))
      << "the first segment, partly run: " << r.out;
  EXPECT_NE(r.out.find("segment 2 (reverse): 3.0 km/h for 2:00 -> not reached"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("session time: 16:00 (prescription's goal)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("distance: 800 m (prescription's goal)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("previous session -> this one\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("profile / program: lumbar-standard / backward-intervals -> lumbar-standard / backward-intervals"),
            std::string::npos)
      << r.out;
  const std::string html = dir_ + "/progression.html";
  ASSERT_EQ(ctl({"report", "--patient", "LBP-0050", "--html", html}).exit_code, 0);
  const std::string page = read_file(html);
  EXPECT_NE(page.find("goal 16 min (prescription)"), std::string::npos) << "not the profile's 20 min";
  EXPECT_EQ(page.find("session_time 20 min"), std::string::npos);
  EXPECT_NE(page.find("goal 800 m (prescription)"), std::string::npos);
}

// The one-page guide a clinician follows (docs/clinician-guide.md, installed with the package): its
// profile, added to limits.yaml, and its prescription pass check-config as they are printed.
TEST_F(PatientsE2E, the_clinicians_guide_examples_pass_check_config_as_printed) {
  const std::string guide = read_file(std::string(TREADD_SOURCE_DIR) + "/docs/clinician-guide.md");
  std::vector<std::string> blocks;
  for (std::size_t at = guide.find("```yaml\n"); at != std::string::npos; at = guide.find("```yaml\n", at + 1)) {
    const std::size_t from = at + 8;
    blocks.push_back(guide.substr(from, guide.find("```", from) - from));
  }
  ASSERT_EQ(blocks.size(), 2u) << "the guide's profile and its prescription";
  std::string limits = read_file(dir_ + "/etc/limits.yaml");
  const std::size_t profiles = limits.find("profiles:\n");
  ASSERT_NE(profiles, std::string::npos);
  limits.insert(profiles + 10, blocks[0]);
  std::ofstream(dir_ + "/etc/limits.yaml") << limits;
  fs::create_directories(dir_ + "/etc/patients");
  std::ofstream(dir_ + "/etc/patients/LBP-0042.yaml") << blocks[1];
  const RunResult r = ctl({"check-config", dir_ + "/etc/limits.yaml", dir_ + "/etc/patients/LBP-0042.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\n" << blocks[0] << blocks[1];
  // The prescription names the guide's profile: it passes only if that profile was read.
  EXPECT_NE(r.out.find("LBP-0042.yaml: ok"), std::string::npos) << r.out;
  // Written under umask 077, it would be refused at reload: check-config says so too, and how to mend it.
  fs::permissions(dir_ + "/etc/patients/LBP-0042.yaml", fs::perms::owner_read | fs::perms::owner_write);
  const RunResult unreadable = ctl({"check-config", dir_ + "/etc/patients/LBP-0042.yaml"});
  EXPECT_EQ(unreadable.exit_code, 1) << unreadable.out << unreadable.err;
  EXPECT_NE((unreadable.out + unreadable.err).find("so treadd cannot: chmod g+r on the file"), std::string::npos)
      << unreadable.out << unreadable.err;
}

}  // namespace
}  // namespace treadd::e2e
