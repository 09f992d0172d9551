"""Fixtures for the real-client integration tests.

Run from the repository root, in a venv that has requirements.txt installed
(and rclone, s3cmd, curl on PATH):

    python -m pytest tests/integration

The server binary is $SOUVERAIN_BIN, by default .build/debug/souverain.
SOUVERAIN_TEST_TARGET=moto runs the client plumbing against moto_server
instead; tests marked `souverain_only` (auth, users, crash, hostile) are then
skipped, as moto accepts any credentials.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import support
from support import AwsCli, Rclone, S3cmd, Server, SouverainCli

# Isolate boto3 in this process from the caller's AWS settings and files.
for _name in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[_name]
_aws_home = tempfile.mkdtemp(prefix="souverain-it-aws-")
Path(_aws_home, "config").write_text("")
os.environ["AWS_CONFIG_FILE"] = os.path.join(_aws_home, "config")
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(_aws_home, "config")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
atexit.register(shutil.rmtree, _aws_home, True)


def pytest_configure(config):
    config.addinivalue_line("markers", "souverain_only: meaningful only against Souverain (auth, users, crash, hostile); skipped with SOUVERAIN_TEST_TARGET=moto")
    config.addinivalue_line("markers", "slow: large transfers or restarts (the 1 GiB and crash tests)")


def pytest_collection_modifyitems(config, items):
    if support.is_souverain():
        return
    skip = pytest.mark.skip(reason="needs Souverain: moto accepts any credentials and has no CLI or data directory")
    for item in items:
        if "souverain_only" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    if support.is_souverain():
        return f"souverain integration target: {support.souverain_bin()}"
    return "souverain integration target: moto_server (souverain_only tests skipped)"


@pytest.fixture(scope="session")
def run_root():
    root = Path(tempfile.mkdtemp(prefix="souverain-it-"))
    yield root
    if os.environ.get("SOUVERAIN_TEST_KEEP") != "1":
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def module_dir(run_root, request):
    d = run_root / request.module.__name__
    d.mkdir(parents=True, exist_ok=True)
    return d


def _start(data_dir: Path, log_dir: Path, name: str, region: str = support.REGION) -> Server:
    return Server(data_dir, log_dir, region=region, name=name).start()


@pytest.fixture(scope="module")
def server(module_dir):
    """A fresh server per test module, stopped by PID at the end of the module."""
    srv = Server(module_dir / "data", module_dir / "logs", name="server")
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def server_factory(tmp_path):
    """Start extra servers inside a test; all are stopped by PID when it ends."""
    started: list[Server] = []

    def make(data_dir: Path | None = None, region: str = support.REGION, name: str | None = None,
             extra_args: tuple[str, ...] = ()) -> Server:
        n = len(started) + 1
        srv = Server(data_dir or tmp_path / f"data{n}", tmp_path / "logs", region=region, name=name or f"extra{n}",
                     extra_args=extra_args)
        started.append(srv)
        return srv.start()

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def s3(server):
    """boto3 client of the admin, botocore's default checksum behaviour."""
    return server.client()


@pytest.fixture
def bucket(s3, request):
    """A new, empty bucket for one test."""
    name = support.unique_bucket_name(request.node.name)
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def aws(server, module_dir):
    return AwsCli(server.endpoint, server.admin(), module_dir / "awscli")


@pytest.fixture(scope="module")
def rclone(server, module_dir):
    if shutil.which("rclone") is None:
        pytest.fail("rclone is not installed (apt-get install -y rclone)")
    return Rclone(server.endpoint, server.admin(), module_dir / "rclone")


@pytest.fixture(scope="module")
def s3cmd(server, module_dir):
    if shutil.which("s3cmd") is None:
        pytest.fail("s3cmd is not installed (apt-get install -y s3cmd)")
    return S3cmd(server.port, server.admin(), module_dir / "s3cmd")


@pytest.fixture(scope="module")
def cli(server):
    """`souverain user|bucket ...` on the running server's data directory."""
    if not support.is_souverain():
        pytest.skip("needs the souverain CLI")
    return SouverainCli(server.data_dir)


@pytest.fixture(scope="session")
def user_names():
    counter = itertools.count(1)
    return lambda prefix="user": f"{prefix}{next(counter)}"
