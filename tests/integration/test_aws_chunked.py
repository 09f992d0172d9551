"""aws-chunked uploads as SDKs send them, framed by hand (botocore only ever sends the
unsigned-trailer variant, and only over TLS; see test_boto3's trailer_mode):
STREAMING-AWS4-HMAC-SHA256-PAYLOAD, its -TRAILER variant, and
STREAMING-UNSIGNED-PAYLOAD-TRAILER, each with good and bad framing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import support
from support import MIB, crc32_b64, md5_hex, seeded_bytes, sha256_b64

SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def put_chunked(server, bucket, key, data, mode, chunk=64 * 1024, trailer=None, tamper_chunk=None, decoded_length=None,
                trailer_value=None):
    creds = server.admin()
    target = support.build_target(bucket, key)
    trailers = None
    if trailer:
        trailers = {trailer: trailer_value or {"x-amz-checksum-crc32": crc32_b64, "x-amz-checksum-sha256": sha256_b64}[trailer](data)}

    def headers_for(length):
        h = {"Content-Encoding": "aws-chunked", "x-amz-content-sha256": mode,
             "x-amz-decoded-content-length": str(len(data) if decoded_length is None else decoded_length),
             "Content-Length": str(length)}
        if trailer:
            h["x-amz-trailer"] = trailer
        return h

    if mode == UNSIGNED_TRAILER:
        body = support.aws_chunked_unsigned(data, chunk, trailers or {})
        signed = support.sign("PUT", server.endpoint, target, creds, headers_for(len(body)), mode)
    else:
        # The framed length goes into a signed header: frame once with a provisional seed.
        provisional = support.sign("PUT", server.endpoint, target, creds, {}, mode)
        length = len(support.aws_chunked_signed(data, chunk, provisional, creds.secret_key, trailers=trailers))
        signed = support.sign("PUT", server.endpoint, target, creds, headers_for(length), mode)
        body = support.aws_chunked_signed(data, chunk, signed, creds.secret_key, trailers=trailers, tamper_chunk=tamper_chunk)
        assert len(body) == length
    return support.send(server.endpoint, "PUT", target, signed.headers, body)


def absent(s3, bucket, key):
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key=key)
    assert support.http_code(excinfo.value) == 404


@pytest.mark.parametrize("mode,trailer", [
    (SIGNED, None),
    (SIGNED_TRAILER, "x-amz-checksum-crc32"),
    (UNSIGNED_TRAILER, "x-amz-checksum-crc32"),
    (UNSIGNED_TRAILER, "x-amz-checksum-sha256"),
])
@pytest.mark.parametrize("size", [0, 1000, 300_000, MIB])
def test_aws_chunked_put(server, s3, bucket, mode, trailer, size):
    data = seeded_bytes(f"chunked-{mode}-{size}", size)
    resp = put_chunked(server, bucket, "chunked", data, mode, trailer=trailer)
    assert resp.status == 200, resp.describe()
    assert resp.header("etag") == f'"{md5_hex(data)}"'
    got = s3.get_object(Bucket=bucket, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ContentLength"] == size
    if trailer == "x-amz-checksum-crc32":
        assert got.get("ChecksumCRC32") == crc32_b64(data)
    elif trailer == "x-amz-checksum-sha256":
        assert got.get("ChecksumSHA256") == sha256_b64(data)


def test_aws_chunked_odd_chunk_sizes(server, s3, bucket):
    data = seeded_bytes("odd-chunks", 200_003)
    resp = put_chunked(server, bucket, "odd", data, SIGNED, chunk=8193)
    assert resp.status == 200, resp.describe()
    assert s3.get_object(Bucket=bucket, Key="odd")["Body"].read() == data


@pytest.mark.souverain_only
def test_tampered_chunk_signature(server, s3, bucket):
    data = seeded_bytes("tampered-chunk", 300_000)
    resp = put_chunked(server, bucket, "tampered", data, SIGNED, tamper_chunk=2)
    assert (resp.status, resp.error_code) == (403, "SignatureDoesNotMatch"), resp.describe()
    absent(s3, bucket, "tampered")
    s3.put_object(Bucket=bucket, Key="tampered", Body=b"previous")
    resp = put_chunked(server, bucket, "tampered", data, SIGNED_TRAILER, trailer="x-amz-checksum-crc32", tamper_chunk=0)
    assert (resp.status, resp.error_code) == (403, "SignatureDoesNotMatch"), resp.describe()
    assert s3.get_object(Bucket=bucket, Key="tampered")["Body"].read() == b"previous"


@pytest.mark.souverain_only
@pytest.mark.parametrize("mode", [UNSIGNED_TRAILER, SIGNED_TRAILER])
def test_wrong_trailing_checksum(server, s3, bucket, mode):
    data = seeded_bytes("bad-trailer", 100_000)
    resp = put_chunked(server, bucket, "bad-trailer", data, mode, trailer="x-amz-checksum-crc32", trailer_value=crc32_b64(data + b"!"))
    assert (resp.status, resp.error_code) == (400, "BadDigest"), resp.describe()
    absent(s3, bucket, "bad-trailer")


@pytest.mark.souverain_only
@pytest.mark.parametrize("declared", [99_999, 100_001])
def test_decoded_length_mismatch(server, s3, bucket, declared):
    data = seeded_bytes("bad-length", 100_000)
    resp = put_chunked(server, bucket, "bad-length", data, SIGNED, decoded_length=declared)
    assert resp.status == 400 and resp.error_code, resp.describe()
    absent(s3, bucket, "bad-length")
