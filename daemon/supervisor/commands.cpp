// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/commands.hpp"

namespace treadd {

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& spec : command_specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<Reply> check_role(const CommandSpec& spec, Role role, const RoleGroups& groups) {
  if (static_cast<int>(role) >= static_cast<int>(spec.role)) return std::nullopt;
  return Reply::refused(RuleId::role_required,
                        {{"needed", Word{to_string(spec.role)}}, {"group", Name{groups.of(spec.role)}}, {"role", Word{to_string(role)}}});
}

}  // namespace treadd
