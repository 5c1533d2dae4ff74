#!/usr/bin/env bash
# Spindle vs Python's asyncio and uvloop on the same two workloads (spawn+gather, ping-pong).
# Called by `./spindle bench --vs-asyncio [--tasks N] [--reps R]` after the build:
#   bench/vs-asyncio.sh JAVA "JVM_FLAGS" [--tasks N] [--reps R]
# Writes bench/target/asyncio-compare.json and prints a table.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 JAVA JVM_FLAGS [--tasks N] [--reps R]" >&2; exit 2; }
JAVA="$1"; JVM_FLAGS="$2"; shift 2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TASKS=200000
REPS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks) TASKS="${2:?--tasks needs a value}"; shift 2 ;;
    --reps) REPS="${2:?--reps needs a value}"; shift 2 ;;
    *) echo "vs-asyncio: unknown argument '$1' (known: --tasks N, --reps R)" >&2; exit 2 ;;
  esac
done

# Debian's interpreter, where python3-uvloop installs; not a pyenv or venv shim on PATH.
PYTHON=/usr/bin/python3
if [ ! -x "$PYTHON" ]; then
  echo "vs-asyncio: $PYTHON not found: install Python 3.11+ (apt-get install python3)" >&2
  exit 1
fi
JAR="bench/target/benchmarks.jar"
[ -f "$JAR" ] || { echo "vs-asyncio: $JAR is missing: build first (./spindle bench --vs-asyncio does)" >&2; exit 1; }

OUT="bench/target"
mkdir -p "$OUT"
echo "Spindle ($("$JAVA" -version 2>&1 | head -1)) ..."
# shellcheck disable=SC2086 # JVM_FLAGS is a list of flags
"$JAVA" $JVM_FLAGS -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp "$JAR" dev.spindle.bench.AsyncioCompare \
  --tasks "$TASKS" --reps "$REPS" --out "$OUT/asyncio-compare-spindle.json"
"$PYTHON" bench/asyncio_compare.py --tasks "$TASKS" --reps "$REPS" \
  --spindle "$OUT/asyncio-compare-spindle.json" --out "$OUT/asyncio-compare.json"
