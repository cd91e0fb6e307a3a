// SPDX-License-Identifier: Apache-2.0
// The control protocol, version 1: one JSON object per line over the Unix socket (docs/protocol.md).
// Parsing never throws into the caller and never produces a command from bad input.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

#include "daemon/protocol/wording.hpp"
#include "daemon/supervisor/supervisor.hpp"

namespace treadd::protocol {

constexpr int version = 1;
constexpr std::size_t max_line_bytes = 4096;

// Every request a client may send (daemon/supervisor/commands.hpp declares each once).
using Parsed = AnyRequest;

struct ParseResult {
  std::optional<Parsed> request;
  std::string error;  // set when request is empty
};

ParseResult parse_request(std::string_view line);

nlohmann::json ok_reply(const std::string& message);
// One reply as a protocol line. Never throws: a string that is not UTF-8 (a name from an old file,
// a drive's identity) is sent with U+FFFD in its place rather than ending the daemon.
std::string line(const nlohmann::json& reply);
nlohmann::json error_reply(const std::string& message);
// A refusal by a safety rule: {"ok":false,"error":"refused: <message>","rule":"<code>"}.
nlohmann::json refused_reply(RuleId rule, const std::string& message);
// The same from the rule's facts, in words (the drive's fault and setting names from `wording`).
nlohmann::json refused_reply(RuleId rule, const Facts& facts, const Wording& wording = Wording{});

nlohmann::json to_json(const Status& st, const Ceilings& ceilings, const Wording& wording);
nlohmann::json limits_json(const Profile& p, const Ceilings& c);
nlohmann::json ceilings_json(const Ceilings& c);
// One program segment as the protocol carries it: {direction, speed_kmh, duration_s}.
nlohmann::json segment_json(const Segment& s);

}  // namespace treadd::protocol
