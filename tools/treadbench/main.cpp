// SPDX-License-Identifier: Apache-2.0
// treadbench: measures treadd the way a safety reviewer would, end to end through real processes:
// e-stop latency to the drive, link-loss reaction, control-loop timing idle and loaded, footprint
// and Modbus link efficiency. Prints a table and writes JSON. Run from the build tree:
//   build/tools/treadbench [--quick] [--out bench-results.json]
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <thread>

#include "tools/treadbench/matrix.hpp"
#include "tools/treadbench/rig.hpp"
#include "tools/treadbench/stats.hpp"

namespace {

using namespace treadd::bench;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr int fast_stop_word = 4;  // generic profile: commands.fast_stop at register 0

json bench_estop(const RigOptions& o, int trials, int moving_trials) {
  Rig rig(o);
  FrameLog frames(rig.frame_log());
  rig.wait_standstill();
  std::mt19937 rng(42);
  std::vector<double> idle_ms, moving_ms;
  auto one = [&](std::vector<double>& out) {
    const long long t0 = now_ns();
    rig.call({{"cmd", "estop"}});
    if (auto t = frames.first_write_after(t0, 0, fast_stop_word, 2000)) out.push_back(static_cast<double>(*t - t0) / 1e6);
  };
  for (int i = 0; i < trials; ++i) {
    // A random phase against the 20 ms poll cycle, so some e-stops meet a poll in flight.
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
    one(idle_ms);
    rig.call({{"cmd", "reset"}});
  }
  for (int i = 0; i < moving_trials; ++i) {
    rig.wait_standstill();
    rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
    rig.call({{"cmd", "speed"}, {"kmh", 2.0}});
    std::this_thread::sleep_for(3s);
    one(moving_ms);
    rig.wait_standstill();
    rig.call({{"cmd", "reset"}});
  }
  return {{"idle_belt", summary_ms(idle_ms)}, {"moving_belt", summary_ms(moving_ms)}};
}

json bench_linkloss(const RigOptions& o, int trials) {
  Rig rig(o);
  FrameLog frames(rig.frame_log());
  std::vector<double> fault_ms, stop_ms;
  for (int i = 0; i < trials; ++i) {
    rig.wait_standstill();
    rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
    std::this_thread::sleep_for(1s);
    const long long t0 = now_ns();
    rig.sim_command("silence");
    while (rig.status()["state"] != "faulted" && now_ns() - t0 < 5'000'000'000LL) std::this_thread::sleep_for(1ms);
    fault_ms.push_back(static_cast<double>(now_ns() - t0) / 1e6);
    if (auto t = frames.first_write_after(t0, 0, fast_stop_word, 3000)) stop_ms.push_back(static_cast<double>(*t - t0) / 1e6);
    rig.sim_command("normal");
    std::this_thread::sleep_for(800ms);
    rig.wait_standstill();
    // The drive tripped on its own comms-loss watchdog: the first reset acknowledges its trip.
    json reset = rig.call({{"cmd", "reset"}});
    for (int retry = 0; retry < 10 && !reset.value("ok", false); ++retry) {
      std::this_thread::sleep_for(200ms);
      reset = rig.call({{"cmd", "reset"}});
    }
    if (!reset.value("ok", false)) std::cerr << "  reset refused: " << reset.dump() << "\n";
  }
  return {{"to_fault_latched", summary_ms(fault_ms)}, {"to_stop_frame_at_drive", summary_ms(stop_ms)},
          {"bound_ms", "min(link_timeout 500, response_timeout 200 x max_failed_polls 3 + poll 20) + tick 20 = 520"}};
}

// Reads one metric (or histogram) from the Prometheus text file.
double metric(const std::string& text, const std::string& name) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex("\\n" + std::regex_replace(name, std::regex("[{}\"+.]"), "\\$&") +
                                            " ([0-9.eE+-]+)"))) {
    return std::stod(m[1]);
  }
  return 0;
}

json lateness_from_metrics(const std::string& text) {
  // Percentiles by interpolation within the histogram's buckets (log-spaced, 4 per decade).
  std::vector<std::pair<double, double>> buckets;
  std::regex re("treadd_loop_lateness_seconds_bucket\\{le=\"([0-9.e+-]+)\"\\} ([0-9.e+]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    buckets.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
  }
  const double total = metric(text, "treadd_loop_lateness_seconds_count");
  auto pct = [&](double p) {
    double prev_le = 0, prev_c = 0;
    for (auto [le, c] : buckets) {
      if (c >= p * total) return (prev_le + (le - prev_le) * (p * total - prev_c) / std::max(1.0, c - prev_c)) * 1000;
      prev_le = le;
      prev_c = c;
    }
    return prev_le * 1000;
  };
  return {{"ticks", total},
          {"p50_ms", pct(0.5)},
          {"p99_ms", pct(0.99)},
          {"max_ms", metric(text, "treadd_loop_worst_lateness_seconds") * 1000},
          {"overruns", metric(text, "treadd_loop_overruns_total")}};
}

json bench_loop(RigOptions o, double hz, bool loaded, std::chrono::seconds duration) {
  o.tick_hz = hz;
  o.transport = "sim";
  std::atomic<bool> stop{false};
  std::vector<std::thread> burners;
  if (loaded) {
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i) {
      burners.emplace_back([&] {
        volatile double x = 1;
        while (!stop) x = x * 1.0000001 + 1e-9;
      });
    }
  }
  Rig rig(o);
  rig.wait_standstill();
  rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
  rig.call({{"cmd", "speed"}, {"kmh", 2.0}});
  std::this_thread::sleep_for(duration);
  std::this_thread::sleep_for(1200ms);  // one more metrics write
  json r = lateness_from_metrics(treadd::proc::read_file(rig.metrics_file()));
  stop = true;
  for (auto& t : burners) t.join();
  r["hz"] = hz;
  r["load"] = loaded ? "all cores busy" : "idle";
  return r;
}

json bench_footprint(const RigOptions& o, std::chrono::seconds duration) {
  Rig rig(o);
  rig.wait_standstill();
  rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
  rig.call({{"cmd", "speed"}, {"kmh", 2.0}});
  auto cpu_ticks = [&] {
    std::ifstream in("/proc/" + std::to_string(rig.daemon_pid()) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream f(s.substr(s.rfind(')') + 2));
    std::string field;
    long long utime = 0, stime = 0;
    for (int i = 3; i <= 15; ++i) {
      f >> field;
      if (i == 14) utime = std::stoll(field);
      if (i == 15) stime = std::stoll(field);
    }
    return utime + stime;
  };
  const long long c0 = cpu_ticks();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(duration);
  const double cpu_s = static_cast<double>(cpu_ticks() - c0) / static_cast<double>(sysconf(_SC_CLK_TCK));
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::this_thread::sleep_for(1200ms);
  const std::string status = treadd::proc::read_file("/proc/" + std::to_string(rig.daemon_pid()) + "/status");
  std::smatch m;
  double hwm_kib = 0;
  if (std::regex_search(status, m, std::regex("VmHWM:\\s+([0-9]+) kB"))) hwm_kib = std::stod(m[1]);
  const std::string metrics = treadd::proc::read_file(rig.metrics_file());
  const double ticks = metric(metrics, "treadd_loop_ticks_total");
  const double transactions = metric(metrics, "treadd_link_transactions_total");
  // Modbus TCP bytes per poll cycle: FC16 write of 2 registers (17 out, 12 back) + FC04 read of
  // 3 registers (12 out, 15 back), each with its 7-byte MBAP header counted.
  const double cycles_per_s = transactions / 2 / std::max(1.0, metric(metrics, "treadd_uptime_seconds"));
  return {{"cpu_percent_of_one_core", 100 * cpu_s / wall_s},
          {"peak_rss_mib", hwm_kib / 1024},
          {"modbus_transactions_per_tick", transactions / std::max(1.0, ticks)},
          {"modbus_tcp_bytes_per_s", cycles_per_s * (17 + 12 + 12 + 15)},
          {"poll_cycles_per_s", cycles_per_s}};
}

// The physical limit of RTU: frame times at a baud rate, from the frame sizes of one poll cycle.
json rtu_limits() {
  json rows = json::array();
  for (int baud : {19200, 115200}) {
    const double char_ms = 11.0 * 1000 / baud;
    const double gap_ms = baud > 19200 ? 1.75 : 3.5 * char_ms;
    // FC16 (2 regs) request 13 + response 8 bytes; FC04 (3 regs) request 8 + response 11 bytes.
    const double cycle_ms = (13 + 8 + 8 + 11) * char_ms + 4 * gap_ms;
    rows.push_back({{"baud", baud}, {"cycle_ms_without_drive_turnaround", cycle_ms},
                    {"max_poll_rate_hz", 1000 / cycle_ms}});
  }
  return rows;
}

// RTU as it is on the wire: treadd and treadsim joined by treadline, which paces every byte at
// the baud rate on one half-duplex line. The e-stop bound is "one transaction in flight + one
// frame": the longest transaction of a poll may have just started, then the e-stop's FC06
// (8 bytes) goes out, each frame after a turnaround gap.
json bench_rtu_line(RigOptions o, bool quick) {
  json rows = json::array();
  for (int baud : {19200, 115200}) {
    o.transport = "rtu";
    o.line_baud = baud;
    o.rtu_poll = baud <= 19200 ? "40ms" : "20ms";
    o.realtime_rig = true;
    const double char_ms = 11.0 * 1000 / baud;  // 8 data bits, parity or 2 stop bits: 11 a character
    const double gap_ms = baud > 19200 ? 1.75 : 3.5 * char_ms;
    // The wire's own bound: the longest transaction that may be in flight when the e-stop comes,
    // then the e-stop frame, with a turnaround gap before each of the three frames. On the generic
    // profile the longest is the feedback read (input registers 16-20 in one FC04: request 8
    // characters, response 3 + 2x5 + 2 = 15), longer than the FC16 command write (13 + 8).
    constexpr int longest_transaction_chars = 8 + 15, estop_frame_chars = 8;
    const double bound_ms = (longest_transaction_chars + estop_frame_chars) * char_ms + 3 * gap_ms;
    std::cerr << "RTU line at " << baud << " baud: e-stop latency...\n";
    json estop = bench_estop(o, quick ? 60 : 300, quick ? 2 : 5);
    std::cerr << "RTU line at " << baud << " baud: poll rate...\n";
    double cycles_per_s = 0;
    {
      Rig rig(o);
      rig.wait_standstill();
      std::this_thread::sleep_for(2s);
      const std::string m0 = treadd::proc::read_file(rig.metrics_file());
      std::this_thread::sleep_for(quick ? 5s : 20s);
      std::this_thread::sleep_for(1200ms);
      const std::string m1 = treadd::proc::read_file(rig.metrics_file());
      const double dt = metric(m1, "treadd_uptime_seconds") - metric(m0, "treadd_uptime_seconds");
      // Two transactions a cycle (command write, feedback read), plus the settings read-back once a second.
      const double tx = metric(m1, "treadd_link_transactions_total") - metric(m0, "treadd_link_transactions_total");
      cycles_per_s = dt > 0 ? (tx / dt - 2) / 2 : 0;
    }
    std::cerr << "RTU line at " << baud << " baud: link loss...\n";
    json linkloss = bench_linkloss(o, quick ? 3 : 5);
    rows.push_back({{"baud", baud}, {"poll_period", o.rtu_poll}, {"rig_sched_fifo", realtime_rig_allowed()},
                    {"estop", estop}, {"estop_bound_ms", bound_ms},
                    {"poll_cycles_per_s", cycles_per_s}, {"linkloss", linkloss}});
  }
  return rows;
}

// One row per load: the e-stop to its frame at the drive, the loop's worst lateness, and the p99
// as a ratio of the first row's (the same machine in the same run: noise shows as a ratio near 1).
void print_load(const json& rows) {
  std::printf("\n%-54s %-30s %-9s %-14s %s\n", "load (a session running)", "e-stop -> frame p50/p99/max ms", "p99 ratio",
              "loop worst ms", "overruns");
  const double base = rows.empty() ? 0 : rows[0]["estop_under_load"]["p99_ms"].get<double>();
  for (const auto& r : rows) {
    const json& e = r["estop_under_load"];
    char cell[64];
    std::snprintf(cell, sizeof cell, "%.2f / %.2f / %.2f (n=%d)", e["p50_ms"].get<double>(), e["p99_ms"].get<double>(),
                  e["max_ms"].get<double>(), e["n"].get<int>());
    std::printf("%-54s %-30s %-9.2f %-14.2f %.0f\n", r["scenario"].get<std::string>().c_str(), cell,
                base > 0 ? e["p99_ms"].get<double>() / base : 0.0, r["loop_worst_lateness_ms"].get<double>(),
                r["loop_overruns"].get<double>());
  }
}

void print_rtu_line(const json& rows) {
  std::printf("%-8s %-6s %-34s %-34s %-10s %s\n", "baud", "poll", "e-stop -> frame at drive p50/p99/max", "bound (1 transaction + 1 frame)",
              "cycles/s", "silent drive -> fault p50/max");
  for (const auto& r : rows) {
    const json& e = r["estop"]["idle_belt"];
    const json& l = r["linkloss"]["to_fault_latched"];
    std::printf("%-8d %-6s %6.1f / %6.1f / %6.1f ms            %6.1f ms                          %-10.1f %6.0f / %6.0f ms\n",
                r["baud"].get<int>(), r["poll_period"].get<std::string>().c_str(), e.value("p50_ms", 0.0),
                e.value("p99_ms", 0.0), e.value("max_ms", 0.0), r["estop_bound_ms"].get<double>(),
                r["poll_cycles_per_s"].get<double>(), l.value("p50_ms", 0.0), l.value("max_ms", 0.0));
  }
  if (!rows.empty()) {
    std::printf("the rig (treadline, treadsim): %s\n",
                rows[0].value("rig_sched_fifo", false) ? "SCHED_FIFO 60, as hardware no host delays"
                                                       : "normal scheduling (no privilege for SCHED_FIFO): its wake-ups add to the figures");
  }
}

void print_table(const json& r) {
  auto row = [](const std::string& what, const json& s) {
    std::printf("%-44s %8.3f %8.3f %8.3f  (n=%d)\n", what.c_str(), s.value("p50_ms", 0.0), s.value("p99_ms", 0.0),
                s.value("max_ms", 0.0), s.value("n", s.value("ticks", 0)));
  };
  std::printf("%-44s %8s %8s %8s\n", "measure (ms)", "p50", "p99", "max");
  row("e-stop -> stop frame at drive (idle belt)", r["estop"]["idle_belt"]);
  row("e-stop -> stop frame at drive (moving belt)", r["estop"]["moving_belt"]);
  row("drive silent -> fault latched", r["linkloss"]["to_fault_latched"]);
  row("drive silent -> stop frame sent", r["linkloss"]["to_stop_frame_at_drive"]);
  for (const auto& l : r["loop"]) {
    row("tick lateness " + std::to_string(l["hz"].get<int>()) + " Hz, " + l["load"].get<std::string>() +
            " (overruns " + std::to_string(static_cast<int>(l["overruns"].get<double>())) + ")",
        l);
  }
  const json& f = r["footprint"];
  std::printf("\nfootprint at 50 Hz on Modbus TCP: %.2f %% of a core, peak RSS %.1f MiB, %.2f Modbus transactions per tick, %.0f B/s\n",
              f["cpu_percent_of_one_core"].get<double>(), f["peak_rss_mib"].get<double>(),
              f["modbus_transactions_per_tick"].get<double>(), f["modbus_tcp_bytes_per_s"].get<double>());
  for (const auto& l : r["rtu_limits"]) {
    std::printf("RTU %6d baud: %.1f ms per poll cycle on the wire -> at most %.0f Hz before drive turnaround\n",
                l["baud"].get<int>(), l["cycle_ms_without_drive_turnaround"].get<double>(), l["max_poll_rate_hz"].get<double>());
  }
}

}  // namespace

// A motor that turns the wrong way from the first second (the Delta twin's motor turning forward
// whatever it is told, as with a terminal REV input winning over the bus): from the first reading
// above standstill to the latched wrong_direction fault, and the fastest the belt went meanwhile.
// Status is read over one persistent connection, as fast as it answers.
json bench_direction(const RigOptions& base, int trials) {
  RigOptions o = base;
  o.twin = "delta-ms300";
  Rig rig(o);
  std::vector<double> to_latch_ms, peak_kmh;
  int latched_as_wrong_direction = 0;
  for (int i = 0; i < trials; ++i) {
    rig.wait_standstill();
    rig.call({{"cmd", "reset"}});
    rig.sim_command("wrong-turn on");
    rig.call({{"cmd", "start"}, {"profile", "lumbar-standard"}});
    std::optional<std::chrono::steady_clock::time_point> moving_since;
    double peak = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    json st;
    while (std::chrono::steady_clock::now() < until) {
      st = rig.status();
      const double kmh = st["measured_kmh"].is_number() ? st["measured_kmh"].get<double>() : 0.0;
      peak = std::max(peak, kmh);
      if (!moving_since && kmh >= 0.1) moving_since = std::chrono::steady_clock::now();
      if (st["state"] == "faulted") break;
    }
    if (st["state"] == "faulted" && moving_since) {
      to_latch_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - *moving_since).count());
      if (st["fault"]["cause"] == "wrong_direction") ++latched_as_wrong_direction;
    }
    peak_kmh.push_back(peak);
    rig.sim_command("wrong-turn off");
  }
  json r = {{"scenario", "Delta MS300 twin, motor turning forward while reverse is commanded, poll 20 ms"},
            {"first_reading_above_standstill_to_fault", summary_ms(to_latch_ms)},
            {"latched_as_wrong_direction", latched_as_wrong_direction},
            {"trials", trials},
            {"peak_belt_kmh_before_latch", {{"p50", percentile(peak_kmh, 0.5)}, {"max", peak_kmh.empty() ? 0.0 : *std::max_element(peak_kmh.begin(), peak_kmh.end())}}}};
  return r;
}

int main(int argc, char** argv) {
  RigOptions o;
  o.bin_dir = TREADD_BINARY_DIR;
  o.source_dir = TREADD_SOURCE_DIR;
  std::string out = "bench-results.json";
  bool quick = false;
  CLI::App app{"treadbench: e-stop latency, link-loss reaction, loop timing, footprint"};
  app.add_option("--out", out, "JSON results file")->capture_default_str();
  app.add_flag("--quick", quick, "fewer trials and 20 s loop runs instead of 5 minutes");
  std::string only;
  app.add_option("--nice", o.nice, "run treadd at this niceness (the unit's Nice=; negative needs root)");
  app.add_option("--only", only, "run one part: estop, linkloss, loop, footprint, matrix, load, rtu-line, direction");
  std::string matrix_transport = "tcp";
  app.add_option("--transport", matrix_transport, "the fault matrix's drive link: tcp, or rtu (pty pair, 19200 baud, poll 40 ms)")
      ->check(CLI::IsMember({"tcp", "rtu"}));
  std::string matrix_fault;
  app.add_option("--fault", matrix_fault, "the fault matrix's row to run alone (e.g. \"peer restart\")");
  CLI11_PARSE(app, argc, argv);
  // The load part holds 1,000 connections on top of its 200 clients.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const auto loop_time = quick ? std::chrono::seconds(20) : std::chrono::seconds(300);

  auto wanted = [&](const char* part) { return only.empty() || only == part; };
  if (only == "matrix") {
    std::cerr << "fault matrix on " << matrix_transport << " (about 12 minutes)...\n";
    RigOptions mo = o;
    mo.transport = matrix_transport;
    json m = run_fault_matrix(mo, matrix_fault);
    std::ofstream(out) << m.dump(2) << "\n";
    print_fault_matrix(m);
    return 0;
  }
  if (only == "direction") {
    json d = bench_direction(o, quick ? 10 : 30);
    std::ofstream(out) << d.dump(2) << "\n";
    std::cout << d.dump(2) << "\n";
    return 0;
  }
  if (only == "rtu-line") {
    json rows = bench_rtu_line(o, quick);
    std::ofstream(out) << rows.dump(2) << "\n";
    print_rtu_line(rows);
    return 0;
  }
  if (only == "load") {
    // Each scenario alone, then all together, so that each figure says what it is under.
    struct Scenario {
      const char* name;
      Load load;
    };
    const Scenario scenarios[] = {
        {"moving belt, nothing else", {}},
        {"1,000 held idle connections", {.held = 1000}},
        {"reload storm (every 100 ms, 200 KiB limits.yaml)", {.reload_storm = true}},
        {"history over 100,000 records, asked again and again", {.history_records = quick ? 20000 : 100000}},
        {"a busy thread on every core", {.cpu_hog = true}},
        {"200 active clients + 1,000 held + reload storm", {.clients = 200, .held = 1000, .reload_storm = true}}};
    json all = json::array();
    for (const Scenario& sc : scenarios) {
      const auto duration = std::chrono::seconds(quick ? 30 : 90);
      std::cerr << sc.name << ", " << duration.count() << " s while a session runs...\n";
      json l = run_client_load(o, sc.load, duration);
      l["scenario"] = sc.name;
      all.push_back(l);
    }
    print_load(all);
    std::ofstream(out) << all.dump(2) << "\n";
    std::cout << "\nresults written to " << out << "\n";
    return 0;
  }
  json r = {{"estop", {{"idle_belt", json::object()}, {"moving_belt", json::object()}}},
            {"linkloss", {{"to_fault_latched", json::object()}, {"to_stop_frame_at_drive", json::object()}}},
            {"loop", json::array()},
            {"footprint", {{"cpu_percent_of_one_core", 0.0}, {"peak_rss_mib", 0.0}, {"modbus_transactions_per_tick", 0.0},
                           {"modbus_tcp_bytes_per_s", 0.0}}}};
  if (wanted("estop")) {
    std::cerr << "e-stop latency...\n";
    r["estop"] = bench_estop(o, quick ? 300 : 1000, quick ? 3 : 10);
  }
  if (wanted("linkloss")) {
    std::cerr << "link-loss reaction...\n";
    r["linkloss"] = bench_linkloss(o, quick ? 5 : 10);
  }
  for (double hz : {50.0, 100.0}) {
    for (bool loaded : {false, true}) {
      if (!wanted("loop")) continue;
      std::cerr << "loop timing " << hz << " Hz" << (loaded ? " loaded" : " idle") << "...\n";
      r["loop"].push_back(bench_loop(o, hz, loaded, loop_time));
    }
  }
  if (wanted("footprint")) {
    std::cerr << "footprint...\n";
    r["footprint"] = bench_footprint(o, quick ? std::chrono::seconds(20) : std::chrono::seconds(60));
  }
  r["rtu_limits"] = rtu_limits();
  std::ofstream(out) << r.dump(2) << "\n";
  print_table(r);
  std::cout << "\nresults written to " << out << "\n";
}
