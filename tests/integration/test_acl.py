"""An owner grants access to its bucket over S3 (PutBucketAcl), without the admin CLI.

Grantees are Souverain users, by name or by id: `id=NAME` or `id=ID` in `x-amz-grant-*` headers,
or `<ID>` in an AccessControlPolicy body. GetBucketAcl shows each user's id as ID and its name as
DisplayName. READ gives read, WRITE or FULL_CONTROL give read-write;
`x-amz-acl: private` removes every grant; public canned ACLs are refused.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import support
from support import code_of
from support import user_creds

pytestmark = pytest.mark.souverain_only


@pytest.fixture
def two_users(cli, server, user_names):
    owner_info = cli.add_user(user_names("owner"))
    other_info = cli.add_user(user_names("other"))
    return (owner_info, server.client(user_creds(owner_info))), (other_info, server.client(user_creds(other_info)))


def test_owner_grants_and_revokes_with_headers(two_users):
    (owner_info, owner), (other_info, other) = two_users
    bucket = "acl-" + owner_info["name"].lower()[-20:].replace("_", "-")
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="doc.txt", Body=b"owned")
    assert code_of(lambda: other.get_object(Bucket=bucket, Key="doc.txt")) == ("AccessDenied", 403)

    owner.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{other_info["name"]}"')
    assert other.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"owned"
    assert code_of(lambda: other.put_object(Bucket=bucket, Key="x", Body=b"x")) == ("AccessDenied", 403)
    # A grantee cannot change the grants: that is the owner's.
    assert code_of(lambda: other.put_bucket_acl(Bucket=bucket, ACL="private")) == ("AccessDenied", 403)

    owner.put_bucket_acl(Bucket=bucket, GrantWrite=f'id="{other_info["name"]}"')
    other.put_object(Bucket=bucket, Key="from-other", Body=b"hello")
    grants = owner.get_bucket_acl(Bucket=bucket)["Grants"]
    permissions = {(g["Grantee"].get("DisplayName"), g["Permission"]) for g in grants}
    assert (owner_info["name"], "FULL_CONTROL") in permissions
    assert (other_info["name"], "WRITE") in permissions
    assert {g["Grantee"].get("ID") for g in grants} == {owner_info["id"], other_info["id"]}

    owner.put_bucket_acl(Bucket=bucket, ACL="private")
    assert code_of(lambda: other.list_objects_v2(Bucket=bucket)) == ("AccessDenied", 403)


def test_owner_grants_with_a_policy_body(two_users):
    (owner_info, owner), (other_info, other) = two_users
    bucket = "aclb-" + owner_info["name"].lower()[-20:].replace("_", "-")
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="doc.txt", Body=b"owned")
    owner.put_bucket_acl(Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": owner_info["name"]},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": other_info["name"]}, "Permission": "READ"}],
    })
    assert [o["Key"] for o in other.list_objects_v2(Bucket=bucket)["Contents"]] == ["doc.txt"]


def test_public_and_unknown_grants_are_refused(two_users):
    (owner_info, owner), _ = two_users
    bucket = "aclp-" + owner_info["name"].lower()[-20:].replace("_", "-")
    owner.create_bucket(Bucket=bucket)
    # A new bucket's ownership controls are BucketOwnerEnforced (AWS's default): ACLs are
    # disabled, so group grants are refused as AWS refuses them (test_public_access.py covers
    # public ACLs on a bucket that enables ACLs).
    assert code_of(lambda: owner.put_bucket_acl(Bucket=bucket, ACL="public-read")) == ("AccessControlListNotSupported", 400)
    assert code_of(lambda: owner.put_bucket_acl(
        Bucket=bucket, GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"')) == ("AccessControlListNotSupported", 400)
    assert code_of(lambda: owner.put_bucket_acl(Bucket=bucket, GrantRead='id="nobody-by-that-name"')) == ("InvalidArgument", 400)
