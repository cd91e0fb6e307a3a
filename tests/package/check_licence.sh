#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The project's licence, everywhere a reader or a tool looks for it: LICENSE holds the Apache
# License 2.0, and every source, script, build and configuration file names it in an SPDX line
# within its first three lines (data such as fuzz corpora and generated completions excepted, and
# the shipped drive profiles: commissioning fingerprints each whole profile file, so a line added to
# one would make every commissioned drive "stale" after an upgrade; debian/copyright covers them).
# Usage: check_licence.sh SOURCE_DIR
set -euo pipefail
cd "$1"
fail() { echo "check_licence: $*" >&2; exit 1; }
grep -q "Apache License" LICENSE && grep -q "Version 2.0, January 2004" LICENSE || fail "LICENSE is not the Apache License 2.0"
missing=$(find . \( -path ./.git -o -path './build*' -o -path '*/corpus' -o -path ./node_modules -o -path ./config/drives \) \
            -prune -o -type f \
            \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.cmake' \
               -o -name CMakeLists.txt -o -name '*.yaml' -o -name '*.yml' -o -name '*.service.in' \) -print |
          while read -r f; do head -n 3 "$f" | grep -q "SPDX-License-Identifier: Apache-2.0" || echo "$f"; done)
[[ -z "$missing" ]] || fail "no SPDX-License-Identifier line in:
$missing"
echo "check_licence: LICENSE and every source file say Apache-2.0"
