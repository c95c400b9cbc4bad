#!/usr/bin/env bash
# Prints the test suites a run skipped and what each needs, one line each, from the files the test listener
# dev.taskapi.testing.SkippedSuites writes (DIR/unit.tsv, DIR/integration.tsv: suite, tests, reason) and the one
# `make lint` writes when shellcheck is missing (DIR/lint.tsv: suite, count, reason, and what it counts: scripts).
# Prints nothing when nothing was skipped.
#   skipped-suites.sh DIR
set -euo pipefail
dir=${1:?usage: skipped-suites.sh DIR}
files=()
for f in "$dir"/lint.tsv "$dir"/unit.tsv "$dir"/integration.tsv; do [ -s "$f" ] && files+=("$f"); done
[ ${#files[@]} -gt 0 ] || exit 0
echo
echo "Skipped: these suites did not run, and why (under CI=true a missing prerequisite fails instead):"
awk -F'\t' '{ tests[$1] += $2; if (!($1 in why)) { why[$1] = $3; what[$1] = ($4 == "" ? "test" : $4); order[++n] = $1 } }
  END { for (i = 1; i <= n; i++) { s = order[i]; printf "  %-26s %3d %s%s  %s\n", s, tests[s], what[s], (tests[s] == 1 ? " " : "s"), why[s] } }' \
  "${files[@]}"
