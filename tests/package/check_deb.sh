#!/usr/bin/env bash
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
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/sbin/treadd ./usr/bin/treadctl ./usr/bin/treadsim ./usr/lib/systemd/system/treadd.service \
            ./usr/lib/sysusers.d/treadd.conf ./usr/lib/tmpfiles.d/treadd.conf ./etc/treadd/machine.yaml \
            ./etc/treadd/limits.yaml ./usr/share/treadd/drives/delta-ms300.yaml ./usr/share/man/man8/treadd.8 \
            ./usr/share/man/man1/treadctl.1 ./usr/share/man/man5/treadd.yaml.5 \
            ./usr/share/bash-completion/completions/treadctl; do
  grep -qx "$path" <<<"$contents" || fail "missing $path"
done
dpkg-deb -f "$deb" Depends | grep -q "libmodbus5" || fail "Depends lacks libmodbus5"
dpkg-deb -e "$deb" "$work/control"
grep -q "systemd-sysusers" "$work/control/postinst" || fail "postinst does not create the user"
grep -q "systemd-tmpfiles" "$work/control/postinst" || fail "postinst does not create the state directory"
grep -E "^[^#]*systemctl (start|enable|restart)" "$work/control/postinst" && fail "postinst must not start the motor"
grep -qx "/etc/treadd/limits.yaml" "$work/control/conffiles" || fail "limits.yaml is not a conffile"
grep -q "^ExecStart=/usr/sbin/treadd " <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/treadd.service) \
  || fail "the unit does not start /usr/sbin/treadd"

DESTDIR="$work/root" cmake --install "$build" >/dev/null
echo "# edited by a clinician" >>"$work/root/etc/treadd/limits.yaml"
DESTDIR="$work/root" cmake --install "$build" >/dev/null
tail -n 1 "$work/root/etc/treadd/limits.yaml" | grep -q "edited by a clinician" || fail "install overwrote limits.yaml"
echo "package check: passed ($(basename "$deb"), $(stat -c %s "$deb") bytes)"
