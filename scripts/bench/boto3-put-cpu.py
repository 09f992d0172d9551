#!/usr/bin/env python3
"""CPU per MiB of a running server under boto3's own large PUTs: four threads, each putting the
same 64 MiB body for 12 s with boto3's defaults (current botocore sends a CRC32 with every upload,
and over plain HTTP signs the payload's SHA-256), the server's CPU time read from /proc over the
6 s in the middle. What `souverain bench` does not send, so the cost of the checksums real SDKs
add is measured here (docs/benchmarks.md, "CRC32 through zlib").

    souverain serve ... &                     # access key and secret in the environment below
    AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \\
        scripts/bench/boto3-put-cpu.py http://127.0.0.1:PORT SERVER_PID

Needs boto3 (the test venv has it). Writes two keys per thread in bucket `crc`, and leaves them.
"""

import os
import sys
import threading
import time

import boto3
from botocore.config import Config

endpoint, pid = sys.argv[1], int(sys.argv[2])
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(max_pool_connections=8))
s3.create_bucket(Bucket="crc")
body = os.urandom(64 << 20)


def cpu_seconds() -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


done = [0]
stop = time.time() + 12


def worker(index: int) -> None:
    count = 0
    while time.time() < stop:
        s3.put_object(Bucket="crc", Key=f"k{index}-{count % 2}", Body=body)
        count += 1
        done[0] += 1


threads = [threading.Thread(target=worker, args=(index,)) for index in range(4)]
for thread in threads:
    thread.start()
time.sleep(3)
cpu0, puts0, t0 = cpu_seconds(), done[0], time.time()
time.sleep(6)
cpu1, puts1, t1 = cpu_seconds(), done[0], time.time()
for thread in threads:
    thread.join()
mib = (puts1 - puts0) * 64
print(f"{mib / (t1 - t0):.0f} MiB/s, server {(cpu1 - cpu0) / mib * 1000:.2f} ms of CPU per MiB")
