#!/usr/bin/env python3
"""Measure the peak resident memory of `souverain serve` while it stores and serves a
large object.

    python3 scripts/measure_rss.py [BINARY] [--size-gib 4] [--limit-mib 200]

BINARY defaults to $SOUVERAIN_BIN, else .build/release/souverain if it exists, else
.build/debug/souverain. Needs boto3 (tests/integration/requirements.txt).

It starts the server on a temporary data directory and a free loopback port, uploads
one object of --size-gib GiB with boto3's multipart transfer from a seeded stream
(never held in memory), downloads it while hashing (the bytes go nowhere, like
/dev/null) and checks the SHA-256. Meanwhile it samples the server's VmRSS from
/proc/PID/status every 100 ms, and reads VmHWM (the kernel's own peak) at the end.
It prints the peak in MiB and whether it is under the limit, exits 1 if it is not
(or if anything fails), and removes everything it created.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
ACCESS_KEY = "SOUVRSSMEASUREKEY001"
SECRET_KEY = "rss+measure/secret+key+for+souverain0000"


def default_binary() -> Path:
    if os.environ.get("SOUVERAIN_BIN"):
        return Path(os.environ["SOUVERAIN_BIN"])
    release = REPO / ".build" / "release" / "souverain"
    return release if release.exists() else REPO / ".build" / "debug" / "souverain"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int, field: str) -> int | None:
    """A /proc/PID/status field in KiB, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


class Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            rss = proc_status(self.pid, "VmRSS")
            if rss is None:
                return
            self.samples += 1
            self.peak_kib = max(self.peak_kib, rss)


class SeededStream:
    """Non-seekable file of `size` deterministic bytes, made 1 MiB at a time."""

    def __init__(self, size: int, seed: str = "measure-rss"):
        self.rng = random.Random(seed)
        self.left = size
        self.buffer = b""
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.left + len(self.buffer)
        while len(self.buffer) < n and self.left > 0:
            take = min(MIB, self.left)
            self.buffer += self.rng.randbytes(take)
            self.left -= take
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        self.sha256.update(out)
        return out


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/health/ready")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"server not ready after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", type=Path, default=None, help="souverain binary (default: $SOUVERAIN_BIN, release, then debug build)")
    parser.add_argument("--size-gib", type=float, default=4.0, help="object size in GiB (default 4)")
    parser.add_argument("--limit-mib", type=float, default=200.0, help="peak RSS limit in MiB (default 200)")
    parser.add_argument("--part-mib", type=int, default=16, help="multipart part size in MiB (default 16)")
    args = parser.parse_args()

    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    binary = (args.binary or default_binary()).resolve()
    if not binary.exists():
        print(f"no binary at {binary}", file=sys.stderr)
        return 1
    size = int(args.size_gib * 1024 * MIB)
    workdir = Path(tempfile.mkdtemp(prefix="souverain-rss-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SOUVERAIN_"))}
    env.update(SOUVERAIN_ADMIN_ACCESS_KEY=ACCESS_KEY, SOUVERAIN_ADMIN_SECRET_KEY=SECRET_KEY)
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen([str(binary), "serve", "--data", str(workdir / "data"), "--address", f"127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    sampler = Sampler(proc.pid)
    ok = False
    try:
        wait_ready(proc, port)
        sampler.start()
        idle_kib = proc_status(proc.pid, "VmRSS") or 0
        client = boto3.session.Session().client(
            "s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}, read_timeout=300))
        client.create_bucket(Bucket="rss")
        part = args.part_mib * MIB
        stream = SeededStream(size)
        started = time.monotonic()
        client.upload_fileobj(stream, "rss", "big.bin",
                              Config=TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=4))
        uploaded = time.monotonic()
        after_upload_kib = sampler.peak_kib
        digest = hashlib.sha256()
        received = 0
        with open(os.devnull, "wb") as sink:
            for chunk in client.get_object(Bucket="rss", Key="big.bin")["Body"].iter_chunks(chunk_size=MIB):
                digest.update(chunk)
                sink.write(chunk)
                received += len(chunk)
        downloaded = time.monotonic()
        sampler.done.set()
        sampler.join(timeout=5)
        sampler.peak_kib = max(sampler.peak_kib, proc_status(proc.pid, "VmRSS") or 0)
        hwm_kib = proc_status(proc.pid, "VmHWM") or 0
        peak_kib = max(sampler.peak_kib, hwm_kib)
        intact = received == size and digest.hexdigest() == stream.sha256.hexdigest()
        gib = size / (1024 * MIB)
        print(f"binary:            {binary}")
        print(f"object:            {gib:g} GiB in {args.part_mib} MiB parts")
        print(f"upload:            {size / MIB / (uploaded - started):.0f} MiB/s")
        print(f"download:          {size / MIB / (downloaded - uploaded):.0f} MiB/s, sha256 {'identical' if intact else 'DIFFERENT'}")
        print(f"RSS idle:          {idle_kib / 1024:.1f} MiB")
        print(f"RSS peak upload:   {after_upload_kib / 1024:.1f} MiB")
        print(f"RSS peak sampled:  {sampler.peak_kib / 1024:.1f} MiB ({sampler.samples} samples every 100 ms)")
        print(f"VmHWM:             {hwm_kib / 1024:.1f} MiB")
        under = peak_kib < args.limit_mib * 1024
        print(f"peak RSS {peak_kib / 1024:.1f} MiB: {'under' if under else 'NOT under'} {args.limit_mib:g} MiB")
        ok = under and intact
    except Exception as exc:  # noqa: BLE001 - reported, and the exit code says it
        print(f"measurement failed: {exc!r}", file=sys.stderr)
        log.flush()
        print((workdir / "server.log").read_text(errors="replace")[-3000:], file=sys.stderr)
    finally:
        sampler.done.set()
        stop(proc)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
