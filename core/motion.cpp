// SPDX-License-Identifier: Apache-2.0
#include "core/motion.hpp"

namespace treadd {

const char* to_string(Motion m) {
  switch (m) {
    case Motion::stop: return "stop";
    case Motion::run: return "run";
    case Motion::fast_stop: return "fast_stop";
  }
  return "?";
}

}  // namespace treadd
