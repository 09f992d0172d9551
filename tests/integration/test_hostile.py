"""Hostile input (Souverain only): every bad request gets its S3 error, nothing partial
is ever stored, nothing is written outside the data directory, and the server keeps
serving. The tests run in file order: the last one checks that every object stored
before the run still reads back intact.

The data directory sits five levels deep inside a sandbox directory, so that a key
such as `../../etc/passwd` that escaped it would still land inside the sandbox, where
the snapshot comparison sees it (and never near the real /etc).
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support
from support import (MIB, UNSIGNED_PAYLOAD, Creds, Server, md5_hex, seeded_bytes, sha256, user_creds)

pytestmark = pytest.mark.souverain_only

BUCKET = "hostile"


@pytest.fixture(scope="module")
def sandbox(module_dir):
    root = module_dir / "sandbox"
    (root / "l1" / "l2" / "l3" / "l4").mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="module")
def server(sandbox):
    """Overrides conftest's: data dir deep in the sandbox, working directory in it too."""
    srv = Server(sandbox / "l1" / "l2" / "l3" / "l4" / "data", sandbox / "logs", name="hostile")
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def before(server, s3, sandbox):
    """Objects stored before the hostile run, and the sandbox outside the data dir."""
    s3.create_bucket(Bucket=BUCKET)
    objects = {}
    for i, size in enumerate([0, 1, 1000, 300_000, 6 * MIB]):
        key = f"before/{i}"
        objects[key] = seeded_bytes(key, size)
        s3.put_object(Bucket=BUCKET, Key=key, Body=objects[key])
    parts = [seeded_bytes("before-mp1", 5 * MIB), seeded_bytes("before-mp2", 100)]
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="before/multipart")["UploadId"]
    etags = [s3.upload_part(Bucket=BUCKET, Key="before/multipart", UploadId=upload_id, PartNumber=n, Body=p)["ETag"]
             for n, p in enumerate(parts, 1)]
    s3.complete_multipart_upload(Bucket=BUCKET, Key="before/multipart", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    objects["before/multipart"] = b"".join(parts)
    snapshot = outside_snapshot(server, sandbox)
    return objects, snapshot


def outside_snapshot(server: Server, sandbox: Path) -> dict:
    return support.tree_snapshot(sandbox, exclude=[server.data_dir, server.log_dir])


def call(server, method, key=None, creds="admin", bucket=BUCKET, **kwargs):
    creds = server.admin() if creds == "admin" else creds
    return support.request(server.endpoint, creds, method, bucket, key, **kwargs)


def assert_error(resp, code, status):
    assert (resp.status, resp.error_code) == (status, code), resp.describe()
    assert resp.header("x-amz-request-id"), f"no x-amz-request-id: {resp.describe()}"
    assert resp.error_field("RequestId") == resp.header("x-amz-request-id")
    assert resp.error_field("Message"), resp.describe()


def assert_absent(s3, key, bucket=BUCKET):
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key=key)
    assert support.http_code(excinfo.value) == 404, excinfo.value.response
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])]
    assert key not in listed


def assert_serving(server, s3):
    assert server.alive(), f"server died:\n{server.log_tail()}"
    assert server.ready_status() == 200
    assert s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200


def settle_absent(s3, key, rounds=20):
    """The server may still be reading a dropped request: check absence repeatedly
    over a bounded poll (20 x 50 ms), never just once."""
    for _ in range(rounds):
        assert_absent(s3, key)
        time.sleep(support.POLL_INTERVAL)


# -- truncated bodies -----------------------------------------------------------------

@pytest.mark.parametrize("payload", ["unsigned", "signed"])
def test_truncated_put_creates_nothing(server, s3, before, payload):
    key = f"truncated/new-{payload}"
    full = seeded_bytes(key, MIB)
    payload_hash = UNSIGNED_PAYLOAD if payload == "unsigned" else sha256(full)
    target = support.build_target(BUCKET, key)
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"x-amz-content-sha256": payload_hash}, payload_hash)
    support.send_truncated(server.endpoint, "PUT", target, signed.headers, len(full), full[:300_000])
    settle_absent(s3, key)
    assert_serving(server, s3)


def test_truncated_overwrite_keeps_old_object(server, s3, before):
    key = "truncated/overwrite"
    old = seeded_bytes("old", 50_000)
    s3.put_object(Bucket=BUCKET, Key=key, Body=old)
    new = seeded_bytes("new", 2 * MIB)
    target = support.build_target(BUCKET, key)
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"x-amz-content-sha256": UNSIGNED_PAYLOAD}, UNSIGNED_PAYLOAD)
    support.send_truncated(server.endpoint, "PUT", target, signed.headers, len(new), new[:MIB])
    for _ in range(20):
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == old
    assert_serving(server, s3)


def test_truncated_aws_chunked_creates_nothing(server, s3, before):
    key = "truncated/chunked"
    data = seeded_bytes(key, 300_000)
    target = support.build_target(BUCKET, key)
    streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    creds = server.admin()
    # The framing's length is needed before signing; compute it with a dummy seed first.
    probe = support.sign("PUT", server.endpoint, target, creds, {}, streaming)
    length = len(support.aws_chunked_signed(data, 65536, probe, creds.secret_key))
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-content-sha256": streaming, "Content-Length": str(length)}
    signed = support.sign("PUT", server.endpoint, target, creds, headers, streaming)
    body = support.aws_chunked_signed(data, 65536, signed, creds.secret_key)
    head_headers = {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}
    support.send_truncated(server.endpoint, "PUT", target, head_headers, len(body), body[:len(body) // 2])
    settle_absent(s3, key)
    assert_serving(server, s3)


def test_truncated_upload_part_adds_no_part(server, s3, before):
    key = "truncated/multipart"
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    part = seeded_bytes("tp", 6 * MIB)
    target = support.build_target(BUCKET, key, [("partNumber", "1"), ("uploadId", upload_id)])
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"x-amz-content-sha256": UNSIGNED_PAYLOAD}, UNSIGNED_PAYLOAD)
    support.send_truncated(server.endpoint, "PUT", target, signed.headers, len(part), part[:2 * MIB])
    for _ in range(20):
        parts = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id).get("Parts", [])
        assert all(p["Size"] == len(part) for p in parts), f"a truncated part is listed: {parts}"
        time.sleep(support.POLL_INTERVAL)
    s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)
    assert_serving(server, s3)


def test_oversized_single_put_is_refused(server, s3, before):
    key = "too/large"
    target = support.build_target(BUCKET, key)
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"x-amz-content-sha256": UNSIGNED_PAYLOAD}, UNSIGNED_PAYLOAD)
    raw = support.send_truncated(server.endpoint, "PUT", target, signed.headers, 6 * 1024 ** 3, b"x" * 1000)
    resp = support.parse_http_response(raw)
    assert resp is not None, f"no answer to a 6 GiB single PUT: {raw[:200]!r}"
    assert (resp.status, resp.error_code) == (400, "EntityTooLarge"), resp.describe()
    settle_absent(s3, key)


# -- authentication ----------------------------------------------------------------

def test_wrong_signature(server, s3, before):
    wrong = Creds(support.ADMIN_ACCESS_KEY, "x" * 40)
    for method, key in [("GET", "before/1"), ("PUT", "wrong-sig"), ("DELETE", "before/1")]:
        resp = call(server, method, key, creds=wrong, body=b"data" if method == "PUT" else b"")
        assert_error(resp, "SignatureDoesNotMatch", 403)
    resp = support.request(server.endpoint, wrong, "GET", None)
    assert_error(resp, "SignatureDoesNotMatch", 403)
    assert_absent(s3, "wrong-sig")
    assert s3.get_object(Bucket=BUCKET, Key="before/1")["Body"].read() == before[0]["before/1"]


def test_tampered_signed_header(server, s3, before):
    target = support.build_target(BUCKET, "tampered")
    body = b"payload"
    signed = support.sign("PUT", server.endpoint, target, server.admin(),
                          {"x-amz-meta-owner": "alice", "x-amz-content-sha256": sha256(body)}, sha256(body))
    headers = dict(signed.headers)
    headers["x-amz-meta-owner"] = "mallory"
    resp = support.send(server.endpoint, "PUT", target, headers, body)
    assert_error(resp, "SignatureDoesNotMatch", 403)
    assert_absent(s3, "tampered")


def test_tampered_presigned_url(server, s3, before):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "before/2"}, ExpiresIn=300)
    target = url[len(server.endpoint):]
    ok = support.send(server.endpoint, "GET", target, {"Host": f"127.0.0.1:{server.port}"})
    assert ok.status == 200 and ok.body == before[0]["before/2"], ok.describe()
    other = target.replace("/before/2?", "/before/3?")
    assert_error(support.send(server.endpoint, "GET", other, {"Host": f"127.0.0.1:{server.port}"}), "SignatureDoesNotMatch", 403)
    longer = target.replace("X-Amz-Expires=300", "X-Amz-Expires=3000")
    assert_error(support.send(server.endpoint, "GET", longer, {"Host": f"127.0.0.1:{server.port}"}), "SignatureDoesNotMatch", 403)


@pytest.mark.parametrize("authorization", [
    "AWS4-HMAC-SHA256 garbage",
    "AWS4-HMAC-SHA256 Credential=onlythis",
    "AWS4-HMAC-SHA256 Credential=SOUVADMINTESTKEY0001/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=nothex",
    "AWS4-HMAC-SHA256 Credential=SOUVADMINTESTKEY0001/notadate/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
    "AWS4-HMAC-SHA256 Credential=SOUVADMINTESTKEY0001/20200101/us-east-1/s3, SignedHeaders=host, Signature=" + "0" * 64,
    "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + "0" * 64,
    "AWS4-HMAC-SHA256 ",
    "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
    "AWS4-HMAC-SHA256 Credential=" + "A" * 5000,
])
def test_malformed_authorization(server, before, authorization):
    now = datetime.datetime.now(datetime.timezone.utc).strftime(support.AMZ_DATE_FORMAT)
    headers = {"Host": f"127.0.0.1:{server.port}", "x-amz-date": now, "x-amz-content-sha256": support.EMPTY_SHA256,
               "Authorization": authorization}
    resp = support.send(server.endpoint, "GET", f"/{BUCKET}/before/3", headers)
    assert (resp.status, resp.error_code) in [(400, "AuthorizationHeaderMalformed"), (403, "AccessDenied")], resp.describe()
    assert before[0]["before/3"] not in resp.body


@pytest.mark.parametrize("authorization", ["Bearer abcdef", "AWS SOUVADMINTESTKEY0001:c2lnbmF0dXJl", "Basic YWRtaW46YWRtaW4="])
def test_foreign_authorization_scheme(server, before, authorization):
    headers = {"Host": f"127.0.0.1:{server.port}", "Authorization": authorization}
    resp = support.send(server.endpoint, "GET", f"/{BUCKET}/before/3", headers)
    assert resp.status in (400, 403), resp.describe()
    assert resp.error_code in ("AuthorizationHeaderMalformed", "AccessDenied", "InvalidArgument", "InvalidRequest", "SignatureDoesNotMatch"), resp.describe()
    assert before[0]["before/3"] not in resp.body


def test_unknown_access_key(server, s3, before):
    stranger = Creds("AKIANOTAKNOWNKEY0000", "s" * 40)
    assert_error(call(server, "GET", "before/1", creds=stranger), "InvalidAccessKeyId", 403)
    assert_error(call(server, "PUT", "unknown-key", creds=stranger, body=b"x"), "InvalidAccessKeyId", 403)
    assert_absent(s3, "unknown-key")


@pytest.mark.parametrize("skew_minutes", [-20, 20])
def test_skewed_date(server, s3, before, skew_minutes):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=skew_minutes)
    assert_error(call(server, "GET", "before/1", when=when), "RequestTimeTooSkewed", 403)
    assert_error(call(server, "PUT", f"skewed{skew_minutes}", when=when, body=b"x"), "RequestTimeTooSkewed", 403)
    assert_absent(s3, f"skewed{skew_minutes}")


def test_no_auth_is_access_denied(server, s3, before):
    assert_error(call(server, "GET", None, creds=None, bucket=None), "AccessDenied", 403)  # ListBuckets
    assert_error(call(server, "GET", None, creds=None), "AccessDenied", 403)  # ListObjects
    assert_error(call(server, "GET", "before/2", creds=None), "AccessDenied", 403)
    assert_error(call(server, "PUT", "anonymous", creds=None, body=b"anon"), "AccessDenied", 403)
    assert_error(call(server, "DELETE", "before/2", creds=None), "AccessDenied", 403)
    assert_error(call(server, "PUT", None, creds=None, bucket="anonymous-bucket"), "AccessDenied", 403)
    assert_absent(s3, "anonymous")
    assert "anonymous-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_second_user_without_grant(server, s3, before, cli, user_names):
    info = cli.add_user(user_names("hostile"))
    creds = user_creds(info)
    assert_error(call(server, "GET", "before/2", creds=creds), "AccessDenied", 403)
    assert_error(call(server, "GET", None, creds=creds), "AccessDenied", 403)
    assert_error(call(server, "PUT", "by-stranger", creds=creds, body=b"x"), "AccessDenied", 403)
    assert_error(call(server, "DELETE", "before/2", creds=creds), "AccessDenied", 403)
    assert_error(call(server, "DELETE", None, creds=creds), "AccessDenied", 403)
    assert_absent(s3, "by-stranger")


# -- bodies and digests ---------------------------------------------------------------

def test_bad_xml_complete_multipart(server, s3, before):
    key = "badxml/multipart"
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=1, Body=b"part")["ETag"]
    for body in [b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>",
                 b"this is not XML",
                 b"<CompleteMultipartUpload></CompleteMultipartUpload>",
                 b"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>" + etag.encode() + b"</ETag></Part></CompleteMultipartUpload>",
                 b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><CompleteMultipartUpload>&b;</CompleteMultipartUpload>',
                 b""]:
        resp = call(server, "POST", key, query=[("uploadId", upload_id)], body=body)
        assert_error(resp, "MalformedXML", 400)
    assert_absent(s3, key)
    good = f'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>'.encode()
    resp = call(server, "POST", key, query=[("uploadId", upload_id)], body=good)
    assert resp.status == 200, resp.describe()
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"part"


def test_bad_xml_delete_objects(server, s3, before):
    for body in [b"<Delete><Object><Key>before/1</Key>", b"{json: true}", b"<Delete></Delete>"]:
        headers = {"Content-MD5": support.b64(hashlib.md5(body).digest())}
        resp = call(server, "POST", None, query=[("delete", None)], headers=headers, body=body)
        assert_error(resp, "MalformedXML", 400)
    too_many = ("<Delete>" + "".join(f"<Object><Key>k{i}</Key></Object>" for i in range(1001)) + "</Delete>").encode()
    resp = call(server, "POST", None, query=[("delete", None)], headers={"Content-MD5": support.b64(hashlib.md5(too_many).digest())}, body=too_many)
    assert_error(resp, "MalformedXML", 400)
    assert s3.get_object(Bucket=BUCKET, Key="before/1")["Body"].read() == before[0]["before/1"]


def test_wrong_content_md5(server, s3, before):
    body = b"the real body"
    resp = call(server, "PUT", "bad-md5", headers={"Content-MD5": support.b64(hashlib.md5(b"another body").digest())}, body=body)
    assert_error(resp, "BadDigest", 400)
    assert_absent(s3, "bad-md5")
    resp = call(server, "PUT", "bad-md5", headers={"Content-MD5": "not-base64-md5!"}, body=body)
    assert resp.status == 400 and resp.error_code in ("InvalidDigest", "BadDigest"), resp.describe()
    assert_absent(s3, "bad-md5")
    # On an overwrite the old object stays.
    resp = call(server, "PUT", "before/2", headers={"Content-MD5": support.b64(hashlib.md5(b"x").digest())}, body=body)
    assert_error(resp, "BadDigest", 400)
    assert s3.get_object(Bucket=BUCKET, Key="before/2")["Body"].read() == before[0]["before/2"]


def test_wrong_content_sha256(server, s3, before):
    body = seeded_bytes("sha-mismatch", 100_000)
    resp = call(server, "PUT", "bad-sha", body=body, payload_hash=sha256(body + b"!"))
    assert_error(resp, "XAmzContentSHA256Mismatch", 400)
    assert_absent(s3, "bad-sha")
    resp = call(server, "PUT", "bad-sha", body=body, payload_hash="not-a-hash")
    assert resp.status in (400, 403), resp.describe()
    assert_absent(s3, "bad-sha")


def test_unsatisfiable_range(server, before):
    size = len(before[0]["before/2"])
    for spec in [f"bytes={size}-", f"bytes={size + 10}-{size + 20}"]:
        resp = call(server, "GET", "before/2", headers={"Range": spec})
        assert_error(resp, "InvalidRange", 416)
    resp = call(server, "GET", "before/0", headers={"Range": "bytes=0-0"})  # empty object
    assert_error(resp, "InvalidRange", 416)


def test_huge_headers(server, s3, before):
    now = datetime.datetime.now(datetime.timezone.utc).strftime(support.AMZ_DATE_FORMAT)
    one_header = f"GET /{BUCKET}/before/1 HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nx-amz-date: {now}\r\nx-padding: {'a' * 65536}\r\n\r\n"
    many_headers = f"GET /{BUCKET}/before/1 HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n" + "".join(
        f"x-filler-{i}: {'b' * 120}\r\n" for i in range(520)) + "\r\n"
    for raw_request in (one_header, many_headers):
        raw = support.raw_exchange(server.endpoint, raw_request.encode())
        resp = support.parse_http_response(raw)
        assert resp is not None, f"no HTTP answer to 64 KiB of headers: {raw[:200]!r}"
        assert resp.status in (400, 431), resp.describe()
        assert_serving(server, s3)


def test_garbage_requests_keep_the_server_up(server, s3, before):
    for junk in [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x00\x01\x02\x03" * 100, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"PUT /hostile/x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                 b"PUT /hostile/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]:
        raw = support.raw_exchange(server.endpoint, junk)
        resp = support.parse_http_response(raw)
        if resp is not None:
            assert 400 <= resp.status < 500 or resp.status == 505, resp.describe()
        assert_serving(server, s3)
    assert_absent(s3, "x")


@pytest.mark.parametrize("name", ["ab", "a" * 64, "UpperCase", "under_score", "-lead", "trail-", "10.0.0.1", "dou..ble",
                                  "bad$name", "spa ce", "é-accent"])
def test_invalid_bucket_names_raw(server, s3, before, name):
    resp = call(server, "PUT", None, bucket=name)
    assert_error(resp, "InvalidBucketName", 400)
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_non_utf8_key_is_refused(server, s3, before):
    resp = call(server, "PUT", None, raw_path=f"/{BUCKET}/bad%FF%FEkey", body=b"x")
    assert 400 <= resp.status < 500, resp.describe()
    assert resp.error_code, resp.describe()


# -- keys that look like paths ------------------------------------------------------------

TRAVERSAL_KEYS = ["../../etc/passwd", "a/../../b", "%2e%2e/", "..", "../", "./x", "a/./b", "...", "..\\..\\win",
                  "/leading/slash", "dir/..", "../" * 12 + f"tmp/souverain-escape-{uuid.UUID(int=7)}"]


def test_traversal_keys_are_ordinary_keys(server, s3, before, sandbox):
    escape_marker = Path("/tmp") / f"souverain-escape-{uuid.UUID(int=7)}"
    assert not escape_marker.exists()
    for i, key in enumerate(TRAVERSAL_KEYS):
        s3.put_object(Bucket=BUCKET, Key=f"trav/{key}", Body=seeded_bytes(key, 100 + i))
        s3.put_object(Bucket=BUCKET, Key=key, Body=seeded_bytes(key, 200 + i))
    for i, key in enumerate(TRAVERSAL_KEYS):
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == seeded_bytes(key, 200 + i), repr(key)
        assert s3.get_object(Bucket=BUCKET, Key=f"trav/{key}")["Body"].read() == seeded_bytes(key, 100 + i), repr(key)
    listed = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET) for o in page.get("Contents", [])}
    for key in TRAVERSAL_KEYS:
        assert key in listed and f"trav/{key}" in listed, repr(key)
    # Raw, unnormalised paths with dot segments and encoded slashes.
    for raw_key, decoded in [("../../raw-escape", "../../raw-escape"), ("..%2F..%2Fenc-escape", "../../enc-escape"),
                             ("%2e%2e/%2e%2e/dot-escape", "../../dot-escape")]:
        resp = call(server, "PUT", None, raw_path=f"/{BUCKET}/{raw_key}", body=b"raw")
        if resp.status == 200:
            assert s3.get_object(Bucket=BUCKET, Key=decoded)["Body"].read() == b"raw", raw_key
        else:
            assert resp.status in (400, 403), resp.describe()
    assert not escape_marker.exists(), f"a key escaped to {escape_marker}"
    assert outside_snapshot(server, sandbox) == before[1], "files appeared or changed outside the data directory"
    for key in TRAVERSAL_KEYS:
        s3.delete_object(Bucket=BUCKET, Key=key)
        assert_absent(s3, key)
    assert outside_snapshot(server, sandbox) == before[1]


# -- after the run ------------------------------------------------------------------------

def test_zz_everything_stored_before_is_intact(server, s3, before, sandbox):
    objects, snapshot = before
    for key, data in objects.items():
        got = s3.get_object(Bucket=BUCKET, Key=key)
        assert sha256(got["Body"].read()) == sha256(data), key
    assert s3.head_object(Bucket=BUCKET, Key="before/4")["ETag"] == f'"{md5_hex(objects["before/4"])}"'
    assert server.ready_status() == 200
    assert support.http_status(server.endpoint + "/health/live") == 200
    assert outside_snapshot(server, sandbox) == snapshot
