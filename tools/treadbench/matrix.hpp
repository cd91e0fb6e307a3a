// The fault matrix and the client-load test (treadbench --only matrix|load).
#pragma once

#include <nlohmann/json.hpp>

#include "tools/treadbench/rig.hpp"

namespace treadd::bench {

// `only_fault`: run that row only (empty: all nine).
nlohmann::json run_fault_matrix(const RigOptions& o, const std::string& only_fault = "");
void print_fault_matrix(const nlohmann::json& m);
// `held` idle connections opened on top of the clients, and a reload every 100 ms if `reload_storm`.
nlohmann::json run_client_load(const RigOptions& o, int clients, std::chrono::seconds duration, int held = 1000,
                               bool reload_storm = true);

}  // namespace treadd::bench
