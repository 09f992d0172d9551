"""The PostgreSQL catalogue (docs/scale-out.md), Souverain only.

One throwaway PostgreSQL for the module. `souverain init --postgres URL` writes a configuration
whose URL sits in a 0600 file; a gateway serves from it (buckets, put/get/list/delete, multipart,
versioning through boto3) and a second gateway (its own data directory and port, the same
PostgreSQL, the same keyring and the same local location) reads what the first wrote and lists it
at once, and the other way round. Then a data directory filled through S3 on the embedded SQLite
catalogue is moved with `souverain catalogue migrate-to-postgres` and served from PostgreSQL with
every object, version and byte as before. Skipped without PostgreSQL unless
SOUVERAIN_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import concurrent.futures
import shutil
import stat
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support

pytestmark = pytest.mark.souverain_only

PASSWORD = "never-printed-pg-password"


@pytest.fixture(scope="module")
def postgres(module_dir):
    yield from support.module_postgres("pg")


INIT_OUTPUTS: list[str] = []


def init_config(directory: Path, url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "souverain.conf"
    ran = support.run([str(support.souverain_bin()), "init", "--postgres", url, str(config)]).check()
    INIT_OUTPUTS.append(ran.stdout + ran.stderr)
    return config


@pytest.fixture(scope="module")
def gateways(module_dir, postgres):
    """Two gateways on one PostgreSQL catalogue, each its own data directory and port; the second
    has the first's keyring and reaches its local location by path."""
    # Trust authentication ignores the password: it is there to be looked for in every output.
    url = postgres.create_database("gateways").replace("postgres://postgres@", f"postgres://postgres:{PASSWORD}@")
    first_dir, second_dir = module_dir / "gateway-1", module_dir / "gateway-2"
    first_config = init_config(first_dir, url)
    first = support.Server(first_dir / "data", module_dir / "logs", name="gateway-1", extra_args=("--config", str(first_config)))
    # A database that is down is answered 503 after 2 s instead of 10 (test_a_database_that_goes_down…).
    first.extra_env = {"SOUVERAIN_POSTGRES_WAIT_SECONDS": "2"}
    second = None
    try:
        first.start()
        second_config = init_config(second_dir, url)
        with open(second_config, "a") as config:
            config.write(f"\n[location local]\nkind = local\npath = {first_dir / 'data' / 'local'}\n")
        (second_dir / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy2(first_dir / "data" / "keyring.json", second_dir / "data" / "keyring.json")
        second = support.Server(second_dir / "data", module_dir / "logs", name="gateway-2",
                                extra_args=("--config", str(second_config)))
        second.start()
        yield first, second, first_config
    finally:
        if second is not None:
            second.stop()
        first.stop()


def test_init_keeps_the_url_out_of_the_configuration_and_its_password_out_of_every_output(gateways):
    first, _, config = gateways
    text = config.read_text()
    assert "catalogue = postgres" in text and "postgres-url-file = " in text
    url_file = Path(str(config) + ".postgres-url")
    assert PASSWORD not in text and PASSWORD in url_file.read_text()
    assert stat.S_IMODE(url_file.stat().st_mode) == 0o600
    out, log = first.all_output()
    assert "catalogue: PostgreSQL" in log and "postgres://postgres:***@127.0.0.1" in log
    for output in [out, log, *INIT_OUTPUTS, *gateways[1].all_output()]:
        assert PASSWORD not in output


def test_the_basic_s3_flows_run_on_postgres(gateways):
    s3 = gateways[0].client()
    bucket = support.unique_bucket_name("pg-basic")
    s3.create_bucket(Bucket=bucket)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    keys = ["a", "é/1", "z", "日本"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=support.seeded_bytes(key, 1000))
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == support.seeded_bytes(key, 1000)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == support.utf8_order(keys)
    s3.delete_object(Bucket=bucket, Key="a")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == support.utf8_order(keys[1:])

    parts = [support.seeded_bytes("part-1", 5 * support.MIB), support.seeded_bytes("part-2", 1000)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=n + 1, Body=body)["ETag"]
             for n, body in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": etag} for n, etag in enumerate(etags)]})
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == b"".join(parts)

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="v", Body=b"two")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=v1)["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"two"
    versions = s3.list_object_versions(Bucket=bucket, Prefix="v")["Versions"]
    assert [v["VersionId"] for v in versions] == [v2, v1]


def test_what_one_gateway_writes_the_other_reads_and_lists_at_once(gateways):
    first, second = gateways[0].client(), gateways[1].client()
    bucket = support.unique_bucket_name("pg-two")
    first.create_bucket(Bucket=bucket)
    for n in range(5):
        first.put_object(Bucket=bucket, Key=f"from-1/{n}", Body=f"one {n}".encode())
        assert second.get_object(Bucket=bucket, Key=f"from-1/{n}")["Body"].read() == f"one {n}".encode()
        second.put_object(Bucket=bucket, Key=f"from-2/{n}", Body=f"two {n}".encode())
        listed = [o["Key"] for o in first.list_objects_v2(Bucket=bucket)["Contents"]]
        assert f"from-2/{n}" in listed and f"from-1/{n}" in listed
    first.delete_object(Bucket=bucket, Key="from-2/0")
    assert "from-2/0" not in [o["Key"] for o in second.list_objects_v2(Bucket=bucket)["Contents"]]


def test_concurrent_overwrites_through_both_gateways_leave_one_current_object(gateways):
    clients = [gateways[0].client(), gateways[1].client()]
    bucket = support.unique_bucket_name("pg-race")
    clients[0].create_bucket(Bucket=bucket)
    bodies = [f"writer {n}".encode() * 100 for n in range(12)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: clients[n % 2].put_object(Bucket=bucket, Key="k", Body=bodies[n]), range(len(bodies))))
    stored = [c.get_object(Bucket=bucket, Key="k")["Body"].read() for c in clients]
    assert stored[0] == stored[1] and stored[0] in bodies
    assert [o["Key"] for o in clients[1].list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_a_data_directory_moved_to_postgres_serves_every_object_as_before(module_dir, postgres):
    data = module_dir / "embedded" / "data"
    embedded = support.Server(data, module_dir / "logs", name="embedded")
    bucket = support.unique_bucket_name("pg-moved")
    expected: dict[str, bytes] = {}
    try:
        embedded.start()
        s3 = embedded.client()
        s3.create_bucket(Bucket=bucket)
        for n, key in enumerate(["a", "b/1", "é", "z"]):
            expected[key] = support.seeded_bytes(key, 500 + n)
            s3.put_object(Bucket=bucket, Key=key, Body=expected[key])
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        old = s3.put_object(Bucket=bucket, Key="v", Body=b"old")["VersionId"]
        s3.put_object(Bucket=bucket, Key="v", Body=b"new")
        expected["v"] = b"new"
    finally:
        embedded.stop()

    url = postgres.create_database("moved")
    url_file = module_dir / "moved.postgres-url"
    url_file.write_text(url + "\n")
    url_file.chmod(0o600)
    ran = support.run([str(support.souverain_bin()), "catalogue", "migrate-to-postgres", "--data-dir", str(data),
                       "--postgres-url-file", str(url_file)]).check()
    assert "objects: 5 row(s) copied and verified" in ran.stdout
    assert "object_versions: 1 row(s) copied and verified" in ran.stdout
    assert "127.0.0.1" in ran.stdout and "postgres://postgres@" in ran.stdout
    # Into a catalogue that is no longer empty: refused, nothing changed.
    again = support.run([str(support.souverain_bin()), "catalogue", "migrate-to-postgres", "--data-dir", str(data),
                         "--postgres-url-file", str(url_file)])
    assert again.returncode != 0 and "not empty" in again.stderr

    moved = support.Server(data, module_dir / "logs", name="moved")
    moved.extra_env = {"SOUVERAIN_CATALOGUE": "postgres", "SOUVERAIN_POSTGRES_URL_FILE": str(url_file)}
    try:
        moved.start()
        s3 = moved.client()
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == support.utf8_order(expected)
        for key, body in expected.items():
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
        assert s3.get_object(Bucket=bucket, Key="v", VersionId=old)["Body"].read() == b"old"
        s3.put_object(Bucket=bucket, Key="after", Body=b"written on PostgreSQL")
        assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == b"written on PostgreSQL"
    finally:
        moved.stop()


def test_a_database_that_goes_down_is_answered_503_and_recovered_from_without_a_restart(gateways, postgres):
    """Last in the module: it stops the module's PostgreSQL (and starts it again)."""
    first = gateways[0]
    s3 = first.client()
    bucket = support.unique_bucket_name("pg-down")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="before", Body=b"before")
    postgres.halt()
    try:
        with pytest.raises(ClientError) as refused:
            s3.get_object(Bucket=bucket, Key="before")
        assert support.http_code(refused.value) == 503
        assert support.error_code(refused.value) == "ServiceUnavailable"
        assert first.alive()
    finally:
        postgres.resume()
    # The pool reconnects by itself: the same server serves again, within a bounded wait.
    deadline = time.monotonic() + 30
    while True:
        try:
            assert s3.get_object(Bucket=bucket, Key="before")["Body"].read() == b"before"
            break
        except ClientError as error:
            if support.http_code(error) != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    s3.put_object(Bucket=bucket, Key="after", Body=b"after")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["after", "before"]
