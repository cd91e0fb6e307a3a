// SPDX-License-Identifier: Apache-2.0
// treadctl renders whatever the daemon sends: a reply may lack members (a viewer's status has no
// event texts, an older daemon other fields). Reading a missing member through json's const
// operator[] is undefined behaviour — an assertion in the sanitizer build, which is how a
// viewer's `treadctl status` was found to crash. These fail (abort) if a renderer does it again.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "tools/treadctl/render.hpp"
#include "tools/treadctl/local_time.hpp"
#include "tools/treadctl/report_html.hpp"

namespace treadctl {
namespace {

using nlohmann::json;

// Runs a test in a time zone (TZ), and puts the one it found back.
class InZone {
 public:
  explicit InZone(const char* zone) {
    if (const char* was = std::getenv("TZ")) was_ = was;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~InZone() {
    if (was_) setenv("TZ", was_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }

 private:
  std::optional<std::string> was_;
};

TEST(Render, a_viewers_status_without_event_texts_renders_the_kinds) {
  const json st = json::parse(R"({"state":"idle","direction":"reverse","motion":"stop","target_kmh":0,
      "commanded_kmh":0,"measured_kmh":0,"profile":null,"last_end_reason":"ended by staff","fault":null,
      "warning":null,"recent_events":[{"kind":"estop","time":"2026-12-06T10:00:00Z"},{"kind":"session_ended"}]})");
  const InZone berlin("Europe/Berlin");
  const std::string text = render_status(st);
  EXPECT_NE(text.find("11:00:00 CET estop\n"), std::string::npos) << "local time, zone named: " << text;
  EXPECT_NE(text.find("  session_ended\n"), std::string::npos) << text;
  EXPECT_NE(text.find("last one ended: ended by staff"), std::string::npos) << text;
}

TEST(Render, staff_read_whose_session_runs_by_its_patient_code) {
  const json st = json::parse(R"({"state":"running","direction":"reverse","motion":"run","target_kmh":2,
      "commanded_kmh":2,"measured_kmh":2,"profile":"lumbar-standard","program":null,"patient":"LBP-0042",
      "distance_m":40,"session_s":60,"session_limit_s":1200})");
  const std::string text = render_status(st);
  EXPECT_NE(text.find("session     profile lumbar-standard, patient LBP-0042"), std::string::npos) << text;
}

TEST(Render, a_status_with_members_missing_renders_them_as_unknown) {
  const json st = json::parse(R"({"drive":{"name":"treadsim"},"segment":{"index":0,"count":2,"remaining_s":30}})");
  const std::string text = render_status(st);
  EXPECT_NE(text.find("state       none"), std::string::npos) << text;
  EXPECT_NE(text.find("treadsim, link DOWN"), std::string::npos) << text;
  EXPECT_NE(text.find("segment     1 of 2: none -"), std::string::npos) << text;
  EXPECT_NE(render_status_line(json::object()).find("none none"), std::string::npos);
}

}  // namespace

// Issue 24 D: people read local time with its zone named, from the system's zone or TZ; the
// records keep UTC. A session walked at 00:30 in Berlin is on that Berlin day, not the UTC one.

TEST(LocalTime, utc_records_read_in_the_readers_zone_with_its_name) {
  {
    InZone berlin("Europe/Berlin");
    EXPECT_EQ(treadctl::local_time("2026-12-06T22:41:36Z"), "2026-12-06 23:41:36 CET");
    EXPECT_EQ(treadctl::local_time("2026-07-01T10:00:00Z"), "2026-07-01 12:00:00 CEST");
    EXPECT_EQ(treadctl::local_time("2026-12-06T23:30:00Z", "%Y-%m-%d"), "2026-12-07");
    const nlohmann::json rows = treadctl::progression_rows(nlohmann::json::array(
        {{{"start", {{"id", "20261206T233000Z"}, {"start", "2026-12-06T23:30:00Z"}}}, {"end", nullptr}}}));
    EXPECT_EQ(rows[0]["date"], "2026-12-07") << "the day it was walked, where it was walked";
    EXPECT_NE(treadctl::local_zone_text().find("UTC+0"), std::string::npos) << treadctl::local_zone_text();
  }
  {
    InZone new_york("America/New_York");
    EXPECT_EQ(treadctl::local_time("2026-12-06T22:41:36Z", "%H:%M %Z"), "17:41 EST");
  }
  EXPECT_EQ(treadctl::local_time("not a time"), "not a time");
  EXPECT_EQ(treadctl::local_time("2026-12-06T22:41:36"), "2026-12-06T22:41:36") << "no Z: not ours to guess";
}

}  // namespace treadctl
