#!/usr/bin/env bash
# `make test` N times in a row (default 5) in a fresh clone of HEAD while one CPU-bound
# process keeps a core busy: the suite must not depend on timing (issue 11).
# Usage: scripts/test_under_load.sh [RUNS]   Logs: .bench/under-load/run<N>.log
set -u
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
logs="$root/.bench/under-load"
clone=$(mktemp -d "${TMPDIR:-/tmp}/under-load.XXXXXX")
mkdir -p "$logs"
git clone -q "$root" "$clone"
python3 -c "while True: pass" &
hog=$!
trap 'kill "$hog" 2>/dev/null; rm -rf "$clone"' EXIT
failed=0
printf '%-4s %-4s %8s  %s\n' run exit seconds "load average"
for run in $(seq 1 "$runs"); do
  start=$(date +%s)
  (cd "$clone" && make test) >"$logs/run$run.log" 2>&1
  status=$?
  printf '%-4s %-4s %8s  %s\n' "$run" "$status" "$(($(date +%s) - start))" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$status" -eq 0 ] || failed=$((failed + 1))
done
echo "$((runs - failed)) of $runs passed (first run: fresh clone, environments built)"
[ "$failed" -eq 0 ]
