"""Versioning as AWS defines it (issue 14, point 1), with boto3, aws-cli, rclone and s3cmd.

- PutBucketVersioning Enabled/Suspended (MFA Delete refused), GetBucketVersioning.
- A version id on every write while Enabled; `null` versions before and while Suspended (a
  Suspended PUT replaces the null version).
- Delete markers: DELETE without a version id, GET of a deleted key answers 404 with
  `x-amz-delete-marker: true`, GET of a marker by id answers 405.
- GET/HEAD/DELETE ?versionId=, CopyObject from a version, DeleteObjects with version ids.
- ListObjectVersions with prefix, delimiter, markers and paging; rclone --s3-versions.
- A never-versioned bucket behaves as before: no version header anywhere.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import support
from support import code_of

pytestmark = pytest.mark.souverain_only


def headers_of(response) -> dict:
    return response["ResponseMetadata"]["HTTPHeaders"]


def versioned(s3, hint: str) -> str:
    name = support.unique_bucket_name(hint)
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def test_an_unversioned_bucket_answers_without_versions(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    assert "x-amz-version-id" not in headers_of(put)
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    assert "x-amz-version-id" not in headers_of(s3.get_object(Bucket=bucket, Key="k"))
    versions = s3.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [("k", "null", True)]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert "x-amz-delete-marker" not in headers_of(deleted)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="k")) == ("NoSuchKey", 404)
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)


def test_versions_markers_and_reads_by_version(s3):
    bucket = support.unique_bucket_name("versions")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="doc", Body=b"before versioning")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    v1 = s3.put_object(Bucket=bucket, Key="doc", Body=b"first")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="doc", Body=b"second")["VersionId"]
    assert len({v1, v2, "null"}) == 3
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"second"
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId=v1)["Body"].read() == b"first"
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId="null")["Body"].read() == b"before versioning"
    head = s3.head_object(Bucket=bucket, Key="doc", VersionId=v1)
    assert head["VersionId"] == v1 and head["ContentLength"] == 5
    assert s3.get_object(Bucket=bucket, Key="doc")["VersionId"] == v2
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="doc", VersionId="no-such-version")) == ("NoSuchVersion", 404)

    # A DELETE without a version id adds a marker: the key reads as absent, its versions stay.
    deleted = s3.delete_object(Bucket=bucket, Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="doc")
    assert support.error_code(excinfo.value) == "NoSuchKey"
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert code_of(lambda: s3.head_object(Bucket=bucket, Key="doc", VersionId=marker))[1] == 405
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="doc", VersionId=marker)) == ("MethodNotAllowed", 405)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v2, False), (v1, False), ("null", False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]

    # Removing the marker brings the key back; removing a version for good promotes the next.
    removed = s3.delete_object(Bucket=bucket, Key="doc", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"second"
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"first"

    # CopyObject from a version restores it as a new version.
    copied = s3.copy_object(Bucket=bucket, Key="doc", CopySource={"Bucket": bucket, "Key": "doc", "VersionId": "null"})
    assert copied["CopySourceVersionId"] == "null" and copied["VersionId"] not in (v1, "null")
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"before versioning"

    # A bucket holding only versions is not empty.
    s3.delete_object(Bucket=bucket, Key="doc")
    assert code_of(lambda: s3.delete_bucket(Bucket=bucket)) == ("BucketNotEmpty", 409)


def test_suspended_versioning_replaces_the_null_version(s3):
    bucket = versioned(s3, "suspended")
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"null one").get("VersionId") == "null"
    s3.put_object(Bucket=bucket, Key="k", Body=b"null two")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (kept, False)]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"null two"
    # A DELETE makes a null marker, which replaces the null version.
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listed["Versions"]] == [kept]
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == ["null"]
    # MFA Delete is refused, and so is a configuration without a status.
    assert code_of(lambda: s3.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}, MFA="serial 123456"))[1] == 400


def test_delete_objects_with_versions_and_markers(s3):
    bucket = versioned(s3, "batch")
    ids = {key: s3.put_object(Bucket=bucket, Key=key, Body=key.encode())["VersionId"] for key in ("a", "b", "c")}
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a"}, {"Key": "b", "VersionId": ids["b"]}]})
    deleted = {d["Key"]: d for d in result["Deleted"]}
    assert deleted["a"]["DeleteMarker"] is True and deleted["a"]["DeleteMarkerVersionId"]
    assert deleted["b"]["VersionId"] == ids["b"] and "DeleteMarker" not in deleted["b"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]
    # Deleting the marker by id in a batch reports it as a marker.
    marker = deleted["a"]["DeleteMarkerVersionId"]
    again = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "VersionId": marker}]})
    assert again["Deleted"][0]["DeleteMarker"] is True
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"a"


def test_list_object_versions_pages_with_markers_prefix_and_delimiter(s3, aws):
    bucket = versioned(s3, "paging")
    expected = []
    for key in ("dir/x", "dir/y", "top"):
        ids = [s3.put_object(Bucket=bucket, Key=key, Body=f"{key}{n}".encode())["VersionId"] for n in range(3)]
        expected += [(key, i) for i in reversed(ids)]
    seen, kwargs = [], {}
    while True:
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=2, **kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    assert seen == expected
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["dir/"]
    assert {v["Key"] for v in rolled["Versions"]} == {"top"}
    assert {v["Key"] for v in s3.list_object_versions(Bucket=bucket, Prefix="dir/y")["Versions"]} == {"dir/y"}
    paginated = [v["VersionId"] for page in s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 4}) for v in page.get("Versions", [])]
    assert paginated == [i for _, i in expected]
    # aws-cli sees the same versions.
    listed = aws.json("s3api", "list-object-versions", "--bucket", bucket)
    assert [(v["Key"], v["VersionId"]) for v in listed["Versions"]] == expected


def test_aws_cli_reads_and_deletes_versions(s3, aws, tmp_path):
    bucket = versioned(s3, "awscli")
    source = tmp_path / "file.txt"
    source.write_bytes(b"version one")
    first = aws.json("s3api", "put-object", "--bucket", bucket, "--key", "f", "--body", str(source))["VersionId"]
    source.write_bytes(b"version two")
    aws("s3", "cp", str(source), f"s3://{bucket}/f").check()
    out = tmp_path / "out.txt"
    aws("s3api", "get-object", "--bucket", bucket, "--key", "f", "--version-id", first, str(out)).check()
    assert out.read_bytes() == b"version one"
    assert aws.json("s3api", "delete-object", "--bucket", bucket, "--key", "f")["DeleteMarker"] is True
    ran = aws("s3api", "head-object", "--bucket", bucket, "--key", "f")
    assert ran.returncode != 0
    assert aws.json("s3api", "get-bucket-versioning", "--bucket", bucket) == {"Status": "Enabled"}


def test_rclone_lists_versions(s3, rclone):
    bucket = versioned(s3, "rclone")
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"old notes")
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"new notes")
    plain = rclone("lsf", rclone.remote(bucket)).check().stdout.split()
    assert plain == ["notes.txt"]
    with_versions = rclone("lsf", "--s3-versions", rclone.remote(bucket)).check().stdout.split()
    assert len(with_versions) == 2 and "notes.txt" in with_versions, with_versions
    assert any(name.startswith("notes-v") for name in with_versions), with_versions


def test_s3cmd_works_on_a_versioned_bucket(s3, s3cmd, tmp_path):
    bucket = versioned(s3, "s3cmd")
    source = tmp_path / "s.txt"
    source.write_bytes(b"from s3cmd")
    s3cmd("put", str(source), f"s3://{bucket}/s.txt").check()
    s3cmd("put", str(source), f"s3://{bucket}/s.txt").check()
    assert len(s3.list_object_versions(Bucket=bucket)["Versions"]) == 2
    s3cmd("del", f"s3://{bucket}/s.txt").check()
    assert "s.txt" not in s3cmd("ls", f"s3://{bucket}/").check().stdout
    assert len(s3.list_object_versions(Bucket=bucket)["DeleteMarkers"]) == 1


def test_every_version_request_is_in_the_trail(server, s3):
    bucket = versioned(s3, "trail")
    vid = s3.put_object(Bucket=bucket, Key="t", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="t", VersionId=vid)
    read = support.request(server.endpoint, server.admin(), "GET", raw_path="/_souverain/audit/records",
                           query={"bucket": bucket})
    records = [json.loads(line) for line in read.body.decode().splitlines()]
    assert [(r["operation"], r["version"]) for r in records if r["key"] == "t"] == [("PutObject", vid), ("DeleteObject", vid)]
