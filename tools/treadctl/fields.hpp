// SPDX-License-Identifier: Apache-2.0
// Reading the daemon's replies. json's const operator[] on a missing member is undefined
// behaviour (an assertion in a debug build, a wild read in a release one), and a reply may well
// lack a member: a viewer's status has no event texts, a record cut short has no end line, a
// daemon of another version has other fields. So treadctl reads them with `field`, which gives
// null for what is not there, and every renderer already shows null as "-" or "none".
#pragma once

#include <nlohmann/json.hpp>

namespace treadctl {

inline const nlohmann::json& field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json absent;
  if (!object.is_object()) return absent;
  const auto it = object.find(key);
  return it == object.end() ? absent : *it;
}

}  // namespace treadctl
