"""Reversibility, end to end (docs/export-format.md): a classified bucket of a few thousand
objects (0 bytes to 17 MiB, one multipart upload, hostile keys, metadata, content types) is
exported with `souverain export`, checked with `souverain export verify` (which names a tampered,
a missing and an extra file), imported into a fresh second server, and imported again from the
first server as "another cloud" (and from moto, an independent S3 implementation): every key,
every byte (SHA-256) and every piece of metadata comes out identical."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

import support
from test_placement import Moto

pytestmark = pytest.mark.souverain_only

BUCKET = "dossiers-patients"
CLASSIFICATION = "health"
BULK = 2500
MIB = support.MIB

# Keys that break naive key-to-path mappings: traversal, empty segments, trailing slashes, a key
# that is also a directory, case and normalisation twins, Windows device names, long segments.
HOSTILE = [
    "../escape", "../../etc/passwd", "a/../x", "..", "...", "a/./b", "./x", "dir/..", "//a", "/leading/slash",
    "dir/", "dir", "dir//double", "trailing/", "trailing", "L" * 1024, "é" * 512, "é", "e\u0301", "É/x",
    "Report.PDF", "report.pdf", "CON", "aux.txt", "100%", "~tilde", "line\nbreak", "tab\tkey", "日本/語",
    "emoji 🎉/party time.txt", '&+-é"', "<xml>&amp;", "?query=1&x", "#hash", " leading space",
    "trailing space ", "a:b|c*d?.txt", "back\\slash", "seg/" + "s" * 300 + "/leaf",
]
CONTENT_TYPES = [None, "text/plain; charset=utf-8", "application/pdf", "image/png", "application/octet-stream"]


def build_spec() -> dict[str, dict]:
    """key -> size, content type, metadata and stored headers of every object of the bucket."""
    spec: dict[str, dict] = {}
    for i in range(BULK):
        size = 0 if i % 97 == 0 else (i * 7919) % 4096 + 1
        meta = {"index": str(i), "origin": "bulk"} if i % 10 == 0 else {}
        spec[f"bulk/{i % 40:02d}/{i:05d}.dat"] = dict(size=size, content_type=CONTENT_TYPES[i % 5], metadata=meta, extra={})
    for i, key in enumerate(HOSTILE):
        spec[key] = dict(size=(i * 131) % 3000, content_type=CONTENT_TYPES[i % 5],
                         metadata={"note": "hostile", "n": str(i)}, extra={})
    for i in range(24):
        spec[f"scans/{i:02d}.tiff"] = dict(size=64 * 1024 + i * 131_072, content_type="image/tiff",
                                           metadata={"patient": f"p{i:03d}"}, extra={})
    spec["scans/letter.pdf"] = dict(size=3000, content_type="application/pdf", metadata={},
                                    extra=dict(CacheControl="no-store", ContentDisposition='attachment; filename="l.pdf"',
                                               ContentLanguage="fr-FR"))
    spec["imaging/ct-scan.dcm"] = dict(size=17 * MIB + 12_345, content_type="application/dicom",
                                       metadata={"modality": "ct"}, extra={}, multipart=True)
    return spec


SPEC = build_spec()
EXTRA_HEADERS = {"CacheControl": "cache-control", "ContentDisposition": "content-disposition", "ContentLanguage": "content-language"}


def body(key: str) -> bytes:
    return support.seeded_bytes(f"portability:{key}", SPEC[key]["size"])


def expected() -> dict[str, tuple]:
    out = {}
    for key, s in SPEC.items():
        extras = {EXTRA_HEADERS[k]: v for k, v in s["extra"].items()}
        out[key] = (support.sha256(body(key)), s["size"], s["content_type"] or "binary/octet-stream", s["metadata"], extras)
    return out


@contextlib.contextmanager
def pooled(server: support.Server):
    """A boto3 client with a connection per thread, closed afterwards: a server waits for the
    connections left open before it stops."""
    client = server.client(max_pool_connections=32)
    try:
        yield client
    finally:
        client.close()


create_classified = support.create_classified


def put_one(client, bucket: str, key: str) -> None:
    """PUT one object of SPEC, with its type, metadata and stored headers (multipart when it says so)."""
    s = SPEC[key]
    args = dict(s["extra"])
    if s["content_type"]:
        args["ContentType"] = s["content_type"]
    if s["metadata"]:
        args["Metadata"] = s["metadata"]
    if s.get("multipart"):
        transfer = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4)
        client.upload_fileobj(io.BytesIO(body(key)), bucket, key, ExtraArgs=args, Config=transfer)
    else:
        client.put_object(Bucket=bucket, Key=key, Body=body(key), **args)


def fill(client, bucket: str, keys) -> None:
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda key: put_one(client, bucket, key), keys))


def snapshot(client, bucket: str, prefix: str = "") -> dict[str, tuple]:
    """What the bucket holds, read back through S3: key -> (sha256, size, type, metadata, stored headers)."""
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]

    def get(key: str) -> tuple[str, tuple]:
        got = client.get_object(Bucket=bucket, Key=key)
        data = got["Body"].read()
        headers = got["ResponseMetadata"]["HTTPHeaders"]
        extras = {h: headers[h] for h in EXTRA_HEADERS.values() if h in headers}
        return key, (support.sha256(data), len(data), got["ContentType"], got["Metadata"], extras)

    with ThreadPoolExecutor(16) as pool:
        return dict(pool.map(get, keys))


def assert_same(actual: dict[str, tuple], wanted: dict[str, tuple]) -> None:
    """Equal, or a short list of the keys that differ (pytest's own diff of thousands of entries is slow)."""
    missing = sorted(set(wanted) - set(actual))
    extra = sorted(set(actual) - set(wanted))
    differing = sorted(k for k in set(wanted) & set(actual) if wanted[k] != actual[k])
    assert not (missing or extra or differing), (
        f"missing {missing[:10]!r}, extra {extra[:10]!r}, differing "
        + "; ".join(f"{k!r}: {actual[k]!r} != {wanted[k]!r}" for k in differing[:10]))


def classification_of(client, bucket: str) -> str | None:
    return client.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"].get("x-souverain-classification")


def souverain(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> support.Ran:
    environment = support.clean_env()
    environment.update(env or {})
    return support.run([str(support.souverain_bin()), *args], env=environment, timeout=timeout)


@pytest.fixture(scope="module")
def world(module_dir):
    origin = support.Server(module_dir / "origin-data", module_dir / "logs", name="origin")
    fresh = support.Server(module_dir / "fresh-data", module_dir / "logs", name="fresh")
    try:
        origin.start()
        fresh.start()
        with pooled(origin) as client:
            create_classified(client, BUCKET, CLASSIFICATION)
            fill(client, BUCKET, SPEC)
        yield dict(origin=origin, fresh=fresh, export=module_dir / "export", expected=expected())
    finally:
        fresh.stop()
        origin.stop()


def manifest(world) -> dict:
    return json.loads((world["export"] / "manifest.json").read_text(encoding="utf-8"))


def test_export_writes_every_object_as_a_plain_file(world):
    origin, export = world["origin"], world["export"]
    ran = souverain("export", "--data", str(origin.data_dir), "--bucket", BUCKET, "--to", str(export)).check()
    assert f"Exported {len(SPEC)} objects" in ran.stdout, ran.stdout
    # Not a terminal: a line every few seconds at most, and the final one.
    assert ran.stderr.count("\n") < 60 and f"{len(SPEC):,}/{len(SPEC):,} objects" in ran.stderr, ran.stderr

    m = manifest(world)
    assert m["format"] == "souverain-export" and m["formatVersion"] == 1
    assert m["bucket"] == BUCKET and m["classification"] == CLASSIFICATION
    assert m["source"]["endpoint"] == origin.endpoint
    assert m["objectCount"] == len(SPEC) and m["totalBytes"] == sum(s["size"] for s in SPEC.values())
    want = world["expected"]
    assert {o["key"] for o in m["objects"]} == set(want)
    root = (export / "objects").resolve()
    paths = set()
    for o in m["objects"]:
        sha, size, content_type, metadata, extras = want[o["key"]]
        assert (o["sha256"], o["size"], o["contentType"], o["metadata"]) == (sha, size, content_type, metadata), o["key"]
        assert o.get("headers", {}) == extras, o["key"]
        file = export / o["path"]
        # A plain file, inside objects/, its own (case-insensitively too), with the object's bytes.
        assert file.resolve().is_relative_to(root) and file.is_file() and not file.is_symlink(), o["path"]
        assert support.sha256(file.read_bytes()) == sha, o["key"]
        assert o["path"].lower() not in paths, o["path"]
        paths.add(o["path"].lower())
    assert next(o for o in m["objects"] if o["key"] == "imaging/ct-scan.dcm")["etag"].endswith("-3")
    # Nothing else was left behind.
    assert sorted(p.name for p in export.iterdir()) == ["audit.jsonl", "manifest.json", "objects"]
    files = [p for p in (export / "objects").rglob("*") if not p.is_dir()]
    assert len(files) == len(SPEC)

    # The bucket's audit records, the export's own reads included.
    records = [json.loads(line) for line in (export / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert m["audit"]["records"] == len(records) and m["audit"]["sha256"] == support.sha256((export / "audit.jsonl").read_bytes())
    assert {r["bucket"] for r in records} == {BUCKET}
    operations = {r["operation"] for r in records}
    assert {"CreateBucket", "PutObject", "GetObject"} <= operations, operations
    assert sum(1 for r in records if r["operation"] == "GetObject") >= len(SPEC)


def test_verify_passes_then_names_each_tampered_file(world):
    export = world["export"]
    ok = souverain("export", "verify", str(export)).check()
    assert ok.stdout.startswith("OK") and f"{len(SPEC)} objects" in ok.stdout

    entries = {o["key"]: o for o in manifest(world)["objects"]}
    flipped, removed = entries["scans/07.tiff"], entries["../escape"]
    flipped_file, removed_file = export / flipped["path"], export / removed["path"]
    original = flipped_file.read_bytes()
    saved = removed_file.read_bytes()
    try:
        data = bytearray(original)
        data[len(data) // 2] ^= 0x01
        flipped_file.write_bytes(bytes(data))
        bad = souverain("export", "verify", str(export))
        assert bad.returncode == 1, bad.stdout
        assert bad.stdout.startswith("FAILED") and "(1 difference)" in bad.stdout, bad.stdout
        assert flipped["path"] in bad.stdout and "key scans/07.tiff" in bad.stdout and "SHA-256" in bad.stdout

        removed_file.unlink()
        (export / "objects" / "stray.txt").write_bytes(b"not exported")
        worse = souverain("export", "verify", str(export))
        assert worse.returncode == 1
        lines = worse.stdout.splitlines()
        assert any(line.strip().startswith("MISSING") and removed["path"] in line for line in lines), worse.stdout
        assert any(line.strip().startswith("EXTRA") and "objects/stray.txt" in line for line in lines), worse.stdout
        assert "(3 differences)" in worse.stdout
    finally:
        flipped_file.write_bytes(original)
        removed_file.write_bytes(saved)
        (export / "objects" / "stray.txt").unlink(missing_ok=True)
    souverain("export", "verify", str(export)).check()


def test_a_second_export_fetches_only_what_changed(world, tmp_path):
    origin, export = world["origin"], world["export"]
    copy = tmp_path / "export"
    shutil.copytree(export, copy)
    client = origin.client()
    client.put_object(Bucket=BUCKET, Key="bulk/00/00000.dat", Body=b"changed since")
    client.delete_object(Bucket=BUCKET, Key="trailing")
    try:
        ran = souverain("export", "--data", str(origin.data_dir), "--bucket", BUCKET, "--to", str(copy)).check()
        assert f": 1 fetched, {len(SPEC) - 2} unchanged" in ran.stdout, ran.stdout
        m = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
        assert "trailing" not in {o["key"] for o in m["objects"]}
        souverain("export", "verify", str(copy)).check()
    finally:
        fill(client, BUCKET, ["bulk/00/00000.dat", "trailing"])
        client.close()


def test_import_into_a_fresh_server_is_identical(world):
    fresh = world["fresh"]
    ran = souverain("import", "--data", str(fresh.data_dir), "--from", str(world["export"]), "--bucket", BUCKET).check()
    assert f"Created the bucket {BUCKET} (classification {CLASSIFICATION})" in ran.stdout, ran.stdout
    assert f"Imported {len(SPEC)} objects" in ran.stdout
    with pooled(fresh) as client:
        assert classification_of(client, BUCKET) == CLASSIFICATION
        assert_same(snapshot(client, BUCKET), world["expected"])
        big = client.head_object(Bucket=BUCKET, Key="imaging/ct-scan.dcm")
        assert big["ETag"].strip('"').endswith("-3")  # the same 8 MiB parts, so the same multipart ETag

    again = souverain("import", "--data", str(fresh.data_dir), "--from", str(world["export"]), "--bucket", BUCKET).check()
    assert f"Imported 0 objects (0 bytes) into {BUCKET} from {world['export']}; {len(SPEC)} already there." in again.stdout


def test_import_from_another_s3_endpoint(world):
    origin, fresh = world["origin"], world["fresh"]
    source = {"SOURCE_AWS_ACCESS_KEY_ID": origin.admin().access_key, "SOURCE_AWS_SECRET_ACCESS_KEY": origin.admin().secret_key}
    ran = souverain("import", "--data", str(fresh.data_dir), "--from", f"s3://{BUCKET}", "--endpoint", origin.endpoint,
                    "--bucket", "migrated", "--classification", CLASSIFICATION, env=source).check()
    assert f"Imported {len(SPEC)} objects" in ran.stdout, ran.stdout
    with pooled(fresh) as client:
        assert classification_of(client, "migrated") == CLASSIFICATION
        assert_same(snapshot(client, "migrated"), world["expected"])

    # A prefix selects keys, which are kept whole; credentials may also be given as options.
    souverain("import", "--data", str(fresh.data_dir), "--from", f"s3://{BUCKET}/bulk/01/", "--endpoint", origin.endpoint,
              "--source-access-key", origin.admin().access_key, "--source-secret-key", origin.admin().secret_key,
              "--bucket", "prefixed").check()
    want = {k: v for k, v in world["expected"].items() if k.startswith("bulk/01/")}
    assert len(want) == len(range(1, BULK, 40))
    with pooled(fresh) as client:
        assert_same(snapshot(client, "prefixed"), want)


def test_a_bucket_leaves_with_its_settings(world, module_dir):
    """Policy, lifecycle, CORS, tags and website go into the manifest as the source answered them,
    and come back on the destination (under another name: the policy's resources follow)."""
    origin, fresh = world["origin"], world["fresh"]
    name, renamed = "reglages", "reglages-importes"
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "KeepTheArchive", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
        "Resource": f"arn:aws:s3:::{name}/archive/*"}]}
    lifecycle = {"Rules": [{"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]}
    cors = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://archives.example.fr"], "MaxAgeSeconds": 600}]}
    tags = [{"Key": "service", "Value": "archives"}]
    with pooled(origin) as client:
        create_classified(client, name, "internal")
        client.put_object(Bucket=name, Key="archive/acte.pdf", Body=b"acte")
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        client.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=lifecycle)
        client.put_bucket_cors(Bucket=name, CORSConfiguration=cors)
        client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
        client.put_bucket_website(Bucket=name, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    export = module_dir / "export-settings"
    ran = souverain("export", "--data", str(origin.data_dir), "--bucket", name, "--to", str(export)).check()
    assert "settings: " in ran.stdout, ran.stdout
    configurations = json.loads((export / "manifest.json").read_text(encoding="utf-8"))["configurations"]
    assert {"policy", "lifecycle", "cors", "tagging", "website"} <= set(configurations)
    assert json.loads(configurations["policy"])["Statement"][0]["Sid"] == "KeepTheArchive"
    assert "<Days>7</Days>" in configurations["lifecycle"]

    ran = souverain("import", "--data", str(fresh.data_dir), "--from", str(export), "--bucket", renamed).check()
    assert "Set the bucket's exported settings: " in ran.stdout and "policy" in ran.stdout, ran.stdout
    with pooled(fresh) as client:
        statement = json.loads(client.get_bucket_policy(Bucket=renamed)["Policy"])["Statement"][0]
        assert statement["Resource"] == f"arn:aws:s3:::{renamed}/archive/*"
        rules = client.get_bucket_lifecycle_configuration(Bucket=renamed)["Rules"]
        assert [(r["ID"], r["Expiration"]["Days"]) for r in rules] == [("tmp", 7)]
        assert client.get_bucket_cors(Bucket=renamed)["CORSRules"][0]["AllowedOrigins"] == ["https://archives.example.fr"]
        assert client.get_bucket_tagging(Bucket=renamed)["TagSet"] == tags
        assert client.get_bucket_website(Bucket=renamed)["IndexDocument"] == {"Suffix": "index.html"}
        # The policy is in force there: the archive cannot be deleted.
        assert support.code_of(lambda: client.delete_object(Bucket=renamed, Key="archive/acte.pdf")) == ("AccessDenied", 403)


def test_import_from_moto(world, module_dir):
    moto = Moto(module_dir / "moto.log")
    try:
        source = boto3.client("s3", endpoint_url=moto.endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                              region_name=support.REGION, config=Config(max_pool_connections=32))
        source.create_bucket(Bucket="other-cloud")
        # moto answers 404 to a PUT of a key holding a line feed: that key stays out.
        keys = [k for k in SPEC if not k.startswith("bulk/") and "\n" not in k] + [f"bulk/02/{i:05d}.dat" for i in range(2, BULK, 40)]
        fill(source, "other-cloud", keys)
        fresh = world["fresh"]
        env = {"SOURCE_AWS_ACCESS_KEY_ID": "testing", "SOURCE_AWS_SECRET_ACCESS_KEY": "testing"}
        ran = souverain("import", "--data", str(fresh.data_dir), "--from", "s3://other-cloud", "--endpoint", moto.endpoint,
                        "--bucket", "from-moto", env=env).check()
        assert f"Imported {len(keys)} objects" in ran.stdout, ran.stdout + ran.stderr
        with pooled(fresh) as client:
            assert_same(snapshot(client, "from-moto"), {k: world["expected"][k] for k in keys})
        source.close()
    finally:
        moto.stop()


def history(server: support.Server, bucket: str) -> dict[str, list[tuple]]:
    """Each key's versions, oldest first, in the order ListObjectVersions gives them (newest
    first, read from the XML itself: boto3 splits versions from markers): (is a delete marker,
    SHA-256 of the bytes, lock mode, retain-until date, legal hold), read back through S3."""
    listed = support.request(server.endpoint, server.admin(), "GET", bucket=bucket, query={"versions": ""})
    assert listed.status == 200, listed.describe()
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    order: dict[str, list[tuple[str, bool]]] = {}
    for element in ElementTree.fromstring(listed.body):
        if element.tag in (ns + "Version", ns + "DeleteMarker"):
            order.setdefault(element.findtext(ns + "Key"), []).append(
                (element.findtext(ns + "VersionId"), element.tag == ns + "DeleteMarker"))
    out = {}
    with pooled(server) as client:
        for key, entries in order.items():
            steps = []
            for version, marker in reversed(entries):
                if marker:
                    steps.append((True, None, None, None, None))
                    continue
                got = client.get_object(Bucket=bucket, Key=key, VersionId=version)
                steps.append((False, support.sha256(got["Body"].read()), got.get("ObjectLockMode"),
                              got.get("ObjectLockRetainUntilDate"), got.get("ObjectLockLegalHoldStatus")))
            out[key] = steps
    return out


def version_path(plain: str, version_id: str, others: list[str]) -> str:
    """Where an export puts a version that is not its key's latest (docs/export-format.md,
    "Versions"), `others` being the ids of every such version of the key: `~v` and the id when it
    can stand in a file name as it is, else `~h` and 32 hex digits of its SHA-256. Version ids are
    random, and one in 64 ends with a dot, which is not written as it is."""
    def literal(vid: str) -> bool:
        return re.fullmatch(r"[A-Za-z0-9._-]{1,32}", vid) is not None and not vid.endswith(".")
    if literal(version_id) and sum(literal(o) and o.lower() == version_id.lower() for o in others) == 1:
        return f"{plain}~v{version_id}"
    return f"{plain}~h{hashlib.sha256(version_id.encode()).hexdigest()[:32]}"


def test_a_versioned_bucket_leaves_and_returns_with_its_history(world, module_dir):
    """A bucket with versioning and Object Lock: every version and delete marker, with its
    retention and legal hold, goes into a version 2 manifest; the import into a fresh server replays
    each key's history oldest first under new version ids, mapped; a bucket without versioning is
    refused before anything is written; a second import writes nothing twice."""
    origin, fresh = world["origin"], world["fresh"]
    bucket = "versioned-records"
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).replace(microsecond=0)
    big = support.seeded_bytes("versioned-big", 9 * MIB + 7)  # a multipart upload on import
    with pooled(origin) as client:
        client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
        client.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}})
        v1 = client.put_object(Bucket=bucket, Key="a.txt", Body=b"one", ObjectLockMode="COMPLIANCE",
                               ObjectLockRetainUntilDate=until, Metadata={"n": "1"})["VersionId"]
        v2 = client.put_object(Bucket=bucket, Key="a.txt", Body=b"two", ObjectLockLegalHoldStatus="ON")["VersionId"]
        marker = client.delete_object(Bucket=bucket, Key="a.txt")["VersionId"]
        v4 = client.put_object(Bucket=bucket, Key="a.txt", Body=b"four", ContentType="text/plain")["VersionId"]
        client.put_object(Bucket=bucket, Key="gone", Body=b"x")
        client.delete_object(Bucket=bucket, Key="gone")
        client.put_object(Bucket=bucket, Key="big.bin", Body=big)
    source = history(origin, bucket)

    export = module_dir / "versioned-export"
    ran = souverain("export", "--data", str(origin.data_dir), "--bucket", bucket, "--to", str(export)).check()
    assert "Exported 5 versions and 2 delete markers" in ran.stdout, ran.stdout
    m = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    assert (m["formatVersion"], m["versioning"], m["objectLock"]) == (
        2, "Enabled", {"enabled": True, "defaultRetention": {"mode": "GOVERNANCE", "days": 2}})
    a = [o for o in m["objects"] if o["key"] == "a.txt"]
    assert [(o["versionId"], o["isLatest"], o["isDeleteMarker"]) for o in a] == [
        (v4, True, False), (marker, False, True), (v2, False, False), (v1, False, False)]
    assert a[0]["path"] == "objects/a.txt" and a[2]["path"] == version_path("objects/a.txt", v2, [v2, v1]) and "path" not in a[1]
    assert a[3]["retention"]["mode"] == "COMPLIANCE" and a[3]["metadata"] == {"n": "1"}
    assert a[2]["legalHold"] == "ON" and a[0]["retention"]["mode"] == "GOVERNANCE"  # the bucket's default
    assert (export / a[3]["path"]).read_bytes() == b"one"
    assert "OK" in souverain("export", "verify", str(export)).check().stdout
    records = [json.loads(line) for line in souverain("audit", "query", "--data", str(origin.data_dir), "--bucket", bucket,
                                                      "--operation", "export").check().stdout.splitlines()]
    assert "5 versions and 2 delete markers" in records[-1]["detail"], records

    # A destination that keeps no versions is refused before anything is written.
    with pooled(fresh) as client:
        client.create_bucket(Bucket="flat")
    refused = souverain("import", "--data", str(fresh.data_dir), "--from", str(export), "--bucket", "flat")
    assert refused.returncode != 0 and "versioning" in refused.stderr + refused.stdout, refused.stderr
    with pooled(fresh) as client:
        assert client.list_object_versions(Bucket="flat").get("Versions", []) == []
    # Unless only the current versions are asked for: each key's latest, without markers or locks.
    souverain("import", "--data", str(fresh.data_dir), "--from", str(export), "--bucket", "flat", "--current-versions-only").check()
    with pooled(fresh) as client:
        assert sorted(o["Key"] for o in client.list_objects_v2(Bucket="flat")["Contents"]) == ["a.txt", "big.bin"]
        assert client.get_object(Bucket="flat", Key="a.txt")["Body"].read() == b"four"

    mapping = module_dir / "version-map.jsonl"
    ran = souverain("import", "--data", str(fresh.data_dir), "--from", str(export), "--bucket", bucket,
                    "--version-map", str(mapping)).check()
    assert "Replayed 5 versions and 2 delete markers" in ran.stdout, ran.stdout
    mapped = [json.loads(line) for line in mapping.read_text().splitlines()]
    assert sorted(e["sourceVersionId"] for e in mapped if e["key"] == "a.txt") == sorted([v1, v2, marker, v4])
    new_v1 = next(e["versionId"] for e in mapped if e["sourceVersionId"] == v1)
    assert history(fresh, bucket) == source
    with pooled(fresh) as client:
        assert client.get_object(Bucket=bucket, Key="a.txt", VersionId=new_v1)["Metadata"] == {"n": "1"}
        assert client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]["Rule"] == {
            "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}
    # Run again: every key's history is already there; nothing is written twice.
    again = souverain("import", "--data", str(fresh.data_dir), "--from", str(export), "--bucket", bucket,
                      "--version-map", str(mapping)).check()
    assert "Replayed 0 versions and 0 delete markers" in again.stdout, again.stdout
    assert history(fresh, bucket) == source
