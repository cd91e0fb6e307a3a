// SPDX-License-Identifier: Apache-2.0
// treadsim: a Modbus TCP and RTU variable-frequency-drive simulator for demos and tests, built on
// libmodbus's server side. It serves a drive profile's registers, models the drive's ramps, the
// belt's inertia and its comms-loss stop, and injects faults on request (commands on stdin).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>
#include <thread>

#include "tools/treadsim/twins/twin_server.hpp"
#include "tools/treadsim/vfd_server.hpp"

namespace {

using namespace treadd;
using Clock = std::chrono::steady_clock;

struct Faults {
  bool silent = false;      // no reply at all
  int delay_ms = 0;         // slow reply
  bool exception = false;   // exception reply (slave device failure)
  bool garbage = false;     // random bytes instead of a reply
  bool drop = false;        // close the connection (once)
  bool bad_crc = false;     // RTU: reply with a corrupted checksum
};

const char* help_text =
    "commands: fault CODE | clear | key-out | key-in | silence | slow MS | exception | garbage | drop | badcrc |"
    " normal | status | set PARAMETER RAW\n"
    "with --twin also: panel PARAMETER VALUE | power-cycle | wrong-turn on|off\n";

// The drive served: a profile's registers on the generic model, or a drive twin from its manual.
struct Served {
  std::unique_ptr<sim::VfdRegisters> regs;
  std::unique_ptr<twin::DriveTwin> twin;
  std::unique_ptr<twin::TwinServer> twin_server;
};

void handle_twin_command(const std::string& cmd, std::istringstream& in, twin::DriveTwin& t) {
  if (cmd == "fault") {
    int code = 1;
    in >> code;
    t.trip(code);
  } else if (cmd == "clear") {
    t.reset_fault();
  } else if (cmd == "key-out" || cmd == "key-in") {
    t.set_safety_key(cmd == "key-in");
  } else if (cmd == "panel") {
    std::string name;
    long raw = -1;
    in >> name >> raw;
    if (raw < 0 || raw > 0xFFFF || !t.set_panel(name, static_cast<std::uint16_t>(raw))) {
      std::printf("panel: %s has no parameter '%s', or %ld is not a value\n", t.model(), name.c_str(), raw);
    }
  } else if (cmd == "power-cycle") {
    t.power_cycle();
  } else if (cmd == "wrong-turn") {
    std::string on;
    in >> on;
    t.set_wrong_turn(on == "on");
  } else if (cmd == "status") {
    std::printf("motor %.2f Hz %s fault %d stopping-by %s\n", t.motor_hz(), to_string(t.motor_turn()), t.fault_code(),
                t.stopping_by().c_str());
  }
}

void handle_command(const std::string& line, Faults& f, Served& served) {
  std::istringstream in(line);
  std::string cmd;
  in >> cmd;
  const bool link_fault = cmd == "silence" || cmd == "slow" || cmd == "exception" || cmd == "garbage" ||
                          cmd == "drop" || cmd == "badcrc" || cmd == "normal";
  if (served.twin && !link_fault && !cmd.empty()) {
    handle_twin_command(cmd, in, *served.twin);
    std::fflush(stdout);
    return;
  }
  sim::VfdRegisters& regs = *served.regs;
  if (cmd.empty()) {
  } else if (cmd == "fault") {
    int code = 1;
    in >> code;
    regs.vfd().trip(code);
  } else if (cmd == "clear") {
    regs.vfd().reset_fault();
  } else if (cmd == "key-out") {
    regs.set_safety_key(false);
  } else if (cmd == "key-in") {
    regs.set_safety_key(true);
  } else if (cmd == "silence") {
    f.silent = true;
  } else if (cmd == "slow") {
    in >> f.delay_ms;
  } else if (cmd == "exception") {
    f.exception = true;
  } else if (cmd == "garbage") {
    f.garbage = true;
  } else if (cmd == "drop") {
    f.drop = true;
  } else if (cmd == "badcrc") {
    f.bad_crc = true;
  } else if (cmd == "normal") {
    f = Faults{};
  } else if (cmd == "set") {
    std::string name;
    long raw = -1;
    in >> name >> raw;
    if (raw < 0 || raw > 0xFFFF || !regs.pin_parameter(name, static_cast<std::uint16_t>(raw))) {
      std::printf("set: no parameter '%s' in the profile, or %ld is not a register value\n", name.c_str(), raw);
    }
  } else if (cmd == "status") {
    std::printf("output %.2f Hz belt %.2f Hz %s fault %d\n", regs.vfd().output_hz(), regs.vfd().belt_hz(),
                to_string(regs.vfd().direction()), regs.vfd().fault_code());
  } else if (!cmd.empty()) {
    std::fputs(help_text, stdout);
  }
  std::fflush(stdout);
}

// "P2000=6000" (decimal or 0x hex): the name and the value; the value is out of any range
// (LONG_MIN) when it is missing or not a number.
std::pair<std::string, long> name_and_value(const std::string& setting) {
  const auto eq = setting.find('=');
  long raw = std::numeric_limits<long>::min();
  try {
    if (eq != std::string::npos) raw = std::stol(setting.substr(eq + 1), nullptr, 0);
  } catch (...) {
  }
  return {setting.substr(0, eq), raw};
}

// Answers one request, or misbehaves as the injected faults say.
void serve_request(modbus_t* ctx, const std::uint8_t* query, int length, Faults& f, Served& served,
                   FILE* frame_log) {
  const int header = modbus_get_header_length(ctx);
  const int function = query[header];
  if (frame_log != nullptr && (function == 0x06 || function == 0x10)) {
    const int addr = (query[header + 1] << 8) | query[header + 2];
    const int value = function == 0x06 ? (query[header + 3] << 8) | query[header + 4]
                                       : (query[header + 6] << 8) | query[header + 7];
    std::fprintf(frame_log, "%lld %d %d %d\n",
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            Clock::now().time_since_epoch()).count()),
                 function, addr, value);
    std::fflush(frame_log);
  }
  if (f.silent) return;
  if (f.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.delay_ms));
  if (f.exception) {
    modbus_reply_exception(ctx, query, MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE);
    return;
  }
  if (f.garbage) {
    const std::uint8_t junk[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37};
    [[maybe_unused]] auto n = write(modbus_get_socket(ctx), junk, sizeof junk);
    return;
  }
  if (f.bad_crc) {
    // A correct-looking echo of a write with its last CRC byte flipped.
    std::uint8_t frame[MODBUS_RTU_MAX_ADU_LENGTH];
    const int n = std::min(length, 8);
    std::copy(query, query + n, frame);
    frame[n - 1] ^= 0xFF;
    [[maybe_unused]] auto w = write(modbus_get_socket(ctx), frame, static_cast<std::size_t>(n));
    return;
  }
  if (served.twin_server) {
    served.twin_server->answer(ctx, query, length);
    return;
  }
  sim::VfdRegisters& regs = *served.regs;
  modbus_reply(ctx, query, length, regs.mapping());
  if (function == 0x06 || function == 0x10) {
    regs.apply_writes();
  } else {
    regs.vfd().heard_master();
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string profile_path, tcp = "127.0.0.1:15020", rtu, frame_log_path;
  int baud = 19200, unit = 1;
  std::string parity = "N";
  VfdParameters params;
  CLI::App app{"treadsim: a Modbus TCP/RTU variable-frequency-drive simulator for treadd"};
  app.set_version_flag("--version", std::string("treadsim ") + TREADD_VERSION);
  std::string twin_model;
  std::vector<std::string> panel_settings;
  bool commissioned = false;
  std::uint32_t serial = 10000001;
  auto* profile_opt = app.add_option("--profile", profile_path, "serve this drive profile's register map on the generic drive model");
  auto* twin_opt = app.add_option("--twin", twin_model, "be this real drive, as its manual describes it (delta-ms300, "
                                                        "siemens-v20, optidrive-e3, abb-acs580): factory settings unless --commissioned");
  profile_opt->excludes(twin_opt);
  app.add_flag("--commissioned", commissioned, "--twin: set up on the panel as the README's technician section says");
  app.add_option("--panel", panel_settings, "--twin: PARAMETER=VALUE set on the drive's keypad (e.g. Pr.00-20=1)");
  app.add_option("--serial", serial, "--twin: the drive's serial number (where it has one)");
  double uptime_s = 60;
  app.add_option("--uptime", uptime_s, "--twin: seconds the drive has been on before treadd connects")->capture_default_str();
  app.add_option("--tcp", tcp, "listen on HOST:PORT (loopback)")->capture_default_str();
  app.add_option("--rtu", rtu, "serve Modbus RTU on this serial device (e.g. one end of a socat pty pair)");
  app.add_option("--baud", baud, "RTU baud rate")->capture_default_str();
  app.add_option("--parity", parity, "RTU parity N|E|O")->capture_default_str();
  app.add_option("--unit", unit, "Modbus unit id")->capture_default_str();
  app.add_option("--accel", params.accel_hz_per_s, "drive accel ramp, Hz/s")->capture_default_str();
  app.add_option("--decel", params.decel_hz_per_s, "drive decel ramp, Hz/s")->capture_default_str();
  app.add_option("--fast-stop", params.fast_stop_hz_per_s, "drive fast-stop ramp, Hz/s")->capture_default_str();
  std::vector<std::string> pins;
  double panel_watchdog_ms = 0;
  app.add_option("--set", pins, "PARAMETER=RAW: the drive holds this value whatever is written (e.g. P2000=6000)");
  app.add_option("--watchdog-ms", panel_watchdog_ms,
                 "the drive's keypad-set comms-loss stop, for profiles without a comms_timeout register (0 = off)")
      ->capture_default_str();
  app.add_option("--frame-log", frame_log_path, "append 'monotonic_ns function address value' per write received");
  app.footer(help_text);
  CLI11_PARSE(app, argc, argv);

  Served served;
  std::string serving;
  if (!twin_model.empty()) {
    served.twin = twin::make_twin(twin_model);
    if (!served.twin) {
      std::cerr << "treadsim: no twin of '" << twin_model << "'\n";
      return 2;
    }
    if (commissioned) served.twin->commission();
    served.twin->set_serial(serial);
    served.twin->set_uptime(uptime_s);
    for (const auto& setting : panel_settings) {
      const auto [name, raw] = name_and_value(setting);
      if (raw < -32768 || raw > 0xFFFF || !served.twin->set_panel(name, static_cast<std::uint16_t>(raw))) {
        std::cerr << "treadsim: --panel " << setting << ": " << twin_model << " has no such parameter or value\n";
        return 2;
      }
    }
    served.twin_server = std::make_unique<twin::TwinServer>(*served.twin);
    serving = "twin of " + twin_model;
    if (!pins.empty()) {
      std::cerr << "treadsim: --set pins a profile parameter; a twin takes --panel\n";
      return 2;
    }
  } else if (profile_path.empty()) {
    std::cerr << "treadsim: give --profile FILE or --twin MODEL\n";
    return 2;
  }
  auto profile = profile_path.empty() ? Loaded<DriveProfile>{DriveProfile{}, {}} : load_drive_profile(profile_path);
  if (!profile.ok()) {
    std::cerr << join(profile.errors);
    return 2;
  }
  if (!served.twin) {
    served.regs = std::make_unique<sim::VfdRegisters>(*profile.value, params);
    if (!profile.value->comms_timeout) served.regs->set_panel_watchdog(panel_watchdog_ms / 1000.0);
    serving = profile.value->name;
  }
  for (const auto& pin : pins) {
    const auto [name, raw] = name_and_value(pin);
    if (raw < 0 || raw > 0xFFFF || !served.regs->pin_parameter(name, static_cast<std::uint16_t>(raw))) {
      std::cerr << "treadsim: --set " << pin << ": no such parameter in " << profile.value->name
                << " or not a value from 0 to 65535\n";
      return 2;
    }
  }
  FILE* frame_log = frame_log_path.empty() ? nullptr : std::fopen(frame_log_path.c_str(), "a");

  modbus_t* ctx = nullptr;
  int listen_fd = -1, client_fd = -1;
  if (!rtu.empty()) {
    ctx = modbus_new_rtu(rtu.c_str(), baud, parity.empty() ? 'N' : parity[0], 8, 1);
    if (ctx == nullptr || modbus_set_slave(ctx, unit) != 0 || modbus_connect(ctx) != 0) {
      std::cerr << "treadsim: cannot open " << rtu << ": " << modbus_strerror(errno) << "\n";
      return 1;
    }
    client_fd = modbus_get_socket(ctx);
    std::cerr << "treadsim: serving Modbus RTU on " << rtu << " (" << serving << ")\n";
  } else {
    const auto colon = tcp.rfind(':');
    const std::string host = tcp.substr(0, colon);
    ctx = modbus_new_tcp(host.c_str(), std::stoi(tcp.substr(colon + 1)));
    listen_fd = ctx == nullptr ? -1 : modbus_tcp_listen(ctx, 1);
    if (listen_fd < 0) {
      std::cerr << "treadsim: cannot listen on " << tcp << ": " << modbus_strerror(errno) << "\n";
      return 1;
    }
    std::cerr << "treadsim: serving Modbus TCP on " << tcp << " (" << serving << ")\n";
  }

  Faults faults;
  std::string stdin_buffer;
  bool stdin_open = true;
  auto last = Clock::now();
  std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
  for (;;) {
    pollfd fds[3] = {{listen_fd, POLLIN, 0}, {client_fd, POLLIN, 0}, {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
    poll(fds, 3, 5);
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    if (served.twin) {
      served.twin->step(dt);
    } else {
      served.regs->step(dt);
    }
    last = now;
    if (listen_fd >= 0 && (fds[0].revents & POLLIN) && client_fd < 0) {
      client_fd = modbus_tcp_accept(ctx, &listen_fd);
    }
    if (client_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      const int rc = modbus_receive(ctx, query);
      if (rc > 0) {
        serve_request(ctx, query, rc, faults, served, frame_log);
      } else if (rc < 0 && rtu.empty()) {
        close(client_fd);
        client_fd = -1;
      }
      if (faults.drop && rtu.empty() && client_fd >= 0) {
        faults.drop = false;
        close(client_fd);
        client_fd = -1;
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP)) {
      char buf[256];
      const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        stdin_open = false;
      } else {
        stdin_buffer.append(buf, static_cast<std::size_t>(n));
        for (auto nl = stdin_buffer.find('\n'); nl != std::string::npos; nl = stdin_buffer.find('\n')) {
          handle_command(stdin_buffer.substr(0, nl), faults, served);
          stdin_buffer.erase(0, nl + 1);
        }
      }
    }
  }
}
