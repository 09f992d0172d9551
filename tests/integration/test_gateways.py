"""Two gateways on one PostgreSQL catalogue (docs/scale-out.md, "What each gateway shares and
what it keeps"), Souverain only.

One throwaway PostgreSQL and two gateways for the module, each with an explicit gateway id, its
own data directory and port, the same keyring and the same local location (the first's, by
path), reading the catalogue's change feed every second: what one changes is in force on the
other within the bound, 2 s. A bucket key rotated through A wraps the next PUT through B; a
bucket shredded through A is unreadable through B; a bucket policy changed through A is enforced
by B. Each gateway writes its own audit chain (DATA/trails/ID); `audit verify` checks both and
`audit query` merges them by time. Periodic work runs under leases: one gateway repairs, and the
other takes over when it dies. Skipped without PostgreSQL unless SOUVERAIN_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, IncompleteReadError, ResponseStreamingError
from urllib3.exceptions import ProtocolError

import support

pytestmark = pytest.mark.souverain_only

REFRESH_SECONDS = 1
BOUND = 2 * REFRESH_SECONDS
LEASE_SECONDS = 5


@pytest.fixture(scope="module")
def postgres(module_dir):
    yield from support.module_postgres("gw")


def configure(directory: Path, url: str, gateway_id: str, shared_local: Path | None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "souverain.conf"
    support.run([str(support.souverain_bin()), "init", "--postgres", url, str(config)]).check()
    with open(config, "a") as out:
        out.write(f"\ngateway-id = {gateway_id}\ncatalogue-refresh-seconds = {REFRESH_SECONDS}\nlease-seconds = {LEASE_SECONDS}\n")
        if shared_local is not None:
            out.write(f"\n[location local]\nkind = local\npath = {shared_local}\n")
    return config


class Gateways:
    def __init__(self, a: support.Server, b: support.Server, postgres: support.TestPostgres, database: str, url: str):
        self.a, self.b = a, b
        self.postgres, self.database, self.url = postgres, database, url

    def sql(self, query: str) -> list[str]:
        """Rows of a query on the shared catalogue, one line each (psql -At)."""
        done = subprocess.run(
            [str(self.postgres.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.postgres.port), "-U", "postgres",
             "-d", self.database, "-At", "-c", query],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, text=True)
        assert done.returncode == 0, done.stderr
        return [line for line in done.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def gateways(module_dir, postgres):
    url = postgres.create_database("gateways")
    a_dir, b_dir = module_dir / "gateway-a", module_dir / "gateway-b"
    a = support.Server(a_dir / "data", module_dir / "logs", name="gateway-a",
                       extra_args=("--config", str(configure(a_dir, url, "gw-a", None)), "--repair-interval", "1"))
    b = None
    try:
        a.start()
        b_config = configure(b_dir, url, "gw-b", a_dir / "data" / "local")
        (b_dir / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy2(a_dir / "data" / "keyring.json", b_dir / "data" / "keyring.json")
        b = support.Server(b_dir / "data", module_dir / "logs", name="gateway-b",
                           extra_args=("--config", str(b_config), "--repair-interval", "1"))
        b.start()
        yield Gateways(a, b, postgres, "gateways", url)
    finally:
        if b is not None:
            b.stop()
        a.stop()


def admin_post(server: support.Server, path: str, **query) -> dict:
    answer = support.request(server.endpoint, server.admin(), "POST", raw_path=path, query=query)
    assert answer.status == 200, answer.describe()
    return json.loads(answer.body)


def test_each_gateway_names_itself_in_its_health_answers_and_its_logs(gateways):
    for server, name in ((gateways.a, "gw-a"), (gateways.b, "gw-b")):
        answer = support.send(server.endpoint, "GET", "/health/ready", {})
        assert answer.status == 200 and answer.header("x-souverain-gateway") == name
        assert f"gateway={name}" in server.all_output()[1]


def bucket_key_versions(gateways: Gateways, bucket: str) -> dict[str, set[int]]:
    rows = gateways.sql(f"SELECT convert_from(key, 'UTF8') || ' ' || segments FROM objects WHERE bucket = '{bucket}'")
    versions = {}
    for row in rows:
        key, segments = row.split(" ", 1)
        versions[key] = {segment["encryption"]["bucketKeyVersion"] for segment in json.loads(segments)}
    return versions


def test_a_key_rotated_through_one_gateway_wraps_the_next_writes_through_the_other_within_the_bound(gateways):
    bucket = support.unique_bucket_name("gw-rotate")
    a, b = gateways.a.client(), gateways.b.client()
    a.create_bucket(Bucket=bucket)
    # B makes and holds version 1 of the bucket's key.
    b.put_object(Bucket=bucket, Key="before", Body=b"under version 1")
    assert bucket_key_versions(gateways, bucket) == {"before": {1}}
    assert admin_post(gateways.a, "/_souverain/keys/rotate", bucket=bucket)["version"] == 2
    rotated = time.monotonic()
    # PUTs through B, until one is past the bound: each one that starts after it is under version 2.
    started_after_bound, n = [], 0
    while True:
        n += 1
        started = time.monotonic()
        b.put_object(Bucket=bucket, Key=f"after-{n}", Body=b"written through B")
        if started > rotated + BOUND:
            started_after_bound.append(f"after-{n}")
        if len(started_after_bound) >= 2:
            break
        assert time.monotonic() < rotated + BOUND + 3, "PUTs through B did not get past the bound"
        time.sleep(0.2)
    versions = bucket_key_versions(gateways, bucket)
    assert {key: versions[key] for key in started_after_bound} == {key: {2} for key in started_after_bound}
    assert versions["before"] == {2}  # re-wrapped by the rotation
    for n in range(1, n + 1):
        assert b.get_object(Bucket=bucket, Key=f"after-{n}")["Body"].read() == b"written through B"


def test_a_bucket_shredded_through_one_gateway_is_unreadable_through_the_other_within_the_bound(gateways):
    bucket = support.unique_bucket_name("gw-shred")
    a, b = gateways.a.client(), gateways.b.client()
    a.create_bucket(Bucket=bucket)
    a.put_object(Bucket=bucket, Key="secret", Body=b"soon unreadable")
    # B reads it: its key is now held in B's memory.
    assert b.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"soon unreadable"
    assert admin_post(gateways.a, "/_souverain/buckets/shred", bucket=bucket)["keyVersionsDestroyed"] == 1
    deadline = time.monotonic() + BOUND + 3
    while True:
        try:
            b.get_object(Bucket=bucket, Key="secret")["Body"].read()
        except ClientError as exc:
            assert support.error_code(exc) == "InvalidObjectState", exc.response
            break
        except (ResponseStreamingError, IncompleteReadError, ProtocolError):
            # The key went between the answer's head and its body: the server stopped the body
            # there (its status was already sent). Nothing was decrypted past that point; go on.
            pass
        assert time.monotonic() < deadline, "gateway B still decrypts a shredded bucket past the bound"
        time.sleep(0.2)
    # And never again: the refused read cached nothing.
    for _ in range(3):
        assert support.code_of(lambda: b.get_object(Bucket=bucket, Key="secret")) == ("InvalidObjectState", 403)


def test_a_bucket_policy_changed_through_one_gateway_is_enforced_by_the_other_within_the_bound(gateways):
    bucket = support.unique_bucket_name("gw-policy")
    a, b = gateways.a.client(), gateways.b.client()
    a.create_bucket(Bucket=bucket)
    a.put_object(Bucket=bucket, Key="k", Body=b"readable")
    assert b.get_object(Bucket=bucket, Key="k")["Body"].read() == b"readable"  # B holds "no policy"
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}]}
    a.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny))

    def wait_until(outcome, what):
        deadline = time.monotonic() + BOUND + 3
        while True:
            try:
                b.get_object(Bucket=bucket, Key="k")["Body"].read()
                code = None
            except ClientError as exc:
                code = support.error_code(exc)
            if code == outcome:
                return
            assert time.monotonic() < deadline, f"gateway B {what} past the bound (last: {code})"
            time.sleep(0.2)

    wait_until("AccessDenied", "still ignores the Deny")
    a.delete_bucket_policy(Bucket=bucket)
    wait_until(None, "still enforces the deleted Deny")


def test_each_gateway_writes_its_own_chain_verified_and_merged_by_audit(gateways, module_dir):
    bucket = support.unique_bucket_name("gw-audit")
    a, b = gateways.a.client(), gateways.b.client()
    a.create_bucket(Bucket=bucket)
    a.put_object(Bucket=bucket, Key="through-a", Body=b"a")
    b.put_object(Bucket=bucket, Key="through-b", Body=b"b")
    trails = [gateways.a.data_dir / "trails" / "gw-a", gateways.b.data_dir / "trails" / "gw-b"]
    for trail in trails:
        assert trail.is_dir() and Path(str(trail) + ".key").exists() and Path(str(trail) + ".pub").exists()
    assert not (gateways.a.data_dir / "audit").exists() and not (gateways.b.data_dir / "audit").exists()
    binary = str(support.souverain_bin())
    trail_args = [arg for trail in trails for arg in ("--trail", str(trail))]
    verified = support.run([binary, "audit", "verify", *trail_args], cwd=module_dir).check()
    assert verified.stdout.startswith("gw-a: ") and "\ngw-b: " in verified.stdout
    assert "All 2 trails verified." in verified.stdout
    # Records written by the gateways, not yet on disk, may still be coming: the writes above are.
    queried = support.run([binary, "audit", "query", *trail_args, "--bucket", bucket], cwd=module_dir).check()
    records = [json.loads(line) for line in queried.stdout.splitlines()]
    puts = [(r["trail"], r["key"]) for r in records if r["operation"] == "PutObject"]
    assert puts == [("gw-a", "through-a"), ("gw-b", "through-b")]
    assert [r["timeMs"] for r in records] == sorted(r["timeMs"] for r in records)
    # A tampered chain fails verification, naming its trail.
    segment = sorted(p for p in trails[1].iterdir() if p.is_file())[0]
    copy = module_dir / "tampered" / "gw-b"
    shutil.copytree(trails[1], copy)
    shutil.copy2(str(trails[1]) + ".pub", str(copy) + ".pub")
    data = bytearray((copy / segment.name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (copy / segment.name).write_bytes(bytes(data))
    failed = support.run([binary, "audit", "verify", "--trail", str(trails[0]), "--trail", str(copy)], cwd=module_dir)
    assert failed.returncode == 1 and "Some trails did not verify." in failed.stdout, failed.stdout


def lease_takers(server: support.Server, job: str) -> int:
    return len(re.findall(rf"job={job}.*lease taken|lease taken.*job={job}", server.all_output()[1]))


def test_one_gateway_at_a_time_repairs_and_the_other_takes_over_when_it_dies(gateways):
    # Both try every second (--repair-interval 1): one has taken the lease, the other never.
    deadline = time.monotonic() + 10
    while lease_takers(gateways.a, "repair") + lease_takers(gateways.b, "repair") == 0:
        assert time.monotonic() < deadline, "no gateway took the repair lease"
        time.sleep(0.2)
    holder, other = (gateways.a, gateways.b) if lease_takers(gateways.a, "repair") else (gateways.b, gateways.a)
    assert lease_takers(other, "repair") == 0
    name = "gw-a" if holder is gateways.a else "gw-b"
    assert gateways.sql("SELECT holder FROM leases WHERE name = 'repair'") == [name]
    # The holder dies without releasing it: the other takes it once it expires.
    holder.kill9()
    try:
        deadline = time.monotonic() + LEASE_SECONDS + 1 + 3
        while lease_takers(other, "repair") == 0:
            assert time.monotonic() < deadline, "the repair lease was not taken over"
            time.sleep(0.2)
        assert gateways.sql("SELECT holder FROM leases WHERE name = 'repair'") == ["gw-a" if other is gateways.a else "gw-b"]
    finally:
        holder.start()


def test_a_gateway_stopped_with_sigterm_closes_idle_connections_and_leaves_within_its_shutdown_grace(gateways, module_dir):
    """A third gateway, `shutdown-grace-seconds = 2`, holds an idle keep-alive connection and a
    download its client stopped reading. SIGTERM: the idle connection is closed, and the process
    exits (status 0) after the grace instead of waiting for the client (docs/scale-out.md,
    "Stopping a gateway"). The 30 s waits are functional bounds, far above the grace."""
    c_dir = module_dir / "gateway-c"
    config = configure(c_dir, gateways.url, "gw-c", gateways.a.data_dir / "local")
    (c_dir / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy2(gateways.a.data_dir / "keyring.json", c_dir / "data" / "keyring.json")
    c = support.Server(c_dir / "data", module_dir / "logs", name="gateway-c", extra_args=("--config", str(config)))
    c.extra_env["SOUVERAIN_SHUTDOWN_GRACE_SECONDS"] = "2"
    c.start()
    try:
        s3 = c.client()
        bucket = support.unique_bucket_name("gw-stop")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="big", Body=support.seeded_bytes("gw-stop", 32 * support.MIB))
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "big"}, ExpiresIn=300)
        path = url.split(f":{c.port}", 1)[1]

        idle = socket.create_connection(("127.0.0.1", c.port), timeout=30)
        idle.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", c.port))
        stalled.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{c.port}\r\n\r\n".encode())
        assert stalled.recv(1024).startswith(b"HTTP/1.1 200")  # then reads nothing more

        os.kill(c.pid, signal.SIGTERM)
        # The idle connection is closed by the server: an end of stream, not a timeout.
        try:
            assert idle.recv(65536) == b"", "the idle keep-alive connection got data instead of being closed"
        except ConnectionResetError:
            pass
        try:
            status = c.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError("the gateway still runs 30 s after SIGTERM: a client that stopped reading holds it") from None
        assert status == 0, c.log_tail()
        idle.close()
        stalled.close()
    finally:
        c.stop()
