"""rclone (Debian's, aws-sdk-go underneath) against the server."""

from __future__ import annotations

import json

import pytest

import support
from support import MIB, local_tree, seeded_bytes, sha256, unicode_tree, write_tree


@pytest.fixture
def tree(tmp_path):
    files = unicode_tree("rclone")
    files["big/multipart.bin"] = seeded_bytes("rclone-big", 12 * MIB + 7)
    root = tmp_path / "src"
    write_tree(root, files)
    return root, files


def lsjson(rclone, path):
    return {e["Path"]: e["Size"] for e in json.loads(rclone("lsjson", "-R", "--files-only", rclone.remote(path)).check().stdout)}


def test_copy_list_check_download(rclone, tree, tmp_path, s3):
    root, files = tree
    bucket = support.unique_bucket_name("rclone-copy")
    rclone("mkdir", rclone.remote(bucket)).check()
    # Small cut-off and chunk size so the 12 MiB file goes up in three parts.
    rclone("copy", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", str(root), rclone.remote(f"{bucket}/tree")).check()

    assert lsjson(rclone, f"{bucket}/tree") == {name: len(data) for name, data in files.items()}
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in page.get("Contents", [])]
    assert keys == support.utf8_order(f"tree/{name}" for name in files)
    big_etag = s3.head_object(Bucket=bucket, Key="tree/big/multipart.bin")["ETag"]
    assert big_etag.strip('"').endswith("-3"), f"rclone did not upload multipart: {big_etag}"

    top = rclone("lsf", rclone.remote(f"{bucket}/tree")).check().stdout.splitlines()
    assert "dir one/" in top and "readme.txt" in top and "emoji 🎉/" in top

    check = rclone("check", str(root), rclone.remote(f"{bucket}/tree"))
    assert check.returncode == 0, check.stderr
    assert "0 differences found" in check.stderr

    down = tmp_path / "down"
    rclone("copy", rclone.remote(f"{bucket}/tree"), str(down)).check()
    assert local_tree(down) == local_tree(root)

    # A changed file is a difference; sync repairs it and deletes what is gone.
    (root / "readme.txt").write_bytes(b"changed")
    (root / "empty.bin").unlink()
    differs = rclone("check", str(root), rclone.remote(f"{bucket}/tree"))
    assert differs.returncode != 0
    rclone("sync", str(root), rclone.remote(f"{bucket}/tree")).check()
    assert rclone("check", str(root), rclone.remote(f"{bucket}/tree")).returncode == 0
    assert "empty.bin" not in lsjson(rclone, f"{bucket}/tree")

    rclone("cat", rclone.remote(f"{bucket}/tree/readme.txt")).check()
    assert rclone("cat", rclone.remote(f"{bucket}/tree/readme.txt")).stdout == "changed"


def test_copyto_delete_purge(rclone, tmp_path, s3):
    bucket = support.unique_bucket_name("rclone-purge")
    rclone("mkdir", rclone.remote(bucket)).check()
    data = seeded_bytes("rclone-single", 100_000)
    src = tmp_path / "single"
    src.write_bytes(data)
    rclone("copyto", str(src), rclone.remote(f"{bucket}/a/b/single file.bin")).check()
    assert sha256(s3.get_object(Bucket=bucket, Key="a/b/single file.bin")["Body"].read()) == sha256(data)
    rclone("copyto", rclone.remote(f"{bucket}/a/b/single file.bin"), rclone.remote(f"{bucket}/copied.bin")).check()
    assert s3.get_object(Bucket=bucket, Key="copied.bin")["Body"].read() == data
    rclone("deletefile", rclone.remote(f"{bucket}/copied.bin")).check()
    assert lsjson(rclone, bucket) == {"a/b/single file.bin": len(data)}
    rclone("purge", rclone.remote(bucket)).check()
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
