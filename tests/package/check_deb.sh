#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package with CPack and inspects it with dpkg-deb; also checks that
# `cmake --install` never overwrites an edited configuration file.
# Usage: check_deb.sh BUILD_DIR
set -euo pipefail
build="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_deb: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work" >/dev/null)
deb=$(ls "$work"/treadd_*.deb)
sim_deb=$(ls "$work"/treadd-sim_*.deb)
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/sbin/treadd ./usr/bin/treadctl ./usr/lib/systemd/system/treadd.service \
            ./usr/lib/sysusers.d/treadd.conf ./usr/lib/tmpfiles.d/treadd.conf ./etc/treadd/machine.yaml \
            ./etc/treadd/limits.yaml ./usr/share/treadd/drives/delta-ms300.yaml ./usr/share/man/man8/treadd.8.gz \
            ./usr/share/man/man1/treadctl.1.gz ./usr/share/man/man5/treadd.yaml.5.gz ./usr/share/doc/treadd/copyright \
            ./usr/share/doc/treadd/README.md.gz ./usr/share/doc/treadd/clinician-guide.md \
            ./usr/share/doc/treadd/examples/prometheus/prometheus.yml \
            ./usr/share/doc/treadd/examples/prometheus/treadd-alerts.yml \
            ./usr/share/bash-completion/completions/treadctl; do
  grep -qx "$path" <<<"$contents" || fail "missing $path"
done
# A production treadmill gets no simulated drive and no test tool: treadsim is in treadd-sim, and
# treadbench and treadline (which run the build tree) are in no package.
grep -E "/(treadsim|treadbench|treadline)(\.1\.gz)?$" <<<"$contents" && fail "the production package holds a test tool"
sim_contents=$(dpkg-deb -c "$sim_deb" | awk '{print $6}')
for path in ./usr/bin/treadsim ./usr/share/man/man1/treadsim.1.gz ./usr/share/doc/treadd-sim/copyright; do
  grep -qx "$path" <<<"$sim_contents" || fail "treadd-sim lacks $path"
done
grep -E "/(treadd|treadctl)$|^./etc/" <<<"$sim_contents" && fail "treadd-sim holds a file of the daemon's package"
# treadsim loads with what treadd-sim depends on, and takes /usr/bin/treadsim over from treadd 0.1.0.
dpkg-deb -f "$sim_deb" Depends | grep -q "libyaml-cpp0.7" || fail "treadd-sim does not depend on libyaml-cpp (treadsim reads profiles)"
dpkg-deb -f "$sim_deb" Replaces | grep -q "treadd (<< " || fail "treadd-sim cannot take treadsim over from an older treadd"
dpkg-deb -f "$sim_deb" Breaks | grep -q "treadd (<< " || fail "treadd-sim does not break the older treadd that held treadsim"
# The README the messages point to, with the Prometheus set-up it describes.
readme=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/treadd/README.md.gz | gzip -dc)
grep -q "/var/lib/prometheus/node-exporter/treadd.prom" <<<"$readme" || fail "the README does not set up node-exporter"
# The man pages name the role groups, the files under /var/lib/treadd and the journal fields.
manpages=$(for page in man8/treadd.8.gz man1/treadctl.1.gz; do
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/share/man/$page" | gzip -dc | sed 's/\\-/-/g'; done)
for word in treadd-operator treadd-clinician TREADD_EVENT TREADD_USER /var/lib/treadd/sessions /var/lib/treadd/audit.log \
            /var/lib/treadd/lockout /var/lib/treadd/metrics/treadd.prom /var/lib/treadd/treadd.running; do
  grep -qF -- "$word" <<<"$manpages" || fail "the man pages do not name $word"
done
dpkg-deb -f "$deb" Depends | grep -q "libmodbus5" || fail "Depends lacks libmodbus5"
copyright=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/treadd/copyright)
grep -qx "License: Apache-2.0" <<<"$copyright" || fail "debian/copyright does not grant the project's licence (Apache-2.0)"
dpkg-deb -e "$deb" "$work/control"
grep -q "systemd-sysusers" "$work/control/postinst" || fail "postinst does not create the user"
grep -q "systemd-tmpfiles" "$work/control/postinst" || fail "postinst does not create the state directory"
# (a message that tells the administrator what to type is not a command)
grep -E "^[^#]*systemctl (start|enable|restart)" "$work/control/postinst" | grep -vE '^ *msg=' && fail "postinst must not start the motor"
grep -qx "/etc/treadd/limits.yaml" "$work/control/conffiles" || fail "limits.yaml is not a conffile"
grep -q "^ExecStart=/usr/sbin/treadd " <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/treadd.service) \
  || fail "the unit does not start /usr/sbin/treadd"

# Debian policy, as lintian reads it: no error, no warning (an override would have to say why here).
if command -v lintian >/dev/null; then
  report=$(lintian --tag-display-limit 0 "$deb" "$sim_deb" 2>&1 | grep -v "running with root privileges" || true)
  grep -E "^[EW]: " <<<"$report" && fail "lintian found the errors or warnings above"
else
  fail "lintian is not installed (tools/setup.sh installs it)"
fi

# No build path reaches an installed binary (a profile or file looked up in the source tree works
# on the build machine and nowhere else).
source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
dpkg-deb -x "$deb" "$work/unpacked"
dpkg-deb -x "$sim_deb" "$work/unpacked"
for binary in usr/sbin/treadd usr/bin/treadctl usr/bin/treadsim; do
  if grep -q -a -F "$source_dir" "$work/unpacked/$binary" || grep -q -a -F "$(readlink -f "$build")" "$work/unpacked/$binary"; then
    fail "$binary holds a build path ($source_dir or $build)"
  fi
done

# Purge keeps the clinic's records and says so; limits.yaml is the clinicians' to edit.
grep -q "/var/lib/treadd" "$work/control/postrm" || fail "postrm does not say where the records are kept"
grep -E "rm .*(/var/lib/treadd|\$)" "$work/control/postrm" | grep -v "echo" && fail "postrm must not delete the records"
grep -q "chgrp treadd-clinician /etc/treadd/limits.yaml" "$work/control/postinst" || fail "clinicians cannot edit limits.yaml"
grep -q "chgrp treadd-clinician /etc/treadd/machine.yaml" "$work/control/postinst" && fail "machine.yaml is the technician's"
grep -q "install -d -o treadd -g treadd-clinician -m 2770 /etc/treadd/patients" "$work/control/postinst" \
  || fail "postinst does not make the prescriptions' directory (clinicians write, treadd reads and forgets)"
grep -qx "ReadWritePaths=-/etc/treadd/patients" <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/treadd.service) \
  || fail "the unit cannot delete a forgotten patient's prescription"
grep -qx "./usr/share/treadd/examples/patients/LBP-0100.yaml" <<<"$contents" || fail "no example prescription"
installed_machine=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./etc/treadd/machine.yaml)
grep -q "^  transport: unconfigured" <<<"$installed_machine" \
  || fail "the installed machine.yaml would run sessions on a simulated drive (it must say transport: unconfigured)"
grep -q "Restart it when no session runs: systemctl restart treadd" "$work/control/postinst" \
  || fail "an upgrade does not say that the running daemon waits for a restart"
# apt keeps maintainer scripts' output in /var/log/apt/term.log: a refused file's errors (which may
# quote a patient's name) must not be printed there, only the command that shows them.
grep -q "see every error with: treadd --check-config --config-dir /etc/treadd" "$work/control/postinst" \
  || fail "an upgrade does not say how to see a refused configuration's errors"
# Every run of check-config (treadd's or treadctl's, its options in any order) sends all it prints
# to /dev/null before any pipe; an echo may name the command but not run it ($( ) or backquotes).
leaks=$(grep -nE '^[^#]*check-config' "$work/control/postinst" | grep -vE '^[0-9]+: *echo "[^$`]*"$' \
  | grep -vE 'check-config[^|;&]*>/dev/null 2>&1' || true)
[[ -z "$leaks" ]] || fail "postinst prints check-config's errors into apt's term.log: $leaks"

# The daemon as installed, on the configuration the package installs: it comes up (status, e-stop)
# and refuses every session, saying what a technician sets — the example's simulated belt must
# never run sessions on a real machine whose belt stands still.
run="$work/run"
mkdir -p "$run/state"
"$work/unpacked/usr/sbin/treadd" --config-dir "$work/unpacked/etc/treadd" --socket "$run/control.sock" \
  --state-dir "$run/state" >"$run/treadd.log" 2>&1 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [[ -S "$run/control.sock" ]] && break; sleep 0.1; done
[[ -S "$run/control.sock" ]] || fail "the installed treadd did not come up on its installed configuration: $(cat "$run/treadd.log")"
treadctl=("$work/unpacked/usr/bin/treadctl" --socket "$run/control.sock")
status_text=$("${treadctl[@]}" status)
grep -q "none set up yet" <<<"$status_text" || fail "status does not say that no drive is set up: $status_text"
refusal=$("${treadctl[@]}" start --profile lumbar-standard 2>&1) \
  && fail "the installed treadd started a session with no drive set up: $refusal"
grep -qF "no drive is set up yet (machine.yaml drive.transport: unconfigured)" <<<"$refusal" \
  || fail "the refusal does not say what the technician sets: $refusal"
"${treadctl[@]}" estop >/dev/null || fail "the installed treadd refused an e-stop"
kill "$daemon"
wait "$daemon" || true
trap 'rm -rf "$work"' EXIT

DESTDIR="$work/root" cmake --install "$build" >/dev/null
echo "# edited by a clinician" >>"$work/root/etc/treadd/limits.yaml"
DESTDIR="$work/root" cmake --install "$build" >/dev/null
tail -n 1 "$work/root/etc/treadd/limits.yaml" | grep -q "edited by a clinician" || fail "install overwrote limits.yaml"
echo "package check: passed ($(basename "$deb"), $(stat -c %s "$deb") bytes; $(basename "$sim_deb"), $(stat -c %s "$sim_deb") bytes)"
