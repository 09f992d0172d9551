"""boto3 against the server: checksums, metadata, listings, multipart, ETags, errors."""

from __future__ import annotations

import random
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import botocore.httpchecksum
import pytest
from botocore.exceptions import ClientError

import support
from support import (MIB, crc32_b64, crc32c_b64, md5_hex, multipart_etag, seeded_bytes, sha1_b64,
                     sha256, sha256_b64, utf8_order)

CHECKSUMS = {
    "CRC32": crc32_b64,
    "CRC32C": crc32c_b64,
    "SHA1": sha1_b64,
    "SHA256": sha256_b64,
}


def expect_error(excinfo, code: str, status: int | None = None) -> None:
    err = excinfo.value
    assert support.error_code(err) == code, f"expected {code}, got {err.response.get('Error')} / {err.response.get('ResponseMetadata')}"
    if status is not None:
        assert support.http_code(err) == status, err.response
    assert err.response["ResponseMetadata"].get("RequestId"), f"no request id on the {code} error"


def has_request_id(response) -> bool:
    return bool(response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id"))


# -- checksums ------------------------------------------------------------------

def test_put_get_with_default_checksum(s3, bucket):
    """botocore's default (request_checksum_calculation=when_supported): a CRC32 goes with
    the upload; the GET validates what the server returns with ChecksumMode=ENABLED."""
    body = seeded_bytes("default-checksum", 300_001)
    put = s3.put_object(Bucket=bucket, Key="default.bin", Body=body)
    assert put["ETag"] == f'"{md5_hex(body)}"'
    assert has_request_id(put)
    if "ChecksumCRC32" in put:
        assert put["ChecksumCRC32"] == crc32_b64(body)
    got = s3.get_object(Bucket=bucket, Key="default.bin", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got["ChecksumCRC32"] == crc32_b64(body)
    assert got["ContentLength"] == len(body)
    assert got["ETag"] == put["ETag"]


def test_put_get_when_required_checksums(server, bucket):
    """request_checksum_calculation=when_required: no flexible checksum is sent at all."""
    client = server.client(request_checksum_calculation="when_required", response_checksum_validation="when_required")
    body = seeded_bytes("when-required", 123_457)
    put = client.put_object(Bucket=bucket, Key="plain.bin", Body=body)
    assert put["ETag"] == f'"{md5_hex(body)}"'
    got = client.get_object(Bucket=bucket, Key="plain.bin")
    assert got["Body"].read() == body
    empty = client.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert empty["ETag"] == f'"{md5_hex(b"")}"'
    assert client.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


@pytest.mark.parametrize("algorithm", list(CHECKSUMS))
def test_checksum_algorithms_round_trip(s3, bucket, algorithm):
    body = seeded_bytes(f"checksum-{algorithm}", 77_777)
    expected = CHECKSUMS[algorithm](body)
    put = s3.put_object(Bucket=bucket, Key=f"sum/{algorithm}", Body=body, ChecksumAlgorithm=algorithm)
    if f"Checksum{algorithm}" in put:
        assert put[f"Checksum{algorithm}"] == expected
    got = s3.get_object(Bucket=bucket, Key=f"sum/{algorithm}", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got.get(f"Checksum{algorithm}") == expected, f"GetObject returned {[k for k in got if k.startswith('Checksum')]}"
    head = s3.head_object(Bucket=bucket, Key=f"sum/{algorithm}", ChecksumMode="ENABLED")
    assert head.get(f"Checksum{algorithm}") == expected


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA256"])
def test_wrong_checksum_is_refused(s3, bucket, algorithm):
    body = seeded_bytes("wrong-checksum", 4096)
    wrong = CHECKSUMS[algorithm](body + b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="wrong", Body=body, **{f"Checksum{algorithm}": wrong})
    assert support.error_code(excinfo.value) in ("BadDigest", "InvalidRequest"), excinfo.value.response
    assert support.http_code(excinfo.value) == 400
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="wrong")
    assert support.http_code(missing.value) == 404


@pytest.fixture
def trailer_mode(monkeypatch):
    """Make botocore do what it does over TLS: unsigned aws-chunked bodies with the
    checksum in a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER). Over plain HTTP it
    otherwise signs the payload and sends the checksum as a header."""
    original = botocore.httpchecksum.urlparse
    monkeypatch.setattr(botocore.httpchecksum, "urlparse", lambda url: original(url)._replace(scheme="https"))


@pytest.mark.parametrize("algorithm", [None, "CRC32C", "SHA256"])
def test_aws_chunked_trailer_uploads(s3, bucket, trailer_mode, algorithm):
    body = seeded_bytes(f"trailer-{algorithm}", 200_000)
    extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
    name = algorithm or "CRC32"
    put = s3.put_object(Bucket=bucket, Key=f"trailer/{name}", Body=body, **extra)
    assert put["ETag"] == f'"{md5_hex(body)}"'
    got = s3.get_object(Bucket=bucket, Key=f"trailer/{name}", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got.get(f"Checksum{name}") == CHECKSUMS[name](body)


def test_aws_chunked_trailer_multipart(s3, bucket, trailer_mode):
    parts = [seeded_bytes("trailer-mp-1", 5 * MIB), seeded_bytes("trailer-mp-2", 1234)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="trailer-mp", ChecksumAlgorithm="CRC32")
    done = []
    for n, data in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key="trailer-mp", UploadId=upload["UploadId"], PartNumber=n, Body=data, ChecksumAlgorithm="CRC32")
        assert r["ETag"] == f'"{md5_hex(data)}"'
        done.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r.get("ChecksumCRC32", crc32_b64(data))})
    s3.complete_multipart_upload(Bucket=bucket, Key="trailer-mp", UploadId=upload["UploadId"], MultipartUpload={"Parts": done})
    got = s3.get_object(Bucket=bucket, Key="trailer-mp")
    assert sha256(got["Body"].read()) == sha256(b"".join(parts))
    assert got["ETag"] == f'"{multipart_etag(parts)}"'


# -- metadata -------------------------------------------------------------------

def test_user_metadata_round_trip(s3, bucket):
    meta = {"Color": "blue", "x-y-z": "with spaces and = signs", "empty-ish": "-", "number": "42"}
    s3.put_object(Bucket=bucket, Key="meta", Body=b"m", Metadata=meta, ContentType="application/x-souverain",
                  CacheControl="max-age=60", ContentDisposition='attachment; filename="m.txt"', ContentLanguage="fr-FR")
    expected = {k.lower(): v for k, v in meta.items()}
    for response in (s3.head_object(Bucket=bucket, Key="meta"), s3.get_object(Bucket=bucket, Key="meta")):
        assert response["Metadata"] == expected
        assert response["ContentType"] == "application/x-souverain"
        assert response["CacheControl"] == "max-age=60"
        assert response["ContentDisposition"] == 'attachment; filename="m.txt"'
        assert response["ContentLanguage"] == "fr-FR"
    # Overwrite without metadata: none left.
    s3.put_object(Bucket=bucket, Key="meta", Body=b"m2")
    assert s3.head_object(Bucket=bucket, Key="meta")["Metadata"] == {}


def test_get_response_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="override", Body=b"body", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="override", ResponseContentType="application/json",
                        ResponseContentDisposition="inline", ResponseCacheControl="no-cache")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"
    assert got["Body"].read() == b"body"


# -- listings -------------------------------------------------------------------

HOSTILE_KEYS = [
    '&+-é"',
    "a/../x",
    "//a",
    "L" * 1024,
    "é" * 512,  # 1024 bytes of UTF-8
    "with space/a b",
    " leading space",
    "trailing space ",
    "line\nbreak",
    "tab\tkey",
    "dir/file",
    "dir/sub/file1",
    "dir/sub/file2",
    "dir2/x",
    "A-upper",
    "z",
    "~tilde",
    "100%",
    "a%2Fb",
    "?query=1&x",
    "#hash",
    "<xml>&amp;",
    "日本/語",
    "ü",
    "é/nested/key",
    "e\u0301",  # decomposed é, distinct from "é"
    "+plus+",
]


def reference_listing(keys, prefix="", delimiter=None, start_after=None):
    """What S3 lists: (kind, name) entries in UTF-8 byte order."""
    entries = []
    seen_prefixes = set()
    for key in utf8_order(keys):
        if not key.startswith(prefix):
            continue
        if start_after is not None and key.encode() <= start_after.encode():
            continue
        if delimiter:
            rest = key[len(prefix):]
            cut = rest.find(delimiter)
            if cut >= 0:
                common = prefix + rest[:cut + len(delimiter)]
                # A common prefix at or before the start key is not listed again:
                # that is what lets a prefix serve as V1's NextMarker.
                if start_after is not None and common.encode() <= start_after.encode():
                    continue
                if common not in seen_prefixes:
                    seen_prefixes.add(common)
                    entries.append(("prefix", common))
                continue
        entries.append(("key", key))
    return entries


@pytest.fixture(scope="module")
def hostile_bucket(s3):
    name = "hostile-keys"
    s3.create_bucket(Bucket=name)
    for i, key in enumerate(HOSTILE_KEYS):
        s3.put_object(Bucket=name, Key=key, Body=seeded_bytes(key, i))
    return name


def test_hostile_keys_read_back(s3, hostile_bucket):
    for i, key in enumerate(HOSTILE_KEYS):
        got = s3.get_object(Bucket=hostile_bucket, Key=key)
        assert got["Body"].read() == seeded_bytes(key, i), repr(key)
        assert got["ContentLength"] == i


def test_list_v2_all_in_utf8_byte_order(s3, hostile_bucket):
    listed = s3.list_objects_v2(Bucket=hostile_bucket)
    assert [o["Key"] for o in listed["Contents"]] == utf8_order(HOSTILE_KEYS)
    assert listed["KeyCount"] == len(HOSTILE_KEYS)
    assert listed["IsTruncated"] is False
    by_key = {o["Key"]: o for o in listed["Contents"]}
    for i, key in enumerate(HOSTILE_KEYS):
        assert by_key[key]["Size"] == i
        assert by_key[key]["ETag"] == f'"{md5_hex(seeded_bytes(key, i))}"'
        assert "Owner" not in by_key[key], "Owner must only be listed with FetchOwner"


def test_list_v2_raw_xml_without_encoding(server, hostile_bucket):
    """Without encoding-type the keys are XML-escaped text; the XML must parse and carry them exactly."""
    resp = support.request(server.endpoint, server.admin(), "GET", hostile_bucket, query=[("list-type", "2")])
    assert resp.status == 200, resp.describe()
    root = resp.xml
    assert root is not None, f"ListObjectsV2 is not well-formed XML: {resp.body[:500]!r}"
    keys = [el.text or "" for el in root.iter() if support.strip_ns(el.tag) == "Key"]
    assert keys == utf8_order(HOSTILE_KEYS)


def test_list_v2_encoding_type_url(s3, hostile_bucket):
    listed = s3.list_objects_v2(Bucket=hostile_bucket, EncodingType="url", Prefix="dir", Delimiter="/")
    assert listed.get("EncodingType") == "url"
    # An explicit EncodingType leaves the decoding to us: every value comes URL-encoded.
    everything = s3.list_objects_v2(Bucket=hostile_bucket, EncodingType="url")
    raw_keys = [o["Key"] for o in everything["Contents"]]
    assert [urllib.parse.unquote_plus(k) for k in raw_keys] == utf8_order(HOSTILE_KEYS)
    for raw in raw_keys:
        assert "\n" not in raw and " " not in raw and "&" not in raw and '"' not in raw and "<" not in raw, repr(raw)
    assert [urllib.parse.unquote_plus(p["Prefix"]) for p in listed.get("CommonPrefixes", [])] == ["dir/", "dir2/"]


@pytest.mark.parametrize("prefix,delimiter,start_after", [
    ("", "/", None),
    ("dir/", "/", None),
    ("dir", "/", None),
    ("", None, "a"),
    ("", "/", "dir/"),
    ("é", "/", None),
    ("", "é", None),
    ("/", "/", None),
    ("nothing-here/", "/", None),
])
def test_list_v2_prefix_delimiter_start_after(s3, hostile_bucket, prefix, delimiter, start_after):
    kwargs = {"Bucket": hostile_bucket, "Prefix": prefix}
    if delimiter:
        kwargs["Delimiter"] = delimiter
    if start_after:
        kwargs["StartAfter"] = start_after
    listed = s3.list_objects_v2(**kwargs)
    expected = reference_listing(HOSTILE_KEYS, prefix, delimiter, start_after)
    assert [o["Key"] for o in listed.get("Contents", [])] == [n for k, n in expected if k == "key"]
    assert [p["Prefix"] for p in listed.get("CommonPrefixes", [])] == [n for k, n in expected if k == "prefix"]
    assert listed["KeyCount"] == len(expected)
    assert listed.get("Prefix", "") == prefix


@pytest.mark.parametrize("delimiter", [None, "/"])
def test_list_v2_max_keys_and_continuation(s3, hostile_bucket, delimiter):
    expected = reference_listing(HOSTILE_KEYS, "", delimiter)
    seen = []
    token = None
    pages = 0
    while True:
        kwargs = {"Bucket": hostile_bucket, "MaxKeys": 4}
        if delimiter:
            kwargs["Delimiter"] = delimiter
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages += 1
        assert pages <= len(expected) + 1, "continuation does not progress"
        entries = [("key", o["Key"]) for o in page.get("Contents", [])] + [("prefix", p["Prefix"]) for p in page.get("CommonPrefixes", [])]
        assert 0 < len(entries) <= 4 or (not entries and not page["IsTruncated"])
        assert page["KeyCount"] == len(entries)
        assert page["MaxKeys"] == 4
        seen.extend(sorted(entries, key=lambda e: e[1].encode()))
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
        assert token
    assert seen == expected


def test_list_v2_max_keys_zero(s3, hostile_bucket):
    page = s3.list_objects_v2(Bucket=hostile_bucket, MaxKeys=0)
    assert page.get("Contents", []) == []
    assert page["KeyCount"] == 0


def test_list_v2_fetch_owner(s3, hostile_bucket):
    listed = s3.list_objects_v2(Bucket=hostile_bucket, FetchOwner=True, MaxKeys=5)
    for entry in listed["Contents"]:
        assert entry.get("Owner", {}).get("ID"), entry


def test_list_v1_with_marker(s3, hostile_bucket):
    expected = utf8_order(HOSTILE_KEYS)
    whole = s3.list_objects(Bucket=hostile_bucket)
    assert [o["Key"] for o in whole["Contents"]] == expected
    assert whole["IsTruncated"] is False
    seen = []
    marker = ""
    for _ in range(len(expected) + 1):
        page = s3.list_objects(Bucket=hostile_bucket, Marker=marker, MaxKeys=5)
        keys = [o["Key"] for o in page.get("Contents", [])]
        assert len(keys) <= 5
        seen.extend(keys)
        if not page["IsTruncated"]:
            break
        marker = page.get("NextMarker") or keys[-1]
    assert seen == expected
    after = s3.list_objects(Bucket=hostile_bucket, Marker="dir/")
    assert [o["Key"] for o in after["Contents"]] == [k for k in expected if k.encode() > b"dir/"]


def test_list_v1_delimiter_next_marker(s3, hostile_bucket):
    expected = reference_listing(HOSTILE_KEYS, "", "/")
    seen = []
    marker = ""
    for _ in range(len(expected) + 1):
        page = s3.list_objects(Bucket=hostile_bucket, Delimiter="/", Marker=marker, MaxKeys=3)
        entries = [("key", o["Key"]) for o in page.get("Contents", [])] + [("prefix", p["Prefix"]) for p in page.get("CommonPrefixes", [])]
        seen.extend(sorted(entries, key=lambda e: e[1].encode()))
        if not page["IsTruncated"]:
            break
        assert page.get("NextMarker"), "a truncated V1 listing with a delimiter must carry NextMarker"
        marker = page["NextMarker"]
    assert seen == expected


def test_paginators_across_2500_keys(s3, bucket):
    keys = [f"many/{i:05d}" for i in range(2500)]

    def put(key):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, keys))
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="many/"))
    listed = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert listed == keys
    assert len(pages) >= 3 and all(page["KeyCount"] <= 1000 for page in pages)
    pages_v1 = list(s3.get_paginator("list_objects").paginate(Bucket=bucket))
    assert [o["Key"] for page in pages_v1 for o in page.get("Contents", [])] == keys
    assert len(pages_v1) >= 3
    small_pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, StartAfter="many/01000", PaginationConfig={"PageSize": 300}))
    assert [o["Key"] for page in small_pages for o in page.get("Contents", [])] == keys[1001:]


# -- multipart ----------------------------------------------------------------------

def test_multipart_ten_parts(s3, bucket):
    key = "mp/ten parts é"
    parts = [seeded_bytes(f"part{n}", 5 * MIB) for n in range(1, 10)] + [seeded_bytes("part10", MIB + 123)]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/x-ten",
                                           Metadata={"origin": "ten-parts"})["UploadId"]
    uploads = s3.list_multipart_uploads(Bucket=bucket)
    assert any(u["UploadId"] == upload_id and u["Key"] == key for u in uploads.get("Uploads", []))
    order = list(range(1, 11))
    random.Random(10).shuffle(order)  # parts may arrive in any order
    etags = {}
    for n in order:
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=parts[n - 1])
        assert r["ETag"] == f'"{md5_hex(parts[n - 1])}"'
        etags[n] = r["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p["PartNumber"] for p in listed["Parts"]] == list(range(1, 11))
    assert [p["Size"] for p in listed["Parts"]] == [len(p) for p in parts]
    assert [p["ETag"] for p in listed["Parts"]] == [etags[n] for n in range(1, 11)]
    paged = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=4)
    assert [p["PartNumber"] for p in paged["Parts"]] == [1, 2, 3, 4] and paged["IsTruncated"]
    rest = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, PartNumberMarker=paged["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["Parts"]] == list(range(5, 11))

    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etags[n]} for n in range(1, 11)]})
    assert done["ETag"] == f'"{multipart_etag(parts)}"'
    assert done["Key"] == key and done["Bucket"] == bucket
    whole = b"".join(parts)
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["ContentLength"] == len(whole)
    assert sha256(got["Body"].read()) == sha256(whole)
    assert got["ETag"] == done["ETag"]
    assert got["ContentType"] == "application/x-ten"
    assert got["Metadata"] == {"origin": "ten-parts"}
    boundary = 5 * MIB
    ranged = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={boundary - 10}-{boundary + 9}")
    assert ranged["Body"].read() == whole[boundary - 10:boundary + 10]
    assert ranged["ContentRange"] == f"bytes {boundary - 10}-{boundary + 9}/{len(whole)}"
    listing = s3.list_objects_v2(Bucket=bucket, Prefix="mp/")
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listing["Contents"]] == [(key, len(whole), done["ETag"])]
    assert not any(u["UploadId"] == upload_id for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))
    with pytest.raises(ClientError) as gone:
        s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    expect_error(gone, "NoSuchUpload", 404)


def test_multipart_sparse_part_numbers(s3, bucket):
    parts = {1: seeded_bytes("sparse1", 5 * MIB), 2: seeded_bytes("sparse2", 5 * MIB), 7: seeded_bytes("sparse7", 1000)}
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="sparse")["UploadId"]
    etags = {n: s3.upload_part(Bucket=bucket, Key="sparse", UploadId=upload_id, PartNumber=n, Body=d)["ETag"] for n, d in parts.items()}
    # Part 2 was uploaded but is left out.
    s3.complete_multipart_upload(Bucket=bucket, Key="sparse", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[1]}, {"PartNumber": 7, "ETag": etags[7]}]})
    got = s3.get_object(Bucket=bucket, Key="sparse")
    assert got["Body"].read() == parts[1] + parts[7]
    assert got["ETag"] == f'"{multipart_etag([parts[1], parts[7]])}"'


def test_multipart_part_overwritten(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="reupload")["UploadId"]
    first = seeded_bytes("reupload-a", 5 * MIB)
    second = seeded_bytes("reupload-b", 5 * MIB)
    last = b"tail"
    s3.upload_part(Bucket=bucket, Key="reupload", UploadId=upload_id, PartNumber=1, Body=first)
    e1 = s3.upload_part(Bucket=bucket, Key="reupload", UploadId=upload_id, PartNumber=1, Body=second)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="reupload", UploadId=upload_id, PartNumber=2, Body=last)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="reupload", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert s3.get_object(Bucket=bucket, Key="reupload")["Body"].read() == second + last


def _upload(s3, bucket, key, bodies):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=b)["ETag"] for n, b in enumerate(bodies, 1)]
    return upload_id, etags


def test_multipart_wrong_etag_is_invalid_part(s3, bucket):
    upload_id, etags = _upload(s3, bucket, "badpart", [seeded_bytes("bp1", 5 * MIB), b"end"])
    wrong = f'"{md5_hex(b"not this part")}"'
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="badpart", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 2, "ETag": wrong}]})
    expect_error(excinfo, "InvalidPart", 400)
    with pytest.raises(ClientError) as missing_part:
        s3.complete_multipart_upload(Bucket=bucket, Key="badpart", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 3, "ETag": etags[1]}]})
    expect_error(missing_part, "InvalidPart", 400)
    with pytest.raises(ClientError) as nokey:
        s3.head_object(Bucket=bucket, Key="badpart")
    assert support.http_code(nokey.value) == 404
    s3.abort_multipart_upload(Bucket=bucket, Key="badpart", UploadId=upload_id)


def test_multipart_out_of_order_is_invalid_part_order(s3, bucket):
    upload_id, etags = _upload(s3, bucket, "order", [seeded_bytes("o1", 5 * MIB), seeded_bytes("o2", 5 * MIB), b"end"])
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]},
                                                                {"PartNumber": 3, "ETag": etags[2]}]})
    expect_error(excinfo, "InvalidPartOrder", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="order", UploadId=upload_id)


def test_multipart_small_part_is_entity_too_small(s3, bucket):
    upload_id, etags = _upload(s3, bucket, "small", [seeded_bytes("s1", MIB), seeded_bytes("s2", MIB)])
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    expect_error(excinfo, "EntityTooSmall", 400)
    # The last part alone may be small.
    s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etags[1]}]})
    assert s3.get_object(Bucket=bucket, Key="small")["Body"].read() == seeded_bytes("s2", MIB)


def test_a_repeated_completion_answers_the_first_success(s3, bucket):
    """A client whose CompleteMultipartUpload answer was lost sends it again: S3 answers the
    same success, not NoSuchUpload; a completion naming other parts, or after the key was
    overwritten, is still NoSuchUpload."""
    parts = [seeded_bytes("retry-1", 5 * MIB), seeded_bytes("retry-2", 1000)]
    upload_id, etags = _upload(s3, bucket, "retried", parts)
    listing = {"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]}
    first = s3.complete_multipart_upload(Bucket=bucket, Key="retried", UploadId=upload_id, MultipartUpload=listing)
    again = s3.complete_multipart_upload(Bucket=bucket, Key="retried", UploadId=upload_id, MultipartUpload=listing)
    assert again["ETag"] == first["ETag"] == f'"{support.multipart_etag(parts)}"'
    assert (again["Bucket"], again["Key"]) == (bucket, "retried")
    assert s3.get_object(Bucket=bucket, Key="retried")["Body"].read() == b"".join(parts)
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="retried", UploadId=upload_id,
                                     MultipartUpload={"Parts": listing["Parts"][:1]})
    expect_error(excinfo, "NoSuchUpload", 404)
    s3.put_object(Bucket=bucket, Key="retried", Body=b"overwritten")
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="retried", UploadId=upload_id, MultipartUpload=listing)
    expect_error(excinfo, "NoSuchUpload", 404)


def test_abort_multipart_then_no_such_upload(s3, bucket):
    upload_id, etags = _upload(s3, bucket, "aborted", [b"x" * 100])
    s3.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId=upload_id)
    for call in (
        lambda: s3.list_parts(Bucket=bucket, Key="aborted", UploadId=upload_id),
        lambda: s3.upload_part(Bucket=bucket, Key="aborted", UploadId=upload_id, PartNumber=2, Body=b"y"),
        lambda: s3.complete_multipart_upload(Bucket=bucket, Key="aborted", UploadId=upload_id,
                                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[0]}]}),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        expect_error(excinfo, "NoSuchUpload", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId="no-such-upload-id")
    expect_error(excinfo, "NoSuchUpload", 404)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="aborted")


# -- ETags -------------------------------------------------------------------------

def test_etag_forms(s3, bucket):
    for size in (0, 1, 1000, 5 * MIB + 1):
        body = seeded_bytes(f"etag{size}", size)
        put = s3.put_object(Bucket=bucket, Key=f"etag/{size}", Body=body)
        assert put["ETag"] == f'"{md5_hex(body)}"'
        assert s3.head_object(Bucket=bucket, Key=f"etag/{size}")["ETag"] == put["ETag"]
    parts = [seeded_bytes("etag-mp1", 5 * MIB), seeded_bytes("etag-mp2", 5 * MIB), seeded_bytes("etag-mp3", 17)]
    upload_id, etags = _upload(s3, bucket, "etag/multipart", parts)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="etag/multipart", UploadId=upload_id,
                                        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    assert done["ETag"] == f'"{multipart_etag(parts)}"'
    assert done["ETag"].strip('"').endswith("-3")
    listed = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="etag/")["Contents"]}
    assert listed["etag/multipart"] == done["ETag"]
    assert listed["etag/1000"] == f'"{md5_hex(seeded_bytes("etag1000", 1000))}"'


# -- buckets and errors --------------------------------------------------------------

def test_delete_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"1")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=bucket)
    expect_error(excinfo, "BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="keep")
    s3.delete_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as gone:
        s3.head_bucket(Bucket=bucket)
    assert support.http_code(gone.value) == 404


def test_create_existing_bucket(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=bucket)
    expect_error(excinfo, "BucketAlreadyOwnedByYou", 409)


@pytest.mark.parametrize("name", ["ab", "a" * 64, "UpperCase", "bad_name", "-leading", "trailing-", "192.168.10.12",
                                  "two..dots", ".dot-start", "dot-end.", "xn--punycode"])
def test_invalid_bucket_names(s3, name):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name)
    expect_error(excinfo, "InvalidBucketName", 400)


def test_list_buckets_and_location(s3, bucket):
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert bucket in names
    assert names == sorted(names)
    location = s3.get_bucket_location(Bucket=bucket)
    assert location.get("LocationConstraint") in (None, "")  # us-east-1 answers an empty constraint
    head = s3.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.souverain_only
def test_bucket_location_in_another_region(server_factory):
    srv = server_factory(region="eu-west-3", name="paris")
    client = srv.client()
    client.create_bucket(Bucket="paris-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    assert client.get_bucket_location(Bucket="paris-bucket")["LocationConstraint"] == "eu-west-3"
    client.put_object(Bucket="paris-bucket", Key="k", Body=b"v")
    assert client.get_object(Bucket="paris-bucket", Key="k")["Body"].read() == b"v"


def test_no_such_bucket_key_upload(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
    expect_error(excinfo, "NoSuchBucket", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket="no-such-bucket-here")
    expect_error(excinfo, "NoSuchBucket", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket="no-such-bucket-here", Key="k", Body=b"x")
    expect_error(excinfo, "NoSuchBucket", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket="no-such-bucket-here")
    expect_error(excinfo, "NoSuchBucket", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="no/such/key")
    expect_error(excinfo, "NoSuchKey", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="no/such/key")
    assert support.http_code(excinfo.value) == 404
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")
    with pytest.raises(ClientError) as excinfo:
        s3.list_parts(Bucket=bucket, Key="k", UploadId="bogus-upload")
    expect_error(excinfo, "NoSuchUpload", 404)
    # Deleting a missing key succeeds (204), as in S3.
    assert s3.delete_object(Bucket=bucket, Key="never-was")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_error_body_is_s3_xml(server, bucket):
    resp = support.request(server.endpoint, server.admin(), "GET", bucket, "missing-key")
    assert resp.status == 404
    assert resp.error_code == "NoSuchKey", resp.describe()
    assert resp.error_field("Message")
    assert resp.error_field("RequestId") == resp.header("x-amz-request-id")
    assert "xml" in (resp.header("content-type") or "")


def test_overwrite_and_delete(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    s3.put_object(Bucket=bucket, Key="k", Body=b"two, longer")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"two, longer"
    s3.delete_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k")
    expect_error(excinfo, "NoSuchKey", 404)
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_concurrent_overwrites_and_reads_are_atomic(s3, bucket):
    """Readers racing writers on one key only ever see a whole body that was sent."""
    import threading

    bodies = {i: seeded_bytes(f"race{i}", 256 * 1024 + i * 4099) for i in range(24)}
    digests = {sha256(b) for b in bodies.values()}
    s3.put_object(Bucket=bucket, Key="race", Body=bodies[0])
    done = threading.Event()
    seen, problems = [], []

    def write(start):
        for i in range(start, 24, 3):
            s3.put_object(Bucket=bucket, Key="race", Body=bodies[i])

    def read():
        for _ in range(200):  # bounded, whatever the writers' pace
            got = s3.get_object(Bucket=bucket, Key="race")
            data = got["Body"].read()
            if sha256(data) not in digests or got["ContentLength"] != len(data):
                problems.append((len(data), got["ContentLength"], got["ETag"]))
            elif got["ETag"] != f'"{md5_hex(data)}"':
                problems.append(("etag", got["ETag"]))
            seen.append(len(data))
            if done.is_set():
                return

    with ThreadPoolExecutor(max_workers=5) as pool:
        readers = [pool.submit(read) for _ in range(2)]
        writers = [pool.submit(write, s) for s in (1, 2, 3)]
        for w in writers:
            w.result()
        done.set()
        for r in readers:
            r.result()
    assert not problems, problems[:5]
    final = s3.get_object(Bucket=bucket, Key="race")["Body"].read()
    assert sha256(final) in {sha256(bodies[i]) for i in (21, 22, 23)}
