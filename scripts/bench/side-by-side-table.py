#!/usr/bin/env python3
"""Prints the side-by-side table from the JSON reports of scripts/bench/side-by-side.sh:
one row per workload, for each target its figure (MiB/s for large objects, ops/s otherwise, the
median over rounds) and p99 latency, then Souverain's ratios to the others."""
import json
import os
import statistics
import sys
from pathlib import Path

work = Path(sys.argv[1])
targets = sys.argv[2:]


def load(name):
    reports = [json.loads(p.read_text()) for p in sorted(work.glob(f"{name}-[0-9]*.json")) if p.read_text().strip()]
    return reports


def figure(report, workload):
    for w in report["workloads"]:
        if w["workload"] == workload:
            if w["operations"] == 0:
                return None  # not served (the raw ceiling has no listing)
            value = w["mib_per_s"] if workload.startswith("large") else w["ops_per_s"]
            p99 = max((l["p99_ms"] for l in w["latency"]), default=0.0)
            return value, p99, w["errors"]
    return None


data = {t: load(t) for t in targets}
calibration = json.loads((work / "calibration.json").read_text())
workloads = [w["workload"] for w in calibration["workloads"]]
print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end; figures are medians over {max(len(v) for v in data.values())} round(s)")
header = ["workload", "unit", "generator ceiling"] + [f"{t}" for t in targets] + [f"{t} p99 ms" for t in targets]
ratios = [t for t in targets if t != "souverain" and "souverain" in targets]
header += [f"souverain/{t}" for t in ratios]
rows = [header]
errors = []
for workload in workloads:
    unit = "MiB/s" if workload.startswith("large") else "ops/s"
    ceiling = figure(calibration, workload)
    values, p99s = {}, {}
    for t in targets:
        figures = [f for f in (figure(r, workload) for r in data[t]) if f is not None]
        if figures:
            values[t] = statistics.median(f[0] for f in figures)
            p99s[t] = statistics.median(f[1] for f in figures)
            if any(f[2] for f in figures):
                errors.append(f"{t} {workload}: {sum(f[2] for f in figures)} failed operations (see its JSON report)")
    row = [workload, unit, f"{ceiling[0]:.0f}" if ceiling else "-"]
    row += [f"{values[t]:.1f}" if t in values else "-" for t in targets]
    row += [f"{p99s[t]:.1f}" if t in p99s else "-" for t in targets]
    for t in ratios:
        if "souverain" in values and values.get(t):
            row.append(f"{values['souverain'] / values[t]:.2f}")
        else:
            row.append("-")
    rows.append(row)
widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
for r in rows:
    print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)))
for line in errors:
    print("note: " + line)
for t in targets:
    path = work / f"{t}.peak-rss-kib"
    if path.exists() and path.read_text().strip():
        print(f"peak RSS of {t}: {int(path.read_text()) / 1024:.0f} MiB")
