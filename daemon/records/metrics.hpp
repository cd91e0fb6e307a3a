// SPDX-License-Identifier: Apache-2.0
// Prometheus metrics as a text file for node-exporter's textfile collector, written atomically
// (temp file + rename) every few seconds. A file, not a listening socket: the daemon keeps no
// network listener at all, and the fleet's existing node-exporter already scrapes text files.
#pragma once

#include <optional>

#include "daemon/records/commissioning_record.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "daemon/records/latency_histogram.hpp"
#include "daemon/supervisor/supervisor.hpp"
#include "hal/drive_types.hpp"

namespace treadd {

struct SafetyCounters {
  std::array<std::uint64_t, rule_count> fired{};  // by RuleId: refusals, stops and latches alike
  std::uint64_t estops = 0;
  std::uint64_t refusals = 0;
  std::uint64_t sessions = 0;
};

struct MetricsSnapshot {
  Status status;
  SafetyCounters safety;
  LinkCounters link;
  bool link_up = false;
  std::optional<CommissioningState> commissioning;  // nullopt: not judged yet
  bool direction_verified = false;                   // the drive reports which way the belt turns
  std::uint64_t ticks = 0;
  std::uint64_t overruns = 0;
  double worst_lateness_s = 0;
  LatencyHistogram lateness;
  double tick_period_s = 0;
  double uptime_s = 0;
  std::uint64_t storage_errors = 0;          // failed writes of records, audit log or this file
  std::uint64_t storage_dropped = 0;         // writes dropped because the writer's queue was full
  std::uint64_t connections_evicted = 0;     // control clients pushed out by the per-user/total bounds
  std::uint64_t connections_idle_closed = 0;
};

// The text exposition format (prometheus-cpp's serializer: full precision, HELP and TYPE on every
// family); `now_unix_s` is treadd_metrics_updated_timestamp_seconds.
std::string render_metrics(const MetricsSnapshot& m, double now_unix_s);
// Returns false (and leaves any old file) when the directory is not writable.
bool write_metrics_file(const std::filesystem::path& file, const std::string& text);

}  // namespace treadd
