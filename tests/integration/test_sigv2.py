"""Signature Version 2: the Authorization header (boto3 `signature_version='s3'`, s3cmd
--signature-v2) and presigned URLs (aws-cli v1 `s3 presign`, boto3), on by default and
refusable by the `signature-v2` setting; and the refusals around request signing that S3
answers 403 (presigned URLs expired or out of range) and 411 (a body of unknown length)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

import support

pytestmark = pytest.mark.souverain_only

BUCKET = "sigv2-bucket"


@pytest.fixture(scope="module")
def v2(server):
    """boto3 signing with Signature Version 2 (botocore's HmacV1Auth)."""
    client = server.client(signature_version="s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def fetch(url: str, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_header_signed_requests_cover_the_s3_surface(v2, s3):
    keys = ["plain.txt", "dir/with space+plus.txt", "dir/été ünïcode.bin"]
    for index, key in enumerate(keys):
        body = support.seeded_bytes(key, 1000 + index)
        v2.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType="text/x-test", Metadata={"origin": "v2"})
        got = v2.get_object(Bucket=BUCKET, Key=key)
        assert got["Body"].read() == body
        assert got["ContentType"] == "text/x-test" and got["Metadata"] == {"origin": "v2"}
        # What V2 wrote, V4 reads.
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body
    listed = v2.list_objects(Bucket=BUCKET, Prefix="dir/")
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(keys[1:])
    assert v2.get_bucket_acl(Bucket=BUCKET)["Owner"]
    assert v2.get_object(Bucket=BUCKET, Key="plain.txt", Range="bytes=0-9")["Body"].read() == support.seeded_bytes("plain.txt", 1000)[:10]
    # Sub-resources (uploads, uploadId, partNumber) are part of what V2 signs.
    upload = v2.create_multipart_upload(Bucket=BUCKET, Key="multi")
    parts = [support.seeded_bytes(("multi", n), 5 * 1024 * 1024 if n < 2 else 100) for n in (1, 2)]
    etags = [v2.upload_part(Bucket=BUCKET, Key="multi", UploadId=upload["UploadId"], PartNumber=n, Body=data)["ETag"]
             for n, data in zip((1, 2), parts)]
    assert len(v2.list_parts(Bucket=BUCKET, Key="multi", UploadId=upload["UploadId"])["Parts"]) == 2
    v2.complete_multipart_upload(Bucket=BUCKET, Key="multi", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in zip((1, 2), etags)]})
    assert s3.get_object(Bucket=BUCKET, Key="multi")["Body"].read() == b"".join(parts)
    v2.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "multi"}]})
    v2.delete_object(Bucket=BUCKET, Key="plain.txt")
    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=BUCKET, Key="plain.txt")
    assert support.http_code(caught.value) == 404


def test_a_wrong_secret_or_a_tampered_signature_is_refused(server, v2):
    v2.put_object(Bucket=BUCKET, Key="guarded", Body=b"secret bytes")
    stranger = server.client(support.Creds(server.admin().access_key, "not-the-secret-" + "x" * 25), signature_version="s3")
    with pytest.raises(ClientError) as caught:
        stranger.get_object(Bucket=BUCKET, Key="guarded")
    assert (support.http_code(caught.value), support.error_code(caught.value)) == (403, "SignatureDoesNotMatch")
    url = v2.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "guarded"}, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url and "X-Amz-" not in url
    assert fetch(url) == (200, b"secret bytes")
    # Another key under the same signature, or a later expiry: refused.
    status, body = fetch(url.replace("/guarded?", "/plain.txt?"))
    assert status == 403 and b"SignatureDoesNotMatch" in body
    expires = url.split("Expires=")[1].split("&")[0]
    status, body = fetch(url.replace(f"Expires={expires}", f"Expires={int(expires) + 3600}"))
    assert status == 403 and b"SignatureDoesNotMatch" in body


def test_presigned_urls_expire_with_403(v2, s3):
    v2.put_object(Bucket=BUCKET, Key="expiring", Body=b"soon gone")
    expired = v2.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "expiring"}, ExpiresIn=-10)
    status, body = fetch(expired)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"expired" in body
    # Signature V4 URLs that were never valid are refused as expired ones are: 403, not 400.
    valid = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "expiring"}, ExpiresIn=900)
    assert fetch(valid) == (200, b"soon gone")
    for seconds in (-5, 0, 604_801):
        status, body = fetch(valid.replace("X-Amz-Expires=900", f"X-Amz-Expires={seconds}"))
        assert status == 403 and b"<Code>AccessDenied</Code>" in body, (seconds, body)


def test_presigned_put_with_signature_v2(v2, s3):
    url = v2.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "uploaded", "ContentType": "text/plain"},
                                    ExpiresIn=300)
    assert fetch(url, "PUT", b"through a V2 URL", {"Content-Type": "text/plain"})[0] == 200
    got = s3.get_object(Bucket=BUCKET, Key="uploaded")
    assert got["Body"].read() == b"through a V2 URL" and got["ContentType"] == "text/plain"
    # The content type is signed: another one is refused.
    assert fetch(url, "PUT", b"other", {"Content-Type": "text/html"})[0] == 403


def test_aws_cli_v1_presign_opens_in_a_browser(server, v2, module_dir):
    """aws-cli v1 as installed by pip, with no signature version configured: its URL works."""
    v2.put_object(Bucket=BUCKET, Key="report.pdf", Body=b"%PDF-1.4 report")
    aws = support.AwsCli(server.endpoint, server.admin(), module_dir / "awscli-v1-default")
    aws.config_file.write_text(f"[default]\nregion = {support.REGION}\n")
    url = aws("s3", "presign", f"s3://{BUCKET}/report.pdf", "--expires-in", "600").check().stdout.strip()
    assert "AWSAccessKeyId=" in url, f"aws-cli no longer presigns with Signature V2: {url}"
    assert fetch(url) == (200, b"%PDF-1.4 report")


def test_s3cmd_with_signature_v2(server, module_dir, tmp_path):
    s3cmd = support.S3cmd(server.port, server.admin(), module_dir / "s3cmd-v2")
    s3cmd.config_file.write_text(s3cmd.config_file.read_text().replace("signature_v2 = False", "signature_v2 = True"))
    source = tmp_path / "notes.txt"
    source.write_bytes(support.seeded_bytes("s3cmd-v2", 4096))
    s3cmd("put", str(source), f"s3://{BUCKET}/s3cmd/notes.txt").check()
    assert "s3cmd/notes.txt" in s3cmd("ls", f"s3://{BUCKET}/s3cmd/").check().stdout
    target = tmp_path / "back.txt"
    s3cmd("get", f"s3://{BUCKET}/s3cmd/notes.txt", str(target)).check()
    assert target.read_bytes() == source.read_bytes()
    s3cmd("del", f"s3://{BUCKET}/s3cmd/notes.txt").check()


def test_a_body_of_unknown_length_is_411(server, s3):
    """Transfer-Encoding: chunked without aws-chunked framing: S3 needs the length up front."""
    target = f"/{BUCKET}/no-length"
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"Transfer-Encoding": "chunked"},
                          payload_hash="UNSIGNED-PAYLOAD")
    response = support.send(server.endpoint, "PUT", target, signed.headers, b"5\r\nhello\r\n0\r\n\r\n")
    assert (response.status, response.error_code) == (411, "MissingContentLength"), response.describe()
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key="no-length")


def test_signature_v2_can_be_turned_off(tmp_path):
    server = support.Server(tmp_path / "data", tmp_path / "logs", name="no-v2")
    server.extra_env["SOUVERAIN_SIGNATURE_V2"] = "false"
    server.start()
    try:
        v4 = server.client()
        v4.create_bucket(Bucket="v4-only")
        v4.put_object(Bucket="v4-only", Key="k", Body=b"v4")
        v2 = server.client(signature_version="s3")
        with pytest.raises(ClientError) as caught:
            v2.get_object(Bucket="v4-only", Key="k")
        assert (support.http_code(caught.value), support.error_code(caught.value)) == (403, "AccessDenied")
        assert "Signature Version 2" in caught.value.response["Error"]["Message"]
        url = v2.generate_presigned_url("get_object", Params={"Bucket": "v4-only", "Key": "k"}, ExpiresIn=300)
        assert fetch(url)[0] == 403
        assert v4.get_object(Bucket="v4-only", Key="k")["Body"].read() == b"v4"
    finally:
        server.stop()
