#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: treadd driving treadsim (a simulated drive) over Modbus TCP on loopback, steered
# through treadctl like staff would.
# Usage: tools/demo.sh          run the demo session (about 45 s), then stop everything
#        tools/demo.sh --keep   leave the daemon running afterwards to try your own commands
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

tools/setup.sh default >/dev/null
run_dir=$(mktemp -d /tmp/treadd-demo-XXXXXX)
sock="$run_dir/control.sock"
treadd=build/daemon/treadd
treadctl() { build/tools/treadctl --socket "$sock" "$@"; }

# The demo drives the real Modbus TCP path: treadsim plays the drive (generic register map) on loopback.
port=$((20000 + $$ % 20000))
mkdir -p "$run_dir/etc"
cp config/examples/limits.yaml "$run_dir/etc/"
ln -s "$PWD/config/drives" "$run_dir/etc/drives"
sed "s/^  transport: sim .*/  transport: tcp\n  host: 127.0.0.1\n  port: $port/" config/examples/machine.yaml >"$run_dir/etc/machine.yaml"
build/tools/treadsim --profile config/drives/generic.yaml --tcp "127.0.0.1:$port" 2>"$run_dir/treadsim.log" </dev/null &
sim=$!
sleep 0.3
# A tcp/rtu drive runs sessions only once it has passed commissioning, as a technician does it once
# per machine: parameters read back, then slow belt runs, stops, and the drive's own comms-loss stop.
echo "== commissioning the (simulated) drive: treadd --commission, every question answered yes"
if ! { yes yes || true; } | "$treadd" --commission --answers-from-stdin --technician "demo.sh" \
  --config-dir "$run_dir/etc" --state-dir "$run_dir/state" --socket "$sock" \
  >"$run_dir/commission.log" 2>&1; then
  cat "$run_dir/commission.log"
  echo "commissioning failed: see above" >&2
  kill "$sim" 2>/dev/null || true
  exit 1
fi
grep -E '^  (pass|FAIL)' "$run_dir/commission.log" | sed 's/^/   /'
"$treadd" --config-dir "$run_dir/etc" --socket "$sock" --state-dir "$run_dir/state" 2>"$run_dir/treadd.log" &
daemon=$!
watcher=""
cleanup() {
  [[ -n "$watcher" ]] && kill "$watcher" 2>/dev/null || true
  if ((keep == 0)); then
    kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null || true
    rm -rf "$run_dir"
  fi
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -S "$sock" ]] && break; sleep 0.1; done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
do_cmd() {
  printf '$ treadctl %s\n' "$*"
  if treadctl "$@"; then :; else echo "   (exit code $?)"; fi
}

say "treadd is up, talking Modbus TCP to treadsim (a simulated drive); the belt is stopped"
treadctl status
# The belt speed as it goes, twice a second, from the daemon's own status stream.
treadctl watch --hz 2 | sed -u 's/^/   belt | /' &
watcher=$!
sleep 2.5   # the belt must be at standstill for 2 s before any start

say "Start the reverse profile 'lumbar-standard' (starts at its 0.5 km/h start speed)"
do_cmd start --profile lumbar-standard
sleep 2
say "Backward walking: 2.5 km/h (ramped at the profile's reverse acceleration, 0.2 m/s2)"
do_cmd speed 2.5
sleep 5
say "Step up to a slow backward jog: 4.5 km/h"
do_cmd speed 4.5
sleep 5
say "Ask for 7 km/h: above the profile's reverse cap, so it is refused (never clamped)"
do_cmd speed 7
sleep 1
say "EMERGENCY STOP: the drive brakes at once with its fast-stop ramp"
do_cmd estop
sleep 1
do_cmd start --profile lumbar-standard
sleep 3
say "A clinician resets the latched e-stop once the belt stands still"
do_cmd reset
sleep 2.5
say "A new session, then a normal stop (controlled ramp down)"
do_cmd start --profile lumbar-standard
do_cmd speed 2
sleep 5
do_cmd stop
sleep 4
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
watcher=""
say "Final status"
treadctl status

if ((keep)); then
  say "treadd keeps running (pid $daemon). Try:"
  echo "   build/tools/treadctl --socket $sock status"
  echo "   build/tools/treadctl --socket $sock start --profile lumbar-early"
  echo "   build/tools/treadctl --socket $sock watch"
  echo "   stop it with: kill $daemon $sim    (logs: $run_dir/treadd.log, $run_dir/treadsim.log)"
  trap - EXIT
fi
