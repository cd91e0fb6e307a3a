// SPDX-License-Identifier: Apache-2.0
#include "tools/treadsim/twins/twin_server.hpp"

#include <stdexcept>

namespace treadd::twin {

TwinServer::TwinServer(DriveTwin& twin) : twin_(twin), scratch_(modbus_mapping_new(0, 0, 65536, 65536)) {
  if (scratch_ == nullptr) throw std::runtime_error("cannot allocate the register map");
}

TwinServer::~TwinServer() { modbus_mapping_free(scratch_); }

void TwinServer::answer(modbus_t* ctx, const std::uint8_t* query, int length) {
  const int h = modbus_get_header_length(ctx);
  if (length < h + 5) return;
  const int function = query[h];
  const auto word = [&](int at) { return static_cast<std::uint16_t>((query[at] << 8) | query[at + 1]); };
  const std::uint16_t address = word(h + 1);
  const auto refuse = [&](Answer a) { modbus_reply_exception(ctx, query, static_cast<unsigned>(a)); };
  switch (function) {
    case 0x03:
    case 0x04: {
      const std::uint16_t count = word(h + 3);
      if (count < 1 || count > 125 || address + count > 65536) return refuse(Answer::illegal_value);
      for (std::uint16_t i = 0; i < count; ++i) {
        std::uint16_t v = 0;
        const Answer a = twin_.read(function == 0x04, static_cast<std::uint16_t>(address + i), v);
        if (a != Answer::ok) return refuse(a);
        (function == 0x04 ? scratch_->tab_input_registers : scratch_->tab_registers)[address + i] = v;
      }
      twin_.heard_master();
      modbus_reply(ctx, query, length, scratch_);
      return;
    }
    case 0x06: {
      const Answer a = twin_.write(address, word(h + 3));
      if (a != Answer::ok) return refuse(a);
      twin_.heard_master();
      modbus_reply(ctx, query, length, scratch_);
      return;
    }
    case 0x10: {
      const std::uint16_t count = word(h + 3);
      if (count < 1 || count > 123 || length < h + 6 + 2 * count) return refuse(Answer::illegal_value);
      if (!twin_.takes_multi_write(address, count)) return refuse(Answer::illegal_function);
      for (std::uint16_t i = 0; i < count; ++i) {
        const Answer a = twin_.write(static_cast<std::uint16_t>(address + i), word(h + 6 + 2 * i));
        if (a != Answer::ok) return refuse(a);
      }
      twin_.heard_master();
      modbus_reply(ctx, query, length, scratch_);
      return;
    }
    default: return refuse(Answer::illegal_function);
  }
}

}  // namespace treadd::twin
