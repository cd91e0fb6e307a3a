// SPDX-License-Identifier: Apache-2.0
#include "core/direction.hpp"

namespace treadd {

std::optional<Direction> parse_direction(std::string_view word) {
  if (word == "reverse" || word == "backward") return Direction::reverse;
  if (word == "forward") return Direction::forward;
  return std::nullopt;
}

}  // namespace treadd
