// SPDX-License-Identifier: Apache-2.0
// The clinician's reports, end to end and in a real browser. Two patients run several 20-minute
// sessions on the controller with the simulated drive on simulated time (weeks of rehabilitation
// in a second), each leaving a real session record; then the real treadd serves them and treadctl
// writes the session and progression reports. Headless Chromium renders both to PNG and PDF:
// the pages have the expected text, a 20-minute session report prints on one A4 page, and the PNGs
// are kept (build/report-artifacts/, and docs/images/ for the README) for a person to look at.
#include <chrono>
#include <regex>

#include "config/loader.hpp"
#include "core/calendar.hpp"
#include "daemon/controller.hpp"
#include "daemon/records/records.hpp"
#include "hal/sim_drive.hpp"
#include "tests/e2e/daemon_fixture.hpp"

namespace treadd::e2e {
namespace {

using nlohmann::json;

// The controller with the simulated drive on simulated time, writing real session records: weeks
// of rehabilitation in a second.
class SimulatedMachine {
 public:
  SimulatedMachine(const std::string& sessions_dir, const std::string& config_dir)
      : config_(load_config_dir(config_dir)),
        drive_(SimDriveOptions{}, [this] { return now_; }),
        recorder_(sessions_dir, RetentionSettings{}) {
    drive_.connect();
    controller_.emplace(*config_.value, config_dir, drive_, Traces{&recorder_, nullptr, sessions_dir, nullptr, nullptr, {}});
  }
  bool loaded() const { return config_.ok(); }
  void run_for(std::chrono::milliseconds d) {
    for (auto t = std::chrono::milliseconds(0); t < d; t += std::chrono::milliseconds(20)) {
      now_ += std::chrono::milliseconds(20);
      controller_->tick(now_, false);
    }
  }
  void send(const std::string& line) {
    json r = controller_->execute(line, Peer{Role::clinician, "dr-test"}, now_).reply;
    ASSERT_TRUE(r.value("ok", false)) << line << ": " << r.dump();
  }

 private:
  Loaded<FullConfig> config_;
  TimePoint now_ = TimePoint{} + std::chrono::hours(1);
  SimDrive drive_;
  SessionRecorder recorder_;
  std::optional<Controller> controller_;
};

// One week's session: backward walking, then backward jogging intervals that grow week by week.
void simulate_session(const std::string& sessions_dir, const std::string& patient, int week, bool estop) {
  SimulatedMachine m(sessions_dir, std::string(TREADD_SOURCE_DIR) + "/config/examples");
  ASSERT_TRUE(m.loaded());
  m.run_for(std::chrono::seconds(3));
  m.send(R"({"cmd":"start","profile":"lumbar-standard","patient":")" + patient + "\"}");
  const double walk = 2.0 + 0.2 * week, jog = std::min(4.0 + 0.15 * week, 4.9);
  auto speed = [&](double kmh) {
    // The profile's max_step is not set here; the ramp takes the belt there.
    m.send(R"({"cmd":"speed","kmh":)" + std::to_string(kmh) + "}");
  };
  speed(walk);
  m.run_for(std::chrono::minutes(4));
  for (int i = 0; i < 4; ++i) {
    speed(jog);
    m.run_for(std::chrono::minutes(1) + std::chrono::seconds(30));
    speed(walk);
    m.run_for(std::chrono::minutes(1) + std::chrono::seconds(30));
    if (i == 1 && week % 2 == 0) {
      m.send(R"({"cmd":"pause"})");
      m.run_for(std::chrono::seconds(40));
      m.send(R"({"cmd":"resume"})");
    }
    if (i == 2 && estop) {
      m.send(R"({"cmd":"estop"})");
      m.run_for(std::chrono::seconds(10));
      return;  // the session ended with the e-stop
    }
  }
  m.run_for(std::chrono::minutes(6));  // to the session time, then the cool-down and the stop
}

// A prescribed session, started by the patient's code alone: its program runs to the end.
void simulate_prescribed_session(const std::string& sessions_dir, const std::string& config_dir, const std::string& patient) {
  SimulatedMachine m(sessions_dir, config_dir);
  ASSERT_TRUE(m.loaded());
  m.run_for(std::chrono::seconds(3));
  m.send(R"({"cmd":"start","patient":")" + patient + "\"}");
  m.run_for(std::chrono::minutes(16));  // the 13-minute program, the cool-down and the stop
}

// Records written "now" are moved to the day of their week, as a course of sessions would be.
void date_records(const std::string& dir, const std::string& patient, int week, int weeks) {
  for (const auto& f : fs::directory_iterator(dir)) {
    std::string text = read_file(f.path().string());
    if (text.find("\"patient\":\"" + patient + "\"") == std::string::npos || text.find("\"dated\"") != std::string::npos) {
      continue;
    }
    const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) -
                     std::chrono::days(7 * (weeks - week)) + std::chrono::hours(9);
    const std::string iso =
        iso_utc_from_unix(std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count());
    std::string id;
    for (char ch : iso) {
      if (ch != '-' && ch != ':') id += ch;
    }
    id += patient.back() == '1' ? "" : "-2";
    text = std::regex_replace(text, std::regex("\"id\":\"[^\"]*\""), "\"id\":\"" + id + "\"", std::regex_constants::format_first_only);
    text = std::regex_replace(text, std::regex("\"start\":\"[^\"]*\""), "\"start\":\"" + iso + "\",\"dated\":true",
                              std::regex_constants::format_first_only);
    fs::remove(f.path());
    std::ofstream(dir + "/" + id + ".jsonl") << text;
  }
}

class ReportsE2E : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    if (!fs::exists(chromium) || !fs::exists("/usr/bin/pdfinfo")) {
      GTEST_SKIP() << "chromium and poppler-utils are not installed (tools/setup.sh installs them)";
    }
    fs::create_directories(artifacts);
  }
  const std::string chromium = "/usr/bin/chromium";
  const std::string artifacts = std::string(TREADD_BINARY_DIR) + "/report-artifacts";

  // The page printed to PDF (pdfinfo, pdftotext -layout) and shot at A4's width in pixels.
  std::pair<std::string, std::string> render(const std::string& html, const std::string& stem) {
    const std::string common = chromium + " --headless=new --no-sandbox --disable-gpu --hide-scrollbars "
                               "--no-pdf-header-footer --user-data-dir=" + dir_ + "/chromium ";
    RunResult pdf = run({"/bin/sh", "-c", common + "--print-to-pdf=" + artifacts + "/" + stem + ".pdf file://" + html}, 90s);
    EXPECT_EQ(pdf.exit_code, 0) << pdf.err;
    RunResult png = run({"/bin/sh", "-c", common + "--window-size=1240,1754 --screenshot=" + artifacts + "/" + stem +
                                              ".png file://" + html},
                        90s);
    EXPECT_EQ(png.exit_code, 0) << png.err;
    EXPECT_GT(fs::file_size(artifacts + "/" + stem + ".png"), 20000u) << "a rendered page, not a blank one";
    RunResult info = run({"/usr/bin/pdfinfo", artifacts + "/" + stem + ".pdf"});
    RunResult text = run({"/usr/bin/pdftotext", "-layout", artifacts + "/" + stem + ".pdf", "-"});
    return std::make_pair(info.out, text.out);
  }
  // On a phone (390 px wide, the report in a frame of that width): nothing is cut off at the right
  // (a wide table or chart scrolls inside its box) and no chart text is smaller than 8 px.
  void on_a_phone(const std::string& html) {
    const std::string frame = dir_ + "/phone.html";
    std::ofstream(frame) << R"(<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="file://)" << html
                         << R"(" style="width:390px;height:844px;border:0"></iframe><script>
document.getElementById('f').addEventListener('load', () => {
  const w = document.getElementById('f').contentWindow, d = w.document;
  let smallest = 1e9, cut = 0, texts = 0;
  for (const t of d.querySelectorAll('svg text')) { const h = t.getBoundingClientRect().height; if (h > 0) { smallest = Math.min(smallest, h); texts++; } }
  for (const e of d.querySelectorAll('table, svg, p, h1, h2, pre')) {
    const box = e.getBoundingClientRect(), scrolls = e.closest('.scroll') !== null;
    if (!scrolls && box.right > w.innerWidth + 1) cut++;
  }
  document.body.insertAdjacentHTML('beforeend', '<pre id="m">page=' + d.documentElement.scrollWidth + ' text=' + smallest.toFixed(1) + ' cut=' + cut + ' texts=' + texts + ' end</pre>');
});</script></body></html>)";
    RunResult dom = run({"/bin/sh", "-c", chromium + " --headless=new --no-sandbox --disable-gpu --allow-file-access-from-files "
                                                     "--virtual-time-budget=5000 --user-data-dir=" + dir_ + "/chromium --dump-dom file://" + frame},
                        90s);
    std::smatch m;
    const bool measured = std::regex_search(dom.out, m, std::regex("page=([0-9]+) text=([0-9.]+) cut=([0-9]+) texts=([0-9]+) end"));
    EXPECT_TRUE(measured) << html << ": " << dom.out.substr(0, 400) << dom.err;
    if (!measured) return;
    EXPECT_LE(std::stoi(m[1]), 390) << html << " is wider than the phone";
    EXPECT_GE(std::stod(m[2]), 8.0) << html << ": chart text too small to read on a phone";
    EXPECT_EQ(std::stoi(m[3]), 0) << html << ": something is cut off at the right";
    // The chart's axis labels were measured (none at all would pass the size check unread).
    EXPECT_GE(std::stoi(m[4]), 4) << html << ": no chart text was laid out to measure";
  }
};

TEST_F(ReportsE2E, two_patients_weeks_of_sessions_render_in_a_real_browser) {
  const std::string sessions = dir_ + "/state/sessions";
  fs::create_directories(sessions);
  const int weeks = 6;
  for (int week = 1; week <= weeks; ++week) {
    simulate_session(sessions, "LBP-0001", week, week == 3);
    date_records(sessions, "LBP-0001", week, weeks);
    if (week % 2 == 0) {
      simulate_session(sessions, "LBP-0002", week, false);
      date_records(sessions, "LBP-0002", week, weeks);
    }
  }
  start_daemon();
  json mine = json::parse(ctl({"history", "--json", "--patient", "LBP-0001"}).out)["sessions"];
  ASSERT_EQ(mine.size(), static_cast<std::size_t>(weeks));
  EXPECT_EQ(json::parse(ctl({"history", "--json", "--patient", "LBP-0002"}).out)["sessions"].size(), 3u);

  const std::string session_html = artifacts + "/session-report.html", progression_html = artifacts + "/progression-report.html";
  RunResult r = ctl({"report", mine.back()["id"], "--html", session_html});  // a whole 20-minute session
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ctl({"report", "--patient", "LBP-0001", "--html", progression_html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ctl({"report", "--patient", "LBP-0001", "--csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), weeks + 1) << r.out;
  for (const auto& html : {session_html, progression_html}) {
    const std::string text = read_file(html);
    EXPECT_EQ(text.find("http://"), text.find("http://www.w3.org/2000/svg")) << "nothing fetched from a network";
    EXPECT_EQ(text.find("https://"), std::string::npos);
  }

  on_a_phone(session_html);
  on_a_phone(progression_html);
  auto [session_info, session_text] = render(session_html, "session-report");
  EXPECT_TRUE(std::regex_search(session_info, std::regex("Pages: +1\n"))) << "a 20-minute session prints on one page:\n"
                                                                           << session_info;
  EXPECT_NE(session_info.find("(A4)"), std::string::npos) << session_info;
  for (const char* expected : {"Backward-walking session report", "LBP-0001", "lumbar-standard", "Peak reverse speed",
                               "reverse cap 5 km/h", "time since start (min:s)", "speed (km/h)", "cool-down", "20:00"}) {
    EXPECT_NE(session_text.find(expected), std::string::npos) << "session report lacks '" << expected << "':\n" << session_text;
  }
  auto [progression_info, progression_text] = render(progression_html, "progression-report");
  for (const char* expected : {"patient LBP-0001", "6 sessions", "Reverse speed (km/h)", "Session duration (min)",
                               "Distance (m)", "e-stop", "completed", "20 min"}) {
    EXPECT_NE(progression_text.find(expected), std::string::npos) << "progression lacks '" << expected << "':\n"
                                                                  << progression_text;
  }
  EXPECT_EQ(progression_text.find("LBP-0002"), std::string::npos) << "another patient's sessions";
  // The e-stop of week 3 is counted as an e-stop, not a fault, in its row (the column headers say
  // "e-stops" either way); the other rows have none.
  const std::regex row_end(" ([0-9]+) +([0-9]+) +[0-9]+ +- (e-stop|completed)\n");
  int estop_rows = 0, rows = 0;
  for (std::sregex_iterator it(progression_text.begin(), progression_text.end(), row_end), end; it != end; ++it) {
    ++rows;
    const bool estopped = (*it)[3] == "e-stop";
    estop_rows += estopped ? 1 : 0;
    EXPECT_EQ((*it)[1], estopped ? "1" : "0") << it->str() << ": e-stops";
    EXPECT_EQ((*it)[2], "0") << it->str() << ": faults";
  }
  EXPECT_EQ(rows, weeks) << progression_text;
  EXPECT_EQ(estop_rows, 1) << progression_text;
  // The x axis reads six calendar dates, one per session's day (not one date under every point).
  EXPECT_TRUE(std::regex_search(progression_text, std::regex("\n *([0-9]{4}-[0-9]{2}-[0-9]{2} +){5}[0-9]{4}-[0-9]{2}-[0-9]{2}\n")))
      << progression_text;
  // The reference line is the profile's own session time, named (no prescription here).
  EXPECT_NE(progression_text.find("session_time 20 min (lumbar-standard)"), std::string::npos) << progression_text;
}

// Issue 24 D in a real browser, for the record a clinic files most: a prescribed program, started
// by the patient's code, with the patient's pain scores and a note, beside the previous session.
// Everything the report adds for it (prescription, planned against achieved per segment, the
// previous session, the notes) still prints on one A4 page and reads on a phone.
TEST_F(ReportsE2E, a_prescribed_program_with_notes_renders_on_one_a4_page_and_on_a_phone) {
  const std::string sessions = dir_ + "/state/sessions";
  fs::create_directories(sessions);
  // The example prescription (config/examples/patients/LBP-0100.yaml): lumbar-early, program
  // early-walk, A. Weber, PT, goals 13 min and 500 m.
  fs::create_directories(dir_ + "/etc/patients");
  fs::copy_file(std::string(TREADD_SOURCE_DIR) + "/config/examples/patients/LBP-0100.yaml", dir_ + "/etc/patients/LBP-0100.yaml");
  for (int week = 1; week <= 2; ++week) {
    simulate_prescribed_session(sessions, dir_ + "/etc", "LBP-0100");
    date_records(sessions, "LBP-0100", week, 2);
  }
  start_daemon();
  const json mine = json::parse(ctl({"history", "--json", "--patient", "LBP-0100"}).out)["sessions"];
  ASSERT_EQ(mine.size(), 2u);
  RunResult r = ctl({"note", mine[0]["id"], "--pain-before", "7", "--pain-after", "5", "--text", "stiff, walked slowly"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ctl({"note", mine[1]["id"], "--pain-before", "6", "--pain-after", "3", "--text", "less pain bending; whole program walked"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string session_html = artifacts + "/prescribed-session-report.html";
  const std::string progression_html = artifacts + "/prescribed-progression-report.html";
  ASSERT_EQ(ctl({"report", mine[1]["id"], "--html", session_html}).exit_code, 0);
  ASSERT_EQ(ctl({"report", "--patient", "LBP-0100", "--html", progression_html}).exit_code, 0);
  on_a_phone(session_html);
  on_a_phone(progression_html);
  auto [session_info, session_text] = render(session_html, "prescribed-session-report");
  EXPECT_TRUE(std::regex_search(session_info, std::regex("Pages: +1\n"))) << "still one page:\n" << session_info;
  EXPECT_NE(session_info.find("(A4)"), std::string::npos) << session_info;
  // What the page says (the HTML), and that it was laid out on paper (the PDF's words: pdftotext
  // breaks a table cell's phrase across lines).
  const std::string page = read_file(session_html);
  for (const char* expected : {"lumbar-early, program early-walk, by A. Weber, PT on 2026-12-01", "Planned and achieved",
                               "segment 1 (reverse)", "segment 3 (reverse)", "13:00 (prescription's goal)",
                               "Beside the previous session", "less pain bending; whole program walked", "6 -&gt; 3",
                               "7 -&gt; 5"}) {
    EXPECT_NE(page.find(expected), std::string::npos) << "the report lacks '" << expected << "'";
  }
  EXPECT_EQ(page.find("not reached"), std::string::npos) << "the program ran to its end";
  for (const char* word : {"LBP-0100", "Weber", "Planned", "segment", "previous", "Notes", "bending", "Events"}) {
    EXPECT_NE(session_text.find(word), std::string::npos) << "the printed page lacks '" << word << "':\n" << session_text;
  }
  auto [progression_info, progression_text] = render(progression_html, "prescribed-progression-report");
  for (const char* expected : {"patient LBP-0100", "2 sessions", "goal 13 min (prescription)", "goal 500 m (prescription)",
                               "Pain reported (NRS)"}) {
    EXPECT_NE(progression_text.find(expected), std::string::npos) << "progression lacks '" << expected << "':\n"
                                                                  << progression_text;
  }
}

// Issue 24 F: the clinician's guide is one page. Printed as a clinician would print the installed
// text file (monospaced 9 pt, A4, lines wrapped, nothing left out), it fits one sheet: a guide
// that grows past it fails here.
TEST_F(ReportsE2E, the_clinicians_guide_prints_on_one_a4_page) {
  const std::string guide = read_file(std::string(TREADD_SOURCE_DIR) + "/docs/clinician-guide.md");
  ASSERT_FALSE(guide.empty());
  std::string escaped;
  for (char c : guide) escaped += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  const std::string html = artifacts + "/clinician-guide.html";
  std::ofstream(html) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>@page { size: A4; margin: 15mm }"
                         " body { margin: 0 } pre { font: 9pt monospace; white-space: pre-wrap; margin: 0 }</style></head>"
                         "<body><pre>" << escaped << "</pre></body></html>";
  const auto [info, text] = render(html, "clinician-guide");
  EXPECT_TRUE(std::regex_search(info, std::regex("Pages: +1\n"))) << "the guide is more than one page:\n" << info;
  // All of it was laid out: its first and last lines are on that page.
  EXPECT_NE(text.find("Writing a profile and a prescription for a new patient"), std::string::npos) << text;
  std::string last = guide.substr(0, guide.find_last_not_of("\n") + 1);
  last = last.substr(last.rfind('\n') + 1);
  EXPECT_NE(text.find(last.substr(0, std::min<std::size_t>(last.size(), 30))), std::string::npos) << last << "\n" << text;
}

}  // namespace
}  // namespace treadd::e2e
