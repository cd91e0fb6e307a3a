// SPDX-License-Identifier: Apache-2.0
// The fault matrix and the client-load test (treadbench --only matrix|load).
#pragma once

#include <nlohmann/json.hpp>

#include "tools/treadbench/rig.hpp"

namespace treadd::bench {

// `only_fault`: run that row only (empty: all nine).
nlohmann::json run_fault_matrix(const RigOptions& o, const std::string& only_fault = "");
void print_fault_matrix(const nlohmann::json& m);
// What the daemon is put under while a session runs and e-stops are measured.
struct Load {
  int clients = 0;                // active clients (status, watch, garbage, half-open, oversize lines)
  int held = 0;                   // idle connections held open
  bool reload_storm = false;      // a clinician's reload every 100 ms of a 200 KiB limits file
  int history_records = 0;        // records in the directory, and a client asking `history` of all of them
  bool cpu_hog = false;           // a busy thread on every core, at normal priority
};
nlohmann::json run_client_load(const RigOptions& o, const Load& load, std::chrono::seconds duration);

}  // namespace treadd::bench
