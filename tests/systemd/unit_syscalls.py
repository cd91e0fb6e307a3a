#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The system calls treadd needs, against the unit's filters as systemd applies them.

A filter that denies one of them does not stop treadd: the call fails with EPERM and a feature
silently goes (SCHED_FIFO for the loop and the drive I/O, the memory lock). This expands the
unit's SystemCallFilter= lines in order (the first one sets allow or deny mode; later ~ lines take
away, later plain lines add back) with `systemd-analyze syscall-filter`, takes away @clock for
ProtectClock=yes, and fails naming each needed call the unit denies.
Usage: unit_syscalls.py UNIT CALL...
"""
import subprocess
import sys


def expand(name, seen=None):
    if not name.startswith("@"):
        return {name}
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=True)
    calls = set()
    for line in out.stdout.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        calls |= expand(line, seen)
    return calls


def main():
    unit, needed = sys.argv[1], sys.argv[2:]
    allowed, mode = None, None
    protect_clock = False
    for raw in open(unit):
        line = raw.strip()
        if line == "ProtectClock=yes":
            protect_clock = True
        if not line.startswith("SystemCallFilter="):
            continue
        value = line.split("=", 1)[1]
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item)
        if mode is None:
            mode = "deny" if deny else "allow"
            allowed = names if mode == "allow" else set()
            denied = names if mode == "deny" else set()
            continue
        if mode == "allow":
            allowed = allowed - names if deny else allowed | names
        else:
            denied = denied | names if deny else denied - names
    def permitted(call):
        if protect_clock and call in expand("@clock"):
            return False
        if mode == "allow":
            return call in allowed
        if mode == "deny":
            return call not in denied
        return True
    refused = [c for c in needed if not permitted(c)]
    for c in refused:
        print(f"unit: treadd needs {c}, which the unit's SystemCallFilter/ProtectClock deny (it would fail with EPERM)")
    if refused:
        sys.exit(1)
    print("unit: every system call treadd needs is allowed: " + " ".join(needed))


main()
