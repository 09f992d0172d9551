"""Limits a hostile client cannot outlast, and no blind spot for refused requests.

Each test reproduces a defect of issue 13 (points 4, 6 and 7) and shows it fixed:
- requests the HTTP layer refuses (a 1 MB header, 10,000 headers, a negative, repeated or
  too large Content-Length, Content-Length with Transfer-Encoding, a garbage request line)
  get an S3 XML error with a request id, an audit record and one log line, never a header value;
- a flood of them is recorded under a rate limit, and what the limit drops is summed up;
- a client that hangs up mid-body is answered and recorded as 400 IncompleteBody, never 500;
- a header section or a body that trickles is cut with RequestTimeout within its (short) limit;
- a kept-alive connection left idle is closed; the cap on connections per source holds;
- an anonymous GET refused on a private bucket is in `audit query --bucket B --key K`;
- a refused admin call is recorded as its action, with the bucket it named;
- the server keeps serving, and what it stored before is intact.

Waits are bounded (a limit of 2 s is checked against a bound of 20 s, never timed).
"""

from __future__ import annotations

import datetime
import json
import re
import socket
import time
import urllib.parse

import pytest

import support
from support import MIB, UNSIGNED_PAYLOAD, Creds, Server, seeded_bytes, sha256

pytestmark = pytest.mark.souverain_only

BUCKET = "limits"
# Short limits so that the tests stay quick.
LIMITS = ("--header-timeout", "2", "--body-timeout", "2", "--minimum-body-rate", "1000", "--idle-timeout", "3")
BOUND = 20.0  # how long a cut may take before the test calls it missing: ten times the limit
SECRET_HEADER_VALUE = "AWS4-HMAC-SHA256 Credential=SOUVADMINTESTKEY0001/x, Signature=topsecretsignature0123456789"


@pytest.fixture(scope="module")
def server(module_dir):
    srv = Server(module_dir / "data", module_dir / "logs", name="limits", extra_args=LIMITS)
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def cli(server):
    return support.SouverainCli(server.data_dir)


@pytest.fixture(scope="module")
def before(server, s3):
    s3.create_bucket(Bucket=BUCKET)
    objects = {f"before/{i}": seeded_bytes(f"limits-{i}", size) for i, size in enumerate([0, 1000, 300_000, 6 * MIB])}
    for key, data in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return objects


def query(cli: support.SouverainCli, *args: str) -> list[dict]:
    out = cli("audit", "query", *args).check()
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def record_of(cli, request_id: str, *args: str) -> dict:
    """The trail's record of one request (appended before its answer left)."""
    matches = [r for r in query(cli, *args) if r["requestId"] == request_id]
    assert len(matches) == 1, f"{len(matches)} records for request {request_id}"
    return matches[0]


def connect(server: Server, timeout: float = BOUND) -> socket.socket:
    parsed = urllib.parse.urlsplit(server.endpoint)
    return socket.create_connection((parsed.hostname, parsed.port), timeout=timeout)


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    except ConnectionResetError:
        pass
    return received


def assert_s3_error(resp, status: int, code: str):
    assert resp is not None, "no HTTP answer"
    assert (resp.status, resp.error_code) == (status, code), resp.describe()
    request_id = resp.header("x-amz-request-id")
    assert request_id and resp.error_field("RequestId") == request_id, resp.describe()
    assert resp.error_field("Message"), resp.describe()
    return request_id


def assert_serving(server, s3, before):
    assert server.alive(), f"server died:\n{server.log_tail()}"
    assert server.ready_status() == 200
    for key, data in before.items():
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == data, key


def assert_absent(s3, key):
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=key).get("Contents", [])]
    assert key not in listed


def head(method: str, target: str, lines: list[str]) -> bytes:
    return (f"{method} {target} HTTP/1.1\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode("latin-1")


# -- requests the HTTP layer refuses ------------------------------------------------------

MALFORMED = {
    "a 1 MB header": (head("GET", f"/{BUCKET}/before/1", ["Host: x", f"Authorization: {SECRET_HEADER_VALUE}",
                                                            "x-padding: " + "a" * MIB]),
                      "RequestHeaderSectionTooLarge", "GET"),
    "10,000 headers": (head("GET", f"/{BUCKET}/before/1", ["Host: x", f"Authorization: {SECRET_HEADER_VALUE}"]
                            + [f"x-h{i}: v" for i in range(10_000)]), "RequestHeaderSectionTooLarge", "GET"),
    "a negative Content-Length": (head("PUT", f"/{BUCKET}/refused-1", ["Host: x", "Content-Length: -1"]),
                                  "InvalidRequest", "PUT"),
    "two Content-Length values": (head("PUT", f"/{BUCKET}/refused-2", ["Host: x", "Content-Length: 5", "Content-Length: 6"])
                                  + b"hello", "InvalidRequest", "PUT"),
    "Content-Length with Transfer-Encoding": (head("PUT", f"/{BUCKET}/refused-3", ["Host: x", "Content-Length: 5",
                                                                                  "Transfer-Encoding: chunked"])
                                              + b"5\r\nhello\r\n0\r\n\r\n", "InvalidRequest", "PUT"),
    "a garbage request line": (b"GARBAGE \x01\x02 NOT-HTTP\r\n\r\n", "InvalidRequest", "GARBAGE"),
    "a Content-Length of 2^63": (head("PUT", f"/{BUCKET}/refused-4?X-Amz-Signature=presignedsecret",
                                      ["Host: x", f"Content-Length: {2 ** 63}"]), "EntityTooLarge", "PUT"),
}


def read_until_cut(sock, trickle: bool, what: str) -> bytes:
    """Reads what the server answers until it closes the connection, sending one byte every half
    second when `trickle`; fails when the server has not cut it within BOUND seconds."""
    sock.settimeout(0.5)
    received = b""
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        try:
            if trickle:
                sock.sendall(b"x")
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    assert time.monotonic() < deadline, f"{what} was not cut within {BOUND} s"
    return received


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_request_the_http_layer_refuses_gets_an_s3_error_a_record_and_a_log_line(server, s3, cli, before, case):
    raw_request, code, method = MALFORMED[case]
    raw = support.raw_exchange(server.endpoint, raw_request, timeout=BOUND)
    resp = support.parse_http_response(raw)
    request_id = assert_s3_error(resp, 400, code)
    assert resp.header("content-type") == "application/xml", resp.describe()

    record = record_of(cli, request_id, "--operation", "RefusedRequest")
    assert (record["status"], record["errorCode"], record["sourceAddress"]) == (400, code, "127.0.0.1"), record
    assert f"method={method}" in record["detail"] and "header-bytes=" in record["detail"], record
    _, log = server.all_output()
    lines = [line for line in log.splitlines() if request_id in line]
    assert len(lines) == 1 and "refused a request" in lines[0], lines
    for secret in ("topsecretsignature", "presignedsecret"):
        assert secret not in log, f"{secret} reached the log"
        assert secret not in json.dumps(query(cli, "--operation", "RefusedRequest")), f"{secret} reached the trail"
    assert_absent(s3, "refused-")
    assert_serving(server, s3, before)


def test_a_refused_request_on_a_kept_alive_connection_is_answered_after_the_good_one(server, s3, cli, before):
    """A good request, then a malformed one, on one connection: the first is answered, then the refusal."""
    good = head("GET", "/health/live", ["Host: x"])
    bad = head("PUT", f"/{BUCKET}/refused-5", ["Host: x", "Content-Length: 1", "Content-Length: 2"])
    raw = support.raw_exchange(server.endpoint, good + bad, timeout=BOUND)
    first = support.parse_http_response(raw)
    assert first is not None and first.status == 200, raw[:300]
    rest = raw[raw.index(b"\r\n\r\n") + 4 + len(first.body):]
    request_id = assert_s3_error(support.parse_http_response(rest), 400, "InvalidRequest")
    assert record_of(cli, request_id, "--operation", "RefusedRequest")["errorCode"] == "InvalidRequest"


# -- bodies -----------------------------------------------------------------------------

def signed_put_head(server: Server, key: str, length: int) -> bytes:
    target = support.build_target(BUCKET, key)
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"x-amz-content-sha256": UNSIGNED_PAYLOAD},
                          UNSIGNED_PAYLOAD)
    return head("PUT", target, [f"{k}: {v}" for k, v in signed.headers.items()] + [f"Content-Length: {length}"])


def test_a_client_that_hangs_up_mid_body_is_answered_and_recorded_as_incomplete_body(server, s3, cli, before):
    key = "aborted/upload"
    data = seeded_bytes(key, MIB)
    target = support.build_target(BUCKET, key)
    signed = support.sign("PUT", server.endpoint, target, server.admin(), {"x-amz-content-sha256": UNSIGNED_PAYLOAD},
                          UNSIGNED_PAYLOAD)
    raw = support.send_truncated(server.endpoint, "PUT", target, signed.headers, len(data), data[:300_000], timeout=BOUND)
    request_id = assert_s3_error(support.parse_http_response(raw), 400, "IncompleteBody")
    record = record_of(cli, request_id, "--bucket", BUCKET, "--key", key)
    assert (record["operation"], record["status"], record["errorCode"]) == ("PutObject", 400, "IncompleteBody"), record
    assert not [r for r in query(cli, "--bucket", BUCKET, "--key", key) if r["status"] == 500]
    _, log = server.all_output()
    assert "stream ended at an unexpected time" not in log
    assert_absent(s3, key)
    assert_serving(server, s3, before)


@pytest.mark.parametrize("pace", ["trickle", "stall"])
def test_a_slow_body_is_cut_with_request_timeout(server, s3, cli, before, pace):
    """One byte every 0.5 s (2 bytes/s against a minimum of 1000), or nothing at all after the
    first bytes: the request is answered 400 RequestTimeout and the connection closed, instead of
    being held for minutes."""
    key = f"slow/{pace}"
    with connect(server) as sock:
        sock.sendall(signed_put_head(server, key, 10_000) + b"x" * 10)
        received = read_until_cut(sock, trickle=pace == "trickle", what="the slow body")
    request_id = assert_s3_error(support.parse_http_response(received), 400, "RequestTimeout")
    record = record_of(cli, request_id, "--bucket", BUCKET, "--key", key)
    assert (record["operation"], record["status"], record["errorCode"]) == ("PutObject", 400, "RequestTimeout"), record
    assert_absent(s3, key)
    assert_serving(server, s3, before)


def test_a_slow_header_section_is_cut_with_request_timeout(server, s3, cli, before):
    with connect(server) as sock:
        sock.sendall(f"GET /{BUCKET}/before/1 HTTP/1.1\r\nHost: x\r\n".encode())
        received = read_until_cut(sock, trickle=True, what="the slow header section")
    request_id = assert_s3_error(support.parse_http_response(received), 400, "RequestTimeout")
    record = record_of(cli, request_id, "--operation", "RefusedRequest")
    assert record["errorCode"] == "RequestTimeout" and f"target=/{BUCKET}/before/1" in record["detail"], record
    assert_serving(server, s3, before)


def test_an_idle_kept_alive_connection_is_closed(server):
    with connect(server) as sock:
        sock.sendall(head("GET", "/health/live", ["Host: x"]))
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        deadline = time.monotonic() + BOUND
        rest = read_until_closed(sock)
        assert time.monotonic() < deadline and rest == b"", rest


def test_a_single_put_above_5_gib_is_still_entity_too_large(server, s3, before):
    raw = support.send_truncated(server.endpoint, "PUT", support.build_target(BUCKET, "too/large"),
                                 support.sign("PUT", server.endpoint, support.build_target(BUCKET, "too/large"),
                                              server.admin(), {"x-amz-content-sha256": UNSIGNED_PAYLOAD},
                                              UNSIGNED_PAYLOAD).headers,
                                 6 * 1024 ** 3, b"x" * 1000, timeout=BOUND)
    assert_s3_error(support.parse_http_response(raw), 400, "EntityTooLarge")


# -- denied requests name their target ---------------------------------------------------

def test_an_anonymous_denied_get_is_in_the_trail_of_its_bucket_and_key(server, s3, cli, before):
    anonymous = support.request(server.endpoint, None, "GET", BUCKET, "before/1")
    anonymous_id = assert_s3_error(anonymous, 403, "AccessDenied")
    stranger = support.request(server.endpoint, Creds("AKIANOTAKNOWNKEY0000", "s" * 40), "GET", BUCKET, "before/2")
    stranger_id = assert_s3_error(stranger, 403, "InvalidAccessKeyId")
    user = support.user_creds(cli.add_user("limits-reader"))
    denied = support.request(server.endpoint, user, "GET", BUCKET, "before/1")
    denied_id = assert_s3_error(denied, 403, "AccessDenied")

    records = {r["requestId"]: r for r in query(cli, "--bucket", BUCKET)}
    record = records[anonymous_id]
    assert (record["operation"], record["bucket"], record["key"], record["status"], record["errorCode"]) == \
        ("GetObject", BUCKET, "before/1", 403, "AccessDenied"), record
    # An unsigned request is the principal `anonymous` (docs/access.md), unauthenticated all the same.
    assert record["user"] == "anonymous" and record["detail"].startswith("unauthenticated: "), record
    record = records[stranger_id]
    assert (record["operation"], record["key"], record["user"]) == \
        ("GetObject", "before/2", "unverified access key AKIANOTAKNOWNKEY0000"), record
    assert record["detail"].startswith("unauthenticated: "), record
    record = records[denied_id]
    assert (record["operation"], record["key"], record["errorCode"]) == ("GetObject", "before/1", "AccessDenied"), record
    assert record["user"].startswith("limits-reader (") and not record["detail"].startswith("unauthenticated"), record
    assert anonymous_id in {r["requestId"] for r in query(cli, "--bucket", BUCKET, "--key", "before/1")}


def test_a_refused_admin_call_is_recorded_as_its_action_with_its_bucket(server, cli, before):
    user = support.user_creds(cli.add_user("limits-plain"))
    calls = [
        (user, "POST", "/_souverain/buckets/shred", {"bucket": BUCKET}, "ShredBucket", BUCKET),
        (None, "POST", "/_souverain/buckets/shred", {"bucket": BUCKET}, "ShredBucket", BUCKET),
        (user, "POST", "/_souverain/migrate", {"bucket": BUCKET, "to": "elsewhere"}, "Migrate", BUCKET),
        (user, "POST", "/_souverain/repair", None, "Repair", None),
        (user, "POST", "/_souverain/scrub", None, "Scrub", None),
    ]
    for creds, method, path, params, operation, bucket in calls:
        resp = support.request(server.endpoint, creds, method, raw_path=path, query=params)
        request_id = assert_s3_error(resp, 403, "AccessDenied")
        record = record_of(cli, request_id, "--operation", operation)
        assert (record["bucket"], record["status"], record["errorCode"]) == (bucket, 403, "AccessDenied"), record
    shreds = query(cli, "--bucket", BUCKET, "--operation", "ShredBucket")
    assert len(shreds) == 2 and all(r["status"] == 403 for r in shreds), shreds
    assert_serving(server, server.client(), before)


# -- the per-source connection cap, and a flood of refusals ---------------------------------

def test_the_cap_on_connections_per_source_holds(server_factory):
    capped = server_factory(extra_args=("--max-connections-per-source", "4", "--header-timeout", "60"))
    held = []
    try:
        # One at a time, each answered before the next: all four are admitted, and counted.
        for _ in range(4):
            sock = connect(capped)
            held.append(sock)
            sock.sendall(head("GET", "/health/live", ["Host: x"]))
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        refused = None
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            with connect(capped) as extra:
                answer = read_until_closed(extra)
            resp = support.parse_http_response(answer)
            if resp is not None and resp.status == 503:
                refused = resp
                break
            time.sleep(support.POLL_INTERVAL)
        request_id = assert_s3_error(refused, 503, "SlowDown")
    finally:
        for sock in held:
            sock.close()
    # Once the held connections are gone, new ones are served again.
    deadline = time.monotonic() + BOUND
    while support.http_status(capped.endpoint + "/health/ready") != 200:
        assert time.monotonic() < deadline, "the cap did not free up"
        time.sleep(support.POLL_INTERVAL)
    capped_cli = support.SouverainCli(capped.data_dir)
    record = record_of(capped_cli, request_id, "--operation", "RefusedRequest")
    assert (record["status"], record["errorCode"], record["sourceAddress"]) == (503, "SlowDown", "127.0.0.1"), record


def test_a_flood_of_refused_requests_is_recorded_under_a_rate_limit_and_summed_up(server_factory):
    flooded = server_factory()
    flood = 150
    for _ in range(flood):
        resp = support.parse_http_response(support.raw_exchange(flooded.endpoint, b"GARBAGE\r\n\r\n", timeout=BOUND))
        assert resp is not None and resp.status == 400, resp
    flooded_cli = support.SouverainCli(flooded.data_dir)
    deadline = time.monotonic() + 3 * BOUND
    while True:
        summaries = query(flooded_cli, "--operation", "RefusalsSuppressed")
        if summaries:
            break
        assert time.monotonic() < deadline, "no summary of the suppressed refusals"
        time.sleep(0.5)
    recorded = query(flooded_cli, "--operation", "RefusedRequest")
    suppressed = sum(int(re.search(r"suppressed=(\d+)", s["detail"]).group(1)) for s in summaries)
    assert len(recorded) < 60, f"{len(recorded)} refusals recorded one by one: the rate limit did not hold"
    assert len(recorded) + suppressed == flood, (len(recorded), suppressed)
    assert "127.0.0.1:" in summaries[0]["detail"] and summaries[0]["sourceAddress"] == "127.0.0.1", summaries
    assert flooded.ready_status() == 200
    verified = flooded_cli("audit", "verify").check()
    assert verified.stdout.startswith("verified"), verified.stdout


def test_zz_the_server_kept_serving_and_everything_stored_before_is_intact(server, s3, before):
    assert_serving(server, s3, before)
    assert s3.head_object(Bucket=BUCKET, Key="before/3")["ContentLength"] == 6 * MIB
