// SPDX-License-Identifier: Apache-2.0
// Drive twins: each a model of one real drive written from its manufacturer's manual tables, not
// from treadd's drive profile — so a profile that names a wrong register, value or scale fails
// against it as it would on the real drive. Every register carries the manual section it comes from
// (or "unconfirmed" where no source we hold gives it: the twin then does what the profile assumes,
// and the README's per-drive table says so).
//
// A twin answers Modbus as the drive does: addresses the drive does not have get exception 02,
// values it refuses exception 03; its control and status words, signed or unsigned feedback,
// parameters with their factory defaults, the comms-loss reaction its parameters select (ramp,
// coast, trip or nothing), power-up (parameters kept, working registers cleared) and fault codes.
// Physics (ramps, belt inertia) is the shared VfdModel. Pure of sockets; twin_server serves it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hal/vfd_model.hpp"

namespace treadd::twin {

// Modbus exception codes (Modbus application protocol v1.1b3, 7).
enum class Answer : std::uint8_t { ok = 0, illegal_function = 1, illegal_address = 2, illegal_value = 3 };

// A parameter as the drive keeps it: written from the bus or the panel, kept through a power-up.
struct Parameter {
  std::string name;        // as the manual names it: "Pr.09-03", "P-24", "58.16"
  std::uint16_t factory = 0;
  std::uint16_t value = 0;
  bool bus_writable = true;  // false: the drive refuses a bus write (read-only, or keypad-only)
  std::uint16_t max = 0xFFFF;
};

enum class CommsLoss { none, ramp, coast };

class DriveTwin {
 public:
  explicit DriveTwin(VfdParameters physics = {});
  virtual ~DriveTwin() = default;
  DriveTwin(const DriveTwin&) = delete;
  DriveTwin& operator=(const DriveTwin&) = delete;

  virtual const char* model() const = 0;

  // ---- the bus (0-based wire addresses) ----
  Answer read(bool input_register, std::uint16_t address, std::uint16_t& out);
  Answer write(std::uint16_t address, std::uint16_t value);
  // FC16 to these registers: some drives refuse multi-register writes to their control block.
  virtual bool takes_multi_write(std::uint16_t /*address*/, std::uint16_t /*count*/) const { return true; }
  // Any valid telegram feeds the drive's comms-loss watchdog.
  void heard_master() { since_telegram_s_ = 0; }

  void step(double dt_s);

  // ---- the technician and the test bench ----
  // Set a parameter as on the keypad (any parameter, bus-writable or not). False if there is none.
  bool set_panel(const std::string& name, std::uint16_t value);
  std::optional<std::uint16_t> panel(const std::string& name) const;
  // The drive set up as the README's technician section says (the panel settings it lists).
  virtual void commission() = 0;
  // Mains off and on: parameters kept, working registers cleared, the drive stopped.
  virtual void power_cycle();
  void trip(int manual_code);  // a drive fault with the manual's code
  bool reset_fault();
  void set_safety_key(bool closed) { key_closed_ = closed; }
  // The motor turns opposite to the command (a terminal REV input winning over the bus, a drive
  // direction parameter): the drive reports the turn it really makes.
  void set_wrong_turn(bool on) { wrong_turn_ = on; }
  void set_serial(std::uint32_t serial) { serial_ = serial; }
  // How long the drive has been on when treadd first meets it (ABB: no comms supervision in its
  // first 30 s). A drive is usually on long before treadd connects.
  void set_uptime(double seconds) { powered_s_ = seconds; }

  // What the drive's label and panel say it is, by the manual's name for each identity register
  // ("serial number": the words registers 25-28 hold): what treadd's identity read must find.
  virtual std::map<std::string, std::vector<std::uint16_t>> nameplate() const { return {}; }

  // ---- what really happens, for tests ----
  double motor_hz() const { return vfd_.belt_hz(); }
  Direction motor_turn() const { return vfd_.direction(); }
  bool running() const { return vfd_.running(); }
  int fault_code() const { return fault_; }
  // The ramp the drive is using to stop: "ramp" (normal), "fast" (its emergency ramp), "coast", "".
  const std::string& stopping_by() const { return stopping_by_; }
  double seconds_since_power_up() const { return powered_s_; }

 protected:
  // A drive's own words (control, status, feedback); nullopt = not one of them (then parameters).
  virtual std::optional<Answer> read_word(bool input_register, std::uint16_t address, std::uint16_t& out) = 0;
  virtual std::optional<Answer> write_word(std::uint16_t address, std::uint16_t value) = 0;
  // The comms-loss reaction and timeout its parameters select, and the fault code it raises.
  virtual CommsLoss comms_loss(double& timeout_s) const = 0;
  virtual int comms_loss_fault() const = 0;
  // Ramp rates in Hz/s from its parameters.
  virtual void ramps(double& accel, double& decel, double& fast) const = 0;
  // Whether the bus may start and stop the drive now (control source parameters).
  virtual bool bus_has_control() const = 0;

  void add(std::uint16_t address, Parameter p);
  std::uint16_t param(const std::string& name) const;
  Parameter* find(const std::string& name);

  // The PROFIdrive control word, which Siemens (STW) and ABB (ABB Drives profile) give bit for bit:
  // 0 ON/OFF1 (ramp stop), 1 OFF2 (0 = coast), 2 OFF3 (0 = fast stop), 3 enable operation, 7 fault
  // acknowledge on its rising edge; from power-up, and after OFF2 or OFF3, the drive is "switching on
  // inhibited" until it sees OFF1. Applies the stops; true when the word asks the drive to run.
  bool profidrive_word(std::uint16_t word, std::uint16_t previous);
  bool switch_on_inhibited_ = true;

  // Commands from the bus, in the drive's terms.
  void run(Direction direction, double hz);
  void ramp_stop();
  void fast_stop();
  void coast();

  VfdModel vfd_;
  std::map<std::uint16_t, Parameter> params_;  // by wire address
  std::map<std::string, std::uint16_t> keypad_;  // parameters with no register at all (panel only)
  int fault_ = 0;
  bool key_closed_ = true;
  bool wrong_turn_ = false;
  std::uint32_t serial_ = 10000001;
  double since_telegram_s_ = 0;
  double powered_s_ = 0;
  std::string stopping_by_;
  Direction commanded_turn_ = Direction::forward;
};

std::unique_ptr<DriveTwin> make_twin(const std::string& model);  // nullptr for an unknown model
std::vector<std::string> twin_models();

}  // namespace treadd::twin
