#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds treadd and runs every test (unit, property, end-to-end). Non-zero exit on any failure.
# Usage: tools/test.sh            normal build (RelWithDebInfo, -Werror)
#        tools/test.sh --sanitize the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#        tools/test.sh --tsan     the threaded parts (Modbus I/O thread, socket server) under ThreadSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
[[ "${1:-}" == "--sanitize" ]] && preset=asan
[[ "${1:-}" == "--tsan" ]] && preset=tsan
tools/setup.sh "$preset"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
ctest --preset "$preset" -j"$(nproc)"
