#!/usr/bin/env python3
"""Small-object PUT ops/s with the audit trail on and off, same build, one run.

    python3 scripts/bench/audit-cost.py [--binary PATH] [--seconds 15] [--connections 32] [--rounds 2]

Starts `souverain serve` twice per round on fresh temporary data directories, once as shipped
(every request appends a durable audit record before its response) and once with the hidden
`--without-audit-trail` switch, and drives each with wrk (a native load generator: a Python
client would be the bottleneck) sending 4 KiB PUTs to a presigned URL. Prints ops/s, p50 and
p99 for each, and the ratio on/off. Needs wrk (apt-get install wrk) and boto3 (for presigning).
Everything it starts is stopped by PID; the temporary directories are removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
ACCESS, SECRET = "BENCHAUDITACCESSKEY1", "bench/audit+secret/key0000000000000000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary: str, data: Path, audit: bool) -> tuple[subprocess.Popen, int]:
    port = free_port()
    args = [binary, "serve", "--data", str(data), "--address", f"127.0.0.1:{port}", "--log-level", "warning"]
    if not audit:
        args.append("--without-audit-trail")
    env = dict(os.environ, SOUVERAIN_ADMIN_ACCESS_KEY=ACCESS, SOUVERAIN_ADMIN_SECRET_KEY=SECRET)
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1).status == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not become ready")


def measure(binary: str, audit: bool, seconds: int, connections: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="souverain-bench-"))
    proc, port = start(binary, data / "data", audit)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
                          region_name="us-east-1", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="bench")
        url = s3.generate_presigned_url("put_object", Params={"Bucket": "bench", "Key": "small"}, ExpiresIn=3600)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(Path(__file__).with_name("put.lua")), url],
            capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("RESULT "))
        fields = dict(item.split("=") for item in line.split()[1:])
        requests, duration = int(fields["requests"]), int(fields["duration_us"]) / 1e6
        return {"ops": requests / duration, "errors": int(fields["errors"]),
                "p50_ms": int(fields["p50_us"]) / 1000, "p99_ms": int(fields["p99_us"]) / 1000}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = REPO / ".build/release/souverain"
    parser.add_argument("--binary", default=os.environ.get("SOUVERAIN_BIN", str(default)))
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    results = {True: [], False: []}
    # A first run is faster than the rest (fresh page cache and disk queues): it warms up and is
    # discarded. Then the order alternates each round, so drift on a shared machine hits both.
    measure(args.binary, True, max(3, args.seconds // 3), args.connections)
    for round_index in range(args.rounds):
        for audit in ((False, True) if round_index % 2 == 0 else (True, False)):
            results[audit].append(measure(args.binary, audit, args.seconds, args.connections))
    print(f"4 KiB PUT, {args.connections} connections, {args.seconds} s x {args.rounds} rounds, {args.binary}")
    print(f"{'audit trail':<12} {'ops/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    best = {}
    for audit in (False, True):
        for r in results[audit]:
            print(f"{'on' if audit else 'off':<12} {r['ops']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['errors']:>7}")
        best[audit] = sum(r["ops"] for r in results[audit]) / len(results[audit])
    ratio = best[True] / best[False]
    print(f"mean ops/s: off {best[False]:.0f}, on {best[True]:.0f}; on/off = {ratio:.1%} (target >= 95%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
