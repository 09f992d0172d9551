"""Access that means what it says (issue 13): roles, stable identities, refused ACLs, sealed secrets.

- An `auditor` reads the audit trail and nothing else: no listing, no bucket, no object, and no
  grant can give it one (the CLI and PutBucketAcl refuse to grant an auditor).
- Users have a stable random id; owners and grants refer to it. `user remove` is refused while
  the user owns buckets (`--reassign-to OTHER` gives them away); a namesake created later is a
  new identity and reads nothing of the removed user's.
- An ACL Souverain does not honour (a canned ACL other than private / bucket-owner-full-control,
  any x-amz-grant-* header) on CreateBucket, PutObject, CopyObject or CreateMultipartUpload is
  answered 501 NotImplemented, and nothing is stored.
- Users' secrets are sealed by the master key: no secret is in the catalogue file or its WAL,
  including after migrating a catalogue written by the old code (fixtures/catalogue-v4.sql).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support
from support import code_of
from support import Creds, SouverainCli, user_creds

pytestmark = pytest.mark.souverain_only

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY_EVE = Creds("LEGACYEVEACCESSKEY01", "legacy+eve/secret+in+clear+0000000000001")


def message_of(call) -> str:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response.get("Error", {}).get("Message", "")


def bucket_names(client) -> set[str]:
    return {b["Name"] for b in client.list_buckets()["Buckets"]}


def secrets_found_in_catalogue(data_dir: Path, secrets: list[str]) -> list[tuple[str, str]]:
    """(file, secret) for every secret found in the catalogue's database, WAL or shared-memory file."""
    found = []
    for suffix in ("", "-wal", "-shm"):
        path = Path(data_dir) / f"catalogue.sqlite{suffix}"
        if not path.exists():
            continue
        data = path.read_bytes()
        found += [(path.name, secret) for secret in secrets if secret.encode() in data]
    return found


@pytest.fixture(scope="module")
def admin_bucket(s3):
    name = support.unique_bucket_name("access-admin")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="secret.txt", Body=b"admin data")
    return name


def test_an_auditor_reads_the_trail_and_nothing_else(server, cli, s3, admin_bucket, user_names):
    info = cli.add_user(user_names("auditor"), role="auditor")
    auditor = server.client(user_creds(info))
    own = support.unique_bucket_name("auditor-made")
    assert code_of(lambda: auditor.create_bucket(Bucket=own)) == ("AccessDenied", 403)
    assert own not in bucket_names(s3)
    assert code_of(lambda: auditor.put_object(Bucket=admin_bucket, Key="by-auditor", Body=b"x")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.head_object(Bucket=admin_bucket, Key="by-auditor"))[1] == 404
    assert code_of(lambda: auditor.get_object(Bucket=admin_bucket, Key="secret.txt")) == ("AccessDenied", 403)
    assert code_of(lambda: auditor.delete_object(Bucket=admin_bucket, Key="secret.txt")) == ("AccessDenied", 403)
    assert code_of(lambda: auditor.list_objects_v2(Bucket=admin_bucket)) == ("AccessDenied", 403)
    assert code_of(lambda: auditor.list_buckets()) == ("AccessDenied", 403)
    assert s3.get_object(Bucket=admin_bucket, Key="secret.txt")["Body"].read() == b"admin data"

    # No grant makes an auditor a reader: both ways of granting refuse it.
    refused = cli("bucket", "grant", admin_bucket, "--user", info["name"], "--permission", "read")
    assert refused.returncode != 0 and "auditor" in refused.stderr, refused.stderr
    assert code_of(lambda: s3.put_bucket_acl(Bucket=admin_bucket, GrantRead=f'id="{info["name"]}"')) == ("InvalidArgument", 400)
    assert code_of(lambda: auditor.get_object(Bucket=admin_bucket, Key="secret.txt")) == ("AccessDenied", 403)

    # What it is for still works.
    read = support.request(server.endpoint, user_creds(info), "GET", raw_path="/_souverain/audit/records",
                           query={"bucket": admin_bucket})
    assert read.status == 200, read.describe()
    assert b"CreateBucket" in read.body


def test_user_remove_is_refused_while_the_user_owns_buckets_and_a_namesake_reads_nothing(server, cli, s3, admin_bucket, user_names):
    name = user_names("eve")
    old = cli.add_user(name)
    old_client = server.client(user_creds(old))
    own = support.unique_bucket_name(f"{name}-diary")
    old_client.create_bucket(Bucket=own)
    old_client.put_object(Bucket=own, Key="diary.txt", Body=b"old eve's")
    cli.grant(admin_bucket, name, "read")
    assert old_client.get_object(Bucket=admin_bucket, Key="secret.txt")["Body"].read() == b"admin data"

    refused = cli("user", "remove", name)
    assert refused.returncode != 0 and own in refused.stderr and "--reassign-to" in refused.stderr, refused.stderr
    assert name in {u["name"] for u in cli.list_users()}
    cli("user", "remove", name, "--reassign-to", "admin").check()
    assert name not in {u["name"] for u in cli.list_users()}

    new = cli.add_user(name)
    assert new["id"] != old["id"]
    new_client = server.client(user_creds(new))
    assert bucket_names(new_client) == set()
    assert code_of(lambda: new_client.get_object(Bucket=own, Key="diary.txt")) == ("AccessDenied", 403)
    assert code_of(lambda: new_client.list_objects_v2(Bucket=own)) == ("AccessDenied", 403)
    assert code_of(lambda: new_client.put_object(Bucket=own, Key="k", Body=b"v")) == ("AccessDenied", 403)
    assert code_of(lambda: new_client.get_object(Bucket=admin_bucket, Key="secret.txt")) == ("AccessDenied", 403)
    assert code_of(lambda: new_client.delete_bucket(Bucket=own)) == ("AccessDenied", 403)

    # The admin was given the bucket, with its object.
    admin_id = next(u["id"] for u in cli.list_users() if u["name"] == "admin")
    assert s3.get_object(Bucket=own, Key="diary.txt")["Body"].read() == b"old eve's"
    assert s3.get_bucket_acl(Bucket=own)["Owner"]["ID"] == admin_id


def test_put_bucket_acl_grants_by_name_or_id(server, cli, user_names):
    owner_info, other_info, third_info = (cli.add_user(user_names("acl")) for _ in range(3))
    owner, other, third = (server.client(user_creds(i)) for i in (owner_info, other_info, third_info))
    bucket = support.unique_bucket_name("acl-by-id")
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="doc.txt", Body=b"shared")
    owner.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{other_info["id"]}", id="{third_info["name"]}"')
    assert other.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"shared"
    assert third.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"shared"
    grants = owner.get_bucket_acl(Bucket=bucket)["Grants"]
    shown = {(g["Grantee"]["ID"], g["Grantee"].get("DisplayName"), g["Permission"]) for g in grants}
    assert shown == {
        (owner_info["id"], owner_info["name"], "FULL_CONTROL"),
        (other_info["id"], other_info["name"], "READ"),
        (third_info["id"], third_info["name"], "READ"),
    }
    # READ_ACP / WRITE_ACP cannot be honoured (only owners and admins touch ACLs).
    assert code_of(lambda: owner.put_bucket_acl(Bucket=bucket, GrantReadACP=f'id="{other_info["id"]}"')) == ("NotImplemented", 501)


def test_acls_souverain_does_not_honour_are_refused_and_nothing_is_stored(server, cli, user_names):
    info = cli.add_user(user_names("acl-user"))
    client = server.client(user_creds(info))
    bucket = support.unique_bucket_name("acl-refused")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="source", Body=b"src")

    # Group ACLs on objects exist (docs/access.md), but a new bucket's ownership controls are
    # BucketOwnerEnforced: ACLs are disabled, and refused as AWS refuses them.
    assert code_of(lambda: client.put_object(Bucket=bucket, Key="public", Body=b"x", ACL="public-read")) == ("AccessControlListNotSupported", 400)
    assert "BucketOwnerEnforced" in message_of(lambda: client.put_object(Bucket=bucket, Key="public", Body=b"x", ACL="public-read"))
    assert code_of(lambda: client.put_object(Bucket=bucket, Key="public", Body=b"x", ACL="aws-exec-read")) == ("NotImplemented", 501)
    assert "aws-exec-read" in message_of(lambda: client.put_object(Bucket=bucket, Key="public", Body=b"x", ACL="aws-exec-read"))
    assert code_of(lambda: client.put_object(Bucket=bucket, Key="granted", Body=b"x", GrantRead='id="someone"')) == ("NotImplemented", 501)
    assert code_of(lambda: client.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "source"},
                                              ACL="authenticated-read")) == ("AccessControlListNotSupported", 400)
    assert code_of(lambda: client.create_multipart_upload(Bucket=bucket, Key="multi", ACL="public-read-write")) == ("AccessControlListNotSupported", 400)
    for key in ("public", "granted", "copied"):
        assert code_of(lambda: client.head_object(Bucket=bucket, Key=key))[1] == 404
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]] == ["source"]

    other = support.unique_bucket_name("acl-public-bucket")
    assert code_of(lambda: client.create_bucket(Bucket=other, ACL="public-read")) == ("NotImplemented", 501)
    assert code_of(lambda: client.create_bucket(Bucket=other, GrantFullControl='id="someone"')) == ("NotImplemented", 501)
    assert other not in bucket_names(client)

    # The ACLs that mean what Souverain does anyway are accepted.
    client.put_object(Bucket=bucket, Key="private", Body=b"p", ACL="private")
    client.put_object(Bucket=bucket, Key="owner-full", Body=b"o", ACL="bucket-owner-full-control")
    assert client.get_object(Bucket=bucket, Key="owner-full")["Body"].read() == b"o"


def test_no_user_secret_is_in_the_catalogue_file(server, cli, user_names):
    infos = [cli.add_user(user_names("sealed")), cli.add_user(user_names("sealed"), role="admin"),
             cli.add_user(user_names("sealed"), role="auditor")]
    for info in infos[:2]:
        server.client(user_creds(info)).list_buckets()  # the sealed secrets verify signatures
    secrets = [i["secretKey"] for i in infos] + [support.ADMIN_SECRET_KEY]
    assert secrets_found_in_catalogue(server.data_dir, secrets) == []


def test_a_catalogue_written_by_the_old_code_is_migrated(server_factory, tmp_path):
    data = tmp_path / "legacy"
    data.mkdir()
    db = sqlite3.connect(data / "catalogue.sqlite")
    db.executescript((FIXTURES / "catalogue-v4.sql").read_text())
    db.commit()
    db.close()
    legacy_secrets = [support.ADMIN_SECRET_KEY, LEGACY_EVE.secret_key]
    assert len(secrets_found_in_catalogue(data, legacy_secrets)) == 2, "the fixture holds the secrets in clear"

    srv = server_factory(data_dir=data)
    cli = SouverainCli(data)
    admin, eve = srv.client(), srv.client(LEGACY_EVE)
    # Names mapped to ids: eve still owns her bucket and keeps her grant on the gone user's one.
    assert bucket_names(eve) == {"eves-archive", "ghosts-archive"}
    assert bucket_names(admin) >= {"eves-archive", "ghosts-archive"}
    users = {u["name"]: u for u in cli.list_users()}
    assert set(users) == {"admin", "eve"} and users["eve"]["id"] != users["admin"]["id"]
    assert eve.get_bucket_acl(Bucket="eves-archive")["Owner"]["ID"] == users["eve"]["id"]
    listing = cli("bucket", "list").check().stdout
    assert "ghosts-archive\towner=orphaned:ghost" in listing, listing
    assert f"eves-archive\towner=eve ({users['eve']['id']})" in listing, listing

    # A namesake of the gone owner is a new identity: the orphaned bucket is not its.
    ghost = cli.add_user("ghost")
    ghost_client = srv.client(user_creds(ghost))
    assert bucket_names(ghost_client) == set()
    assert code_of(lambda: ghost_client.list_objects_v2(Bucket="ghosts-archive")) == ("AccessDenied", 403)
    # An admin gives the orphaned bucket to someone, explicitly.
    cli("bucket", "reassign", "ghosts-archive", "--to", "eve").check()
    assert eve.get_bucket_acl(Bucket="ghosts-archive")["Owner"]["ID"] == users["eve"]["id"]
    assert code_of(lambda: ghost_client.list_objects_v2(Bucket="ghosts-archive")) == ("AccessDenied", 403)

    # Every secret was sealed at start-up: none left in the database or its WAL, running or stopped.
    secrets = legacy_secrets + [ghost["secretKey"]]
    assert secrets_found_in_catalogue(data, secrets) == []
    srv.stop()
    assert secrets_found_in_catalogue(data, secrets) == []
