"""Scale: a year of a 1,000-rep organisation, and sweep throughput on 2 workers.

Part 1 runs ``simulate`` (default engine: the fast path for this scenario)
on small-projects with 1,000 reps, 4 quarters and 100 replications, and
reports wall time and the peak resident memory of the process (ru_maxrss).
Part 2 times ``simkit.planning.sweep`` on the same small grid with the ``serial`` and
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


def _sweep_speedup(sweep, sc, grid, n) -> dict:
    """serial against processes(2): wall and CPU seconds (the workers' CPU from
    RUSAGE_CHILDREN), and the speed-up the CPU times allow on an idle machine."""
    t, c = time.perf_counter(), time.process_time()
    a = sweep(sc, grid, n, 1, backend="serial", progress=False)
    serial, serial_cpu = time.perf_counter() - t, time.process_time() - c
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t, c = time.perf_counter(), time.process_time()
    b = sweep(sc, grid, n, 1, backend="processes", workers=2, progress=False)
    procs, parent_cpu = time.perf_counter() - t, time.process_time() - c
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    return {"replications": n, "serial_s": round(serial, 2),
            "serial_cpu_s": round(serial_cpu, 2), "processes2_s": round(procs, 2),
            "processes2_cpu_s": round(parent_cpu + child_cpu, 2),
            "speedup": round(serial / procs, 2), "met": serial / procs >= 1.7,
            "same_table": bool(a.equals(b))}


def _org(org, args) -> dict:
    """A year of the big organisation: wall and CPU seconds, peak resident memory."""
    t, c = time.perf_counter(), time.process_time()
    s = simkit.simulate(org, args.replications, 1).summary()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"reps": args.reps, "quarters": 4, "replications": args.replications,
            "engine": s["engine"], "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "peak_rss_mb": round(peak_mb, 1), "target_mb": 2048,
            "met": peak_mb < 2048, "wins_mean_per_quarter": s["wins_mean"],
            "team_attainment_mean": s["team_attainment_mean"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=100)
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--sweep-replications", type=int, default=60)
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--skip-org", action="store_true", help="measure the sweeps only")
    args = ap.parse_args()
    base = simkit.preset("small-projects")
    org = base.override({"team.reps": args.reps, "horizon.quarters": 4,
                         "quota.team_per_quarter": 24.0 * args.reps})
    out = {}
    if not args.skip_org:
        out["org"] = _org(org, args)
    else:
        out["org"] = {"measured": False, "why": "skipped"}

    try:
        from simkit.planning.sweep import sweep
    except ImportError:
        sweep = None
    if sweep is None or args.skip_sweep:
        out["sweep"] = {"measured": False,
                        "why": "simkit.planning.sweep not available" if sweep is None else "skipped"}
    else:
        grid = {"leads.per_rep_per_week": [4.0, 5.0, 6.0, 7.0]}
        # The plain grid runs on the fast path; the same grid with capacity limits
        # and a pre-sales pool runs SimPy, where the workers have real work to share.
        dyn = base.override({"capacity": {"max_open_deals": 25},
                             "presales": {"consultants": 4, "stage": "solution"}})
        out["sweep"] = {"measured": True, "grid": grid, "target": 1.7}
        for label, sc, n in (("fast_path", base, args.sweep_replications),
                             ("simpy_capacity_presales", dyn, args.sweep_replications)):
            out["sweep"][label] = _sweep_speedup(sweep, sc, grid, n)
    emit("scale", **out)


if __name__ == "__main__":
    main()
