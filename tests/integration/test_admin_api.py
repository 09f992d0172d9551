"""The admin API's calls for the web console (docs/admin-api.md), signed as any admin client signs
them (botocore's SigV4, header or query), with long-lived keys and with session credentials:

- `whoami`: any signed caller learns its user, role and session (expiration, role, subject);
  an unsigned request is refused;
- `users`: admins list, create (the secret shown once, and working at once) and delete users,
  with the CLI's rules (`UserAdministration`): a taken name, a bad name or role, a user that does
  not exist, removing oneself, each with its S3-style error; a non-admin is refused;
- `buckets`, `buckets/grant`, `buckets/revoke`: admins see owners, classifications and grants,
  and a grant or revoke takes effect on the next S3 request; an auditor cannot be granted;
- `placement/explain`: any signed caller gets `souverain placement explain` as JSON;
- `audit/verify`: admins and auditors verify the trail; a tampered record makes it invalid;
- GetSessionToken sessions reach the admin API with exactly their user's role, never more; a
  role session reaches what its permission policy names (`souverain:<Action>`) and the routes open
  to anyone signed, nothing else;
- an unknown route is NotImplemented once signed (a known one with another method MethodNotAllowed), AccessDenied unsigned; a gate's refusal names
  the action and the role it needs;
- every call is a record of the trail under its action name, and the secret of a user created
  is not in it.
"""

from __future__ import annotations

import json
import urllib.parse

import boto3
import pytest
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

import support
from support import Creds, Server, code_of, user_creds

pytestmark = pytest.mark.souverain_only


def admin_api(server: Server, method: str, path: str, creds: Credentials | Creds | None, body=None,
              query: dict[str, str] | None = None) -> support.RawResponse:
    """One admin API call, header-signed (with the session token when the credentials carry one);
    `body` is sent as JSON unless it is bytes; `creds=None` sends it unsigned."""
    if isinstance(creds, Creds):
        creds = creds.botocore()
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    target = "/_souverain/" + path + (("?" + urllib.parse.urlencode(query)) if query else "")
    headers = {"Content-Type": "application/json"} if data else {}
    if creds is None:
        return support.send(server.endpoint, method, target, {"Host": server.endpoint.removeprefix("http://"), **headers}, data)
    request = AWSRequest(method=method, url=server.endpoint + target, data=data, headers=headers)
    request.headers["Host"] = server.endpoint.removeprefix("http://")
    request.headers["x-amz-content-sha256"] = support.sha256(data)
    SigV4Auth(creds, "s3", server.region).add_auth(request)
    return support.send(server.endpoint, method, target, dict(request.headers.items()), data)


def answer(response: support.RawResponse, status: int = 200) -> dict:
    assert response.status == status, response.describe()
    assert response.header("content-type") == "application/json", response.describe()
    return json.loads(response.body)


def refused(response: support.RawResponse, code: str, status: int) -> None:
    assert (response.status, response.error_code) == (status, code), response.describe()


def session_credentials(server: Server, creds: Creds) -> Credentials:
    sts = boto3.session.Session().client(
        "sts", endpoint_url=server.endpoint, region_name=server.region, aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    issued = sts.get_session_token(DurationSeconds=900)["Credentials"]
    return Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])


@pytest.fixture(scope="module")
def cli(server):
    return support.SouverainCli(server.data_dir)


@pytest.fixture(scope="module")
def alice(cli):
    return user_creds(cli.add_user("adm-alice"))


@pytest.fixture(scope="module")
def auditor(cli):
    return user_creds(cli.add_user("adm-auditor", role="auditor"))


def records(server: Server, operation: str) -> list[dict]:
    response = admin_api(server, "GET", "audit/records", server.admin(), query={"operation": operation})
    assert response.status == 200, response.describe()
    return [json.loads(line) for line in response.body.decode().splitlines() if line.strip()]


def test_whoami_names_the_caller_its_role_and_its_session(server, alice):
    me = answer(admin_api(server, "GET", "whoami", server.admin()))
    assert me == {"user": "admin", "role": "admin", "accessKeyId": server.admin().access_key, "session": None}
    assert answer(admin_api(server, "GET", "whoami", alice))["role"] == "user"
    session = session_credentials(server, alice)
    seen = answer(admin_api(server, "GET", "whoami", session))
    assert seen["user"] == "adm-alice" and seen["role"] == "user" and seen["accessKeyId"] == session.access_key
    assert seen["session"]["role"] is None and seen["session"]["subject"] is None
    assert seen["session"]["expiration"].endswith("Z") and seen["session"]["expiration"][:4].isdigit()
    refused(admin_api(server, "GET", "whoami", None), "AccessDenied", 403)
    refused(admin_api(server, "GET", "whoami", Creds(alice.access_key, "wrong" + alice.secret_key[5:])), "SignatureDoesNotMatch", 403)


def test_a_query_signed_admin_call_is_accepted(server, alice):
    request = AWSRequest(method="GET", url=server.endpoint + "/_souverain/whoami")
    request.headers["Host"] = server.endpoint.removeprefix("http://")
    S3SigV4QueryAuth(alice.botocore(), "s3", server.region, expires=300).add_auth(request)
    target = request.url.removeprefix(server.endpoint)
    response = support.send(server.endpoint, "GET", target, {"Host": request.headers["Host"]})
    assert answer(response)["user"] == "adm-alice"


def test_admins_create_list_and_delete_users(server, cli, alice):
    created = answer(admin_api(server, "POST", "users", server.admin(), {"name": "adm-bob", "role": "user"}))
    assert set(created) == {"id", "name", "role", "accessKeyId", "secretAccessKey"}
    assert created["name"] == "adm-bob" and created["role"] == "user" and len(created["secretAccessKey"]) == 40
    bob = Creds(created["accessKeyId"], created["secretAccessKey"])
    # The secret works at once, with any S3 client.
    assert support.s3_client(server.endpoint, bob).list_buckets()["Buckets"] == []
    listed = answer(admin_api(server, "GET", "users", server.admin()))["users"]
    mine = next(u for u in listed if u["name"] == "adm-bob")
    assert mine == {"id": created["id"], "name": "adm-bob", "role": "user", "accessKeyId": created["accessKeyId"]}
    assert all("secret" not in json.dumps(u).lower() for u in listed)
    # One catalogue: the CLI sees the API's user, the API the CLI's.
    assert any(u["name"] == "adm-bob" for u in cli.list_users())
    assert any(u["name"] == "adm-alice" for u in listed)
    # The CLI's rules, as S3-style errors.
    refused(admin_api(server, "POST", "users", server.admin(), {"name": "adm-bob"}), "EntityAlreadyExists", 409)
    refused(admin_api(server, "POST", "users", server.admin(), {"name": "no spaces/here"}), "InvalidArgument", 400)
    refused(admin_api(server, "POST", "users", server.admin(), {"name": "adm-x", "role": "root"}), "InvalidArgument", 400)
    refused(admin_api(server, "POST", "users", server.admin(), b"{not json"), "InvalidArgument", 400)
    refused(admin_api(server, "DELETE", "users", server.admin(), query={"name": "adm-nobody"}), "NoSuchEntity", 404)
    refused(admin_api(server, "DELETE", "users", server.admin(), query={"name": "admin"}), "InvalidArgument", 400)
    refused(admin_api(server, "DELETE", "users", server.admin()), "InvalidArgument", 400)
    # Only admins.
    refused(admin_api(server, "GET", "users", alice), "AccessDenied", 403)
    refused(admin_api(server, "POST", "users", alice, {"name": "adm-evil", "role": "admin"}), "AccessDenied", 403)
    assert not any(u["name"] == "adm-evil" for u in cli.list_users())
    # Deleted: 204, and its key is refused from then on.
    deleted = admin_api(server, "DELETE", "users", server.admin(), query={"name": "adm-bob"})
    assert deleted.status == 204 and deleted.body == b"", deleted.describe()
    assert code_of(lambda: support.s3_client(server.endpoint, bob).list_buckets()) == ("InvalidAccessKeyId", 403)
    # The trail has each call under its action name, and never the secret.
    created_records = [r for r in records(server, "CreateUser") if r["status"] == 200]
    assert any("adm-bob" in r.get("detail", "") for r in created_records)
    assert created["secretAccessKey"] not in json.dumps(records(server, "CreateUser"))
    assert any(r["status"] == 204 for r in records(server, "DeleteUser"))
    assert any(r["status"] == 403 and r["user"].startswith("adm-alice") for r in records(server, "ListUsers"))


def test_a_user_owning_buckets_is_removed_only_once_they_are_given_away(server, cli):
    created = answer(admin_api(server, "POST", "users", server.admin(), {"name": "adm-carol"}))
    carol = Creds(created["accessKeyId"], created["secretAccessKey"])
    owned = support.unique_bucket_name("adm-carol")
    support.s3_client(server.endpoint, carol).create_bucket(Bucket=owned)
    refused(admin_api(server, "DELETE", "users", server.admin(), query={"name": "adm-carol"}), "DeleteConflict", 409)
    gone = admin_api(server, "DELETE", "users", server.admin(), query={"name": "adm-carol", "reassignTo": "admin"})
    assert gone.status == 204, gone.describe()
    buckets = answer(admin_api(server, "GET", "buckets", server.admin()))["buckets"]
    assert next(b for b in buckets if b["name"] == owned)["owner"] == "admin"


def test_grants_are_listed_given_and_revoked_by_admins(server, cli, alice, auditor):
    shared = support.unique_bucket_name("adm-shared")
    support.s3_client(server.endpoint, alice).create_bucket(Bucket=shared)
    support.s3_client(server.endpoint, alice).put_object(Bucket=shared, Key="report.csv", Body=b"a,b\n")
    dave = user_creds(cli.add_user("adm-dave"))
    s3_dave = support.s3_client(server.endpoint, dave)
    assert code_of(lambda: s3_dave.get_object(Bucket=shared, Key="report.csv")) == ("AccessDenied", 403)

    granted = answer(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": shared, "user": "adm-dave", "access": "read"}))
    assert granted == {"bucket": shared, "user": "adm-dave", "access": "read"}
    assert s3_dave.get_object(Bucket=shared, Key="report.csv")["Body"].read() == b"a,b\n"
    assert code_of(lambda: s3_dave.put_object(Bucket=shared, Key="x", Body=b"x")) == ("AccessDenied", 403)
    listed = answer(admin_api(server, "GET", "buckets", server.admin()))["buckets"]
    entry = next(b for b in listed if b["name"] == shared)
    assert entry["owner"] == "adm-alice" and entry["classification"]
    assert entry["grants"] == [{"user": "adm-dave", "access": "read"}]

    answer(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": shared, "user": "adm-dave", "access": "read-write"}))
    s3_dave.put_object(Bucket=shared, Key="x", Body=b"x")

    refused(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": shared, "user": "adm-dave", "access": "all"}), "InvalidArgument", 400)
    refused(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": "adm-no-such-bucket", "user": "adm-dave", "access": "read"}), "NoSuchBucket", 404)
    refused(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": shared, "user": "adm-nobody", "access": "read"}), "NoSuchEntity", 404)
    refused(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": shared, "user": "adm-auditor", "access": "read"}), "InvalidArgument", 400)
    refused(admin_api(server, "POST", "buckets/grant", server.admin(), {"bucket": shared}), "InvalidArgument", 400)
    refused(admin_api(server, "POST", "buckets/grant", alice, {"bucket": shared, "user": "adm-dave", "access": "read"}), "AccessDenied", 403)
    refused(admin_api(server, "GET", "buckets", alice), "AccessDenied", 403)

    revoked = admin_api(server, "POST", "buckets/revoke", server.admin(), {"bucket": shared, "user": "adm-dave"})
    assert revoked.status == 204, revoked.describe()
    assert code_of(lambda: s3_dave.get_object(Bucket=shared, Key="report.csv")) == ("AccessDenied", 403)
    refused(admin_api(server, "POST", "buckets/revoke", server.admin(), {"bucket": shared, "user": "adm-dave"}), "NoSuchEntity", 404)
    # The trail names the bucket of each grant and revoke.
    assert any(r.get("bucket") == shared and r["status"] == 200 for r in records(server, "GrantBucket"))
    assert any(r.get("bucket") == shared and r["status"] == 204 for r in records(server, "RevokeBucket"))
    assert records(server, "ListBucketGrants")


def test_placement_is_explained_to_any_signed_caller_as_the_cli_explains_it(server, cli, alice):
    explained = answer(admin_api(server, "GET", "placement/explain", alice, query={"classification": "internal"}))
    assert explained["classification"] == "internal" and explained["allowed"] is True
    local = next(l for l in explained["locations"] if l["name"] == "local")
    assert local["accepted"] is True and local["reasons"] == [] and local["country"]
    # The summary is the CLI's text (but for the first line's time of decision).
    text = cli("placement", "explain", "--classification", "internal").check().stdout
    assert explained["summary"].splitlines()[1:] == text.splitlines()[1:]
    unknown = answer(admin_api(server, "GET", "placement/explain", alice, query={"classification": "adm-no-such-class"}))
    assert unknown["allowed"] is False and unknown["message"]
    refused(admin_api(server, "GET", "placement/explain", alice), "InvalidArgument", 400)
    refused(admin_api(server, "GET", "placement/explain", None, query={"classification": "internal"}), "AccessDenied", 403)
    assert any(r["status"] == 200 and r["user"].startswith("adm-alice") for r in records(server, "ExplainPlacement"))


def test_admins_and_auditors_verify_the_trail(server, alice, auditor):
    verified = answer(admin_api(server, "GET", "audit/verify", server.admin()))
    assert verified["valid"] is True
    [trail] = verified["trails"]
    assert trail["id"] and len(trail["trailId"]) == 32 and trail["failures"] == [] and trail["records"] > 0 and trail["lastSequence"] > 0
    assert answer(admin_api(server, "GET", "audit/verify", auditor))["valid"] is True
    refused(admin_api(server, "GET", "audit/verify", alice), "AccessDenied", 403)
    assert {r["status"] for r in records(server, "VerifyAuditTrail")} >= {200, 403}


def test_a_tampered_trail_does_not_verify(server_factory):
    srv = server_factory()
    s3 = srv.client()
    s3.create_bucket(Bucket="adm-tamper")
    for i in range(20):
        s3.put_object(Bucket="adm-tamper", Key=f"k{i}", Body=b"x")
    assert answer(admin_api(srv, "GET", "audit/verify", srv.admin()))["valid"] is True
    segment = sorted((srv.data_dir / "audit").glob("audit-*.log"))[0]
    with open(segment, "r+b") as file:
        data = file.read()
        index = data.index(b"k13")
        file.seek(index + 1)
        file.write(bytes([data[index + 1] ^ 0x01]))  # k13 -> k03 inside its record's bytes
    broken = answer(admin_api(srv, "GET", "audit/verify", srv.admin()))
    assert broken["valid"] is False
    assert broken["trails"][0]["failures"] and "sequence" in broken["trails"][0]["failures"][0]


def test_a_session_has_its_users_role_on_the_admin_api_never_more(server, alice, auditor):
    admin_session = session_credentials(server, server.admin())
    assert "users" in answer(admin_api(server, "GET", "users", admin_session))
    user_session = session_credentials(server, alice)
    refused(admin_api(server, "GET", "users", user_session), "AccessDenied", 403)
    refused(admin_api(server, "GET", "audit/records", user_session), "AccessDenied", 403)
    # An auditor signs in with a session too: it verifies and reads the trail, and nothing else.
    auditor_session = session_credentials(server, auditor)
    assert answer(admin_api(server, "GET", "whoami", auditor_session))["role"] == "auditor"
    assert answer(admin_api(server, "GET", "audit/verify", auditor_session))["valid"] is True
    assert admin_api(server, "GET", "audit/records", auditor_session, query={"limit": "1"}).status == 200
    refused(admin_api(server, "GET", "users", auditor_session), "AccessDenied", 403)
    refused(admin_api(server, "POST", "buckets/grant", auditor_session, {"bucket": "x", "user": "adm-alice", "access": "read"}), "AccessDenied", 403)
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name=server.region, aws_access_key_id=auditor_session.access_key,
        aws_secret_access_key=auditor_session.secret_key, aws_session_token=auditor_session.token,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    assert code_of(lambda: s3.list_buckets()) == ("AccessDenied", 403)
    # A session's records name it and its user.
    assert any("session" in r["user"] and "adm-auditor" in r["user"] for r in records(server, "VerifyAuditTrail"))


def test_a_role_session_reaches_what_its_policy_names_and_the_open_routes(server, alice):
    trust = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "adm-alice"}, "Action": "sts:AssumeRole"}}
    permissions = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "souverain:ListUsers", "Resource": "*"}}
    created = admin_api(server, "POST", "roles", server.admin(), {"name": "adm-user-lister", "trustPolicy": trust, "permissionPolicy": permissions})
    assert created.status == 200, created.describe()
    sts = boto3.session.Session().client(
        "sts", endpoint_url=server.endpoint, region_name=server.region, aws_access_key_id=alice.access_key,
        aws_secret_access_key=alice.secret_key, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    issued = sts.assume_role(RoleArn="arn:aws:iam::souverain:role/adm-user-lister", RoleSessionName="console")["Credentials"]
    session = Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    seen = answer(admin_api(server, "GET", "whoami", session))
    assert seen["user"] == "adm-alice" and seen["role"] == "user" and seen["session"]["role"] == "adm-user-lister"
    assert answer(admin_api(server, "GET", "placement/explain", session, query={"classification": "internal"}))["allowed"] is True
    assert "users" in answer(admin_api(server, "GET", "users", session))
    refused(admin_api(server, "GET", "buckets", session), "AccessDenied", 403)
    refused(admin_api(server, "GET", "audit/verify", session), "AccessDenied", 403)


def test_an_unknown_route_is_not_implemented_once_signed(server, alice):
    refused(admin_api(server, "GET", "nothing-here", server.admin()), "NotImplemented", 501)
    refused(admin_api(server, "PUT", "users", server.admin()), "MethodNotAllowed", 405)
    refused(admin_api(server, "GET", "nothing-here", None), "AccessDenied", 403)
    denied = admin_api(server, "GET", "keys", alice)
    refused(denied, "AccessDenied", 403)
    assert b"ListKeys needs the admin role" in denied.body
