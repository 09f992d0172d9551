"""Temporary credentials (docs/sts.md): roles, STS on the S3 endpoint, sessions, OpenID Connect.

- Roles are created by admins through `/_souverain/roles` and `souverain role create`; a
  malformed policy is refused with the reason, a non-admin is refused.
- AssumeRole (boto3's sts client, `endpoint_url` = the server): the session may do what the
  role's permission policy allows and nothing else (another action, another bucket, creating a
  bucket, the admin API); a user the trust policy does not name is refused.
- GetSessionToken: the user's own permissions, and its own role on the admin API (never more).
- A session expires at its stated time (`sts-min-session-seconds` lowered to 2 for this module)
  and is then refused with ExpiredToken; a tampered, missing or foreign token with InvalidToken;
  a deleted role's sessions with InvalidToken.
- AssumeRoleWithWebIdentity with an OpenID Connect issuer started here (Authlib signs RS256
  tokens; a small http.server serves the discovery document and the JWKS on a loopback port):
  a valid token gives working credentials; wrong aud, wrong iss, expired, bad signature and a
  claim the trust policy does not match are refused with STS's codes; the PUT made with the
  session is in the audit trail under the role and the token's subject.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import support
from support import Creds, Server, SouverainCli, code_of, user_creds

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose announces joserfc; its API is what tests need
    from authlib.jose import JsonWebKey, jwt

pytestmark = pytest.mark.souverain_only

AUDIENCE = "souverain"


class Issuer:
    """An OpenID Connect issuer on a free loopback port: a discovery document, a JWKS, and RS256
    ID tokens signed with its key (Authlib)."""

    def __init__(self):
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.port = support.free_port()
        self.url = f"http://127.0.0.1:{self.port}/realms/staff"
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/realms/staff/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/certs",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/realms/staff/certs":
                    body = {"keys": [issuer.key.as_dict(is_private=False, use="sig", alg="RS256")]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def token(self, sub="ann", aud=AUDIENCE, iss=None, email="ann@example.org", lifetime=300, key=None) -> str:
        now = int(time.time())
        claims = {"iss": iss or self.url, "sub": sub, "aud": aud, "iat": now, "nbf": now - 5, "exp": now + lifetime,
                  "email": email}
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key or self.key).decode()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def issuer():
    running = Issuer()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server(module_dir, issuer):
    """One server for the module: sessions as short as 2 seconds, the test's issuer trusted."""
    srv = Server(module_dir / "data", module_dir / "logs", name="server")
    srv.extra_env["SOUVERAIN_STS_MIN_SESSION_SECONDS"] = "2"
    srv.extra_env["SOUVERAIN_OIDC_ISSUERS"] = f"{issuer.url}={AUDIENCE}"
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def cli(server):
    return SouverainCli(server.data_dir)


@pytest.fixture(scope="module")
def alice(cli):
    return user_creds(cli.add_user("sts-alice"))


@pytest.fixture(scope="module")
def bob(cli):
    return user_creds(cli.add_user("sts-bob"))


def sts_client(server: Server, creds: Creds | None = None):
    creds = creds or server.admin()
    return boto3.session.Session().client(
        "sts", endpoint_url=server.endpoint, region_name=server.region,
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        # botocore checks DurationSeconds >= 900 itself: off, so the server's own checks (and the
        # module's lowered minimum) are what is tested.
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False))


def session_s3(server: Server, credentials: dict, token: str | None = None):
    """A boto3 S3 client with a session's credentials (`token` overrides its SessionToken)."""
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name=server.region,
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"] if token is None else token,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}))


def admin_api(server: Server, method: str, path: str, creds: Credentials, body: bytes = b"", query: str = "") -> support.RawResponse:
    """A SigV4-signed admin API call, with a session token when the credentials carry one."""
    target = path + (f"?{query}" if query else "")
    request = AWSRequest(method=method, url=server.endpoint + target, data=body,
                         headers={"Content-Type": "application/json"} if body else {})
    request.headers["Host"] = server.endpoint.removeprefix("http://")
    request.headers["x-amz-content-sha256"] = support.sha256(body)
    SigV4Auth(creds, "s3", server.region).add_auth(request)
    return support.send(server.endpoint, method, target, dict(request.headers.items()), body)


def create_role(server: Server, name: str, trust: dict, permissions: dict, creds: Credentials | None = None, **extra) -> support.RawResponse:
    body = json.dumps({"name": name, "trustPolicy": trust, "permissionPolicy": permissions, **extra}).encode()
    return admin_api(server, "POST", "/_souverain/roles", creds or server.admin().botocore(), body)


def role_arn(name: str) -> str:
    return f"arn:aws:iam::souverain:role/{name}"


def sts_code(call) -> tuple[str, int]:
    with pytest.raises(ClientError) as refused:
        call()
    return support.error_code(refused.value), support.http_code(refused.value)


@pytest.fixture(scope="module")
def buckets(s3):
    reports, other = support.unique_bucket_name("sts-reports"), support.unique_bucket_name("sts-other")
    for name in (reports, other):
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="a.csv", Body=b"a,b\n")
    return reports, other


@pytest.fixture(scope="module")
def writer_role(server, buckets, alice):
    reports, _ = buckets
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::souverain:user/sts-alice"},
                                                    "Action": "sts:AssumeRole"}]}
    permissions = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{reports}/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{reports}"},
    ]}
    created = create_role(server, "reports-writer", trust, permissions)
    assert created.status == 200, created.describe()
    return "reports-writer"


def test_roles_are_managed_by_admins_and_malformed_policies_refused(server, cli, alice, tmp_path):
    trust = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "sts-alice"}, "Action": "sts:AssumeRole"}}
    good = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    bad = create_role(server, "bad", trust, {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}})
    assert (bad.status, bad.error_code) == (400, "MalformedPolicy"), bad.describe()
    assert b"Principal" in bad.body
    unknown = create_role(server, "bad", {**trust, "Statement": {**trust["Statement"], "Principal": {"AWS": "nobody-here"}}}, good)
    assert (unknown.status, unknown.error_code) == (400, "MalformedPolicy"), unknown.describe()
    refused = create_role(server, "mine", trust, good, creds=alice.botocore())
    assert refused.status == 403, refused.describe()
    # The CLI writes the same catalogue; the admin API lists what it made.
    (tmp_path / "trust.json").write_text(json.dumps(trust))
    (tmp_path / "permissions.json").write_text(json.dumps(good))
    cli("role", "create", "cli-reader", "--trust-policy", str(tmp_path / "trust.json"),
        "--permission-policy", str(tmp_path / "permissions.json"), "--max-session-seconds", "7200").check()
    listed = admin_api(server, "GET", "/_souverain/roles", server.admin().botocore())
    assert listed.status == 200, listed.describe()
    roles = {r["name"]: r for r in json.loads(listed.body)["roles"]}
    assert roles["cli-reader"]["maxSessionSeconds"] == 7200
    assert roles["cli-reader"]["arn"] == role_arn("cli-reader")
    assert "cli-reader" in cli("role", "list").check().stdout


def test_assumed_role_does_what_its_permission_policy_allows_and_nothing_else(server, buckets, writer_role, alice, bob):
    reports, other = buckets
    answer = sts_client(server, alice).assume_role(RoleArn=role_arn(writer_role), RoleSessionName="nightly-export")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::souverain:assumed-role/{writer_role}/nightly-export"
    lifetime = credentials["Expiration"].timestamp() - time.time()
    assert 3500 < lifetime <= 3600, lifetime  # the default hour

    s3 = session_s3(server, credentials)
    assert s3.get_object(Bucket=reports, Key="a.csv")["Body"].read() == b"a,b\n"
    s3.put_object(Bucket=reports, Key="from-session.csv", Body=b"x")
    assert "from-session.csv" in [o["Key"] for o in s3.list_objects_v2(Bucket=reports)["Contents"]]
    # A presigned URL carries the token as X-Amz-Security-Token.
    url = s3.generate_presigned_url("get_object", Params={"Bucket": reports, "Key": "a.csv"}, ExpiresIn=300)
    assert "X-Amz-Security-Token=" in url
    with urllib.request.urlopen(url, timeout=10) as presigned:
        assert presigned.read() == b"a,b\n"
    # Nothing the policy does not name: another action, another bucket, a new bucket, the admin API.
    assert code_of(lambda: s3.delete_object(Bucket=reports, Key="a.csv")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.get_object(Bucket=other, Key="a.csv")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.put_object(Bucket=other, Key="b", Body=b"x")) == ("AccessDenied", 403)
    assert code_of(lambda: s3.create_bucket(Bucket=support.unique_bucket_name("sts-new"))) == ("AccessDenied", 403)
    session_creds = Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    trail = admin_api(server, "GET", "/_souverain/audit/records", session_creds)
    assert trail.status == 403, trail.describe()
    roles = admin_api(server, "GET", "/_souverain/roles", session_creds)
    assert roles.status == 403, roles.describe()
    # A user the trust policy does not name; a role that does not exist; too long a session.
    assert sts_code(lambda: sts_client(server, bob).assume_role(RoleArn=role_arn(writer_role), RoleSessionName="x1")) == ("AccessDenied", 403)
    assert sts_code(lambda: sts_client(server, alice).assume_role(RoleArn=role_arn("absent"), RoleSessionName="x1")) == ("AccessDenied", 403)
    assert sts_code(lambda: sts_client(server, alice).assume_role(
        RoleArn=role_arn(writer_role), RoleSessionName="x1", DurationSeconds=7200)) == ("ValidationError", 400)
    # Neither the session's secret nor its token reaches the server's output.
    out, log = server.all_output()
    for secret in (credentials["SecretAccessKey"], credentials["SessionToken"]):
        assert secret not in out and secret not in log
    # An unknown access key, a wrong secret: STS's codes.
    assert sts_code(lambda: sts_client(server, Creds("AKIAUNKNOWN000000000", "x" * 40)).get_session_token()) == ("InvalidClientTokenId", 403)
    assert sts_code(lambda: sts_client(server, Creds(alice.access_key, "wrong" * 8)).get_session_token()) == ("SignatureDoesNotMatch", 403)
    # A session cannot ask for another one.
    assert sts_code(lambda: boto3.session.Session().client(
        "sts", endpoint_url=server.endpoint, region_name=server.region, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
    ).get_session_token())[1] == 403


def test_a_bucket_policy_deny_still_applies_to_a_session(server, s3, buckets, writer_role, alice):
    reports, _ = buckets
    s3.put_bucket_policy(Bucket=reports, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{reports}/frozen/*"}]}))
    try:
        credentials = sts_client(server, alice).assume_role(RoleArn=role_arn(writer_role), RoleSessionName="deny-check")["Credentials"]
        session = session_s3(server, credentials)
        session.put_object(Bucket=reports, Key="open/x", Body=b"x")
        assert code_of(lambda: session.put_object(Bucket=reports, Key="frozen/x", Body=b"x")) == ("AccessDenied", 403)
    finally:
        s3.delete_bucket_policy(Bucket=reports)


def test_get_session_token_acts_as_the_user_with_its_own_role(server, alice):
    own = support.unique_bucket_name("sts-alice-own")
    support.s3_client(server.endpoint, alice).create_bucket(Bucket=own)
    credentials = sts_client(server, alice).get_session_token(DurationSeconds=900)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    s3 = session_s3(server, credentials)
    s3.put_object(Bucket=own, Key="k", Body=b"mine")
    assert s3.get_object(Bucket=own, Key="k")["Body"].read() == b"mine"
    # A session has its user's role on the admin API, never more: alice's (a user) is refused...
    refused = admin_api(server, "GET", "/_souverain/audit/records",
                        Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]))
    assert refused.status == 403 and refused.error_code == "AccessDenied", refused.describe()
    # ...the admin's reads the trail as the admin.
    admin = sts_client(server).get_session_token()["Credentials"]
    allowed = admin_api(server, "GET", "/_souverain/audit/records",
                        Credentials(admin["AccessKeyId"], admin["SecretAccessKey"], admin["SessionToken"]), query="limit=1")
    assert allowed.status == 200, allowed.describe()
    assert sts_code(lambda: sts_client(server, alice).get_session_token(DurationSeconds=1)) == ("ValidationError", 400)


def test_an_expired_session_is_refused_and_a_tampered_token_is_invalid(server, buckets, writer_role, alice):
    reports, _ = buckets
    credentials = sts_client(server, alice).assume_role(
        RoleArn=role_arn(writer_role), RoleSessionName="short", DurationSeconds=3)["Credentials"]
    s3 = session_s3(server, credentials)
    # Valid until its stated expiration (3 seconds at most, whole seconds)...
    assert s3.get_object(Bucket=reports, Key="a.csv")["Body"].read() == b"a,b\n"
    token = credentials["SessionToken"]
    # ...altered anywhere, missing, or another session's: InvalidToken.
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    assert code_of(lambda: session_s3(server, credentials, tampered).get_object(Bucket=reports, Key="a.csv")) == ("InvalidToken", 400)
    other = sts_client(server, alice).assume_role(RoleArn=role_arn(writer_role), RoleSessionName="other")["Credentials"]
    assert code_of(lambda: session_s3(server, credentials, other["SessionToken"]).get_object(Bucket=reports, Key="a.csv")) == ("InvalidToken", 400)
    without = boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name=server.region, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    assert code_of(lambda: without.get_object(Bucket=reports, Key="a.csv")) == ("InvalidToken", 400)
    # ...and refused once its expiration has passed (a bounded wait of 3 seconds at most).
    time.sleep(max(0.0, credentials["Expiration"].timestamp() - time.time()) + 0.2)
    assert code_of(lambda: s3.get_object(Bucket=reports, Key="a.csv")) == ("ExpiredToken", 400)


def test_a_deleted_roles_sessions_are_refused(server, buckets, alice):
    reports, _ = buckets
    trust = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "sts-alice"}, "Action": "sts:AssumeRole"}}
    permissions = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    assert create_role(server, "short-lived", trust, permissions).status == 200
    credentials = sts_client(server, alice).assume_role(RoleArn=role_arn("short-lived"), RoleSessionName="s1")["Credentials"]
    s3 = session_s3(server, credentials)
    s3.get_object(Bucket=reports, Key="a.csv")
    deleted = admin_api(server, "DELETE", "/_souverain/roles", server.admin().botocore(), query="name=short-lived")
    assert deleted.status == 200, deleted.describe()
    assert code_of(lambda: s3.get_object(Bucket=reports, Key="a.csv")) == ("InvalidToken", 400)


@pytest.fixture(scope="module")
def web_role(server, buckets, issuer):
    reports, _ = buckets
    prefix = issuer.url.removeprefix("http://")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": issuer.url}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{prefix}:aud": AUDIENCE}, "StringLike": {f"{prefix}:email": "*@example.org"}}}]}
    permissions = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{reports}/web/*"}]}
    created = create_role(server, "web-uploader", trust, permissions)
    assert created.status == 200, created.describe()
    return "web-uploader"


def assume_web(server, role: str, token: str, session: str = "ann-laptop"):
    # Unsigned, as the SDKs send it: the token is the credential.
    return sts_client(server).assume_role_with_web_identity(RoleArn=role_arn(role), RoleSessionName=session, WebIdentityToken=token)


def test_a_web_identity_gets_working_credentials_recorded_under_its_subject(server, buckets, web_role, issuer):
    reports, _ = buckets
    answer = assume_web(server, web_role, issuer.token(sub="ann-42"))
    assert answer["SubjectFromWebIdentityToken"] == "ann-42"
    assert answer["Audience"] == AUDIENCE
    s3 = session_s3(server, answer["Credentials"])
    s3.put_object(Bucket=reports, Key="web/upload.txt", Body=b"from the browser")
    assert s3.get_object(Bucket=reports, Key="web/upload.txt")["Body"].read() == b"from the browser"
    assert code_of(lambda: s3.put_object(Bucket=reports, Key="elsewhere.txt", Body=b"x")) == ("AccessDenied", 403)
    trail = support.request(server.endpoint, server.admin(), "GET", raw_path="/_souverain/audit/records",
                            query={"bucket": reports, "key": "web/upload.txt", "operation": "PutObject"})
    assert trail.status == 200, trail.describe()
    records = [json.loads(line) for line in trail.body.decode().splitlines()]
    assert len(records) == 1, records
    user = records[0]["user"]
    assert "role web-uploader session ann-laptop" in user and f"web identity {issuer.url} subject ann-42" in user, user
    issued = support.request(server.endpoint, server.admin(), "GET", raw_path="/_souverain/audit/records",
                             query={"operation": "AssumeRoleWithWebIdentity"})
    assert any("subject ann-42" in (json.loads(line).get("detail") or "") for line in issued.body.decode().splitlines()), issued.body


def test_bad_web_identity_tokens_are_refused_with_stss_codes(server, web_role, issuer):
    other_key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
    cases = [
        (issuer.token(aud="someone-else"), ("InvalidIdentityToken", 400)),
        (issuer.token(iss="http://127.0.0.1:1/realms/other"), ("InvalidIdentityToken", 400)),
        (issuer.token(lifetime=-60), ("ExpiredTokenException", 400)),
        (issuer.token(key=other_key), ("InvalidIdentityToken", 400)),
        (issuer.token(email="ann@elsewhere.example"), ("AccessDenied", 403)),
        ("not-a-jwt", ("InvalidIdentityToken", 400)),
    ]
    for token, expected in cases:
        assert sts_code(lambda: assume_web(server, web_role, token)) == expected, token
