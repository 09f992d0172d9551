"""Bucket policies, public data, ACLs, public access blocks, ownership controls and CORS
(docs/access.md), against one server.

A `public` bucket is readable anonymously once its owner says so (a policy, or a public ACL with
ACLs enabled); a bucket of any other classification refuses the policy or ACL at Put time, naming
the rule; an explicit Deny beats every grant; `aws:SourceIp` is the TCP peer (127.0.0.1 here);
anonymous requests are in the audit trail; nothing is ever public that was not made so.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

import support
from support import code_of
from support import user_creds

pytestmark = pytest.mark.souverain_only


def message_of(call) -> str:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def anonymous(server):
    """A boto3 client that signs nothing."""
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name=support.REGION,
        config=Config(signature_version=UNSIGNED, s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def fetch(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """A plain urllib request (no signature): status, headers, body."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def read_policy(bucket: str, **extra) -> dict:
    statement = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::{bucket}/*"}
    statement.update(extra)
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.fixture(scope="module")
def open_data(server):
    """A `public` bucket with one object, private until a test opens it."""
    s3 = server.client()
    support.create_classified(s3, "open-data", "public")
    s3.put_object(Bucket="open-data", Key="budget.csv", Body=b"year,amount\n2026,42\n")
    return "open-data"


def test_a_public_bucket_is_readable_anonymously_once_a_policy_says_so(server, open_data, anonymous, module_dir):
    s3 = server.client()
    url = f"{server.endpoint}/{open_data}/budget.csv"
    assert code_of(lambda: anonymous.get_object(Bucket=open_data, Key="budget.csv")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.get_bucket_policy(Bucket=open_data)) == ("NoSuchBucketPolicy", 404)

    aws = support.AwsCli(server.endpoint, server.admin(), module_dir / "awscli")
    aws("s3api", "put-bucket-policy", "--bucket", open_data, "--policy", json.dumps(read_policy(open_data))).check()
    assert json.loads(s3.get_bucket_policy(Bucket=open_data)["Policy"]) == read_policy(open_data)
    assert s3.get_bucket_policy_status(Bucket=open_data)["PolicyStatus"]["IsPublic"] is True

    assert anonymous.get_object(Bucket=open_data, Key="budget.csv")["Body"].read() == b"year,amount\n2026,42\n"
    status, _, body = fetch(url)
    assert (status, body) == (200, b"year,amount\n2026,42\n")
    # Only what the policy names: no listing, no write, no delete.
    assert code_of(lambda: anonymous.list_objects_v2(Bucket=open_data)) == ("AccessDenied", 403)
    assert code_of(lambda: anonymous.put_object(Bucket=open_data, Key="graffiti", Body=b"x")) == ("AccessDenied", 403)
    assert code_of(lambda: anonymous.delete_object(Bucket=open_data, Key="budget.csv")) == ("AccessDenied", 403)
    assert code_of(lambda: anonymous.get_bucket_policy(Bucket=open_data)) == ("AccessDenied", 403)

    s3.delete_bucket_policy(Bucket=open_data)
    assert fetch(url)[0] == 403
    assert code_of(lambda: s3.get_bucket_policy_status(Bucket=open_data)) == ("NoSuchBucketPolicy", 404)


def test_a_health_bucket_refuses_public_access_naming_the_rule(server, anonymous):
    s3 = server.client()
    support.create_classified(s3, "patients", "health")
    s3.put_object(Bucket="patients", Key="record.json", Body=b"{}")
    message = message_of(lambda: s3.put_bucket_policy(Bucket="patients", Policy=json.dumps(read_policy("patients"))))
    assert "the health classification forbids public access" in message
    assert "public-classifications" in message
    assert code_of(lambda: s3.put_bucket_policy(Bucket="patients", Policy=json.dumps(read_policy("patients")))) == ("AccessDenied", 403)
    # Even pinned to an address range: anonymous is anonymous.
    pinned = read_policy("patients", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})
    assert code_of(lambda: s3.put_bucket_policy(Bucket="patients", Policy=json.dumps(pinned))) == ("AccessDenied", 403)
    # An ACL as well, once ACLs are enabled.
    s3.put_bucket_ownership_controls(Bucket="patients", OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    assert "health classification forbids public access" in message_of(
        lambda: s3.put_bucket_acl(Bucket="patients", ACL="public-read"))
    # Nothing was made public: reads and listings stay refused to anonymous callers.
    assert code_of(lambda: anonymous.get_object(Bucket="patients", Key="record.json")) == ("AccessDenied", 403)
    assert code_of(lambda: anonymous.list_objects_v2(Bucket="patients")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.get_bucket_policy(Bucket="patients")) == ("NoSuchBucketPolicy", 404)


def test_nothing_is_public_that_was_not_made_so(server, anonymous):
    s3 = server.client()
    s3.create_bucket(Bucket="private-stuff")  # the default classification, internal
    s3.put_object(Bucket="private-stuff", Key="a.txt", Body=b"secret")
    for call in (
        lambda: anonymous.get_object(Bucket="private-stuff", Key="a.txt"),
        lambda: anonymous.list_objects_v2(Bucket="private-stuff"),
        lambda: anonymous.list_objects(Bucket="private-stuff"),
        lambda: anonymous.put_object(Bucket="private-stuff", Key="b", Body=b"x"),
        lambda: anonymous.list_buckets(),
        lambda: anonymous.get_object(Bucket="no-such-bucket", Key="a.txt"),  # existence is not told
    ):
        assert code_of(call) == ("AccessDenied", 403)
    assert code_of(lambda: anonymous.head_object(Bucket="private-stuff", Key="a.txt"))[1] == 403  # HEAD: no body
    assert fetch(f"{server.endpoint}/private-stuff")[0] == 403
    assert fetch(f"{server.endpoint}/private-stuff/a.txt")[0] == 403


@pytest.mark.parametrize("policy, reason", [
    ("{not json", "invalid Json"),
    ('{"Statement": [{"Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open-data/*"}]}', "Missing required field Effect"),
    ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObjectz", "Resource": "arn:aws:s3:::open-data/*"}]}', "Policy has invalid action"),
    ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::elsewhere/*"}]}', "Policy has invalid resource"),
    ('{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "nobody-at-all"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open-data/*"}]}', "Invalid principal in policy"),
    ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open-data"}]}', "Action does not apply"),
])
def test_malformed_policies_are_refused_with_the_reason(server, open_data, policy, reason):
    s3 = server.client()
    assert code_of(lambda: s3.put_bucket_policy(Bucket=open_data, Policy=policy)) == ("MalformedPolicy", 400)
    assert reason in message_of(lambda: s3.put_bucket_policy(Bucket=open_data, Policy=policy))


def test_an_explicit_deny_beats_a_grant_and_the_owner(server, cli, user_names):
    owner_info = cli.add_user(user_names("owner"))
    reader_info = cli.add_user(user_names("reader"))
    owner, reader = server.client(user_creds(owner_info)), server.client(user_creds(reader_info))
    bucket = "deny-" + owner_info["name"].lower()
    owner.create_bucket(Bucket=bucket)
    for key in ("public/a", "secret/b", "keep/c"):
        owner.put_object(Bucket=bucket, Key=key, Body=key.encode())
    owner.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{reader_info["name"]}"')
    assert reader.get_object(Bucket=bucket, Key="secret/b")["Body"].read() == b"secret/b"

    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "NoSecrets", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::000000000000:user/{reader_info['name']}"},
         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/secret/*"},
        {"Sid": "KeepForever", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
         "Resource": f"arn:aws:s3:::{bucket}/keep/*"},
    ]}))
    assert "NoSecrets" in message_of(lambda: reader.get_object(Bucket=bucket, Key="secret/b"))
    assert reader.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"public/a"
    # The owner too is bound by a Deny, key by key in DeleteObjects...
    assert code_of(lambda: owner.delete_object(Bucket=bucket, Key="keep/c")) == ("AccessDenied", 403)
    result = owner.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "keep/c"}, {"Key": "public/a"}]})
    assert [e["Key"] for e in result.get("Errors", [])] == ["keep/c"] and result["Errors"][0]["Code"] == "AccessDenied"
    assert [d["Key"] for d in result["Deleted"]] == ["public/a"]
    # ...but can always manage the policy itself.
    owner.delete_bucket_policy(Bucket=bucket)
    owner.delete_object(Bucket=bucket, Key="keep/c")


def test_source_ip_conditions_see_the_tcp_peer(server, open_data, anonymous):
    s3 = server.client()
    allowed = read_policy(open_data, Condition={"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}})
    s3.put_bucket_policy(Bucket=open_data, Policy=json.dumps(allowed))
    assert s3.get_bucket_policy_status(Bucket=open_data)["PolicyStatus"]["IsPublic"] is False
    assert anonymous.get_object(Bucket=open_data, Key="budget.csv")["Body"].read().startswith(b"year")
    # A forged X-Forwarded-For changes nothing: no proxy is trusted.
    refused = read_policy(open_data, Condition={"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}})
    s3.put_bucket_policy(Bucket=open_data, Policy=json.dumps(refused))
    assert code_of(lambda: anonymous.get_object(Bucket=open_data, Key="budget.csv")) == ("AccessDenied", 403)
    assert fetch(f"{server.endpoint}/{open_data}/budget.csv", headers={"X-Forwarded-For": "192.0.2.1"})[0] == 403
    # A Deny on the address range refuses even the admin's reads.
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{open_data}/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}]}
    s3.put_bucket_policy(Bucket=open_data, Policy=json.dumps(deny))
    assert code_of(lambda: s3.get_object(Bucket=open_data, Key="budget.csv")) == ("AccessDenied", 403)
    s3.delete_bucket_policy(Bucket=open_data)
    assert s3.get_object(Bucket=open_data, Key="budget.csv")["Body"].read().startswith(b"year")


def test_public_access_block(server, open_data, anonymous):
    s3 = server.client()
    assert code_of(lambda: s3.get_public_access_block(Bucket=open_data)) == ("NoSuchPublicAccessBlockConfiguration", 404)
    s3.put_public_access_block(Bucket=open_data, PublicAccessBlockConfiguration={"BlockPublicPolicy": True})
    assert s3.get_public_access_block(Bucket=open_data)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    assert "BlockPublicPolicy" in message_of(lambda: s3.put_bucket_policy(Bucket=open_data, Policy=json.dumps(read_policy(open_data))))
    s3.delete_public_access_block(Bucket=open_data)
    s3.put_bucket_policy(Bucket=open_data, Policy=json.dumps(read_policy(open_data)))
    assert anonymous.get_object(Bucket=open_data, Key="budget.csv")["Body"].read().startswith(b"year")
    # RestrictPublicBuckets: the public policy stays, and grants anonymous callers nothing.
    s3.put_public_access_block(Bucket=open_data, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    assert code_of(lambda: anonymous.get_object(Bucket=open_data, Key="budget.csv")) == ("AccessDenied", 403)
    s3.delete_public_access_block(Bucket=open_data)
    assert anonymous.get_object(Bucket=open_data, Key="budget.csv")["Body"].read().startswith(b"year")
    s3.delete_bucket_policy(Bucket=open_data)


def test_ownership_controls_and_a_public_read_acl(server, anonymous):
    s3 = server.client()
    support.create_classified(s3, "open-listing", "public")
    s3.put_object(Bucket="open-listing", Key="index.txt", Body=b"index")
    rules = s3.get_bucket_ownership_controls(Bucket="open-listing")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert code_of(lambda: s3.put_bucket_acl(Bucket="open-listing", ACL="public-read")) == ("AccessControlListNotSupported", 400)

    s3.put_bucket_ownership_controls(Bucket="open-listing", OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_bucket_acl(Bucket="open-listing", ACL="public-read")
    grants = s3.get_bucket_acl(Bucket="open-listing")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"} in grants
    # A bucket's READ lists it; reading the objects needs more (a policy).
    assert [o["Key"] for o in anonymous.list_objects_v2(Bucket="open-listing")["Contents"]] == ["index.txt"]
    assert code_of(lambda: anonymous.get_object(Bucket="open-listing", Key="index.txt")) == ("AccessDenied", 403)
    assert code_of(lambda: anonymous.put_object(Bucket="open-listing", Key="x", Body=b"x")) == ("AccessDenied", 403)
    # IgnorePublicAcls makes the grant count for nothing.
    s3.put_public_access_block(Bucket="open-listing", PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert code_of(lambda: anonymous.list_objects_v2(Bucket="open-listing")) == ("AccessDenied", 403)
    s3.delete_public_access_block(Bucket="open-listing")
    # ACLs cannot be disabled while one is public.
    assert code_of(lambda: s3.put_bucket_ownership_controls(
        Bucket="open-listing", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})) == ("InvalidBucketAclWithObjectOwnership", 400)
    s3.put_bucket_acl(Bucket="open-listing", ACL="private")
    s3.put_bucket_ownership_controls(Bucket="open-listing", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert code_of(lambda: anonymous.list_objects_v2(Bucket="open-listing")) == ("AccessDenied", 403)
    s3.delete_bucket_ownership_controls(Bucket="open-listing")
    assert code_of(lambda: s3.get_bucket_ownership_controls(Bucket="open-listing")) == ("OwnershipControlsNotFoundError", 404)


def test_object_acls_make_single_objects_public(server, anonymous):
    s3 = server.client()
    support.create_classified(s3, "open-objects", "public")
    s3.put_bucket_ownership_controls(Bucket="open-objects", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    s3.put_object(Bucket="open-objects", Key="map.geojson", Body=b"{}", ACL="public-read")
    s3.put_object(Bucket="open-objects", Key="draft.txt", Body=b"draft")
    assert anonymous.get_object(Bucket="open-objects", Key="map.geojson")["Body"].read() == b"{}"
    assert anonymous.head_object(Bucket="open-objects", Key="map.geojson")["ContentLength"] == 2
    assert code_of(lambda: anonymous.get_object(Bucket="open-objects", Key="draft.txt")) == ("AccessDenied", 403)
    grants = s3.get_object_acl(Bucket="open-objects", Key="map.geojson")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"} in grants
    # A copy gets the ACL it asks for, never its source's; an overwrite without one is private.
    s3.copy_object(Bucket="open-objects", Key="copy.geojson", CopySource={"Bucket": "open-objects", "Key": "map.geojson"})
    assert code_of(lambda: anonymous.get_object(Bucket="open-objects", Key="copy.geojson")) == ("AccessDenied", 403)
    upload = s3.create_multipart_upload(Bucket="open-objects", Key="big.csv", ACL="public-read")
    part = s3.upload_part(Bucket="open-objects", Key="big.csv", UploadId=upload["UploadId"], PartNumber=1, Body=b"a,b\n")
    s3.complete_multipart_upload(Bucket="open-objects", Key="big.csv", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert anonymous.get_object(Bucket="open-objects", Key="big.csv")["Body"].read() == b"a,b\n"
    s3.put_object(Bucket="open-objects", Key="map.geojson", Body=b"{}")
    assert code_of(lambda: anonymous.get_object(Bucket="open-objects", Key="map.geojson")) == ("AccessDenied", 403)
    # PutObjectAcl changes an existing version's ACL.
    s3.put_object_acl(Bucket="open-objects", Key="map.geojson", ACL="public-read")
    assert anonymous.get_object(Bucket="open-objects", Key="map.geojson")["Body"].read() == b"{}"
    s3.put_object_acl(Bucket="open-objects", Key="map.geojson", ACL="private")
    assert code_of(lambda: anonymous.get_object(Bucket="open-objects", Key="map.geojson")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.put_object_acl(Bucket="open-objects", Key="absent", ACL="public-read")) == ("NoSuchKey", 404)
    # Never on a classification that forbids it (ACLs enabled at creation here).
    s3.create_bucket(Bucket="internal-objects", ObjectOwnership="ObjectWriter")
    assert s3.get_bucket_ownership_controls(Bucket="internal-objects")["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
    assert code_of(lambda: s3.create_bucket(Bucket="badly-owned", ObjectOwnership="Mine")) == ("InvalidArgument", 400)
    assert "internal classification forbids public access" in message_of(
        lambda: s3.put_object(Bucket="internal-objects", Key="x", Body=b"x", ACL="public-read"))
    s3.put_object(Bucket="internal-objects", Key="x", Body=b"x")
    assert code_of(lambda: s3.put_object_acl(Bucket="internal-objects", Key="x", ACL="public-read")) == ("AccessDenied", 403)


def test_anonymous_requests_are_in_the_trail(server, open_data, anonymous, cli):
    s3 = server.client()
    s3.put_bucket_policy(Bucket=open_data, Policy=json.dumps(read_policy(open_data)))
    served = fetch(f"{server.endpoint}/{open_data}/budget.csv")
    refused = fetch(f"{server.endpoint}/{open_data}?list-type=2")
    s3.delete_bucket_policy(Bucket=open_data)
    assert (served[0], refused[0]) == (200, 403)
    out = cli("audit", "query", "--bucket", open_data).check()
    records = {r["requestId"]: r for r in (json.loads(line) for line in out.stdout.splitlines() if line.strip())}
    read = records[served[1]["x-amz-request-id"]]
    assert (read["user"], read["sourceAddress"], read["operation"], read["status"]) == ("anonymous", "127.0.0.1", "GetObject", 200)
    listing = records[refused[1]["x-amz-request-id"]]
    assert (listing["user"], listing["operation"], listing["errorCode"]) == ("anonymous", "ListObjectsV2", "AccessDenied")
    put = [r for r in records.values() if r["operation"] == "PutBucketPolicy" and r["status"] == 204]
    assert put and "anonymous access allowed" in put[-1]["detail"]


def test_cors_rules_and_preflight(server, open_data):
    s3 = server.client()
    assert code_of(lambda: s3.get_bucket_cors(Bucket=open_data)) == ("NoSuchCORSConfiguration", 404)
    rule = {"ID": "portal", "AllowedOrigins": ["https://*.example.org"], "AllowedMethods": ["GET", "PUT"],
            "AllowedHeaders": ["content-type", "x-amz-*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}
    s3.put_bucket_cors(Bucket=open_data, CORSConfiguration={"CORSRules": [rule]})
    assert s3.get_bucket_cors(Bucket=open_data)["CORSRules"] == [rule]
    assert code_of(lambda: s3.put_bucket_cors(Bucket=open_data, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})) == ("InvalidRequest", 400)

    url = f"{server.endpoint}/{open_data}/budget.csv"
    status, headers, _ = fetch(url, "OPTIONS", {"Origin": "https://maps.example.org", "Access-Control-Request-Method": "PUT",
                                                "Access-Control-Request-Headers": "Content-Type, X-Amz-Date"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://maps.example.org"
    assert headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    assert headers["Access-Control-Max-Age"] == "600"
    for origin, method in (("https://evil.example.com", "GET"), ("https://maps.example.org", "DELETE")):
        status, _, body = fetch(url, "OPTIONS", {"Origin": origin, "Access-Control-Request-Method": method})
        assert status == 403 and b"<Code>CORSResponse</Code>" in body
    # An actual request whose Origin matches gets the headers (a refusal too, so a page can read it).
    status, headers, _ = fetch(url, headers={"Origin": "https://maps.example.org"})
    assert status == 403
    assert headers["Access-Control-Allow-Origin"] == "https://maps.example.org"
    assert headers["Access-Control-Expose-Headers"] == "ETag"
    assert "Access-Control-Allow-Origin" not in fetch(url, headers={"Origin": "https://evil.example.com"})[1]
    s3.delete_bucket_cors(Bucket=open_data)
    assert fetch(url, "OPTIONS", {"Origin": "https://maps.example.org", "Access-Control-Request-Method": "GET"})[0] == 403
