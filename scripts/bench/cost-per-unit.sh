#!/usr/bin/env bash
# What each function costs per MiB (large workloads) or per operation (small ones), on Souverain
# and on the raw ceiling, side by side: how "Issue 18's tenth round" in docs/benchmarks.md split a
# large PUT's CPU between MD5, AES-GCM, copies, the kernel and the rest. Each server runs alone:
# `perf record` samples it at 999 Hz for WINDOW seconds during one `souverain bench` workload;
# a sample is about 1 ms of CPU, so samples ÷ (units per second × seconds) is the CPU per unit.
# Needs perf (Debian: linux-perf).
#
#   scripts/bench/cost-per-unit.sh large-put
#   TOP=40 BIN=/tmp/other/souverain scripts/bench/cost-per-unit.sh small-head
#
# Only loopback; each server is stopped by its PID and its data deleted.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
WORKLOAD=${1:?workload, as in souverain bench --workloads}
DURATION=${DURATION:-12}
WINDOW=${WINDOW:-7}
TOP=${TOP:-25}
release_binary
KEY=PROFILEACCESSKEY0001
SECRET=profile-benchmark-secret-key-00000000001
WORK=$(mktemp -d /tmp/souverain-cost.XXXXXX)
PID=
BENCH=
trap 'kill $PID $BENCH 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

for target in souverain raw; do
  port=$(free_port)
  case $target in
    souverain)
      SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET \
        "$BIN" serve --data "$WORK/data" --address "127.0.0.1:$port" --log-level warning > "$WORK/serve.out" 2>&1 &
      PID=$!
      wait_http "http://127.0.0.1:$port/health/ready" ;;
    raw)
      "$BIN" raw-ceiling --directory "$WORK/raw" --address "127.0.0.1:$port" > "$WORK/raw.out" 2>&1 &
      PID=$!
      wait_http "http://127.0.0.1:$port/" ;;
  esac
  "$BIN" bench --endpoint "http://127.0.0.1:$port" --access-key "$KEY" --secret-key "$SECRET" --bucket cost \
    --duration "$DURATION" --small-count 1000000 --large-count 1000 --workloads "$WORKLOAD" > "$WORK/$target.bench" 2>&1 &
  BENCH=$!
  # After the objects a read workload reads have been put; before the run's time is up.
  sleep 3
  perf record -F 999 -g -p "$PID" -o "$WORK/$target.data" -- sleep "$WINDOW" > /dev/null 2>&1 || true
  wait $BENCH
  BENCH=
  kill $PID; wait $PID 2>/dev/null || true
  PID=
  grep -E "^$WORKLOAD " "$WORK/$target.bench" >&2
  perf script -i "$WORK/$target.data" 2>/dev/null > "$WORK/$target.script"
done

python3 - "$WORK" "$WORKLOAD" "$WINDOW" "$TOP" <<'PY'
import collections, sys
work, workload, window, top = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
large = workload.startswith("large")

def rate(target):
    # workload, size, unit, in flight, operations, errors, seconds, MiB/s, ops/s, ...
    fields = next(line.split() for line in open(f"{work}/{target}.bench") if line.split()[:1] == [workload])
    return float(fields[7]) if large else float(fields[8])

def samples(target):
    """Samples by the function they were taken in (the top of each stack)."""
    counts, total = collections.Counter(), 0
    for stack in open(f"{work}/{target}.script").read().split("\n\n"):
        lines = stack.strip().split("\n")
        if len(lines) < 2:
            continue
        parts = lines[1].strip().split(None, 1)
        if len(parts) < 2:
            continue
        total += 1
        counts[parts[1].rsplit(" (", 1)[0].split("+")[0]] += 1
    return counts, total

# One sample at 999 Hz is 1.001 ms of CPU: per unit, in ms per MiB or µs per operation.
scale = 1.001 if large else 1001.0
unit = "ms per MiB" if large else "µs per operation"
costs = {}
for target in ("souverain", "raw"):
    counts, total = samples(target)
    units = rate(target) * window
    costs[target] = ({name: n * scale / units for name, n in counts.items()}, total * scale / units)
(sv, sv_total), (raw, raw_total) = costs["souverain"], costs["raw"]
print(f"{workload}: server CPU, {unit} (perf at 999 Hz over {window:.0f} s)")
print(f"{'souverain':>10} {'raw':>10} {'difference':>10}  function")
print(f"{sv_total:10.3f} {raw_total:10.3f} {sv_total - raw_total:+10.3f}  (all)")
names = {n for n, _ in collections.Counter(sv).most_common(top)} | {n for n, _ in collections.Counter(raw).most_common(top)}
for name in sorted(names, key=lambda n: -(sv.get(n, 0) - raw.get(n, 0))):
    a, b = sv.get(name, 0), raw.get(name, 0)
    print(f"{a:10.3f} {b:10.3f} {a - b:+10.3f}  {name[:100]}")
PY
