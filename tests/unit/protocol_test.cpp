// SPDX-License-Identifier: Apache-2.0
// Bad input never becomes a command; good input becomes exactly the command it names.
#include <gtest/gtest.h>

#include "config/profile_keys.hpp"
#include "daemon/protocol/protocol.hpp"

namespace treadd {
namespace {

TEST(Protocol, when_speed_request_expect_speed_command) {
  auto r = protocol::parse_request(R"({"v":1,"cmd":"speed","kmh":3.5})");
  ASSERT_TRUE(r.request) << r.error;
  EXPECT_DOUBLE_EQ(std::get<SpeedCmd>(*r.request).kmh, 3.5);
}

TEST(Protocol, when_input_is_garbage_expect_error_and_no_command) {
  for (const char* bad : {"", "{", "null", "[]", R"({"cmd":5})", R"({"cmd":"speed"})", R"({"cmd":"speed","kmh":"fast"})",
                          R"({"cmd":"fly"})", R"({"v":2,"cmd":"status"})", R"({"cmd":"direction","direction":"up"})",
                          R"({"cmd":"start","profile":7})", R"({"cmd":"watch","hz":1000})"}) {
    auto r = protocol::parse_request(bad);
    EXPECT_FALSE(r.request) << bad;
    EXPECT_FALSE(r.error.empty()) << bad;
  }
}

TEST(Protocol, when_line_is_oversize_expect_error) {
  std::string huge = R"({"cmd":"status","pad":")" + std::string(5000, 'x') + "\"}";
  EXPECT_FALSE(protocol::parse_request(huge).request);
}

TEST(Protocol, when_start_request_expect_profile_program_and_direction) {
  auto r = protocol::parse_request(R"({"cmd":"start","profile":"p","program":"g","direction":"forward"})");
  ASSERT_TRUE(r.request) << r.error;
  const auto& s = std::get<StartRequest>(*r.request);
  EXPECT_EQ(s.profile, "p");
  EXPECT_EQ(*s.program, "g");
  EXPECT_EQ(*s.direction, Direction::forward);
}

TEST(Protocol, status_json_has_the_stable_fields) {
  Status st;
  nlohmann::json j = protocol::to_json(st, Ceilings{}, Wording{});
  for (const char* key : {"state", "direction", "target_kmh", "commanded_kmh", "measured_kmh", "profile", "session_s",
                          "fault", "limits"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["fault"].is_null());
}

// A program matches a fault on its code and facts (numbers with the unit in the key, the drive's
// own code with its manual's name), never on the sentence's words.
TEST(Protocol, a_fault_carries_its_code_sentence_and_facts) {
  Status st;
  st.fault = Fault{RuleId::overspeed, {{"measured", Kmh{5.6}}, {"limit", Kmh{4.5}}}};
  const nlohmann::json j = protocol::to_json(st, Ceilings{}, Wording{})["fault"];
  EXPECT_EQ(j["cause"], "overspeed");
  EXPECT_EQ(j["facts"], (nlohmann::json{{"measured_kmh", 5.6}, {"limit_kmh", 4.5}}));
  EXPECT_EQ(j["detail"], "belt measured at 5.6 km/h, above the cap plus margin of 4.5 km/h");

  st.fault = Fault{RuleId::drive_fault, {{"code", DriveFaultCode{1025}}}};
  const nlohmann::json trip = protocol::to_json(st, Ceilings{}, Wording({{1025, "overcurrent"}}, {}))["fault"];
  EXPECT_EQ(trip["facts"], (nlohmann::json{{"code", 1025}, {"code_name", "overcurrent"}}));
  EXPECT_EQ(trip["detail"], "the drive reports fault code 1025 (overcurrent)");
}

}  // namespace
}  // namespace treadd

namespace treadd {
namespace {

TEST(Protocol, the_limits_reply_carries_every_profile_key_with_its_unit) {
  Profile p;
  p.max_step_kmh = 1.5;
  const nlohmann::json j = protocol::limits_json(p, Ceilings{});
  for (const ProfileKey& k : profile_keys) EXPECT_TRUE(j.contains(json_name(k))) << json_name(k) << " in " << j.dump();
  EXPECT_EQ(j["max_step_kmh"], 1.5);
  EXPECT_EQ(j["session_time_s"], 1200.0);
  EXPECT_TRUE(j["max_distance_m"].is_null()) << "an unset optional key is null, not absent";
}

}  // namespace
}  // namespace treadd

namespace treadd {
namespace {

// A misspelt field is refused (it would silently start a session under no patient), and text
// never carries control characters into terminals, logs and reports.
TEST(Protocol, unknown_fields_and_control_characters_are_refused_naming_them) {
  auto p = protocol::parse_request(R"({"cmd":"start","profile":"lumbar-standard","patinet":"LBP-1"})");
  ASSERT_FALSE(p.request.has_value());
  EXPECT_NE(p.error.find("unknown field 'patinet' for 'start' (it takes profile, program, direction, patient)"),
            std::string::npos)
      << p.error;
  p = protocol::parse_request(R"({"cmd":"stop","reason":"dizzy\u001b]52;c;aGk=\u0007"})");
  ASSERT_FALSE(p.request.has_value());
  EXPECT_NE(p.error.find("'reason' must not contain control characters"), std::string::npos) << p.error;
  p = protocol::parse_request(R"({"cmd":"stop","reason":"felt dizzy\nfake line"})");
  EXPECT_FALSE(p.request.has_value());
  EXPECT_TRUE(protocol::parse_request(R"({"v":1,"cmd":"stop","reason":"felt dizzy, stopped"})").request.has_value());
}

}  // namespace
}  // namespace treadd
