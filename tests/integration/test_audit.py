"""The audit trail, end to end: every request leaves a durable, hash-chained record.

- one upload made with aws-cli is followed through the trail with the location and country it
  went to, then a GET and a DELETE of it;
- `souverain audit verify` accepts the untouched trail and points at a tampered record;
- only admins and auditors read the trail through the admin API, and each read is recorded;
- records are forwarded to a syslog collector (RFC 5424 over UDP);
- SIGKILL under load: after a restart the chain verifies and every acknowledged request has
  its record.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support

pytestmark = pytest.mark.souverain_only


def query(cli: support.SouverainCli, *args: str) -> list[dict]:
    out = cli("audit", "query", *args).check()
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


@pytest.fixture
def fr_server(server_factory):
    return server_factory(extra_args=("--country", "FR"))


def test_an_aws_cli_upload_is_traced_with_its_location_and_country(fr_server, tmp_path):
    cli = support.SouverainCli(fr_server.data_dir)
    aws = support.AwsCli(fr_server.endpoint, fr_server.admin(), tmp_path)
    source = tmp_path / "report.pdf"
    source.write_bytes(b"%PDF-1.7 patient summary" * 100)
    aws("s3", "mb", "s3://traced").check()
    aws("s3", "cp", str(source), "s3://traced/2026/report.pdf").check()
    aws("s3", "cp", "s3://traced/2026/report.pdf", str(tmp_path / "back.pdf")).check()
    aws("s3", "rm", "s3://traced/2026/report.pdf").check()

    records = query(cli, "--bucket", "traced", "--key", "2026/report.pdf")
    by_operation = {}
    for record in records:
        by_operation.setdefault(record["operation"], []).append(record)
    put = by_operation["PutObject"][0]
    assert put["status"] == 200 and put["bytesIn"] == source.stat().st_size
    assert put["user"].startswith("admin (") and put["sourceAddress"] == "127.0.0.1"
    assert put["locations"] == [{"location": "local", "provider": "on-premise", "country": "FR", "direction": "write"}]
    get = by_operation["GetObject"][0]
    assert get["bytesOut"] == source.stat().st_size and get["locations"][0]["direction"] == "read"
    delete = by_operation["DeleteObject"][0]
    assert delete["status"] == 204 and delete["locations"][0]["direction"] == "delete"
    assert put["sequence"] < get["sequence"] < delete["sequence"]
    # The country filter finds them too.
    assert {r["operation"] for r in query(cli, "--country", "FR", "--bucket", "traced")} >= {"PutObject", "GetObject", "DeleteObject"}
    verified = cli("audit", "verify").check()
    assert verified.stdout.startswith("verified"), verified.stdout


def test_failed_and_anonymous_requests_are_recorded(fr_server):
    cli = support.SouverainCli(fr_server.data_dir)
    anonymous = support.request(fr_server.endpoint, None, "GET", "nowhere", "k")
    assert anonymous.status == 403
    wrong = support.request(fr_server.endpoint, support.Creds(support.ADMIN_ACCESS_KEY, "x" * 40), "GET", "nowhere", "k")
    assert wrong.status == 403
    records = query(cli)
    ids = {r["requestId"]: r for r in records}
    assert ids[anonymous.headers["x-amz-request-id"]]["errorCode"] == "AccessDenied"
    failed = ids[wrong.headers["x-amz-request-id"]]
    assert failed["errorCode"] == "SignatureDoesNotMatch"
    assert failed["user"] == f"unverified access key {support.ADMIN_ACCESS_KEY}"


def test_verify_points_at_a_tampered_record(fr_server):
    s3 = fr_server.client()
    s3.create_bucket(Bucket="tamper")
    for i in range(20):
        s3.put_object(Bucket="tamper", Key=f"k{i}", Body=b"x" * i)
    fr_server.stop()
    cli = support.SouverainCli(fr_server.data_dir)
    assert cli("audit", "verify").check().stdout.startswith("verified")
    segment = sorted((fr_server.data_dir / "audit").glob("audit-*.log"))[-1]
    data = bytearray(segment.read_bytes())
    index = data.index(b"k13")
    data[index + 1] ^= 0x01  # k13 -> k03 inside record 15's canonical bytes
    segment.write_bytes(bytes(data))
    broken = cli("audit", "verify")
    assert broken.returncode != 0
    assert "record" in broken.stdout and "sequence" in broken.stdout, broken.stdout


def test_only_admins_and_auditors_read_the_trail_and_reads_are_recorded(fr_server):
    cli = support.SouverainCli(fr_server.data_dir)
    auditor = support.user_creds(cli.add_user("auditor-1", role="auditor"))
    user = support.user_creds(cli.add_user("plain-1"))
    fr_server.client().create_bucket(Bucket="watched")

    refused = support.request(fr_server.endpoint, user, "GET", raw_path="/_souverain/audit/records")
    assert refused.status == 403 and refused.error_code == "AccessDenied", refused.describe()
    read = support.request(fr_server.endpoint, auditor, "GET", raw_path="/_souverain/audit/records",
                           query={"bucket": "watched"})
    assert read.status == 200, read.describe()
    lines = [json.loads(line) for line in read.body.decode().splitlines()]
    assert [r["operation"] for r in lines] == ["CreateBucket"]
    # An auditor holds no bucket access.
    assert support.request(fr_server.endpoint, auditor, "GET", "watched").status == 403

    reads = query(cli, "--operation", "ReadAuditTrail")
    assert [(r["user"].split(" ")[0], r["status"]) for r in reads] == [("plain-1", 403), ("auditor-1", 200)]


def test_records_are_forwarded_to_syslog(server_factory):
    collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    collector.bind(("127.0.0.1", 0))
    collector.settimeout(10)
    try:
        port = collector.getsockname()[1]
        server = server_factory(extra_args=("--country", "FR", "--syslog", f"127.0.0.1:{port}"))
        server.client().create_bucket(Bucket="forwarded")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = collector.recv(65535).decode()
            if 'op="CreateBucket"' in message:
                break
        assert message.startswith("<110>1 "), message
        assert 'bucket="forwarded"' in message and "souverain - AUDIT [souverain@32473" in message
    finally:
        collector.close()


def test_sigkill_under_load_keeps_a_verifiable_trail_with_every_acknowledged_request(fr_server):
    s3 = fr_server.client()
    s3.create_bucket(Bucket="load")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        client = fr_server.client()
        i = 0
        while not stop.is_set():
            try:
                response = client.put_object(Bucket="load", Key=f"w{n}/{i}", Body=b"y" * 512)
            except Exception:
                return
            with lock:
                acknowledged.append(response["ResponseMetadata"]["RequestId"])
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    rng = random.Random(20261123)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(acknowledged) < 150 + rng.randrange(100):
        time.sleep(0.05)
    fr_server.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) > 20, "the load did not get going"

    fr_server.start()  # recovers the trail (a torn tail would be kept aside and recorded)
    fr_server.stop()
    cli = support.SouverainCli(fr_server.data_dir)
    verified = cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    recorded = {r["requestId"] for r in query(cli, "--operation", "PutObject")}
    missing = [rid for rid in acknowledged if rid not in recorded]
    assert not missing, f"{len(missing)} acknowledged requests have no record: {missing[:5]}"
