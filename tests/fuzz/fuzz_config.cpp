// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any bytes as machine.yaml and as limits.yaml. The loader must never crash,
// hang or accept a profile above the ceilings.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto machine = treadd::parse_machine(text, "fuzz-machine.yaml");
  auto limits = treadd::parse_limits(text, "fuzz-limits.yaml", treadd::MachineConfig{});
  if (limits.ok()) {
    const treadd::Ceilings ceilings;
    for (const auto& [name, p] : limits.value->profiles) {
      if (p.reverse_cap_kmh > ceilings.reverse_max_kmh || p.forward_cap_kmh > ceilings.forward_max_kmh) __builtin_trap();
    }
  }
  return 0;
}
