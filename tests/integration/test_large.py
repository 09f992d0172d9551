"""A 1 GiB object through boto3's multipart transfer, generated from a seeded stream
(never held in memory), read back and compared by SHA-256."""

from __future__ import annotations

import hashlib

import pytest
from boto3.s3.transfer import TransferConfig

from support import MIB, SeededStream

GIB = 1024 * MIB
PART = 16 * MIB


@pytest.mark.slow
def test_one_gib_multipart_round_trip(s3, bucket):
    key = "large/one gib.bin"
    stream = SeededStream("one-gib", GIB, part_size=PART)
    config = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=4, use_threads=True)
    s3.upload_fileobj(stream, bucket, key, Config=config)
    expected_sha = stream.sha256.hexdigest()
    assert len(stream.part_md5s) == GIB // PART

    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == GIB
    assert head["ETag"] == f'"{stream.multipart_etag()}"'

    # One streaming GET, hashed as it arrives; keep a few slices to check ranged reads.
    probes = {0: None, PART - 3: None, 37 * PART + 12345: None, GIB - 100: None}
    digest = hashlib.sha256()
    offset = 0
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    tail = b""
    for chunk in body.iter_chunks(chunk_size=MIB):
        window, window_start = tail + chunk, offset - len(tail)
        for start in probes:
            if probes[start] is None and window_start <= start and start + 100 <= offset + len(chunk):
                probes[start] = window[start - window_start:start - window_start + 100]
        digest.update(chunk)
        offset += len(chunk)
        tail = window[-100:]
    assert offset == GIB
    assert digest.hexdigest() == expected_sha

    for start, expected in probes.items():
        assert expected is not None
        got = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{start + 99}")
        assert got["Body"].read() == expected, f"range at {start}"
        assert got["ContentRange"] == f"bytes {start}-{start + 99}/{GIB}"
