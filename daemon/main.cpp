// SPDX-License-Identifier: Apache-2.0
// treadd: the treadmill controller daemon. Wires configuration, drive, supervisor, control loop
// and control socket together; every decision about the belt is the supervisor's.
#include <grp.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "config/loader.hpp"
#include "config/prescriptions.hpp"
#include "daemon/control_loop.hpp"
#include "daemon/controller.hpp"
#include "daemon/shutdown.hpp"
#include "daemon/drive_factory.hpp"
#include "daemon/instance_lock.hpp"
#include "daemon/background_work.hpp"
#include "daemon/commissioning/commissioning.hpp"
#include "daemon/commissioning/commissioning_guard.hpp"
#include "daemon/records/lockout_file.hpp"
#include "daemon/records/log.hpp"
#include "daemon/records/metrics.hpp"
#include "daemon/realtime.hpp"
#include "daemon/socket_server.hpp"

namespace {

using namespace treadd;
namespace asio = boost::asio;

struct Options {
  std::string config_dir = "/etc/treadd";
  std::string socket;
  std::string state_dir = "/var/lib/treadd";
  bool check_config = false;
  bool commission = false;
  bool answers_from_stdin = false;
  std::string technician;
};

// Pets the systemd watchdog from the control loop itself, and only while ticks run on time:
// a stalled loop stops the pets and systemd restarts the daemon (which comes up stopped).
class WatchdogPetter {
 public:
  WatchdogPetter() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) interval_ = std::chrono::microseconds(usec / 2);
  }
  void on_tick(TimePoint now, bool on_time) {
    if (!interval_ || !on_time || now - last_ < *interval_) return;
    last_ = now;
    sd_notify(0, "WATCHDOG=1");
  }

 private:
  std::optional<std::chrono::microseconds> interval_;
  TimePoint last_{};
};

// Connections are bounded well below any descriptor limit (socket_server.hpp); the soft limit is
// still raised to the hard one so that a low default never becomes the bound.
void raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// One answer from the technician: yes or no (any case, y/n too); anything else asks again. End of
// input is no answer at all, never a "no" nor a "yes".
std::optional<std::string> read_line(const std::string& prompt) {
  std::cout << prompt << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::cout << "\n";
    return std::nullopt;
  }
  if (!isatty(STDIN_FILENO)) std::cout << answer << "\n";  // a script's answers show in the transcript
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) answer.pop_back();
  return answer;
}

std::optional<bool> ask_yes_no(const std::string& question) {
  for (int tries = 0; tries < 5; ++tries) {
    auto answer = read_line(question + " [yes/no] ");
    if (!answer) return std::nullopt;
    std::string a = *answer;
    for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (a == "yes" || a == "y") return true;
    if (a == "no" || a == "n") return false;
    std::cout << "please answer yes or no\n";
  }
  return std::nullopt;
}

// `treadd --commission`: the technician's check of a real drive, run with the service stopped (the
// instance locks make sure of it). Questions on stdout, answers from the terminal.
int commission_drive(const Options& opt, const FullConfig& config) {
  if (!config.drive_profile) {
    std::cerr << "treadd: drive.transport is 'sim': the built-in simulated drive needs no commissioning\n";
    return 2;
  }
  if (!isatty(STDIN_FILENO) && !opt.answers_from_stdin) {
    std::cerr << "treadd: --commission asks the technician at the machine (is the belt unloaded? does it run the "
                 "right way?), but standard input is not a terminal; run it at a terminal, or give "
                 "--answers-from-stdin to answer from a script (a test rig)\n";
    return 2;
  }
  std::string technician = opt.technician;
  if (technician.empty()) {
    auto name = read_line("Your name, for the commissioning report: ");
    if (!name || name->empty()) {
      std::cerr << "treadd: the report needs the technician's name (or --technician NAME)\n";
      return 2;
    }
    technician = *name;
  }
  // The daemon holds the state directory's lock while it runs (its runtime directory, with the
  // socket's lock, is gone once the service stops): one lock says "the service is stopped".
  InstanceLock state_lock(opt.state_dir + "/treadd.lock", "the state directory " + opt.state_dir);
  const std::string socket_path = opt.socket.empty() ? config.machine.control.socket_path : opt.socket;
  // Its e-stop socket is the daemon's: never taken from a daemon running on another state directory.
  InstanceLock socket_lock(socket_path + ".lock", "the control socket " + socket_path);
  // Whatever the transport: commissioning speaks to the MotorDrive interface.
  const std::unique_ptr<MotorDrive> drive = make_drive(config);
  CommissioningGuard guard(*drive, SocketServer::estop_path(socket_path));
  CommissioningIo io;
  io.say = [](const std::string& line) { std::cout << line << std::endl; };
  io.ask = ask_yes_no;
  io.ask_value = [](const std::string& prompt) { return read_line(prompt + " "); };
  io.stopped = &guard.stopped();
  io.technician = technician;
  io.answered_by = opt.answers_from_stdin && !isatty(STDIN_FILENO) ? "a script (--answers-from-stdin)" : "the technician at a terminal";
  const CommissioningOutcome outcome = commission(config, *drive, io, [&](const CommissioningRecord& starting) {
    withdraw_commissioning_record(opt.state_dir, starting);
  });
  const CommissioningRecord& rec = outcome.record;
  if (!outcome.drive_answered) {
    guard.finished();
    std::cerr << "treadd: " << rec.checks.front().detail << "\nnothing was checked; the last commissioning report is kept\n";
    return 1;
  }
  std::string path;
  try {
    path = write_commissioning_record(opt.state_dir, rec);
  } catch (const std::runtime_error& e) {
    guard.finished();
    // The "in progress" report written before the belt moved stays: a failed state, never a pass.
    std::cerr << "treadd: " << e.what() << "; the commissioning counts as failed\n";
    log::error(std::string("commissioning report not written: ") + e.what());
    return 1;
  }
  guard.finished();
  std::cout << "\n" << to_text(rec) << "\nreport written to " << path << " (and latest.json beside it)\n";
  log::notice(std::string("commissioning of ") + rec.profile + (rec.passed ? " passed" : " FAILED") + "; report " + path);
  return rec.passed ? 0 : 1;
}

int run(const Options& opt) {
  auto loaded = load_config_dir(opt.config_dir);
  if (!loaded.ok()) {
    // At a terminal (--check-config) the errors whole. Under systemd the journal keeps what
    // for_the_journal allows (a clinician's file may quote a person's name), as one message, so that
    // each of its lines carries the error priority: written raw, the errors were at journald's
    // default (info), and `journalctl -p err` showed none of them.
    if (opt.check_config) {
      std::cerr << join(loaded.errors);
    } else {
      log::error(join(for_the_journal(loaded.errors)) + "configuration in " + opt.config_dir +
                 " has errors; refusing to start (treadctl check-config " + opt.config_dir +
                 "/limits.yaml, and each patients/CODE.yaml, shows them whole)");
    }
    return 2;
  }
  FullConfig config = std::move(*loaded.value);
  if (opt.check_config) {
    std::cout << opt.config_dir << ": configuration is valid (" << config.limits.profiles.size() << " profiles, "
              << config.limits.programs.size() << " programs)\n";
    return 0;
  }
  if (opt.commission) return commission_drive(opt, config);
  for (const std::string& group : {config.machine.control.clinician_group, config.machine.control.operator_group}) {
    if (getgrnam(group.c_str()) == nullptr) {
      log::warning("role group '" + group + "' does not exist: nobody but root gets that role (see systemd-sysusers)");
    }
  }
  const std::string socket_path = opt.socket.empty() ? config.machine.control.socket_path : opt.socket;
  // Before the drive is touched: a second daemon on the same socket or state refuses to start.
  InstanceLock socket_lock(socket_path + ".lock", "the control socket " + socket_path);
  InstanceLock state_lock(opt.state_dir + "/treadd.lock", "the state directory " + opt.state_dir);
  raise_descriptor_limit();

  sd_notify(0, "STATUS=connecting to the drive");
  auto drive = make_drive(config);
  // Connecting never ends the daemon: a drive still booting, a wrong unit id or a refused setting
  // leaves treadd up (status says why, the e-stop socket answers) and trying again in the background.
  drive->start_connecting();
  const auto connect_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!drive->feedback().link_up && std::chrono::steady_clock::now() < connect_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string drive_problem = drive->link_problem();
  if (drive_problem.empty()) {
    log::notice("drive connected: " + drive->describe());
  } else {
    log::error("drive not connected, retrying: " + drive_problem);
  }

  asio::io_context io;
  BackgroundSync disk_sync;
  StorageHealth storage;
  const RecordsSettings& records = config.machine.records;
  SessionRecorder recorder(opt.state_dir + "/sessions",
                           {static_cast<std::size_t>(records.keep), records.keep_days, records.age_by}, &disk_sync,
                           &storage);
  AuditLog audit(opt.state_dir + "/audit.log", &disk_sync, &storage);
  // Declared after what it writes to: destroyed first, it writes what is queued (a session's end) before they go.
  StorageWriter writer;
  Controller controller(config, opt.config_dir, *drive,
                        Traces{&recorder, &audit, opt.state_dir + "/sessions", &storage, &writer,
                               opt.state_dir + "/lockout"});
  if (const LockoutAtStart lockout = read_lockout(opt.state_dir + "/lockout"); lockout.locked) {
    log::warning(lockout.why);  // the journal says who locked it; status (which anyone reads) does not
    controller.restore_lockout("the treadmill is locked (the lock-out outlives restarts); a clinician unlocks it");
  }
  std::optional<std::string> identity;
  if (drive_problem.empty() && config.drive_profile) identity = drive->identity();
  const LatestCommissioning latest_commissioning = read_latest_commissioning(opt.state_dir);
  const CommissioningStatus commissioning = judge_commissioning(config, latest_commissioning, identity);
  controller.set_commissioning(commissioning);
  if (commissioning.worth_a_warning()) log::warning("commissioning: " + commissioning.detail);
  // A marker that only a clean exit removes: finding it means a crash, watchdog kill or power loss.
  const std::string marker = opt.state_dir + "/treadd.running";
  std::error_code marker_error;
  if (std::filesystem::exists(marker, marker_error)) {
    const std::string notice =
        "treadd restarted after an unexpected stop (crash, watchdog or power loss); the belt is stopped and no "
        "session was resumed";
    log::warning(notice);
    controller.set_notice(notice);
  }
  std::ofstream(marker) << getpid() << "\n";
  SocketServer server(io, socket_path, controller,
                      RoleGroups{config.machine.control.clinician_group, config.machine.control.operator_group});
  server.start();
  BackgroundWork background(io, controller);
  server.set_background(&background);
  WatchdogPetter watchdog;
  std::optional<State> last_state;
  std::uint32_t seen_generation = controller.last_feedback().link_generation;
  TimePoint next_drive_check = TimePoint{};
  ControlLoop loop(io, controller, config.machine.control.tick_hz, [&](TimePoint now, bool on_time) {
    watchdog.on_tick(now, on_time);
    server.publish(now);
    // Once a second: a drive that connected or reconnected is judged against its commissioning
    // (a swapped drive says another identity), and a changed connection problem is logged.
    if (now >= next_drive_check) {
      next_drive_check = now + std::chrono::seconds(1);
      std::string problem = drive->link_problem();
      if (problem != drive_problem) {
        if (problem.empty()) {
          log::notice("drive connected: " + drive->describe());
        } else {
          log::error("drive not connected, retrying: " + problem);
        }
        drive_problem = std::move(problem);
      }
      // Every second, not only on a reconnect: on RS-485 a drive swapped while powered off comes
      // back on the same link, and the re-arm after its restart reads its identity anew.
      const auto& fb = controller.last_feedback();
      std::string live_identity = fb.link_up && config.drive_profile ? drive->identity() : std::string();
      if (config.drive_profile && fb.link_up &&
          (fb.link_generation != seen_generation || !identity || *identity != live_identity)) {
        seen_generation = fb.link_generation;
        identity = std::move(live_identity);
        const CommissioningStatus now_status = judge_commissioning(config, latest_commissioning, identity);
        if (now_status.worth_a_warning()) log::warning("commissioning: " + now_status.detail);
        controller.set_commissioning(now_status);
      }
    }
    // systemctl status shows what the belt is doing; sent (and built) only when the state changes.
    if (controller.supervisor().state() == last_state) return;
    last_state = controller.supervisor().state();
    const Status st = controller.supervisor().status();
    const std::string line = std::string("STATUS=") + to_string(st.state) +
                             (st.profile ? ", profile " + st.profile->name : "") +
                             (st.fault ? ", fault: " + controller.wording().fault(*st.fault) : "");
    sd_notify(0, line.c_str());
  });
  loop.start();

  const auto started = std::chrono::steady_clock::now();
  const std::string metrics_file =
      config.machine.metrics.textfile.empty() ? opt.state_dir + "/metrics/treadd.prom" : config.machine.metrics.textfile;
  asio::steady_timer metrics_timer(io);
  std::function<void()> write_metrics = [&]() {
    MetricsSnapshot m;
    m.status = controller.supervisor().status();
    m.safety = controller.counters();
    m.link = drive->link_counters();
    m.link_up = controller.last_feedback().link_up;
    m.direction_verified = controller.last_feedback().direction_verified;
    if (controller.commissioning()) m.commissioning = controller.commissioning()->state;
    m.ticks = loop.stats().ticks;
    m.overruns = loop.stats().overruns;
    m.worst_lateness_s = std::chrono::duration<double>(loop.stats().worst_lateness).count();
    m.lateness = loop.stats().lateness;
    m.tick_period_s = std::chrono::duration<double>(loop.period()).count();
    const auto now = std::chrono::steady_clock::now();
    m.uptime_s = std::chrono::duration<double>(now - started).count();
    m.storage_errors = storage.errors();
    m.storage_dropped = writer.dropped();
    m.connections_evicted = server.counters().evicted;
    m.connections_idle_closed = server.counters().idle_closed;
    // Rendered here (a few kilobytes), written by the writer: a slow disk never delays a tick.
    writer.post([&storage, metrics_file, now,
                 text = render_metrics(m, std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count())] {
      if (write_metrics_file(metrics_file, text)) {
        storage.succeeded(StorageHealth::Sink::metrics);
      } else {
        storage.failed(StorageHealth::Sink::metrics, "cannot write metrics to " + metrics_file, now);
      }
    });
    metrics_timer.expires_after(config.machine.metrics.interval);
    metrics_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) write_metrics();
    });
  };
  write_metrics();
  log::notice("listening on " + socket_path + "; the belt is stopped until someone starts a session");
  sd_notify(0, "READY=1\nSTATUS=ready: belt stopped, no session");

  asio::steady_timer shutdown_timer(io);
  ShutdownSequence shutdown;
  std::function<void()> wait_for_rest = [&]() {
    if (shutdown.may_exit(controller.belt_at_rest(), std::chrono::steady_clock::now())) {
      controller.end_records_for_exit(std::chrono::steady_clock::now());
      loop.stop();
      metrics_timer.cancel();
      server.close();
      drive->disconnect();
      io.stop();
      return;
    }
    shutdown_timer.expires_after(std::chrono::milliseconds(50));
    shutdown_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) wait_for_rest();
    });
  };

  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void()> wait_signal = [&]() {
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        log::notice("SIGHUP: reloading limits");
        background.reload("SIGHUP", nullptr);
      } else if (const auto now = std::chrono::steady_clock::now(); shutdown.begin(now)) {
        log::notice("stopping: ramping the belt down before exit");
        sd_notify(0, "STOPPING=1\nSTATUS=stopping: ramping the belt down");
        controller.stop_for_shutdown(now);
        wait_for_rest();
      }
      wait_signal();
    });
  };
  wait_signal();
  // Every worker thread exists by now at normal priority; only the loop (this thread) and the
  // drive's I/O thread are raised.
  std::string rt_problem = raise_to_realtime(pthread_self(), loop_rt_priority);
  if (auto io_thread = drive->io_thread(); io_thread && rt_problem.empty()) {
    rt_problem = raise_to_realtime(*io_thread, loop_rt_priority - 1);
  }
  const std::string memory_problem = lock_current_memory();
  if (rt_problem.empty() && memory_problem.empty()) {
    log::notice("control loop and drive I/O run with real-time scheduling (SCHED_FIFO " +
                std::to_string(loop_rt_priority) + "), memory locked");
  } else {
    log::warning("no real-time protection for the control loop: " + (rt_problem.empty() ? memory_problem : rt_problem) +
                 "; a busy host can delay ticks (loop_overrun)");
  }
  io.run();
  std::filesystem::remove(marker, marker_error);
  log::notice("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"treadd: safety controller for reverse-belt rehabilitation treadmills"};
  app.set_version_flag("--version", std::string("treadd ") + TREADD_VERSION);
  app.add_option("--config-dir", opt.config_dir, "directory with machine.yaml and limits.yaml")->capture_default_str();
  app.add_option("--socket", opt.socket, "control socket path (overrides control.socket)");
  app.add_option("--state-dir", opt.state_dir, "directory for session records")->capture_default_str();
  app.add_flag("--check-config", opt.check_config, "validate the configuration and exit");
  app.add_flag("--commission", opt.commission,
               "technician's check of a real drive (belt unloaded, service stopped): parameters, panel settings, "
               "belt runs, stops and the drive's own comms-loss stop; writes a report under the state directory");
  app.add_flag("--answers-from-stdin", opt.answers_from_stdin,
               "--commission: take the technician's answers from a pipe (a test rig); without it they must come from "
               "a terminal");
  app.add_option("--technician", opt.technician, "--commission: the technician's name, for the report");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print to stdout as usual. A usage error (a typo in an ExecStart drop-in)
    // goes through the log, so that under systemd every line of it is at error priority.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::ostringstream out, err;
    const int code = app.exit(e, out, err);
    log::error(err.str() + out.str());
    return code;
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    log::error(e.what());
    return 1;
  }
}
