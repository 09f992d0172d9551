"""Bucket lifecycle (docs/lifecycle.md) with boto3 and aws-cli, Souverain only.

Put/Get/DeleteBucketLifecycleConfiguration round trips, bad configurations refused with AWS's
codes (and nothing stored), the owner-only permission; then, with a lifecycle "day" of one
second (the hidden `lifecycle-day-seconds` setting) and the background pass off so that
`souverain lifecycle run` decides when passes happen: objects under a prefix (and above a size)
expire while the others stay, a Disabled rule does nothing, an unfinished multipart upload is
aborted, each action is in the audit trail with its rule, and the configuration set is in the
trail too. One more server runs the background pass every second.
"""

from __future__ import annotations

import datetime
import json
import time

import pytest
from botocore.exceptions import ClientError

import support
from support import Server

pytestmark = pytest.mark.souverain_only

DAY_SECONDS = 1


@pytest.fixture(scope="module")
def server(module_dir):
    """This module's server: one-second lifecycle days, no background pass."""
    srv = Server(module_dir / "data", module_dir / "logs", name="server")
    srv.extra_env.update({"SOUVERAIN_LIFECYCLE_DAY_SECONDS": str(DAY_SECONDS), "SOUVERAIN_LIFECYCLE_INTERVAL": "0"})
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def cli(server):
    return support.SouverainCli(server.data_dir)


def lifecycle_run(cli, bucket: str) -> list[dict]:
    answer = json.loads(cli("lifecycle", "run", "--bucket", bucket, "--json").check().stdout)
    return answer["actions"]


def audit(cli, *args: str) -> list[dict]:
    out = cli("audit", "query", *args).check()
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def wait_until_due(days: int, since: float) -> None:
    """Sleeps until an action due `days` lifecycle days after `since` applies: the end of that
    span rounded up to the next multiple of the day, plus a margin for the clock's granularity."""
    due = since + days * DAY_SECONDS
    due = (int(due // DAY_SECONDS) + 1) * DAY_SECONDS
    remaining = due + 0.2 - time.time()
    if remaining > 0:
        time.sleep(remaining)


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    err = excinfo.value
    return support.error_code(err), support.http_code(err), err.response.get("Error", {}).get("Message", "")


def keys(s3, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


# -- configuration -------------------------------------------------------------


def test_set_get_and_delete_with_boto3(s3, bucket):
    assert error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))[:2] == ("NoSuchLifecycleConfiguration", 404)
    rules = [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 7, "NewerNoncurrentVersions": 2}},
        {"ID": "tagged", "Filter": {"And": {"Prefix": "t/", "Tags": [{"Key": "class", "Value": "tmp"}],
                                            "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
         "Status": "Disabled", "Expiration": {"Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)}},
        {"ID": "uploads", "Filter": {}, "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
        {"Prefix": "legacy/", "Status": "Enabled", "Expiration": {"Days": 1}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(got) == 4
    assert got[0] == rules[0]
    assert got[1] == rules[1]
    assert got[2] == rules[2]
    # A rule sent without an ID gets one; the legacy top-level Prefix reads back as sent.
    assert got[3]["ID"] and got[3]["Prefix"] == "legacy/" and "Filter" not in got[3]
    # Replaced whole by the next PUT.
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rules[0]]})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [rules[0]]
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))[:2] == ("NoSuchLifecycleConfiguration", 404)


def test_set_get_and_delete_with_aws_cli(aws, bucket, tmp_path):
    document = tmp_path / "lifecycle.json"
    document.write_text(json.dumps({"Rules": [
        {"ID": "expire-tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 2}},
    ]}))
    aws("s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket,
        "--lifecycle-configuration", f"file://{document}").check()
    got = aws.json("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
    assert got["Rules"] == [{"ID": "expire-tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 2}}]
    aws("s3api", "delete-bucket-lifecycle", "--bucket", bucket).check()
    missing = aws("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
    assert missing.returncode != 0 and missing.aws_error_code() == "NoSuchLifecycleConfiguration"


def expire_days(days):
    return {"ID": "r", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": days}}


BAD = [
    ("days-zero", [expire_days(0)], "InvalidArgument", "'Days' for Expiration action must be a positive integer"),
    ("days-negative", [expire_days(-1)], "InvalidArgument", "'Days' for Expiration action must be a positive integer"),
    ("date-not-midnight", [{"ID": "r", "Filter": {}, "Status": "Enabled", "Expiration": {
        "Date": datetime.datetime(2030, 1, 1, 10, tzinfo=datetime.timezone.utc)}}], "InvalidArgument", "'Date' must be at midnight GMT"),
    ("days-and-date", [{"ID": "r", "Filter": {}, "Status": "Enabled", "Expiration": {
        "Days": 1, "Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)}}], "MalformedXML", ""),
    ("marker-with-days", [{"ID": "r", "Filter": {}, "Status": "Enabled", "Expiration": {
        "Days": 1, "ExpiredObjectDeleteMarker": True}}], "MalformedXML", ""),
    ("duplicate-ids", [expire_days(1), expire_days(2)], "InvalidArgument", "Rule ID must be unique"),
    ("too-many-rules", [dict(expire_days(1), ID=f"r{i}") for i in range(1001)], "InvalidArgument", "at most 1000 rules"),
    ("abort-with-tag", [{"ID": "r", "Filter": {"Tag": {"Key": "k", "Value": "v"}}, "Status": "Enabled",
                         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}],
     "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags"),
    ("no-action", [{"ID": "r", "Filter": {}, "Status": "Enabled"}], "InvalidRequest", "At least one action"),
    ("bad-status", [dict(expire_days(1), Status="On")], "MalformedXML", ""),
    ("noncurrent-zero", [{"ID": "r", "Filter": {}, "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 0}}],
     "InvalidArgument", "NoncurrentDays"),
    ("transition", [{"ID": "r", "Filter": {}, "Status": "Enabled", "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}],
     "NotImplemented", "one storage class per location"),
]


@pytest.mark.parametrize("name,rules,code,message", BAD, ids=[b[0] for b in BAD])
def test_bad_configurations_are_refused_and_nothing_is_stored(s3, bucket, name, rules, code, message):
    got_code, status, got_message = error_of(
        lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules}))
    assert (got_code, status) == (code, 501 if code == "NotImplemented" else 400)
    assert message in got_message
    assert error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))[0] == "NoSuchLifecycleConfiguration"


def test_only_the_owner_reads_and_changes_the_configuration(s3, bucket, cli, server):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [expire_days(5)]})
    info = cli.add_user(support.unique_bucket_name("writer"))
    cli.grant(bucket, info["name"], "read-write")
    other = server.client(support.user_creds(info))
    other.put_object(Bucket=bucket, Key="allowed", Body=b"x")
    assert error_of(lambda: other.get_bucket_lifecycle_configuration(Bucket=bucket))[:2] == ("AccessDenied", 403)
    assert error_of(lambda: other.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [expire_days(1)]}))[:2] == ("AccessDenied", 403)
    assert error_of(lambda: other.delete_bucket_lifecycle(Bucket=bucket))[:2] == ("AccessDenied", 403)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [expire_days(5)]


def test_a_deleted_bucket_takes_its_configuration_with_it(s3):
    name = support.unique_bucket_name("gone")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [expire_days(5)]})
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    assert error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=name))[0] == "NoSuchLifecycleConfiguration"


# -- the pass -------------------------------------------------------------------


def test_objects_expire_by_prefix_and_size_while_the_others_stay(s3, bucket, cli):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}},
        {"ID": "big", "Filter": {"And": {"Prefix": "size/", "ObjectSizeGreaterThan": 10}}, "Status": "Enabled",
         "Expiration": {"Days": 1}},
        {"ID": "off", "Filter": {"Prefix": "keep/"}, "Status": "Disabled", "Expiration": {"Days": 1}},
    ]})
    first_put = time.time()
    for key, size in [("tmp/a", 3), ("tmp/b/c", 3), ("keep/a", 3), ("other/tmp/a", 3), ("size/big", 20), ("size/small", 5)]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size)
    # Not yet due (a day has not passed since the first write): nothing happens.
    early = lifecycle_run(cli, bucket)
    if time.time() < first_put + DAY_SECONDS:
        assert early == []
    wait_until_due(1, time.time())
    actions = lifecycle_run(cli, bucket)
    assert sorted((a["action"], a["key"], a["rule"], a["outcome"]) for a in actions) == [
        ("lifecycle-expire", "size/big", "big", "done"),
        ("lifecycle-expire", "tmp/a", "tmp", "done"),
        ("lifecycle-expire", "tmp/b/c", "tmp", "done"),
    ]
    assert sorted(keys(s3, bucket)) == ["keep/a", "other/tmp/a", "size/small"]
    # A second pass finds nothing more to do.
    assert lifecycle_run(cli, bucket) == []
    # Each expiration is in the trail with its rule; so is the configuration that was set.
    records = audit(cli, "--bucket", bucket, "--operation", "lifecycle-expire")
    assert sorted((r["key"], r["detail"]) for r in records) == [
        ("size/big", "rule big"), ("tmp/a", "rule tmp"), ("tmp/b/c", "rule tmp")]
    assert all(r["requestId"] is None and r["errorCode"] is None for r in records)
    set_records = audit(cli, "--bucket", bucket, "--operation", "PutBucketLifecycleConfiguration")
    assert len(set_records) == 1 and set_records[0]["status"] == 200
    assert "lifecycle configuration set (3 rule(s))" in set_records[0]["detail"]
    assert "<ID>off</ID>" in set_records[0]["detail"] and "<Status>Disabled</Status>" in set_records[0]["detail"]
    s3.delete_bucket_lifecycle(Bucket=bucket)
    deleted = audit(cli, "--bucket", bucket, "--operation", "DeleteBucketLifecycle")
    assert [r["detail"] for r in deleted] == ["lifecycle configuration deleted"]


def test_versions_expire_as_the_rules_say_and_a_locked_one_stays(s3, cli):
    """A versioned bucket (Object Lock on): the current version expires into a delete marker,
    a noncurrent version is deleted NoncurrentDays after it stopped being current, a delete
    marker hiding nothing is removed, and a version under retention is left alone, refused in
    the trail."""
    bucket = support.unique_bucket_name("lc-versions")
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "docs", "Filter": {"Prefix": "docs/"}, "Status": "Enabled", "Expiration": {"Days": 1},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
        {"ID": "markers", "Filter": {"Prefix": "gone/"}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]})
    first = s3.put_object(Bucket=bucket, Key="docs/a", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="docs/a", Body=b"two")["VersionId"]
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    locked = s3.put_object(Bucket=bucket, Key="docs/locked", Body=b"kept", ObjectLockMode="GOVERNANCE",
                           ObjectLockRetainUntilDate=until)["VersionId"]
    gone = s3.put_object(Bucket=bucket, Key="gone/x", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="gone/x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="gone/x", VersionId=gone)
    wait_until_due(1, time.time())
    actions = lifecycle_run(cli, bucket)
    assert sorted((a["action"], a["key"], a.get("version"), a["outcome"]) for a in actions) == sorted([
        ("lifecycle-expire", "docs/a", second, "done"),
        ("lifecycle-delete-noncurrent", "docs/a", first, "done"),
        ("lifecycle-expire", "docs/locked", locked, "refused-locked"),
        ("lifecycle-remove-delete-marker", "gone/x", marker, "done"),
    ])
    listed = s3.list_object_versions(Bucket=bucket)
    versions = {(v["Key"], v["VersionId"]) for v in listed.get("Versions", [])}
    markers = {(m["Key"], m["IsLatest"]) for m in listed.get("DeleteMarkers", [])}
    assert versions == {("docs/a", second), ("docs/locked", locked)}
    assert markers == {("docs/a", True)}
    assert s3.get_object(Bucket=bucket, Key="docs/locked")["Body"].read() == b"kept"
    refused = audit(cli, "--bucket", bucket, "--operation", "lifecycle-expire")
    assert any(r["key"] == "docs/locked" and r["errorCode"] == "ObjectLocked" for r in refused), refused


def test_an_unfinished_multipart_upload_is_aborted(s3, bucket, cli):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "abort-mp", "Filter": {"Prefix": "mp/"}, "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ]})
    doomed = s3.create_multipart_upload(Bucket=bucket, Key="mp/big")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp/big", UploadId=doomed, PartNumber=1, Body=b"p" * 1024)
    kept = s3.create_multipart_upload(Bucket=bucket, Key="elsewhere/big")["UploadId"]
    wait_until_due(1, time.time())
    actions = lifecycle_run(cli, bucket)
    assert [(a["action"], a["key"], a["uploadId"], a["rule"]) for a in actions] == [
        ("lifecycle-abort-upload", "mp/big", doomed, "abort-mp")]
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("elsewhere/big", kept)]
    assert error_of(lambda: s3.list_parts(Bucket=bucket, Key="mp/big", UploadId=doomed))[0] == "NoSuchUpload"
    records = audit(cli, "--bucket", bucket, "--operation", "lifecycle-abort-upload")
    assert [(r["key"], r["detail"].split(";")[0]) for r in records] == [("mp/big", "rule abort-mp")]
    assert doomed in records[0]["detail"]
    s3.abort_multipart_upload(Bucket=bucket, Key="elsewhere/big", UploadId=kept)


def test_lifecycle_run_is_for_admins_and_names_a_real_bucket(cli, server):
    plain = support.user_creds(cli.add_user(support.unique_bucket_name("plain")))
    refused = support.request(server.endpoint, plain, "POST", raw_path="/_souverain/lifecycle/run")
    assert refused.status == 403 and refused.error_code == "AccessDenied", refused.describe()
    assert [r["status"] for r in audit(cli, "--operation", "RunLifecycle") if r["errorCode"] == "AccessDenied"] == [403]
    missing = cli("lifecycle", "run", "--bucket", "no-such-bucket-here")
    assert missing.returncode != 0 and "NoSuchBucket" in (missing.stderr + missing.stdout)


def test_the_background_pass_applies_the_rules_on_its_own(tmp_path):
    srv = Server(tmp_path / "data", tmp_path / "logs", name="background")
    srv.extra_env.update({"SOUVERAIN_LIFECYCLE_DAY_SECONDS": "1", "SOUVERAIN_LIFECYCLE_INTERVAL": "1",
                          "SOUVERAIN_LIFECYCLE_RATE": "50"})
    try:
        srv.start()
        s3 = srv.client()
        s3.create_bucket(Bucket="background")
        s3.put_bucket_lifecycle_configuration(Bucket="background", LifecycleConfiguration={"Rules": [
            {"ID": "soon", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}}]})
        s3.put_object(Bucket="background", Key="tmp/a", Body=b"a")
        s3.put_object(Bucket="background", Key="stays", Body=b"b")
        deadline = time.time() + 30
        while time.time() < deadline and "tmp/a" in keys(s3, "background"):
            time.sleep(0.2)
        assert keys(s3, "background") == ["stays"]
        records = audit(support.SouverainCli(srv.data_dir), "--operation", "lifecycle-expire")
        assert [(r["bucket"], r["key"], r["detail"]) for r in records] == [("background", "tmp/a", "rule soon")]
    finally:
        srv.stop()
