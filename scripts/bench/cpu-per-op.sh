#!/usr/bin/env bash
# CPU per operation of one server and of the load generator, during one `souverain bench`
# workload: how the figures "measured alone" in docs/benchmarks.md were taken. Starts one server
# (TARGET=souverain: `souverain serve` on the embedded default; TARGET=raw: `souverain
# raw-ceiling`), runs the workload for DURATION seconds, reads both processes' CPU time (user +
# system, /proc) over a WINDOW-second window starting LEAD seconds in, and prints the workload's
# line, the CPU per operation (and per MiB for large workloads) and the server's peak RSS.
#
#   scripts/bench/cpu-per-op.sh large-put
#   BIN=/tmp/before/souverain scripts/bench/cpu-per-op.sh large-put      # another build
#   TARGET=raw CONCURRENCY=8 scripts/bench/cpu-per-op.sh large-put
#   SERVE_ARGS=--without-audit-trail scripts/bench/cpu-per-op.sh small-put   # what the trail costs
#
# Alternate two binaries a few times before reading a difference: these machines are shared.
# Only loopback; the server is stopped by its PID and its data deleted.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
WORKLOAD=${1:?workload, as in souverain bench --workloads}
TARGET=${TARGET:-souverain}
DURATION=${DURATION:-10}
WINDOW=${WINDOW:-5}
LEAD=${LEAD:-3}
CONCURRENCY=${CONCURRENCY:-4}
release_binary
KEY=PROFILEACCESSKEY0001
SECRET=profile-benchmark-secret-key-00000000001
WORK=$(mktemp -d /tmp/souverain-cpu.XXXXXX)
PORT=$(free_port)
case $TARGET in
  souverain)
    # shellcheck disable=SC2086 # SERVE_ARGS is a list of options
    SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET \
      "$BIN" serve --data "$WORK/data" --address "127.0.0.1:$PORT" --log-level warning ${SERVE_ARGS:-} > "$WORK/serve.out" 2>&1 &
    READY=/health/ready ;;
  raw)
    "$BIN" raw-ceiling --directory "$WORK/raw" --address "127.0.0.1:$PORT" > "$WORK/serve.out" 2>&1 &
    READY=/ ;;
  *) echo "TARGET is souverain or raw" >&2; exit 2 ;;
esac
PID=$!
BENCH=
trap 'kill $PID ${BENCH:-} 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_http "http://127.0.0.1:$PORT$READY"
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Context switches of all the process's threads (voluntary: it waited; involuntary: preempted).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {n += $2} END {print v, n}'; }
"$BIN" bench --endpoint "http://127.0.0.1:$PORT" --access-key "$KEY" --secret-key "$SECRET" --bucket cpu \
  --duration "$DURATION" --small-count 1000000 --large-count 1000 --large-concurrency "$CONCURRENCY" \
  --workloads "$WORKLOAD" > "$WORK/bench.txt" 2>&1 &
BENCH=$!
sleep "$LEAD"
server0=$(cpu $PID); bench0=$(cpu $BENCH); switches0=$(switches $PID); t0=$(date +%s.%N)
sleep "$WINDOW"
server1=$(cpu $PID); bench1=$(cpu $BENCH); switches1=$(switches $PID); t1=$(date +%s.%N)
wait $BENCH
BENCH=
grep -E "^$WORKLOAD " "$WORK/bench.txt"
python3 - "$WORK/bench.txt" "$WORKLOAD" "$server0" "$server1" "$bench0" "$bench1" "$t0" "$t1" "$(getconf CLK_TCK)" \
  "$switches0" "$switches1" <<'PY'
import sys
path, workload, s0, s1, b0, b1, t0, t1, ticks, w0, w1 = sys.argv[1:]
fields = next(line.split() for line in open(path) if line.split()[:1] == [workload])
# workload, size, unit, in flight, operations, errors, seconds, MiB/s, ops/s, ...
mibs, ops = float(fields[7]), float(fields[8])
seconds = float(t1) - float(t0)
server = (float(s1) - float(s0)) / int(ticks) / seconds
bench = (float(b1) - float(b0)) / int(ticks) / seconds
line = f"server CPU {server * 100:.0f}%: {server / ops * 1e6:.0f} µs per operation; generator {bench / ops * 1e6:.0f} µs"
if workload.startswith("large"):
    line += f"; per MiB: server {server / mibs * 1e3:.3f} ms, generator {bench / mibs * 1e3:.3f} ms"
print(line)
(v0, n0), (v1, n1) = (map(int, w.split()) for w in (w0, w1))
count = ops * seconds
print(f"server context switches per operation: {(v1 - v0) / count:.2f} voluntary, {(n1 - n0) / count:.2f} involuntary")
PY
grep -E "VmHWM" "/proc/$PID/status" | awk '{printf "server peak RSS %.0f MiB\n", $2 / 1024}'
