// SPDX-License-Identifier: Apache-2.0
// Pseudonymous patient codes. treadd never stores a name: a code is what the clinic's own records
// map to a person, so erasing that mapping anonymises every session record.
#pragma once

#include <string_view>

namespace treadd {

// 3 to 16 characters of A-Z, 0-9 and '-', at least one of them a digit: "LBP-0042", "P17". A name
// ("MUELLER", "Anna") can never pass.
bool is_patient_code(std::string_view text);

inline constexpr const char* patient_code_form =
    "3 to 16 capital letters, digits or '-', with at least one digit (for example LBP-0042), never a name";

}  // namespace treadd
