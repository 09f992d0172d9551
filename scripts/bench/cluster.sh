#!/usr/bin/env bash
# Small PUT and GET ops/s through HAProxy with 1, 2 and 3 gateways on one PostgreSQL (issue 15,
# docs/benchmarks.md): how far the cluster scales on this machine.
#
#   SOUVERAIN_BIN=.build/release/souverain scripts/bench/cluster.sh
#   GATEWAYS="1 2 3" COUNT=5000 CONCURRENCY=32 DURATION=20 SIZE=4096 scripts/bench/cluster.sh
#
# For each count of gateways: a fresh cluster (scripts/cluster/up.sh in a temporary directory),
# `souverain bench --workloads small-put,small-get` through its HAProxy, the cluster stopped and
# deleted (down.sh --purge). Prints one line per cluster and the scaling from the first, and the
# CPU each part (gateways, PostgreSQL, HAProxy, the load generator) spent per request during each
# workload (cpu-by-process.py): what a machine per gateway would give. PROFILE=1 also records
# `perf record -a -g` during each workload of the last cluster and writes the reports to
# $OUT_DIR (docs/profiles/cluster-N-WORKLOAD.txt). RAW=FILE keeps every bench's JSON and CPU
# readings there. Measure a release binary: a debug build measures the debug build. Only
# loopback; every process it starts is stopped by down.sh, by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GATEWAYS=${GATEWAYS:-1 2 3}
COUNT=${COUNT:-5000}
CONCURRENCY=${CONCURRENCY:-32}
DURATION=${DURATION:-20}
SIZE=${SIZE:-4096}
BIN=${SOUVERAIN_BIN:-$ROOT/.build/release/souverain}
[ -x "$BIN" ] || { echo "no release binary at $BIN: swift build -c release, or set SOUVERAIN_BIN" >&2; exit 1; }
export SOUVERAIN_BIN=$BIN

WORK=$(mktemp -d /tmp/souverain-bench-cluster.XXXXXX)
DIR=""
cleanup() {
  if [ -n "$DIR" ]; then "$ROOT/scripts/cluster/down.sh" --dir "$DIR" --grace 5 --purge > /dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

KEY=BENCHCLUSTERKEY00001
SECRET=bench-cluster-secret-key-000000000000001
OUT_DIR=${OUT_DIR:-$ROOT/docs/profiles}
LAST=$(echo "$GATEWAYS" | awk '{print $NF}')
for n in $GATEWAYS; do
  DIR=$WORK/cluster-$n
  echo "== $n gateway(s); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET SOUVERAIN_LOG_LEVEL=warning \
    "$ROOT/scripts/cluster/up.sh" --gateways "$n" --dir "$DIR" > "$WORK/up-$n.txt"
  # shellcheck source=/dev/null
  . "$DIR/cluster.env"
  profile=()
  if [ "${PROFILE:-0}" = 1 ] && [ "$n" = "$LAST" ]; then
    profile=(--perf-seconds $((DURATION > 12 ? DURATION - 8 : 4)) --perf-out "$WORK/perf-$n")
  fi
  python3 "$ROOT/scripts/bench/cpu-by-process.py" "$DIR" "$WORK/cpu-$n.json" "${profile[@]}" -- \
    "$BIN" bench --endpoint "$CLUSTER_ENDPOINT" --access-key "$KEY" --secret-key "$SECRET" \
    --workloads small-put,small-get --small-count "$COUNT" --small-concurrency "$CONCURRENCY" \
    --small-size "$SIZE" --duration "$DURATION" --label "$n gateway(s)" --json > "$WORK/bench-$n.json"
  if [ ${#profile[@]} -gt 0 ]; then
    mkdir -p "$OUT_DIR"
    for phase in 0 1; do
      workload=$([ $phase = 0 ] && echo small-put || echo small-get)
      [ -f "$WORK/perf-$n-$phase.data" ] || continue
      {
        echo "# perf record -a -g (every process of the machine), $n gateway(s), $workload, $(date -u +%FT%TZ)"
        echo "## CPU by process"
        # Thread names: NIO-* and *-qos* are the gateways' (and the load generator's) Swift threads.
        perf report -i "$WORK/perf-$n-$phase.data" --stdio --sort comm --no-children -g none 2> /dev/null \
          | grep '%' | sed 's/[[:space:]]*$//' | head -n 25
        echo "## CPU by program"
        perf report -i "$WORK/perf-$n-$phase.data" --stdio --sort pid --no-children -g none 2> /dev/null \
          | grep '%' | sed 's/[[:space:]]*$//' | head -n 25
        echo "## Functions (self), every process"
        perf report -i "$WORK/perf-$n-$phase.data" --stdio --sort comm,dso,symbol --no-children -g none 2> /dev/null \
          | grep '%' | sed 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//; s/[[:space:]]*$//' | head -n 60
      } > "$OUT_DIR/cluster-$n-$workload.txt" || true
    done
  fi
  "$ROOT/scripts/cluster/down.sh" --dir "$DIR" --grace 5 --purge > /dev/null
  DIR=""
done

python3 - "$WORK" $GATEWAYS <<'PY'
import json, sys
work, counts = sys.argv[1], sys.argv[2:]
rows, cpu_rows, first = [], [], {}
for n in counts:
    report = json.load(open(f"{work}/bench-{n}.json"))
    phases = json.load(open(f"{work}/cpu-{n}.json"))["phases"]
    by = {w["workload"]: w for w in report["workloads"]}
    cells = []
    for index, name in enumerate(["small-put", "small-get"]):
        w = by[name]
        p99 = w["latency"][0]["p99_ms"] if w["latency"] else float("nan")
        first.setdefault(name, w["ops_per_s"])
        cells.append((w["ops_per_s"], p99, w["errors"], w["ops_per_s"] / first[name]))
        requests = w["warm_up_operations"] + w["operations"] + w["errors"]
        cpu = phases[index]["cpu"] if index < len(phases) else {}
        parts = ["gateways", "postgres", "haproxy", "load generator"]
        per = [1000 * cpu.get(part, 0) / max(requests, 1) for part in parts]
        busy = sum(cpu.get(part, 0) for part in parts) / max(phases[index]["seconds"], 1e-9) if index < len(phases) else 0
        cpu_rows.append(f"| {n} | {name} | " + " | ".join(f"{v:.3f}" for v in per) + f" | {sum(per):.3f} | {busy:.2f} |")
    rows.append(f"| {n} | {cells[0][0]:.1f} | {cells[0][1]:.1f} | {cells[1][0]:.1f} | {cells[1][1]:.1f} | "
                f"{cells[0][2] + cells[1][2]} | {cells[0][3]:.2f} | {cells[1][3]:.2f} |")
print("\n| gateways | PUT ops/s | PUT p99 ms | GET ops/s | GET p99 ms | errors | PUT × | GET × |\n|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
print("\nCPU per request (ms; warm-up, measured and failed requests of each workload), and cores busy on average:\n")
print("| gateways | workload | gateways | PostgreSQL | HAProxy | load generator | all | cores busy |\n|---|---|---|---|---|---|---|---|")
print("\n".join(cpu_rows))
PY
if [ -n "${RAW:-}" ]; then
  for n in $GATEWAYS; do
    { echo "# bench-$n.json"; cat "$WORK/bench-$n.json"; echo; echo "# cpu-$n.json"; cat "$WORK/cpu-$n.json"; echo; } >> "$RAW"
  done
fi
echo
echo "binary: $BIN; $COUNT operations of $SIZE bytes per workload at most, $CONCURRENCY in flight, at most $DURATION s; $(nproc) cores"
