"""Object Lock (issue 14, points 2 and 4): every way a locked version could be destroyed is tried,
and each is refused and recorded in the audit trail with its bucket, key and version.

One server with two local locations (so that `migrate` and `placement enforce` have somewhere to
move bytes). The ways tried: DELETE ?versionId (COMPLIANCE, GOVERNANCE without bypass, GOVERNANCE
with a bypass asked by a user not allowed to bypass), DeleteObjects, an overwrite (a new version,
the locked one kept), shortening or removing a COMPLIANCE retention (by the owner, by an admin),
`bucket shred` (CLI and admin endpoint), `migrate` and `placement enforce` (which move the bytes
and keep the version and its lock). Then the life of an archive: a `public-archives` bucket,
records under a 10-year COMPLIANCE retention, a legal hold placed and lifted, a lifecycle
expiration refused, `placement enforce` moving the bytes and keeping the lock, and an export whose
manifest carries the versions and their retention. Lifecycle days last one second here (the
hidden `lifecycle-day-seconds` setting), with no background pass: `souverain lifecycle run` runs it.
"""

from __future__ import annotations

import datetime
import json
import time

import pytest
from botocore.exceptions import ClientError

import support
from support import code_of

pytestmark = pytest.mark.souverain_only

LOCATIONS = {
    "vault-a": ["kind = local", "provider = on-premise", "organisation = Archives de Test", "country = FR", "preference = 0"],
    "vault-b": ["kind = local", "provider = scaleway", "provider-region = fr-par", "country = FR", "preference = 1"],
}


@pytest.fixture(scope="module")
def world(module_dir):
    data = module_dir / "data"
    sections = ["\n".join([f"[location {name}]", f"path = {module_dir / 'loc' / name}", *lines]) for name, lines in LOCATIONS.items()]
    # Archives kept on the organisation's own machines: public-archives, plus SecNumCloud waived on-premise,
    # which vault-b's operator (not qualified) does not meet: what `placement enforce` acts on.
    rules = json.loads(support.run([str(support.souverain_bin()), "placement", "rules", "--data", str(data)]).check().stdout)
    on_premise = dict(rules["classifications"]["public-archives"])
    on_premise["requiredCertifications"] = [{"certification": "secnumcloud", "waivedOnPremise": True}]
    rules["classifications"]["archives-on-premise"] = on_premise
    rules_file = module_dir / "rules.json"
    rules_file.write_text(json.dumps(rules))
    config = module_dir / "souverain.conf"
    config.write_text(f"placement-rules = {rules_file}\n\n" + "\n\n".join(sections) + "\n")
    server = support.Server(data, module_dir / "logs", name="object-lock", extra_args=("--config", str(config)))
    server.extra_env.update({"SOUVERAIN_LIFECYCLE_DAY_SECONDS": "1", "SOUVERAIN_LIFECYCLE_INTERVAL": "0"})
    server.start()
    try:
        cli = support.SouverainCli(data)
        writer = cli.add_user("lock-writer")
        yield dict(server=server, cli=cli, config=config, s3=server.client(), writer=writer)
    finally:
        server.stop()


def in_days(days: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)


def trail(world, bucket: str) -> list[dict]:
    read = support.request(world["server"].endpoint, world["server"].admin(), "GET", raw_path="/_souverain/audit/records",
                           query={"bucket": bucket})
    assert read.status == 200, read.describe()
    return [json.loads(line) for line in read.body.decode().splitlines()]


def refusals(world, bucket: str) -> set[tuple]:
    return {(r["operation"], r["key"], r["version"]) for r in trail(world, bucket) if r["status"] == 403}


def locked_bucket(s3, hint: str, default: dict | None = None) -> str:
    name = support.unique_bucket_name(hint)
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    if default:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": default}})
    return name


def test_object_lock_needs_versioning_and_keeps_it_on(world):
    s3 = world["s3"]
    bucket = locked_bucket(s3, "lock-config")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
    assert code_of(lambda: s3.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})) == ("InvalidBucketState", 409)
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}})
    rule = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]["Rule"]
    assert rule == {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}
    # The default applies to a write that states no retention.
    vid = s3.put_object(Bucket=bucket, Key="d", Body=b"x")["VersionId"]
    head = s3.head_object(Bucket=bucket, Key="d", VersionId=vid)
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"] > in_days(1.9)
    # A bucket without Object Lock has no configuration and refuses lock headers.
    plain = support.unique_bucket_name("no-lock")
    s3.create_bucket(Bucket=plain)
    assert code_of(lambda: s3.get_object_lock_configuration(Bucket=plain)) == ("ObjectLockConfigurationNotFoundError", 404)
    assert code_of(lambda: s3.put_object(Bucket=plain, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                                         ObjectLockRetainUntilDate=in_days(1)))[0] == "InvalidRequest"


def test_every_way_to_destroy_a_locked_version_is_refused_and_recorded(world):
    s3, cli = world["s3"], world["cli"]
    bucket = locked_bucket(s3, "lock-destroy")
    cli.grant(bucket, world["writer"]["name"], "read-write")
    writer = world["server"].client(support.user_creds(world["writer"]))
    until = in_days(30)
    compliance = s3.put_object(Bucket=bucket, Key="c", Body=b"kept", ObjectLockMode="COMPLIANCE",
                               ObjectLockRetainUntilDate=until)["VersionId"]
    governance = s3.put_object(Bucket=bucket, Key="g", Body=b"kept too", ObjectLockMode="GOVERNANCE",
                               ObjectLockRetainUntilDate=until)["VersionId"]
    head = s3.head_object(Bucket=bucket, Key="c")
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockLegalHoldStatus"] == "OFF"
    assert s3.get_object_retention(Bucket=bucket, Key="c", VersionId=compliance)["Retention"]["Mode"] == "COMPLIANCE"

    # DELETE ?versionId, by the owner (an admin) and by a writer.
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="c", VersionId=compliance)) == ("AccessDenied", 403)
    assert code_of(lambda: writer.delete_object(Bucket=bucket, Key="g", VersionId=governance)) == ("AccessDenied", 403)
    # GOVERNANCE with a bypass asked by a user who may not bypass: still refused.
    assert code_of(lambda: writer.delete_object(Bucket=bucket, Key="g", VersionId=governance,
                                                BypassGovernanceRetention=True)) == ("AccessDenied", 403)
    # COMPLIANCE with a bypass, asked by the admin: refused (nobody bypasses COMPLIANCE).
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="c", VersionId=compliance,
                                            BypassGovernanceRetention=True)) == ("AccessDenied", 403)
    # DeleteObjects names them: each is an error, each its own record.
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "c", "VersionId": compliance}, {"Key": "g", "VersionId": governance}]})
    assert sorted((e["Key"], e["Code"]) for e in result["Errors"]) == [("c", "AccessDenied"), ("g", "AccessDenied")]
    assert "Deleted" not in result
    # Shortening or removing COMPLIANCE: refused to the owner and the admin alike; extending is allowed.
    assert code_of(lambda: s3.put_object_retention(Bucket=bucket, Key="c", VersionId=compliance, Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": in_days(1)})) == ("AccessDenied", 403)
    assert code_of(lambda: s3.put_object_retention(Bucket=bucket, Key="c", VersionId=compliance, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": in_days(60)}, BypassGovernanceRetention=True)) == ("AccessDenied", 403)
    s3.put_object_retention(Bucket=bucket, Key="c", VersionId=compliance, Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": in_days(40)})
    # Shortening GOVERNANCE without the bypass, or by a writer with it: refused.
    assert code_of(lambda: writer.put_object_retention(Bucket=bucket, Key="g", VersionId=governance, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": in_days(1)}, BypassGovernanceRetention=True)) == ("AccessDenied", 403)
    # An overwrite is a new version: the locked one stays as it was.
    s3.put_object(Bucket=bucket, Key="c", Body=b"newer")
    assert s3.get_object(Bucket=bucket, Key="c", VersionId=compliance)["Body"].read() == b"kept"
    # A DELETE without a version id only adds a marker.
    assert s3.delete_object(Bucket=bucket, Key="c")["DeleteMarker"] is True
    assert s3.get_object(Bucket=bucket, Key="c", VersionId=compliance)["Body"].read() == b"kept"

    # bucket shred, by the CLI (through the running server) and the admin endpoint: refused, listing them.
    shred = cli("bucket", "shred", bucket, "--yes")
    assert shred.returncode != 0 and "retention" in shred.stderr, shred.stderr
    answer = support.request(world["server"].endpoint, world["server"].admin(), "POST", raw_path="/_souverain/buckets/shred",
                             query={"bucket": bucket})
    assert answer.status == 403 and b"retention" in answer.body, answer.describe()
    assert s3.get_object(Bucket=bucket, Key="g", VersionId=governance)["Body"].read() == b"kept too"

    # migrate moves the bytes and keeps the version and its lock.
    cli("migrate", "--bucket", bucket, "--to", "vault-b", timeout=120).check()
    moved = s3.head_object(Bucket=bucket, Key="g", VersionId=governance)
    assert moved["ObjectLockMode"] == "GOVERNANCE"
    assert s3.get_object(Bucket=bucket, Key="g")["Body"].read() == b"kept too"
    assert s3.get_object(Bucket=bucket, Key="c", VersionId=compliance)["Body"].read() == b"kept"

    # The owner (an admin) may bypass GOVERNANCE: allowed, and the version goes.
    s3.delete_object(Bucket=bucket, Key="g", VersionId=governance, BypassGovernanceRetention=True)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="g", VersionId=governance)) == ("NoSuchVersion", 404)

    refused = refusals(world, bucket)
    for expected in [("DeleteObject", "c", compliance), ("DeleteObject", "g", governance),
                     ("DeleteObjects", "c", compliance), ("DeleteObjects", "g", governance),
                     ("PutObjectRetention", "c", compliance)]:
        assert expected in refused, (expected, refused)
    shreds = [r for r in trail(world, bucket) if r["operation"] == "ShredBucket"]
    assert shreds and all(r["status"] == 403 for r in shreds), shreds


def test_legal_hold_blocks_deletion_until_lifted(world):
    s3 = world["s3"]
    bucket = locked_bucket(s3, "lock-hold")
    vid = s3.put_object(Bucket=bucket, Key="h", Body=b"held", ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.get_object_legal_hold(Bucket=bucket, Key="h")["LegalHold"]["Status"] == "ON"
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="h", VersionId=vid,
                                            BypassGovernanceRetention=True)) == ("AccessDenied", 403)
    s3.put_object_legal_hold(Bucket=bucket, Key="h", VersionId=vid, LegalHold={"Status": "OFF"})
    assert s3.head_object(Bucket=bucket, Key="h")["ObjectLockLegalHoldStatus"] == "OFF"
    s3.delete_object(Bucket=bucket, Key="h", VersionId=vid)
    assert ("DeleteObject", "h", vid) in refusals(world, bucket)


def test_the_life_of_an_archive(world, tmp_path):
    """A public-archives bucket: created with versioning and Object Lock; records under a
    10-year COMPLIANCE retention; every attempt to delete, overwrite, shorten, shred or
    lifecycle-expire refused and in the trail; a legal hold placed and lifted; a write retained less
    than the rule's minimum refused; `placement enforce` moving the bytes and keeping the version and
    its lock; an export of the bucket with its versions and retention in the manifest."""
    s3, cli = world["s3"], world["cli"]
    bucket = support.unique_bucket_name("archives")
    support.create_classified(s3, bucket, "public-archives")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert rule["Mode"] == "COMPLIANCE" and rule["Days"] >= 365
    ten_years = in_days(3653)
    record = support.seeded_bytes("deed-1789", 50_000)
    vid = s3.put_object(Bucket=bucket, Key="deeds/1789.pdf", Body=record, ObjectLockMode="COMPLIANCE",
                        ObjectLockRetainUntilDate=ten_years)["VersionId"]
    # A record retained less than the classification's minimum is refused, naming the rule.
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="deeds/short.pdf", Body=b"x", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=in_days(30))
    assert support.error_code(excinfo.value) == "InvalidRequest"
    assert "public-archives" in excinfo.value.response["Error"]["Message"]
    assert "minimumRetentionDays" in excinfo.value.response["Error"]["Message"]
    # A default shorter than the minimum is refused too.
    assert code_of(lambda: s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 30}}}))[0] == "InvalidRequest"

    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)) == ("AccessDenied", 403)
    forged = s3.put_object(Bucket=bucket, Key="deeds/1789.pdf", Body=b"forged")["VersionId"]  # an overwrite is a new version
    forged_at = time.time()
    assert s3.get_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)["Body"].read() == record
    assert code_of(lambda: s3.put_object_retention(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid, Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": in_days(400)})) == ("AccessDenied", 403)
    assert code_of(lambda: s3.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})) == ("InvalidBucketState", 409)
    assert cli("bucket", "shred", bucket, "--yes").returncode != 0

    # A legal hold placed and lifted; the retention still holds afterwards.
    s3.put_object_legal_hold(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid, LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)["LegalHold"]["Status"] == "ON"
    s3.put_object_legal_hold(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid, LegalHold={"Status": "OFF"})
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)) == ("AccessDenied", 403)

    # Lifecycle: a rule expiring everything after a (one-second) day, noncurrent versions too. The
    # record is noncurrent and locked: it stays, and the refusal is in the trail; the forged
    # overwrite is locked by the bucket's default retention: it stays current, no marker on top.
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire-everything", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 1},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    time.sleep(max(0.0, forged_at + 2.5 - time.time()))  # a whole lifecycle day after the record became noncurrent
    actions = json.loads(cli("lifecycle", "run", "--bucket", bucket, "--json").check().stdout)["actions"]
    outcomes = {(a["action"], a["key"], a.get("version")): a["outcome"] for a in actions}
    assert outcomes[("lifecycle-delete-noncurrent", "deeds/1789.pdf", vid)] == "refused-locked", actions
    assert outcomes[("lifecycle-expire", "deeds/1789.pdf", forged)] == "refused-locked", actions
    assert s3.get_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)["Body"].read() == record
    expired = [json.loads(line) for line in cli("audit", "query", "--bucket", bucket, "--operation",
                                                 "lifecycle-delete-noncurrent").check().stdout.splitlines()]
    assert any(r["version"] == vid and r["errorCode"] == "ObjectLocked" for r in expired), expired
    s3.delete_bucket_lifecycle(Bucket=bucket)

    # placement enforce: the archive is moved to vault-b, then reclassified to keep it on the
    # organisation's own machines; enforce moves every version's bytes back and keeps each version and its lock.
    cli("migrate", "--bucket", bucket, "--to", "vault-b", timeout=120).check()
    cli("bucket", "classify", bucket, "archives-on-premise", "--config", str(world["config"])).check()
    moved = [json.loads(line) for line in cli("placement", "enforce", "--json", timeout=300).check().stdout.splitlines()]
    mine = sorted((m["key"], m["from"], m["to"], m["outcome"]) for m in moved if m["bucket"] == bucket)
    assert mine == [("deeds/1789.pdf", "vault-b", "vault-a", "moved")] * 2, mine
    head = s3.head_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"] > in_days(3650)
    assert s3.get_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)["Body"].read() == record
    assert s3.get_object(Bucket=bucket, Key="deeds/1789.pdf")["Body"].read() == b"forged"
    assert code_of(lambda: s3.delete_object(Bucket=bucket, Key="deeds/1789.pdf", VersionId=vid)) == ("AccessDenied", 403)

    # The export carries the versions, their retention and the bucket's lock; it verifies.
    export = tmp_path / "archive-export"
    cli("export", "--bucket", bucket, "--to", str(export), timeout=120).check()
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["formatVersion"] == 2 and manifest["versioning"] == "Enabled", manifest
    assert manifest["objectLock"]["enabled"] is True
    assert manifest["objectLock"]["defaultRetention"]["mode"] == "COMPLIANCE"
    versions = [o for o in manifest["objects"] if o["key"] == "deeds/1789.pdf"]
    assert [(o["versionId"], o["isLatest"], o["isDeleteMarker"]) for o in versions] == [(forged, True, False), (vid, False, False)]
    latest, kept = versions
    assert latest["path"] == "objects/deeds/1789.pdf"
    assert (export / latest["path"]).read_bytes() == b"forged"
    assert kept["retention"]["mode"] == "COMPLIANCE" and kept["legalHold"] == "OFF"
    until = datetime.datetime.fromisoformat(kept["retention"]["retainUntilDate"].replace("Z", "+00:00"))
    assert until == head["ObjectLockRetainUntilDate"]
    assert (export / kept["path"]).read_bytes() == record
    assert "OK" in support.run([str(support.souverain_bin()), "export", "verify", str(export)]).check().stdout
    exports = [json.loads(line) for line in cli("audit", "query", "--bucket", bucket, "--operation", "export").check().stdout.splitlines()]
    assert exports and "2 versions and 0 delete markers" in exports[-1]["detail"], exports

    records = trail(world, bucket)
    refused = {(r["operation"], r["version"]) for r in records if r["status"] == 403}
    assert ("DeleteObject", vid) in refused and ("PutObjectRetention", vid) in refused, refused
    assert any(r["operation"] == "PutBucketVersioning" and r["status"] == 409 for r in records)
    assert any(r["operation"] == "ShredBucket" and r["status"] == 403 for r in records)
    holds = [r for r in records if r["operation"] == "PutObjectLegalHold" and r["status"] == 200]
    assert [r["version"] for r in holds] == [vid, vid]
