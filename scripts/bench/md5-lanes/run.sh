#!/usr/bin/env bash
# What hashing four uploads' MD5s in SIMD lanes could give on this machine (docs/benchmarks.md,
# "Large PUT and several uploads hashed at once"): md5_lanes.c built three ways (the portable
# baseline, AVX2, this CPU's every extension), each checked against OpenSSL and timed.
# Needs clang and libssl-dev (Debian: apt-get install -y clang libssl-dev).
#
#   scripts/bench/md5-lanes/run.sh [MiB per message, default 64]
set -euo pipefail
cd "$(dirname "$0")"
OUT=$(mktemp -d /tmp/md5-lanes.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
for flags in "-O3" "-O3 -mavx2" "-O3 -march=native"; do
  echo "== clang $flags"
  clang $flags -o "$OUT/bench" bench.c md5_lanes.c -lcrypto
  "$OUT/bench" "${1:-64}"
done
