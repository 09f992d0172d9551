"""Keys stay home: what a location holds is ciphertext, and what a GET returns is either the
exact bytes written or an error (Souverain only).

The blobs are looked at from inside the data directory, as a provider or a thief would: no
plaintext marker may appear in them; a flipped byte, or two blobs swapped, must make the read
fail rather than return other bytes; range reads across chunk boundaries (64 KiB plaintext
chunks) return exactly the requested bytes.
"""

from __future__ import annotations

import base64
import io
import json
import sqlite3
from pathlib import Path

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

import support
from support import MIB, Server, SouverainCli, seeded_bytes

pytestmark = pytest.mark.souverain_only

MARKER = b"SOUVERAIN-PLAINTEXT-MARKER-0123456789-"
CHUNK = 64 * 1024
# Files of the data directory that are not blobs.
NOT_BLOBS = ("catalogue.sqlite", "audit", "keyring.json", "audit.key", "audit.pub", "credentials", "endpoint")


def blob_files(data_dir: Path) -> dict[Path, int]:
    """Every stored blob file of the local location, with its size."""
    out = {}
    for path in data_dir.rglob("*"):
        if path.is_file() and not any(part.startswith(NOT_BLOBS) for part in path.relative_to(data_dir).parts):
            out[path] = path.stat().st_size
    return out


def put_and_find_blob(s3, data_dir: Path, bucket: str, key: str, body: bytes) -> Path:
    """PUTs one single-part object and returns the one blob file it created."""
    before = set(blob_files(data_dir))
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    new = [p for p in blob_files(data_dir) if p not in before]
    assert len(new) == 1, new
    return new[0]


def read_fails(s3, bucket: str, key: str, **kwargs) -> bool:
    """True if the GET fails (an error status, or a response cut short); False if it returns a whole body."""
    try:
        got = s3.get_object(Bucket=bucket, Key=key, **kwargs)
        got["Body"].read()
    except (ClientError, BotoCoreError):
        return True
    return False


def marked(size: int, seed: str) -> bytes:
    body = bytearray(seeded_bytes(seed, size))
    for offset in range(0, max(0, size - len(MARKER)), 4096):
        body[offset:offset + len(MARKER)] = MARKER
    return bytes(body)


def test_locations_hold_no_plaintext(server, s3, bucket):
    small, medium = marked(5000, "small"), marked(300_000, "medium")
    large = marked(12 * MIB + 123, "large")
    s3.put_object(Bucket=bucket, Key="small", Body=small)
    s3.put_object(Bucket=bucket, Key="medium", Body=medium)
    s3.upload_fileobj(io.BytesIO(large), bucket, "large",
                      Config=TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB))
    for key, body in (("small", small), ("medium", medium), ("large", large)):
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    stored = blob_files(server.data_dir)
    assert stored, "no blob found in the data directory"
    for path in list(stored) + [server.data_dir / "catalogue.sqlite", server.data_dir / "keyring.json"]:
        assert MARKER not in path.read_bytes(), f"plaintext found in {path}"
    # Each stored blob is bigger than its plaintext (header and one tag per chunk): the ciphertext
    # of the 300,000-byte object is 28 + 5 chunks x 16 bytes longer.
    assert 300_000 + 28 + 5 * 16 in stored.values()


def test_range_reads_across_chunk_boundaries(s3, bucket):
    body = seeded_bytes("ranges", 5 * CHUNK + 1234)
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    ranges = [(0, 0), (CHUNK - 1, CHUNK), (CHUNK - 10, 2 * CHUNK + 10), (2 * CHUNK, 2 * CHUNK),
              (len(body) - 1, len(body) - 1), (100, len(body) - 1), (3 * CHUNK - 1, 3 * CHUNK + 1)]
    for first, last in ranges:
        got = s3.get_object(Bucket=bucket, Key="r", Range=f"bytes={first}-{last}")
        assert got["Body"].read() == body[first:last + 1], (first, last)
        assert got["ContentRange"] == f"bytes {first}-{last}/{len(body)}"
    # A suffix range: the last 70,000 bytes, spanning two chunks.
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-70000")["Body"].read() == body[-70000:]


def test_a_flipped_byte_fails_the_read_and_nothing_else(server, s3, bucket):
    body = seeded_bytes("tamper", 4 * CHUNK)
    blob = put_and_find_blob(s3, server.data_dir, bucket, "t", body)
    neighbour = seeded_bytes("neighbour", 1000)
    s3.put_object(Bucket=bucket, Key="n", Body=neighbour)
    stored = bytearray(blob.read_bytes())
    # One bit in the third chunk's ciphertext (header 28 bytes, chunks of 64 KiB + 16).
    offset = 28 + 2 * (CHUNK + 16) + 777
    stored[offset] ^= 0x01
    blob.write_bytes(bytes(stored))
    assert read_fails(s3, bucket, "t")
    assert read_fails(s3, bucket, "t", Range=f"bytes={2 * CHUNK + 5}-{2 * CHUNK + 9}")
    # The chunks that were not touched still read, exactly.
    got = s3.get_object(Bucket=bucket, Key="t", Range=f"bytes=0-{2 * CHUNK - 1}")["Body"].read()
    assert got == body[:2 * CHUNK]
    # The server keeps serving, and nothing else was harmed.
    assert s3.get_object(Bucket=bucket, Key="n")["Body"].read() == neighbour
    s3.put_object(Bucket=bucket, Key="after", Body=b"still serving")
    assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == b"still serving"


def test_a_truncated_blob_fails_the_read(server, s3, bucket):
    body = seeded_bytes("truncate", 3 * CHUNK)
    blob = put_and_find_blob(s3, server.data_dir, bucket, "t", body)
    stored = blob.read_bytes()
    # Drop the last chunk whole: the blob now ends on a chunk boundary, but not with the final chunk.
    blob.write_bytes(stored[:28 + 2 * (CHUNK + 16)])
    assert read_fails(s3, bucket, "t")


def test_swapped_blobs_are_detected(server, s3, bucket):
    one, two = seeded_bytes("one", 2 * CHUNK), seeded_bytes("two", 2 * CHUNK)
    first = put_and_find_blob(s3, server.data_dir, bucket, "one", one)
    second = put_and_find_blob(s3, server.data_dir, bucket, "two", two)
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    assert read_fails(s3, bucket, "one")
    assert read_fails(s3, bucket, "two")


def test_small_object_tampering_is_an_error(server, s3, bucket):
    body = b"a small record: 42 patients"
    blob = put_and_find_blob(s3, server.data_dir, bucket, "s", body)
    stored = bytearray(blob.read_bytes())
    stored[-1] ^= 0x80  # the tag of the one chunk
    blob.write_bytes(bytes(stored))
    assert read_fails(s3, bucket, "s")
    # A small object is read whole before its response starts: the failure is an S3 error with
    # its status, not a body cut short, and the trail says that no byte went out.
    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket=bucket, Key="s")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] >= 500
    out = SouverainCli(server.data_dir)("audit", "query", "--bucket", bucket, "--key", "s").check()
    gets = [json.loads(line) for line in out.stdout.splitlines() if '"GetObject"' in line]
    assert gets and all(get["status"] >= 500 and get["bytesOut"] == 0 for get in gets)


def test_objects_survive_a_restart(server_factory, tmp_path):
    srv = server_factory(data_dir=tmp_path / "restart")
    s3 = srv.client()
    s3.create_bucket(Bucket="keep")
    body = marked(200_000, "restart")
    s3.put_object(Bucket="keep", Key="k", Body=body)
    srv.restart()
    s3 = srv.client()
    assert s3.get_object(Bucket="keep", Key="k")["Body"].read() == body
    assert oct(Path(srv.data_dir / "keyring.json").stat().st_mode & 0o777) == "0o600"


def test_s3_clients_see_server_side_encryption(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="sse", Body=b"x" * 100, ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="sse")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="sse")["ServerSideEncryption"] == "AES256"
    copied = s3.copy_object(Bucket=bucket, Key="sse-copy", CopySource={"Bucket": bucket, "Key": "sse"})
    assert copied["ServerSideEncryption"] == "AES256"
    created = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert created["ServerSideEncryption"] == "AES256"
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=created["UploadId"], PartNumber=1, Body=b"p" * 1000)
    assert part["ServerSideEncryption"] == "AES256"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=created["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["ServerSideEncryption"] == "AES256"
    # aws:kms names the bucket's own key, alias/BUCKET, and is answered as such.
    kms = s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
    assert kms["ServerSideEncryption"] == "aws:kms" and kms["SSEKMSKeyId"] == f"alias/{bucket}"
    s3.put_object(Bucket=bucket, Key="kms2", Body=b"y", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=f"arn:aws:kms:us-east-1:000000000000:alias/{bucket}")
    for key, body in (("kms", b"x"), ("kms2", b"y")):
        got = s3.get_object(Bucket=bucket, Key=key)
        assert got["Body"].read() == body
        assert got["ServerSideEncryption"] == "aws:kms" and got["SSEKMSKeyId"] == f"alias/{bucket}"
    kms_upload = s3.create_multipart_upload(Bucket=bucket, Key="kms-mp", ServerSideEncryption="aws:kms")
    assert kms_upload["ServerSideEncryption"] == "aws:kms"
    kms_part = s3.upload_part(Bucket=bucket, Key="kms-mp", UploadId=kms_upload["UploadId"], PartNumber=1, Body=b"q" * 10)
    assert kms_part["SSEKMSKeyId"] == f"alias/{bucket}"
    s3.abort_multipart_upload(Bucket=bucket, Key="kms-mp", UploadId=kms_upload["UploadId"])
    # A copy is encrypted as its request asks.
    plain_copy = s3.copy_object(Bucket=bucket, Key="kms-copy", CopySource={"Bucket": bucket, "Key": "kms"})
    assert plain_copy["ServerSideEncryption"] == "AES256"
    # What Souverain cannot honour is refused, never silently ignored.
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="kms3", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/someone-else")
    # A key that names neither the bucket's key nor a named key: refused as AWS refuses it (test_named_keys.py).
    assert refused.value.response["Error"]["Code"] == "KMS.NotFoundException"
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="dsse", Body=b"x", ServerSideEncryption="aws:kms:dsse")
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"


def test_shredding_makes_a_bucket_unreadable_everywhere(server_factory, tmp_path):
    srv = server_factory(data_dir=tmp_path / "shred")
    s3 = srv.client()
    bodies = {key: marked(100_000, key) for key in ("a", "b/c")}
    for bucket in ("doomed", "kept"):
        s3.create_bucket(Bucket=bucket)
        for key, body in bodies.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)
    with sqlite3.connect(srv.data_dir / "catalogue.sqlite") as db:
        wrapped = [row[0] for row in db.execute("SELECT wrapped FROM bucket_keys WHERE bucket = 'doomed'")]
    assert len(wrapped) == 1
    cli = SouverainCli(srv.data_dir)
    refused = cli("bucket", "shred", "doomed")
    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert s3.get_object(Bucket="doomed", Key="a")["Body"].read() == bodies["a"]
    shredded = cli("bucket", "shred", "doomed", "--yes").check()
    assert "through the server" in shredded.stdout and "1}" in shredded.stdout, shredded.stdout

    def refused_read(s3, key):
        with pytest.raises(ClientError) as error:
            s3.get_object(Bucket="doomed", Key=key)
        assert error.value.response["Error"]["Code"] == "InvalidObjectState"
        assert "destroyed" in error.value.response["Error"]["Message"]

    for key in bodies:
        refused_read(s3, key)
    with pytest.raises(ClientError) as error:
        s3.put_object(Bucket="doomed", Key="new", Body=b"x")
    assert error.value.response["Error"]["Code"] == "InvalidBucketState"
    # Other buckets are untouched; the shredded one still lists its objects, and can be emptied.
    for key, body in bodies.items():
        assert s3.get_object(Bucket="kept", Key=key)["Body"].read() == body
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="doomed")["Contents"]) == sorted(bodies)
    # The wrapped key is gone from every file of the catalogue (database and write-ahead log):
    # data files, catalogue and keyring together no longer decrypt anything of the bucket.
    files = list(srv.data_dir.glob("catalogue.sqlite*"))
    assert files
    for path in files:
        assert wrapped[0].encode() not in path.read_bytes(), path
    # Nothing comes back after a restart.
    srv.restart()
    s3 = srv.client()
    for key in bodies:
        refused_read(s3, key)
    assert s3.get_object(Bucket="kept", Key="a")["Body"].read() == bodies["a"]
    records = [json.loads(line) for line in cli("audit", "query", "--bucket", "doomed").check().stdout.splitlines()]
    assert [r for r in records if r["operation"] == "ShredBucket"], records
    s3.delete_objects(Bucket="doomed", Delete={"Objects": [{"Key": key} for key in bodies]})
    s3.delete_bucket(Bucket="doomed")


def test_rotation_rewraps_keys_and_everything_still_reads(server_factory, tmp_path):
    srv = server_factory(data_dir=tmp_path / "rotate")
    s3 = srv.client()
    s3.create_bucket(Bucket="rot")
    s3.create_bucket(Bucket="other")
    bodies = {f"k{n}": marked(70_000 + n, f"rot{n}") for n in range(5)}
    for key, body in bodies.items():
        s3.put_object(Bucket="rot", Key=key, Body=body)
    s3.put_object(Bucket="other", Key="o", Body=b"other")
    blobs_before = {p: p.read_bytes() for p in blob_files(srv.data_dir)}
    cli = SouverainCli(srv.data_dir)

    def keys(*args):
        return json.loads(cli("keys", *args).check().stdout)

    # A bucket rotation re-wraps every object's data key under version 2.
    rotated = keys("rotate", "--bucket", "rot")
    assert rotated == {"bucket": "rot", "version": 2, "objectsRewrapped": 5}
    with sqlite3.connect(srv.data_dir / "catalogue.sqlite") as db:
        versions = {v for (text,) in db.execute("SELECT segments FROM objects WHERE bucket = 'rot'")
                    for v in (s["encryption"]["bucketKeyVersion"] for s in json.loads(text))}
    assert versions == {2}
    # No data was re-encrypted: the blobs are byte for byte what they were.
    assert {p: p.read_bytes() for p in blob_files(srv.data_dir)} == blobs_before
    s3.put_object(Bucket="rot", Key="new", Body=b"after rotation")
    for key, body in {**bodies, "new": b"after rotation"}.items():
        assert s3.get_object(Bucket="rot", Key=key)["Body"].read() == body
    # Version 1 protects nothing now: it can be retired; the current one cannot.
    assert cli("keys", "retire", "--bucket", "rot", "--version", "2").returncode != 0
    keys("retire", "--bucket", "rot", "--version", "1")

    # A master rotation re-wraps both buckets' keys; the old master then retires.
    assert keys("list")["masterKeys"][0]["bucketKeys"] == 2
    assert keys("rotate", "--master") == {"masterVersion": 2, "bucketKeysRewrapped": 2}
    listed = {m["version"]: m for m in keys("list")["masterKeys"]}
    assert listed[1]["bucketKeys"] == 0 and listed[2]["bucketKeys"] == 2 and listed[2]["current"]
    keys("retire", "--master", "--version", "1")
    # Everything still reads, and after a restart too (nothing depends on what was retired).
    srv.restart()
    s3 = srv.client()
    for key, body in bodies.items():
        assert s3.get_object(Bucket="rot", Key=key, Range="bytes=65530-65545")["Body"].read() == body[65530:65546]
    assert s3.get_object(Bucket="other", Key="o")["Body"].read() == b"other"
    records = [json.loads(line) for line in cli("audit", "query", "--operation", "RotateKeys").check().stdout.splitlines()]
    assert len(records) == 2, records


SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


def test_a_softhsm_token_carries_the_master_key_end_to_end(tmp_path):
    """The master key is generated in, and never leaves, a SoftHSM2 token the test initialises;
    objects written under it read back after a restart, and not without the token's PIN."""
    if not SOFTHSM_MODULE.exists():
        pytest.fail("SoftHSM2 is not installed (apt-get install -y softhsm2)")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {"SOFTHSM2_CONF": str(conf)}
    support.run(["softhsm2-util", "--init-token", "--free", "--label", "souverain-it", "--pin", "4321", "--so-pin", "8765"],
                env={**support.clean_env(), **env}).check()
    config = tmp_path / "souverain.conf"
    config.write_text(f"key-store = pkcs11\npkcs11-module = {SOFTHSM_MODULE}\npkcs11-token = souverain-it\n")
    srv = Server(tmp_path / "data", tmp_path / "logs", name="hsm", extra_args=("--config", str(config)))
    srv.extra_env = {**env, "SOUVERAIN_PKCS11_PIN": "4321"}
    try:
        srv.start()
        s3 = srv.client()
        s3.create_bucket(Bucket="hsm")
        body = marked(150_000, "hsm")
        s3.put_object(Bucket="hsm", Key="k", Body=body)
        assert not (srv.data_dir / "keyring.json").exists()
        srv.restart()
        s3 = srv.client()
        assert s3.get_object(Bucket="hsm", Key="k")["Body"].read() == body
        for path in blob_files(srv.data_dir):
            assert MARKER not in path.read_bytes()
        srv.stop()
        # Without the right PIN the server does not start: nothing is readable without the token.
        srv.extra_env = {**env, "SOUVERAIN_PKCS11_PIN": "0000"}
        with pytest.raises(Exception):
            srv.start()
        log = srv.log_path.read_text()
        assert "CKR_PIN_INCORRECT" in log and "0000" not in log, log
    finally:
        srv.stop()


def test_customer_provided_keys(server, s3, bucket):
    """SSE-C: the object is readable only with the key the client sent; Souverain keeps its MD5 only."""
    key, other = b"K" * 32, b"O" * 32
    body = marked(150_000, "ssec")
    before = set(blob_files(server.data_dir))
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert put["SSECustomerAlgorithm"] == "AES256" and "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert got["Body"].read() == body and got["SSECustomerKeyMD5"] == put["SSECustomerKeyMD5"]
    ranged = s3.get_object(Bucket=bucket, Key="c", Range="bytes=65530-65545", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert ranged["Body"].read() == body[65530:65546]
    assert s3.head_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)["ContentLength"] == len(body)
    for kwargs, code in (({}, 400), ({"SSECustomerAlgorithm": "AES256", "SSECustomerKey": other}, 403)):
        with pytest.raises(ClientError) as refused:
            s3.get_object(Bucket=bucket, Key="c", **kwargs)
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == code
        with pytest.raises(ClientError) as refused:
            s3.head_object(Bucket=bucket, Key="c", **kwargs)
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == code
    # Neither the key nor the plaintext is stored anywhere in the data directory.
    for path in [p for p in blob_files(server.data_dir) if p not in before] + [server.data_dir / "catalogue.sqlite"]:
        data = path.read_bytes()
        assert MARKER not in data and key not in data and base64.b64encode(key) not in data, path
    # A multipart upload takes the key at creation and with every part.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="cm", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    parts = [marked(5 * MIB, "ssec-p1"), marked(1000, "ssec-p2")]
    with pytest.raises(ClientError):
        s3.upload_part(Bucket=bucket, Key="cm", UploadId=upload["UploadId"], PartNumber=1, Body=parts[0])
    etags = [s3.upload_part(Bucket=bucket, Key="cm", UploadId=upload["UploadId"], PartNumber=n + 1, Body=p,
                            SSECustomerAlgorithm="AES256", SSECustomerKey=key)["ETag"] for n, p in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=bucket, Key="cm", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    got = s3.get_object(Bucket=bucket, Key="cm", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert got["Body"].read() == b"".join(parts)
    # A bucket rotation leaves SSE-C objects alone (their key is the client's), and they still read.
    cli = SouverainCli(server.data_dir)
    json.loads(cli("keys", "rotate", "--bucket", bucket).check().stdout)
    assert s3.get_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256", SSECustomerKey=key)["Body"].read() == body
    # A copy reads the source with its key and, without a key of its own, is under the
    # organisation's keys (test_compat.py covers SSE-C copies in full).
    s3.copy_object(Bucket=bucket, Key="c2", CopySource={"Bucket": bucket, "Key": "c"},
                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key)
    assert s3.get_object(Bucket=bucket, Key="c2")["Body"].read() == body
    # What is not supported is refused: SSE-C mixed with another mode.
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="mixed", Body=b"x", ServerSideEncryption="AES256",
                      SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"
