#!/usr/bin/env bash
# Side by side, in one run, on this machine: Souverain (release build, embedded default: local
# disk + SQLite, audit trail and encryption on), the same build with the audit trail off or with
# encryption off (souverain-noenc, not in the default set), a Ceph RADOS Gateway
# (../shared/peers/start-radosgw.sh, bluestore), and the raw ceiling (`souverain raw-ceiling`: the
# same HTTP stack and the same durable file writes, no S3 logic). The same `souverain bench`
# workloads run against each; one table with ratios is printed at the end, and every JSON report
# is kept in the work directory.
#
#   scripts/bench/side-by-side.sh                  # everything (about 25 minutes)
#   WORKLOADS=small-put,small-get TARGETS="souverain souverain-noaudit" scripts/bench/side-by-side.sh
#
# env: SHARED (default ../shared), WORK (default a new /tmp directory), WORKLOADS, TARGETS
#      (raw souverain souverain-noaudit souverain-noenc rgw), DURATION (seconds per workload, default 30),
#      LARGE_COUNT (16), SMALL_COUNT (50000: a fast server's small workloads then last seconds, not
#      the fraction of one that 10,000 gave the raw ceiling), ROUNDS (3: the targets alternate their order from one
#      round to the next, and the table gives each figure's median, so that one noisy round decides nothing),
#      VERSIONING (1: versioning on for each round's bucket, on every target but raw, which has none),
#      SETTLE (0: seconds to wait, after a `sync`, before each target's turn but the first),
#      IDLE (0; 1: then, before every turn, wait until every server, Ceph's daemons included, has used under 5% of a
#      core for two seconds running, at most 180 s, and if they were still working, SETTLE again:
#      their work may have been deletions; each wait is printed).
#
# On ext4 without a journal (this project's machines' root), every new inode skips the inodes freed
# in the last minute (six, while their inode table block is dirty) and reads each one's table
# block to find out: a turn that follows another turn's deletions creates its files more slowly.
# The raw ceiling and Souverain create a file per blob and pay it; RGW writes into one
# preallocated file and does not. With the targets' order reversed every other round, the target
# at the ends of the order runs twice in a row. SETTLE=65 takes out the one-minute part only: new
# files written next to the freed inodes dirty their table blocks again (docs/benchmarks.md,
# issue 18's nineteenth round).
#
# A server's work does not always end with its turn. Souverain deletes the blobs of the objects a
# turn deleted once they have been dropped for 60 s (`--garbage-grace`: GETs in flight finish
# first); Ceph's daemons go on working for a second or more after RGW's turn. With the turns back to back, that work
# falls on whichever turn runs then: Souverain's own, a round later, when the raw ceiling's turn in
# between lasts less than a minute (docs/benchmarks.md, issue 18's twenty-fourth round).
# SETTLE=65 IDLE=1 starts each turn after every server's deferred work is done.
# Only loopback is used; every process started is stopped by its PID at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source scripts/bench/common.sh
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
WORK=${WORK:-$(mktemp -d /tmp/souverain-side-by-side.XXXXXX)}
WORKLOADS=${WORKLOADS:-large-put,large-get,small-put,small-get,small-head,list,small-delete,mixed}
TARGETS=${TARGETS:-raw souverain souverain-noaudit rgw}
DURATION=${DURATION:-30}
LARGE_COUNT=${LARGE_COUNT:-16}
SMALL_COUNT=${SMALL_COUNT:-50000}
ROUNDS=${ROUNDS:-3}
VERSIONING=${VERSIONING:-0}
SETTLE=${SETTLE:-0}
IDLE=${IDLE:-0}
mkdir -p "$WORK"
echo "work directory: $WORK" >&2

echo "== building Souverain in release mode" >&2
swift build -c release --product souverain 2>&1 | tail -n 1 >&2
BIN=$ROOT/.build/release/souverain


PIDS=()
DATA_DIRS=()
RGW_DIR=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$RGW_DIR" ]; then bash "$SHARED/peers/stop-radosgw.sh" "$RGW_DIR" >&2 || true; fi
  # The servers' data (gigabytes of blobs a run leaves to the garbage collector, and RGW's OSD
  # file, started fresh by every run) goes; the figures, logs and peak RSS stay in $WORK.
  for dir in "${DATA_DIRS[@]}"; do rm -rf "$dir"; done
  if [ -n "$RGW_DIR" ]; then rm -rf "$RGW_DIR"; fi
}
trap cleanup EXIT

KEY=SBSBENCHACCESSKEY001
SECRET=side-by-side-benchmark-secret-key-000001
declare -A ENDPOINT ACCESS SECRETS PID_OF

start_souverain() {  # NAME EXTRA-FLAGS...
  local name=$1; shift
  local port; port=$(free_port)
  DATA_DIRS+=("$WORK/$name")
  SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET \
    "$BIN" serve --data "$WORK/$name" --address "127.0.0.1:$port" --log-level warning "$@" \
    > "$WORK/$name.out" 2> "$WORK/$name.log" &
  PIDS+=($!); PID_OF[$name]=$!
  ENDPOINT[$name]=http://127.0.0.1:$port; ACCESS[$name]=$KEY; SECRETS[$name]=$SECRET
  wait_http "${ENDPOINT[$name]}/health/ready"
}

# Dirty pages written, then SETTLE seconds of rest.
settle() { sync; sleep "$SETTLE"; }

# CPU ticks used so far by every server started here and by Ceph's daemons.
server_ticks() {
  local pids=("${PIDS[@]}") total=0 pid ticks
  if [ -n "$RGW_DIR" ] && [ -r "$RGW_DIR/pids" ]; then
    while read -r _ pid; do pids+=("$pid"); done < "$RGW_DIR/pids"
  fi
  for pid in "${pids[@]}"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# Waits until the servers have used under 5% of a core for 2 s running, at most 180 s; prints the
# wait. Fails if they were working when it started.
wait_idle() {
  local hz quiet=0 waited=0 before after
  hz=$(getconf CLK_TCK)
  before=$(server_ticks)
  while [ "$waited" -lt 180 ]; do
    sleep 1
    waited=$((waited + 1))
    after=$(server_ticks)
    if [ $(((after - before) * 100)) -lt $((5 * hz)) ]; then quiet=$((quiet + 1)); else quiet=0; fi
    before=$after
    [ "$quiet" -ge 2 ] && break
  done
  echo "   (servers idle after ${waited} s$([ "$quiet" -ge 2 ] || echo ', still busy: gave up'))" >&2
  [ "$waited" -le 2 ]
}

for target in $TARGETS; do
  case $target in
    raw)
      port=$(free_port)
      DATA_DIRS+=("$WORK/raw")
      "$BIN" raw-ceiling --directory "$WORK/raw" --address "127.0.0.1:$port" > "$WORK/raw.out" 2> "$WORK/raw.log" &
      PIDS+=($!); PID_OF[raw]=$!
      ENDPOINT[raw]=http://127.0.0.1:$port; ACCESS[raw]=$KEY; SECRETS[raw]=$SECRET
      wait_http "${ENDPOINT[raw]}/"
      ;;
    souverain) start_souverain souverain ;;
    souverain-noaudit) start_souverain souverain-noaudit --without-audit-trail ;;
    souverain-noenc) start_souverain souverain-noenc --without-encryption ;;
    rgw)
      RGW_DIR=$WORK/rgw
      port=$(free_port)
      echo "== starting the Ceph RADOS Gateway (installs its Debian packages if needed)" >&2
      RGW_PORT=$port FRESH=1 bash "$SHARED/peers/start-radosgw.sh" "$RGW_DIR" > "$WORK/rgw.out"
      ENDPOINT[rgw]=http://127.0.0.1:$port
      ACCESS[rgw]=0555b35654ad1656d804
      SECRETS[rgw]='h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q=='
      ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
done

echo "== calibration: this load generator against a server that does nothing" >&2
"$BIN" bench --calibrate --workloads "$WORKLOADS" --duration "$DURATION" --large-count "$LARGE_COUNT" \
  --small-count "$SMALL_COUNT" --json > "$WORK/calibration.json"

turns=0
for round in $(seq "$ROUNDS"); do
  # Odd rounds take the targets in the given order, even rounds in reverse: a slow spell of the
  # shared machine does not always fall on the same target.
  order=$TARGETS
  if [ $((round % 2)) = 0 ]; then order=$(echo "$TARGETS" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  for target in $order; do
    versioning=()
    if [ "$VERSIONING" = 1 ] && [ "$target" != raw ]; then versioning=(--versioning); fi
    if [ "$SETTLE" != 0 ] && [ "$turns" -gt 0 ]; then settle; fi
    if [ "$IDLE" = 1 ] && ! wait_idle && [ "$SETTLE" != 0 ] && [ "$turns" -gt 0 ]; then settle; fi
    turns=$((turns + 1))
    echo "== round $round: $target (${ENDPOINT[$target]})${versioning[*]:+, versioned bucket}" >&2
    "$BIN" bench --endpoint "${ENDPOINT[$target]}" --access-key "${ACCESS[$target]}" --secret-key "${SECRETS[$target]}" \
      --bucket "bench-$round" --workloads "$WORKLOADS" --duration "$DURATION" --large-count "$LARGE_COUNT" \
      --small-count "$SMALL_COUNT" "${versioning[@]}" --json > "$WORK/$target-$round.json" || echo "($target reported errors)" >&2
  done
done

for target in $TARGETS; do
  pid=${PID_OF[$target]:-}
  if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
    awk '/VmHWM/ {print $2}' "/proc/$pid/status" > "$WORK/$target.peak-rss-kib"
  fi
done

python3 "$ROOT/scripts/bench/side-by-side-table.py" "$WORK" $TARGETS
