// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/rules.hpp"

namespace treadd {

const char* to_string(Role r) {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::operator_role: return "operator";
    case Role::clinician: return "clinician";
  }
  return "?";
}

const char* to_string(Reaction r) {
  switch (r) {
    case Reaction::refuse: return "refuse";
    case Reaction::stop_session: return "stop_session";
    case Reaction::cool_down: return "cool_down";
    case Reaction::fast_stop_latch: return "fast_stop_latch";
  }
  return "?";
}

std::optional<RuleId> rule_from_code(std::string_view code) {
  for (const Rule& r : rules) {
    if (code == r.code) return r.id;
  }
  return std::nullopt;
}

std::string render_rule(RuleId id, Facts facts) {
  const std::string_view text = rule(id).message;
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('{', i);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const Fact* found = nullptr;
    for (const Fact& f : facts) {
      if (f.name == name) found = &f;
    }
    if (found != nullptr) {
      out.append(found->value);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return out;
}

}  // namespace treadd
