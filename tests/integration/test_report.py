"""The signed compliance report (issue 16): `souverain report`, `report verify`, docs/verify-report.py.

One world for the module: a server with four locations (the organisation's own disk in France;
two S3 locations on one moto_server, standing for Scaleway in the Netherlands and AWS in Paris;
a second Souverain standing for OVHcloud in Germany, the only home of an off-site bucket), a
health bucket, a public-archives bucket, a bucket whose rules change after it was written (its
AWS copy is then misplaced), a shredded bucket, a refused request, a master key rotation. The
report must say each true thing and flag each problem; its signature must hold, and fail on one
changed byte, by Souverain and by the Python script alike; its HTML must render in headless
Chromium with no console error. Last, a trail segment is tampered with and the report says so.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import support
from test_placement import Moto

pytestmark = pytest.mark.souverain_only

REPO = Path(__file__).resolve().parents[2]
VERIFY_SCRIPT = REPO / "docs" / "verify-report.py"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def world(module_dir):
    moto = Moto(module_dir / "moto.log")
    # OVHcloud's Limburg region is played by a second Souverain.
    peer = support.Server(module_dir / "peer-data", module_dir / "logs", name="peer")
    server = None
    try:
        peer.start()
        peer.client().create_bucket(Bucket="blobs-ovh")
        peer_creds = peer.admin()
        moto_s3 = boto3.client("s3", endpoint_url=moto.endpoint, aws_access_key_id="testing",
                               aws_secret_access_key="testing", region_name=support.REGION)
        remote = {}
        for name in ("scw", "aws"):
            remote[name] = support.unique_bucket_name(f"report-{name}", prefix="r")
            moto_s3.create_bucket(Bucket=remote[name])
        s3_lines = ["kind = s3", f"endpoint = {moto.endpoint}", "allow-plain-http = true", "prefix = souverain/",
                    "access-key = testing", "secret-key = testing"]
        sections = [
            "\n".join(["[location onprem]", "kind = local", f"path = {module_dir / 'onprem'}", "provider = on-premise",
                       "organisation = Ville de Test", "country = FR", "preference = 0"]),
            "\n".join(["[location scw]", *s3_lines, f"bucket = {remote['scw']}", "provider = scaleway",
                       "provider-region = nl-ams", "country = NL", "preference = 1"]),
            "\n".join(["[location aws]", *s3_lines, f"bucket = {remote['aws']}", "provider = aws",
                       "provider-region = eu-west-3", "country = FR", "preference = 2"]),
            "\n".join(["[location ovh]", "kind = s3", f"endpoint = {peer.endpoint}", "allow-plain-http = true",
                       "bucket = blobs-ovh", "prefix = souverain/", f"access-key = {peer_creds.access_key}",
                       f"secret-key = {peer_creds.secret_key}", "provider = ovhcloud", "country = DE",
                       "preference = 3"]),
        ]
        data = module_dir / "data"
        rules = json.loads(support.run([str(support.souverain_bin()), "placement", "rules", "--data", str(data)]).check().stdout)
        # Two copies in France: the organisation's disk and AWS Paris, until the rules change.
        rules["classifications"]["ledger"] = {"allowedCountries": ["FR"], "minimumReplicas": 2}
        # Off-site copies in Germany: only OVHcloud's region qualifies, a concentration risk.
        rules["classifications"]["offsite"] = {"allowedCountries": ["DE"]}
        rules_file = module_dir / "rules.json"
        rules_file.write_text(json.dumps(rules))
        config = module_dir / "souverain.conf"
        config.write_text(f"placement-rules = {rules_file}\n\n" + "\n\n".join(sections) + "\n")
        server = support.Server(data, module_dir / "logs", name="report", extra_args=("--config", str(config)))
        server.start()
        cli = support.SouverainCli(data)
        s3 = server.client()

        support.create_classified(s3, "patients", "health")
        for i in range(3):
            s3.put_object(Bucket="patients", Key=f"scan-{i}.dcm", Body=support.seeded_bytes(f"scan-{i}", 10_000))
        support.create_classified(s3, "archives", "public-archives")
        s3.put_object(Bucket="archives", Key="deliberation-1987.pdf", Body=support.seeded_bytes("1987", 20_000))
        support.create_classified(s3, "ledger", "ledger")
        s3.put_object(Bucket="ledger", Key="2026.csv", Body=support.seeded_bytes("ledger", 5_000))
        support.create_classified(s3, "offsite", "offsite")
        s3.put_object(Bucket="offsite", Key="backup-2026.tar", Body=support.seeded_bytes("backup", 8_000))
        s3.create_bucket(Bucket="closed")
        s3.put_object(Bucket="closed", Key="old", Body=b"x" * 700)
        cli("bucket", "shred", "closed", "--yes").check()
        cli("keys", "rotate", "--master").check()
        # A plain user without a grant is refused: 403, in the trail.
        plain = support.user_creds(cli.add_user("nosy"))
        refused = support.request(server.endpoint, plain, "GET", "patients", "scan-0.dcm")
        assert refused.status == 403, refused.body

        # An export of the archives measures a throughput: exit plans estimate their time from it.
        cli("export", "--bucket", "archives", "--to", str(module_dir / "archives-export")).check()

        # The rules change: one copy, out of reach of the CLOUD Act, for the ledger, and facts older than 5 days are
        # stale (the registry's facts are dated 2026-11-22). The server keeps the rules it read;
        # the report reads the rules in force on disk.
        rules["classifications"]["ledger"] = {"allowedCountries": ["FR"], "forbidExtraterritorialExposure": ["cloud-act"]}
        rules["maxFactAgeDays"] = 5
        rules_file.write_text(json.dumps(rules))

        out = module_dir / "bundle"
        made = cli("report", "--config", str(config), "--out", str(out), "--map", str(module_dir / "map.svg"),
                   "--dora", str(module_dir / "dora")).check()
        yield dict(server=server, cli=cli, config=config, out=out, made=made, module_dir=module_dir,
                   report=json.loads((out / "report.json").read_text()), map=module_dir / "map.svg")
    finally:
        if server is not None:
            server.stop()
        peer.stop()
        moto.stop()


def findings(report, code):
    return [f for f in report["findings"] if f["code"] == code]


def test_where_the_data_is(world):
    report = world["report"]
    assert report["schema"] == "souverain-report/1"
    buckets = {b["name"]: b for b in report["buckets"]}
    assert buckets["patients"]["classification"] == "health" and buckets["patients"]["objects"] == 3
    assert buckets["patients"]["bytes"] == 30_000
    assert [(l["location"], l["objects"], l["bytes"]) for l in buckets["patients"]["locations"]] == [("onprem", 3, 30_000)]
    assert buckets["archives"]["classification"] == "public-archives"
    assert {l["location"] for l in buckets["ledger"]["locations"]} == {"onprem", "aws"}
    locations = {l["id"]: l for l in report["locations"]}
    assert locations["onprem"]["onPremise"] and locations["onprem"]["country"] == "FR"
    assert locations["scw"]["country"] == "NL" and locations["scw"]["providerID"] == "scaleway"
    assert locations["aws"]["ultimateParentCountry"] == "US" and locations["aws"]["exposure"]["cloud-act"] == "exposed"
    assert locations["aws"]["nonEULawExposure"] and not locations["scw"]["nonEULawExposure"]
    # Qualifications with the registry's date and sources; stale under the 5-day rule.
    hds = next(f for f in locations["scw"]["facts"] if f["field"] == "qualifications.hds")
    assert hds["asOf"] == "2026-11-22" and hds["stale"] and hds["verification"]
    assert report["installation"]["registryAsOf"] == "2026-11-22" and report["installation"]["maxFactAgeDays"] == 5
    assert {f["subject"] for f in findings(report, "stale-facts")} == {"scw", "aws", "ovh"}
    assert report["encryption"] == {"encryptedObjects": 7, "totalObjects": 7}
    # The second Souverain holds the off-site copy, and the report counts it there.
    assert [(l["location"], l["objects"], l["bytes"]) for l in buckets["offsite"]["locations"]] == [("ovh", 1, 8_000)]
    # Not under US law, but exposed through its Canadian subsidiary (a production order the registry cites).
    assert locations["ovh"]["providerID"] == "ovhcloud" and locations["ovh"]["exposure"]["cloud-act"] != "exposed"
    assert locations["ovh"]["nonEULawExposure"]


def test_bytes_the_rules_no_longer_allow_are_flagged(world):
    report = world["report"]
    assert [(m["bucket"], m["location"], m["objects"], m["bytes"]) for m in report["misplaced"]] == [("ledger", "aws", 1, 5_000)]
    flagged = findings(report, "misplaced-bytes")
    assert len(flagged) == 1 and flagged[0]["severity"] == "critical" and "ledger at aws" == flagged[0]["subject"]


def test_the_trail_keys_and_shredding(world):
    report = world["report"]
    audit = report["audit"]
    assert audit["verified"] and audit["gaps"] == [] and audit["segments"] >= 1 and audit["records"] > 10
    assert audit["deniedByBucket"].get("patients", 0) >= 1
    assert audit["deniedBySource"].get("127.0.0.1", 0) >= 1
    assert audit["publicKey"] == (world["cli"].data_dir / "audit.pub").read_text().strip()
    keys = report["keys"]
    assert keys["storeKind"] == "keyring" and "storeUnavailable" not in keys
    assert [k["version"] for k in keys["masterKeys"]] == [1, 2] and keys["masterKeys"][1]["current"]
    assert {e["operation"] for e in keys["rotations"]} == {"RotateKeys"}
    assert {(e["operation"], e["bucket"]) for e in keys["shreddings"]} == {("ShredBucket", "closed")}
    closed = next(b for b in report["buckets"] if b["name"] == "closed")
    assert closed["shreddedAt"] and findings(report, "bucket-shredded")[0]["subject"] == "closed"


def test_exit_plans_and_concentration_risk(world):
    plans = {p["providerID"]: p for p in world["report"]["exitPlans"]}
    assert set(plans) == {"on-premise", "scaleway", "aws", "ovhcloud"}
    classifications = {c["name"]: c["eligible"] for c in world["report"]["classifications"]}
    assert classifications["ledger"] == ["onprem"] and classifications["public-archives"] == ["onprem"]
    aws = plans["aws"]
    assert [(b["bucket"], b["alternatives"]) for b in aws["buckets"]] == [("ledger", ["onprem"])]
    assert aws["buckets"][0]["commands"][0] == "souverain migrate --bucket ledger --to onprem"
    # The time comes from the export of the archives, whose record carries its duration.
    transfer = world["report"]["audit"]["lastMeasuredTransfer"]
    assert transfer["operation"] == "export" and transfer["bucket"] == "archives"
    assert transfer["bytes"] == 20_000 and transfer["seconds"] > 0
    assert aws["estimatedTime"].startswith("about ") and "the throughput of the export of bucket archives" in aws["estimatedTime"]
    # Only the organisation's disk is in France and free of US law: the archives cannot leave it.
    onprem = plans["on-premise"]
    archives = next(b for b in onprem["buckets"] if b["bucket"] == "archives")
    assert archives["alternatives"] == [] and onprem["concentrationRisk"]
    assert "souverain export --bucket archives" in archives["commands"][0]
    # Nowhere else in Germany: the off-site copies cannot leave OVHcloud either.
    assert [(b["bucket"], b["alternatives"]) for b in plans["ovhcloud"]["buckets"]] == [("offsite", [])]
    assert {f["subject"] for f in findings(world["report"], "concentration-risk")} == {"on-premise", "ovhcloud"}


def test_every_platform_or_location_control_has_a_status(world):
    controls = {c["id"]: c for c in world["report"]["controls"]}
    assert len(controls) > 100
    assert controls["HDS-EXI28"]["status"] == "enforced" and controls["HDS-EXI28"]["tests"]
    # The misplaced ledger copy: the evidence of SNC-19.2.b does not hold in this report.
    assert controls["SNC-19.2.b"]["evidenceHolds"] is False
    assert controls["SNC-12.7"]["evidenceHolds"] is True
    # The archives cannot leave the organisation's disk: a concentration risk.
    assert controls["DORA-29.1"]["status"] == "evidenced" and controls["DORA-29.1"]["evidenceHolds"] is False
    assert controls["SNC-19.1.c"]["status"] == "operator-declaration" and controls["SNC-19.1.c"]["operatorDeclaration"] == ""


def test_the_dora_register(world):
    import csv
    dora = world["module_dir"] / "dora"

    def rows(name):
        with open(dora / name, newline="") as f:
            return list(csv.reader(f))

    providers = rows("b_05.01.csv")
    assert providers[0] == [f"c{n:04d}" for n in range(10, 130, 10)]
    # The two third parties, not the organisation's own disk; the headquarters from the registry.
    assert sorted(r[7] for r in providers[1:]) == ["FR", "FR", "US"]
    arrangements = rows("b_02.02.csv")
    assert len(arrangements[0]) == 18
    assert sorted((r[12], r[13], r[14]) for r in arrangements[1:]) == [
        ("DE", "true", "DE"), ("FR", "true", "FR"), ("NL", "false", "")]
    assessments = rows("b_07.01.csv")
    assert all(r[7] == "true" for r in assessments[1:])
    operator = rows("operator-fields.csv")
    assert operator[0][:3] == ["template", "row", "column"]
    assert any(r[0] == "B_05.01" and r[2] == "c0010" and "no LEI" in r[5] for r in operator[1:])
    # Nothing guessed: every empty cell of the three tables is listed for the operator.
    empty = sum(cell == "" for table in (providers, arrangements, assessments) for row in table[1:] for cell in row)
    assert empty == len(operator) - 1


def verify(bundle: Path, *extra: str) -> support.Ran:
    return support.run([str(support.souverain_bin()), "report", "verify", str(bundle), *extra])


def verify_py(bundle: Path, *extra: str) -> support.Ran:
    return support.run([sys.executable, str(VERIFY_SCRIPT), str(bundle), *extra])


def test_the_signature_holds_and_fails_on_one_changed_byte(world, tmp_path):
    bundle = world["out"]
    public_key = str(world["cli"].data_dir / "audit.pub")
    assert verify(bundle, "--public-key", public_key).check().stdout.startswith("verified")
    assert verify_py(bundle, "--public-key", public_key).check().stdout.startswith("verified")
    changed = tmp_path / "changed"
    shutil.copytree(bundle, changed)
    data = bytearray((changed / "report.json").read_bytes())
    index = data.index(b'"totalObjects" : 7')
    data[index + len(b'"totalObjects" : ')] = ord("8")
    (changed / "report.json").write_bytes(bytes(data))
    broken = verify(changed)
    assert broken.returncode == 1 and "changed after it was signed" in broken.stdout, broken.stdout
    broken_py = verify_py(changed)
    assert broken_py.returncode == 1 and "FAILED" in broken_py.stdout, broken_py.stdout
    # Signed by a key other than the one the auditor trusts.
    stranger = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
    other = verify(bundle, "--public-key", stranger)
    assert other.returncode == 1 and "not by the audit trail's key" in other.stdout, other.stdout
    assert verify_py(bundle, "--public-key", stranger).returncode == 1


def test_the_html_and_the_map(world, tmp_path):
    html = (world["out"] / "report.html").read_text()
    assert "<script" not in html and "<link" not in html
    assert "ledger" in html and "concentration risk" in html and "<svg" in html
    svg = world["map"].read_text()
    assert svg.startswith("<svg") and ">aws<" in svg and "#c62828" in svg and "Key custody" in svg
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (scripts/test.sh installs Debian's chromium)")
        pytest.skip("chromium is not installed")
    shot = tmp_path / "report.png"
    ran = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--window-size=1400,2200", f"--screenshot={shot}", (world["out"] / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120, env=support.clean_env())
    assert ran.returncode == 0, ran.stderr[-2000:]
    console = [line for line in ran.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not [line for line in console if "ERROR" in line or "Uncaught" in line], console
    assert shot.exists() and shot.stat().st_size > 10_000
    if os.environ.get("SOUVERAIN_REPORT_SCREENSHOT"):
        shutil.copy(shot, os.environ["SOUVERAIN_REPORT_SCREENSHOT"])


def test_the_admin_api_serves_the_signed_report_to_admins_and_auditors_only(world):
    server, cli = world["server"], world["cli"]
    auditor = support.user_creds(cli.add_user("report-auditor", role="auditor"))
    answer = support.request(server.endpoint, auditor, "GET", raw_path="/_souverain/report")
    assert answer.status == 200, answer.body[:500]
    signature = base64.b64decode(answer.header("x-souverain-report-signature"))
    public_key = answer.header("x-souverain-report-public-key")
    assert public_key == (cli.data_dir / "audit.pub").read_text().strip()
    Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(signature, answer.body)
    served = json.loads(answer.body)
    assert served["schema"] == "souverain-report/1" and {b["name"] for b in served["buckets"]} >= {"patients", "archives"}
    plain = support.user_creds(cli.add_user("report-plain"))
    refused = support.request(server.endpoint, plain, "GET", raw_path="/_souverain/report")
    assert refused.status == 403 and refused.error_code == "AccessDenied", refused.body
    records = [json.loads(line) for line in cli("audit", "query", "--operation", "GetComplianceReport").check().stdout.splitlines()]
    assert [(r["user"].split(" ")[0], r["status"]) for r in records] == [("report-auditor", 200), ("report-plain", 403)]


def test_a_tampered_trail_is_reported_broken(world):
    # Last: the server stops, one byte of a trail record changes, and the offline report says so.
    world["server"].stop()
    data = world["cli"].data_dir
    segment = sorted((data / "audit").glob("audit-*.log"))[0]
    raw = bytearray(segment.read_bytes())
    index = raw.index(b"scan-1.dcm")
    raw[index] ^= 0x01
    segment.write_bytes(bytes(raw))
    out = world["module_dir"] / "bundle-tampered"
    world["cli"]("report", "--config", str(world["config"]), "--out", str(out)).check()
    report = json.loads((out / "report.json").read_text())
    assert not report["audit"]["verified"] and report["audit"]["gaps"]
    broken = findings(report, "trail-broken")
    assert broken and broken[0]["severity"] == "critical"
    assert next(c for c in report["controls"] if c["id"] == "SNC-12.7")["evidenceHolds"] is False
    # The report itself is honest and signed: it verifies, and says the trail does not.
    assert verify(out).check().returncode == 0
