// treadctl renders whatever the daemon sends: a reply may lack members (a viewer's status has no
// event texts, an older daemon other fields). Reading a missing member through json's const
// operator[] is undefined behaviour — an assertion in the sanitizer build, which is how a
// viewer's `treadctl status` was found to crash. These fail (abort) if a renderer does it again.
#include <gtest/gtest.h>

#include "tools/treadctl/render.hpp"

namespace treadctl {
namespace {

using nlohmann::json;

TEST(Render, a_viewers_status_without_event_texts_renders_the_kinds) {
  const json st = json::parse(R"({"state":"idle","direction":"reverse","motion":"stop","target_kmh":0,
      "commanded_kmh":0,"measured_kmh":0,"profile":null,"last_end_reason":"ended by staff","fault":null,
      "warning":null,"recent_events":[{"kind":"estop","time":"2026-12-06T10:00:00Z"},{"kind":"session_ended"}]})");
  const std::string text = render_status(st);
  EXPECT_NE(text.find("10:00:00 estop\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  session_ended\n"), std::string::npos) << text;
  EXPECT_NE(text.find("last one ended: ended by staff"), std::string::npos) << text;
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
}  // namespace treadctl
