#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The bash completion against the CLI itself: every verb `treadctl --help` lists completes after
# `treadctl`, and every option `treadctl VERB --help` lists completes after `treadctl VERB -`.
# Usage: check_completion.sh TREADCTL COMPLETION_FILE
set -euo pipefail
treadctl=$1
completion=$2
source /usr/share/bash-completion/bash_completion
source "$completion"
# The script calls `treadctl` by name (profile names come from the daemon): ours, on PATH.
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$(readlink -f "$treadctl")" "$bindir/treadctl"
PATH="$bindir:$PATH"

complete_line() {  # prints the completions of the words given (the last one being completed)
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _treadctl
  printf '%s\n' "${COMPREPLY[@]}"
}

failures=0
verbs=$(treadctl --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[[ -n "$verbs" ]] || { echo "no verbs in treadctl --help" >&2; exit 1; }
offered=$(complete_line treadctl "")
for verb in $verbs; do
  grep -qx "$verb" <<<"$offered" || { echo "treadctl <TAB> does not offer '$verb'" >&2; failures=$((failures + 1)); }
  options=$(treadctl "$verb" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
  offered_options=$(complete_line treadctl "$verb" "-")
  for option in $options; do
    grep -qx -- "$option" <<<"$offered_options" ||
      { echo "treadctl $verb -<TAB> does not offer '$option'" >&2; failures=$((failures + 1)); }
  done

done
# Values: a direction completes to the two words treadd takes.
[[ "$(complete_line treadctl start --direction "" | sort | tr '\n' ' ')" == "forward reverse " ]] ||
  { echo "treadctl start --direction <TAB> does not offer reverse and forward" >&2; failures=$((failures + 1)); }
echo "checked $(wc -w <<<"$verbs") verbs; $failures missing"
exit $((failures > 0))
