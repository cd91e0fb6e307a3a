// SPDX-License-Identifier: Apache-2.0
// Google Benchmark: the pure supervisor's throughput, and heap allocations per control tick in
// steady state (a counting operator new), idle and with a session running on the simulated drive.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "config/loader.hpp"
#include "daemon/controller.hpp"
#include "hal/sim_drive.hpp"
#include "tests/unit/supervisor_rig.hpp"

namespace {
std::atomic<std::uint64_t> allocations{0};
}

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace treadd {
namespace {

using namespace std::chrono_literals;

void BM_SupervisorTickRunning(benchmark::State& state) {
  testing::Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.0});
  rig.run_for(10s);
  for (auto _ : state) {
    rig.tick();
    benchmark::DoNotOptimize(rig.sup.drive_command());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SupervisorTickRunning);

void controller_ticks(benchmark::State& state, bool running) {
  auto loaded = load_config_dir(std::string(TREADD_SOURCE_DIR) + "/config/examples");
  TimePoint now = TimePoint{} + 1h;
  SimDrive drive(SimDriveOptions{}, [&] { return now; });
  drive.connect();
  Controller controller(*loaded.value, std::string(TREADD_SOURCE_DIR) + "/config/examples", drive);
  auto run = [&](int ticks) {
    for (int i = 0; i < ticks; ++i) {
      now += 20ms;
      controller.tick(now, false);
    }
  };
  run(150);
  if (running) {
    controller.execute(R"({"cmd":"start","profile":"lumbar-standard"})", Peer{Role::clinician, "bench"}, now);
    controller.execute(R"({"cmd":"speed","kmh":3})", Peer{Role::clinician, "bench"}, now);
    run(1000);
  }
  const auto before = allocations.load();
  std::uint64_t ticks = 0;
  for (auto _ : state) {
    now += 20ms;
    controller.tick(now, false);
    ++ticks;
  }
  state.counters["allocs_per_tick"] =
      benchmark::Counter(static_cast<double>(allocations.load() - before) / static_cast<double>(std::max<std::uint64_t>(1, ticks)));
  state.SetItemsProcessed(state.iterations());
}

void BM_ControllerTickIdle(benchmark::State& state) { controller_ticks(state, false); }
void BM_ControllerTickRunning(benchmark::State& state) { controller_ticks(state, true); }
BENCHMARK(BM_ControllerTickIdle);
BENCHMARK(BM_ControllerTickRunning);

}  // namespace
}  // namespace treadd

BENCHMARK_MAIN();
