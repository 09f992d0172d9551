"""SIGKILL at a random moment loses no acknowledged write and never exposes a partial
object (Souverain only).

Each round: concurrent writer threads (boto3) PUT new keys, overwrite existing ones and
complete multipart uploads. Every key belongs to one writer, which writes it
sequentially, so a key's expected content is its last acknowledged body, or the one
body in flight when the server died. After a seeded number of acknowledgements the
server is SIGKILLed, restarted on the same data directory, and every key is read back.
Bounded: ROUNDS rounds, each ending at KILL_AFTER acks or ROUND_TIMEOUT seconds.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import pytest
from botocore.exceptions import ClientError

import support
from support import MIB, Server, seeded_bytes, sha256

pytestmark = [pytest.mark.souverain_only, pytest.mark.slow]

SEED = 20261123
ROUNDS = 5
WRITERS = 4
KILL_AFTER = (15, 60)  # acknowledged writes before the kill, drawn per round
ROUND_TIMEOUT = 90.0
BUCKET = "crash"
SIZES = [0, 1, 999, 64 * 1024, 300_000, MIB + 17, 2 * MIB]


@dataclass
class KeyState:
    bodies: set = field(default_factory=set)  # sha256 of every body ever sent for the key
    acked: str | None = None  # the last acknowledged body (or the one found after a restart)
    inflight: str | None = None  # the body being written when the server died


class Round:
    def __init__(self, number: int, server: Server, model: dict[str, KeyState], owners: dict[int, list[str]]):
        self.number = number
        self.server = server
        self.model = model
        self.owners = owners
        self.rng = random.Random(SEED * 100 + number)
        self.kill_after = self.rng.randint(*KILL_AFTER)
        self.acks = 0
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.killed = threading.Event()
        self.errors: list[str] = []
        self.model_lock = threading.Lock()

    def on_ack(self) -> None:
        with self.cond:
            self.acks += 1
            self.cond.notify_all()

    def writer(self, index: int) -> None:
        rng = random.Random(SEED * 1000 + self.number * 10 + index)
        client = self.server.client(read_timeout=30, connect_timeout=5)
        keys = self.owners.setdefault(index, [])
        seq = 0
        while not self.stop.is_set():
            seq += 1
            roll = rng.random()
            if roll < 0.3 or not keys:
                key = f"w{index}/r{self.number}-n{seq} é"
                keys.append(key)
                with self.model_lock:
                    self.model[key] = KeyState()
            else:
                key = rng.choice(keys)
            state = self.model[key]
            multipart = roll > 0.85
            try:
                if multipart:
                    parts = [seeded_bytes(f"{self.number}/{index}/{seq}/1", 5 * MIB), seeded_bytes(f"{self.number}/{index}/{seq}/2", rng.choice(SIZES))]
                    digest = sha256(b"".join(parts))
                    state.bodies.add(digest)
                    upload_id = client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
                    etags = [client.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=n, Body=p)["ETag"]
                             for n, p in enumerate(parts, 1)]
                    state.inflight = digest  # only completion changes the object
                    client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id, MultipartUpload={
                        "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
                else:
                    body = seeded_bytes(f"{self.number}/{index}/{seq}", rng.choice(SIZES))
                    digest = sha256(body)
                    state.bodies.add(digest)
                    state.inflight = digest
                    client.put_object(Bucket=BUCKET, Key=key, Body=body)
            except Exception as exc:  # noqa: BLE001 - sorted out below
                if not self.killed.is_set():
                    self.errors.append(f"writer {index}, {key!r} before the kill: {exc!r}")
                    self.stop.set()
                    with self.cond:
                        self.cond.notify_all()
                return  # after the kill: whatever was in flight stays in flight
            state.acked = digest
            state.inflight = None
            self.on_ack()

    def run(self) -> None:
        threads = [threading.Thread(target=self.writer, args=(i,), name=f"crash-writer-{i}", daemon=True) for i in range(WRITERS)]
        for t in threads:
            t.start()
        with self.cond:
            self.cond.wait_for(lambda: self.acks >= self.kill_after or self.stop.is_set(), timeout=ROUND_TIMEOUT)
        self.killed.set()
        self.server.kill9()
        self.stop.set()
        for t in threads:
            t.join(timeout=60)
            assert not t.is_alive(), f"{t.name} did not stop after the kill"
        assert not self.errors, "errors before the kill:\n" + "\n".join(self.errors)
        assert self.acks >= 1, f"no write was acknowledged in round {self.number}"
        inflight = sum(1 for state in self.model.values() if state.inflight)
        print(f"round {self.number}: killed after {self.acks} acknowledged writes, {inflight} in flight, {len(self.model)} keys")


def verify(server: Server, model: dict[str, KeyState]) -> None:
    client = server.client()
    problems = []
    present = {}
    for key, state in model.items():
        allowed = {state.acked, state.inflight} - {None}
        try:
            got = client.get_object(Bucket=BUCKET, Key=key)
            data = got["Body"].read()
        except ClientError as exc:
            if support.error_code(exc) != "NoSuchKey":
                problems.append(f"{key!r}: {exc!r}")
            elif state.acked is not None:
                problems.append(f"{key!r}: acknowledged write lost (NoSuchKey)")
            state.inflight = None
            continue
        digest = sha256(data)
        if digest not in allowed:
            kind = "a partial or foreign body" if digest not in state.bodies else "an older body than acknowledged"
            problems.append(f"{key!r}: {len(data)} bytes, {kind} (expected one of {sorted(allowed)})")
        if got["ContentLength"] != len(data):
            problems.append(f"{key!r}: Content-Length {got['ContentLength']} but {len(data)} bytes")
        present[key] = len(data)
        # What is there now is the truth for the next round.
        state.acked = digest if digest in state.bodies else state.acked
        state.inflight = None
    listed = {o["Key"]: o["Size"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET) for o in page.get("Contents", [])}
    unknown = set(listed) - set(model)
    if unknown:
        problems.append(f"listed keys never written: {sorted(unknown)}")
    if set(listed) != set(present):
        problems.append(f"listing and reads disagree: only listed {sorted(set(listed) - set(present))}, only readable {sorted(set(present) - set(listed))}")
    for key in set(listed) & set(present):
        if listed[key] != present[key]:
            problems.append(f"{key!r}: listed size {listed[key]}, read {present[key]} bytes")
    assert not problems, "after SIGKILL and restart:\n" + "\n".join(problems) + f"\n--- server log ---\n{server.log_tail()}"


def test_sigkill_loses_no_acknowledged_write(tmp_path):
    server = Server(tmp_path / "data", tmp_path / "logs", name="crash")
    model: dict[str, KeyState] = {}
    owners: dict[int, list[str]] = {}
    try:
        server.start()
        server.client().create_bucket(Bucket=BUCKET)
        for number in range(1, ROUNDS + 1):
            Round(number, server, model, owners).run()
            server.start()  # same data directory, new port
            verify(server, model)
        client = server.client()
        client.put_object(Bucket=BUCKET, Key="after-all-rounds", Body=b"still writable")
        assert client.get_object(Bucket=BUCKET, Key="after-all-rounds")["Body"].read() == b"still writable"
    finally:
        server.stop()
