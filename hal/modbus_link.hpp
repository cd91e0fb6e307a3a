// SPDX-License-Identifier: Apache-2.0
// One libmodbus context (TCP or RTU) with our own error policy: libmodbus's own recovery stays off
// (it retries forever), a broken link is closed and reopened, and a late reply is flushed so it
// is never read as the next answer. Not thread-safe: one owner thread, as libmodbus requires.
#pragma once

#include <modbus/modbus.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/drive_profile.hpp"
#include "config/model.hpp"
#include "hal/drive_types.hpp"

namespace treadd {


class ModbusLink {
 public:
  explicit ModbusLink(const DriveSettings& settings);
  ~ModbusLink();
  ModbusLink(const ModbusLink&) = delete;
  ModbusLink& operator=(const ModbusLink&) = delete;

  bool open();  // false with last_error() set
  void close();
  bool is_open() const { return open_; }

  bool write_register(std::uint16_t address, std::uint16_t value);
  bool write_registers(std::uint16_t address, const std::vector<std::uint16_t>& values);
  bool read_holding(std::uint16_t address, std::uint16_t count, std::uint16_t* out);
  bool read_input(std::uint16_t address, std::uint16_t count, std::uint16_t* out);
  // Holding or input, as a profile names it.
  bool read(RegisterType type, std::uint16_t address, std::uint16_t count, std::uint16_t* out) {
    return type == RegisterType::holding ? read_holding(address, count, out) : read_input(address, count, out);
  }

  // After a failure: does the link need closing and reopening?
  bool broken() const { return broken_; }
  // Modbus TCP after a timeout or a mismatched reply: a late answer may still be in the stream
  // and would be read as the answer to every following request (off by one, for ever). The
  // stream is dropped and a new connection opened; RTU resynchronises on the line's silence.
  bool needs_resync() const { return resync_; }
  bool resync();  // close and connect again; false (and broken) when that fails
  const std::string& last_error() const { return last_error_; }
  const LinkCounters& counters() const { return counters_; }
  std::string describe() const;
  // What a technician checks when the drive never answers: the link's settings, named.
  std::string no_answer() const;

 private:
  bool check(int rc);

  DriveSettings settings_;
  modbus_t* ctx_ = nullptr;
  bool open_ = false;
  bool broken_ = false;
  bool resync_ = false;
  std::string last_error_;
  LinkCounters counters_;
};

}  // namespace treadd
