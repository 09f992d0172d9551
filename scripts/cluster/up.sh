#!/usr/bin/env bash
# Starts a Souverain cluster on this machine, on loopback: a PostgreSQL catalogue, N gateways
# (`souverain serve`) sharing it, one blob directory and one keyring, and HAProxy in front of them
# (docs/scale-out.md, "A cluster on one machine").
#
#   scripts/cluster/up.sh [--gateways N] [--dir DIR] [--garbage-grace SECONDS] [--stray-grace SECONDS]
#                         [--restart INDEX]
#
#   --gateways N         how many gateways (3); fixed when DIR is first made
#   --dir DIR            where everything lives (./souverain-cluster): configurations, data
#                        directories, the shared blobs, logs, and the PIDs this script started
#   --garbage-grace S    seconds a replaced blob stays readable before it is deleted (60)
#   --stray-grace S      seconds an unreferenced blob of the shared directory is left alone before
#                        a restarted gateway's sweep may delete it (3600; keep it above the longest
#                        request: another gateway may be about to commit it)
#   --restart INDEX      stop gateway INDEX (by its recorded PID) and start it again
#
# Bringing a cluster up is idempotent: what is already running (a recorded PID that is still the
# process this script started) is left alone, what is not is started again with the same ports and
# data. So the same command restarts a gateway that was killed, or a PostgreSQL that was stopped.
# The binary is $SOUVERAIN_BIN (default .build/debug/souverain, else .build/release/souverain).
# scripts/cluster/down.sh stops exactly what this script started.
set -euo pipefail
# haproxy and runuser live in sbin, which a user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

GATEWAYS=""
DIR=${SOUVERAIN_CLUSTER_DIR:-./souverain-cluster}
GRACE=60
STRAY_GRACE=3600
RESTART=""
while [ $# -gt 0 ]; do
  case "$1" in
    --gateways) GATEWAYS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --garbage-grace) GRACE=$2; shift 2 ;;
    --stray-grace) STRAY_GRACE=$2; shift 2 ;;
    --restart) RESTART=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "up.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "up.sh: $*" >&2; exit 1; }
[[ "$GRACE" =~ ^[0-9]+$ ]] || fail "--garbage-grace takes a number of seconds"
[[ "$STRAY_GRACE" =~ ^[1-9][0-9]*$ ]] || fail "--stray-grace takes a number of seconds (at least 1)"

BIN=${SOUVERAIN_BIN:-}
if [ -z "$BIN" ]; then
  for candidate in "$ROOT/.build/debug/souverain" "$ROOT/.build/release/souverain"; do
    if [ -x "$candidate" ]; then BIN=$candidate; break; fi
  done
fi
[ -n "$BIN" ] && [ -x "$BIN" ] || fail "no souverain binary: build it (swift build) or set SOUVERAIN_BIN"
HAPROXY=$(command -v haproxy || true)
[ -n "$HAPROXY" ] || fail "haproxy is not installed (Debian: apt-get install haproxy)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] && command -v initdb > /dev/null; then PGBIN=$(dirname "$(command -v initdb)"); fi
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || fail "PostgreSQL is not installed (Debian: apt-get install postgresql)"
command -v curl > /dev/null || fail "curl is not installed"

# The cluster's shape comes from the files written below, never from the caller's environment:
# a SOUVERAIN_DATA or SOUVERAIN_CATALOGUE left in the shell would override them in every gateway.
for name in $(compgen -e); do
  case "$name" in
    SOUVERAIN_BIN|SOUVERAIN_ADMIN_ACCESS_KEY|SOUVERAIN_ADMIN_SECRET_KEY|SOUVERAIN_LOG_LEVEL|SOUVERAIN_KEYRING_PASSPHRASE) ;;
    SOUVERAIN_*) unset "$name" ;;
  esac
done

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
STATE=$DIR/cluster.env
# A free port below the kernel's range of ephemeral ports: a port from that range, free when
# picked, may be taken as the source port of an outgoing connection (a gateway's to PostgreSQL)
# before the process meant to listen on it starts, or restarts after a kill.
free_port() {
  python3 - "$@" <<'PY'
import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
taken = {int(p) for p in sys.argv[1:]}
for port in random.sample(range(max(1024, low - 12000), low), 2000):
    if port in taken:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    sys.exit("no free port below the ephemeral range")
PY
}
random_text() { tr -dc "$1" < /dev/urandom | head -c "$2" || true; }

# -- the cluster's identity: made once, read back on every later run --------------------------
if [ -f "$STATE" ]; then
  # shellcheck source=/dev/null
  . "$STATE"
  if [ -n "$GATEWAYS" ] && [ "$GATEWAYS" != "$CLUSTER_GATEWAYS" ]; then
    fail "$DIR holds a cluster of $CLUSTER_GATEWAYS gateways; run down.sh --purge first to change it"
  fi
else
  GATEWAYS=${GATEWAYS:-3}
  [[ "$GATEWAYS" =~ ^[1-9][0-9]*$ ]] || fail "--gateways takes a positive number"
  CLUSTER_GATEWAYS=$GATEWAYS
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: its directory belongs to `postgres`, outside DIR, whose
    # parents that user may not be allowed to enter.
    CLUSTER_PG_ROOT=$(mktemp -d /tmp/souverain-cluster-pg.XXXXXX)
    chown postgres:postgres "$CLUSTER_PG_ROOT"
  else
    CLUSTER_PG_ROOT=$DIR/postgres
    mkdir -p "$CLUSTER_PG_ROOT"
  fi
  CLUSTER_PG_PORT=$(free_port)
  CLUSTER_HAPROXY_PORT=$(free_port "$CLUSTER_PG_PORT")
  CLUSTER_GATEWAY_PORTS=""
  for _ in $(seq "$GATEWAYS"); do
    # shellcheck disable=SC2086
    CLUSTER_GATEWAY_PORTS="$CLUSTER_GATEWAY_PORTS $(free_port "$CLUSTER_PG_PORT" "$CLUSTER_HAPROXY_PORT" $CLUSTER_GATEWAY_PORTS)"
  done
  CLUSTER_GATEWAY_PORTS=${CLUSTER_GATEWAY_PORTS# }
  {
    echo "# Written by scripts/cluster/up.sh; read by up.sh, down.sh and the cluster tests."
    echo "CLUSTER_GATEWAYS=$CLUSTER_GATEWAYS"
    echo "CLUSTER_PG_ROOT=$CLUSTER_PG_ROOT"
    echo "CLUSTER_PG_PORT=$CLUSTER_PG_PORT"
    echo "CLUSTER_HAPROXY_PORT=$CLUSTER_HAPROXY_PORT"
    echo "CLUSTER_GATEWAY_PORTS=\"$CLUSTER_GATEWAY_PORTS\""
    echo "CLUSTER_ENDPOINT=http://127.0.0.1:$CLUSTER_HAPROXY_PORT"
  } > "$STATE"
fi
read -r -a PORTS <<< "$CLUSTER_GATEWAY_PORTS"
mkdir -p "$DIR/pids" "$DIR/logs" "$DIR/blobs"

CREDENTIALS=$DIR/credentials
if [ ! -f "$CREDENTIALS" ]; then
  ACCESS=${SOUVERAIN_ADMIN_ACCESS_KEY:-SOUV$(random_text 'A-Z0-9' 16)}
  SECRET=${SOUVERAIN_ADMIN_SECRET_KEY:-$(random_text 'A-Za-z0-9+/' 40)}
  (umask 077; printf 'access_key = %s\nsecret_key = %s\n' "$ACCESS" "$SECRET" > "$CREDENTIALS")
fi
ACCESS=$(sed -n 's/^access_key = //p' "$CREDENTIALS")
SECRET=$(sed -n 's/^secret_key = //p' "$CREDENTIALS")

# -- processes: a PID file per process, and a check that the PID is still that process ---------
# `running FILE NEEDLE`: the recorded process is alive (not a zombie) and its command line holds
# NEEDLE (a path inside DIR), so a PID reused by another program is never taken for ours.
running() {
  local pid state
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [ "$state" != Z ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$2"
}

wait_ready() {  # NAME URL PIDFILE NEEDLE LOG
  for _ in $(seq 600); do
    if curl -fsS -o /dev/null --max-time 2 "$2" 2> /dev/null; then return 0; fi
    if ! running "$3" "$4"; then
      echo "up.sh: $1 exited before it was ready; the end of $5:" >&2
      tail -n 30 "$5" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  fail "$1 was not ready after 60 s (log: $5)"
}

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

PGDATA_DIR=$CLUSTER_PG_ROOT/data
PGLOG=$CLUSTER_PG_ROOT/server.log
start_postgres() {
  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    as_postgres "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres --no-sync -E UTF8 --locale=C > /dev/null
  fi
  if ! as_postgres "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status > /dev/null 2>&1; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 \
      -o "-p $CLUSTER_PG_PORT -k $CLUSTER_PG_ROOT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      start > /dev/null
  fi
  head -n 1 "$PGDATA_DIR/postmaster.pid" > "$DIR/pids/postgres.pid"
  if ! "$PGBIN/psql" -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'souverain'" postgres | grep -q 1; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U postgres souverain
  fi
  URL_FILE=$DIR/postgres-url
  (umask 077; echo "postgres://postgres@127.0.0.1:$CLUSTER_PG_PORT/souverain?sslmode=disable" > "$URL_FILE")
}

# Every gateway runs the background work (repair, scrub, lifecycle, garbage collection, the sweep
# of stray blobs after a crash): a lease in PostgreSQL per job makes one gateway at a time do each,
# and another take over when it dies (docs/scale-out.md, "Leases").
write_gateway_config() {
  local n=$1 conf=$DIR/gateway-$1/souverain.conf
  mkdir -p "$DIR/gateway-$n"
  cat > "$conf" <<CONF
# Gateway $n of the cluster in $DIR (written by scripts/cluster/up.sh).
data = $DIR/gateway-$n/data
address = 127.0.0.1:${PORTS[$((n - 1))]}
catalogue = postgres
postgres-url-file = $DIR/postgres-url
# A request waits at most this long for PostgreSQL before it is answered 503 (HAProxy's health
# check times out after 2 s too).
postgres-wait-seconds = 2
# Which gateway does each background job is decided by leases; the cluster keeps the default
# intervals, and a gateway that stops gives its leases back.
# A blob of the shared directory that no object references is deleted by a restarted gateway's
# sweep only once it is this old: another gateway may be between writing and committing it.
stray-blob-grace-seconds = $STRAY_GRACE

# Every gateway keeps its bytes in the same directory, under the same location id.
[location local]
kind = local
path = $DIR/blobs
CONF
}

start_gateway() {
  local n=$1 conf=$DIR/gateway-$1/souverain.conf pidfile=$DIR/pids/gateway-$1.pid
  write_gateway_config "$n"
  mkdir -p "$DIR/gateway-$n/data"
  chmod 700 "$DIR/gateway-$n/data"
  if [ "$n" != 1 ] && [ ! -f "$DIR/gateway-$n/data/keyring.json" ]; then
    # One master key for all: the keyring gateway 1 created.
    cp -p "$DIR/gateway-1/data/keyring.json" "$DIR/gateway-$n/data/keyring.json"
  fi
  SOUVERAIN_ADMIN_ACCESS_KEY=$ACCESS SOUVERAIN_ADMIN_SECRET_KEY=$SECRET nohup "$BIN" serve --config "$conf" \
    --data "$DIR/gateway-$n/data" --address "127.0.0.1:${PORTS[$((n - 1))]}" --garbage-grace "$GRACE" \
    >> "$DIR/logs/gateway-$n.out" 2>> "$DIR/logs/gateway-$n.log" < /dev/null &
  echo $! > "$pidfile"
}

gateway_needle() { echo "$DIR/gateway-$1/souverain.conf"; }

stop_gateway() {
  local n=$1 pidfile=$DIR/pids/gateway-$1.pid pid
  if running "$pidfile" "$(gateway_needle "$n")"; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 100); do running "$pidfile" "$(gateway_needle "$n")" || break; sleep 0.1; done
    if running "$pidfile" "$(gateway_needle "$n")"; then kill -KILL "$pid"; fi
  fi
  rm -f "$pidfile"
}

if [ -n "$RESTART" ]; then
  [[ "$RESTART" =~ ^[0-9]+$ ]] && [ "$RESTART" -ge 1 ] && [ "$RESTART" -le "$CLUSTER_GATEWAYS" ] \
    || fail "--restart takes a gateway index from 1 to $CLUSTER_GATEWAYS"
  stop_gateway "$RESTART"
fi

start_postgres

# Gateway 1 first: on an empty database it creates the schema, the admin user and the keyring.
for n in $(seq "$CLUSTER_GATEWAYS"); do
  if [ "$n" = 1 ] || [ -f "$DIR/gateway-1/data/keyring.json" ]; then
    if ! running "$DIR/pids/gateway-$n.pid" "$(gateway_needle "$n")"; then start_gateway "$n"; fi
  fi
  if [ "$n" = 1 ]; then
    wait_ready "gateway 1" "http://127.0.0.1:${PORTS[0]}/health/ready" "$DIR/pids/gateway-1.pid" \
      "$(gateway_needle 1)" "$DIR/logs/gateway-1.log"
  fi
done
for n in $(seq 2 "$CLUSTER_GATEWAYS"); do
  wait_ready "gateway $n" "http://127.0.0.1:${PORTS[$((n - 1))]}/health/ready" "$DIR/pids/gateway-$n.pid" \
    "$(gateway_needle "$n")" "$DIR/logs/gateway-$n.log"
done

# -- HAProxy ------------------------------------------------------------------------------------
# When no gateway is ready (PostgreSQL down), HAProxy answers as S3 would: 503 ServiceUnavailable.
BODY='<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>ServiceUnavailable</Code><Message>No gateway behind the load balancer is ready; retry later.</Message><RequestId>haproxy</RequestId></Error>
'
printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: %d\r\nCache-Control: no-cache\r\nConnection: close\r\nx-amz-request-id: haproxy\r\n\r\n%s' \
  "${#BODY}" "$BODY" > "$DIR/haproxy-503.http"
{
  cat <<CFG
# HAProxy in front of the gateways of $DIR (written by scripts/cluster/up.sh).
global
    maxconn 4096
    log stderr format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 300s
    timeout server 300s
    timeout check 2s
    # A request whose connection to a gateway fails, or that a gateway closes without a word
    # (killed), is sent again, to another gateway: retries go elsewhere (redispatch).
    retries 3
    retry-on conn-failure empty-response
    option redispatch 1

frontend s3
    bind 127.0.0.1:$CLUSTER_HAPROXY_PORT
    default_backend gateways

backend gateways
    balance roundrobin
    # Ready means the gateway answers and its catalogue does: a gateway that cannot reach
    # PostgreSQL leaves the rotation like one that is down. Every 500 ms; two failures out,
    # two successes back: a killed gateway is out within about a second.
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2
    errorfile 503 $DIR/haproxy-503.http
CFG
  for n in $(seq "$CLUSTER_GATEWAYS"); do
    echo "    server gateway-$n 127.0.0.1:${PORTS[$((n - 1))]} check"
  done
} > "$DIR/haproxy.cfg"
"$HAPROXY" -c -q -f "$DIR/haproxy.cfg" || fail "haproxy refused $DIR/haproxy.cfg"
if ! running "$DIR/pids/haproxy.pid" "$DIR/haproxy.cfg"; then
  nohup "$HAPROXY" -db -f "$DIR/haproxy.cfg" >> "$DIR/logs/haproxy.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/haproxy.pid"
fi
wait_ready "HAProxy" "http://127.0.0.1:$CLUSTER_HAPROXY_PORT/health/ready" "$DIR/pids/haproxy.pid" \
  "$DIR/haproxy.cfg" "$DIR/logs/haproxy.log"

GATEWAY_URLS=""
for port in "${PORTS[@]}"; do GATEWAY_URLS="$GATEWAY_URLS http://127.0.0.1:$port"; done
cat <<SUMMARY
Souverain cluster up: $CLUSTER_GATEWAYS gateway(s) on one PostgreSQL catalogue, HAProxy in front.
  Endpoint:    http://127.0.0.1:$CLUSTER_HAPROXY_PORT
  Gateways:   $GATEWAY_URLS
  Region:      us-east-1
  Access key:  $ACCESS
  Secret key:  $SECRET
  (kept in $CREDENTIALS, mode 0600)
  Catalogue:   PostgreSQL on 127.0.0.1:$CLUSTER_PG_PORT, database souverain ($CLUSTER_PG_ROOT)
  Blobs:       $DIR/blobs (location 'local' of every gateway)
  Logs:        $DIR/logs/ (gateway-N.log, gateway-N.out, haproxy.log); PostgreSQL: $PGLOG
  PIDs:        $DIR/pids/
Try it:
  export AWS_ACCESS_KEY_ID=$ACCESS AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url http://127.0.0.1:$CLUSTER_HAPROXY_PORT s3 mb s3://my-bucket
Stop it:
  $ROOT/scripts/cluster/down.sh --dir $DIR
SUMMARY
