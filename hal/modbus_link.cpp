// SPDX-License-Identifier: Apache-2.0
#include "hal/modbus_link.hpp"

#include <cerrno>
#include <cstring>

namespace treadd {

ModbusLink::ModbusLink(const DriveSettings& settings) : settings_(settings) {}

ModbusLink::~ModbusLink() {
  close();
  if (ctx_ != nullptr) modbus_free(ctx_);
}

std::string ModbusLink::describe() const {
  if (settings_.transport == Transport::rtu) {
    // Written as manuals and panels write a serial format: 8E1 (data bits, parity, stop bits).
    return "Modbus RTU " + settings_.device + " " + std::to_string(settings_.baud) + " " +
           std::to_string(settings_.data_bits) + settings_.parity + std::to_string(settings_.stop_bits) + ", unit " +
           std::to_string(settings_.unit_id);
  }
  return "Modbus TCP " + settings_.host + ":" + std::to_string(settings_.port) + ", unit " +
         std::to_string(settings_.unit_id);
}

std::string ModbusLink::no_answer() const {
  if (settings_.transport == Transport::rtu) {
    return "no answer from unit " + std::to_string(settings_.unit_id) + " at " + std::to_string(settings_.baud) + " " +
           std::to_string(settings_.data_bits) + settings_.parity + std::to_string(settings_.stop_bits) + " on " +
           settings_.device + ": check the wiring (A/B, ground), the unit id, the baud rate and parity on the drive's "
           "panel, and that it is set to Modbus RTU (" + last_error_ + ")";
  }
  return "no answer from unit " + std::to_string(settings_.unit_id) + " at " + settings_.host + ":" +
         std::to_string(settings_.port) + ": check the network, the drive's address, its Modbus TCP option and the "
         "unit id (" + last_error_ + ")";
}

bool ModbusLink::open() {
  if (ctx_ == nullptr) {
    ctx_ = settings_.transport == Transport::rtu
               ? modbus_new_rtu(settings_.device.c_str(), settings_.baud, settings_.parity, settings_.data_bits,
                                settings_.stop_bits)
               : modbus_new_tcp(settings_.host.c_str(), settings_.port);
    if (ctx_ == nullptr) {
      last_error_ = std::string("cannot create the Modbus context: ") + std::strerror(errno);
      return false;
    }
    modbus_set_slave(ctx_, settings_.unit_id);
    modbus_set_error_recovery(ctx_, MODBUS_ERROR_RECOVERY_NONE);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(settings_.response_timeout).count();
    modbus_set_response_timeout(ctx_, static_cast<uint32_t>(us / 1000000), static_cast<uint32_t>(us % 1000000));
    modbus_set_byte_timeout(ctx_, static_cast<uint32_t>(us / 1000000), static_cast<uint32_t>(us % 1000000));
  }
  if (modbus_connect(ctx_) != 0) {
    last_error_ = "cannot connect (" + describe() + "): " + modbus_strerror(errno);
    return false;
  }
  open_ = true;
  broken_ = false;
  return true;
}

void ModbusLink::close() {
  // close before every reconnect: connect without close leaks the fd (REFERENCE.md)
  if (open_ && ctx_ != nullptr) modbus_close(ctx_);
  open_ = false;
}

bool ModbusLink::check(int rc) {
  ++counters_.transactions;
  if (rc >= 0) return true;
  const int err = errno;
  last_error_ = modbus_strerror(err);
  if (err == ETIMEDOUT) {
    ++counters_.timeouts;
    modbus_flush(ctx_);  // a late reply must not be read as the next answer
    resync_ = settings_.transport == Transport::tcp;
  } else if (err == ECONNRESET || err == EPIPE || err == EBADF || err == ECONNREFUSED || err == ENOTCONN) {
    ++counters_.broken;
    broken_ = true;
  } else if (err > MODBUS_ENOBASE && err < MODBUS_ENOBASE + 12) {
    ++counters_.exceptions;
  } else {
    ++counters_.other_errors;
    modbus_flush(ctx_);
    resync_ = settings_.transport == Transport::tcp;
  }
  return false;
}

bool ModbusLink::resync() {
  resync_ = false;
  close();
  if (open()) return true;
  broken_ = true;
  return false;
}

bool ModbusLink::write_register(std::uint16_t address, std::uint16_t value) {
  return open_ && check(modbus_write_register(ctx_, address, value));
}

bool ModbusLink::write_registers(std::uint16_t address, const std::vector<std::uint16_t>& values) {
  return open_ && check(modbus_write_registers(ctx_, address, static_cast<int>(values.size()), values.data()));
}

bool ModbusLink::read_holding(std::uint16_t address, std::uint16_t count, std::uint16_t* out) {
  return open_ && check(modbus_read_registers(ctx_, address, count, out));
}

bool ModbusLink::read_input(std::uint16_t address, std::uint16_t count, std::uint16_t* out) {
  return open_ && check(modbus_read_input_registers(ctx_, address, count, out));
}

}  // namespace treadd
