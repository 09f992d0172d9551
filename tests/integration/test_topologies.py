"""Process-level faults for each topology users run (issue 13, point 4).

Three topologies, each with classifications that require 2 copies at 2 distinct operators
(strict, and lenient with `acceptUnderReplicatedWrites`):

1. local + s3: the organisation's own disk (`local`, provider `on-premise`) and one provider,
   whose endpoint is a second Souverain, or moto;
2. s3 + s3: a second Souverain and moto (two processes, two operators);
3. three locations at three operators: local + second Souverain + moto, with the 2-copy classes
   and a lenient 3-copy one.

For each, a replicated PUT (empty, small, over one 64 KiB chunk, multipart through boto3) is
acknowledged, the server stays up, every copy exists inside each location (the catalogue says
which blob holds which copy; the blob is read from the location itself, the local directory or
the remote bucket, and its SHA-256 compared with the one recorded) and GETs return the exact bytes.

Then a remote location's process is SIGKILLed (and restarted on the same port) or SIGSTOPped
(and SIGCONTed) while threads write and read. Writes follow the rules (strict: refused with an
S3 error, never a 500 or a dropped connection; lenient: acknowledged, degraded, repaired later);
every GET of an acknowledged object returns the right bytes, during and after the fault; once the
location is back and the repair has run, every required copy exists inside each location and the
repair backlog is 0; the main server never dies. moto keeps its objects in memory, so it is only
ever SIGSTOPped: a SIGKILL would be a loss of every copy it holds, not an outage.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import support
from test_placement import Moto

pytestmark = pytest.mark.souverain_only

# Each location's sovereignty profile: three providers whose ultimate parents differ, so any two
# count as two operators.
PROFILES = {
    "souv": dict(provider="scaleway", region="fr-par", country="FR"),  # served by a second Souverain
    "moto": dict(provider="ionos", region="de", country="DE"),  # served by moto
    "onprem": dict(provider="on-premise", region=None, country="FR"),  # a local directory
}

# The locations of each topology, in preference order: the remote whose process the fault rounds
# stop comes first, so that reads have to fail over from the first copy.
TOPOLOGIES = {
    "local+souverain": ("souv", "onprem"),
    "local-first+souverain": ("onprem", "souv"),
    "local+moto": ("moto", "onprem"),
    "souverain+moto": ("souv", "moto"),
    "three": ("souv", "onprem", "moto"),
}

TWO = {"allowedCountries": ["FR", "DE"], "minimumReplicas": 2, "minimumDistinctOperators": 2}
# Classification -> (rules, copies every object must have once repaired).
CLASSIFICATIONS = {
    "two-strict": (TWO, 2),
    "two-lenient": (dict(TWO, acceptUnderReplicatedWrites=True), 2),
    "three-lenient": (dict(TWO, minimumReplicas=3, minimumDistinctOperators=3, acceptUnderReplicatedWrites=True), 3),
}


def classifications_of(topology: str) -> list[str]:
    return ["two-strict", "two-lenient"] + (["three-lenient"] if len(TOPOLOGIES[topology]) == 3 else [])


# A request that takes longer than this is a hang: the client gives up and the test counts it.
REQUEST_BOUND = 60
# How long a fault may last before the main server must have seen its location down: its breaker
# opens after 3 failures in a row, and a request to a frozen remote fails after 2 attempts of 15 s
# of silence (S3Location.clientConfiguration), so 2 writers alone take about 62 s to open it.
NOTICE_BOUND = 100


# --------------------------------------------------------------------------
# The processes: one second Souverain and one moto for the module (remote locations of every
# topology, each topology in buckets of its own), and one main server per topology.

@dataclass
class Remotes:
    remote: support.Server
    moto: Moto
    remote_s3: object
    moto_s3: object

    def client_of(self, location: str):
        return self.remote_s3 if location == "souv" else self.moto_s3

    def pid_of(self, location: str) -> int:
        return self.remote.pid if location == "souv" else self.moto.proc.pid


@dataclass
class Main:
    """A main server configured with one topology."""
    topology: str
    server: support.Server
    remotes: Remotes
    local_root: Path
    remote_buckets: dict[str, str]
    classifications: list[str] = field(default_factory=list)

    @property
    def locations(self) -> tuple[str, ...]:
        return TOPOLOGIES[self.topology]

    def client(self, **config):
        return self.server.client(**config)

    def admin(self, method: str, path: str) -> dict:
        answer = support.request(self.server.endpoint, self.server.admin(), method, raw_path=f"/_souverain/{path}",
                                 timeout=REQUEST_BOUND * 2)
        assert answer.status == 200, answer.describe()
        return json.loads(answer.body)

    def location_states(self) -> dict[str, str]:
        return {item["location"]: item["state"] for item in self.admin("GET", "locations")["locations"]}

    # -- what the catalogue says, read from its file -------------------------
    def catalogue(self) -> sqlite3.Connection:
        path = self.server.data_dir / "catalogue.sqlite"
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)

    def record(self, bucket: str, key: str) -> dict | None:
        """An object's copies: [(location, [locator per segment], state)], the stored SHA-256 of
        each segment, and whether it is marked for the repair."""
        with self.catalogue() as db:
            row = db.execute("SELECT location, segments, replicas, needs_repair FROM objects WHERE bucket = ? AND key = ?",
                             (bucket, key.encode())).fetchone()
        if row is None:
            return None
        location, segments, replicas, needs_repair = row
        segments = json.loads(segments)
        copies = [(location, [s["locator"] for s in segments], "ok")]
        copies += [(r["location"], r["locators"], r["state"]) for r in json.loads(replicas or "[]")]
        return dict(copies=copies, sha256=[s.get("storedSHA256") for s in segments], needs_repair=bool(needs_repair))

    def referenced_blobs(self, location: str) -> set[str]:
        """Every blob of `location` the catalogue's objects reference."""
        found = set()
        with self.catalogue() as db:
            for first, segments, replicas in db.execute("SELECT location, segments, replicas FROM objects"):
                if first == location:
                    found |= {s["locator"] for s in json.loads(segments)}
                for replica in json.loads(replicas or "[]"):
                    if replica["location"] == location:
                        found |= set(replica["locators"])
        return found

    # -- what the locations hold, read from inside them ----------------------
    def blob(self, location: str, locator: str) -> bytes | None:
        if location == "onprem":
            path = self.local_root / "blobs" / locator[:3] / locator
            return path.read_bytes() if path.is_file() else None
        client = self.remotes.client_of(location)
        try:
            return client.get_object(Bucket=self.remote_buckets[location], Key="souverain/" + locator)["Body"].read()
        except ClientError as error:
            if support.error_code(error) in ("NoSuchKey", "404"):
                return None
            raise

    def stored_blobs(self, location: str) -> set[str]:
        """The locators of every blob `location` holds."""
        if location == "onprem":
            root = self.local_root / "blobs"
            return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}
        client = self.remotes.client_of(location)
        found = set()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.remote_buckets[location], Prefix="souverain/"):
            found |= {item["Key"][len("souverain/"):] for item in page.get("Contents", [])}
        return found

    def check_copies(self, bucket: str, key: str, classification: str) -> list[str]:
        """What is wrong with an object's copies (nothing: an empty list): as many good copies as
        its rules require, at distinct operators, each blob present inside its location with the
        recorded SHA-256."""
        required = CLASSIFICATIONS[classification][1]
        record = self.record(bucket, key)
        if record is None:
            return [f"{bucket}/{key}: not in the catalogue"]
        problems = []
        good = [(location, locators) for location, locators, state in record["copies"] if state == "ok"]
        if record["needs_repair"]:
            problems.append(f"{bucket}/{key}: still marked for the repair: {record['copies']}")
        operators = {PROFILES[location]["provider"] for location, _ in good}
        if len(good) < required or len(operators) < required:
            problems.append(f"{bucket}/{key}: {len(good)} good copies at {sorted(operators)}, {required} required: {record['copies']}")
        # Every copy of a segment holds the same bytes (sealed once): those whose SHA-256 was
        # recorded, or, where it was not (an object written degraded), those of the first copy.
        expected = list(record["sha256"])
        for location, locators in good:
            if len(locators) != len(expected):
                problems.append(f"{bucket}/{key}: the copy at {location} has {len(locators)} blobs for {len(expected)} segments")
                continue
            for index, locator in enumerate(locators):
                stored = self.blob(location, locator)
                if stored is None:
                    problems.append(f"{bucket}/{key}: blob {locator} missing inside {location}")
                    continue
                digest = hashlib.sha256(stored).hexdigest()
                if expected[index] is None:
                    expected[index] = digest
                elif digest != expected[index]:
                    problems.append(f"{bucket}/{key}: blob {locator} at {location} does not match SHA-256 {expected[index]}")
        return problems


@pytest.fixture(scope="module")
def remotes(module_dir):
    moto = Moto(module_dir / "moto.log")
    remote = support.Server(module_dir / "remote-data", module_dir / "logs", name="remote")
    try:
        remote.start()
        remote.pinned_port = remote.port  # restarted on the port the main servers are configured with
        # A plain boto3 client for moto: it sends no x-amz-request-id, which support.s3_client requires.
        moto_s3 = boto3.client("s3", endpoint_url=moto.endpoint, aws_access_key_id="testing",
                               aws_secret_access_key="testing", region_name=support.REGION)
        yield Remotes(remote, moto, remote.client(), moto_s3)
    finally:
        # A stopped process is continued first: SIGTERM would wait on it otherwise.
        for proc in (remote.proc, moto.proc):
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
        remote.stop()
        moto.stop()


@pytest.fixture(scope="module")
def mains(module_dir, remotes):
    """The main server of a topology, started on first use, stopped by PID at the end."""
    started: dict[str, Main] = {}

    def main_of(topology: str) -> Main:
        if topology in started:
            return started[topology]
        base = module_dir / topology
        locations = TOPOLOGIES[topology]
        sections, buckets = [], {}
        for preference, name in enumerate(locations):
            profile = PROFILES[name]
            lines = [f"[location {name}]"]
            if name == "onprem":
                lines += ["kind = local", f"path = {base / 'onprem'}", "organisation = CHU de Test"]
            else:
                buckets[name] = support.unique_bucket_name(f"{topology}-{name}", prefix="b")
                remotes.client_of(name).create_bucket(Bucket=buckets[name])
                creds = remotes.remote.admin() if name == "souv" else support.Creds("testing", "testing")
                endpoint = remotes.remote.endpoint if name == "souv" else remotes.moto.endpoint
                lines += ["kind = s3", f"endpoint = {endpoint}", "allow-plain-http = true", f"bucket = {buckets[name]}",
                          "prefix = souverain/",
                          f"access-key = {creds.access_key}", f"secret-key = {creds.secret_key}"]
            lines += [f"provider = {profile['provider']}", f"country = {profile['country']}", f"preference = {preference}"]
            if profile["region"]:
                lines.append(f"provider-region = {profile['region']}")
            sections.append("\n".join(lines))
        data = base / "data"
        rules = json.loads(support.run([str(support.souverain_bin()), "placement", "rules", "--data", str(data)]).check().stdout)
        for name in classifications_of(topology):
            rules["classifications"][name] = CLASSIFICATIONS[name][0]
        (base / "rules.json").write_text(json.dumps(rules))
        config = base / "souverain.conf"
        config.write_text(f"placement-rules = {base / 'rules.json'}\n\n" + "\n\n".join(sections) + "\n")
        server = support.Server(data, module_dir / "logs", name=f"main-{topology}",
                                extra_args=("--config", str(config), "--garbage-grace", "0", "--repair-interval", "1"))
        main = Main(topology, server, remotes, base / "onprem", buckets, classifications_of(topology))
        started[topology] = main
        server.start()
        return main

    try:
        yield main_of
    finally:
        # Stopped side by side: each may take its grace period to close its clients' connections.
        stoppers = [threading.Thread(target=main.server.stop) for main in started.values()]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()


create_classified = support.create_classified


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what() if callable(what) else what}: not after {timeout} s"
        time.sleep(0.2)


def assert_healthy(main: Main):
    assert main.server.alive(), f"the main server died\n{main.server.log_tail()}"
    assert main.server.ready_status() == 200


# --------------------------------------------------------------------------
# A replicated PUT, every size, every topology: the regression test of the crash in
# FanOutBlobWriter.commit() (issue 13: a local and an s3 location, 2 copies at 2 operators).

SIZES = {"empty": 0, "small": 1_000, "over-one-chunk": 200_003, "multipart": 9 * support.MIB + 3}


@pytest.mark.parametrize("topology", sorted(TOPOLOGIES))
def test_a_replicated_put_is_stored_at_every_location(mains, topology):
    main = mains(topology)
    s3 = main.client()
    written = {}
    for classification in main.classifications:
        bucket = support.unique_bucket_name(f"{topology}-{classification}")
        create_classified(s3, bucket, classification)
        for name, size in SIZES.items():
            body = support.seeded_bytes(f"{topology}:{classification}:{name}", size)
            if name == "multipart":  # boto3's defaults: 8 MiB parts from 8 MiB on
                s3.upload_fileobj(io.BytesIO(body), bucket, name, Config=TransferConfig())
                assert s3.head_object(Bucket=bucket, Key=name)["ETag"].endswith('-2"')
            else:
                s3.put_object(Bucket=bucket, Key=name, Body=body)
            assert_healthy(main)
            written[(bucket, name)] = (classification, body)

    for (bucket, key), (classification, body) in written.items():
        assert main.check_copies(bucket, key, classification) == []
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    # Inside each location, exactly the blobs the catalogue references: none missing, none stray.
    for location in main.locations:
        wait_for(lambda: main.stored_blobs(location) == main.referenced_blobs(location), 30,
                 f"the blobs inside {location} are those the catalogue references")
        assert main.referenced_blobs(location), f"nothing written at {location}"
    assert admin_backlog(main) == 0
    assert_healthy(main)


def admin_backlog(main: Main) -> int:
    return main.admin("GET", "repair")["backlog"]


# --------------------------------------------------------------------------
# Process-level faults of a remote location while threads write and read.

# (topology, the location whose process is faulted, the fault). Every topology meets each fault
# its remote processes can have: SIGKILL then a restart on the same port (the second Souverain),
# SIGSTOP then SIGCONT (the second Souverain and moto).
# The quick rounds cover each topology and each fault; the others are marked slow.
SLOW = pytest.mark.slow
FAULT_ROUNDS = [
    ("local+souverain", "souv", "kill"),
    pytest.param("local+souverain", "souv", "stop", marks=SLOW),
    ("local+moto", "moto", "stop"),
    ("souverain+moto", "souv", "kill"),
    pytest.param("souverain+moto", "moto", "stop", marks=SLOW),
    pytest.param("three", "souv", "kill", marks=SLOW),
    ("three", "souv", "stop"),
]
ROUND_IDS = ["-".join(r.values if hasattr(r, "values") else r) for r in FAULT_ROUNDS]
WRITERS, READERS = 2, 3
# Counts are bounded per phase: while a location is down, writes that skip it take milliseconds,
# and a budget for the whole round could be spent before the location comes back, leaving no
# write to prove the return (what failed in CI once).
MAX_WRITES_PER_PHASE, MAX_READS_PER_PHASE = 40, 200
PHASES = ("before", "during", "after")
# What a strict write may be answered when it cannot make its copies: the rules' refusal, or
# "no location took it" when none answered.
REFUSALS = {(403, "PlacementViolation"), (503, "ServiceUnavailable")}


@dataclass
class Outcome:
    classification: str
    bucket: str
    key: str
    phase: str  # when it started, and when it ended if that differs ("before", "during>after", ...)
    result: str  # "ok", "refused", or what went wrong
    detail: str = ""


class Workload:
    """Writer and reader threads on one main server, with bounded counts, each request bounded by
    the client's timeouts; the phase of the fault is set from outside."""

    def __init__(self, main: Main, buckets: dict[str, str]):
        self.main = main
        self.buckets = buckets
        self.lock = threading.Lock()
        self.phase = "before"
        self.stop = threading.Event()
        self.acknowledged: dict[tuple[str, str], tuple[str, str]] = {}  # (bucket, key) -> (classification, sha256)
        self.writes: list[Outcome] = []
        self.reads: list[Outcome] = []
        self.threads: list[threading.Thread] = []

    def client(self):
        return self.main.client(read_timeout=REQUEST_BOUND, connect_timeout=10)

    def phase_since(self, started: str) -> str:
        now = self.phase
        return started if now == started else f"{started}>{now}"

    def preload(self, per_bucket: int):
        s3 = self.client()
        for classification, bucket in self.buckets.items():
            for n in range(per_bucket):
                body = support.seeded_bytes(f"{bucket}:pre:{n}", 1 + (n * 47_317) % 150_000)
                s3.put_object(Bucket=bucket, Key=f"pre-{n}", Body=body)
                self.acknowledged[(bucket, f"pre-{n}")] = (classification, support.sha256(body))

    def await_budget(self, done: int, per_phase: int) -> bool:
        """Whether a thread that has made `done` requests may make another: it waits while it
        has spent the current phase's budget; False once the workload is stopped."""
        while not self.stop.is_set():
            if done < per_phase * (PHASES.index(self.phase) + 1):
                return True
            self.stop.wait(0.05)
        return False

    def writer(self, number: int):
        s3 = self.client()
        classes = sorted(self.buckets)
        for n in range(MAX_WRITES_PER_PHASE * len(PHASES)):
            if not self.await_budget(n, MAX_WRITES_PER_PHASE):
                return
            classification = classes[(n + number) % len(classes)]
            bucket, key = self.buckets[classification], f"w{number}-{n:03d}"
            body = support.seeded_bytes(f"{bucket}:{key}", 1 + (n * 31_337 + number * 7_919) % 140_000)
            started = self.phase
            try:
                s3.put_object(Bucket=bucket, Key=key, Body=body)
                result, detail = "ok", ""
                with self.lock:
                    self.acknowledged[(bucket, key)] = (classification, support.sha256(body))
            except ClientError as error:
                answer = (support.http_code(error), support.error_code(error))
                result = "refused" if answer in REFUSALS else f"HTTP {answer[0]} {answer[1]}"
                detail = str(error)
            except Exception as error:  # noqa: BLE001 - a dropped connection or a timeout: counted, never success
                result, detail = f"no answer: {type(error).__name__}", str(error)
            with self.lock:
                self.writes.append(Outcome(classification, bucket, key, self.phase_since(started), result, detail))

    def reader(self, number: int):
        s3 = self.client()
        for n in range(MAX_READS_PER_PHASE * len(PHASES)):
            if not self.await_budget(n, MAX_READS_PER_PHASE):
                return
            with self.lock:
                known = sorted(self.acknowledged)
            bucket, key = known[(n * 7 + number * 13) % len(known)]
            classification, expected = self.acknowledged[(bucket, key)]
            started = self.phase
            try:
                got = support.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                result = "ok" if got == expected else "wrong bytes"
                detail = ""
            except Exception as error:  # noqa: BLE001 - every failure counts against the run
                result, detail = f"failed: {type(error).__name__}", str(error)
            with self.lock:
                self.reads.append(Outcome(classification, bucket, key, self.phase_since(started), result, detail))

    def start(self):
        self.threads = [threading.Thread(target=self.writer, args=(n,), daemon=True) for n in range(WRITERS)]
        self.threads += [threading.Thread(target=self.reader, args=(n,), daemon=True) for n in range(READERS)]
        for thread in self.threads:
            thread.start()

    def count(self, outcomes: str, phase: str) -> int:
        with self.lock:
            return sum(1 for o in getattr(self, outcomes) if o.phase == phase)

    def lenient_acknowledged(self, phase: str) -> int:
        with self.lock:
            return sum(1 for o in self.writes if o.classification != "two-strict" and o.phase == phase and o.result == "ok")

    def summary(self) -> str:
        """How many writes and reads ended in each phase with each result, and the last writes:
        what a failed wait reports."""
        with self.lock:
            counts: dict[str, int] = {}
            for kind, outcomes in (("write", self.writes), ("read", self.reads)):
                for o in outcomes:
                    name = f"{kind} {o.phase} {o.result}"
                    counts[name] = counts.get(name, 0) + 1
            last = [f"{o.key} ({o.phase}): {o.result} {o.detail[:200]}" for o in self.writes[-4:]]
        return f"{dict(sorted(counts.items()))}; last writes: {last}"

    def finish(self, bound: float) -> list[str]:
        """Stops the threads; the names of those still running after `bound` seconds (a hang)."""
        self.stop.set()
        deadline = time.monotonic() + bound
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread.name for thread in self.threads if thread.is_alive()]


def inject(remotes: Remotes, victim: str, fault: str):
    if fault == "kill":
        remotes.remote.kill9()
    else:
        os.kill(remotes.pid_of(victim), signal.SIGSTOP)


def restore(remotes: Remotes, victim: str, fault: str):
    """The victim back: continued, or restarted on its port. Idempotent."""
    if fault == "stop":
        os.kill(remotes.pid_of(victim), signal.SIGCONT)
    elif not remotes.remote.alive():
        remotes.remote.start()


@pytest.mark.parametrize("topology,victim,fault", FAULT_ROUNDS, ids=ROUND_IDS)
def test_a_remote_process_fault_during_writes_and_reads(mains, remotes, topology, victim, fault):
    main = mains(topology)
    wait_for(lambda: set(main.location_states().values()) == {"up"}, 60, "every location up before the round")
    s3 = main.client()
    buckets = {}
    for classification in main.classifications:
        buckets[classification] = support.unique_bucket_name(f"{topology}-{fault}-{classification}")
        create_classified(s3, buckets[classification], classification)
    work = Workload(main, buckets)
    work.preload(per_bucket=4)
    work.start()
    hung: list[str] = []
    try:
        wait_for(lambda: work.count("writes", "before") >= 6 and work.count("reads", "before") >= 10, 60,
                 "writes and reads before the fault")
        inject(remotes, victim, fault)
        work.phase = "during"
        # The fault lasts until the main server has seen the location down and writes and reads
        # have run against it (bounded: a server that never notices is a defect).
        noticed = time.monotonic() + NOTICE_BOUND
        seen_down = False
        while time.monotonic() < noticed:
            seen_down = seen_down or main.location_states()[victim] != "up"
            if seen_down and work.count("writes", "during") >= 4 and work.count("reads", "during") >= 10 \
                    and work.lenient_acknowledged("during"):
                break
            time.sleep(0.2)
        backlog_during = admin_backlog(main)
        states_during = main.location_states()
    finally:
        restore(remotes, victim, fault)
        work.phase = "after"
    try:
        wait_for(lambda: work.count("writes", "after") >= 6, REQUEST_BOUND * 2,
                 lambda: f"writes after the return ({work.summary()})")
    finally:
        hung = work.finish(bound=REQUEST_BOUND * 2)
    assert not hung, f"threads still blocked {REQUEST_BOUND * 2} s after the end of the round: {hung}"
    assert seen_down, f"the main server did not see {victim} down within {NOTICE_BOUND} s of a {fault}: {states_during}"
    assert_healthy(main)

    # Writes followed the rules: nothing but acknowledgements and the rules' refusals, every
    # lenient write acknowledged (a location was always left), all of them while nothing failed.
    bad = [o for o in work.writes if o.result not in ("ok", "refused")]
    assert not bad, f"{len(bad)} of {len(work.writes)} writes neither acknowledged nor refused: " + \
        "; ".join(f"{o.bucket}/{o.key} ({o.phase}): {o.result} {o.detail[:300]}" for o in bad[:5])
    refused = [o for o in work.writes if o.result == "refused"]
    assert all(o.classification == "two-strict" for o in refused), [(o.key, o.classification, o.detail) for o in refused]
    assert not [o for o in work.writes if o.phase == "before" and o.result != "ok"]
    lenient_during = [o for o in work.writes if o.classification != "two-strict" and o.phase == "during" and o.result == "ok"]
    assert lenient_during, f"no lenient write completed during the fault: {[(o.key, o.phase) for o in work.writes]}"
    assert backlog_during > 0, "lenient writes during the fault left nothing for the repair"
    for o in refused:  # a refused write left nothing visible
        with pytest.raises(ClientError) as missing:
            s3.head_object(Bucket=o.bucket, Key=o.key)
        assert support.http_code(missing.value) == 404

    # Every GET of an acknowledged object returned its bytes, during the fault too.
    wrong = [o for o in work.reads if o.result != "ok"]
    assert not wrong, f"{len(wrong)} of {len(work.reads)} GETs wrong: " + \
        "; ".join(f"{o.bucket}/{o.key} ({o.phase}): {o.result} {o.detail[:300]}" for o in wrong[:5])
    assert work.count("reads", "during") > 0

    # The location is back; the repair re-creates every missing copy, inside each location.
    wait_for(lambda: main.location_states()[victim] == "up", 60, f"{victim} seen up again")

    last_pass: list[dict] = []

    def repaired() -> bool:
        last_pass[:] = [main.admin("POST", "repair")]
        return last_pass[0]["backlog"] == 0
    deadline = time.monotonic() + 120
    while not repaired():
        assert time.monotonic() < deadline, \
            f"the repair backlog not drained after 120 s: last pass {last_pass}, locations {main.admin('GET', 'locations')}"
        time.sleep(0.5)
    problems = [p for (bucket, key), (classification, _) in sorted(work.acknowledged.items())
                for p in main.check_copies(bucket, key, classification)]
    assert not problems, f"{len(problems)} problems with the copies: {problems[:5]}"
    for (bucket, key), (_, expected) in sorted(work.acknowledged.items()):
        assert support.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) == expected, f"{bucket}/{key}"
    assert admin_backlog(main) == 0
    assert_healthy(main)
