"""Placement by law, end to end: a server with two local locations and three remote ones (served
by moto, another S3 implementation, and by a second Souverain), each with a sovereignty
profile. For each built-in classification the objects land only where its rules allow, checked
by looking inside every location; a forbidden placement is refused with PlacementViolation; a
registry import that withdraws a qualification makes `placement audit` find the objects
concerned and `placement enforce` move them, byte for byte, with a trace in the audit trail."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import boto3
import pytest

import support

pytestmark = pytest.mark.souverain_only

SHIPPED = Path(__file__).resolve().parents[2] / "Sources/SouverainPlacement/Resources/registry.json"

# Preference order: the least protective first, so a strict classification that lands on a later
# location proves the earlier ones were refused.
PROFILES = {
    # EU region of a US-owned provider.
    "aws-paris": dict(provider="aws", region="eu-west-3", country="FR", preference=0),
    # Germany.
    "ionos-de": dict(provider="ionos", region="de", country="DE", preference=1),
    # France, HDS-certified region.
    "hds-fr": dict(provider="scaleway", region="fr-par", country="FR", preference=2),
    # France, SecNumCloud-qualified offer.
    "snc-fr": dict(provider="s3ns", region="u-france-east1", country="FR", preference=3),
    # The organisation's own machines.
    "onprem": dict(provider="on-premise", region=None, country="FR", preference=4),
}
LOCAL = ("aws-paris", "onprem")
ON_MOTO = ("ionos-de", "hds-fr")
ON_SOUVERAIN = ("snc-fr",)

EXPECTED = {
    "public": "aws-paris",
    "internal": "aws-paris",
    "personal": "aws-paris",
    "health": "hds-fr",
    "sensitive": "snc-fr",
    "public-archives": "hds-fr",
}


class Moto:
    """moto_server on a free loopback port, stopped by PID."""

    def __init__(self, log: Path):
        self.port = support.free_port()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                support._moto_server_command() + ["-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out, stderr=out, stdin=subprocess.DEVNULL, env=support.clean_env(), start_new_session=True)
        support._remember(self.proc)
        deadline = time.monotonic() + 30
        while True:
            try:
                if support.http_status(self.endpoint + "/moto-api/", timeout=1.0) == 200:
                    break
            except OSError:
                pass
            assert self.proc.poll() is None, "moto_server exited"
            assert time.monotonic() < deadline, "moto_server not ready after 30 s"
            time.sleep(0.1)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        # moto keeps nothing worth a graceful exit, and its threaded server waits on the idle
        # keep-alive connections of the gateways it served: a second, then SIGKILL.
        support.stop_process(self.proc, grace=1.0)


@pytest.fixture(scope="module")
def world(module_dir):
    moto = Moto(module_dir / "moto.log")
    remote = support.Server(module_dir / "remote-data", module_dir / "logs", name="remote")
    main = None
    try:
        remote.start()
        # A plain boto3 client: moto does not send x-amz-request-id, which support.s3_client requires.
        moto_s3 = boto3.client("s3", endpoint_url=moto.endpoint, aws_access_key_id="testing",
                               aws_secret_access_key="testing", region_name=support.REGION)
        remote_s3 = remote.client()
        for name in ON_MOTO:
            moto_s3.create_bucket(Bucket=f"blobs-{name}")
        for name in ON_SOUVERAIN:
            remote_s3.create_bucket(Bucket=f"blobs-{name}")

        sections = []
        for name, p in PROFILES.items():
            lines = [f"[location {name}]"]
            if name in LOCAL:
                lines += ["kind = local", f"path = {module_dir / 'loc' / name}"]
            else:
                on_moto = name in ON_MOTO
                creds = support.Creds("testing", "testing") if on_moto else remote.admin()
                lines += ["kind = s3", f"endpoint = {moto.endpoint if on_moto else remote.endpoint}",
                          f"bucket = blobs-{name}", "prefix = souverain/", f"access-key = {creds.access_key}",
                          f"secret-key = {creds.secret_key}", "allow-plain-http = true"]
            lines += [f"provider = {p['provider']}", f"country = {p['country']}", f"preference = {p['preference']}"]
            if p["region"]:
                lines.append(f"provider-region = {p['region']}")
            if name == "onprem":
                lines.append("organisation = CHU de Test")
            sections.append("\n".join(lines))
        config = module_dir / "souverain.conf"
        data = module_dir / "data"
        cli = support.SouverainCli(data)
        rules = json.loads(support.run([str(support.souverain_bin()), "placement", "rules", "--data", str(data)]).check().stdout)
        rules["classifications"]["regional"] = {"allowedCountries": ["DE"]}
        rules_file = module_dir / "rules.json"
        rules_file.write_text(json.dumps(rules))
        config.write_text(f"placement-rules = {rules_file}\n\n" + "\n\n".join(sections) + "\n")

        main = support.Server(data, module_dir / "logs", name="main", extra_args=("--config", str(config), "--garbage-grace", "0"))
        main.start()
        yield dict(main=main, moto=moto_s3, remote=remote_s3, config=config, rules_file=rules_file, cli=cli,
                   module_dir=module_dir)
    finally:
        if main is not None:
            main.stop()
        remote.stop()
        moto.stop()


def blobs_at(world, name: str) -> dict[str, bytes]:
    """Every blob stored in a location, read from inside it (not through the server)."""
    # The garbage collector may delete a blob between the listing and the read: a blob
    # that vanished in between is simply no longer there.
    out = {}
    if name in LOCAL:
        root = world["module_dir"] / "loc" / name / "blobs"
        for path in root.rglob("*"):
            try:
                if path.is_file():
                    out[path.name] = path.read_bytes()
            except FileNotFoundError:
                pass
        return out
    client = world["moto"] if name in ON_MOTO else world["remote"]
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=f"blobs-{name}"):
        for item in page.get("Contents", []):
            try:
                out[item["Key"]] = client.get_object(Bucket=f"blobs-{name}", Key=item["Key"])["Body"].read()
            except client.exceptions.NoSuchKey:
                pass
    return out


def where_is(world, blob: bytes) -> list[str]:
    """The locations holding a blob with exactly these (encrypted) bytes."""
    return [name for name in PROFILES if blob in blobs_at(world, name).values()]


def written_by(world, action) -> list[bytes]:
    """The blobs (as stored: encrypted) that `action` added, in any location. A relocation moves
    a blob's bytes as they are, so they identify it wherever it goes."""
    def everything():
        return {(name, key): value for name in PROFILES for key, value in blobs_at(world, name).items()}
    before = everything()
    action()
    return [value for where, value in everything().items() if where not in before]


def create_classified(world, bucket: str, classification: str):
    """CreateBucket with the classification header, sent by boto3."""
    s3 = world["main"].client()

    def add_header(request, **kwargs):
        request.headers["x-souverain-classification"] = classification

    s3.meta.events.register("before-sign.s3.CreateBucket", add_header)
    s3.create_bucket(Bucket=bucket)


@pytest.mark.parametrize("classification", sorted(EXPECTED))
def test_each_classification_lands_only_where_allowed(world, classification):
    bucket = f"cls-{classification}"
    create_classified(world, bucket, classification)
    s3 = world["main"].client()
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]["x-souverain-classification"] == classification
    data = support.seeded_bytes(f"placement-{classification}", 300_000)
    [blob] = written_by(world, lambda: s3.put_object(Bucket=bucket, Key="doc.bin", Body=data))
    assert data not in blob
    assert where_is(world, blob) == [EXPECTED[classification]]
    assert s3.get_object(Bucket=bucket, Key="doc.bin")["Body"].read() == data
    # A multipart object goes to the same place, all its parts.
    parts = [support.seeded_bytes(f"{classification}-part{n}", 5 * 1024 * 1024 + n) for n in range(2)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin")["UploadId"]
    etags, blobs = [], []
    for n, p in enumerate(parts):
        blobs += written_by(world, lambda: etags.append(
            s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=n + 1, Body=p)["ETag"]))
    s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    assert len(blobs) == len(parts)
    for blob in blobs:
        assert where_is(world, blob) == [EXPECTED[classification]]


def test_the_trail_records_the_location_and_country(world):
    bucket = "trail-health"
    create_classified(world, bucket, "health")
    world["main"].client().put_object(Bucket=bucket, Key="scan.dcm", Body=b"x" * 1000)
    records = [json.loads(line) for line in world["cli"]("audit", "query", "--bucket", bucket).check().stdout.splitlines()]
    put = [r for r in records if r["operation"] == "PutObject"]
    assert put and put[-1]["locations"] == [
        {"location": "hds-fr", "provider": "scaleway", "country": "FR", "direction": "write"}], put


def test_a_forbidden_placement_is_refused(world):
    s3 = world["main"].client()
    with pytest.raises(Exception) as refused:
        create_classified(world, "cls-nowhere", "no-such-class")
    assert support.error_code(refused.value) == "PlacementViolation"
    assert support.http_code(refused.value) == 403
    # A bucket whose rules change so that no location qualifies refuses new objects, with the
    # classification and every location's reasons in the message, as aws-cli shows it.
    create_classified(world, "cls-regional", "regional")
    data = support.seeded_bytes("regional", 1000)
    [blob] = written_by(world, lambda: s3.put_object(Bucket="cls-regional", Key="before.bin", Body=data))
    assert where_is(world, blob) == ["ionos-de"]
    rules = json.loads(world["rules_file"].read_text())
    rules["classifications"]["regional"] = {"allowedCountries": ["CH"]}
    world["rules_file"].write_text(json.dumps(rules))
    world["main"].restart()
    s3 = world["main"].client()
    local_file = world["module_dir"] / "after.bin"
    local_file.write_bytes(b"after")
    aws = support.AwsCli(world["main"].endpoint, world["main"].admin(), world["module_dir"] / "awscli")
    ran = aws("s3", "cp", str(local_file), "s3://cls-regional/after.bin")
    assert ran.returncode != 0
    assert "PlacementViolation" in ran.stderr and "'regional'" in ran.stderr, ran.stderr
    assert "Location 'ionos-de'" in ran.stderr and "DE is not allowed" in ran.stderr, ran.stderr
    with pytest.raises(Exception) as listed:
        s3.head_object(Bucket="cls-regional", Key="after.bin")
    assert support.http_code(listed.value) == 404
    # The object stored before stays readable where it is; audit reports it, with nowhere to go.
    assert s3.get_object(Bucket="cls-regional", Key="before.bin")["Body"].read() == data
    audit = [json.loads(line) for line in world["cli"]("placement", "audit", "--config", str(world["config"]), "--json").check().stdout.splitlines()]
    regional = [a for a in audit if a["bucket"] == "cls-regional"]
    assert [(a["key"], a["location"], a["allowed"]) for a in regional] == [("before.bin", "ionos-de", [])]


def test_withdrawn_qualification_audit_and_enforce(world, tmp_path):
    s3 = world["main"].client()
    create_classified(world, "moving-health", "health")
    small = support.seeded_bytes("moving-small", 200_000)
    [small_blob] = written_by(world, lambda: s3.put_object(Bucket="moving-health", Key="a/small.bin", Body=small))
    parts = [support.seeded_bytes(f"moving-part{n}", 5 * 1024 * 1024 + 7 * n) for n in range(2)]
    upload = s3.create_multipart_upload(Bucket="moving-health", Key="b/large.bin")["UploadId"]
    etags, part_blobs = [], []
    for n, p in enumerate(parts):
        part_blobs += written_by(world, lambda: etags.append(
            s3.upload_part(Bucket="moving-health", Key="b/large.bin", UploadId=upload, PartNumber=n + 1, Body=p)["ETag"]))
    s3.complete_multipart_upload(Bucket="moving-health", Key="b/large.bin", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    large_etag = s3.head_object(Bucket="moving-health", Key="b/large.bin")["ETag"]
    assert where_is(world, small_blob) == ["hds-fr"]
    cli = world["cli"]
    config = str(world["config"])

    # Scaleway's HDS certificate is withdrawn: an operator imports the updated registry.
    registry = json.loads(SHIPPED.read_text())
    scaleway = next(p for p in registry["providers"] if p["id"] == "scaleway")
    scaleway["qualifications"]["hds"]["value"] = {"status": "unknown", "scope": None, "note": "certificate withdrawn"}
    scaleway["qualifications"]["hds"]["asOf"] = time.strftime("%Y-%m-%d", time.gmtime())
    updated = tmp_path / "registry.json"
    updated.write_text(json.dumps(registry))
    shown = cli("registry", "import", str(updated)).check().stdout
    assert "scaleway" in shown
    world["main"].restart()
    s3 = world["main"].client()

    audit = [json.loads(line) for line in cli("placement", "audit", "--config", config, "--json").check().stdout.splitlines()]
    health = sorted((a["bucket"], a["key"], a["location"], a["allowed"][0]) for a in audit if a["classification"] == "health")
    assert ("moving-health", "a/small.bin", "hds-fr", "onprem") in health
    assert ("moving-health", "b/large.bin", "hds-fr", "onprem") in health
    assert not [a for a in audit if a["bucket"] in ("cls-public-archives", "cls-sensitive")], audit
    explained = cli("placement", "explain", "--config", config, "--bucket", "moving-health").check().stdout
    assert "Scaleway" in explained and "hds-fr" in explained

    # New health objects already go on-premise.
    fresh = support.seeded_bytes("moving-fresh", 1000)
    [fresh_blob] = written_by(world, lambda: s3.put_object(Bucket="moving-health", Key="fresh.bin", Body=fresh))
    assert where_is(world, fresh_blob) == ["onprem"]

    moved = cli("placement", "enforce", "--config", config, "--json", timeout=300).check().stdout
    outcomes = {(m["bucket"], m["key"]): (m["outcome"], m["from"], m.get("to")) for m in map(json.loads, moved.splitlines())}
    assert outcomes[("moving-health", "a/small.bin")] == ("moved", "hds-fr", "onprem")
    assert outcomes[("moving-health", "b/large.bin")] == ("moved", "hds-fr", "onprem")
    assert outcomes[("cls-regional", "before.bin")][0] == "nowhere-allowed"

    # Byte-exact through the server, same ETag, and inside the locations: on-premise only, once
    # garbage collection has deleted the old blobs at hds-fr.
    assert s3.get_object(Bucket="moving-health", Key="a/small.bin")["Body"].read() == small
    got = s3.get_object(Bucket="moving-health", Key="b/large.bin")
    assert got["Body"].read() == b"".join(parts) and got["ETag"] == large_etag
    deadline = time.monotonic() + 30
    while where_is(world, small_blob) != ["onprem"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert where_is(world, small_blob) == ["onprem"]
    for blob in part_blobs:
        assert where_is(world, blob) == ["onprem"]
    remaining = [a for a in map(json.loads, cli("placement", "audit", "--config", config, "--json").check().stdout.splitlines())
                 if a["classification"] == "health"]
    assert remaining == []

    # Each move is in the audit trail, with both locations and their countries.
    records = [json.loads(line) for line in cli("audit", "query", "--bucket", "moving-health").check().stdout.splitlines()]
    moves = [r for r in records if r["operation"] == "RelocateObject" and r["key"] == "a/small.bin"]
    assert moves and [(l["location"], l["direction"]) for l in moves[-1]["locations"]] == [
        ("hds-fr", "read"), ("onprem", "write"), ("hds-fr", "delete")]
    assert cli("audit", "verify").returncode == 0


def test_location_commands(world, tmp_path):
    cli = world["cli"]
    config = str(world["config"])
    listed = cli("location", "list", "--config", config).check().stdout
    for name in PROFILES:
        assert f"\n{name}\t" in listed, listed
    shown = cli("location", "show", "snc-fr", "--config", config).check().stdout
    assert "provider = s3ns" in shown and "SecNumCloud" in shown and "as of" in shown
    assert support.ADMIN_SECRET_KEY not in shown and "(set, not shown)" in shown
    for name in ("ionos-de", "snc-fr", "onprem"):
        checked = cli("location", "check", name, "--config", config).check().stdout
        assert "read it back, byte for byte" in checked and "FAIL" not in checked, checked
    # A location whose endpoint is gone fails its check.
    own = tmp_path / "own.conf"
    own.write_text("")
    own_cli = support.SouverainCli(tmp_path / "data")
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    own_cli("location", "add", "dead", "--config", str(own), "--kind", "s3", "--endpoint",
            f"http://127.0.0.1:{support.free_port()}", "--allow-plain-http", "--bucket", "b", "--access-key", "k",
            "--secret-key-file", str(secret)).check()
    assert "[location dead]" in own.read_text() and "s3cr3t" not in own.read_text()
    dead = own_cli("location", "check", "dead", "--config", str(own))
    assert dead.returncode != 0 and "FAIL  write a 4 KiB blob" in dead.stdout, dead.stdout
    assert own_cli("location", "add", "bad", "--config", str(own), "--provider", "no-such-provider").returncode != 0
    own_cli("location", "add", "vault", "--config", str(own), "--path", str(tmp_path / "vault"),
            "--country", "FR", "--organisation", "Archives départementales").check()
    assert own_cli("location", "check", "vault", "--config", str(own)).check().returncode == 0
    # The bucket's objects at a location keep it from being removed.
    assert cli("location", "remove", "onprem", "--config", config).returncode != 0
    own_cli("location", "remove", "vault", "--config", str(own)).check()
    assert "[location vault]" not in own.read_text() and "[location dead]" in own.read_text()
