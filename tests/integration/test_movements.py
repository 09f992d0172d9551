"""Every internal movement of bytes leaves a record (issue: "the trail has no blind spots").

One server with two local locations at two operators (the organisation's own disk and a
directory standing for a provider's volume), a bucket whose rules ask for two copies at two
operators, and a plain bucket. Each movement the server makes on its own, or on an admin's
word, is run, then found with `souverain audit query --bucket B`: the repair of a lost copy,
the scrub that found it, garbage collection of an overwritten object's blobs, migrate,
crypto-shredding, key rotation and retirement, export and import. Each record names the
locations, providers and countries the bytes came from, went to or were deleted at.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import support

pytestmark = pytest.mark.souverain_only

LOCATIONS = {
    # The organisation's own disk.
    "vault-a": ["kind = local", "provider = on-premise", "organisation = CHU de Test", "country = FR", "preference = 0"],
    # A second operator's volume, mounted here: a local location can carry any provider's profile.
    "vault-b": ["kind = local", "provider = scaleway", "provider-region = fr-par", "country = FR", "preference = 1"],
}


def query(cli: support.SouverainCli, *args: str) -> list[dict]:
    out = cli("audit", "query", *args).check()
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not after {timeout} s"
        time.sleep(0.2)


def blob_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and len(p.name) == 32 and "tmp" not in p.relative_to(root).parts)


@pytest.fixture(scope="module")
def world(module_dir):
    data = module_dir / "data"
    sections = []
    for name, lines in LOCATIONS.items():
        sections.append("\n".join([f"[location {name}]", f"path = {module_dir / 'loc' / name}", *lines]))
    rules = json.loads(support.run([str(support.souverain_bin()), "placement", "rules", "--data", str(data)]).check().stdout)
    rules["classifications"]["replicated"] = {"allowedCountries": ["FR"], "minimumReplicas": 2, "minimumDistinctOperators": 2}
    rules_file = module_dir / "rules.json"
    rules_file.write_text(json.dumps(rules))
    config = module_dir / "souverain.conf"
    config.write_text(f"placement-rules = {rules_file}\n\n" + "\n\n".join(sections) + "\n")
    server = support.Server(data, module_dir / "logs", name="movements",
                            extra_args=("--config", str(config), "--garbage-grace", "0", "--repair-interval", "0"))
    server.start()
    try:
        yield dict(server=server, cli=support.SouverainCli(data), config=config, loc=module_dir / "loc")
    finally:
        server.stop()


def admin_post(world, path: str, **query) -> dict:
    answer = support.request(world["server"].endpoint, world["server"].admin(), "POST", raw_path=f"/_souverain/{path}",
                             query=query or None)
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


create_classified = support.create_classified


def test_a_replicated_write_to_two_local_locations_stores_both_copies(world):
    # Two locations of the same kind at two operators: the write is acknowledged once both hold it.
    s3 = world["server"].client()
    create_classified(s3, "twice", "replicated")
    body = support.seeded_bytes("twice", 300_000)
    s3.put_object(Bucket="twice", Key="record", Body=body)
    assert s3.get_object(Bucket="twice", Key="record")["Body"].read() == body
    assert len(blob_files(world["loc"] / "vault-a")) == 1
    assert len(blob_files(world["loc"] / "vault-b")) == 1
    put = [r for r in query(world["cli"], "--bucket", "twice", "--operation", "PutObject")][-1]
    assert {(l["location"], l["provider"], l["direction"]) for l in put["locations"]} == {
        ("vault-a", "on-premise", "write"), ("vault-b", "scaleway", "write")}


def test_scrub_finding_and_repair_are_recorded(world):
    s3 = world["server"].client()
    cli = world["cli"]
    create_classified(s3, "healing", "replicated")
    body = support.seeded_bytes("healing", 200_000)
    before = set(blob_files(world["loc"] / "vault-b"))
    s3.put_object(Bucket="healing", Key="scan.dcm", Body=body)
    new = [p for p in blob_files(world["loc"] / "vault-b") if p not in before]
    assert len(new) == 1, new
    # The second operator's copy is lost (a volume wiped behind our back).
    new[0].unlink()

    scrub = admin_post(world, "scrub")
    assert scrub["damaged"] >= 1, scrub
    findings = [r for r in query(cli, "--bucket", "healing", "--key", "scan.dcm", "--operation", "scrub")]
    assert findings, "the scrub's finding is not in the trail"
    finding = findings[-1]
    assert finding["errorCode"] == "CorruptCopy"
    assert finding["locations"] == [{"location": "vault-b", "provider": "scaleway", "country": "FR", "direction": "read"}]
    passes = [r for r in query(cli, "--operation", "scrub") if r.get("bucket") is None]
    assert passes and "verified" in passes[-1]["detail"]

    repaired = admin_post(world, "repair")
    assert repaired["repaired"] == 1 and repaired["backlog"] == 0, repaired
    repairs = query(cli, "--bucket", "healing", "--key", "scan.dcm", "--operation", "repair")
    assert len(repairs) == 1, repairs
    record = repairs[0]
    assert {(l["location"], l["direction"]) for l in record["locations"]} == {("vault-a", "read"), ("vault-b", "write")}
    assert record["bytesOut"] > len(body)  # the sealed blob: the plaintext plus the format's overhead
    assert s3.get_object(Bucket="healing", Key="scan.dcm")["Body"].read() == body


def test_garbage_collection_of_an_overwritten_object_is_recorded(world):
    s3 = world["server"].client()
    cli = world["cli"]
    s3.create_bucket(Bucket="rewritten")
    s3.put_object(Bucket="rewritten", Key="draft", Body=b"first version")
    s3.put_object(Bucket="rewritten", Key="draft", Body=b"second version")
    wait_until(lambda: query(cli, "--bucket", "rewritten", "--operation", "collect-garbage"), timeout=30,
               what="the garbage collection of the first version")
    record = query(cli, "--bucket", "rewritten", "--operation", "collect-garbage")[0]
    assert record["key"] == "draft"
    assert record["locations"] == [{"location": "vault-a", "provider": "on-premise", "country": "FR", "direction": "delete"}]
    assert s3.get_object(Bucket="rewritten", Key="draft")["Body"].read() == b"second version"


def test_migrate_shred_rotate_and_retire_are_recorded(world):
    s3 = world["server"].client()
    cli = world["cli"]
    s3.create_bucket(Bucket="moving")
    s3.put_object(Bucket="moving", Key="a", Body=b"alpha" * 1000)
    cli("migrate", "--bucket", "moving", "--to", "vault-b", timeout=120).check()
    moves = query(cli, "--bucket", "moving", "--key", "a", "--operation", "RelocateObject")
    assert moves, "the migration is not in the trail"
    assert {(l["location"], l["direction"]) for l in moves[-1]["locations"]} == {
        ("vault-a", "read"), ("vault-b", "write"), ("vault-a", "delete")}

    cli("keys", "rotate", "--bucket", "moving").check()
    rotations = query(cli, "--bucket", "moving", "--operation", "RotateKeys")
    assert rotations and rotations[-1]["status"] == 200, rotations
    cli("keys", "retire", "--bucket", "moving", "--version", "1").check()
    retirements = query(cli, "--bucket", "moving", "--operation", "RetireKey")
    assert retirements and retirements[-1]["status"] == 200, retirements

    s3.create_bucket(Bucket="doomed")
    s3.put_object(Bucket="doomed", Key="x", Body=b"secret")
    cli("bucket", "shred", "doomed", "--yes").check()
    shreds = [r for r in query(cli, "--bucket", "doomed") if r["operation"] == "ShredBucket" and r["status"] == 200]
    assert shreds and all(l["direction"] == "delete" for l in shreds[0]["locations"]), shreds


def test_export_and_import_are_recorded(world, tmp_path):
    s3 = world["server"].client()
    cli = world["cli"]
    s3.create_bucket(Bucket="leaving")
    for i in range(3):
        s3.put_object(Bucket="leaving", Key=f"doc/{i}", Body=support.seeded_bytes(f"leaving{i}", 1000 + i))
    out = tmp_path / "export"
    cli("export", "--bucket", "leaving", "--to", str(out), timeout=120).check()
    exports = query(cli, "--bucket", "leaving", "--operation", "export")
    assert len(exports) == 1, exports
    assert exports[0]["bytesOut"] == 3003 and str(out) in exports[0]["detail"] and exports[0]["user"].startswith("admin (")

    cli("import", "--from", str(out), "--bucket", "arriving", timeout=120).check()
    imports = query(cli, "--bucket", "arriving", "--operation", "import")
    assert len(imports) == 1, imports
    assert imports[0]["bytesIn"] == 3003 and "3 objects" in imports[0]["detail"] and str(out) in imports[0]["detail"]
    verified = cli("audit", "verify").check()
    assert verified.stdout.startswith("verified"), verified.stdout
