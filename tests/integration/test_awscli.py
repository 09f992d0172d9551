"""aws-cli (v1) against the server: s3 high-level commands and s3api."""

from __future__ import annotations

import datetime
import email.utils
import json
import subprocess
import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

import support
from support import MIB, local_tree, md5_hex, multipart_etag, seeded_bytes, sha256, unicode_tree, write_tree


@pytest.fixture
def work(tmp_path):
    return tmp_path


@pytest.fixture
def cli_bucket(s3, request):
    """A new bucket (made with boto3: each aws-cli run costs a second of start-up)."""
    name = support.unique_bucket_name(request.node.name, prefix="cli")
    s3.create_bucket(Bucket=name)
    return name


def put_file(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- aws s3 ------------------------------------------------------------------------

def test_mb_and_ls_buckets(aws):
    cli_bucket = support.unique_bucket_name("made-by-aws-s3-mb", prefix="cli")
    made = aws("s3", "mb", f"s3://{cli_bucket}").check()
    assert f"make_bucket: {cli_bucket}" in made.stdout
    out = aws("s3", "ls").check()
    assert cli_bucket in [line.split()[-1] for line in out.stdout.splitlines()]
    again = aws("s3", "mb", f"s3://{cli_bucket}")
    assert again.returncode != 0
    assert "BucketAlreadyOwnedByYou" in again.stderr


def test_cp_small_up_and_down(aws, cli_bucket, work, s3):
    data = seeded_bytes("cp-small", 10_000)
    src = put_file(work / "small file é.bin", data)
    aws("s3", "cp", str(src), f"s3://{cli_bucket}/up/small file é.bin").check()
    head = s3.head_object(Bucket=cli_bucket, Key="up/small file é.bin")
    assert head["ETag"] == f'"{md5_hex(data)}"'
    dst = work / "down.bin"
    aws("s3", "cp", f"s3://{cli_bucket}/up/small file é.bin", str(dst)).check()
    assert dst.read_bytes() == data


def test_cp_20mib_multipart(aws, cli_bucket, work, s3):
    """20 MiB goes multipart with aws-cli's default 8 MiB threshold and chunk size: 8 + 8 + 4 MiB."""
    data = seeded_bytes("cp-20mib", 20 * MIB)
    src = put_file(work / "big.bin", data)
    aws("s3", "cp", str(src), f"s3://{cli_bucket}/big.bin").check()
    head = s3.head_object(Bucket=cli_bucket, Key="big.bin")
    chunks = [data[:8 * MIB], data[8 * MIB:16 * MIB], data[16 * MIB:]]
    assert head["ETag"] == f'"{multipart_etag(chunks)}"'
    assert head["ContentLength"] == len(data)
    dst = work / "big-down.bin"
    aws("s3", "cp", f"s3://{cli_bucket}/big.bin", str(dst)).check()  # ranged GETs in parallel
    assert sha256(dst.read_bytes()) == sha256(data)


def test_ls_with_prefixes(aws, cli_bucket, s3):
    for key in ["top.txt", "dir/a.txt", "dir/b.txt", "dir/sub/c.txt", "other/d.txt"]:
        s3.put_object(Bucket=cli_bucket, Key=key, Body=key.encode())
    root = aws("s3", "ls", f"s3://{cli_bucket}/").check().stdout
    assert "PRE dir/" in root and "PRE other/" in root
    assert root.splitlines()[-1].endswith(" top.txt")
    assert sum(1 for line in root.splitlines() if line.strip()) == 3
    sub = aws("s3", "ls", f"s3://{cli_bucket}/dir/").check().stdout
    names = [line.split()[-1] for line in sub.splitlines() if line.strip()]
    assert names == ["sub/", "a.txt", "b.txt"]
    partial = aws("s3", "ls", f"s3://{cli_bucket}/di").check().stdout
    assert "PRE dir/" in partial
    rec = aws("s3", "ls", "--recursive", f"s3://{cli_bucket}/").check().stdout
    listed = [line.split(None, 3)[3] for line in rec.splitlines() if line.strip()]
    assert listed == ["dir/a.txt", "dir/b.txt", "dir/sub/c.txt", "other/d.txt", "top.txt"]
    sizes = {line.split(None, 3)[3]: int(line.split()[2]) for line in rec.splitlines() if line.strip()}
    assert sizes["dir/sub/c.txt"] == len(b"dir/sub/c.txt")


def test_rm_recursive(aws, cli_bucket, s3):
    for key in ["gone/1", "gone/2", "gone/deeper/3", "kept/4"]:
        s3.put_object(Bucket=cli_bucket, Key=key, Body=key.encode())
    out = aws("s3", "rm", "--recursive", f"s3://{cli_bucket}/gone/").check()
    assert out.stdout.count("delete:") == 3
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket).get("Contents", [])]
    assert keys == ["kept/4"]
    aws("s3", "rm", "--recursive", f"s3://{cli_bucket}").check()
    assert s3.list_objects_v2(Bucket=cli_bucket)["KeyCount"] == 0
    aws("s3", "rb", f"s3://{cli_bucket}").check()
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=cli_bucket)


def test_sync_both_ways_unicode_tree(aws, cli_bucket, work, s3):
    files = unicode_tree("awscli-sync")
    up = work / "up"
    write_tree(up, files)
    aws("s3", "sync", str(up), f"s3://{cli_bucket}/tree").check()
    listed = sorted(o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cli_bucket) for o in page.get("Contents", []))
    assert listed == sorted(f"tree/{name}" for name in files)
    again = aws("s3", "sync", str(up), f"s3://{cli_bucket}/tree").check()
    assert again.stdout.strip() == "", f"second sync up transferred again:\n{again.stdout}"

    down = work / "down"
    aws("s3", "sync", f"s3://{cli_bucket}/tree", str(down)).check()
    assert local_tree(down) == local_tree(up)
    again = aws("s3", "sync", f"s3://{cli_bucket}/tree", str(down)).check()
    assert again.stdout.strip() == "", f"second sync down transferred again:\n{again.stdout}"

    # A change and a deletion travel with --delete.
    changed = "dir one/fichier é.txt"
    (up / changed).write_bytes(b"changed content, longer than before" * 100)
    (up / "readme.txt").unlink()
    aws("s3", "sync", "--delete", str(up), f"s3://{cli_bucket}/tree").check()
    aws("s3", "sync", "--delete", f"s3://{cli_bucket}/tree", str(down)).check()
    assert local_tree(down) == local_tree(up)


# -- aws s3api multipart ----------------------------------------------------------------

def test_s3api_multipart_flow(aws, cli_bucket, work, s3):
    source = seeded_bytes("copy-source", 7 * MIB)
    src_file = put_file(work / "source.bin", source)
    aws("s3api", "put-object", "--bucket", cli_bucket, "--key", "source/obj é", "--body", str(src_file)).check()

    key = "assembled/object"
    created = aws.json("s3api", "create-multipart-upload", "--bucket", cli_bucket, "--key", key)
    upload_id = created["UploadId"]
    assert created["Key"] == key and created["Bucket"] == cli_bucket

    part1 = seeded_bytes("s3api-part1", 5 * MIB)
    p1 = aws.json("s3api", "upload-part", "--bucket", cli_bucket, "--key", key, "--upload-id", upload_id,
                  "--part-number", "1", "--body", str(put_file(work / "p1", part1)))
    assert p1["ETag"] == f'"{md5_hex(part1)}"'
    copy_range = (MIB, 6 * MIB - 1)  # 5 MiB from inside the source
    p2 = aws.json("s3api", "upload-part-copy", "--bucket", cli_bucket, "--key", key, "--upload-id", upload_id,
                  "--part-number", "2", "--copy-source", f"{cli_bucket}/source/obj é",
                  "--copy-source-range", f"bytes={copy_range[0]}-{copy_range[1]}")
    part2 = source[copy_range[0]:copy_range[1] + 1]
    assert p2["CopyPartResult"]["ETag"] == f'"{md5_hex(part2)}"'
    part3 = seeded_bytes("s3api-part3", 4321)
    p3 = aws.json("s3api", "upload-part", "--bucket", cli_bucket, "--key", key, "--upload-id", upload_id,
                  "--part-number", "3", "--body", str(put_file(work / "p3", part3)))

    parts = aws.json("s3api", "list-parts", "--bucket", cli_bucket, "--key", key, "--upload-id", upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(1, len(part1)), (2, len(part2)), (3, len(part3))]
    uploads = aws.json("s3api", "list-multipart-uploads", "--bucket", cli_bucket)
    assert [(u["Key"], u["UploadId"]) for u in uploads["Uploads"]] == [(key, upload_id)]

    manifest = {"Parts": [{"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]},
                          {"PartNumber": 3, "ETag": p3["ETag"]}]}
    (work / "parts.json").write_text(json.dumps(manifest))
    done = aws.json("s3api", "complete-multipart-upload", "--bucket", cli_bucket, "--key", key, "--upload-id", upload_id,
                    "--multipart-upload", f"file://{work / 'parts.json'}")
    assert done["ETag"] == f'"{multipart_etag([part1, part2, part3])}"'
    out = work / "assembled.bin"
    aws("s3api", "get-object", "--bucket", cli_bucket, "--key", key, str(out)).check()
    assert sha256(out.read_bytes()) == sha256(part1 + part2 + part3)
    uploads = aws("s3api", "list-multipart-uploads", "--bucket", cli_bucket, "--output", "json").check().json() or {}
    assert not uploads.get("Uploads")

    # abort
    other = aws.json("s3api", "create-multipart-upload", "--bucket", cli_bucket, "--key", "to-abort")["UploadId"]
    aws("s3api", "upload-part", "--bucket", cli_bucket, "--key", "to-abort", "--upload-id", other,
        "--part-number", "1", "--body", str(work / "p3")).check()
    aws("s3api", "abort-multipart-upload", "--bucket", cli_bucket, "--key", "to-abort", "--upload-id", other).check()
    gone = aws("s3api", "list-parts", "--bucket", cli_bucket, "--key", "to-abort", "--upload-id", other)
    assert gone.returncode != 0 and gone.aws_error_code() == "NoSuchUpload", gone.stderr
    missing = aws("s3api", "head-object", "--bucket", cli_bucket, "--key", "to-abort")
    assert missing.returncode != 0 and "404" in missing.stderr


# -- ranges and conditionals ----------------------------------------------------------------

@pytest.fixture(scope="module")
def ranged_object(aws, s3, module_dir):
    bucket = support.unique_bucket_name("ranges", prefix="cli")
    s3.create_bucket(Bucket=bucket)
    data = seeded_bytes("ranges", 100_000)
    aws("s3api", "put-object", "--bucket", bucket, "--key", "ranged", "--body", str(put_file(module_dir / "ranged", data))).check()
    return bucket, data


@pytest.mark.parametrize("spec,start,end", [
    ("bytes=0-99", 0, 99),
    ("bytes=99990-", 99990, 99999),
    ("bytes=-25", 99975, 99999),
    ("bytes=500-500", 500, 500),
    ("bytes=99000-200000", 99000, 99999),  # end past the size is clamped
])
def test_get_object_range(aws, ranged_object, work, spec, start, end):
    bucket, data = ranged_object
    out = work / "part.out"
    meta = aws("s3api", "get-object", "--bucket", bucket, "--key", "ranged", "--range", spec, str(out), "--output", "json").check().json()
    assert out.read_bytes() == data[start:end + 1]
    assert meta["ContentRange"] == f"bytes {start}-{end}/{len(data)}"
    assert meta["ContentLength"] == end - start + 1


def test_get_object_unsatisfiable_range(aws, ranged_object, work, s3):
    bucket, data = ranged_object
    ran = aws("s3api", "get-object", "--bucket", bucket, "--key", "ranged", "--range", f"bytes={len(data)}-", str(work / "x"))
    assert ran.returncode != 0
    assert ran.aws_error_code() == "InvalidRange", ran.stderr
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="ranged", Range="bytes=200000-300000")
    assert support.http_code(excinfo.value) == 416
    assert support.error_code(excinfo.value) == "InvalidRange"


def http_date(dt: datetime.datetime) -> str:
    return email.utils.format_datetime(dt.astimezone(datetime.timezone.utc), usegmt=True)


def test_get_object_conditionals(aws, ranged_object, work):
    bucket, data = ranged_object
    head = aws.json("s3api", "head-object", "--bucket", bucket, "--key", "ranged")
    etag = head["ETag"]
    modified = email.utils.parsedate_to_datetime(head["LastModified"])
    day = datetime.timedelta(days=1)
    out = work / "cond.out"

    def get(*extra):
        return aws("s3api", "get-object", "--bucket", bucket, "--key", "ranged", *extra, str(out))

    get("--if-match", etag).check()
    assert out.read_bytes() == data
    failed = get("--if-match", '"0123456789abcdef0123456789abcdef"')
    assert failed.aws_error_code() == "PreconditionFailed", failed.stderr
    not_modified = get("--if-none-match", etag)
    assert not_modified.returncode != 0 and not_modified.aws_error_code() == "304", not_modified.stderr
    get("--if-none-match", '"0123456789abcdef0123456789abcdef"').check()

    not_modified = get("--if-modified-since", http_date(modified))
    assert not_modified.aws_error_code() == "304", not_modified.stderr
    get("--if-modified-since", http_date(modified - day)).check()
    failed = get("--if-unmodified-since", http_date(modified - day))
    assert failed.aws_error_code() == "PreconditionFailed", failed.stderr
    get("--if-unmodified-since", http_date(modified)).check()
    get("--if-unmodified-since", http_date(modified + day)).check()
    # If-Match wins over If-Unmodified-Since; If-None-Match over If-Modified-Since (RFC 7232, as S3).
    get("--if-match", etag, "--if-unmodified-since", http_date(modified - day)).check()
    not_modified = get("--if-none-match", etag, "--if-modified-since", http_date(modified - day))
    assert not_modified.aws_error_code() == "304", not_modified.stderr
    # head-object obeys them too.
    failed = aws("s3api", "head-object", "--bucket", bucket, "--key", "ranged", "--if-match", '"00000000000000000000000000000000"')
    assert failed.returncode != 0 and "412" in failed.stderr, failed.stderr


# -- copy and metadata ------------------------------------------------------------------

HEADERS_ARGS = [
    "--content-type", "text/x-souverain; charset=utf-8",
    "--cache-control", "max-age=3600, private",
    "--content-disposition", 'attachment; filename="report.txt"',
    "--content-encoding", "identity",
    "--content-language", "fr",
    "--expires", "2037-01-01T00:00:00Z",
    "--metadata", "Project=souverain,owner=archives",
]


def test_head_object_shows_metadata_and_headers(aws, cli_bucket, work):
    src = put_file(work / "h", b"headers")
    aws("s3api", "put-object", "--bucket", cli_bucket, "--key", "with-headers", "--body", str(src), *HEADERS_ARGS).check()
    head = aws.json("s3api", "head-object", "--bucket", cli_bucket, "--key", "with-headers")
    assert head["ContentType"] == "text/x-souverain; charset=utf-8"
    assert head["CacheControl"] == "max-age=3600, private"
    assert head["ContentDisposition"] == 'attachment; filename="report.txt"'
    assert head["ContentEncoding"] == "identity"
    assert head["ContentLanguage"] == "fr"
    assert (head.get("ExpiresString") or head.get("Expires")) == "Thu, 01 Jan 2037 00:00:00 GMT"
    assert head["Metadata"] == {"project": "souverain", "owner": "archives"}
    assert head["ContentLength"] == len(b"headers")
    assert head["ETag"] == f'"{md5_hex(b"headers")}"'


def test_copy_object_directives(aws, cli_bucket, work, s3):
    data = seeded_bytes("copy", 3000)
    src = put_file(work / "c", data)
    aws("s3api", "put-object", "--bucket", cli_bucket, "--key", "orig", "--body", str(src), *HEADERS_ARGS).check()
    etag = s3.head_object(Bucket=cli_bucket, Key="orig")["ETag"]

    copied = aws.json("s3api", "copy-object", "--bucket", cli_bucket, "--key", "copy-kept", "--copy-source", f"{cli_bucket}/orig",
                      "--metadata-directive", "COPY")
    assert copied["CopyObjectResult"]["ETag"] == etag
    kept = s3.head_object(Bucket=cli_bucket, Key="copy-kept")
    assert kept["Metadata"] == {"project": "souverain", "owner": "archives"}
    assert kept["ContentType"] == "text/x-souverain; charset=utf-8"
    assert kept["CacheControl"] == "max-age=3600, private"

    aws.json("s3api", "copy-object", "--bucket", cli_bucket, "--key", "copy-replaced", "--copy-source", f"{cli_bucket}/orig",
             "--metadata-directive", "REPLACE", "--metadata", "fresh=yes", "--content-type", "application/octet-stream")
    replaced = s3.head_object(Bucket=cli_bucket, Key="copy-replaced")
    assert replaced["Metadata"] == {"fresh": "yes"}
    assert replaced["ContentType"] == "application/octet-stream"
    assert "CacheControl" not in replaced
    assert s3.get_object(Bucket=cli_bucket, Key="copy-replaced")["Body"].read() == data

    # Copying an object onto itself is only allowed when something changes (REPLACE).
    self_copy = aws("s3api", "copy-object", "--bucket", cli_bucket, "--key", "orig", "--copy-source", f"{cli_bucket}/orig")
    assert self_copy.aws_error_code() == "InvalidRequest", self_copy.stderr
    aws.json("s3api", "copy-object", "--bucket", cli_bucket, "--key", "orig", "--copy-source", f"{cli_bucket}/orig",
             "--metadata-directive", "REPLACE", "--metadata", "rev=2")
    assert s3.head_object(Bucket=cli_bucket, Key="orig")["Metadata"] == {"rev": "2"}
    assert s3.get_object(Bucket=cli_bucket, Key="orig")["Body"].read() == data

    aws.json("s3api", "copy-object", "--bucket", cli_bucket, "--key", "copy-if", "--copy-source", f"{cli_bucket}/orig",
             "--copy-source-if-match", etag)
    assert s3.get_object(Bucket=cli_bucket, Key="copy-if")["Body"].read() == data
    refused = aws("s3api", "copy-object", "--bucket", cli_bucket, "--key", "copy-if-not", "--copy-source", f"{cli_bucket}/orig",
                  "--copy-source-if-match", '"0123456789abcdef0123456789abcdef"')
    assert refused.aws_error_code() == "PreconditionFailed", refused.stderr
    with pytest.raises(ClientError):
        s3.head_object(Bucket=cli_bucket, Key="copy-if-not")
    refused = aws("s3api", "copy-object", "--bucket", cli_bucket, "--key", "copy-if-not", "--copy-source", f"{cli_bucket}/orig",
                  "--copy-source-if-none-match", etag)
    assert refused.aws_error_code() == "PreconditionFailed", refused.stderr
    missing = aws("s3api", "copy-object", "--bucket", cli_bucket, "--key", "x", "--copy-source", f"{cli_bucket}/no-such-source")
    assert missing.aws_error_code() == "NoSuchKey", missing.stderr


def test_delete_objects(aws, cli_bucket, work, s3):
    for key in ["d/1", "d/2", "d/3 é", "keep"]:
        s3.put_object(Bucket=cli_bucket, Key=key, Body=key.encode())
    request = {"Objects": [{"Key": "d/1"}, {"Key": "d/2"}, {"Key": "d/3 é"}, {"Key": "never-existed"}], "Quiet": False}
    result = aws.json("s3api", "delete-objects", "--bucket", cli_bucket, "--delete", json.dumps(request))
    assert sorted(d["Key"] for d in result["Deleted"]) == sorted(["d/1", "d/2", "d/3 é", "never-existed"])
    assert not result.get("Errors")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket)["Contents"]] == ["keep"]
    quiet = aws("s3api", "delete-objects", "--bucket", cli_bucket, "--delete", json.dumps({"Objects": [{"Key": "keep"}], "Quiet": True}),
                "--output", "json").check().json() or {}
    assert not quiet.get("Deleted") and not quiet.get("Errors")
    assert s3.list_objects_v2(Bucket=cli_bucket)["KeyCount"] == 0


# -- presigned URLs -----------------------------------------------------------------------

def curl(url: str, out) -> tuple[int, bytes]:
    proc = subprocess.run(["curl", "-sS", "-g", "-o", str(out), "-w", "%{http_code}", url],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout), out.read_bytes() if out.exists() else b""


def test_presign_fetched_with_curl(aws, cli_bucket, work):
    data = seeded_bytes("presign", 54_321)
    src = put_file(work / "p", data)
    aws("s3", "cp", str(src), f"s3://{cli_bucket}/pre signed/é.bin").check()
    url = aws("s3", "presign", f"s3://{cli_bucket}/pre signed/é.bin", "--expires-in", "600").check().stdout.strip()
    assert "X-Amz-Signature=" in url
    status, body = curl(url, work / "curl.out")
    assert status == 200
    assert body == data


@pytest.mark.souverain_only
def test_presign_expired_is_access_denied(aws, cli_bucket, work):
    src = put_file(work / "p", b"short-lived")
    aws("s3", "cp", str(src), f"s3://{cli_bucket}/short").check()
    url = aws("s3", "presign", f"s3://{cli_bucket}/short", "--expires-in", "1").check().stdout.strip()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    expires_at = signed_at + datetime.timedelta(seconds=int(query["X-Amz-Expires"]))
    # Bounded wait until the URL is past its expiry by a clear margin (at most a few seconds).
    deadline = time.monotonic() + 10
    while datetime.datetime.now(datetime.timezone.utc) < expires_at + datetime.timedelta(seconds=1.5):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    status, body = curl(url, work / "expired.out")
    assert status == 403, body
    assert support.RawResponse(status, "", {}, body).error_code == "AccessDenied", body
