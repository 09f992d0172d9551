#!/usr/bin/env bash
# Small PUT and GET ops/s through HAProxy with 1, 2 and 3 gateways on one PostgreSQL (issue 15,
# docs/benchmarks.md): how far the cluster scales on this machine.
#
#   SOUVERAIN_BIN=.build/release/souverain scripts/bench/cluster.sh
#   GATEWAYS="1 2 3" COUNT=5000 CONCURRENCY=32 DURATION=20 SIZE=4096 scripts/bench/cluster.sh
#
# For each count of gateways: a fresh cluster (scripts/cluster/up.sh in a temporary directory),
# `souverain bench --workloads small-put,small-get` through its HAProxy, the cluster stopped and
# deleted (down.sh --purge). Prints one line per cluster and the scaling from the first. Measure a
# release binary: a debug build measures the debug build. Only loopback; every process it starts
# is stopped by down.sh, by PID.
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
results=()
for n in $GATEWAYS; do
  DIR=$WORK/cluster-$n
  echo "== $n gateway(s)" >&2
  SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET SOUVERAIN_LOG_LEVEL=warning \
    "$ROOT/scripts/cluster/up.sh" --gateways "$n" --dir "$DIR" > "$WORK/up-$n.txt"
  # shellcheck source=/dev/null
  . "$DIR/cluster.env"
  "$BIN" bench --endpoint "$CLUSTER_ENDPOINT" --access-key "$KEY" --secret-key "$SECRET" \
    --workloads small-put,small-get --small-count "$COUNT" --small-concurrency "$CONCURRENCY" \
    --small-size "$SIZE" --duration "$DURATION" --label "$n gateway(s)" --json > "$WORK/bench-$n.json"
  results+=("$n $(python3 - "$WORK/bench-$n.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
by = {w["workload"]: w for w in report["workloads"]}
def cell(name):
    w = by[name]
    p99 = w["latency"][0]["p99_ms"] if w["latency"] else float("nan")
    return f"{w['ops_per_s']:.1f} {p99:.1f} {w['errors']}"
print(cell("small-put"), cell("small-get"))
PY
)")
  "$ROOT/scripts/cluster/down.sh" --dir "$DIR" --grace 5 --purge > /dev/null
  DIR=""
done

printf '\n| gateways | PUT ops/s | PUT p99 ms | GET ops/s | GET p99 ms | errors | PUT × | GET × |\n|---|---|---|---|---|---|---|---|\n'
first_put="" first_get=""
for line in "${results[@]}"; do
  read -r n put put99 put_errors get get99 get_errors <<< "$line"
  first_put=${first_put:-$put} first_get=${first_get:-$get}
  printf '| %s | %s | %s | %s | %s | %s | %.2f | %.2f |\n' "$n" "$put" "$put99" "$get" "$get99" \
    "$((put_errors + get_errors))" "$(awk -v a="$put" -v b="$first_put" 'BEGIN { print a / b }')" \
    "$(awk -v a="$get" -v b="$first_get" 'BEGIN { print a / b }')"
done
echo
echo "binary: $BIN; $COUNT operations of $SIZE bytes per workload, $CONCURRENCY in flight, at most $DURATION s; $(nproc) cores"
