// The controller with the simulated drive on simulated time: protocol in, drive commands out.
#include <gtest/gtest.h>

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

TEST(Controller, when_operator_reloads_expect_refusal_naming_clinician_role) {
  ControllerRig rig;
  json r = rig.call(R"({"cmd":"reload"})", Role::operator_role);
  EXPECT_EQ(r["rule"], "role_required") << r.dump();
}

}  // namespace
}  // namespace treadd
