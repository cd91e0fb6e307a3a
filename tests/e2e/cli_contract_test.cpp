// SPDX-License-Identifier: Apache-2.0
// treadctl's contract with people and scripts (treadctl(1) EXIT STATUS, docs/protocol.md):
// exit 0 done, 1 refused or failed, 2 usage error, 3 unreachable; options after the verb; with
// --json one envelope {"v":1,"ok":…,"error":…} plus the verb's fields for every verb, errors
// included. Each test would have caught one way the contract was broken before.
#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {
namespace {

using nlohmann::json;

class CliContract : public DaemonFixture {
 protected:
  // The one JSON object a --json run must print, checked for the envelope.
  json envelope(const RunResult& r, bool ok) {
    json e;
    try {
      e = json::parse(r.out);
    } catch (const std::exception& ex) {
      ADD_FAILURE() << "not one JSON object on stdout: '" << r.out << "' (" << ex.what() << ")";
      return json::object();
    }
    EXPECT_EQ(e.value("v", 0), 1) << r.out;
    EXPECT_EQ(e.value("ok", !ok), ok) << r.out;
    if (!ok) {
      EXPECT_FALSE(e.value("error", "").empty()) << "an error envelope says what went wrong: " << r.out;
    }
    return e;
  }
};

TEST_F(CliContract, usage_errors_exit_2_and_say_what_was_meant) {
  RunResult r = ctl({"stauts"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'stauts'; did you mean 'status'?"), std::string::npos) << r.err;
  EXPECT_EQ(ctl({"speed", "fast"}).exit_code, 2) << "a speed that is not a number";
  EXPECT_EQ(ctl({"status", "--no-such-option"}).exit_code, 2);
  EXPECT_EQ(ctl({"direction", "sideways"}).exit_code, 2);
  EXPECT_EQ(ctl({"watch", "--hz", "1000"}).exit_code, 2) << "out of the registry's range";
  EXPECT_EQ(ctl({}).exit_code, 2) << "no verb at all";
  for (const char* not_a_date : {"28.11.2026", "last tuesday", "2026-02-30", "2026-11-28 25:00"}) {
    RunResult h = ctl({"history", "--since", not_a_date});
    EXPECT_EQ(h.exit_code, 2) << not_a_date << " is not a date, and must not list '(no sessions)'";
    EXPECT_NE(h.err.find("is not a date"), std::string::npos) << h.err;
  }
  json e = envelope(ctl({"--json", "stauts"}), false);
  EXPECT_NE(e.value("error", "").find("did you mean"), std::string::npos);
  EXPECT_EQ(ctl({"--help"}).exit_code, 0);
  RunResult v = ctl({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, std::string("treadctl ") + TREADD_VERSION + "\n");
  RunResult d = run({TREADD_BINARY, "--version"});
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_EQ(d.out, std::string("treadd ") + TREADD_VERSION + "\n");
}

TEST_F(CliContract, an_unreachable_daemon_exits_3_with_an_envelope) {
  for (const char* verb : {"status", "limits", "history", "stop", "estop"}) {
    RunResult r = ctl({verb, "--json"});
    EXPECT_EQ(r.exit_code, 3) << verb;
    json e = envelope(r, false);
    EXPECT_NE(e.value("error", "").find("cannot reach treadd"), std::string::npos) << verb << ": " << r.out;
  }
}

TEST_F(CliContract, every_verb_answers_one_envelope_with_options_after_the_verb) {
  start_daemon();
  // status keeps its fields at the top level (scripts read them there).
  RunResult r = ctl({"status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json e = envelope(r, true);
  EXPECT_TRUE(e.contains("state") && e.contains("measured_kmh")) << r.out;
  EXPECT_FALSE(e.contains("status")) << "the envelope adds fields, it does not wrap";

  // `version`: the daemon's, for a technician after an upgrade (and a request added in 4 files).
  e = envelope(ctl({"version", "--json"}), true);
  EXPECT_EQ(e.value("version", ""), TREADD_VERSION);
  EXPECT_EQ(ctl({"version"}).out, std::string("treadd ") + TREADD_VERSION + "\n");

  e = envelope(ctl({"limits", "--json"}), true);
  EXPECT_TRUE(e.contains("profiles"));
  // A profile without a forward cap forbids forward running, and says so (not "0.0 km/h").
  const std::string early = ctl({"limits", "--profile", "lumbar-early"}).out;
  EXPECT_NE(early.find("forward cap     forbidden"), std::string::npos) << early;
  // Everything the clinician wrote, in the units written, in the key table's order (issue 24 F):
  // the file says 15min and 0.1 m/s2 where the lines above say 15:00 and 0.10 m/s2.
  EXPECT_NE(early.find("  as written in limits.yaml\n    direction: reverse\n    reverse_cap: 3 km/h\n"
                       "    start_speed: 0.5 km/h\n    accel: 0.1 m/s2\n    decel: 0.2 m/s2\n"
                       "    session_time: 15min\n"),
            std::string::npos)
      << early;
  EXPECT_NE(early.find("    max_pause: 3min\n    rest_between: 10min\n    max_step: 1 km/h\n"), std::string::npos) << early;
  EXPECT_EQ(early.find("forward_cap:"), std::string::npos) << "only what the file holds";
  e = envelope(ctl({"history", "--json", "--since", "yesterday"}), true);
  EXPECT_TRUE(e["sessions"].is_array());
  EXPECT_EQ(e.value("records_dir", ""), dir_ + "/state/sessions") << "treadctl shows where the records are";
  EXPECT_NE(ctl({"history"}).out.find("records are kept in " + dir_ + "/state/sessions"), std::string::npos);
  e = envelope(ctl({"history", "--until", "-1w", "--json"}), true);
  EXPECT_EQ(e["sessions"].size(), 0u);

  // A refusal: exit 1, the envelope carries the rule's code.
  r = ctl({"speed", "3", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  e = envelope(r, false);
  EXPECT_EQ(e.value("rule", ""), "no_session") << r.out;
  r = ctl({"start", "--profile", "no-such-profile", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(envelope(r, false).value("rule", ""), "unknown_profile") << r.out;
  r = ctl({"report", "no-such-session", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  envelope(r, false);

  // check-config needs no daemon and answers the same way.
  r = ctl({"check-config", dir_ + "/etc/machine.yaml", dir_ + "/etc/limits.yaml", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  e = envelope(r, true);
  EXPECT_EQ(e["files"].size(), 2u);
  r = ctl({"check-config", "/nonexistent.yaml", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  e = envelope(r, false);
  EXPECT_NE(e["files"][0]["errors"][0].get<std::string>().find("/nonexistent.yaml"), std::string::npos);

  // A clinician with only the limits file: checked for all it can be, the ceilings named as unchecked.
  // (Where /etc/treadd/machine.yaml is installed it is used instead: that part is skipped.)
  fs::create_directories(dir_ + "/alone");
  fs::copy_file(dir_ + "/etc/limits.yaml", dir_ + "/alone/limits.yaml");
  if (!fs::exists("/etc/treadd/machine.yaml")) {
    r = ctl({"check-config", dir_ + "/alone/limits.yaml"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ok, except that the machine's ceilings (caps, ramps, session length)"), std::string::npos) << r.out;
  }
  r = ctl({"check-config", dir_ + "/alone/limits.yaml", "--machine", dir_ + "/alone/machine.yaml"});
  EXPECT_EQ(r.exit_code, 1) << "a machine.yaml named and missing is an error: " << r.out;
  std::string wrong = read_file(dir_ + "/alone/limits.yaml");
  wrong.replace(wrong.find("reverse_cap: 5 km/h"), 19, "reverse_cap: 5 mph");
  std::ofstream(dir_ + "/alone/limits.yaml", std::ios::trunc) << wrong;
  r = ctl({"check-config", dir_ + "/alone/limits.yaml", "--machine", dir_ + "/etc/machine.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unit 'mph' is not accepted"), std::string::npos) << r.err;
  // A machine.yaml with an error, checked beside the limits file: its error is listed once, under
  // its own name, and the limits file's own error is still named.
  std::string machine = read_file(dir_ + "/etc/machine.yaml");
  machine.replace(machine.find("max_decel: "), 11, "max_decel: 0,8 m/s2 #");
  std::ofstream(dir_ + "/alone/machine.yaml", std::ios::trunc) << machine;
  r = ctl({"check-config", dir_ + "/alone/machine.yaml", dir_ + "/alone/limits.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  std::size_t said = 0;
  for (std::size_t at = r.err.find("'0,8 m/s2'"); at != std::string::npos; at = r.err.find("'0,8 m/s2'", at + 1)) ++said;
  EXPECT_EQ(said, 1u) << "the machine's error once:\n" << r.err;
  EXPECT_NE(r.err.find("unit 'mph' is not accepted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not checked against the machine ceilings of " + dir_ + "/alone/machine.yaml, which has the errors "
                       "listed under it"),
            std::string::npos)
      << r.err;
}

// Completion offers the profiles and programs of the running daemon (bash-completion's real
// _init_completion, the installed script, our treadctl on PATH).
TEST_F(CliContract, completion_offers_the_daemons_profile_and_program_names) {
  if (!fs::exists("/usr/share/bash-completion/bash_completion")) GTEST_SKIP() << "bash-completion is not installed";
  start_daemon();
  const std::string bin = fs::path(TREADCTL_BINARY).parent_path().string();
  auto complete = [&](const std::string& words) {
    return run({"/bin/bash", "-c",
                "source /usr/share/bash-completion/bash_completion; source " + std::string(TREADD_SOURCE_DIR) +
                    "/tools/treadctl/treadctl.bash-completion; PATH=" + bin + ":$PATH; COMP_WORDS=(" + words +
                    "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE};"
                    " _treadctl; printf '%s\\n' \"${COMPREPLY[@]}\""})
        .out;
  };
  const std::string profiles = complete("treadctl --socket " + socket_ + " start --profile lumbar");
  EXPECT_NE(profiles.find("lumbar-standard\n"), std::string::npos) << profiles;
  EXPECT_NE(profiles.find("lumbar-early\n"), std::string::npos) << profiles;
  const std::string programs = complete("treadctl --socket " + socket_ + " start --profile lumbar-standard --program ''");
  EXPECT_NE(programs.find("backward-intervals\n"), std::string::npos) << programs;
}

TEST_F(CliContract, a_chart_that_cannot_be_written_is_an_error_and_csv_with_svg_does_both) {
  start_daemon();
  ASSERT_TRUE(at_standstill());
  ASSERT_EQ(ctl({"start", "--profile", "lumbar-standard"}).exit_code, 0);
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(ctl({"stop"}).exit_code, 0);
  ASSERT_TRUE(wait_until([](const json& s) { return s["state"] == "idle"; }, 15s));
  json sessions = json::parse(ctl({"history", "--json"}).out)["sessions"];
  ASSERT_EQ(sessions.size(), 1u);
  const std::string id = sessions[0]["id"];

  RunResult r = ctl({"report", id, "--svg", "/nonexistent/x.svg"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.find("chart written"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("cannot write the chart to /nonexistent/x.svg"), std::string::npos) << r.err;

  const std::string svg = dir_ + "/chart.svg";
  r = ctl({"report", id, "--csv", "--svg", svg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("session,patient,date,t_s,", 0), 0u) << "stdout is the CSV: " << r.out.substr(0, 80);
  EXPECT_NE(read_file(svg).find("<svg"), std::string::npos) << "--csv must not skip the chart";

  // A report holds patient data: a symlink planted at the path is replaced, never followed, and an
  // existing file's loose mode is not kept — every report is a new 0600 file of the caller's.
  const std::string victim = dir_ + "/victim.txt", planted = dir_ + "/report.html";
  std::ofstream(victim) << "someone else's file\n";
  fs::create_symlink(victim, planted);
  r = ctl({"report", id, "--html", planted});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(victim), "someone else's file\n") << "the report went through the symlink";
  EXPECT_FALSE(fs::is_symlink(planted));
  EXPECT_EQ(fs::status(planted).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(svg, fs::perms(0644));
  ASSERT_EQ(ctl({"report", id, "--svg", svg}).exit_code, 0);
  EXPECT_EQ(fs::status(svg).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  // A device or pipe is written to as it is (a pipe into a viewer), not replaced by a file.
  r = ctl({"report", id, "--svg", "/dev/stdout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<svg"), std::string::npos) << r.out.substr(0, 200);
  EXPECT_TRUE(fs::is_symlink("/dev/stdout") || fs::is_character_file("/dev/stdout"));
  // A directory is named as one; no temporary file is left beside any target.
  r = ctl({"report", id, "--svg", dir_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Is a directory"), std::string::npos) << r.err;
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".XXXXXX"), std::string::npos);
    EXPECT_EQ(e.path().filename().string().rfind("chart.svg.", 0), std::string::npos) << e.path();
    EXPECT_EQ(e.path().filename().string().rfind("report.html.", 0), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace treadd::e2e
