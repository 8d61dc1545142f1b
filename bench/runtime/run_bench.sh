#!/usr/bin/env bash
# Side-by-side runtime benchmark: supervisord 4.3.0 and `svtool run`, same harness, same run.
#
#   bench/runtime/run_bench.sh [extra harness args...]
#     default: --tests startup,restart,log --n 500 --repeat 1
#   env: OUT (results dir, default $TMPDIR/svtool-runtime-bench: the log test writes
#        hundreds of MB), SHARED (the harness directory)
# Prints each server's tables and then one comparison table (bench/runtime/compare.py).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$ROOT/.venv/bin"
SHARED="${SHARED:-/work/shared/tools/runtime-bench}"
export OUT="${OUT:-${TMPDIR:-/tmp}/svtool-runtime-bench}"
# The harness's log test also runs a reference relay.py that it expects beside itself but does
# not ship; run a copy of it with ours added.
mkdir -p "$OUT/harness"
cp "$SHARED"/*.py "$SHARED"/run.sh "$OUT/harness/"
cp "$HERE/relay.py" "$OUT/harness/relay.py"
HARNESS="$OUT/harness/run.sh"
export PY="$VENV/python"
# run.sh appends a literal "}" to a caller's CTL (its default "${CTL-... {conf}}" closes at the
# first "}"), so the placeholder is left open here and completed by that extra brace.
export CTL="$VENV/supervisorctl -c {conf"
export PATH="$VENV:$PATH"
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(--tests startup,restart,log --n 500 --repeat 1 --log-bg 500
                               --log-repeat 1 --idle-secs 10)
mkdir -p "$OUT"
"$HARNESS" "$VENV/supervisord -n -c {conf}" supervisord-4.3.0 "${ARGS[@]}"
"$HARNESS" "$VENV/python -m supervisor_tools run -n -c {conf}" svtool "${ARGS[@]}"
"$PY" "$HERE/compare.py" "$OUT/supervisord-4.3.0.json" "$OUT/svtool.json"
