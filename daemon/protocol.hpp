// The control protocol, version 1: one JSON object per line over the Unix socket (docs/protocol.md).
// Parsing never throws into the caller and never produces a command from bad input.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

#include "daemon/supervisor/supervisor.hpp"

namespace treadd::protocol {

constexpr int version = 1;
constexpr std::size_t max_line_bytes = 4096;

// Requests the daemon answers itself, without the supervisor.
struct StatusQuery {};
struct LimitsQuery { std::optional<std::string> profile; };
struct WatchQuery { double hz = 5; };
struct ReloadRequest {};
struct HistoryQuery {
  std::optional<std::string> profile;
  std::optional<std::string> since;  // ISO date or date-time, UTC
};
struct ReportQuery { std::string session; };
// A start names a profile (and program); the daemon resolves them against the loaded limits.
struct StartRequest {
  std::string profile;
  std::optional<std::string> program;
  std::optional<Direction> direction;
};

using Parsed = std::variant<StatusQuery, LimitsQuery, WatchQuery, ReloadRequest, HistoryQuery, ReportQuery, StartRequest,
                            Command>;

struct ParseResult {
  std::optional<Parsed> request;
  std::string error;  // set when request is empty
};

ParseResult parse_request(std::string_view line);

nlohmann::json ok_reply(const std::string& message);
nlohmann::json error_reply(const std::string& message);
// A refusal by a safety rule: {"ok":false,"error":"refused: <message>","rule":"<code>"}.
nlohmann::json refused_reply(RuleId rule, const std::string& message);
nlohmann::json refused_reply(RuleId rule, Facts facts);

nlohmann::json to_json(const Status& st, const Ceilings& ceilings);
nlohmann::json limits_json(const Profile& p, const Ceilings& c);
nlohmann::json ceilings_json(const Ceilings& c);

}  // namespace treadd::protocol
