// SPDX-License-Identifier: Apache-2.0
// The belt's direction: explicit everywhere, never the sign of a speed.
#pragma once

#include <optional>
#include <string_view>

namespace treadd {

enum class Direction { forward, reverse };

inline const char* to_string(Direction d) { return d == Direction::forward ? "forward" : "reverse"; }

// The one parser of a direction word, for YAML, the protocol and the command line alike:
// "reverse" (or "backward", as clinicians say it) and "forward".
std::optional<Direction> parse_direction(std::string_view word);

// What parse_direction accepts, for messages.
inline constexpr const char* direction_words = "'reverse' (or 'backward') or 'forward'";

}  // namespace treadd
