"""Object tagging and conditional writes (docs/tagging.md, docs/s3-compatibility.md), Souverain only.

Tagging with boto3, aws-cli and s3cmd: Put/Get/DeleteObjectTagging, tags on PutObject, CopyObject
(COPY and REPLACE) and multipart uploads, the tag count on GET and HEAD, the tags of each version,
S3's limits refused with InvalidTag or MalformedXML and nothing changed, a user without write
access refused, every change and refusal in the audit trail, and a lifecycle rule filtered by tag
expiring exactly the tagged objects (one-second lifecycle days, `souverain lifecycle run`).

Conditional writes with boto3: If-None-Match and If-Match on PutObject and
CompleteMultipartUpload, refusals with 412 (404 for If-Match on a missing key) in the trail, no
blob left by a refused write, and concurrent If-None-Match writes of one key: exactly one wins
and the stored bytes are the winner's. One server for the whole module.
"""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support

pytestmark = pytest.mark.souverain_only

# The lifecycle module's server (one-second lifecycle days, no background pass, so that `lifecycle
# run` decides) and its CLI, started anew for this module.
from test_lifecycle import DAY_SECONDS, cli, server  # noqa: E402,F401  (pytest fixtures)


def audit(cli, *args: str) -> list[dict]:
    out = cli("audit", "query", *args).check()
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def error_of(call) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return support.error_code(excinfo.value), support.http_code(excinfo.value)


def tags_of(s3, bucket: str, key: str, **kwargs) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key, **kwargs)["TagSet"]}


def tag_set(tags: dict[str, str]) -> dict:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def tag_count(response: dict) -> str | None:
    return response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-tagging-count")


def blob_files(server) -> set[Path]:
    """Every blob file of the data directory's local location (`local/blobs/<shard>/<name>`)."""
    return {p for p in (Path(server.data_dir) / "local" / "blobs").rglob("*") if p.is_file()}


# -- tagging -------------------------------------------------------------------


def test_put_get_and_delete_tagging_with_boto3(s3, bucket):
    s3.put_object(Bucket=bucket, Key="doc", Body=b"hello")
    assert tags_of(s3, bucket, "doc") == {}
    assert tag_count(s3.head_object(Bucket=bucket, Key="doc")) is None
    tags = {"project": "alpha", "owner": "data science", "empty": "", "é/ü:=+-.@_": "✓ value"}
    put = s3.put_object_tagging(Bucket=bucket, Key="doc", Tagging=tag_set(tags))
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tags_of(s3, bucket, "doc") == tags
    assert tag_count(s3.head_object(Bucket=bucket, Key="doc")) == "4"
    got = s3.get_object(Bucket=bucket, Key="doc")
    assert got["TagCount"] == 4 and got["Body"].read() == b"hello"
    # A new set replaces the old one whole.
    s3.put_object_tagging(Bucket=bucket, Key="doc", Tagging=tag_set({"only": "one"}))
    assert tags_of(s3, bucket, "doc") == {"only": "one"}
    deleted = s3.delete_object_tagging(Bucket=bucket, Key="doc")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags_of(s3, bucket, "doc") == {}
    assert tag_count(s3.head_object(Bucket=bucket, Key="doc")) is None
    assert error_of(lambda: s3.get_object_tagging(Bucket=bucket, Key="missing")) == ("NoSuchKey", 404)
    assert error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key="missing", Tagging=tag_set({"a": "b"}))) == ("NoSuchKey", 404)


def test_tags_given_at_write_on_put_copy_and_multipart(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source", Tagging="class=tmp&team=data%20science&flag")
    assert tags_of(s3, bucket, "src") == {"class": "tmp", "team": "data science", "flag": ""}
    assert s3.get_object(Bucket=bucket, Key="src")["TagCount"] == 3
    # CopyObject copies the source's tags by default, and takes the request's with REPLACE.
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "src"})
    assert tags_of(s3, bucket, "copied") == {"class": "tmp", "team": "data science", "flag": ""}
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="kind=copy")
    assert tags_of(s3, bucket, "replaced") == {"kind": "copy"}
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource={"Bucket": bucket, "Key": "src"}, TaggingDirective="REPLACE")
    assert tags_of(s3, bucket, "cleared") == {}
    assert error_of(lambda: s3.copy_object(Bucket=bucket, Key="bad", CopySource={"Bucket": bucket, "Key": "src"},
                                           TaggingDirective="MERGE")) == ("InvalidArgument", 400)
    # A multipart upload's tags are the object's once it is complete.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", Tagging="stage=raw")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"p" * 1024)
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert tags_of(s3, bucket, "big") == {"stage": "raw"}
    assert tag_count(s3.head_object(Bucket=bucket, Key="big")) == "1"
    # A plain overwrite starts a new set: tags are not carried over.
    s3.put_object(Bucket=bucket, Key="src", Body=b"new")
    assert tags_of(s3, bucket, "src") == {}


def test_tagging_with_aws_cli_and_s3cmd(aws, s3cmd, s3, bucket, tmp_path):
    source = tmp_path / "file.txt"
    source.write_bytes(b"from the command line")
    aws("s3api", "put-object", "--bucket", bucket, "--key", "cli", "--body", str(source), "--tagging", "origin=aws-cli").check()
    assert aws.json("s3api", "get-object-tagging", "--bucket", bucket, "--key", "cli")["TagSet"] == [
        {"Key": "origin", "Value": "aws-cli"}]
    aws("s3api", "put-object-tagging", "--bucket", bucket, "--key", "cli",
        "--tagging", "TagSet=[{Key=a,Value=1},{Key=b,Value=2}]").check()
    got = aws.json("s3api", "get-object-tagging", "--bucket", bucket, "--key", "cli")
    assert sorted((t["Key"], t["Value"]) for t in got["TagSet"]) == [("a", "1"), ("b", "2")]
    assert aws.json("s3api", "head-object", "--bucket", bucket, "--key", "cli")["ContentLength"] == len(source.read_bytes())
    aws("s3api", "delete-object-tagging", "--bucket", bucket, "--key", "cli").check()
    assert aws.json("s3api", "get-object-tagging", "--bucket", bucket, "--key", "cli")["TagSet"] == []
    refused = aws("s3api", "put-object-tagging", "--bucket", bucket, "--key", "cli", "--tagging", "TagSet=[{Key=aws:x,Value=1}]")
    assert refused.returncode != 0 and refused.aws_error_code() == "InvalidTag"
    # s3cmd has no tagging command; it sets tags at upload through the header.
    s3cmd("put", "--add-header=x-amz-tagging:tool=s3cmd&v=2", str(source), f"s3://{bucket}/s3cmd").check()
    assert tags_of(s3, bucket, "s3cmd") == {"tool": "s3cmd", "v": "2"}


def test_each_version_has_its_own_tags(s3):
    bucket = support.unique_bucket_name("tag-versions")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one", Tagging="v=1")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert tags_of(s3, bucket, "k") == {}
    assert tags_of(s3, bucket, "k", VersionId=first) == {"v": "1"}
    answer = s3.get_object_tagging(Bucket=bucket, Key="k")
    assert answer["VersionId"] == second
    # Tagging a noncurrent version changes that version only, and says which.
    put = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=first, Tagging=tag_set({"v": "1b"}))
    assert put["VersionId"] == first
    assert tags_of(s3, bucket, "k", VersionId=first) == {"v": "1b"}
    assert tags_of(s3, bucket, "k") == {}
    put = s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set({"v": "2"}))
    assert put["VersionId"] == second
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=first)["TagCount"] == 1
    # Deleting the current version: the delete marker has no tags (405 by id, 404 as the latest).
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    assert error_of(lambda: s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=marker)) == ("MethodNotAllowed", 405)
    assert error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=marker, Tagging=tag_set({"a": "b"}))) == (
        "MethodNotAllowed", 405)
    assert error_of(lambda: s3.get_object_tagging(Bucket=bucket, Key="k")) == ("NoSuchKey", 404)
    assert error_of(lambda: s3.get_object_tagging(Bucket=bucket, Key="k", VersionId="no-such-version")) == ("NoSuchVersion", 404)
    # The older versions keep their tags; removing the marker makes the tagged version current again.
    assert tags_of(s3, bucket, "k", VersionId=second) == {"v": "2"}
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert tags_of(s3, bucket, "k") == {"v": "2"}
    # A version deleted for good takes its tags with it.
    s3.delete_object(Bucket=bucket, Key="k", VersionId=second)
    assert tags_of(s3, bucket, "k") == {"v": "1b"}


LIMITS = [
    ("eleven-tags", {f"k{i}": "v" for i in range(11)}, "InvalidTag"),
    ("key-too-long", {"k" * 129: "v"}, "InvalidTag"),
    ("value-too-long", {"k": "v" * 257}, "InvalidTag"),
    ("aws-prefix", {"aws:created": "v"}, "InvalidTag"),
]


@pytest.mark.parametrize("name,tags,code", LIMITS, ids=[case[0] for case in LIMITS])
def test_tags_beyond_the_limits_are_refused_and_nothing_changes(s3, bucket, name, tags, code):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="kept=yes")
    assert error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(tags))) == (code, 400)
    assert tags_of(s3, bucket, "k") == {"kept": "yes"}
    # The same tags on a PUT: refused, and no object is written.
    header = "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(v, safe='')}" for k, v in tags.items())
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="new", Body=b"x", Tagging=header)) == (code, 400)
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="new"))[1] == 404


def test_the_largest_tag_set_allowed_is_accepted(s3, bucket):
    tags = {f"{i}" + "k" * 127: "v" * 256 for i in range(10)}
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(tags))
    assert tags_of(s3, bucket, "k") == tags


def test_duplicate_keys_and_malformed_xml_are_refused(s3, server, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="kept=yes")
    duplicate = {"TagSet": [{"Key": "same", "Value": "1"}, {"Key": "same", "Value": "2"}]}
    assert error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=duplicate)) == ("InvalidTag", 400)
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="dup", Body=b"x", Tagging="a=1&a=2")) == ("InvalidTag", 400)
    for body in [b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", b"<Tagging>", b"<Other/>"]:
        answer = support.request(server.endpoint, server.admin(), "PUT", bucket, "k", query={"tagging": None}, body=body)
        assert (answer.status, answer.error_code) == (400, "MalformedXML"), answer.describe()
    assert tags_of(s3, bucket, "k") == {"kept": "yes"}


def test_access_and_the_audit_trail(s3, server, cli, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    reader_info = cli.add_user(support.unique_bucket_name("tag-reader"))
    cli.grant(bucket, reader_info["name"], "read")
    reader = server.client(support.user_creds(reader_info))
    stranger = server.client(support.user_creds(cli.add_user(support.unique_bucket_name("tag-stranger"))))
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set({"a": "1"}))
    # Reading tags takes read access; changing them takes write access.
    assert tags_of(reader, bucket, "k") == {"a": "1"}
    assert error_of(lambda: reader.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set({"b": "2"}))) == ("AccessDenied", 403)
    assert error_of(lambda: reader.delete_object_tagging(Bucket=bucket, Key="k")) == ("AccessDenied", 403)
    assert error_of(lambda: stranger.get_object_tagging(Bucket=bucket, Key="k")) == ("AccessDenied", 403)
    assert tags_of(s3, bucket, "k") == {"a": "1"}
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    puts = audit(cli, "--bucket", bucket, "--operation", "PutObjectTagging")
    assert [(r["key"], r["status"], r["errorCode"]) for r in puts] == [("k", 200, None), ("k", 403, "AccessDenied")]
    assert puts[0]["detail"] == "tags set: a"
    assert reader_info["name"] in puts[1]["user"]
    deletes = audit(cli, "--bucket", bucket, "--operation", "DeleteObjectTagging")
    assert [(r["key"], r["status"], r["detail"] if r["status"] == 204 else r["errorCode"]) for r in deletes] == [
        ("k", 403, "AccessDenied"), ("k", 204, "tags removed")]


def test_versioned_tagging_is_recorded_with_the_version(s3, cli):
    bucket = support.unique_bucket_name("tag-trail")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=first, Tagging=tag_set({"x": "y"}))
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=first)
    records = audit(cli, "--bucket", bucket, "--key", "k")
    tagging = [(r["operation"], r["version"], r["status"]) for r in records if "Tagging" in r["operation"]]
    assert tagging == [("PutObjectTagging", first, 200), ("DeleteObjectTagging", first, 204)]


def test_a_lifecycle_rule_filtered_by_tag_expires_exactly_the_tagged_objects(s3, bucket, cli):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tmp-tagged", "Filter": {"Tag": {"Key": "class", "Value": "tmp"}}, "Status": "Enabled", "Expiration": {"Days": 1}},
        {"ID": "both", "Filter": {"And": {"Prefix": "both/", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}},
         "Status": "Enabled", "Expiration": {"Days": 1}},
    ]})
    s3.put_object(Bucket=bucket, Key="tagged-at-put", Body=b"x", Tagging="class=tmp")
    s3.put_object(Bucket=bucket, Key="tagged-later", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="tagged-later", Tagging=tag_set({"class": "tmp", "other": "z"}))
    s3.put_object(Bucket=bucket, Key="other-value", Body=b"x", Tagging="class=keep")
    s3.put_object(Bucket=bucket, Key="untagged", Body=b"x")
    s3.put_object(Bucket=bucket, Key="both/yes", Body=b"x", Tagging="a=1&b=2")
    s3.put_object(Bucket=bucket, Key="both/half", Body=b"x", Tagging="a=1")
    s3.put_object(Bucket=bucket, Key="untagged-now", Body=b"x", Tagging="class=tmp")
    s3.delete_object_tagging(Bucket=bucket, Key="untagged-now")
    time.sleep(DAY_SECONDS * 2 + 0.2)
    actions = json.loads(cli("lifecycle", "run", "--bucket", bucket, "--json").check().stdout)["actions"]
    assert sorted((a["key"], a["rule"], a["outcome"]) for a in actions) == [
        ("both/yes", "both", "done"), ("tagged-at-put", "tmp-tagged", "done"), ("tagged-later", "tmp-tagged", "done")]
    left = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    assert left == ["both/half", "other-value", "untagged", "untagged-now"]


# -- conditional writes ------------------------------------------------------------


def test_if_none_match_creates_only(s3, server, cli, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    before = blob_files(server)
    assert before, "the test expects blobs under the data directory"
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"
    # The refused write's blob is gone: no file appeared.
    assert blob_files(server) - before == set()
    refused = audit(cli, "--bucket", bucket, "--key", "once", "--operation", "PutObject")
    assert [(r["status"], r["errorCode"]) for r in refused] == [(200, None), (412, "PreconditionFailed")]
    # If-None-Match takes only '*' on a write.
    answer = support.request(server.endpoint, server.admin(), "PUT", bucket, "other", headers={"If-None-Match": '"abc"'}, body=b"x")
    assert (answer.status, answer.error_code) == (501, "NotImplemented"), answer.describe()


def test_if_none_match_after_a_delete_marker_writes(s3):
    bucket = support.unique_bucket_name("cond-versions")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    s3.delete_object(Bucket=bucket, Key="k")
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", IfMatch='"whatever"')) == ("NoSuchKey", 404)
    s3.put_object(Bucket=bucket, Key="k", Body=b"two", IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"


def test_if_match_replaces_only_the_object_read(s3, cli, bucket):
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="doc", Body=b"x", IfMatch='"0123456789abcdef0123456789abcdef"')) == (
        "NoSuchKey", 404)
    etag = s3.put_object(Bucket=bucket, Key="doc", Body=b"v1")["ETag"]
    newer = s3.put_object(Bucket=bucket, Key="doc", Body=b"v2", IfMatch=etag)["ETag"]
    # The first ETag is stale now: a writer that read v1 is refused.
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="doc", Body=b"v3", IfMatch=etag)) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"v2"
    s3.put_object(Bucket=bucket, Key="doc", Body=b"v3", IfMatch=newer)
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"v3"
    statuses = [r["status"] for r in audit(cli, "--bucket", bucket, "--key", "doc", "--operation", "PutObject")]
    assert statuses == [404, 200, 200, 412, 200]


def test_complete_multipart_upload_with_conditions(s3, bucket):
    def upload(key: str) -> tuple[str, list[dict]]:
        upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=key.encode() * 100)
        return upload_id, [{"PartNumber": 1, "ETag": part["ETag"]}]

    upload_id, parts = upload("mp")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfNoneMatch="*")
    # A retry of the same completion (its answer lost) still answers success, with the same ETag.
    again = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts}, IfNoneMatch="*")
    assert again["ETag"] == done["ETag"]
    # A second upload of the key is refused, and stays there to be retried or aborted.
    second, second_parts = upload("mp")
    assert error_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=second, MultipartUpload={"Parts": second_parts}, IfNoneMatch="*")) == ("PreconditionFailed", 412)
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="mp", UploadId=second)["Parts"]] == [1]
    assert error_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=second, MultipartUpload={"Parts": second_parts}, IfMatch='"stale"')) == ("PreconditionFailed", 412)
    replaced = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=second, MultipartUpload={"Parts": second_parts}, IfMatch=done["ETag"])
    assert s3.head_object(Bucket=bucket, Key="mp")["ETag"] == replaced["ETag"]
    third, third_parts = upload("absent")
    assert error_of(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="absent", UploadId=third, MultipartUpload={"Parts": third_parts}, IfMatch=done["ETag"])) == ("NoSuchKey", 404)
    s3.abort_multipart_upload(Bucket=bucket, Key="absent", UploadId=third)


def test_concurrent_creates_of_one_key_have_exactly_one_winner(server, bucket):
    writers = 8
    clients = [server.client() for _ in range(writers)]
    start = threading.Barrier(writers)
    bodies = [support.seeded_bytes(f"writer-{i}", 256 * 1024) for i in range(writers)]

    def write(index: int) -> tuple[int, int, str | None]:
        start.wait(timeout=30)
        try:
            clients[index].put_object(Bucket=bucket, Key="race", Body=bodies[index], IfNoneMatch="*")
            return index, 200, None
        except ClientError as error:
            return index, support.http_code(error), support.error_code(error)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=writers) as pool:
            outcomes = list(pool.map(write, range(writers)))
    finally:
        # Idle keep-alive connections would hold the server's graceful shutdown back.
        for client in clients[1:]:
            client.close()
    winners = [index for index, status, _ in outcomes if status == 200]
    assert len(winners) == 1, outcomes
    assert all((status, code) in {(412, "PreconditionFailed"), (409, "ConditionalRequestConflict")}
               for index, status, code in outcomes if index != winners[0]), outcomes
    stored = clients[0].get_object(Bucket=bucket, Key="race")["Body"].read()
    assert support.sha256(stored) == support.sha256(bodies[winners[0]])
