"""Replicas at independent operators, end to end (docs/replicas.md): a bucket whose rules ask for
two copies at two distinct operators is written to a second Souverain (one operator) and to moto
(another S3 implementation, another operator) at once. Stopping the first in the middle of a
read-heavy run leaves every GET correct; writes then follow the rules (refused, or accepted and
left to the repair); once it returns, the repair re-creates the missing copies, checked inside
the location, byte for byte."""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import json
import re
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

import support
from test_placement import Moto

pytestmark = pytest.mark.souverain_only

# Preference: the second Souverain first, so stopping it is what the reads must survive.
LOCATIONS = {
    "rep-a": dict(provider="scaleway", region="fr-par", country="FR", preference=0),
    "rep-b": dict(provider="ionos", region="de", country="DE", preference=1),
    # Where buckets without replica rules go; outside the replicated classes' countries.
    "onprem": dict(provider="on-premise", region=None, country="BE", preference=2),
}


@pytest.fixture(scope="module")
def world(module_dir):
    moto = Moto(module_dir / "moto.log")
    remote = support.Server(module_dir / "remote-data", module_dir / "logs", name="remote")
    main = None
    try:
        remote.start()
        remote.pinned_port = remote.port
        moto_s3 = boto3.client("s3", endpoint_url=moto.endpoint, aws_access_key_id="testing",
                               aws_secret_access_key="testing", region_name=support.REGION)
        remote_s3 = remote.client()
        remote_s3.create_bucket(Bucket="blobs-rep-a")
        moto_s3.create_bucket(Bucket="blobs-rep-b")
        sections = []
        for name, p in LOCATIONS.items():
            lines = [f"[location {name}]"]
            if name == "onprem":
                lines += ["kind = local", f"path = {module_dir / 'loc' / name}", "organisation = CHU de Test"]
            else:
                creds = remote.admin() if name == "rep-a" else support.Creds("testing", "testing")
                endpoint = remote.endpoint if name == "rep-a" else moto.endpoint
                lines += ["kind = s3", f"endpoint = {endpoint}", "allow-plain-http = true", f"bucket = blobs-{name}", "prefix = souverain/",
                          f"access-key = {creds.access_key}", f"secret-key = {creds.secret_key}"]
            lines += [f"provider = {p['provider']}", f"country = {p['country']}", f"preference = {p['preference']}"]
            if p["region"]:
                lines.append(f"provider-region = {p['region']}")
            sections.append("\n".join(lines))
        data = module_dir / "data"
        rules = json.loads(support.run([str(support.souverain_bin()), "placement", "rules", "--data", str(data)]).check().stdout)
        both = {"allowedCountries": ["FR", "DE"], "minimumReplicas": 2, "minimumDistinctOperators": 2}
        rules["classifications"]["replicated"] = dict(both)
        rules["classifications"]["replicated-lenient"] = dict(both, acceptUnderReplicatedWrites=True)
        rules["classifications"]["replicated-fr-be"] = dict(both, allowedCountries=["FR", "BE"])
        # One local location (onprem, BE) and one s3 location backed by moto (rep-b, DE).
        rules["classifications"]["replicated-local-s3"] = dict(both, allowedCountries=["DE", "BE"])
        rules_file = module_dir / "rules.json"
        rules_file.write_text(json.dumps(rules))
        config = module_dir / "souverain.conf"
        config.write_text(f"placement-rules = {rules_file}\n\n" + "\n\n".join(sections) + "\n")
        main = support.Server(data, module_dir / "logs", name="main",
                              extra_args=("--config", str(config), "--garbage-grace", "0", "--repair-interval", "1"))
        main.start()
        yield dict(main=main, remote=remote, remote_s3=remote_s3, moto_s3=moto_s3, data=data, config=config,
                   module_dir=module_dir)
    finally:
        if main is not None:
            main.stop()
        remote.stop()
        moto.stop()


def blobs(client, bucket: str) -> dict[str, bytes]:
    """Every blob a location holds, read from inside it."""
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            try:
                out[item["Key"]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            except client.exceptions.NoSuchKey:
                pass
    return out


create_classified = support.create_classified


def admin(world, method: str, path: str, **query) -> dict:
    answer = support.request(world["main"].endpoint, world["main"].admin(), method, raw_path=f"/_souverain/{path}",
                             query=query or None)
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not after {timeout} s"
        time.sleep(0.2)


def test_replicated_writes_read_through_an_outage_and_are_repaired(world):
    s3 = world["main"].client()
    create_classified(s3, "strict", "replicated")
    create_classified(s3, "lenient", "replicated-lenient")

    # Two copies, one per operator, byte-identical (sealed once), before the PUT is acknowledged.
    before_a, before_b = blobs(world["remote_s3"], "blobs-rep-a"), blobs(world["moto_s3"], "blobs-rep-b")
    objects = {f"obj-{i:03d}": support.seeded_bytes(f"rep-{i}", 1 + (i * 37_171) % 300_000) for i in range(40)}
    objects["big"] = support.seeded_bytes("rep-big", 12 * 1024 * 1024 + 5)  # multipart with boto3's defaults
    for key, body in objects.items():
        if key == "big":
            s3.upload_fileobj(io.BytesIO(body), "strict", key)
        else:
            s3.put_object(Bucket="strict", Key=key, Body=body)
    new_a = {k: v for k, v in blobs(world["remote_s3"], "blobs-rep-a").items() if k not in before_a}
    new_b = {k: v for k, v in blobs(world["moto_s3"], "blobs-rep-b").items() if k not in before_b}
    assert len(new_a) >= len(objects) and len(new_a) == len(new_b)
    assert sorted(hashlib.sha256(v).hexdigest() for v in new_a.values()) == \
        sorted(hashlib.sha256(v).hexdigest() for v in new_b.values())

    # A read-heavy run; the preferred location stops in the middle of it.
    expected = {key: hashlib.sha256(body).hexdigest() for key, body in objects.items()}
    keys = sorted(objects)

    def get(n: int) -> tuple[str, str | None]:
        key = keys[n % len(keys)]
        try:
            return key, hashlib.sha256(s3.get_object(Bucket="strict", Key=key)["Body"].read()).hexdigest()
        except Exception as error:  # noqa: BLE001 - every failure counts against the run
            return key, f"error: {error}"

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(get, n) for n in range(120)]
        wait_for(lambda: sum(f.done() for f in futures) >= 30, 60, "first reads")
        world["remote"].stop()
        futures += [pool.submit(get, n) for n in range(120, 240)]
        results = [f.result(timeout=120) for f in futures]
    wrong = [(key, got) for key, got in results if got != expected[key]]
    assert not wrong, f"{len(wrong)} of {len(results)} GETs wrong: {wrong[:3]}"

    # The location is seen down: in the admin API, `location list` and /metrics.
    wait_for(lambda: any(l["location"] == "rep-a" and l["state"] != "up" for l in admin(world, "GET", "locations")["locations"]),
             30, "rep-a seen down")
    listed = support.run([str(support.souverain_bin()), "location", "list", "--data", str(world["data"]),
                          "--config", str(world["config"])]).check().stdout
    assert re.search(r"^rep-a\t.*\t(down|probing)$", listed, re.M), listed
    assert re.search(r"^rep-b\t.*\tup$", listed, re.M), listed

    def metrics() -> str:
        with urllib.request.urlopen(world["main"].endpoint + "/metrics", timeout=10) as response:
            return response.read().decode()
    wait_for(lambda: re.search(r'souverain_location_up\{location="rep-a"\} 0', metrics()), 30, "rep-a down in /metrics")
    assert re.search(r'souverain_location_up\{location="rep-b"\} 1', metrics())

    # Strict rules refuse a write that cannot make both copies; lenient ones keep one and mark it.
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="strict", Key="during-outage", Body=b"x" * 1000)
    assert support.error_code(refused.value) == "PlacementViolation"
    assert "during-outage" not in [o["Key"] for o in s3.list_objects_v2(Bucket="strict").get("Contents", [])]
    degraded = {f"late-{i}": support.seeded_bytes(f"late-{i}", 50_000 + i) for i in range(5)}
    for key, body in degraded.items():
        s3.put_object(Bucket="lenient", Key=key, Body=body)
    assert admin(world, "GET", "repair")["backlog"] == len(degraded)
    status = support.run([str(support.souverain_bin()), "repair", "status", "--data", str(world["data"])]).check().stdout
    assert f"backlog\t{len(degraded)} object(s)" in status
    for key, body in degraded.items():
        assert s3.get_object(Bucket="lenient", Key=key)["Body"].read() == body

    # Back: the prober sees it, the background repair re-creates the copies there.
    at_b = blobs(world["moto_s3"], "blobs-rep-b")  # with the only copies of the degraded objects
    world["remote"].start()
    wait_for(lambda: admin(world, "GET", "repair")["backlog"] == 0, 60, "the repair backlog drained")
    at_a = blobs(world["remote_s3"], "blobs-rep-a")
    for key, body in degraded.items():
        assert s3.get_object(Bucket="lenient", Key=key)["Body"].read() == body
    # Every surviving copy of a degraded object now has a byte-identical twin at rep-a.
    survivors = [v for k, v in at_b.items() if k not in new_b and k not in before_b]
    assert len(survivors) >= len(degraded)
    twins = set(at_a.values())
    assert all(v in twins for v in survivors)


def test_scrub_finds_damaged_copies_and_the_repair_replaces_them(world):
    s3 = world["main"].client()
    create_classified(s3, "scrubbed", "replicated")
    before_a, before_b = blobs(world["remote_s3"], "blobs-rep-a"), blobs(world["moto_s3"], "blobs-rep-b")
    objects = {f"s-{i}": support.seeded_bytes(f"scrub-{i}", 70_000 + 13 * i) for i in range(6)}
    for key, body in objects.items():
        s3.put_object(Bucket="scrubbed", Key=key, Body=body)
    new_a = {k: v for k, v in blobs(world["remote_s3"], "blobs-rep-a").items() if k not in before_a}
    new_b = {k: v for k, v in blobs(world["moto_s3"], "blobs-rep-b").items() if k not in before_b}
    assert len(new_a) == len(new_b) == len(objects)

    # Damage the first copy of one object (at rep-a) and the second copy of another (at rep-b),
    # one byte each, inside the locations.
    key_a, original_a = sorted(new_a.items())[0]
    key_b, original_b = next((k, v) for k, v in sorted(new_b.items()) if v != original_a)
    for client, bucket, key, original in ((world["remote_s3"], "blobs-rep-a", key_a, original_a),
                                          (world["moto_s3"], "blobs-rep-b", key_b, original_b)):
        damaged = bytearray(original)
        damaged[len(damaged) // 2] ^= 0x01
        client.put_object(Bucket=bucket, Key=key, Body=bytes(damaged))

    # Reads still answer right (the damaged copy fails authentication, the other one serves).
    for key, body in objects.items():
        assert s3.get_object(Bucket="scrubbed", Key=key)["Body"].read() == body

    report = admin(world, "POST", "scrub")
    assert report["damaged"] == 2, report  # (the background repair may already be at work on them)
    wait_for(lambda: admin(world, "GET", "repair")["backlog"] == 0, 60, "the repair backlog drained")
    # The damaged blobs are gone (garbage, collected) and good twins stand in both locations.
    wait_for(lambda: key_a not in blobs(world["remote_s3"], "blobs-rep-a"), 30, "the damaged blob at rep-a collected")
    wait_for(lambda: key_b not in blobs(world["moto_s3"], "blobs-rep-b"), 30, "the damaged blob at rep-b collected")
    assert original_a in blobs(world["remote_s3"], "blobs-rep-a").values()
    assert original_b in blobs(world["moto_s3"], "blobs-rep-b").values()
    assert original_a in blobs(world["moto_s3"], "blobs-rep-b").values()
    assert admin(world, "POST", "scrub")["damaged"] == 0
    for key, body in objects.items():
        assert s3.get_object(Bucket="scrubbed", Key=key)["Body"].read() == body


def test_migrate_moves_a_bucket_under_load_and_loses_nothing(world):
    s3 = world["main"].client()
    s3.create_bucket(Bucket="moving")  # the default classification: one copy, at rep-a first
    objects = {f"m/{i:04d}": support.seeded_bytes(f"move-{i}", 1 + (i * 7_919) % 200_000) for i in range(300)}
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda item: s3.put_object(Bucket="moving", Key=item[0], Body=item[1]), objects.items()))
    onprem = world["data"].parent / "loc" / "onprem"

    def files_at_onprem() -> int:
        return sum(1 for p in onprem.rglob("*") if p.is_file()) if onprem.exists() else 0
    before = files_at_onprem()

    # Readers and a writer run all along the migration.
    stop = False
    failures: list[str] = []
    written: dict[str, bytes] = {}

    def reader(seed: int):
        n = seed
        keys = sorted(objects)
        while not stop:
            key = keys[n % len(keys)]
            n += 7
            try:
                if s3.get_object(Bucket="moving", Key=key)["Body"].read() != objects[key]:
                    failures.append(f"wrong bytes for {key}")
            except Exception as error:  # noqa: BLE001 - every failure counts
                failures.append(f"{key}: {error}")

    def writer():
        n = 0
        while not stop and n < 200:
            key, body = f"during/{n:04d}", support.seeded_bytes(f"during-{n}", 1_000 + n)
            s3.put_object(Bucket="moving", Key=key, Body=body)
            written[key] = body
            n += 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        tasks = [pool.submit(reader, seed) for seed in range(3)] + [pool.submit(writer)]
        ran = support.run([str(support.souverain_bin()), "migrate", "--bucket", "moving", "--to", "onprem", "--batch", "40",
                           "--data", str(world["data"])], timeout=600)
        stop = True
        for task in tasks:
            task.result(timeout=120)
    ran.check()
    assert not failures, failures[:5]
    assert "migrate moving" in ran.stderr
    # Every object that existed before now lives at onprem (checked inside the location).
    assert files_at_onprem() >= before + len(objects)
    plan = admin(world, "GET", "migrate", bucket="moving", to="onprem")
    assert plan["objects"] <= len(written)  # only objects written during the move may be elsewhere
    for key, body in {**objects, **written}.items():
        assert s3.get_object(Bucket="moving", Key=key)["Body"].read() == body
    # A second run resumes and finishes; a location the rules forbid is refused.
    support.run([str(support.souverain_bin()), "migrate", "--bucket", "moving", "--to", "onprem", "--data", str(world["data"])]).check()
    assert admin(world, "GET", "migrate", bucket="moving", to="onprem")["objects"] == 0
    create_classified(s3, "pinned", "replicated")
    refused = support.run([str(support.souverain_bin()), "migrate", "--bucket", "pinned", "--to", "onprem", "--data", str(world["data"])])
    assert refused.returncode != 0 and "PlacementViolation" in refused.stderr + refused.stdout

    # An SSE-C object: the server cannot authenticate its blobs without the client's key, so the
    # scrub checks its copies against the SHA-256 recorded when they were written.
    customer_key = bytes(range(32))
    sse = dict(SSECustomerAlgorithm="AES256", SSECustomerKey=customer_key)
    before_b = blobs(world["moto_s3"], "blobs-rep-b")
    body = support.seeded_bytes("scrub-ssec", 90_001)
    s3.put_object(Bucket="scrubbed", Key="customer", Body=body, **sse)
    (key_c, original_c), = [(k, v) for k, v in blobs(world["moto_s3"], "blobs-rep-b").items() if k not in before_b]
    damaged = bytearray(original_c)
    damaged[-3] ^= 0x80
    world["moto_s3"].put_object(Bucket="blobs-rep-b", Key=key_c, Body=bytes(damaged))
    assert admin(world, "POST", "scrub")["damaged"] == 1
    wait_for(lambda: admin(world, "GET", "repair")["backlog"] == 0, 60, "the SSE-C copy repaired")
    wait_for(lambda: key_c not in blobs(world["moto_s3"], "blobs-rep-b"), 30, "the damaged SSE-C blob collected")
    assert original_c in blobs(world["moto_s3"], "blobs-rep-b").values()
    assert s3.get_object(Bucket="scrubbed", Key="customer", **sse)["Body"].read() == body


def test_copies_where_the_rules_no_longer_allow_them_are_found_and_moved(world):
    s3 = world["main"].client()
    create_classified(s3, "reclassified", "replicated")
    before_b = blobs(world["moto_s3"], "blobs-rep-b")
    objects = {f"r-{i}": support.seeded_bytes(f"reclass-{i}", 40_000 + i) for i in range(4)}
    for key, body in objects.items():
        s3.put_object(Bucket="reclassified", Key=key, Body=body)
    at_b = {k: v for k, v in blobs(world["moto_s3"], "blobs-rep-b").items() if k not in before_b}
    assert len(at_b) == len(objects)

    # Germany is no longer allowed for this bucket: its second copies there are misplaced.
    cli = [str(support.souverain_bin()), "--data", str(world["data"]), "--config", str(world["config"])]

    def run(*args):
        return support.run([cli[0], *args, *cli[1:]], timeout=300).check()
    run("bucket", "classify", "reclassified", "replicated-fr-be")
    audit = [json.loads(line) for line in run("placement", "audit", "--json").stdout.splitlines()]
    mine = sorted((a["key"], a["location"], a["allowed"][0]) for a in audit if a["bucket"] == "reclassified")
    assert mine == [(key, "rep-b", "onprem") for key in sorted(objects)]

    moved = [json.loads(line) for line in run("placement", "enforce", "--json").stdout.splitlines()]
    assert sorted((m["key"], m["from"], m["to"], m["outcome"]) for m in moved if m["bucket"] == "reclassified") == \
        [(key, "rep-b", "onprem", "moved") for key in sorted(objects)]
    assert not [a for a in map(json.loads, run("placement", "audit", "--json").stdout.splitlines()) if a["bucket"] == "reclassified"]
    # Inside the locations: the same bytes now at onprem, none left at rep-b.
    onprem = world["module_dir"] / "loc" / "onprem"
    stored = {p.read_bytes() for p in onprem.rglob("*") if p.is_file()}
    assert all(v in stored for v in at_b.values())
    wait_for(lambda: not set(at_b) & set(blobs(world["moto_s3"], "blobs-rep-b")), 30, "the copies at rep-b collected")
    for key, body in objects.items():
        assert s3.get_object(Bucket="reclassified", Key=key)["Body"].read() == body


@pytest.mark.parametrize("classification", ["replicated", "replicated-local-s3"])
def test_a_missing_copy_of_a_noncurrent_version_is_repaired(world, classification):
    """A versioned bucket on two locations (a second Souverain and moto; or a local directory and
    moto): the copy of an OLDER version deleted inside one location is found by the scrub and
    re-created by the repair, byte for byte, and the repair is in the trail with the version."""
    s3 = world["main"].client()
    bucket = f"noncurrent-{classification}"
    create_classified(s3, bucket, classification)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    onprem = world["module_dir"] / "loc" / "onprem"

    def at_moto() -> dict[str, bytes]:
        return blobs(world["moto_s3"], "blobs-rep-b")

    def at_onprem() -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in onprem.rglob("*") if p.is_file()} if onprem.exists() else {}

    # The copy to lose: at moto for the first topology, in the local directory for the second.
    holder = at_moto if classification == "replicated" else at_onprem
    before = holder()
    older_body = support.seeded_bytes(f"noncurrent-old-{classification}", 90_001)
    older = s3.put_object(Bucket=bucket, Key="record.pdf", Body=older_body)["VersionId"]
    written = {k: v for k, v in holder().items() if k not in before}
    assert len(written) == 1, written.keys()
    (blob, stored), = written.items()
    newer = s3.put_object(Bucket=bucket, Key="record.pdf", Body=b"the current version")["VersionId"]
    assert newer != older

    if holder is at_moto:
        world["moto_s3"].delete_object(Bucket="blobs-rep-b", Key=blob)
    else:
        Path(blob).unlink()
    assert stored not in holder().values()
    assert admin(world, "POST", "scrub")["damaged"] >= 1
    support.run([str(support.souverain_bin()), "repair", "run", "--data", str(world["data"])]).check()
    wait_for(lambda: admin(world, "GET", "repair")["backlog"] == 0, 60, "the noncurrent version repaired")
    wait_for(lambda: stored in holder().values(), 30, "the copy of the older version back in its location")

    assert s3.get_object(Bucket=bucket, Key="record.pdf", VersionId=older)["Body"].read() == older_body
    assert s3.get_object(Bucket=bucket, Key="record.pdf")["Body"].read() == b"the current version"
    records = [json.loads(line) for line in support.run(
        [str(support.souverain_bin()), "audit", "query", "--bucket", bucket, "--data", str(world["data"])]).check().stdout.splitlines()]
    assert any(r["operation"] == "repair" and r["key"] == "record.pdf" and r["version"] == older for r in records), records
