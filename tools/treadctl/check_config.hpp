// SPDX-License-Identifier: Apache-2.0
// `treadctl check-config`: machine.yaml, limits.yaml and drive profiles checked without the daemon,
// with the daemon's own loaders.
#pragma once

#include <string>
#include <vector>

namespace treadctl {

struct FileCheck {
  std::string file;
  std::vector<std::string> errors;  // "file:line:column: message"; empty = the file is good
  std::string unchecked;            // what could not be checked (limits without a machine.yaml), if anything
};

std::vector<FileCheck> check_config(const std::vector<std::string>& files, const std::string& machine_path);

}  // namespace treadctl
