"""Scale: a year of a 1,000-rep organisation, and sweep throughput on 2 workers.

Part 1 runs ``simulate`` (default engine: the fast path for this scenario)
on small-projects with 1,000 reps, 4 quarters and 100 replications, and
reports wall time and the peak resident memory of the process (ru_maxrss).
Part 2 times ``simkit.sweep`` on the same small grid with the ``serial`` and
the ``processes`` backend (2 workers) and reports the speed-up. One JSON line.

    .venv/bin/python benchmarks/bench_scale.py [--replications 100] [--reps 1000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit

import simkit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=100)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--sweep-replications", type=int, default=60)
    ap.add_argument("--skip-sweep", action="store_true")
    args = ap.parse_args()
    base = simkit.preset("small-projects")
    org = base.override({"team.reps": args.reps, "horizon.quarters": 4,
                         "quota.team_per_quarter": 24.0 * args.reps})
    t = time.perf_counter()
    res = simkit.simulate(org, args.replications, 1)
    s = res.summary()
    wall = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out = {"org": {"reps": args.reps, "quarters": 4, "replications": args.replications,
                   "engine": s["engine"], "wall_s": round(wall, 2),
                   "peak_rss_mb": round(peak_mb, 1), "target_mb": 2048,
                   "met": peak_mb < 2048, "wins_mean_per_quarter": s["wins_mean"],
                   "team_attainment_mean": s["team_attainment_mean"]}}
    try:
        from simkit.sweep import sweep
    except ImportError:
        sweep = None
    if sweep is None or args.skip_sweep:
        out["sweep"] = {"measured": False,
                        "why": "simkit.sweep not available" if sweep is None else "skipped"}
    else:
        grid = {"leads.per_rep_per_week": [4.0, 5.0, 6.0, 7.0]}
        n = args.sweep_replications
        t = time.perf_counter()
        a = sweep(base, grid, n, 1, backend="serial", progress=False)
        serial = time.perf_counter() - t
        t = time.perf_counter()
        b = sweep(base, grid, n, 1, backend="processes", workers=2, progress=False)
        procs = time.perf_counter() - t
        out["sweep"] = {"measured": True, "grid": grid, "replications": n,
                        "serial_s": round(serial, 2), "processes2_s": round(procs, 2),
                        "speedup": round(serial / procs, 2), "target": 1.7,
                        "met": serial / procs >= 1.7, "same_table": bool(a.equals(b))}
    emit("scale", **out)


if __name__ == "__main__":
    main()
