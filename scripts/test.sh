#!/usr/bin/env bash
# Builds treadd and runs every test (unit, property, end-to-end). Non-zero exit on any failure.
# Usage: scripts/test.sh            normal build (RelWithDebInfo, -Werror)
#        scripts/test.sh --sanitize the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
[[ "${1:-}" == "--sanitize" ]] && preset=asan
scripts/setup.sh "$preset"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset "$preset" -j"$(nproc)"
