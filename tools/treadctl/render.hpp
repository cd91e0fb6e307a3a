// SPDX-License-Identifier: Apache-2.0
// Human-readable rendering of the daemon's JSON for staff at the machine.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace treadctl {

std::string render_status(const nlohmann::json& status);
std::string render_status_line(const nlohmann::json& status);  // one line, for logs and pipes
std::string render_limits(const nlohmann::json& reply);

}  // namespace treadctl
