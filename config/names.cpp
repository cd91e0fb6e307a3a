// SPDX-License-Identifier: Apache-2.0
#include "config/names.hpp"

namespace treadd {

bool is_setting_name(std::string_view text) {
  if (text.empty() || text.size() > 40) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(text.front())) return false;
  for (char c : text) {
    if (!alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace treadd
