// SPDX-License-Identifier: Apache-2.0
// Dates as the protocol carries them (ISO 8601, UTC) and as people type them. Pure: "today" and
// "yesterday" are relative to the `now` the caller hands in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace treadd {

// The protocol's form: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, a real calendar date and time.
bool is_iso_utc(std::string_view text);

// What treadctl accepts for --since/--until, the forms journalctl accepts: YYYY-MM-DD,
// "YYYY-MM-DD HH:MM[:SS]", YYYY-MM-DDTHH:MM:SSZ, today, yesterday, tomorrow, now, and -N/+N with
// a unit (s, min, h, d, w: "-2w" is two weeks ago). Returns the protocol's form, or nullopt.
std::optional<std::string> iso_utc_from_user_text(std::string_view text, std::int64_t now_unix_s);

// What iso_utc_from_user_text accepts, for messages.
inline constexpr const char* date_forms =
    "YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\" (UTC), today, yesterday, tomorrow, now, or -N/+N with s, min, h, d or w";

std::string iso_utc_from_unix(std::int64_t unix_s);

}  // namespace treadd
