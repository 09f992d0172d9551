#!/usr/bin/env python3
"""What one fdatasync of an append costs on this disk, against the same write into a file whose
blocks were already written (pre-zeroed), the case where fdatasync has no inode to write back.

The audit trail appends each batch of records to its segment (O_APPEND) and fdatasyncs it: the
file grows, so each sync writes the data block and the inode. docs/benchmarks.md ("Issue 18's
twenty-first round") reads these figures.

    python3 scripts/bench/append-sync.py [DIRECTORY] [COUNT]

DIRECTORY defaults to a temporary directory under /tmp (the file system that matters is the one
the data directory is on); COUNT syncs per mode (2,000). Files are removed at the end.
"""
import os
import sys
import tempfile
import time

RECORD = b"x" * 600  # about one group-committed batch of audit records


def run(directory: str, mode: str, count: int) -> None:
    path = os.path.join(directory, "append-sync-" + mode)
    if mode == "append":
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"\0" * (len(RECORD) * count + 4096))
        os.fsync(fd)
    try:
        offset = 0
        started, cpu = time.perf_counter(), os.times()
        for _ in range(count):
            if mode == "append":
                os.write(fd, RECORD)
            else:
                os.pwrite(fd, RECORD, offset)
            offset += len(RECORD)
            os.fdatasync(fd)
        elapsed, after = time.perf_counter() - started, os.times()
    finally:
        os.close(fd)
        os.unlink(path)
    used = (after.user + after.system) - (cpu.user + cpu.system)
    print(f"{mode:10s} {1e6 * elapsed / count:7.1f} µs per write and fdatasync, {1e6 * used / count:6.1f} µs of CPU")


def main() -> None:
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with tempfile.TemporaryDirectory(dir=sys.argv[1] if len(sys.argv) > 1 else None) as directory:
        for mode in ("append", "prezeroed", "append", "prezeroed"):
            run(directory, mode, count)


if __name__ == "__main__":
    main()
