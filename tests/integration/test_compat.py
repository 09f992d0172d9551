"""The S3 compatibility gaps that stopped common tools (issue 14, point 6), each closed as AWS
documents it: object checksums stated at CompleteMultipartUpload (composite and full-object),
DeleteBucket of a bucket holding only pending uploads, GET/HEAD ?partNumber, non-ASCII user
metadata (RFC 2047), ListBuckets paging and max-keys=0, the bucket naming rules,
GetObjectAttributes, and copies of SSE-C objects. One server for the module.
"""

from __future__ import annotations

import base64
import email.header
import hashlib
import json
import zlib

import pytest
from awscrt import checksums as crt
from botocore.exceptions import ClientError

import support
from support import code_of
from support import MIB, seeded_bytes

pytestmark = pytest.mark.souverain_only


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def crc(algorithm: str, data: bytes) -> bytes:
    """The CRC of `data`, big-endian bytes as S3 encodes it."""
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return crt.crc32c(data).to_bytes(4, "big")
    return crt.crc64nvme(data).to_bytes(8, "big")


def digest(algorithm: str, data: bytes) -> bytes:
    if algorithm in ("CRC32", "CRC32C", "CRC64NVME"):
        return crc(algorithm, data)
    return hashlib.new(algorithm.lower(), data).digest()


def upload_parts(s3, bucket: str, key: str, parts: list[bytes], **create) -> tuple[str, list[dict]]:
    """Creates an upload and sends its parts; returns the upload id and the parts as completion lists them."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)
    algorithm = create.get("ChecksumAlgorithm")
    listed = []
    for number, body in enumerate(parts, 1):
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        sent = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=body, **extra)
        part = {"PartNumber": number, "ETag": sent["ETag"]}
        if algorithm:
            part[f"Checksum{algorithm}"] = sent[f"Checksum{algorithm}"]
        listed.append(part)
    return upload["UploadId"], listed


# -- 1. object checksums stated at completion ---------------------------------------------------

@pytest.mark.parametrize("algorithm", ["SHA256", "SHA1", "CRC32", "CRC32C"])
def test_a_stated_composite_checksum_is_accepted_when_right_and_refused_when_wrong(s3, bucket, algorithm):
    parts = [seeded_bytes(f"composite-{algorithm}-1", 5 * MIB), seeded_bytes(f"composite-{algorithm}-2", 1000)]
    composite = b64(digest(algorithm, b"".join(digest(algorithm, p) for p in parts)))
    field = f"Checksum{algorithm}"
    upload_id, listed = upload_parts(s3, bucket, "c.bin", parts, ChecksumAlgorithm=algorithm)
    wrong = b64(digest(algorithm, b"not the parts")) + "-2"
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="c.bin", UploadId=upload_id, MultipartUpload={"Parts": listed}, **{field: wrong})) == ("BadDigest", 400)
    # The refusal left the upload as it was: the right value completes it, in the form the
    # server itself returns (with -N).
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="c.bin", UploadId=upload_id, MultipartUpload={"Parts": listed}, **{field: composite + "-2"})
    assert done[field] == composite + "-2" and done["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="c.bin", ChecksumMode="ENABLED")
    assert head[field] == composite + "-2" and head["ChecksumType"] == "COMPOSITE"
    # Without the suffix too.
    upload_id, listed = upload_parts(s3, bucket, "bare.bin", parts[1:], ChecksumAlgorithm=algorithm)
    single = b64(digest(algorithm, digest(algorithm, parts[1])))
    assert s3.complete_multipart_upload(
        Bucket=bucket, Key="bare.bin", UploadId=upload_id, MultipartUpload={"Parts": listed}, **{field: single})[field] == single + "-1"


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_a_full_object_crc_is_computed_from_the_parts_and_checked(s3, bucket, algorithm):
    parts = [seeded_bytes(f"full-{algorithm}-1", 5 * MIB), seeded_bytes(f"full-{algorithm}-2", 5 * MIB + 17),
             seeded_bytes(f"full-{algorithm}-3", 3)]
    whole = b64(crc(algorithm, b"".join(parts)))
    field = f"Checksum{algorithm}"
    created = s3.create_multipart_upload(Bucket=bucket, Key="probe", ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT")
    assert created["ChecksumType"] == "FULL_OBJECT"
    s3.abort_multipart_upload(Bucket=bucket, Key="probe", UploadId=created["UploadId"])

    upload_id, listed = upload_parts(s3, bucket, "f.bin", parts, ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT")
    wrong = b64(crc(algorithm, b"other bytes"))
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="f.bin", UploadId=upload_id, MultipartUpload={"Parts": listed}, ChecksumType="FULL_OBJECT",
        **{field: wrong})) == ("BadDigest", 400)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="f.bin", UploadId=upload_id, MultipartUpload={"Parts": listed}, ChecksumType="COMPOSITE",
        **{field: whole})) == ("BadDigest", 400)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="f.bin", UploadId=upload_id, MultipartUpload={"Parts": listed}, ChecksumType="FULL_OBJECT",
        MpuObjectSize=sum(map(len, parts)), **{field: whole})
    assert done[field] == whole and done["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="f.bin", ChecksumMode="ENABLED")
    assert got[field] == whole and got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == b"".join(parts)  # botocore validates the full-object CRC as it reads

    # Without a stated value, the server computes it all the same.
    upload_id, listed = upload_parts(s3, bucket, "g.bin", parts[1:], ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="g.bin", UploadId=upload_id, MultipartUpload={"Parts": listed})
    assert done[field] == b64(crc(algorithm, b"".join(parts[1:])))


def test_checksum_types_are_refused_where_aws_refuses_them(s3, bucket):
    # CRC64NVME is full-object only, and its default; SHA checksums do not combine.
    assert code_of(lambda: s3.create_multipart_upload(
        Bucket=bucket, Key="k", ChecksumAlgorithm="CRC64NVME", ChecksumType="COMPOSITE")) == ("InvalidRequest", 400)
    assert code_of(lambda: s3.create_multipart_upload(
        Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT")) == ("InvalidRequest", 400)
    assert s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC64NVME")["ChecksumType"] == "FULL_OBJECT"
    # A value stated in another algorithm than the upload's.
    upload_id, listed = upload_parts(s3, bucket, "other", [b"abc"], ChecksumAlgorithm="CRC32")
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="other", UploadId=upload_id, MultipartUpload={"Parts": listed},
        ChecksumSHA256=b64(hashlib.sha256(b"abc").digest()))) == ("InvalidRequest", 400)
    assert code_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="other", UploadId=upload_id, MultipartUpload={"Parts": listed}, MpuObjectSize=4)) == ("InvalidRequest", 400)


def test_aws_cli_completes_with_a_full_object_checksum(aws, s3, bucket, module_dir):
    parts = [seeded_bytes("cli-full-1", 5 * MIB), seeded_bytes("cli-full-2", 999)]
    upload = aws.json("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "cli.bin",
                      "--checksum-algorithm", "CRC32C", "--checksum-type", "FULL_OBJECT")
    listed = []
    for number, body in enumerate(parts, 1):
        path = module_dir / f"cli-part-{number}"
        path.write_bytes(body)
        sent = aws.json("s3api", "upload-part", "--bucket", bucket, "--key", "cli.bin", "--upload-id", upload["UploadId"],
                        "--part-number", str(number), "--body", str(path), "--checksum-algorithm", "CRC32C")
        listed.append({"PartNumber": number, "ETag": sent["ETag"], "ChecksumCRC32C": sent["ChecksumCRC32C"]})
    whole = b64(crc("CRC32C", b"".join(parts)))
    done = aws.json("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "cli.bin", "--upload-id",
                    upload["UploadId"], "--multipart-upload", json.dumps({"Parts": listed}),
                    "--checksum-type", "FULL_OBJECT")
    assert done["ChecksumCRC32C"] == whole and done["ChecksumType"] == "FULL_OBJECT"


# -- 2. DeleteBucket with pending uploads ---------------------------------------------------------

def test_delete_bucket_aborts_pending_uploads_but_not_objects(server, s3):
    name = support.unique_bucket_name("pending-uploads")
    s3.create_bucket(Bucket=name)
    first, _ = upload_parts(s3, name, "a", [seeded_bytes("pending", 1000)])
    s3.create_multipart_upload(Bucket=name, Key="b/c")
    # With an object as well, the bucket is not empty, and its uploads stay.
    s3.put_object(Bucket=name, Key="object", Body=b"x")
    assert code_of(lambda: s3.delete_bucket(Bucket=name)) == ("BucketNotEmpty", 409)
    assert len(s3.list_multipart_uploads(Bucket=name)["Uploads"]) == 2
    s3.delete_object(Bucket=name, Key="object")

    s3.delete_bucket(Bucket=name)
    assert code_of(lambda: s3.head_bucket(Bucket=name))[1] == 404
    assert code_of(lambda: s3.list_parts(Bucket=name, Key="a", UploadId=first))[0] in ("NoSuchBucket", "NoSuchUpload")
    # The name is free again, and the new bucket holds nothing of the old one.
    s3.create_bucket(Bucket=name)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=name)
    # Each abort is in the trail, under the DeleteBucket's request.
    trail = support.request(server.endpoint, server.admin(), "GET", raw_path="/_souverain/audit/records",
                            query={"bucket": name, "operation": "AbortMultipartUpload"})
    assert trail.status == 200, trail.describe()
    records = [json.loads(line) for line in trail.body.decode().splitlines()]
    assert sorted(r["key"] for r in records) == ["a", "b/c"]
    assert all("aborted by DeleteBucket" in r["detail"] for r in records), records
    s3.delete_bucket(Bucket=name)


def test_aws_cli_removes_a_bucket_left_with_an_unfinished_upload(aws, s3):
    name = support.unique_bucket_name("cli-rb")
    s3.create_bucket(Bucket=name)
    s3.create_multipart_upload(Bucket=name, Key="left-over")
    aws("s3", "rb", f"s3://{name}").check()
    assert code_of(lambda: s3.head_bucket(Bucket=name))[1] == 404


# -- 3. GET and HEAD ?partNumber ------------------------------------------------------------------

def test_part_number_reads_one_part(s3, aws, bucket, module_dir):
    parts = [seeded_bytes("pn-1", 5 * MIB), seeded_bytes("pn-2", 5 * MIB + 1), seeded_bytes("pn-3", 1000)]
    upload_id, listed = upload_parts(s3, bucket, "mp", parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": listed})
    total = sum(map(len, parts))
    start = 0
    for number, body in enumerate(parts, 1):
        got = s3.get_object(Bucket=bucket, Key="mp", PartNumber=number)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["ContentRange"] == f"bytes {start}-{start + len(body) - 1}/{total}"
        assert got["PartsCount"] == 3 and got["ContentLength"] == len(body)
        assert got["Body"].read() == body
        head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=number)
        assert head["ContentLength"] == len(body) and head["PartsCount"] == 3
        start += len(body)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="mp", PartNumber=4)) == ("InvalidPartNumber", 416)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="mp", PartNumber=4))[1] == 416
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="mp", PartNumber=1, Range="bytes=0-9")) == ("InvalidRequest", 400)
    # A single-part object is one part.
    s3.put_object(Bucket=bucket, Key="single", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert got["Body"].read() == b"0123456789" and got["ContentRange"] == "bytes 0-9/10"
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="single", PartNumber=2)) == ("InvalidPartNumber", 416)
    # aws-cli's --part-number.
    out = module_dir / "part2"
    meta = aws.json("s3api", "get-object", "--bucket", bucket, "--key", "mp", "--part-number", "2", str(out))
    assert meta["PartsCount"] == 3 and out.read_bytes() == parts[1]


# -- 4. non-ASCII user metadata -------------------------------------------------------------------

ENCODED = "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="  # "Hello Worldé", as AWS answers it


def decoded(value: str) -> str:
    return str(email.header.make_header(email.header.decode_header(value)))


def test_utf8_metadata_comes_back_rfc2047_encoded(server, s3, bucket):
    # Sent as raw UTF-8 bytes (botocore refuses non-ASCII metadata, so the request is signed by hand).
    signed = support.sign("PUT", server.endpoint, support.build_target(bucket, "raw"), server.admin(),
                          {"x-amz-meta-x": "Hello Worldé", "x-amz-content-sha256": support.sha256(b"body")},
                          payload_hash=support.sha256(b"body"))
    headers = {k: (v.encode() if k.lower() == "x-amz-meta-x" else v) for k, v in signed.headers.items()}
    put = support.send(server.endpoint, "PUT", signed.target, headers, b"body")
    assert put.status == 200, put.describe()
    head = s3.head_object(Bucket=bucket, Key="raw")
    assert head["Metadata"]["x"] == ENCODED and decoded(head["Metadata"]["x"]) == "Hello Worldé"
    # The header on the wire is plain ASCII.
    raw = support.request(server.endpoint, server.admin(), "HEAD", bucket, "raw")
    assert raw.header("x-amz-meta-x") == ENCODED
    # A value sent encoded is stored decoded and answered the same way: boto3 round-trips it.
    s3.put_object(Bucket=bucket, Key="encoded", Body=b"x", Metadata={"x": ENCODED, "plain": "ascii only"})
    head = s3.head_object(Bucket=bucket, Key="encoded")
    assert head["Metadata"] == {"x": ENCODED, "plain": "ascii only"}
    # Copies keep it.
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "encoded"})
    assert s3.head_object(Bucket=bucket, Key="copied")["Metadata"]["x"] == ENCODED


def test_utf8_metadata_round_trips_with_aws_cli_and_rclone(aws, rclone, bucket, module_dir):
    source = module_dir / "meta.txt"
    source.write_bytes(b"metadata")
    aws("s3api", "put-object", "--bucket", bucket, "--key", "cli", "--body", str(source),
        "--metadata", json.dumps({"x": ENCODED})).check()
    assert aws.json("s3api", "head-object", "--bucket", bucket, "--key", "cli")["Metadata"] == {"x": ENCODED}
    rclone("copyto", str(source), rclone.remote(f"{bucket}/rclone"), "--metadata", "--metadata-set", "x=Hello Worldé").check()
    listed = json.loads(rclone("lsjson", "--metadata", rclone.remote(f"{bucket}/rclone")).check().stdout)
    assert decoded(listed[0]["Metadata"]["x"]) == "Hello Worldé", listed


# -- 5. ListBuckets paging, max-keys=0 ------------------------------------------------------------

def test_list_buckets_pages_by_max_buckets_and_filters_by_prefix(s3):
    prefix = support.unique_bucket_name("lb")[:40] + "-"
    names = [prefix + suffix for suffix in ("c", "a", "b")]
    for name in names:
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == sorted(names)[:2]
    assert first["Prefix"] == prefix and first["ContinuationToken"]
    assert all(b["BucketRegion"] == support.REGION for b in first["Buckets"])
    second = s3.list_buckets(Prefix=prefix, MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in second["Buckets"]] == sorted(names)[2:] and "ContinuationToken" not in second
    paged = [b["Name"] for page in s3.get_paginator("list_buckets").paginate(Prefix=prefix, PaginationConfig={"PageSize": 1})
             for b in page["Buckets"]]
    assert paged == sorted(names)
    assert s3.list_buckets(Prefix=prefix, BucketRegion="elsewhere-1").get("Buckets", []) == []
    assert code_of(lambda: s3.list_buckets(MaxBuckets=10001)) == ("InvalidArgument", 400)
    for name in names:
        s3.delete_bucket(Bucket=name)


def test_max_keys_zero_is_an_empty_complete_listing(s3, bucket):
    for key in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    v2 = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert v2["IsTruncated"] is False and v2["KeyCount"] == 0 and "NextContinuationToken" not in v2
    v1 = s3.list_objects(Bucket=bucket, MaxKeys=0)
    assert v1["IsTruncated"] is False and "Contents" not in v1


# -- 6. bucket names --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a.-b", "foo-.bar", "ab", "192.168.5.4", "xn--abc", "sthree-x", "amzn-s3-demo-x",
                                  "x-s3alias", "x--ol-s3", "x.mrap", "x--x-s3", "x--table-s3", "a..b", "-ab"])
def test_bucket_names_aws_refuses_are_refused(s3, name):
    assert code_of(lambda: s3.create_bucket(Bucket=name)) == ("InvalidBucketName", 400)


# -- 7. GetObjectAttributes -------------------------------------------------------------------------

def test_get_object_attributes(s3, aws, bucket):
    body = seeded_bytes("attrs", 1024)
    s3.put_object(Bucket=bucket, Key="single", Body=body, ChecksumAlgorithm="SHA256")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="single",
                                     ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
    assert attrs["ETag"] == hashlib.md5(body).hexdigest() and attrs["ObjectSize"] == 1024
    assert attrs["StorageClass"] == "STANDARD" and "ObjectParts" not in attrs
    assert attrs["Checksum"]["ChecksumSHA256"] == b64(hashlib.sha256(body).digest())
    assert attrs["LastModified"] == s3.head_object(Bucket=bucket, Key="single")["LastModified"]
    only = s3.get_object_attributes(Bucket=bucket, Key="single", ObjectAttributes=["ObjectSize"])
    assert only["ObjectSize"] == 1024 and "ETag" not in only and "Checksum" not in only

    parts = [seeded_bytes("attrs-1", 5 * MIB), seeded_bytes("attrs-2", 5 * MIB), seeded_bytes("attrs-3", 77)]
    upload_id, listed = upload_parts(s3, bucket, "mp", parts, ChecksumAlgorithm="CRC32")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": listed})
    attrs = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["Checksum", "ObjectParts"], MaxParts=2)
    composite = b64(digest("CRC32", b"".join(crc("CRC32", p) for p in parts)))
    assert attrs["Checksum"] == {"ChecksumCRC32": composite, "ChecksumType": "COMPOSITE"}
    object_parts = attrs["ObjectParts"]
    assert object_parts["TotalPartsCount"] == 3 and object_parts["IsTruncated"] is True
    assert [(p["PartNumber"], p["Size"], p["ChecksumCRC32"]) for p in object_parts["Parts"]] == [
        (1, 5 * MIB, b64(crc("CRC32", parts[0]))), (2, 5 * MIB, b64(crc("CRC32", parts[1])))]
    rest = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"], MaxParts=2,
                                    PartNumberMarker=int(object_parts["NextPartNumberMarker"]))["ObjectParts"]
    assert [p["PartNumber"] for p in rest["Parts"]] == [3] and rest["IsTruncated"] is False

    # Without a checksum, only the count of parts (as AWS answers for general purpose buckets).
    upload_id, listed = upload_parts(s3, bucket, "plain", parts[2:])
    s3.complete_multipart_upload(Bucket=bucket, Key="plain", UploadId=upload_id, MultipartUpload={"Parts": listed})
    plain = s3.get_object_attributes(Bucket=bucket, Key="plain", ObjectAttributes=["ObjectParts"])["ObjectParts"]
    assert plain["TotalPartsCount"] == 1 and "Parts" not in plain

    assert code_of(lambda: s3.get_object_attributes(Bucket=bucket, Key="single", ObjectAttributes=["Colour"])) == ("InvalidArgument", 400)
    assert code_of(lambda: s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=["ETag"]))[1] == 404
    cli = aws.json("s3api", "get-object-attributes", "--bucket", bucket, "--key", "single", "--object-attributes", "ObjectSize", "ETag")
    assert cli["ObjectSize"] == 1024 and cli["ETag"] == hashlib.md5(body).hexdigest()


# -- 8. copies of SSE-C objects ---------------------------------------------------------------------

KEY_A, KEY_B = b"A" * 32, b"B" * 32


def sse(key: bytes) -> dict:
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def source_sse(key: bytes) -> dict:
    return {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": key}


def test_copy_object_of_an_sse_c_object(s3, bucket):
    body = seeded_bytes("ssec-copy", 200_000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, **sse(KEY_A))
    source = {"Bucket": bucket, "Key": "src"}
    # Under another customer key.
    copied = s3.copy_object(Bucket=bucket, Key="to-b", CopySource=source, **source_sse(KEY_A), **sse(KEY_B))
    assert copied["SSECustomerKeyMD5"] == b64(hashlib.md5(KEY_B).digest())
    assert s3.get_object(Bucket=bucket, Key="to-b", **sse(KEY_B))["Body"].read() == body
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="to-b", **sse(KEY_A)))[1] == 403
    # Under the organisation's keys.
    s3.copy_object(Bucket=bucket, Key="to-org", CopySource=source, **source_sse(KEY_A))
    assert s3.get_object(Bucket=bucket, Key="to-org")["Body"].read() == body
    # From a plain object to SSE-C.
    s3.copy_object(Bucket=bucket, Key="back", CopySource={"Bucket": bucket, "Key": "to-org"}, **sse(KEY_B))
    assert s3.get_object(Bucket=bucket, Key="back", **sse(KEY_B))["Body"].read() == body
    # Onto itself, changing the key.
    s3.copy_object(Bucket=bucket, Key="src", CopySource=source, **source_sse(KEY_A), **sse(KEY_B))
    assert s3.get_object(Bucket=bucket, Key="src", **sse(KEY_B))["Body"].read() == body
    # Refused as AWS refuses: no source key (400), the wrong one (403), one for a plain source (400).
    assert code_of(lambda: s3.copy_object(Bucket=bucket, Key="x", CopySource=source)) == ("InvalidRequest", 400)
    assert code_of(lambda: s3.copy_object(Bucket=bucket, Key="x", CopySource=source, **source_sse(KEY_A))) == ("AccessDenied", 403)
    assert code_of(lambda: s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "to-org"},
                                          **source_sse(KEY_A))) == ("InvalidRequest", 400)
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="x"))[1] == 404


def test_upload_part_copy_of_an_sse_c_object(s3, bucket):
    first, second = seeded_bytes("ssec-part-1", 5 * MIB), seeded_bytes("ssec-part-2", 4000)
    s3.put_object(Bucket=bucket, Key="p1", Body=first, **sse(KEY_A))
    s3.put_object(Bucket=bucket, Key="p2", Body=second)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined", **sse(KEY_B))
    common = dict(Bucket=bucket, Key="joined", UploadId=upload["UploadId"])
    assert code_of(lambda: s3.upload_part_copy(**common, PartNumber=1, CopySource={"Bucket": bucket, "Key": "p1"},
                                               **sse(KEY_B))) == ("InvalidRequest", 400)
    one = s3.upload_part_copy(**common, PartNumber=1, CopySource={"Bucket": bucket, "Key": "p1"}, **source_sse(KEY_A), **sse(KEY_B))
    two = s3.upload_part_copy(**common, PartNumber=2, CopySource={"Bucket": bucket, "Key": "p2"}, **sse(KEY_B))
    s3.complete_multipart_upload(**common, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": one["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": two["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="joined", **sse(KEY_B))["Body"].read() == first + second


def test_aws_cli_copies_an_sse_c_object(aws, s3, bucket):
    body = seeded_bytes("ssec-cli", 10_000)
    s3.put_object(Bucket=bucket, Key="cli-src", Body=body, **sse(KEY_A))
    aws("s3", "cp", f"s3://{bucket}/cli-src", f"s3://{bucket}/cli-dst", "--sse-c-copy-source", "AES256",
        "--sse-c-copy-source-key", KEY_A.decode(), "--sse-c", "AES256", "--sse-c-key", KEY_B.decode()).check()
    assert s3.get_object(Bucket=bucket, Key="cli-dst", **sse(KEY_B))["Body"].read() == body
