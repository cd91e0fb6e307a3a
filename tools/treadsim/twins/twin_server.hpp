// SPDX-License-Identifier: Apache-2.0
// A drive twin on the wire: one Modbus request answered as the twin's drive answers it (its
// exceptions included), with libmodbus framing the reply. Shared by treadsim and the drive tests.
#pragma once

#include <modbus/modbus.h>

#include <cstdint>

#include "tools/treadsim/twins/drive_twin.hpp"

namespace treadd::twin {

class TwinServer {
 public:
  explicit TwinServer(DriveTwin& twin);
  ~TwinServer();
  TwinServer(const TwinServer&) = delete;
  TwinServer& operator=(const TwinServer&) = delete;

  // `query` as modbus_receive returned it (`length` bytes) on `ctx`.
  void answer(modbus_t* ctx, const std::uint8_t* query, int length);

 private:
  DriveTwin& twin_;
  modbus_mapping_t* scratch_;  // only the words of the request being answered are meaningful
};

}  // namespace treadd::twin
