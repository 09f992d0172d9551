#!/usr/bin/env bash
# Stops the cluster scripts/cluster/up.sh started in DIR: exactly the processes whose PIDs it
# recorded there (HAProxy, the gateways; each checked to still be that process before it is
# signalled), and its PostgreSQL (`pg_ctl stop` on its data directory). Nothing else.
#
#   scripts/cluster/down.sh [--dir DIR] [--grace SECONDS] [--purge]
#
#   --dir DIR      the cluster's directory (./souverain-cluster)
#   --grace S      seconds the gateways have to stop after SIGTERM (all at once) before SIGKILL (15);
#                  a gateway closes its idle connections at once and gives requests in flight
#                  shutdown-grace-seconds (10) before it leaves
#   --purge        also delete DIR and PostgreSQL's directory: every object of the cluster is gone
#
# Safe to run twice, and on a cluster half up: what is not running is skipped.
set -euo pipefail
# haproxy and runuser live in sbin, which a user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

DIR=${SOUVERAIN_CLUSTER_DIR:-./souverain-cluster}
PURGE=0
GRACE=15
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR=$2; shift 2 ;;
    --purge) PURGE=1; shift ;;
    --grace) GRACE=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "down.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

[[ "$GRACE" =~ ^[0-9]+$ ]] || { echo "down.sh: --grace takes a number of seconds" >&2; exit 2; }
if [ ! -f "$DIR/cluster.env" ]; then
  echo "no cluster in $DIR (no cluster.env): nothing to stop"
  exit 0
fi
DIR=$(cd "$DIR" && pwd)
# shellcheck source=/dev/null
. "$DIR/cluster.env"

# Same test as up.sh: alive, not a zombie, and its command line names a file of DIR.
running() {
  local pid state
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [ "$state" != Z ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$2"
}

# `stop NAME PIDFILE NEEDLE...` (triples): SIGTERM to every one still running, then a wait of
# GRACE seconds for all of them together, then SIGKILL to those left.
stop() {
  local -a names=() files=() needles=() pids=()
  local i left
  while [ $# -gt 0 ]; do
    if running "$2" "$3"; then
      names+=("$1"); files+=("$2"); needles+=("$3"); pids+=("$(cat "$2")")
      kill -TERM "$(cat "$2")" 2> /dev/null || true
    else
      rm -f "$2"
    fi
    shift 3
  done
  for _ in $(seq $((GRACE * 10))); do
    left=0
    for i in "${!files[@]}"; do if running "${files[$i]}" "${needles[$i]}"; then left=1; fi; done
    [ "$left" = 1 ] || break
    sleep 0.1
  done
  for i in "${!files[@]}"; do
    if running "${files[$i]}" "${needles[$i]}"; then
      echo "${names[$i]} (PID ${pids[$i]}) did not stop within $GRACE s: SIGKILL"
      kill -KILL "${pids[$i]}" 2> /dev/null || true
    fi
    echo "stopped ${names[$i]} (PID ${pids[$i]})"
    rm -f "${files[$i]}"
  done
}

# The load balancer first, so that no client is sent to a gateway on its way out.
stop HAProxy "$DIR/pids/haproxy.pid" "$DIR/haproxy.cfg"
gateways=()
for n in $(seq "$CLUSTER_GATEWAYS"); do
  gateways+=("gateway $n" "$DIR/pids/gateway-$n.pid" "$DIR/gateway-$n/souverain.conf")
done
stop "${gateways[@]}"

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] && command -v pg_ctl > /dev/null; then PGBIN=$(dirname "$(command -v pg_ctl)"); fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -n "$PGBIN" ] && [ -f "$CLUSTER_PG_ROOT/data/postmaster.pid" ]; then
  if as_postgres "$PGBIN/pg_ctl" -D "$CLUSTER_PG_ROOT/data" status > /dev/null 2>&1; then
    as_postgres "$PGBIN/pg_ctl" -D "$CLUSTER_PG_ROOT/data" -m fast -w -t 30 stop > /dev/null
    echo "stopped PostgreSQL ($CLUSTER_PG_ROOT)"
  fi
fi
rm -f "$DIR/pids/postgres.pid"

if [ "$PURGE" = 1 ]; then
  rm -rf "$CLUSTER_PG_ROOT" "$DIR"
  echo "removed $DIR and $CLUSTER_PG_ROOT"
fi
