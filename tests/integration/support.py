"""Plumbing shared by the real-client integration tests.

Everything here talks to a server on 127.0.0.1 only: starting and stopping
`souverain serve` (or `moto_server` while developing the suite, with
SOUVERAIN_TEST_TARGET=moto), boto3 clients, runners for aws-cli, rclone and
s3cmd, the `souverain user`/`bucket` CLI, and a raw SigV4-signed request
helper (botocore's signer, http.client or a bare socket on the wire) for the
hostile tests.
"""

from __future__ import annotations

import atexit
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("SOUVERAIN_TEST_TARGET", "souverain").strip().lower()
REGION = "us-east-1"
ADMIN_ACCESS_KEY = "SOUVADMINTESTKEY0001"
ADMIN_SECRET_KEY = "souverain+admin/secret+for+integration00"
READY_TIMEOUT = 30.0
POLL_INTERVAL = 0.05
MIB = 1024 * 1024

if TARGET not in ("souverain", "moto"):
    raise RuntimeError(f"SOUVERAIN_TEST_TARGET must be 'souverain' or 'moto', not {TARGET!r}")


_bucket_counter = __import__("itertools").count(1)


def unique_bucket_name(hint: str, prefix: str = "t") -> str:
    """A valid, unique bucket name that says which test made it."""
    base = re.sub(r"[^a-z0-9]+", "-", hint.lower()).strip("-")
    return f"{prefix}{next(_bucket_counter):03d}-{base}"[:63].rstrip("-")


def is_souverain() -> bool:
    return TARGET == "souverain"


def souverain_bin() -> Path:
    return Path(os.environ.get("SOUVERAIN_BIN") or REPO_ROOT / ".build" / "debug" / "souverain")


# --------------------------------------------------------------------------
# Processes: every process started here is remembered by PID and stopped by
# PID, by its owner (a fixture finaliser) and, as a last resort, at exit.

_live_processes: dict[int, subprocess.Popen] = {}
_live_lock = threading.Lock()


def _remember(proc: subprocess.Popen) -> None:
    with _live_lock:
        _live_processes[proc.pid] = proc


def _forget(proc: subprocess.Popen) -> None:
    with _live_lock:
        _live_processes.pop(proc.pid, None)


def child_pids(pid: int) -> list[int]:
    """PIDs whose parent is `pid` (e.g. the swift-backtrace helper of a crashing server)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # The command name, in parentheses, may hold spaces: split after it.
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    children.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return children


def stop_process(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process by PID, SIGKILL it if it is still there after `grace` seconds;
    then SIGKILL any child it left (a crash's backtracer would otherwise linger)."""
    children = child_pids(proc.pid) if proc.poll() is None else []
    for child in children:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace)
    _forget(proc)


@atexit.register
def _stop_leftovers() -> None:
    with _live_lock:
        procs = list(_live_processes.values())
    for proc in procs:
        try:
            stop_process(proc, grace=5.0)
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 2.0) -> int:
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        conn.request("GET", parsed.path or "/")
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _moto_server_command() -> list[str]:
    exe = shutil.which("moto_server", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if exe is None:
        raise RuntimeError("moto_server not found on PATH")
    return [exe]


class ServerDied(RuntimeError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Server:
    """One `souverain serve` (or moto_server) process on a free loopback port."""

    def __init__(self, data_dir: Path, log_dir: Path, region: str = REGION, name: str = "server",
                 extra_args: tuple[str, ...] = ()):
        self.extra_args = tuple(extra_args)
        # Environment variables added to the server's (after the caller's SOUVERAIN_* are removed).
        self.extra_env: dict[str, str] = {}
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.region = region
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        # Set to restart on the same port (a server other servers are configured to reach).
        self.pinned_port: int | None = None
        self.starts = 0
        self.log_path: Path | None = None
        self.out_path: Path | None = None

    # -- lifecycle --------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ready_path(self) -> str:
        return "/health/ready" if is_souverain() else "/moto-api/"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> "Server":
        """Start and wait for readiness. A server that dies before it is ready fails the
        caller, unless SOUVERAIN_TEST_START_RETRIES (default 0: a start-up crash is a bug)
        allows more attempts, which are then reported on stderr."""
        retries = int(os.environ.get("SOUVERAIN_TEST_START_RETRIES", "0"))
        for attempt in range(retries + 1):
            try:
                return self._start_once()
            except ServerDied as exc:
                if attempt == retries:
                    raise
                sys.stderr.write(f"\n[souverain-it] {self.name} died before it was ready; retrying ({exc.status})\n")
        raise AssertionError("unreachable")

    def _start_once(self) -> "Server":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.pinned_port or free_port()
        self.starts += 1
        env = clean_env()
        if is_souverain():
            binary = souverain_bin()
            if not binary.exists():
                raise RuntimeError(f"Souverain binary not found at {binary} (set SOUVERAIN_BIN, or SOUVERAIN_TEST_TARGET=moto)")
            cmd = [str(binary), "serve", "--data", str(self.data_dir), "--address", f"127.0.0.1:{self.port}", *self.extra_args]
            if self.region != REGION:
                cmd += ["--region", self.region]
            env["SOUVERAIN_ADMIN_ACCESS_KEY"] = ADMIN_ACCESS_KEY
            env["SOUVERAIN_ADMIN_SECRET_KEY"] = ADMIN_SECRET_KEY
            env.update(self.extra_env)
        else:
            cmd = _moto_server_command() + ["-H", "127.0.0.1", "-p", str(self.port)]
        self.log_path = self.log_dir / f"{self.name}-{self.starts}.log"  # stderr: the logs
        self.out_path = self.log_dir / f"{self.name}-{self.starts}.out"  # stdout: the banner
        with open(self.log_path, "ab") as log, open(self.out_path, "ab") as out:
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=log, stdin=subprocess.DEVNULL,
                env=env, cwd=str(self.log_dir), start_new_session=True,
            )
        _remember(self.proc)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if self.proc.poll() is not None:
                _forget(self.proc)
                raise ServerDied(self.proc.returncode, f"{self.name} exited with status {self.proc.returncode} before it was ready (log {self.log_path})\n{self.log_tail()}")
            try:
                last = http_status(self.endpoint + self.ready_path, timeout=1.0)
                if last == 200:
                    return
            except OSError as exc:
                last = exc
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready after {timeout}s (last: {last!r})\n{self.log_tail()}")
            time.sleep(POLL_INTERVAL)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def kill9(self) -> None:
        """SIGKILL by PID and reap."""
        assert self.proc is not None
        if self.proc.poll() is None:
            children = child_pids(self.proc.pid)
            os.kill(self.proc.pid, signal.SIGKILL)
            for child in children:
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait(timeout=30)
        _forget(self.proc)

    def restart(self) -> "Server":
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        return self.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in (self.out_path, self.log_path):
            if path is not None and path.exists():
                text = path.read_text(errors="replace").splitlines()
                parts.append(f"--- {path.name} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or "(no log)"

    def all_output(self) -> tuple[str, str]:
        """(stdout, stderr) of every start so far."""
        outs, logs = [], []
        for n in range(1, self.starts + 1):
            for suffix, bucket in ((".out", outs), (".log", logs)):
                path = self.log_dir / f"{self.name}-{n}{suffix}"
                if path.exists():
                    bucket.append(path.read_text(errors="replace"))
        return "".join(outs), "".join(logs)

    def ready_status(self) -> int:
        return http_status(self.endpoint + self.ready_path)

    # -- clients ------------------------------------------------------------
    def admin(self) -> "Creds":
        return Creds(ADMIN_ACCESS_KEY, ADMIN_SECRET_KEY)

    def client(self, creds: "Creds | None" = None, **config) -> "boto3.client":
        creds = creds or self.admin()
        return s3_client(self.endpoint, creds, region=self.region, **config)


@dataclass(frozen=True)
class Creds:
    access_key: str
    secret_key: str

    def botocore(self) -> Credentials:
        return Credentials(self.access_key, self.secret_key)


def clean_env() -> dict[str, str]:
    """The environment without any AWS_*, RCLONE_* or SOUVERAIN_* setting of the caller's."""
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith(("AWS_", "RCLONE_", "SOUVERAIN_", "BOTO_", "S3CMD"))
    }


def s3_client(endpoint: str, creds: Creds, region: str = REGION, **config):
    """A boto3 S3 client, path style, no retries (a retry would hide a server error): botocore's
    `max_attempts` counts retries (1 would be one retry), `total_max_attempts` every attempt."""
    options = dict(
        region_name=region,
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=120,
    )
    options.update(config)
    session = boto3.session.Session()
    client = session.client(
        "s3", endpoint_url=endpoint, region_name=region,
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        config=Config(**options),
    )
    if is_souverain():
        client.meta.events.register("after-call.s3", _require_request_id)
    return client


class MissingRequestId(AssertionError):
    pass


def _require_request_id(http_response, model, **kwargs):
    """The contract: every response carries x-amz-request-id (errors included)."""
    if not http_response.headers.get("x-amz-request-id"):
        raise MissingRequestId(f"{model.name}: HTTP {http_response.status_code} without x-amz-request-id")


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def http_code(exc: ClientError) -> int:
    return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)


def code_of(call) -> tuple[str, int]:
    """The S3 error code and HTTP status of a boto3 call that must fail."""
    import pytest

    with pytest.raises(ClientError) as refused:
        call()
    return error_code(refused.value), http_code(refused.value)


# --------------------------------------------------------------------------
# Deterministic data

def seeded_bytes(seed: object, size: int) -> bytes:
    return random.Random(f"souverain:{seed}").randbytes(size)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def multipart_etag(parts: list[bytes]) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f"{digest}-{len(parts)}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def crc32_b64(data: bytes) -> str:
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c_b64(data: bytes) -> str:
    crc = 0xFFFFFFFF
    table = _CRC32C
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return b64((crc ^ 0xFFFFFFFF).to_bytes(4, "big"))


def sha1_b64(data: bytes) -> str:
    return b64(hashlib.sha1(data).digest())


def sha256_b64(data: bytes) -> str:
    return b64(hashlib.sha256(data).digest())


def utf8_order(keys) -> list[str]:
    return sorted(keys, key=lambda k: k.encode("utf-8"))


class SeededStream:
    """A read-only, non-seekable file of `size` deterministic bytes, generated
    block by block (never held whole), hashing what it hands out."""

    BLOCK = 1 * MIB

    def __init__(self, seed: object, size: int, part_size: int | None = None):
        self._rng = random.Random(f"souverain-stream:{seed}")
        self._left = size
        self._buffer = b""
        self.sha256 = hashlib.sha256()
        self._part_size = part_size
        self._part_left = part_size
        self._part_md5 = hashlib.md5()
        self.part_md5s: list[bytes] = []  # binary MD5 of each part_size slice, for the multipart ETag

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self._left + len(self._buffer)
        while len(self._buffer) < n and self._left > 0:
            take = min(self.BLOCK, self._left)
            self._buffer += self._rng.randbytes(take)
            self._left -= take
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        self.sha256.update(out)
        if self._part_size:
            view = memoryview(out)
            while view:
                take = view[:self._part_left]
                self._part_md5.update(take)
                self._part_left -= len(take)
                view = view[len(take):]
                if self._part_left == 0:
                    self._close_part()
            if self._left == 0 and not self._buffer and self._part_left != self._part_size:
                self._close_part()
        return out

    def _close_part(self) -> None:
        self.part_md5s.append(self._part_md5.digest())
        self._part_md5 = hashlib.md5()
        self._part_left = self._part_size

    def multipart_etag(self) -> str:
        return f"{hashlib.md5(b''.join(self.part_md5s)).hexdigest()}-{len(self.part_md5s)}"


# --------------------------------------------------------------------------
# Command-line clients

@dataclass
class Ran:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> "Ran":
        assert self.returncode == 0, f"{self.args!r} exited {self.returncode}\nstdout:\n{self.stdout[-4000:]}\nstderr:\n{self.stderr[-4000:]}"
        return self

    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else None

    def aws_error_code(self) -> str | None:
        """The code in aws-cli's 'An error occurred (CODE) when calling ...'."""
        marker = "An error occurred ("
        if marker in self.stderr:
            return self.stderr.split(marker, 1)[1].split(")", 1)[0]
        return None


def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 300, cwd=None, input_bytes: bytes | None = None) -> Ran:
    proc = subprocess.run(
        args, env=env if env is not None else clean_env(), cwd=cwd, timeout=timeout,
        input=input_bytes, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=None if input_bytes is not None else subprocess.DEVNULL,
    )
    return Ran(list(map(str, args)), proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))


class AwsCli:
    """aws-cli (v1, from the venv running the tests) against one endpoint."""

    def __init__(self, endpoint: str, creds: Creds, workdir: Path, region: str = REGION):
        self.endpoint = endpoint
        self.creds = creds
        self.region = region
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = workdir / "aws-config"
        # signature_version: aws-cli v1 presigns with SigV2 unless told otherwise.
        self.config_file.write_text(
            f"[default]\nregion = {region}\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n"
        )
        self.credentials_file = workdir / "aws-credentials"
        self.credentials_file.write_text("")

    def env(self) -> dict[str, str]:
        env = clean_env()
        env.update(
            AWS_ACCESS_KEY_ID=self.creds.access_key,
            AWS_SECRET_ACCESS_KEY=self.creds.secret_key,
            AWS_DEFAULT_REGION=self.region,
            AWS_CONFIG_FILE=str(self.config_file),
            AWS_SHARED_CREDENTIALS_FILE=str(self.credentials_file),
            AWS_EC2_METADATA_DISABLED="true",
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
            AWS_PAGER="",
        )
        return env

    def __call__(self, *args: str, timeout: float = 300, cwd=None) -> Ran:
        cmd = [sys.executable, "-m", "awscli", "--endpoint-url", self.endpoint, *args]
        return run(cmd, env=self.env(), timeout=timeout, cwd=cwd)

    def json(self, *args: str, timeout: float = 300):
        return self(*args, "--output", "json", timeout=timeout).check().json()


class Rclone:
    REMOTE = "souv"

    def __init__(self, endpoint: str, creds: Creds, workdir: Path, region: str = REGION):
        self.endpoint = endpoint
        self.creds = creds
        self.region = region
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = workdir / "rclone.conf"
        self.config_file.write_text("")

    def env(self) -> dict[str, str]:
        env = clean_env()
        prefix = f"RCLONE_CONFIG_{self.REMOTE.upper()}_"
        env.update({
            prefix + "TYPE": "s3",
            prefix + "PROVIDER": "Other",
            prefix + "ACCESS_KEY_ID": self.creds.access_key,
            prefix + "SECRET_ACCESS_KEY": self.creds.secret_key,
            prefix + "ENDPOINT": self.endpoint,
            prefix + "REGION": self.region,
            prefix + "FORCE_PATH_STYLE": "true",
            prefix + "ENV_AUTH": "false",
        })
        return env

    def __call__(self, *args: str, timeout: float = 300) -> Ran:
        cmd = ["rclone", "--config", str(self.config_file), "--low-level-retries", "1", "--retries", "1", *args]
        return run(cmd, env=self.env(), timeout=timeout)

    def remote(self, path: str) -> str:
        return f"{self.REMOTE}:{path}"


class S3cmd:
    def __init__(self, port: int, creds: Creds, workdir: Path, region: str = REGION):
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = workdir / "s3cmd.cfg"
        self.config_file.write_text(
            "[default]\n"
            f"access_key = {creds.access_key}\n"
            f"secret_key = {creds.secret_key}\n"
            f"host_base = 127.0.0.1:{port}\n"
            f"host_bucket = 127.0.0.1:{port}\n"
            "use_https = False\n"
            "signature_v2 = False\n"
            f"bucket_location = {region}\n"
            "check_ssl_certificate = False\n"
            "guess_mime_type = True\n"
            "max_retries = 1\n"
            "progress_meter = False\n"
        )
        self.home = workdir

    def __call__(self, *args: str, timeout: float = 300) -> Ran:
        env = clean_env()
        env["HOME"] = str(self.home)
        return run(["s3cmd", "-c", str(self.config_file), *args], env=env, timeout=timeout)


# --------------------------------------------------------------------------
# The souverain administration CLI (works on the data directory while the
# server runs)

class SouverainCli:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)

    def __call__(self, *args: str, timeout: float = 60) -> Ran:
        return run([str(souverain_bin()), *args, "--data", str(self.data_dir)], timeout=timeout)

    def add_user(self, name: str, role: str = "user") -> dict:
        out = self("user", "add", name, "--role", role, "--json").check()
        info = json.loads(out.stdout)
        for field_name in ("name", "accessKey", "secretKey", "role"):
            assert field_name in info, f"`user add --json` lacks {field_name!r}: {out.stdout!r}"
        return info

    def list_users(self) -> list[dict]:
        return json.loads(self("user", "list", "--json").check().stdout)

    def remove_user(self, name: str) -> Ran:
        return self("user", "remove", name).check()

    def grant(self, bucket: str, user: str, permission: str) -> Ran:
        return self("bucket", "grant", bucket, "--user", user, "--permission", permission).check()

    def revoke(self, bucket: str, user: str) -> Ran:
        return self("bucket", "revoke", bucket, "--user", user).check()


def user_creds(info: dict) -> Creds:
    return Creds(info["accessKey"], info["secretKey"])


# --------------------------------------------------------------------------
# Raw signed requests, for requests that no well-behaved client sends

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def quote_key(key: str) -> str:
    """S3's URI encoding of an object key: every byte but unreserved ones and '/'."""
    return urllib.parse.quote(key, safe="/~")


def build_target(bucket: str | None = None, key: str | None = None, query=None, raw_path: str | None = None) -> str:
    if raw_path is not None:
        path = raw_path
    else:
        path = "/"
        if bucket:
            path += urllib.parse.quote(bucket, safe="~")
            if key is not None:
                path += "/" + quote_key(key)
    if query:
        parts = []
        items = query.items() if isinstance(query, dict) else query
        for k, v in items:
            qk = urllib.parse.quote(str(k), safe="-_.~")
            parts.append(qk if v is None else f"{qk}={urllib.parse.quote(str(v), safe='-_.~')}")
        path += "?" + "&".join(parts)
    return path


class _PinnedSigner(S3SigV4Auth):
    """botocore's S3 SigV4 signer with a chosen timestamp and payload hash."""

    def __init__(self, credentials, region, timestamp: datetime.datetime, payload_hash: str):
        super().__init__(credentials, "s3", region)
        self._timestamp = timestamp
        self._payload_hash = payload_hash

    def payload(self, request):  # noqa: D401 - botocore's hook
        return self._payload_hash

    def add_auth(self, request):
        request.context["timestamp"] = self._timestamp.strftime(AMZ_DATE_FORMAT)
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        signature = self.signature(string_to_sign, request)
        self._inject_signature_to_request(request, signature)
        self.last_signature = signature


@dataclass
class Signed:
    method: str
    target: str
    headers: dict[str, str]
    signature: str | None
    timestamp: datetime.datetime
    scope: str | None


def sign(method: str, endpoint: str, target: str, creds: Creds | None, headers: dict[str, str] | None = None,
         payload_hash: str = EMPTY_SHA256, region: str = REGION, when: datetime.datetime | None = None) -> Signed:
    """Headers (Host and x-amz-* included) for a SigV4 header-signed request; no auth if creds is None."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    host = urllib.parse.urlsplit(endpoint).netloc
    hdrs = {"Host": host}
    hdrs.update(headers or {})
    if creds is None:
        return Signed(method, target, hdrs, None, when, None)
    request = AWSRequest(method=method, url=endpoint + target, headers=hdrs, data=b"")
    signer = _PinnedSigner(creds.botocore(), region, when, payload_hash)
    signer.add_auth(request)
    scope = f"{when.strftime('%Y%m%d')}/{region}/s3/aws4_request"
    return Signed(method, target, dict(request.headers.items()), signer.last_signature, when, scope)


def signing_key(secret: str, date: str, region: str = REGION) -> bytes:
    def h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()
    return h(h(h(h(("AWS4" + secret).encode(), date), region), "s3"), "aws4_request")


@dataclass
class RawResponse:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def xml(self) -> ET.Element | None:
        try:
            return ET.fromstring(self.body) if self.body.strip() else None
        except ET.ParseError:
            return None

    @property
    def error_code(self) -> str | None:
        root = self.xml
        if root is None or strip_ns(root.tag) != "Error":
            return None
        for child in root:
            if strip_ns(child.tag) == "Code":
                return child.text
        return None

    def error_field(self, name: str) -> str | None:
        root = self.xml
        if root is None:
            return None
        for child in root:
            if strip_ns(child.tag) == name:
                return child.text
        return None

    def describe(self) -> str:
        return f"HTTP {self.status} {self.reason}; headers={self.headers}; body={self.body[:1500]!r}"


def strip_ns(tag: str) -> str:
    return tag.split("}", 1)[1] if "}" in tag else tag


def send(endpoint: str, method: str, target: str, headers: dict[str, str], body: bytes = b"",
         timeout: float = 30.0, content_length: bool = True) -> RawResponse:
    """Send exactly these headers (in this order) and body over http.client."""
    parsed = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        names = {k.lower() for k in headers}
        for k, v in headers.items():
            conn.putheader(k, v)
        if content_length and "content-length" not in names and "transfer-encoding" not in names:
            if body or method in ("PUT", "POST"):
                conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, resp.reason, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def request(endpoint: str, creds: Creds | None, method: str, bucket: str | None = None, key: str | None = None,
            query=None, headers: dict[str, str] | None = None, body: bytes = b"", payload_hash: str | None = None,
            when: datetime.datetime | None = None, region: str = REGION, raw_path: str | None = None,
            timeout: float = 30.0) -> RawResponse:
    """A SigV4 header-signed request (payload hash = sha256(body) unless given)."""
    target = build_target(bucket, key, query, raw_path)
    if payload_hash is None:
        payload_hash = sha256(body)
    signed = sign(method, endpoint, target, creds, headers, payload_hash, region, when)
    return send(endpoint, method, target, signed.headers, body, timeout=timeout)


def send_truncated(endpoint: str, method: str, target: str, headers: dict[str, str], declared_length: int,
                   partial_body: bytes, timeout: float = 10.0) -> bytes:
    """Announce `declared_length` bytes, send only `partial_body`, then close our side.
    Returns whatever the server answered (possibly nothing)."""
    parsed = urllib.parse.urlsplit(endpoint)
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {declared_length}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    received = b""
    with socket.create_connection((parsed.hostname, parsed.port), timeout=timeout) as sock:
        try:
            sock.sendall(head)
            sock.sendall(partial_body)
            sock.shutdown(socket.SHUT_WR)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (socket.timeout, ConnectionError):
            pass
    return received


def raw_exchange(endpoint: str, payload: bytes, timeout: float = 10.0) -> bytes:
    """Write bytes to the server, half-close, and read everything it answers."""
    parsed = urllib.parse.urlsplit(endpoint)
    received = b""
    with socket.create_connection((parsed.hostname, parsed.port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (socket.timeout, ConnectionError):
            pass
    return received


def parse_http_response(raw: bytes) -> RawResponse | None:
    if not raw.startswith(b"HTTP/"):
        return None
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    _, status, *reason = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        # HTTP frames the body by its length: anything after it belongs to the next response.
        body = body[:int(headers["content-length"])]
    return RawResponse(int(status), reason[0] if reason else "", headers, body)


# aws-chunked bodies ------------------------------------------------------------

def aws_chunked_unsigned(data: bytes, chunk_size: int, trailers: dict[str, str]) -> bytes:
    """STREAMING-UNSIGNED-PAYLOAD-TRAILER framing."""
    out = bytearray()
    for i in range(0, len(data), chunk_size):
        chunk = data[i:i + chunk_size]
        out += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    out += b"0\r\n"
    for k, v in trailers.items():
        out += f"{k}:{v}\r\n".encode()
    out += b"\r\n"
    return bytes(out)


def aws_chunked_signed(data: bytes, chunk_size: int, seed: Signed, secret: str, region: str = REGION,
                       trailers: dict[str, str] | None = None, tamper_chunk: int | None = None) -> bytes:
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) framing, chained from the seed signature."""
    amz_date = seed.timestamp.strftime(AMZ_DATE_FORMAT)
    key = signing_key(secret, amz_date[:8], region)
    prev = seed.signature
    out = bytearray()
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    for index, chunk in enumerate(chunks):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, seed.scope, prev, EMPTY_SHA256, sha256(chunk)])
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        prev = sig
        if tamper_chunk == index:
            sig = ("0" if sig[0] != "0" else "1") + sig[1:]
        out += f"{len(chunk):x};chunk-signature={sig}\r\n".encode() + chunk
        if chunk or trailers is None:
            out += b"\r\n"
    if trailers is not None:
        trailer_text = "".join(f"{k}:{v}\n" for k, v in trailers.items())
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, seed.scope, prev, sha256(trailer_text.encode())])
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        for k, v in trailers.items():
            out += f"{k}:{v}\r\n".encode()
        out += f"x-amz-trailer-signature:{sig}\r\n\r\n".encode()
    return bytes(out)


# --------------------------------------------------------------------------
# Filesystem snapshots, for "nothing written outside the data directory"

def tree_snapshot(root: Path, exclude: list[Path]) -> dict[str, tuple[int, int]]:
    exclude = [p.resolve() for p in exclude]
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath).resolve()
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in exclude]
        for name in filenames + dirnames:
            p = here / name
            if p.resolve() in exclude:
                continue
            st = p.lstat()
            snap[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return snap


def local_tree(root: Path) -> dict[str, str]:
    """relative POSIX path -> sha256 of every file under root."""
    out = {}
    for p in sorted(Path(root).rglob("*")):
        if p.is_file():
            out[p.relative_to(root).as_posix()] = sha256(p.read_bytes())
    return out


PAST = 1_600_000_000  # 2020-09-13: local files predate their upload, whatever the clock's granularity


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = Path(root) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.utime(p, (PAST, PAST))


def unicode_tree(seed: str) -> dict[str, bytes]:
    """A small tree with unicode, space-bearing and punctuation names."""
    names = [
        "readme.txt",
        "dir one/fichier é.txt",
        "dir one/sub dir/ça marche.bin",
        "日本語/ファイル 1.dat",
        "emoji 🎉/party time.txt",
        "a+b/c&d=e.txt",
        "quotes/it's (1) [2].txt",
        "Ünïcödé/Ñandú ü.txt",
        "deep/1/2/3/4/leaf file.bin",
        "empty.bin",
    ]
    files = {}
    for i, name in enumerate(names):
        size = 0 if name == "empty.bin" else (i * 7919) % 70000 + 1
        files[name] = seeded_bytes(f"{seed}:{name}", size)
    return files


def create_classified(s3, bucket: str, classification: str) -> None:
    """CreateBucket with Souverain's `x-souverain-classification` header, sent by a boto3 client."""
    def add_header(request, **kwargs):
        request.headers["x-souverain-classification"] = classification
    s3.meta.events.register("before-sign.s3.CreateBucket", add_header)
    try:
        s3.create_bucket(Bucket=bucket)
    finally:
        s3.meta.events.unregister("before-sign.s3.CreateBucket", add_header)


# -- a throwaway PostgreSQL (docs/scale-out.md) ---------------------------------

def postgres_bin_dir() -> Path | None:
    """Debian's newest PostgreSQL bin directory (initdb, pg_ctl, createdb), or None."""
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        for version in sorted(root.iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0, reverse=True):
            if (version / "bin" / "initdb").exists():
                return version / "bin"
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def module_postgres(name: str):
    """A module fixture's body: a TestPostgres started under /tmp, yielded, and stopped; the
    module is skipped without PostgreSQL, or failed when SOUVERAIN_REQUIRE_POSTGRES=1."""
    import pytest
    if postgres_bin_dir() is None:
        if os.environ.get("SOUVERAIN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is not installed (SOUVERAIN_REQUIRE_POSTGRES=1)")
        pytest.skip("PostgreSQL is not installed")
    pg = TestPostgres(Path("/tmp") / f"souverain-it-{name}-{os.getpid()}")
    try:
        pg.start()
        yield pg
    finally:
        pg.stop()


class TestPostgres:
    """`initdb` into a temp dir (owned by postgres when root), `pg_ctl start` on a free loopback
    port with trust authentication and fsync off; `stop()` is `pg_ctl -m immediate stop` (by the
    data directory) and removal. Skip the tests without it unless SOUVERAIN_REQUIRE_POSTGRES=1."""

    __test__ = False  # not a pytest class

    def __init__(self, root: Path):
        self.bin = postgres_bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb)")
        self.root = Path(root)
        self.data = self.root / "pgdata"
        self.port: int | None = None

    def _run(self, *args: str, as_postgres: bool = True) -> None:
        cmd = list(args)
        if as_postgres and os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stdout.decode(errors='replace')[-1500:]}")

    def start(self) -> "TestPostgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
        self.port = free_port()
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        return self

    def halt(self) -> None:
        """Immediate shutdown, keeping the data: what a crash of the database looks like."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")

    def resume(self) -> None:
        """Starts the halted server again on the same port."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def create_database(self, name: str) -> str:
        """Creates `name`; returns its URL."""
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name, as_postgres=False)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
