"""s3cmd (Debian's) against the server: put, get, ls, del, sync."""

from __future__ import annotations

import pytest

import support
from support import MIB, local_tree, md5_hex, seeded_bytes, sha256, unicode_tree, write_tree


def ls_keys(output: str, bucket: str) -> list[str]:
    prefix = f"s3://{bucket}/"
    keys = []
    for line in output.splitlines():
        if prefix in line:
            keys.append(line.split(prefix, 1)[1])
    return keys


@pytest.fixture
def s3cmd_bucket(s3cmd):
    name = support.unique_bucket_name("s3cmd")
    made = s3cmd("mb", f"s3://{name}").check()
    assert f"s3://{name}/" in made.stdout
    return name


def test_put_get_ls_del(s3cmd, s3cmd_bucket, tmp_path, s3):
    small = seeded_bytes("s3cmd-small", 4096)
    big = seeded_bytes("s3cmd-big", 20 * MIB + 3)  # above s3cmd's 15 MiB multipart chunk
    (tmp_path / "small é.txt").write_bytes(small)
    (tmp_path / "big.bin").write_bytes(big)
    s3cmd("put", str(tmp_path / "small é.txt"), f"s3://{s3cmd_bucket}/docs/small é.txt").check()
    s3cmd("put", str(tmp_path / "big.bin"), f"s3://{s3cmd_bucket}/big.bin").check()
    assert s3.head_object(Bucket=s3cmd_bucket, Key="docs/small é.txt")["ETag"] == f'"{md5_hex(small)}"'
    assert s3.head_object(Bucket=s3cmd_bucket, Key="big.bin")["ETag"].strip('"').endswith("-2")

    top = s3cmd("ls", f"s3://{s3cmd_bucket}/").check().stdout
    assert "DIR" in top and f"s3://{s3cmd_bucket}/docs/" in top
    assert f"s3://{s3cmd_bucket}/big.bin" in top
    recursive = s3cmd("ls", "--recursive", f"s3://{s3cmd_bucket}").check().stdout
    assert ls_keys(recursive, s3cmd_bucket) == ["big.bin", "docs/small é.txt"]
    buckets = s3cmd("ls").check().stdout
    assert f"s3://{s3cmd_bucket}" in buckets

    s3cmd("get", f"s3://{s3cmd_bucket}/docs/small é.txt", str(tmp_path / "small.out")).check()
    assert (tmp_path / "small.out").read_bytes() == small
    s3cmd("get", f"s3://{s3cmd_bucket}/big.bin", str(tmp_path / "big.out")).check()
    assert sha256((tmp_path / "big.out").read_bytes()) == sha256(big)

    s3cmd("del", f"s3://{s3cmd_bucket}/big.bin").check()
    assert ls_keys(s3cmd("ls", "--recursive", f"s3://{s3cmd_bucket}").check().stdout, s3cmd_bucket) == ["docs/small é.txt"]
    s3cmd("del", "--recursive", "--force", f"s3://{s3cmd_bucket}/").check()
    assert s3.list_objects_v2(Bucket=s3cmd_bucket)["KeyCount"] == 0
    s3cmd("rb", f"s3://{s3cmd_bucket}").check()


def test_sync_up_and_down(s3cmd, s3cmd_bucket, tmp_path, s3):
    files = unicode_tree("s3cmd-sync")
    up = tmp_path / "up"
    write_tree(up, files)
    s3cmd("sync", f"{up}/", f"s3://{s3cmd_bucket}/tree/").check()
    listed = ls_keys(s3cmd("ls", "--recursive", f"s3://{s3cmd_bucket}/tree/").check().stdout, s3cmd_bucket)
    assert sorted(listed) == sorted(f"tree/{name}" for name in files)

    down = tmp_path / "down"
    down.mkdir()
    s3cmd("sync", f"s3://{s3cmd_bucket}/tree/", f"{down}/").check()
    assert local_tree(down) == local_tree(up)

    (up / "readme.txt").write_bytes(b"new readme")
    (up / "a+b" / "c&d=e.txt").unlink()
    s3cmd("sync", "--delete-removed", f"{up}/", f"s3://{s3cmd_bucket}/tree/").check()
    assert s3.get_object(Bucket=s3cmd_bucket, Key="tree/readme.txt")["Body"].read() == b"new readme"
    remaining = {o["Key"] for o in s3.list_objects_v2(Bucket=s3cmd_bucket, Prefix="tree/")["Contents"]}
    assert "tree/a+b/c&d=e.txt" not in remaining
    s3cmd("sync", "--delete-removed", f"s3://{s3cmd_bucket}/tree/", f"{down}/").check()
    assert local_tree(down) == local_tree(up)
