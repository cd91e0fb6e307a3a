#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The parts of the docs that are generated from the command registry (daemon/supervisor/commands.hpp)
# the rules table (daemon/supervisor/rules.hpp), the profile key table (config/profile_keys.hpp) and the machine key table (config/machine_keys.hpp)
# through treadctl: treadctl(1)'s COMMANDS,
# docs/protocol.md's request table, the profile keys of README.md and treadd.yaml(5), the bash completion.
# Usage: tools/update-docs.sh [--check] [TREADCTL]   (--check: exit 1 and show the diff if a copy drifted)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [[ "${1:-}" == --check ]]; then check=1; shift; fi
treadctl="${1:-build/tools/treadctl}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Replaces the lines between the BEGIN/END GENERATED markers of $1 with the output of `treadctl $2…`.
splice() {
  local file=$1 marker=$2; shift 2
  "$treadctl" "$@" >"$tmp/part"
  awk -v part="$tmp/part" -v marker="$marker" '
    index($0, "BEGIN GENERATED " marker) { print; while ((getline line < part) > 0) print line; skip = 1; next }
    skip && /END GENERATED/ { skip = 0 }
    !skip { print }' "$file" >"$tmp/new"
  grep -q "BEGIN GENERATED $marker" "$file" || { echo "$file: no 'BEGIN GENERATED $marker' marker" >&2; exit 1; }
  publish "$file" "$tmp/new"
}

drifted=0
publish() {
  if ((check)); then
    if ! diff -u "$1" "$2"; then
      echo "$1 is out of date with the command registry: run tools/update-docs.sh" >&2
      drifted=1
    fi
  else
    cp "$2" "$1"
  fi
}

splice docs/man/treadctl.1 commands reference man
splice docs/protocol.md requests reference protocol
splice docs/safety.md rules reference rules
splice docs/man/treadd.yaml.5 profile-keys reference profile-keys-roff
splice README.md profile-keys reference profile-keys-md
splice docs/man/treadd.yaml.5 machine-keys reference machine-keys-roff
splice README.md machine-keys reference machine-keys-md
"$treadctl" completion >"$tmp/completion"
publish tools/treadctl/treadctl.bash-completion "$tmp/completion"
exit "$drifted"
