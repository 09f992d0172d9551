"""Operations (Souverain only): health endpoints, /metrics without auth, request ids,
and secrets that never reach the logs."""

from __future__ import annotations

import pytest

import support
from support import seeded_bytes, user_creds

pytestmark = pytest.mark.souverain_only


def get(server, path):
    return support.send(server.endpoint, "GET", path, {"Host": f"127.0.0.1:{server.port}"})


def test_health_endpoints_need_no_auth(server):
    for path in ("/health/live", "/health/ready"):
        resp = get(server, path)
        assert resp.status == 200, resp.describe()


def test_metrics_prometheus_text_without_auth(server, s3, bucket):
    secret_key_name = "metrics-must-not-name-this-key"
    s3.put_object(Bucket=bucket, Key=secret_key_name, Body=b"x")
    s3.get_object(Bucket=bucket, Key=secret_key_name)["Body"].read()
    resp = get(server, "/metrics")
    assert resp.status == 200, resp.describe()
    assert (resp.header("content-type") or "").startswith("text/plain"), resp.headers
    text = resp.body.decode()
    assert "# TYPE" in text
    names = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    assert any(n.startswith("souverain_") for n in names), sorted(names)[:20]
    assert secret_key_name not in text, "metrics must never carry a key name"


def test_every_response_has_a_request_id(server, bucket):
    """Errors and successes alike, for requests no client library would send."""
    for method, b, key in [("GET", None, None), ("GET", bucket, None), ("GET", bucket, "nope"), ("DELETE", "no-such-bucket-x", None),
                           ("PUT", bucket, "k")]:
        resp = support.request(server.endpoint, server.admin(), method, b, key, body=b"v" if method == "PUT" else b"")
        assert resp.header("x-amz-request-id"), resp.describe()
    anonymous = support.request(server.endpoint, None, "GET", bucket)
    assert anonymous.status == 403 and anonymous.header("x-amz-request-id"), anonymous.describe()
    ids = {support.request(server.endpoint, server.admin(), "GET", bucket).header("x-amz-request-id") for _ in range(5)}
    assert len(ids) == 5, "request ids must be unique"


def test_secrets_never_logged(server, s3, bucket, cli, user_names):
    info = cli.add_user(user_names("logged"))
    user = server.client(user_creds(info))
    user.list_buckets()
    # A few failing requests too: bad signature, unknown key, denied.
    support.request(server.endpoint, support.Creds(support.ADMIN_ACCESS_KEY, "wrong" * 8), "GET", bucket)
    support.request(server.endpoint, support.Creds("UNKNOWNKEY0000000000", "s" * 40), "GET", bucket)
    signed = support.sign("GET", server.endpoint, f"/{bucket}", server.admin())
    support.send(server.endpoint, "GET", f"/{bucket}", signed.headers)
    s3.put_object(Bucket=bucket, Key="logged", Body=seeded_bytes("logged", 100))
    server.restart()  # a second start must not show the admin secret again
    try:
        server.client().list_buckets()
    finally:
        out, logs = server.all_output()
    for secret in (support.ADMIN_SECRET_KEY, info["secretKey"], signed.signature):
        assert secret not in logs, "a secret or signature appears in the server's logs (stderr)"
    second_start = (server.log_dir / f"{server.name}-{server.starts}.out").read_text(errors="replace")
    assert support.ADMIN_SECRET_KEY not in second_start, "the admin secret is shown again on a later start"
    assert info["secretKey"] not in out
