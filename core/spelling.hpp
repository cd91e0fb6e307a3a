// SPDX-License-Identifier: Apache-2.0
// Near misses of typed words: a typo'd command, key or name is answered with the word it most
// likely meant ("did you mean ...?"). Standard library only.
#pragma once

#include <cstddef>
#include <string_view>

namespace treadd {

// How many one-letter edits (insert, delete, replace) turn `a` into `b`: a typo is one or two away.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace treadd
