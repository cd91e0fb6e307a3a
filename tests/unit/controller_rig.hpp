// SPDX-License-Identifier: Apache-2.0
// The controller with the simulated drive on simulated time, on the example configuration.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "config/loader.hpp"
#include "daemon/controller.hpp"
#include "hal/sim_drive.hpp"

namespace treadd::testing {

using namespace std::chrono_literals;
using nlohmann::json;

struct ControllerRig {
  ControllerRig() {
    auto loaded = load_config_dir(std::string(TREADD_SOURCE_DIR) + "/config/examples");
    EXPECT_TRUE(loaded.ok()) << join(loaded.errors);
    config = *loaded.value;
    drive = std::make_unique<SimDrive>(SimDriveOptions{}, [this] { return now; });
    drive->connect();
    controller = std::make_unique<Controller>(config, std::string(TREADD_SOURCE_DIR) + "/config/examples", *drive);
    run_for(3s);
  }

  void run_for(std::chrono::milliseconds d) {
    for (auto t = 0ms; t < d; t += 20ms) {
      now += 20ms;
      controller->tick(now, false);
    }
  }

  json call(const std::string& line, Role role = Role::clinician) {
    return controller->execute(line, Peer{role, "test"}, now).reply;
  }

  json status() { return controller->status_json(); }

  FullConfig config;
  TimePoint now = TimePoint{} + 1h;
  std::unique_ptr<SimDrive> drive;
  std::unique_ptr<Controller> controller;
};

}  // namespace treadd::testing
