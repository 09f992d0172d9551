#!/usr/bin/env bash
# Would grouping catalogue commits pay on PostgreSQL? (issue 15, docs/benchmarks.md "Scale-out")
#
#   SOUVERAIN_BIN=.build-release/release/souverain scripts/bench/group-commit.sh
#   COUNT=1000000 CONCURRENCY=32 DURATION=20 SIZE=4096 scripts/bench/group-commit.sh
#
# One gateway on a PostgreSQL that flushes its WAL as production does (fsync on), small PUTs with
# CONCURRENCY in flight, under three settings of the same server, changed by ALTER SYSTEM and a
# reload between runs:
#   default              every commit waits for its WAL flush; concurrent commits already share
#                        flushes (a backend flushing its commit flushes every record before it)
#   commit_delay=1000    PostgreSQL's own group commit: a committer waits up to 1 ms for others
#                        (commit_siblings=5) so that one flush covers more commits
#   synchronous_commit=off  no commit waits for any flush: the most that grouping commits (in
#                        the gateway or in the database) could ever save
# If the last is not much faster than the first, batching commits in the gateway does not pay.
# Only loopback; PostgreSQL and the gateway are stopped by PID / pg_ctl and their data deleted.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/scripts/bench/common.sh"
COUNT=${COUNT:-1000000}
CONCURRENCY=${CONCURRENCY:-32}
DURATION=${DURATION:-20}
SIZE=${SIZE:-4096}
BIN=${SOUVERAIN_BIN:-$ROOT/.build/release/souverain}
[ -x "$BIN" ] || { echo "no release binary at $BIN: swift build -c release, or set SOUVERAIN_BIN" >&2; exit 1; }
export PATH="$PATH:/usr/sbin:/sbin"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
WORK=$(mktemp -d /tmp/souverain-group-commit.XXXXXX)
PGROOT=$(mktemp -d /tmp/souverain-group-commit-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGROOT"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2> /dev/null || true; wait "$PID" 2> /dev/null || true; fi
  as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$WORK" "$PGROOT"
}
trap cleanup EXIT

PGPORT=$(free_port)
as_postgres "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U postgres -E UTF8 --locale=C > /dev/null
as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
  -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1" start > /dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres souverain
psql() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d souverain -tAq "$@"; }

KEY=GROUPCOMMITACCESSKEY
SECRET=group-commit-benchmark-secret-key-000001
PORT=$(free_port)
SOUVERAIN_CATALOGUE=postgres SOUVERAIN_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/souverain?sslmode=disable" \
  SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET \
  "$BIN" serve --data "$WORK/data" --address "127.0.0.1:$PORT" --log-level warning > "$WORK/serve.out" 2> "$WORK/serve.log" &
PID=$!
wait_http "http://127.0.0.1:$PORT/health/ready"

echo "PostgreSQL $(psql -c 'SHOW server_version'), fsync $(psql -c 'SHOW fsync'), wal_sync_method $(psql -c 'SHOW wal_sync_method')"
printf '\n| setting | PUT ops/s | p50 ms | p99 ms | errors | WAL flushes per commit |\n|---|---|---|---|---|---|\n'
run=0
for setting in "default" "commit_delay=1000" "synchronous_commit=off"; do
  run=$((run + 1))
  psql -c "ALTER SYSTEM RESET ALL"
  case "$setting" in
    commit_delay=*) psql -c "ALTER SYSTEM SET commit_delay = ${setting#*=}"; psql -c "ALTER SYSTEM SET commit_siblings = 5" ;;
    synchronous_commit=*) psql -c "ALTER SYSTEM SET synchronous_commit = ${setting#*=}" ;;
  esac
  psql -c "SELECT pg_reload_conf()" > /dev/null
  sleep 1
  psql -c "SELECT pg_stat_reset_shared('wal')" > /dev/null
  commits_before=$(psql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'souverain'")
  "$BIN" bench --endpoint "http://127.0.0.1:$PORT" --access-key "$KEY" --secret-key "$SECRET" --bucket "group-commit-$run" \
    --workloads small-put --small-count "$COUNT" --small-concurrency "$CONCURRENCY" --small-size "$SIZE" \
    --duration "$DURATION" --keep-objects --json > "$WORK/bench-$run.json" 2> /dev/null
  sleep 1  # pg_stat_database is updated by each backend at most every 500 ms
  commits=$(( $(psql -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'souverain'") - commits_before ))
  syncs=$(psql -c "SELECT wal_sync FROM pg_stat_wal")
  python3 - "$WORK/bench-$run.json" "$setting" "$commits" "$syncs" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["workloads"][0]
lat = w["latency"][0] if w["latency"] else {"p50_ms": float("nan"), "p99_ms": float("nan")}
commits, syncs = int(sys.argv[3]), int(sys.argv[4])
print(f"| {sys.argv[2]} | {w['ops_per_s']:.1f} | {lat['p50_ms']:.1f} | {lat['p99_ms']:.1f} | {w['errors']} | "
      f"{syncs / max(commits, 1):.3f} ({syncs} syncs, {commits} commits) |")
PY
done
echo
echo "binary: $BIN; one gateway, $CONCURRENCY PUTs of $SIZE bytes in flight for at most $DURATION s; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
