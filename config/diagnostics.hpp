// SPDX-License-Identifier: Apache-2.0
// Errors found in a configuration file, each with the place a clinician or technician must edit.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace treadd {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;

  std::string to_string() const;  // "file:line:column: message"
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void error(int line0, int column0, std::string message);  // yaml-cpp marks are 0-based
  // Rewrites error number `index` (in the order given): one mistake found twice, from two sides,
  // is said once where it is (a required key missing because its name has a typo).
  void amend(std::size_t index, int line0, int column0, std::string message);
  const std::vector<Diagnostic>& all() const { return items_; }
  // As a reader meets them in the file (the checks run section by section, not line by line).
  std::vector<Diagnostic> in_line_order() const;
  bool empty() const { return items_.empty(); }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

std::string join(const std::vector<Diagnostic>& diagnostics);

template <class T>
struct Loaded {
  std::optional<T> value;
  std::vector<Diagnostic> errors;
  bool ok() const { return value.has_value() && errors.empty(); }
};

}  // namespace treadd
