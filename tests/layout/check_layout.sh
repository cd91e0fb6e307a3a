#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The daemon's folders are its architecture (daemon/README.md): each may include only itself and
# the folders below it, never daemon/'s top level (the loop, the socket server, the controller,
# main) and never a folder above it. A new include that runs upward fails here, naming the line.
set -euo pipefail
root="${1:-.}"
cd "$root"
# folder: the daemon folders its files may include (besides itself)
declare -A below=(
  [supervisor]=""
  [protocol]="supervisor"
  [records]="supervisor"
  [commissioning]="records protocol supervisor"
)
bad=0
for folder in "${!below[@]}"; do
  [[ -d "daemon/$folder" ]] || { echo "daemon/$folder: missing (tests/layout/check_layout.sh names it)"; bad=1; continue; }
  [[ -f "daemon/$folder/README.md" ]] || { echo "daemon/$folder: no README.md saying what it owns and must never do"; bad=1; }
  allowed=" $folder ${below[$folder]} "
  while IFS=: read -r file line text; do
    target=$(sed -E 's/.*#include "daemon\/([^"]*)".*/\1/' <<<"$text")
    if [[ "$target" != */* ]]; then
      echo "$file:$line: includes daemon/$target, the daemon's top level, from below it"; bad=1; continue
    fi
    into="${target%%/*}"
    if [[ "$allowed" != *" $into "* ]]; then
      echo "$file:$line: daemon/$folder may not include daemon/$target (allowed: ${allowed# })"; bad=1
    fi
  done < <(grep -Hn '#include "daemon/' "daemon/$folder"/*.hpp "daemon/$folder"/*.cpp 2>/dev/null || true)
done
# Nothing but the top level's own files lies loose in daemon/.
for f in daemon/*.hpp daemon/*.cpp; do
  case "$(basename "$f")" in
    main.cpp|controller.*|control_loop.*|socket_server.*|background_work.*|roles.*|drive_factory.*|instance_lock.*|realtime.*|shutdown.hpp) ;;
    *) echo "$f: a file loose in daemon/ that is not part of its top level: give it a folder"; bad=1 ;;
  esac
done
exit "$bad"
