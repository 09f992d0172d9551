"""Named encryption keys, a KMS of one's own (issue 14, point 5): keys made with
`souverain keys create`, named by applications as their SSE-KMS key (alias, id or ARN) through
boto3 and aws-cli, bucket default encryption, grants, rotation, retirement and shredding, and a
named key held under a SoftHSM2 token's master key (Souverain only).

One server for the module; the PKCS#11 test starts its own.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support
from support import Server, SouverainCli, seeded_bytes

pytestmark = pytest.mark.souverain_only

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.fixture(scope="module")
def cli(server):
    return SouverainCli(server.data_dir)


def keys(cli, *args) -> dict:
    return json.loads(cli("keys", *args).check().stdout)


def create_key(cli, alias: str) -> dict:
    made = keys(cli, "create", "--alias", alias, "--description", f"tests: {alias}")
    assert made["alias"] == f"alias/{alias}" and made["version"] == 1, made
    assert made["arn"] == f"arn:aws:kms:{support.REGION}:000000000000:key/{made['keyID']}"
    return made


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"].get("Message", "")


def blob_encryptions(data_dir: Path, bucket: str, key: str) -> list[dict]:
    with sqlite3.connect(data_dir / "catalogue.sqlite") as db:
        (text,) = db.execute("SELECT segments FROM objects WHERE bucket = ? AND key = ?", (bucket, key.encode())).fetchone()
    return [segment["encryption"] for segment in json.loads(text)]


def audit(cli, operation: str) -> list[dict]:
    out = cli("audit", "query", "--operation", operation).check().stdout
    return [json.loads(line) for line in out.splitlines()]


def test_applications_name_a_key_by_alias_id_or_arn(server, s3, cli, bucket):
    key = create_key(cli, "app-key")
    listed = [k for k in keys(cli, "list")["namedKeys"] if k["keyID"] == key["keyID"]]
    assert listed and listed[0]["state"] == "enabled" and [v["version"] for v in listed[0]["versions"]] == [1]
    names = {
        "alias": "alias/app-key",
        "id": key["keyID"],
        "arn": key["arn"],
        "alias-arn": f"arn:aws:kms:{support.REGION}:000000000000:alias/app-key",
    }
    for form, name in names.items():
        body = seeded_bytes(form, 70_000)
        put = s3.put_object(Bucket=bucket, Key=form, Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId=name)
        assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == key["arn"], form
        got = s3.get_object(Bucket=bucket, Key=form)
        assert got["Body"].read() == body
        assert got["ServerSideEncryption"] == "aws:kms" and got["SSEKMSKeyId"] == key["arn"]
        assert s3.head_object(Bucket=bucket, Key=form)["SSEKMSKeyId"] == key["arn"]
        # The blob's data key is wrapped by version 1 of the named key, not by the bucket's key.
        assert [(e["keyID"], e["bucketKeyVersion"]) for e in blob_encryptions(server.data_dir, bucket, form)] == [(key["keyID"], 1)]
    # A bare name is a key id to AWS, never an alias; unknown keys are refused as AWS refuses them.
    for unknown in ("app-key", "alias/nobody", "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"):
        code, status, message = error_of(lambda: s3.put_object(
            Bucket=bucket, Key="unknown", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=unknown))
        assert (code, status) == ("KMS.NotFoundException", 400) and unknown in message, (unknown, message)
    # A key id without aws:kms is refused too.
    code, status, _ = error_of(lambda: s3.put_object(Bucket=bucket, Key="no-sse", Body=b"x", SSEKMSKeyId="alias/app-key"))
    assert (code, status) == ("InvalidArgument", 400)

    # Multipart: every part follows the upload's key.
    created = s3.create_multipart_upload(Bucket=bucket, Key="mp", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/app-key")
    assert created["SSEKMSKeyId"] == key["arn"]
    parts = [seeded_bytes(f"part{n}", 5 * support.MIB if n == 1 else 1000) for n in (1, 2)]
    etags = []
    for number, data in enumerate(parts, start=1):
        part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=created["UploadId"], PartNumber=number, Body=data)
        assert part["SSEKMSKeyId"] == key["arn"]
        etags.append({"PartNumber": number, "ETag": part["ETag"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=created["UploadId"], MultipartUpload={"Parts": etags})
    assert done["SSEKMSKeyId"] == key["arn"]
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"".join(parts)
    assert {e["keyID"] for e in blob_encryptions(server.data_dir, bucket, "mp")} == {key["keyID"]}

    # A copy is encrypted as its request asks: from the bucket's key to the named key and back.
    s3.put_object(Bucket=bucket, Key="plain", Body=b"plain")
    copied = s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "plain"},
                            ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/app-key")
    assert copied["SSEKMSKeyId"] == key["arn"]
    assert blob_encryptions(server.data_dir, bucket, "copied")[0]["keyID"] == key["keyID"]
    back = s3.copy_object(Bucket=bucket, Key="back", CopySource={"Bucket": bucket, "Key": "copied"})
    assert back["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in back
    assert "keyID" not in blob_encryptions(server.data_dir, bucket, "back")[0]
    assert s3.get_object(Bucket=bucket, Key="back")["Body"].read() == b"plain"


def test_aws_cli_writes_under_a_named_key_and_sets_a_bucket_default(aws, cli, bucket, tmp_path):
    key = create_key(cli, "cli-key")
    source = tmp_path / "f.bin"
    source.write_bytes(seeded_bytes("cli", 10_000))
    aws("s3", "cp", str(source), f"s3://{bucket}/f.bin", "--sse", "aws:kms", "--sse-kms-key-id", "alias/cli-key").check()
    head = aws.json("s3api", "head-object", "--bucket", bucket, "--key", "f.bin")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key["arn"]
    # No configuration yet: the SSE-S3 default, as AWS answers today.
    default = aws.json("s3api", "get-bucket-encryption", "--bucket", bucket)
    rule = default["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"} and rule["BucketKeyEnabled"] is False
    configuration = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/cli-key"},
                                "BucketKeyEnabled": True}]}
    aws("s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration", json.dumps(configuration)).check()
    rule = aws.json("s3api", "get-bucket-encryption", "--bucket", bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["arn"]}
    assert rule["BucketKeyEnabled"] is True
    aws("s3", "cp", str(source), f"s3://{bucket}/default.bin").check()
    assert aws.json("s3api", "head-object", "--bucket", bucket, "--key", "default.bin")["SSEKMSKeyId"] == key["arn"]
    aws("s3", "cp", f"s3://{bucket}/default.bin", str(tmp_path / "back.bin")).check()
    assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()


def test_bucket_default_encryption(server, s3, cli, bucket):
    key = create_key(cli, "default-key")
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["keyID"]},
        "BucketKeyEnabled": True}]})
    # A PUT that asks for nothing is encrypted under the default key; one that asks for AES256 is not.
    put = s3.put_object(Bucket=bucket, Key="d", Body=b"default")
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == key["arn"]
    assert blob_encryptions(server.data_dir, bucket, "d")[0]["keyID"] == key["keyID"]
    explicit = s3.put_object(Bucket=bucket, Key="e", Body=b"explicit", ServerSideEncryption="AES256")
    assert explicit["ServerSideEncryption"] == "AES256"
    assert "keyID" not in blob_encryptions(server.data_dir, bucket, "e")[0]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert upload["SSEKMSKeyId"] == key["arn"]
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])
    # SSE-C ignores the default, as in AWS.
    customer = s3.put_object(Bucket=bucket, Key="c", Body=b"c", SSECustomerAlgorithm="AES256", SSECustomerKey=b"K" * 32)
    assert "SSEKMSKeyId" not in customer
    # An unknown key is refused; a malformed or unsupported configuration too.
    code, status, _ = error_of(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/nobody"}}]}))
    assert (code, status) == ("KMS.NotFoundException", 400)
    code, _, _ = error_of(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse"}}]}))
    assert code == "InvalidArgument"
    # Deleting the configuration goes back to SSE-S3.
    s3.delete_bucket_encryption(Bucket=bucket)
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert s3.put_object(Bucket=bucket, Key="after", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="d")["Body"].read() == b"default"


def test_users_need_a_grant_to_encrypt_or_decrypt(server, s3, cli):
    key = create_key(cli, "granted-key")
    info = cli.add_user("keyuser")
    user = server.client(support.user_creds(info))
    name = support.unique_bucket_name("grants")
    user.create_bucket(Bucket=name)
    refused = lambda: user.put_object(Bucket=name, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/granted-key")
    code, status, message = error_of(refused)
    assert (code, status) == ("AccessDenied", 403) and "alias/granted-key" in message
    # The owner cannot set a default it may not use either.
    code, _, _ = error_of(lambda: user.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/granted-key"}}]}))
    assert code == "AccessDenied"
    # The refusal is in the trail, naming the key.
    denied = [r for r in audit(cli, "PutObject") if r.get("errorCode") == "AccessDenied" and "alias/granted-key" in (r.get("detail") or "")]
    assert denied, "no trail record of the refusal"

    granted = keys(cli, "grant", "--key", "granted-key", "--user", "keyuser", "--encrypt")
    assert granted["encrypt"] is True and granted["decrypt"] is False
    user.put_object(Bucket=name, Key="k", Body=b"secret", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/granted-key")
    # Writing is not reading: a GET needs the decrypt grant (a HEAD reads no data).
    assert user.head_object(Bucket=name, Key="k")["SSEKMSKeyId"] == key["arn"]
    code, status, message = error_of(lambda: user.get_object(Bucket=name, Key="k"))
    assert (code, status) == ("AccessDenied", 403) and "decrypt" in message
    code, _, _ = error_of(lambda: user.copy_object(Bucket=name, Key="copy", CopySource={"Bucket": name, "Key": "k"}))
    assert code == "AccessDenied"
    keys(cli, "grant", "--key", "granted-key", "--user", "keyuser", "--decrypt")
    assert user.get_object(Bucket=name, Key="k")["Body"].read() == b"secret"
    # An admin reads everything, under any key.
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"secret"
    revoked = keys(cli, "revoke", "--key", "granted-key", "--user", "keyuser", "--encrypt")
    assert revoked["encrypt"] is False and revoked["decrypt"] is True
    assert error_of(refused)[0] == "AccessDenied"
    assert [r for r in audit(cli, "GrantKey") if "granted-key" in (r.get("detail") or "")]


def test_rotation_then_retirement_of_a_named_key(server, s3, cli, bucket):
    key = create_key(cli, "rotated-key")
    old = seeded_bytes("old", 100_000)
    s3.put_object(Bucket=bucket, Key="old", Body=old, ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/rotated-key")
    # A pending upload's part stays under version 1: rotation re-wraps objects, not parts.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="pending", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/rotated-key")
    s3.upload_part(Bucket=bucket, Key="pending", UploadId=upload["UploadId"], PartNumber=1, Body=b"p" * 100)
    rotated = keys(cli, "rotate", "--key", "rotated-key")
    assert rotated == {"key": "alias/rotated-key", "keyID": key["keyID"], "version": 2, "objectsRewrapped": 1}
    assert blob_encryptions(server.data_dir, bucket, "old")[0]["bucketKeyVersion"] == 2
    s3.put_object(Bucket=bucket, Key="new", Body=b"new", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["keyID"])
    assert blob_encryptions(server.data_dir, bucket, "new")[0]["bucketKeyVersion"] == 2
    assert s3.get_object(Bucket=bucket, Key="old")["Body"].read() == old
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == b"new"
    # Retiring is refused for the current version, and for version 1 while the part depends on it.
    assert cli("keys", "retire", "--key", "rotated-key", "--version", "2").returncode != 0
    still_used = cli("keys", "retire", "--key", "rotated-key", "--version", "1")
    assert still_used.returncode != 0 and "still have data keys" in still_used.stderr, still_used.stderr
    s3.abort_multipart_upload(Bucket=bucket, Key="pending", UploadId=upload["UploadId"])
    assert keys(cli, "retire", "--key", "rotated-key", "--version", "1")["retiredVersion"] == 1
    listed = [k for k in keys(cli, "list")["namedKeys"] if k["keyID"] == key["keyID"]][0]
    assert [v["version"] for v in listed["versions"]] == [2]
    assert s3.get_object(Bucket=bucket, Key="old")["Body"].read() == old


def test_shredding_a_named_key_makes_every_object_under_it_unreadable(server, s3, cli):
    doomed = create_key(cli, "doomed-key")
    create_key(cli, "kept-key")
    buckets = [support.unique_bucket_name(f"shred{n}") for n in (1, 2)]
    for name in buckets:
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="doomed", Body=b"gone", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/doomed-key")
        s3.put_object(Bucket=name, Key="kept", Body=b"kept", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/kept-key")
        s3.put_object(Bucket=name, Key="bucket-key", Body=b"bucket")
    assert s3.get_object(Bucket=buckets[0], Key="doomed")["Body"].read() == b"gone"
    with sqlite3.connect(server.data_dir / "catalogue.sqlite") as db:
        wrapped = [row[0] for row in db.execute("SELECT wrapped FROM named_key_versions WHERE key_id = ?", (doomed["keyID"],))]
    assert len(wrapped) == 1
    refused = cli("keys", "shred", "--key", "doomed-key")
    assert refused.returncode != 0 and "--yes" in refused.stderr
    shredded = keys(cli, "shred", "--key", "doomed-key", "--yes")
    assert shredded["keyVersionsDestroyed"] == 1

    for name in buckets:
        code, status, message = error_of(lambda: s3.get_object(Bucket=name, Key="doomed"))
        assert (code, status) == ("InvalidObjectState", 403) and "destroyed" in message
        assert s3.get_object(Bucket=name, Key="kept")["Body"].read() == b"kept"
        assert s3.get_object(Bucket=name, Key="bucket-key")["Body"].read() == b"bucket"
    code, status, _ = error_of(lambda: s3.put_object(
        Bucket=buckets[0], Key="again", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/doomed-key"))
    assert (code, status) == ("KMS.KMSInvalidStateException", 400)
    # The wrapped versions are gone from every file of the catalogue (database and write-ahead log).
    for path in server.data_dir.glob("catalogue.sqlite*"):
        assert wrapped[0].encode() not in path.read_bytes(), path
    listed = [k for k in keys(cli, "list")["namedKeys"] if k["keyID"] == doomed["keyID"]][0]
    assert listed["state"] == "shredded" and listed["versions"] == []
    records = audit(cli, "ShredKey")
    assert [r for r in records if doomed["keyID"] in (r.get("detail") or "") and r["locations"]], records
    # Nothing comes back after a restart.
    server.restart()
    s3 = server.client()
    assert error_of(lambda: s3.get_object(Bucket=buckets[1], Key="doomed"))[0] == "InvalidObjectState"
    assert s3.get_object(Bucket=buckets[1], Key="kept")["Body"].read() == b"kept"


def test_a_named_key_is_held_under_a_softhsm_master_key(tmp_path):
    if not SOFTHSM_MODULE.exists():
        pytest.fail("SoftHSM2 is not installed (apt-get install -y softhsm2)")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {"SOFTHSM2_CONF": str(conf)}
    support.run(["softhsm2-util", "--init-token", "--free", "--label", "souverain-keys", "--pin", "4321", "--so-pin", "8765"],
                env={**support.clean_env(), **env}).check()
    config = tmp_path / "souverain.conf"
    config.write_text(f"key-store = pkcs11\npkcs11-module = {SOFTHSM_MODULE}\npkcs11-token = souverain-keys\n")
    srv = Server(tmp_path / "data", tmp_path / "logs", name="hsm-keys", extra_args=("--config", str(config)))
    srv.extra_env = {**env, "SOUVERAIN_PKCS11_PIN": "4321"}
    try:
        srv.start()
        cli = SouverainCli(srv.data_dir)
        key = create_key(cli, "hsm-key")
        with sqlite3.connect(srv.data_dir / "catalogue.sqlite") as db:
            (wrapped,) = db.execute("SELECT wrapped FROM named_key_versions WHERE key_id = ?", (key["keyID"],)).fetchone()
        assert wrapped.startswith("swk1.")
        s3 = srv.client()
        s3.create_bucket(Bucket="hsm")
        body = seeded_bytes("hsm", 150_000)
        s3.put_object(Bucket="hsm", Key="k", Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/hsm-key")
        srv.restart()
        s3 = srv.client()
        got = s3.get_object(Bucket="hsm", Key="k")
        assert got["Body"].read() == body and got["SSEKMSKeyId"] == key["arn"]
    finally:
        srv.stop()
