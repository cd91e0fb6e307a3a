# SPDX-License-Identifier: Apache-2.0
# Precompiled headers for the third-party headers a target's sources share (nlohmann/json, gtest,
# Boost.Asio, yaml-cpp): parsed once per target, not once per source file. They cost seconds per
# file and CI builds the tree three times (normal, ASan+UBSan, TSan) on two cores.
#
# GCC uses a precompiled header only when nothing comes before it, and the build gives every
# target `-include utility` (for Boost 1.74's asio): a target here has <utility> first in its
# precompiled headers instead, and -Winvalid-pch (an error under -Werror) says if one goes unused.
# Only for targets of several sources: for one, the precompiling is the whole cost again.
function(treadd_precompile target)
  get_target_property(options ${target} COMPILE_OPTIONS)
  if(options)
    list(REMOVE_ITEM options "SHELL:-include utility")
    set_target_properties(${target} PROPERTIES COMPILE_OPTIONS "${options}")
  endif()
  target_compile_options(${target} PRIVATE -Winvalid-pch)
  target_precompile_headers(${target} PRIVATE <utility> ${ARGN})
endfunction()
