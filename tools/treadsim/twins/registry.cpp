// SPDX-License-Identifier: Apache-2.0
#include "tools/treadsim/twins/drive_twin.hpp"

namespace treadd::twin {

std::unique_ptr<DriveTwin> make_delta_ms300();
std::unique_ptr<DriveTwin> make_siemens_v20();
std::unique_ptr<DriveTwin> make_optidrive_e3();
std::unique_ptr<DriveTwin> make_abb_acs580();

std::vector<std::string> twin_models() { return {"delta-ms300", "siemens-v20", "optidrive-e3", "abb-acs580"}; }

std::unique_ptr<DriveTwin> make_twin(const std::string& model) {
  if (model == "delta-ms300") return make_delta_ms300();
  if (model == "siemens-v20") return make_siemens_v20();
  if (model == "optidrive-e3") return make_optidrive_e3();
  if (model == "abb-acs580") return make_abb_acs580();
  return nullptr;
}

}  // namespace treadd::twin
