// SPDX-License-Identifier: Apache-2.0
#include <filesystem>
#include "tools/treadbench/matrix.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "daemon/supervisor/commands.hpp"
#include "tools/treadbench/stats.hpp"

namespace treadd::bench {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Phase {
  const char* name;
  const char* direction;
};

// Brings a fresh rig's belt into a motion phase.
void enter_phase(Rig& rig, const std::string& phase, const std::string& direction) {
  rig.wait_standstill();
  rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}, {"direction", direction}});
  if (phase == "accelerating") {
    rig.call({{"cmd", "speed"}, {"kmh", 4.0}});
    std::this_thread::sleep_for(1s);
  } else if (phase == "cruising") {
    rig.call({{"cmd", "speed"}, {"kmh", 3.0}});
    std::this_thread::sleep_for(6s);
  } else {
    rig.call({{"cmd", "speed"}, {"kmh", 3.0}});
    std::this_thread::sleep_for(6s);
    rig.call({{"cmd", "stop"}});
    std::this_thread::sleep_for(500ms);
  }
}

// After the cell: what a clinic needs next — the cause gone (or treadd restarted, as systemd
// would), a clinician's reset (twice when a drive trip needs acknowledging), then a new session
// that runs with the link up. A reset that keeps re-faulting fails the cell.
bool recovers(Rig& rig) {
  rig.wait_standstill();
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 3 && rig.status()["state"] != "idle"; ++i) {
    rig.call({{"cmd", "reset"}});
    std::this_thread::sleep_for(700ms);
  }
  if (rig.status()["state"] != "idle") return false;
  rig.wait_standstill();
  if (!rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}}).value("ok", false)) return false;
  rig.call({{"cmd", "speed"}, {"kmh", 1.0}});
  std::this_thread::sleep_for(2s);
  const json st = rig.status();
  rig.call({{"cmd", "stop"}});
  return st["state"] == "running" && st["drive"]["link_up"] == true;
}

// One cell: inject, then judge what a safety reviewer asks: was the belt stopped, was a fault
// latched and named, and does it stay stopped without a new start.
json run_cell(const RigOptions& o, const std::string& fault, const std::string& phase, const std::string& direction) {
  Rig rig(o);
  enter_phase(rig, phase, direction);
  json cell = {{"fault", fault}, {"phase", phase + " " + direction}};
  const bool daemon_gone = fault == "SIGKILL" || fault == "SIGTERM" || fault == "watchdog stall";
  if (fault == "peer restart") {
    rig.restart_sim();
  } else if (fault == "SIGKILL") {
    rig.daemon().stop(SIGKILL, 5s);
  } else if (fault == "SIGTERM") {
    cell["exit_code"] = rig.daemon().stop(SIGTERM, 30s);
  } else if (fault == "watchdog stall") {
    kill(rig.daemon_pid(), SIGSTOP);  // the loop stalls: no pets (systemd would kill it), no drive telegrams
  } else {
    rig.sim_command(fault);
  }
  std::this_thread::sleep_for(3s);
  if (!daemon_gone) {
    const json st = rig.status();
    cell["state"] = st["state"];
    cell["fault_cause"] = st["fault"].is_object() ? st["fault"]["cause"] : json(nullptr);
    cell["motion"] = st["motion"];
    rig.sim_command("normal");
    std::this_thread::sleep_for(2s);
    const json after = rig.status();
    cell["stays_latched"] = after["state"] == st["state"] && (after["state"] == "faulted" || after["state"] == "idle");
  }
  cell["belt_hz_after"] = rig.sim_belt_hz();
  if (fault == "watchdog stall") kill(rig.daemon_pid(), SIGKILL);
  const bool stopped = cell["belt_hz_after"].get<double>() >= 0 && cell["belt_hz_after"].get<double>() < 0.05;
  const bool named = daemon_gone || cell["fault_cause"].is_string() || phase == "decelerating";
  if (daemon_gone) rig.restart_daemon();
  cell["recovers"] = recovers(rig);
  cell["pass"] = stopped && named && (daemon_gone || cell["stays_latched"].get<bool>()) && cell["recovers"].get<bool>();
  return cell;
}

}  // namespace

json run_fault_matrix(const RigOptions& o, const std::string& only_fault) {
  // On RTU a dropped connection does not exist; a corrupted frame (bad CRC) does.
  const char* link_fault = o.transport == "rtu" ? "badcrc" : "drop";
  const char* faults[] = {"silence", "slow 400", "exception", "garbage", link_fault, "peer restart",
                          "SIGKILL", "SIGTERM", "watchdog stall"};
  const Phase phases[] = {{"accelerating", "reverse"}, {"cruising", "reverse"}, {"decelerating", "reverse"},
                          {"accelerating", "forward"}, {"cruising", "forward"}, {"decelerating", "forward"}};
  json cells = json::array();
  for (const char* f : faults) {
    if (!only_fault.empty() && only_fault != f) continue;
    for (const auto& p : phases) {
      std::cerr << "  " << f << " x " << p.name << " " << p.direction << "\n";
      try {
        cells.push_back(run_cell(o, f, p.name, p.direction));
      } catch (const std::exception& e) {
        // A cell that cannot even be set up fails, with the reason; the matrix goes on.
        cells.push_back({{"fault", f}, {"phase", std::string(p.name) + " " + p.direction}, {"pass", false},
                         {"error", e.what()}});
      }
    }
  }
  return cells;
}

void print_fault_matrix(const json& m) {
  std::printf("\nFault matrix: belt stopped within 3 s, fault latched and named, no restart without a new start,\n"
              "then reset + a new session runs\n");
  std::printf("%-16s", "fault");
  const char* cols[] = {"accelerating reverse", "cruising reverse", "decelerating reverse",
                        "accelerating forward", "cruising forward", "decelerating forward"};
  for (const char* c : cols) std::printf(" %-22s", c);
  std::printf("\n");
  std::string row_fault;
  for (const auto& cell : m) {
    if (cell["fault"] != row_fault) {
      if (!row_fault.empty()) std::printf("\n");
      row_fault = cell["fault"];
      std::printf("%-16s", row_fault.c_str());
    }
    std::string what = cell["pass"].get<bool>() ? "PASS " : "FAIL ";
    what += cell.contains("error")                                           ? std::string("set-up failed")
            : cell.contains("fault_cause") && cell["fault_cause"].is_string() ? cell["fault_cause"].get<std::string>()
            : cell.contains("exit_code")                                     ? "ramped, exit " + cell["exit_code"].dump()
            : cell.contains("state")                                         ? cell["state"].get<std::string>()
                                                                             : "drive watchdog";
    std::printf(" %-22s", what.c_str());
  }
  std::printf("\n");
}

namespace {

int connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

}  // namespace

namespace {

// `count` finished 20-minute records (start and end lines), as a clinic's directory holds after
// years: written before the measurement.
void fill_records(const std::string& dir, int count) {
  std::filesystem::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "2026%02d%02dT%02d%02d%02dZ", 1 + i % 12, 1 + (i / 12) % 28, (i / 336) % 24,
                  (i / 8064) % 60, i % 60);
    std::ofstream f(dir + "/" + id + "-" + std::to_string(i) + ".jsonl");
    f << R"({"type":"start","id":")" << id << "-" << i << R"(","profile":"lumbar-standard","patient":"LBP-)" << 1000 + i % 9000
      << R"(","start":"2026-01-01T10:00:00Z"})" "\n"
      << R"({"type":"end","end":"2026-01-01T10:20:00Z","reason":"completed","duration_s":1200,"reverse_s":1100,)"
         R"("reverse_m":800,"forward_s":0,"forward_m":0,"max_reverse_kmh":3.1,"estops":0,"faults":0,"pauses":1})" "\n";
  }
}

}  // namespace

json run_client_load(const RigOptions& o, const Load& load, std::chrono::seconds duration) {
  const int clients = load.clients, held = load.held;
  const bool reload_storm = load.reload_storm;
  RigOptions with_records = o;
  // records.keep above what is filled: the session's start must not rotate the records away
  // (the bench runs as the daemon's own user, a clinician, whose start trims to records.keep).
  if (load.history_records > 0) {
    with_records.extra_machine_yaml += "records:\n  keep: " + std::to_string(load.history_records + 1000) + "\n";
  }
  Rig rig(with_records);
  if (load.history_records > 0) fill_records(rig.dir() + "/state/sessions", load.history_records);
  FrameLog frames(rig.frame_log());
  rig.wait_standstill();
  rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
  rig.call({{"cmd", "speed"}, {"kmh", 2.0}});
  const std::string sock = rig.dir() + "/control.sock";
  std::atomic<bool> stop{false};
  std::atomic<long> requests{0}, dropped{0};
  std::vector<std::thread> threads;
  const auto deadline = std::chrono::steady_clock::now() + duration;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, kind = i % 5] {
      int fd = connect_unix(sock);
      if (fd < 0) return;
      char buf[65536];
      const std::string status = "{\"cmd\":\"status\"}\n", watch = "{\"cmd\":\"watch\",\"hz\":20}\n",
                        garbage = "\x01\x02 not json {{{\n", oversize = std::string(8000, 'x') + "\n";
      if (kind == 1) [[maybe_unused]] auto n = send(fd, watch.data(), watch.size(), MSG_NOSIGNAL);
      while (!stop && std::chrono::steady_clock::now() < deadline) {
        const std::string* line = kind == 0 ? &status : kind == 2 ? &garbage : kind == 4 ? &oversize : nullptr;
        if (line != nullptr) {
          if (send(fd, line->data(), line->size(), MSG_NOSIGNAL) < 0) {
            ++dropped;
            close(fd);
            fd = connect_unix(sock);
            if (fd < 0) return;
            continue;
          }
          ++requests;
          [[maybe_unused]] auto n = recv(fd, buf, sizeof buf, 0);
        } else if (kind == 1) {
          // A watcher reading its stream; closed by the daemon (pushed out by the per-user bound):
          // connect and watch again, as `treadctl watch` run in a loop would.
          const auto n = recv(fd, buf, sizeof buf, 0);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            ++dropped;
            close(fd);
            fd = connect_unix(sock);
            if (fd < 0) return;
            [[maybe_unused]] auto sent = send(fd, watch.data(), watch.size(), MSG_NOSIGNAL);
          }
        } else {
          std::this_thread::sleep_for(100ms);  // half-open: connected, never reads nor writes
        }
      }
      close(fd);
    });
  }
  // Idle connections held open (the daemon keeps at most its per-user share of them), and a
  // clinician's reload every 100 ms of a limits file padded to 200 KiB.
  std::vector<int> held_fds;
  for (int i = 0; i < held; ++i) {
    const int fd = connect_unix(sock);
    if (fd >= 0) held_fds.push_back(fd);
  }
  std::atomic<long> reloads{0};
  std::thread storm;
  if (reload_storm) {
    std::string limits = proc::read_file(rig.dir() + "/etc/limits.yaml");
    while (limits.size() < 200 * 1024) limits += "# padding " + std::string(100, '-') + "\n";
    std::ofstream(rig.dir() + "/etc/limits.yaml") << limits;
    storm = std::thread([&] {
      while (!stop && std::chrono::steady_clock::now() < deadline) {
        try {
          treadctl::Client c(sock);
          // As long as treadctl waits for one: a slow parse is an applied reload, not a lost one.
          if (c.call({{"cmd", "reload"}}, treadd::reload_answer_within_s * 1000).value("ok", false)) ++reloads;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(100ms);
      }
    });
  }
  // A clinician (or a script) asking the whole history over and over: the daemon reads and
  // serializes it on its worker, the loop only hands it over.
  std::atomic<long> histories{0};
  std::thread history;
  if (load.history_records > 0) {
    history = std::thread([&] {
      while (!stop && std::chrono::steady_clock::now() < deadline) {
        try {
          treadctl::Client c(sock);
          const json reply = c.call({{"cmd", "history"}}, 120'000);  // as treadctl waits for it
          if (reply.value("ok", false) && reply["sessions"].size() >= static_cast<std::size_t>(load.history_records)) {
            ++histories;
          }
        } catch (const std::exception&) {
        }
      }
    });
  }
  // Every core busy at normal priority: the loop and drive I/O threads run SCHED_FIFO (when the
  // host allows it, as the unit does) and must not notice.
  std::vector<std::thread> hogs;
  if (load.cpu_hog) {
    for (unsigned i = 0; i < std::max(1u, std::thread::hardware_concurrency()); ++i) {
      hogs.emplace_back([&] {
        volatile unsigned long spin = 0;
        while (!stop && std::chrono::steady_clock::now() < deadline) spin = spin + 1;
      });
    }
  }
  std::this_thread::sleep_for(2s);
  std::vector<double> estop_ms, reply_ms;
  for (int i = 0; i < 100 && std::chrono::steady_clock::now() < deadline - 2s; ++i) {
    // As `treadctl estop` does it: a new connection to the e-stop socket.
    const long long t0 = now_ns();
    try {
      treadctl::Client estop(sock + ".estop");
      estop.call({{"cmd", "estop"}});
    } catch (const std::exception&) {
      rig.call({{"cmd", "estop"}});
    }
    reply_ms.push_back(static_cast<double>(now_ns() - t0) / 1e6);
    if (auto t = frames.first_write_after(t0, 0, 4, 2000)) estop_ms.push_back(static_cast<double>(*t - t0) / 1e6);
    rig.wait_standstill();
    rig.call({{"cmd", "reset"}});
    rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
    rig.call({{"cmd", "speed"}, {"kmh", 1.0}});
    std::this_thread::sleep_for(300ms);
  }
  stop = true;
  for (auto& t : threads) t.join();
  if (storm.joinable()) storm.join();
  if (history.joinable()) history.join();
  for (auto& t : hogs) t.join();
  for (int fd : held_fds) close(fd);
  std::this_thread::sleep_for(1200ms);
  const std::string status = proc::read_file("/proc/" + std::to_string(rig.daemon_pid()) + "/status");
  const auto at = status.find("VmHWM:");
  const std::string metrics = proc::read_file(rig.metrics_file());
  auto value = [&](const std::string& name) {
    const auto p = metrics.find("\n" + name + " ");
    return p == std::string::npos ? -1.0 : std::stod(metrics.substr(p + name.size() + 2));
  };
  return {{"clients", clients},
          {"held_idle_connections", held_fds.size()},
          {"reloads_applied", reloads.load()},
          {"history_records", load.history_records},
          {"histories_answered", histories.load()},
          {"cpu_hog_threads", hogs.size()},
          {"connections_evicted", value("treadd_control_connections_evicted_total")},
          {"requests", requests.load()},
          {"reconnects_after_drop", dropped.load()},
          {"estop_under_load", summary_ms(estop_ms)},
          {"estop_reply_round_trip", summary_ms(reply_ms)},
          {"peak_rss_kib", at == std::string::npos ? 0 : std::stol(status.substr(at + 6))},
          {"loop_overruns", value("treadd_loop_overruns_total")},
          {"loop_worst_lateness_ms", value("treadd_loop_worst_lateness_seconds") * 1000},
          {"loop_ticks", value("treadd_loop_ticks_total")}};
}

}  // namespace treadd::bench
