#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the generated unit: systemd-analyze security must rate it at most 1.5, and verify must pass.
# Usage: check_unit.sh UNIT TREADD_BINARY TREADCTL_BINARY
set -euo pipefail
unit="$1" binary="$2" treadctl="$3"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify wants the binaries to exist: point them at the build's.
sed -e "s|^ExecStart=[^ ]*|ExecStart=$binary|" -e "s|^ExecReload=[^ ]*|ExecReload=$treadctl|" "$unit" >"$work/treadd.service"
# A refused file must fail `systemctl reload`: ExecReload asks treadd and takes its answer (treadctl
# exits 1 on a refusal: DaemonE2E.reload_applies_from_next_session_and_a_bad_file_keeps_the_old_limits).
grep -q '^ExecReload=[^ ]*/treadctl .*reload$' "$unit" || { echo "unit: ExecReload must wait for treadd's answer (treadctl reload)"; exit 1; }
systemd-analyze verify --man=no "$work/treadd.service"
systemd-analyze security --offline=true --threshold=15 "$work/treadd.service" | tail -n 1
# "E-stop from anyone" as installed: the socket's directory lets every local user reach it, and the
# descriptor limit is set (treadd bounds its clients well below it).
grep -qx 'RuntimeDirectoryMode=0755' "$unit" || { echo "unit: RuntimeDirectoryMode must be 0755 (e-stop from anyone)"; exit 1; }
grep -qx 'LimitNOFILE=1024' "$unit" || { echo "unit: LimitNOFILE=1024 missing"; exit 1; }
# A Modbus TCP drive: treadd starts after the network is up wherever the machine waits for it.
grep -qE '^After=.*network-online\.target' "$unit" || { echo "unit: After=network-online.target missing (a TCP drive)"; exit 1; }
# The calls behind its features must pass the unit's filters: SCHED_FIFO for the loop and the
# drive I/O (sched_setscheduler), the memory lock (mlockall).
python3 "$(dirname "$0")/unit_syscalls.py" "$unit" sched_setscheduler mlockall
echo "unit check: passed"
