#!/usr/bin/env bash
# What hashing four uploads' MD5s in SIMD lanes gives on this machine (docs/benchmarks.md, "Large
# PUT and several uploads hashed at once" and "Issue 18's sixth round"): the server's own lanes
# (Sources/CMD5Lanes, which picks its vector code from the CPU at run time) with 4, 3, 2 and 1
# lanes in use, each lane's digest checked against OpenSSL's, and OpenSSL's scalar MD5.
# Needs clang and libssl-dev (Debian: apt-get install -y clang libssl-dev).
#
#   scripts/bench/md5-lanes/run.sh [MiB per message, default 64]
set -euo pipefail
cd "$(dirname "$0")"
LANES=../../../Sources/CMD5Lanes
OUT=$(mktemp -d /tmp/md5-lanes.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
# The server calls BoringSSL's MD5 under swift-crypto's prefix; here OpenSSL's, whose MD5_CTX is
# laid out the same.
clang -O3 -Wno-deprecated-declarations -I"$LANES/include" \
  -DCCryptoBoringSSL_MD5_Init=MD5_Init -DCCryptoBoringSSL_MD5_Update=MD5_Update -DCCryptoBoringSSL_MD5_Final=MD5_Final \
  -o "$OUT/bench" bench.c "$LANES/md5_lanes.c" -lcrypto
"$OUT/bench" "${1:-64}"
