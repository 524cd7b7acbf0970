"""Sweep throughput per backend (replications per second). Not a test.

Run:  .venv/bin/python benchmarks/bench_sweep.py [--replications N] [--workers W]

Prints one JSON line: the machine's cores, the scenario grid, and for each
backend the wall time and replications per second, plus the command line
that produced it. Every backend's table is checked equal to the serial one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import pandas as pd

import simkit
from simkit.planning.sweep import sweep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=100)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--backends", default="serial,processes,dask")
    args = ap.parse_args()
    base = simkit.preset("small-projects").override({
        "horizon.quarters": 4, "ramp": {}, "attrition": {},
        "hiring": {"plan": [{"week": 12, "count": 4}]}, "commission": {}})
    grid = {"team.reps": [8, 10, 12], "attrition.yearly_rate": [0.2, 0.35]}
    n_runs = 6 * args.replications
    out = {"command": " ".join([os.path.basename(sys.executable), *sys.argv]),
           "cpus": os.cpu_count(), "python": platform.python_version(),
           "scenario": "small-projects, 4 quarters, hiring+ramp+attrition+commission",
           "grid": grid, "replications_per_scenario": args.replications,
           "workers": args.workers, "load_average_before": [round(x, 2) for x in os.getloadavg()],
           "backends": {}}
    ref = None
    for backend in args.backends.split(","):
        t = time.perf_counter()
        table = sweep(base, grid, replications=args.replications, seed=1, backend=backend,
                      workers=args.workers, progress=False)
        wall = time.perf_counter() - t
        if ref is None:
            ref = table
        else:
            pd.testing.assert_frame_equal(ref, table, check_exact=True)
        out["backends"][backend] = {"seconds": round(wall, 2),
                                    "replications_per_second": round(n_runs / wall, 1)}
    out["identical_tables"] = True
    out["load_average_1_5_15_min"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
