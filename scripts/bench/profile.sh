#!/usr/bin/env bash
# Where a Souverain server's CPU goes during one `souverain bench` workload: `perf record` on the
# server process only, then a text report (the functions that use the most CPU themselves, and the
# Souverain, GRDB and Hummingbird functions with what they call) written to
# docs/profiles/WORKLOAD.txt. Needs perf (Debian: linux-perf).
#
#   scripts/bench/profile.sh small-get            # any workload of `souverain bench --help`
#   EXTRA="--small-count 20000" scripts/bench/profile.sh small-put
#
# Only loopback; the server is stopped by its PID and its data deleted.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source scripts/bench/common.sh
WORKLOAD=${1:?workload}
DURATION=${DURATION:-20}
OUT=${OUT:-$ROOT/docs/profiles/$WORKLOAD.txt}
WORK=$(mktemp -d /tmp/souverain-profile.XXXXXX)
mkdir -p "$(dirname "$OUT")"
swift build -c release --product souverain 2>&1 | tail -n 1 >&2
BIN=$ROOT/.build/release/souverain
KEY=PROFILEACCESSKEY0001
SECRET=profile-benchmark-secret-key-00000000001
PORT=$(free_port)
SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET \
  "$BIN" serve --data "$WORK/data" --address "127.0.0.1:$PORT" --log-level warning > "$WORK/serve.out" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_http "http://127.0.0.1:$PORT/health/ready"
bench() {
  "$BIN" bench --endpoint "http://127.0.0.1:$PORT" --access-key "$KEY" --secret-key "$SECRET" --bucket profile \
    --duration "$DURATION" --small-count 1000000 --large-count 1000 "$@" ${EXTRA:-}
}
# perf starts 3 s into the run, after the objects a read workload reads have been put, and stops
# 2 s before the run's time is up.
bench --workloads "$WORKLOAD" > "$WORK/bench.txt" &
BENCH=$!
sleep 3
perf record -F 499 -g -p "$PID" -o "$WORK/perf.data" -- sleep $((DURATION - 5)) > /dev/null 2>&1 || true
wait $BENCH
set +o pipefail  # `head` closes the pipes of perf report early
{
  echo "# scripts/bench/profile.sh $WORKLOAD ($(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "# the workload, as measured while perf recorded:"
  grep -E "^(workload|$WORKLOAD)" "$WORK/bench.txt" | sed 's/^/#   /'
  echo
  echo "## CPU by binary"
  perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -8
  echo
  echo "## Functions by their own CPU (self)"
  perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep '%' | head -30 | cut -c1-150
  echo
  echo "## Souverain, GRDB, Hummingbird and Foundation functions by CPU including what they call (children)"
  perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' \
    | grep -E 'Souverain|GRDB|Hummingbird|Foundation|JSON|Crypto' | head -40 | cut -c1-170 \
    | swift demangle --simplified | cut -c1-170
} > "$OUT"
echo "wrote $OUT" >&2
