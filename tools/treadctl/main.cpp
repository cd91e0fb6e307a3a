// treadctl: staff's command-line tool. Speaks only the control socket protocol; never drives hardware.
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "config/drive_profile.hpp"
#include "config/loader.hpp"
#include "tools/treadctl/client.hpp"
#include "tools/treadctl/render.hpp"
#include "tools/treadctl/report.hpp"

namespace {

using nlohmann::json;
using treadctl::Client;

constexpr int exit_refused = 1;
constexpr int exit_unreachable = 3;

struct Globals {
  std::string socket = "/run/treadd/control.sock";
  bool json_output = false;
};

volatile std::sig_atomic_t interrupted = 0;

// One request, one reply: prints the message (or the JSON) and maps refusal to a non-zero exit.
int simple(const Globals& g, const json& request, const std::string& socket) {
  Client client(socket);
  json reply = client.call(request);
  if (g.json_output) {
    std::cout << reply.dump() << "\n";
  } else if (reply.value("ok", false)) {
    std::cout << reply.value("message", "ok") << "\n";
  } else {
    std::cerr << reply.value("error", "error") << "\n";
    if (reply.contains("errors")) {
      for (const auto& e : reply["errors"]) std::cerr << "  " << e.get<std::string>() << "\n";
    }
  }
  return reply.value("ok", false) ? 0 : exit_refused;
}

int status(const Globals& g) {
  Client client(g.socket);
  json reply = client.call({{"v", 1}, {"cmd", "status"}});
  if (!reply.value("ok", false)) {
    std::cerr << reply.value("error", "error") << "\n";
    return exit_refused;
  }
  std::cout << (g.json_output ? reply["status"].dump() + "\n" : treadctl::render_status(reply["status"]));
  return 0;
}

int watch(const Globals& g, double hz, int count) {
  Client client(g.socket);
  client.send({{"v", 1}, {"cmd", "watch"}, {"hz", hz}});
  const bool tty = isatty(STDOUT_FILENO) && !g.json_output;
  std::signal(SIGINT, [](int) { interrupted = 1; });
  auto first = client.receive(5000);
  if (!first || !first->value("ok", false)) {
    std::cerr << (first ? first->value("error", "error") : "treadd did not answer") << "\n";
    return exit_refused;
  }
  int shown = 0;
  while (!interrupted && (count <= 0 || shown < count)) {
    auto update = client.receive(5000);
    if (!update) {
      std::cerr << "treadd stopped sending updates\n";
      return exit_unreachable;
    }
    const json& st = (*update)["status"];
    if (g.json_output) {
      std::cout << st.dump() << std::endl;
    } else if (tty) {
      std::cout << "\033[H\033[2J" << treadctl::render_status(st) << "\n(Ctrl-C to leave; the belt is not affected)"
                << std::flush;
    } else {
      std::cout << treadctl::render_status_line(st) << std::endl;
    }
    ++shown;
  }
  if (tty) std::cout << "\n";
  return 0;
}

// Hold-to-run (operator presence): a heartbeat every 200 ms while this runs. Letting go —
// Ctrl-C, closing the terminal — asks for a normal stop at once; a killed process or a lost
// connection sends nothing more, and the daemon ramps the belt down after the profile's
// operator_presence time.
int hold(const Globals& g) {
  Client client(g.socket);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, [](int) { interrupted = 1; });
  std::cerr << "holding: the session runs while this runs; Ctrl-C (or closing the terminal) stops the belt\n";
  bool said_waiting = false;
  while (!interrupted) {
    client.send({{"v", 1}, {"cmd", "heartbeat"}});
    auto reply = client.receive(2000);
    if (!reply) {
      std::cerr << "treadd stopped answering; without heartbeats the belt ramps to a stop\n";
      return exit_unreachable;
    }
    if (!reply->value("ok", false)) {
      std::cerr << reply->value("error", "error") << "\n";
      return exit_refused;
    }
    if (reply->value("message", "") != "ok" && !said_waiting) {
      std::cerr << reply->value("message", "") << "\n";
      said_waiting = true;
    }
    for (int i = 0; i < 20 && !interrupted; ++i) usleep(10'000);
  }
  json stopped = client.call({{"v", 1}, {"cmd", "stop"}, {"reason", "operator let go of hold-to-run"}});
  std::cerr << "let go: " << stopped.value("message", stopped.value("error", "")) << "\n";
  return 0;
}

// Files are recognised by their top-level keys: machine.yaml has `ceilings:`, a drive profile
// `commands:`, limits.yaml `profiles:`.
enum class FileKind { machine, drive, limits };

FileKind kind_of(const std::string& f) {
  // Read with the daemon's bound (256 KiB): /dev/zero or a huge file is refused by the loader
  // that follows, never swallowed here.
  std::vector<treadd::Diagnostic> ignored;
  const auto text = treadd::read_config_file(f, ignored);
  try {
    if (text) {
      YAML::Node n = YAML::Load(*text);
      if (n["ceilings"].IsDefined()) return FileKind::machine;
      if (n["commands"].IsDefined()) return FileKind::drive;
    }
  } catch (...) {
  }
  if (std::filesystem::path(f).filename() == "machine.yaml") return FileKind::machine;
  return FileKind::limits;
}

int check_config(const std::vector<std::string>& files, const std::string& machine_path) {
  int bad = 0;
  std::optional<treadd::MachineConfig> machine;
  auto report = [&](const std::string& f, const std::vector<treadd::Diagnostic>& errors) {
    if (errors.empty()) {
      std::cout << f << ": ok\n";
    } else {
      std::cerr << treadd::join(errors);
      ++bad;
    }
  };
  for (const auto& f : files) {
    if (kind_of(f) == FileKind::machine) {
      auto m = treadd::load_machine(f);
      std::vector<treadd::Diagnostic> errors = m.errors;
      // The drive profile machine.yaml names is part of the machine: a misspelt one fails here,
      // not at the daemon's next start.
      if (m.ok()) {
        auto profile = treadd::load_named_drive_profile(*m.value, f);
        errors.insert(errors.end(), profile.errors.begin(), profile.errors.end());
      }
      report(f, errors);
      if (m.ok()) machine = m.value;
    } else if (kind_of(f) == FileKind::drive) {
      report(f, treadd::load_drive_profile(f).errors);
    }
  }
  for (const auto& f : files) {
    if (kind_of(f) != FileKind::limits) continue;
    // A file that cannot be read (missing, too big) is named first, before any ceilings are sought.
    std::vector<treadd::Diagnostic> unreadable;
    if (!treadd::read_config_file(f, unreadable)) {
      report(f, unreadable);
      continue;
    }
    if (!machine) {
      std::string candidate = machine_path;
      if (candidate.empty()) {
        auto sibling = std::filesystem::path(f).parent_path() / "machine.yaml";
        candidate = std::filesystem::exists(sibling) ? sibling.string() : "/etc/treadd/machine.yaml";
      }
      auto m = treadd::load_machine(candidate);
      if (!m.ok()) {
        std::cerr << f << ": cannot check against the machine ceilings:\n" << treadd::join(m.errors);
        ++bad;
        continue;
      }
      machine = m.value;
    }
    report(f, treadd::load_limits(f, *machine).errors);
  }
  return bad == 0 ? 0 : exit_refused;
}

}  // namespace

int main(int argc, char** argv) {
  Globals g;
  CLI::App app{"treadctl: start, steer, stop and watch a treadd treadmill session"};
  app.require_subcommand(1);
  app.add_option("--socket", g.socket, "treadd control socket")->capture_default_str()->envname("TREADD_SOCKET");
  app.add_flag("--json", g.json_output, "machine-readable output (one JSON object)");

  app.add_subcommand("status", "show state, speeds, session and limits");
  auto* watch_cmd = app.add_subcommand("watch", "live view of the session (Ctrl-C leaves; the belt is not affected)");
  double hz = 2;
  int count = 0;
  watch_cmd->add_option("--hz", hz, "updates per second")->check(CLI::Range(0.5, 20.0));
  watch_cmd->add_option("--count", count, "stop after this many updates (0 = until Ctrl-C)");

  auto* start_cmd = app.add_subcommand("start", "start a session (the belt starts at the profile's start speed)");
  std::string profile, program, start_direction;
  start_cmd->add_option("--profile", profile, "profile from limits.yaml")->required();
  start_cmd->add_option("--program", program, "interval program of that profile");
  start_cmd->add_option("--direction", start_direction, "reverse or forward (default: the profile's)")
      ->check(CLI::IsMember({"reverse", "forward"}));

  auto* speed_cmd = app.add_subcommand("speed", "set the target speed in km/h (within the profile's cap)");
  double kmh = 0;
  speed_cmd->add_option("KMH", kmh, "km/h")->required();

  auto* dir_cmd = app.add_subcommand("direction", "change the belt's direction (only at standstill)");
  std::string direction;
  bool via_stop = false;
  dir_cmd->add_option("DIRECTION", direction, "reverse or forward")->required()->check(CLI::IsMember({"reverse", "forward"}));
  dir_cmd->add_flag("--via-stop", via_stop, "if moving: ramp down, wait at standstill, then ramp up the other way");

  for (const char* name : {"pause", "resume", "stop", "estop", "reset", "lock", "unlock", "reload"}) {
    app.add_subcommand(name, std::string(name) == "estop"   ? "EMERGENCY STOP (latched until a clinician resets)"
                             : std::string(name) == "reset" ? "clear a latched e-stop or fault (clinician, at standstill)"
                             : std::string(name) == "lock"  ? "immobilise the treadmill until a clinician unlocks it"
                             : std::string(name) == "reload" ? "re-read limits.yaml (clinician); applies from the next session"
                                                             : std::string(name) + " the session");
  }
  app.add_subcommand("hold", "hold-to-run: keep operator presence while this runs (operator); letting go stops the belt");
  auto* limits_cmd = app.add_subcommand("limits", "show the effective limits and the ceilings that bound them");
  std::string limits_profile;
  limits_cmd->add_option("--profile", limits_profile, "one profile only");

  auto* history_cmd = app.add_subcommand("history", "list recorded sessions (operator role)");
  std::string history_profile, since;
  history_cmd->add_option("--profile", history_profile, "only this profile");
  history_cmd->add_option("--since", since, "only sessions started on or after this UTC date (YYYY-MM-DD[THH:MM:SSZ])");
  auto* report_cmd = app.add_subcommand("report", "one session: summary, or --csv / --svg FILE / --json");
  std::string session_id, svg_path;
  bool csv = false;
  report_cmd->add_option("SESSION", session_id, "session id from history")->required();
  report_cmd->add_flag("--csv", csv, "speed samples as CSV on stdout");
  report_cmd->add_option("--svg", svg_path, "write a chart of speed over time to this file");

  auto* check_cmd = app.add_subcommand("check-config", "validate machine.yaml / limits.yaml files without the daemon");
  std::vector<std::string> files;
  std::string machine_path;
  check_cmd->add_option("FILE", files, "files to check")->required();
  check_cmd->add_option("--machine", machine_path, "machine.yaml whose ceilings bound a limits file");

  CLI11_PARSE(app, argc, argv);

  try {
    CLI::App* sub = app.get_subcommands().front();
    const std::string name = sub->get_name();
    if (name == "status") return status(g);
    if (name == "watch") return watch(g, hz, count);
    if (name == "hold") return hold(g);
    if (name == "check-config") return check_config(files, machine_path);
    if (name == "history" || name == "report") {
      json req = {{"v", 1}, {"cmd", name}};
      if (name == "history") {
        if (!history_profile.empty()) req["profile"] = history_profile;
        if (!since.empty()) req["since"] = since;
      } else {
        req["session"] = session_id;
      }
      Client client(g.socket);
      json reply = client.call(req);
      if (!reply.value("ok", false)) {
        std::cerr << reply.value("error", "error") << "\n";
        return exit_refused;
      }
      if (g.json_output) {
        std::cout << (name == "history" ? reply["sessions"] : reply["record"]).dump() << "\n";
      } else if (name == "history") {
        std::cout << treadctl::render_history(reply["sessions"]);
      } else if (csv) {
        std::cout << treadctl::render_csv(reply["record"]);
      } else if (!svg_path.empty()) {
        std::ofstream(svg_path) << treadctl::render_svg(reply["record"]);
        std::cout << "chart written to " << svg_path << "\n";
      } else {
        std::cout << treadctl::render_summary(reply["record"]);
      }
      return 0;
    }
    json req = {{"v", 1}, {"cmd", name}};
    if (name == "start") {
      req["profile"] = profile;
      if (!program.empty()) req["program"] = program;
      if (!start_direction.empty()) req["direction"] = start_direction;
    } else if (name == "speed") {
      req["kmh"] = kmh;
    } else if (name == "direction") {
      req["direction"] = direction;
      req["via_stop"] = via_stop;
    } else if (name == "limits") {
      if (!limits_profile.empty()) req["profile"] = limits_profile;
      Client client(g.socket);
      json reply = client.call(req);
      if (!reply.value("ok", false)) {
        std::cerr << reply.value("error", "error") << "\n";
        return exit_refused;
      }
      std::cout << (g.json_output ? reply.dump() + "\n" : treadctl::render_limits(reply));
      return 0;
    }
    if (name == "estop") {
      // The e-stop socket beside the control socket: its queue is never crowded by other clients.
      // A daemon without one (older) is reached on the control socket.
      try {
        return simple(g, req, g.socket + ".estop");
      } catch (const treadctl::NotRunning&) {
      }
    }
    return simple(g, req, g.socket);
  } catch (const treadctl::NotRunning& e) {
    std::cerr << "treadctl: " << e.what() << "\n";
    return exit_unreachable;
  } catch (const std::exception& e) {
    std::cerr << "treadctl: " << e.what() << "\n";
    return exit_refused;
  }
}
