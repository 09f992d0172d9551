"""The web console (docs/console.md) in a real headless Chromium (Playwright, the Debian `chromium`).

- The binary serves /console with its security headers; a signed request still reaches a bucket
  named `console`.
- sigv4.js, run in Chromium, gives AWS's published Signature V4 test vectors.
- Sign in (GetSessionToken signed in the browser), create a classified bucket after its placement
  explanation is shown, upload a 20 MiB file (multipart) and watch its progress move, download it
  byte-exact through a presigned URL.
- A user denied by a bucket policy sees "Access denied: ..."; an auditor finds the upload in the
  trail; an admin creates a user and sees the secret once.
- A session expires at its stated time: the page returns to sign-in, the stolen credentials are
  refused (ExpiredToken), and a page whose clock says otherwise is sent back by the server's
  ExpiredToken.
- Over plain HTTP from a non-loopback client (a trusted proxy's X-Forwarded-For), sign-in is refused.
- OpenID Connect sign-in: an issuer started here (Authlib: RS256 ID tokens, a JWKS, an
  authorization endpoint that signs "ann" in at once, a token endpoint that checks the PKCE
  verifier); the page runs the code flow and AssumeRoleWithWebIdentity, and the role's session
  lists the bucket its policy names.

SOUVERAIN_CONSOLE_SCREENSHOTS=docs/images saves docs/images/console-*.png of the main pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import threading
import time
import urllib.parse
import urllib.request
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import support
from support import Creds, Server, SouverainCli, user_creds

from playwright.sync_api import sync_playwright

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose announces joserfc; its API is what tests need
    from authlib.jose import JsonWebKey, jwt

pytestmark = pytest.mark.souverain_only

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = os.environ.get("SOUVERAIN_CONSOLE_SCREENSHOTS")
WAIT_MS = 60_000  # bounded waits: a slow shared machine, never a timing assertion
UPLOAD_SIZE = 20 * 1024 * 1024

# Filled by the upload test, read by the auditor's (same module, same worker).
UPLOADED: dict[str, str] = {}
CLIENT_ID = "console"
ROLE = "console-staff"


class Issuer:
    """An OpenID Connect provider on a free loopback port for the console's sign-in: discovery, a
    JWKS, an authorization endpoint that signs "ann" in at once and redirects back with a code, and
    a token endpoint that checks the PKCE verifier and answers an RS256 ID token (with CORS: the
    console calls it from its own origin)."""

    def __init__(self):
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.port = support.free_port()
        self.url = f"http://127.0.0.1:{self.port}/realms/staff"
        self.codes: dict[str, dict] = {}
        self.exchanged: list[str] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body, content_type="application/json", headers=()):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Access-Control-Allow-Origin", "*")
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/realms/staff/.well-known/openid-configuration":
                    self.answer(200, {"issuer": issuer.url, "jwks_uri": issuer.url + "/certs",
                                      "authorization_endpoint": issuer.url + "/auth", "token_endpoint": issuer.url + "/token",
                                      "id_token_signing_alg_values_supported": ["RS256"]})
                elif url.path == "/realms/staff/certs":
                    self.answer(200, {"keys": [issuer.key.as_dict(is_private=False, use="sig", alg="RS256")]})
                elif url.path == "/realms/staff/auth":
                    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
                    code = secrets.token_urlsafe(16)
                    issuer.codes[code] = query
                    back = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    self.answer(302, b"", "text/plain", [("Location", back)])
                else:
                    self.answer(404, {"error": "not_found"})

            def do_POST(self):
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                asked = issuer.codes.pop(form.get("code", ""), None)
                challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
                if (self.path != "/realms/staff/token" or asked is None or challenge != asked["code_challenge"]
                        or form.get("redirect_uri") != asked["redirect_uri"] or form.get("client_id") != asked["client_id"]):
                    self.answer(400, {"error": "invalid_grant"})
                    return
                now = int(time.time())
                claims = {"iss": issuer.url, "sub": "4f1c-ann", "aud": asked["client_id"], "iat": now, "exp": now + 300,
                          "email": "ann@example.org", "nonce": asked["nonce"]}
                issuer.exchanged.append(form["code"])
                token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, issuer.key).decode()
                self.answer(200, {"id_token": token, "token_type": "Bearer", "expires_in": 300})

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

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
    """Sessions as short as 1 second; 127.0.0.1 trusted as a proxy, so a test can present itself
    as another machine with X-Forwarded-For (the browser and the server stay on loopback); the
    test's issuer trusted, and named for the console's sign-in."""
    srv = Server(module_dir / "data", module_dir / "logs", name="server")
    srv.extra_env["SOUVERAIN_STS_MIN_SESSION_SECONDS"] = "1"
    srv.extra_env["SOUVERAIN_TRUSTED_PROXIES"] = "127.0.0.1"
    srv.extra_env["SOUVERAIN_OIDC_ISSUERS"] = f"{issuer.url}={CLIENT_ID}"
    srv.extra_env["SOUVERAIN_CONSOLE_OIDC_ISSUER"] = issuer.url
    srv.extra_env["SOUVERAIN_CONSOLE_OIDC_CLIENT_ID"] = CLIENT_ID
    srv.extra_env["SOUVERAIN_CONSOLE_OIDC_ROLE_ARN"] = f"arn:aws:iam::souverain:role/{ROLE}"
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def cli(server):
    return SouverainCli(server.data_dir)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"console-{name}.png"), full_page=True)


def sign_in(page, server: Server, creds: Creds, duration: int | None = None) -> None:
    page.goto(server.endpoint + "/console")
    page.fill("#access-key", creds.access_key)
    page.fill("#secret-key", creds.secret_key)
    if duration is not None:
        page.click("#signin summary")
        page.fill("#duration", str(duration))
    page.click("#signin-button")
    page.wait_for_selector("#who-name")
    # The long-lived secret is nowhere in the page's storage, only the session's credentials.
    stored = page.evaluate("() => JSON.stringify(sessionStorage)")
    assert creds.secret_key not in stored
    assert "ASIA" in stored


def stored_session(page) -> dict:
    return json.loads(page.evaluate("() => sessionStorage.getItem('souverain.console.session')"))


def fetch(url: str, method: str = "GET", headers: dict | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_binary_serves_the_console_with_strict_headers(server):
    status, headers, body = fetch(server.endpoint + "/console")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-cache"
    assert b'id="signin"' in body
    assert "Set-Cookie" not in headers
    status, headers, body = fetch(server.endpoint + "/console/sigv4.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert fetch(server.endpoint + "/console/sigv4.js", headers={"If-None-Match": headers["ETag"]})[0] == 304
    status, headers, body = fetch(server.endpoint + "/console/app.js", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert fetch(server.endpoint + "/console/nothing.js")[0] == 404
    status, _, body = fetch(server.endpoint + "/console/config.json")
    assert json.loads(body)["region"] == server.region


def test_a_bucket_named_console_is_still_reached_by_signed_requests(server):
    s3 = server.client()
    s3.create_bucket(Bucket="console")
    s3.put_object(Bucket="console", Key="index.html", Body=b"the bucket's own object")
    assert s3.get_object(Bucket="console", Key="index.html")["Body"].read() == b"the bucket's own object"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="console")["Contents"]]
    assert keys == ["index.html"]
    # Unsigned, the same path is the console.
    status, _, body = fetch(server.endpoint + "/console/index.html")
    assert status == 200 and b'id="signin"' in body


def test_sigv4_js_gives_aws_test_vectors(server, page):
    page.goto(server.endpoint + "/console")
    results = page.evaluate("""async () => {
      const s = await import('/console/sigv4.js');
      const example = {accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'};
      const vanilla = await s.signHeaders({method: 'GET', path: '/', headers: {host: 'example.amazonaws.com'},
        payloadHash: await s.sha256Hex(''), region: 'us-east-1', service: 'service',
        credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'},
        now: new Date(Date.UTC(2015, 7, 30, 12, 36, 0))});
      const range = await s.signHeaders({method: 'GET', path: '/test.txt',
        headers: {host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9'},
        payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        credentials: example, region: 'us-east-1', service: 's3', now: new Date(Date.UTC(2013, 4, 24))});
      const presigned = await s.presignURL({origin: 'https://examplebucket.s3.amazonaws.com',
        host: 'examplebucket.s3.amazonaws.com', path: '/test.txt', credentials: example, region: 'us-east-1',
        expires: 86400, now: new Date(Date.UTC(2013, 4, 24))});
      return [vanilla.authorization, range.authorization, presigned];
    }""")
    # aws-sig-v4-test-suite get-vanilla; the S3 documentation's GetObject and presigned URL examples.
    assert results[0].endswith("SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    assert results[1].endswith("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    assert results[2].endswith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")


def test_sign_in_create_a_classified_bucket_upload_20_mib_and_download_it_byte_exact(server, page, tmp_path):
    page.goto(server.endpoint + "/console")
    shoot(page, "sign-in")
    sign_in(page, server, server.admin())
    assert "expires" in page.inner_text("#session-expiry")

    # Creating waits for the placement explanation of the chosen classification.
    bucket = support.unique_bucket_name("console-upload")
    page.goto(server.endpoint + "/console#/buckets")
    page.fill("#new-bucket-name", bucket)
    page.select_option("#new-bucket-classification", "personal")
    assert page.is_disabled("#create-bucket")
    page.click("#explain-placement")
    page.wait_for_selector("#placement-explanation table")
    explanation = page.inner_text("#placement-explanation")
    assert "personal" in explanation and "accepted" in explanation
    assert page.is_enabled("#create-bucket")
    shoot(page, "buckets")
    page.click("#create-bucket")
    page.wait_for_selector(f"#buckets-table a.bucket-link:text-is('{bucket}')")
    head = server.client().head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-souverain-classification"] == "personal"

    # Upload 20 MiB: multipart (above 16 MiB), the progress bar moves through intermediate values.
    data = support.seeded_bytes("console-upload", UPLOAD_SIZE)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    page.click(f"#buckets-table a.bucket-link:text-is('{bucket}')")
    page.wait_for_selector("#upload-file")
    page.evaluate("""() => {
      window.progressSeen = [];
      const bar = document.getElementById('upload-progress');
      new MutationObserver(() => window.progressSeen.push(Number(bar.getAttribute('data-sent'))))
        .observe(bar, {attributes: true, attributeFilter: ['data-sent']});
    }""")
    page.set_input_files("#upload-file", str(source))
    page.click("#upload-button")
    page.wait_for_selector("#upload-result .notice.ok")
    seen = page.evaluate("() => window.progressSeen")
    assert seen[-1] == UPLOAD_SIZE
    assert len([s for s in set(seen) if 0 < s < UPLOAD_SIZE]) >= 2, seen
    assert seen == sorted(seen)
    page.wait_for_selector("button.download[data-key='big.bin']")
    shoot(page, "objects")
    s3 = server.client()
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == UPLOAD_SIZE
    assert head["ETag"].endswith('-3"')  # three parts of at most 8 MiB
    assert hashlib.sha256(s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read()).hexdigest() == support.sha256(data)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []

    # Download through the presigned URL: the browser's own download, byte-exact.
    with page.expect_download() as waiting:
        page.click("button.download[data-key='big.bin']")
    download = waiting.value
    assert download.suggested_filename == "big.bin"
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == support.sha256(data)

    # Folders: a key with a prefix shows as a folder, and the folder lists it.
    s3.put_object(Bucket=bucket, Key="reports/2026/q4.csv", Body=b"a,b\n")
    page.reload()
    page.click("a.folder:text-is('reports/')")
    page.click("a.folder:text-is('2026/')")
    page.wait_for_selector("#objects-table .key:text-is('q4.csv')")
    page.fill("#search-prefix", "q5")
    page.click("#search-button")
    page.wait_for_selector("#object-list :text('Nothing here.')")
    # Delete asks first; confirmed, the object is gone.
    page.fill("#search-prefix", "")
    page.click("#search-button")
    page.click("button.danger[data-key='reports/2026/q4.csv']")
    assert s3.list_objects_v2(Bucket=bucket, Prefix="reports/")["KeyCount"] == 1
    page.click("#objects-table [data-confirm='yes']")
    page.wait_for_selector("#object-status .notice.ok:has-text('Deleted reports/2026/q4.csv')")
    assert s3.list_objects_v2(Bucket=bucket, Prefix="reports/")["KeyCount"] == 0
    UPLOADED.update(bucket=bucket, key="big.bin")

    # The bucket's settings: versioning turned on from the page.
    page.goto(server.endpoint + f"/console#/settings?bucket={bucket}")
    page.wait_for_selector("#versioning-status:text-is('Never enabled')")
    page.click("#versioning-enable")
    page.wait_for_selector("#versioning-status:text-is('Enabled')")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    page.wait_for_selector("#policy-state:has-text('None set')")
    shoot(page, "settings")


def test_a_malformed_policy_is_refused_with_the_servers_reason(server, page):
    bucket = support.unique_bucket_name("console-policy")
    server.client().create_bucket(Bucket=bucket)
    sign_in(page, server, server.admin())
    page.goto(server.endpoint + f"/console#/settings?bucket={bucket}")
    page.wait_for_selector("#policy-state:has-text('None set')")
    page.fill("#policy-editor", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "nobody-at-all"}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    page.click("#policy-save")
    message = page.wait_for_selector("#policy-result .notice.error").inner_text()
    assert message.startswith("The policy is malformed: ") and "(MalformedPolicy)" in message
    page.fill("#policy-editor", "{not json")
    page.click("#policy-save")
    assert page.wait_for_selector("#policy-result .notice.error:has-text('Not saved')")


def test_a_user_denied_by_policy_sees_a_clear_message(server, cli, page):
    bob = user_creds(cli.add_user("console-bob"))
    bucket = support.unique_bucket_name("console-denied")
    s3 = server.client()
    s3.create_bucket(Bucket=bucket)
    cli.grant(bucket, "console-bob", "read")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::souverain:user/console-bob"},
        "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}]}))
    sign_in(page, server, bob)
    page.goto(server.endpoint + f"/console#/objects?bucket={bucket}")
    message = page.wait_for_selector("#object-list .notice.error").inner_text()
    assert message.startswith("Access denied: ") and "(AccessDenied)" in message


def test_an_auditor_finds_the_upload_in_the_trail(server, cli, page):
    assert UPLOADED, "the upload test did not run first"
    auditor = user_creds(cli.add_user("console-auditor", role="auditor"))
    sign_in(page, server, auditor)
    page.goto(server.endpoint + "/console#/audit")
    assert page.is_hidden("#nav-buckets")  # an auditor has no S3 access: no bucket pages
    page.wait_for_selector("#audit-valid.ok")
    page.fill("#audit-bucket", UPLOADED["bucket"])
    page.fill("#audit-key", UPLOADED["key"])
    page.fill("#audit-operation", "CompleteMultipartUpload")
    page.click("#audit-apply")
    row = page.wait_for_selector("#audit-table tbody tr").inner_text()
    assert "CompleteMultipartUpload" in row and UPLOADED["key"] in row and "200" in row
    assert "session (ASIA" in row  # the console's session, named in the record with its user
    shoot(page, "audit")


def test_an_admin_creates_a_user_and_sees_the_secret_once(server, page):
    sign_in(page, server, server.admin())
    page.goto(server.endpoint + "/console#/users")
    page.fill("#new-user-name", "console-carol")
    page.click("#create-user")
    secret = page.wait_for_selector("#created-secret").inner_text()
    access_key = page.inner_text("#created-access-key")
    page.wait_for_selector("#users-list td:text-is('console-carol')")
    assert secret not in page.inner_text("#users-list")
    shoot(page, "users")
    # The new user's key works; after a reload the secret is gone from the page.
    server.client(Creds(access_key, secret)).list_buckets()
    page.reload()
    page.wait_for_selector("#users-list td:text-is('console-carol')")
    assert secret not in page.content()


def test_an_expired_session_is_refused_and_sent_back_to_sign_in(server, cli, page):
    dave = user_creds(cli.add_user("console-dave"))
    sign_in(page, server, dave, duration=15)
    session = stored_session(page)
    # The page returns to sign-in at the stated expiry.
    page.wait_for_selector("#signin-message:has-text('expired')")
    assert page.is_visible("#signin-form")
    assert page.evaluate("() => sessionStorage.getItem('souverain.console.session')") is None
    # The server refuses the credentials from then on (taken from the page before, as a thief would).
    deadline = time.monotonic() + 30
    while True:
        stolen = boto3.session.Session().client(
            "s3", endpoint_url=server.endpoint, region_name=server.region, aws_access_key_id=session["accessKeyId"],
            aws_secret_access_key=session["secretAccessKey"], aws_session_token=session["sessionToken"],
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        try:
            stolen.list_buckets()
        except ClientError as error:
            assert support.error_code(error) == "ExpiredToken"
            break
        assert time.monotonic() < deadline, "the expired session is still accepted"
        time.sleep(0.2)
    # A page whose clock says the session is still good is sent back by the server's ExpiredToken.
    session["expiration"] = "2999-01-01T00:00:00Z"
    page.evaluate("(s) => sessionStorage.setItem('souverain.console.session', s)", json.dumps(session))
    page.goto(server.endpoint + "/console#/buckets")
    page.reload()
    message = page.wait_for_selector("#signin-message:has-text('ExpiredToken')").inner_text()
    assert message.startswith("Your session expired")
    assert page.evaluate("() => sessionStorage.getItem('souverain.console.session')") is None


def test_plain_http_from_another_machine_refuses_sign_in(server, browser):
    # 127.0.0.1 is a trusted proxy here: X-Forwarded-For makes the client another machine.
    remote = browser.new_context(extra_http_headers={"X-Forwarded-For": "192.0.2.10"})
    try:
        tab = remote.new_page()
        response = tab.goto(server.endpoint + "/console")
        assert response.status == 403
        assert "Sign-in refused over plain HTTP" in tab.inner_text("h1")
        assert "docs/tls.md" in tab.inner_text("body")
        assert tab.query_selector("#signin-form") is None
        shoot(tab, "refused")
    finally:
        remote.close()
    # The same client through a proxy that terminated TLS is served the sign-in.
    proxied = browser.new_context(extra_http_headers={"X-Forwarded-For": "192.0.2.10", "X-Forwarded-Proto": "https"})
    try:
        tab = proxied.new_page()
        assert tab.goto(server.endpoint + "/console").status == 200
        tab.wait_for_selector("#signin-form")
    finally:
        proxied.close()


def test_sign_in_through_openid_connect(server, cli, issuer, page, tmp_path):
    bucket = support.unique_bucket_name("console-sso")
    s3 = server.client()
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="handbook.pdf", Body=b"%PDF-1.7 staff handbook")
    (tmp_path / "trust.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": issuer.url}, "Action": "sts:AssumeRoleWithWebIdentity"}]}))
    (tmp_path / "permissions.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}))
    cli("role", "create", ROLE, "--trust-policy", str(tmp_path / "trust.json"),
        "--permission-policy", str(tmp_path / "permissions.json")).check()
    _, headers, body = fetch(server.endpoint + "/console/config.json")
    assert json.loads(body)["oidc"] == {"issuer": issuer.url, "clientId": CLIENT_ID, "roleArn": f"arn:aws:iam::souverain:role/{ROLE}"}
    assert f"connect-src 'self' http://127.0.0.1:{issuer.port};" in headers["Content-Security-Policy"]

    page.goto(server.endpoint + "/console")
    page.click("#oidc-button")  # to the issuer, and back with a code
    page.wait_for_selector("#who-name:has-text('ann@example.org')")
    assert issuer.exchanged, "the code was never exchanged at the token endpoint"
    assert "code=" not in page.url  # the single-use code is taken off the address bar
    session = stored_session(page)
    assert session["accessKeyId"].startswith("ASIA")
    page.goto(server.endpoint + f"/console#/objects?bucket={bucket}")
    page.wait_for_selector("#objects-table .key:text-is('handbook.pdf')")
    # The role gives nothing else: creating a bucket is refused, in clear words.
    page.goto(server.endpoint + "/console#/buckets")
    page.fill("#new-bucket-name", support.unique_bucket_name("console-sso-denied"))
    page.click("#explain-placement")
    page.wait_for_selector("#placement-explanation .notice")
    page.click("#create-bucket")
    assert page.wait_for_selector("#create-result .notice.error").inner_text().startswith("Access denied: ")


def test_every_admin_page_answers_and_keys_rotate_after_a_confirmation(server, page):
    sign_in(page, server, server.admin())
    for name, ready in [("roles", "#roles-list"), ("grants", "#grants-list table"), ("locations", "#locations-list table"),
                        ("keys", "#keys-list"), ("report", "#report details")]:
        page.goto(server.endpoint + f"/console#/{name}")
        page.wait_for_selector(ready)
        errors = page.query_selector_all("#page .notice.error")
        assert not errors, f"{name}: {[e.inner_text() for e in errors]}"
    page.goto(server.endpoint + "/console#/locations")
    page.click("#repair-status")
    page.wait_for_selector("#location-checks :text('backlog')")
    page.goto(server.endpoint + "/console#/keys")
    page.wait_for_selector("#keys-list")
    before = page.inner_text("#keys-list")
    page.click("#rotate-keys")  # asks first
    assert page.inner_text("#rotate-result") == ""
    page.click("#page [data-confirm='yes']")
    page.wait_for_selector("#rotate-result > *")
    refusals = [e.inner_text() for e in page.query_selector_all("#rotate-result .notice.error")]
    assert not refusals
    page.wait_for_function("(before) => document.getElementById('keys-list').innerText !== before", arg=before)
