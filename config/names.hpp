// SPDX-License-Identifier: Apache-2.0
// What a profile or program may be called. Names reach every record, report, audit line and the
// journal — and `forget` erases none of them — so they are codes for what a profile does, never a
// person: "Müller Hans (LBP)" is refused where it is written, with file:line:column.
#pragma once

#include <string_view>

namespace treadd {

// 1 to 40 characters of a-z, 0-9, '-' and '_', starting with a letter or a digit:
// "lumbar-early", "walk-run-2". Capitals, spaces, brackets and accented letters never pass.
bool is_setting_name(std::string_view text);

inline constexpr const char* setting_name_form =
    "1 to 40 lower-case letters, digits, '-' or '_', starting with a letter or digit (for example lumbar-early); "
    "name it for what it does, never for whom: a name here reaches every record, report and log";

}  // namespace treadd
