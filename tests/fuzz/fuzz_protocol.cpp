// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any bytes as one control-protocol line. Parsing must never crash and never
// turn bad input into a command.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/protocol/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = treadd::protocol::parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parsed.request) {
    if (const auto* speed = std::get_if<treadd::SpeedCmd>(&*parsed.request); speed && !std::isfinite(speed->kmh)) {
      __builtin_trap();
    }
  } else if (parsed.error.empty()) {
    __builtin_trap();
  }
  return 0;
}
