// SPDX-License-Identifier: Apache-2.0
#include "core/patient.hpp"

namespace treadd {

bool is_patient_code(std::string_view text) {
  if (text.size() < 3 || text.size() > 16) return false;
  bool digit = false;
  for (char c : text) {
    const bool is_digit = c >= '0' && c <= '9';
    if (!is_digit && !(c >= 'A' && c <= 'Z') && c != '-') return false;
    digit = digit || is_digit;
  }
  return digit;
}

}  // namespace treadd
