// SPDX-License-Identifier: Apache-2.0
#include "config/diagnostics.hpp"

namespace treadd {

std::string Diagnostic::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void Diagnostics::error(int line0, int column0, std::string message) {
  items_.push_back(Diagnostic{file_, line0 + 1, column0 + 1, std::move(message)});
}

std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace treadd
