// SPDX-License-Identifier: Apache-2.0
#include "config/diagnostics.hpp"

#include <algorithm>

namespace treadd {

std::string Diagnostic::to_string() const {
  // A whole-file problem (it cannot be opened, it is too big) has no position: never "file:0:0".
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::vector<Diagnostic> Diagnostics::in_line_order() const {
  std::vector<Diagnostic> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return sorted;
}

void Diagnostics::error(int line0, int column0, std::string message) {
  items_.push_back(Diagnostic{file_, line0 + 1, column0 + 1, std::move(message)});
}

void Diagnostics::amend(std::size_t index, int line0, int column0, std::string message) {
  if (index < items_.size()) items_[index] = Diagnostic{file_, line0 + 1, column0 + 1, std::move(message)};
}

std::string join(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace treadd
