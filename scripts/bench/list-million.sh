#!/usr/bin/env bash
# A 1000-key ListObjectsV2 page from a bucket of a million objects: latency at p50/p99.
#
#   scripts/bench/list-million.sh                  # COUNT=1000000 CONCURRENCY="1 4" DURATION=20
#   VERSIONS=5 scripts/bench/list-million.sh       # the same keys, 5 versions each (4 noncurrent)
#   POSTGRES=1 scripts/bench/list-million.sh       # the catalogue in a throwaway PostgreSQL (docs/scale-out.md)
#   BIN=.build-release/release/souverain ...       # a release binary already built (else it is built)
#
# Builds the release binary, starts `souverain serve` on a fresh data directory, creates a bucket,
# stops the server, puts COUNT catalogue rows in it with `souverain fill-catalogue` (what a PUT of
# an empty object records, without its blob: a million S3 PUTs would take a quarter of an hour
# here and listings read the catalogue only), starts the server again and runs `souverain bench
# --workloads list` at each concurrency: every worker pages through the whole prefix with
# continuation tokens. Only loopback; the server is stopped by its PID and its data deleted.
#
# On PostgreSQL, with one version per key, the rows are put faster than one transaction of a
# dozen round trips each (docs/benchmarks.md gives the rate): `fill-catalogue` writes one row through the
# catalogue, and one INSERT ... SELECT clones it COUNT times with only the key changed, so every
# row is byte for byte what the catalogue writes for a PUT of an empty object. The throwaway
# server runs without fsync (fsync=off, synchronous_commit=off): listings read, they never flush.
# PER_ROW_FILL=1 puts every row through the catalogue instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
COUNT=${COUNT:-1000000}
CONCURRENCY=${CONCURRENCY:-1 4}
DURATION=${DURATION:-20}
VERSIONS=${VERSIONS:-1}
WORK=${WORK:-$(mktemp -d /tmp/souverain-list-million.XXXXXX)}
mkdir -p "$WORK"
echo "work directory: $WORK" >&2

release_binary

KEY=LISTBENCHACCESSKEY01
SECRET=list-million-benchmark-secret-key-0000001
DATA=$WORK/data
PID=""
stop_server() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi
}
PGROOT=""
stop_postgres() {
  if [ -n "$PGROOT" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m immediate -w stop > /dev/null 2>&1 || true
    rm -rf "$PGROOT"; PGROOT=""
  fi
}
cleanup() { stop_server; stop_postgres; rm -rf "$DATA"; }
trap cleanup EXIT

# The catalogue in a throwaway PostgreSQL (Debian's, as root): every souverain command below
# follows SOUVERAIN_CATALOGUE and SOUVERAIN_POSTGRES_URL.
if [ "${POSTGRES:-0}" = 1 ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGROOT=$(mktemp -d /tmp/souverain-list-million-pg.XXXXXX)
  chown postgres:postgres "$PGROOT"
  PGPORT=$(free_port)
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGROOT/data" -A trust -U postgres --no-sync -E UTF8 --locale=C > /dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
    -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c fsync=off -c synchronous_commit=off -c max_wal_size=4GB" start > /dev/null
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres souverain
  export SOUVERAIN_CATALOGUE=postgres SOUVERAIN_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/souverain?sslmode=disable"
  echo "catalogue: PostgreSQL on 127.0.0.1:$PGPORT" >&2
fi

start_server() {
  PORT=$(free_port)
  SOUVERAIN_ADMIN_ACCESS_KEY=$KEY SOUVERAIN_ADMIN_SECRET_KEY=$SECRET \
    "$BIN" serve --data "$DATA" --address "127.0.0.1:$PORT" --log-level warning >> "$WORK/serve.out" 2>> "$WORK/serve.log" &
  PID=$!
  wait_http "http://127.0.0.1:$PORT/health/ready" || exit 1
}

start_server
stop_server
"$BIN" bucket create bench-list --data "$DATA" >&2
echo "== putting $COUNT rows" >&2
if [ "${POSTGRES:-0}" = 1 ] && [ "$VERSIONS" = 1 ] && [ "${PER_ROW_FILL:-0}" != 1 ]; then
  started=$(date +%s.%N)
  "$BIN" fill-catalogue --data "$DATA" --bucket bench-list --prefix bench/template/ --count 1 >&2
  WIDTH=$(printf '%d' $((COUNT - 1)) | wc -c)
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d souverain -v ON_ERROR_STOP=1 -q <<SQL
INSERT INTO objects (bucket, key, size, etag, last_modified, metadata, checksums, location, segments, part_count, replicas,
                     needs_repair, version_id, version_seq, retention, legal_hold, tags)
SELECT o.bucket, convert_to('bench/list/' || lpad(i::text, $WIDTH, '0'), 'UTF8'), o.size, o.etag, o.last_modified, o.metadata,
       o.checksums, o.location, o.segments, o.part_count, o.replicas, o.needs_repair, o.version_id, o.version_seq,
       o.retention, o.legal_hold, o.tags
FROM objects o, generate_series(0, $COUNT - 1) AS i
WHERE o.bucket = 'bench-list' AND o.key = convert_to('bench/template/0', 'UTF8');
DELETE FROM objects WHERE bucket = 'bench-list' AND key = convert_to('bench/template/0', 'UTF8');
VACUUM ANALYZE objects;
SQL
  echo "Put $COUNT keys (cloned from one catalogue row) in $(echo "$(date +%s.%N) - $started" | bc) s." >&2
else
  "$BIN" fill-catalogue --data "$DATA" --bucket bench-list --prefix bench/list/ --count "$COUNT" --versions "$VERSIONS" >&2
fi
start_server
if [ "${POSTGRES:-0}" = 1 ]; then
  echo "rows under bench/list/ in the catalogue: $("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d souverain -tAc \
    "SELECT count(*) FROM objects WHERE bucket = 'bench-list' AND key >= convert_to('bench/list/', 'UTF8') AND key < convert_to('bench/list0', 'UTF8')")" >&2
fi
for concurrency in $CONCURRENCY; do
  echo "== $concurrency listing(s) in flight" >&2
  "$BIN" bench --endpoint "http://127.0.0.1:$PORT" --access-key "$KEY" --secret-key "$SECRET" --bucket bench-list \
    --workloads list --list-objects 0 --keep-objects --list-concurrency "$concurrency" --duration "$DURATION" \
    --label "list, $COUNT objects, $VERSIONS version(s) each, $concurrency in flight" | tee "$WORK/list-$concurrency.txt"
done
awk '/VmHWM/ {print "server peak RSS: " $2 " KiB"}' "/proc/$PID/status"
