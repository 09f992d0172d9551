"""Users and grants made with the `souverain` CLI while the server runs (Souverain only).

The contract: `souverain user add NAME --data DIR [--role admin|user] --json`,
`user list --json` (never secrets), `user remove NAME`, `bucket grant BUCKET --user
NAME --permission read|read-write` and `bucket revoke BUCKET --user NAME`, each taking
effect from the next request.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import support
from support import user_creds

pytestmark = pytest.mark.souverain_only


def denied(call, code: str = "AccessDenied", status: int = 403) -> None:
    with pytest.raises(ClientError) as excinfo:
        call()
    err = excinfo.value
    if code == "AccessDenied" and support.error_code(err) == "403":  # HEAD has no body
        code = "403"
    assert support.error_code(err) == code, err.response
    assert support.http_code(err) == status, err.response


@pytest.fixture(scope="module")
def admin_bucket(s3):
    name = "admin-private"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="secret.txt", Body=b"admin data")
    return name


@pytest.fixture
def new_user(cli, server, user_names):
    def make(role: str = "user"):
        info = cli.add_user(user_names(role), role=role)
        assert info["role"] == role
        return info, server.client(user_creds(info))
    return make


def assert_no_access(client, bucket):
    denied(lambda: client.list_objects_v2(Bucket=bucket))
    denied(lambda: client.get_object(Bucket=bucket, Key="secret.txt"))
    denied(lambda: client.head_object(Bucket=bucket, Key="secret.txt"))
    denied(lambda: client.put_object(Bucket=bucket, Key="intruder.txt", Body=b"x"))
    denied(lambda: client.delete_object(Bucket=bucket, Key="secret.txt"))
    denied(lambda: client.create_multipart_upload(Bucket=bucket, Key="intruder-mp"))


def test_user_add_prints_credentials(cli, user_names):
    name = user_names("printed")
    info = cli.add_user(name)
    assert info["name"] == name and info["role"] == "user"
    assert len(info["accessKey"]) >= 16 and len(info["secretKey"]) >= 30
    listed = cli("user", "list", "--json").check()
    assert info["secretKey"] not in listed.stdout, "user list must never print a secret"
    entries = {u["name"]: u for u in listed.json()}
    assert entries[name]["accessKey"] == info["accessKey"]
    assert entries[name]["role"] == "user"
    assert all("secretKey" not in u for u in entries.values())
    other = cli.add_user(user_names("printed"))
    assert other["accessKey"] != info["accessKey"] and other["secretKey"] != info["secretKey"]


def test_new_user_has_no_access_to_admin_bucket(new_user, admin_bucket, s3):
    _, client = new_user()
    assert_no_access(client, admin_bucket)
    assert s3.get_object(Bucket=admin_bucket, Key="secret.txt")["Body"].read() == b"admin data"
    denied(lambda: s3.head_object(Bucket=admin_bucket, Key="intruder.txt"), code="404", status=404)


def test_grant_read_then_read_write_then_revoke(cli, new_user, admin_bucket, s3):
    info, client = new_user()
    cli.grant(admin_bucket, info["name"], "read")
    assert client.get_object(Bucket=admin_bucket, Key="secret.txt")["Body"].read() == b"admin data"
    assert client.head_object(Bucket=admin_bucket, Key="secret.txt")["ContentLength"] == len(b"admin data")
    assert "secret.txt" in [o["Key"] for o in client.list_objects_v2(Bucket=admin_bucket)["Contents"]]
    denied(lambda: client.put_object(Bucket=admin_bucket, Key="reader-write.txt", Body=b"x"))
    denied(lambda: client.delete_object(Bucket=admin_bucket, Key="secret.txt"))
    denied(lambda: client.copy_object(Bucket=admin_bucket, Key="copy.txt", CopySource={"Bucket": admin_bucket, "Key": "secret.txt"}))
    denied(lambda: client.delete_objects(Bucket=admin_bucket, Delete={"Objects": [{"Key": "secret.txt"}]}))

    cli.grant(admin_bucket, info["name"], "read-write")
    client.put_object(Bucket=admin_bucket, Key="by-writer.txt", Body=b"written by a granted user")
    assert s3.get_object(Bucket=admin_bucket, Key="by-writer.txt")["Body"].read() == b"written by a granted user"
    client.delete_object(Bucket=admin_bucket, Key="by-writer.txt")
    denied(lambda: client.delete_bucket(Bucket=admin_bucket))  # owner-only, even with read-write

    cli.revoke(admin_bucket, info["name"])
    assert_no_access(client, admin_bucket)
    assert s3.get_object(Bucket=admin_bucket, Key="secret.txt")["Body"].read() == b"admin data"


def test_grant_on_own_data_is_not_shared_with_others(cli, new_user, admin_bucket):
    reader, reader_client = new_user()
    stranger, stranger_client = new_user()
    cli.grant(admin_bucket, reader["name"], "read")
    reader_client.get_object(Bucket=admin_bucket, Key="secret.txt")
    assert_no_access(stranger_client, admin_bucket)


def test_list_buckets_shows_owned_and_granted(cli, new_user, admin_bucket, s3):
    alice, alice_client = new_user()
    bob, bob_client = new_user()
    alice_bucket = support.unique_bucket_name(f"{alice['name']}-own")
    alice_client.create_bucket(Bucket=alice_bucket)
    alice_client.put_object(Bucket=alice_bucket, Key="mine", Body=b"alice's")

    def names(client):
        return {b["Name"] for b in client.list_buckets()["Buckets"]}

    assert names(alice_client) == {alice_bucket}
    assert names(bob_client) == set()
    assert {admin_bucket, alice_bucket} <= names(s3), "the admin sees every bucket"
    assert_no_access(bob_client, alice_bucket)

    cli.grant(alice_bucket, bob["name"], "read")
    assert names(bob_client) == {alice_bucket}
    assert bob_client.get_object(Bucket=alice_bucket, Key="mine")["Body"].read() == b"alice's"
    cli.revoke(alice_bucket, bob["name"])
    assert names(bob_client) == set()

    admin2, admin2_client = new_user(role="admin")
    assert {admin_bucket, alice_bucket} <= names(admin2_client)


def test_removed_user_key_is_invalid(cli, new_user, admin_bucket):
    info, client = new_user()
    own = support.unique_bucket_name(f"{info['name']}-doomed")
    client.create_bucket(Bucket=own)
    cli.grant(admin_bucket, info["name"], "read")
    client.get_object(Bucket=admin_bucket, Key="secret.txt")
    # Removal is refused while the user owns a bucket (test_access.py); its buckets go to the admin.
    cli("user", "remove", info["name"], "--reassign-to", "admin").check()
    assert info["name"] not in {u["name"] for u in cli.list_users()}
    denied(lambda: client.list_buckets(), code="InvalidAccessKeyId")
    denied(lambda: client.get_object(Bucket=admin_bucket, Key="secret.txt"), code="InvalidAccessKeyId")
    denied(lambda: client.put_object(Bucket=own, Key="k", Body=b"v"), code="InvalidAccessKeyId")


def test_user_errors_are_s3_xml(server, new_user, admin_bucket):
    info, _ = new_user()
    resp = support.request(server.endpoint, user_creds(info), "GET", admin_bucket, "secret.txt")
    assert resp.status == 403, resp.describe()
    assert resp.error_code == "AccessDenied"
    assert resp.header("x-amz-request-id")
    assert resp.error_field("RequestId") == resp.header("x-amz-request-id")
    assert b"admin data" not in resp.body
