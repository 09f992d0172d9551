#!/usr/bin/env python3
"""Runs a `souverain bench` command and says how much CPU each part of a cluster used during each
of its workloads: the CPU time (user + system, from /proc) of the gateways, PostgreSQL (the
postmaster and every backend), HAProxy and the load generator itself, between the start and each
progress line the bench prints on stderr as a workload ends. Used by scripts/bench/cluster.sh.

    cpu-by-process.py CLUSTER_DIR OUT.json [--perf-seconds S --perf-out PREFIX] -- BENCH COMMAND...

Writes OUT.json: {"phases": [{"line": ..., "seconds": ..., "cpu": {"gateways": s, ...}}]}.
With --perf-seconds, records `perf record -a -g` for S seconds starting 4 s into each workload
(PREFIX-N.data), so the profile covers the steady state of every phase.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid: int) -> tuple[int, float] | None:
    """(parent PID, CPU seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def pid_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def groups(cluster: Path, bench: int) -> dict[str, set[int]]:
    """The PIDs of each part, now (PostgreSQL's backends come and go with connections)."""
    pids = cluster / "pids"
    found = {
        "gateways": {p for p in (pid_file(f) for f in sorted(pids.glob("gateway-*.pid"))) if p},
        "haproxy": {p for p in [pid_file(pids / "haproxy.pid")] if p},
        "postgres": set(),
        "load generator": {bench},
    }
    postmaster = pid_file(pids / "postgres.pid")
    if postmaster:
        found["postgres"].add(postmaster)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                info = stat(int(entry.name))
                if info and info[0] == postmaster:
                    found["postgres"].add(int(entry.name))
    return found


def snapshot(cluster: Path, bench: int, seen: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds per part, of every process seen so far: one that exited (a PostgreSQL backend
    whose connection closed) keeps its last reading."""
    for name, members in groups(cluster, bench).items():
        for pid in members:
            info = stat(pid)
            if info:
                seen[pid] = (name, info[1])
    totals = {name: 0.0 for name in ("gateways", "postgres", "haproxy", "load generator")}
    for name, seconds in seen.values():
        totals[name] += seconds
    return totals


def main() -> None:
    args = sys.argv[1:]
    split = args.index("--")
    options, command = args[:split], args[split + 1:]
    cluster, out = Path(options[0]), Path(options[1])
    perf_seconds = int(options[options.index("--perf-seconds") + 1]) if "--perf-seconds" in options else 0
    perf_out = options[options.index("--perf-out") + 1] if "--perf-out" in options else ""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[int, tuple[str, float]] = {}
    phases = []
    perf_runs: list[subprocess.Popen] = []

    def profile(index: int) -> None:
        time.sleep(4)
        if process.poll() is None:
            perf_runs.append(subprocess.Popen(
                ["perf", "record", "-a", "-g", "-F", "299", "-o", f"{perf_out}-{index}.data", "--", "sleep", str(perf_seconds)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    stdout: list[str] = []
    reader = threading.Thread(target=lambda: stdout.extend(process.stdout))
    reader.start()
    started = time.monotonic()
    before = snapshot(cluster, process.pid, seen)
    if perf_seconds:
        threading.Thread(target=profile, args=(0,)).start()
    for line in process.stderr:
        sys.stderr.write(line)
        now = snapshot(cluster, process.pid, seen)
        elapsed = time.monotonic() - started
        phases.append({"line": line.strip(), "seconds": round(elapsed, 2),
                       "cpu": {k: round(now[k] - before.get(k, 0.0), 3) for k in now}})
        before, started = now, time.monotonic()
        if perf_seconds:
            threading.Thread(target=profile, args=(len(phases),)).start()
    process.wait()
    reader.join()
    for run in perf_runs:
        run.wait()
    sys.stdout.write("".join(stdout))
    out.write_text(json.dumps({"phases": phases}, indent=1))
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
