"""Slider latency: recompute the small-projects summary after a lever change.

In one warm process (as in a notebook kernel), for each lever, 20 different
values are visited in turn; each visit times ``simulate(...).summary()`` for
200 replications on the fixed seed. Prints one JSON line with the median (and
max) latency per lever, the cold first call, and, for a scenario with rep
capacity and a shared pre-sales pool (team dynamics: the SimPy engine), the
latency of the same recomputation, and of its progressive version
(``simkit.simulate_progressive``: time to the coarse answer of ``--first``
replications and to the full one). CPU seconds (time.process_time) are
reported next to wall times, since the machine is shared.

    .venv/bin/python benchmarks/bench_slider.py [--replications 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit

import simkit

LEVERS = {
    "team.reps": [int(x) for x in range(5, 25)],
    "leads.per_rep_per_week": [float(x) for x in np.linspace(2.5, 10.0, 20)],
    "funnel.win_rate": [float(x) for x in np.linspace(0.10, 0.40, 20)],
    "deal_size.mean": [float(x) for x in np.linspace(1.0, 4.0, 20)],
    "quota.team_per_quarter": [float(x) for x in np.linspace(150.0, 350.0, 20)],
}


def _time(sc, n, seed, cpu: list | None = None) -> tuple[float, str]:
    t, c = time.perf_counter(), time.process_time()
    s = simkit.simulate(sc, n, seed).summary()
    if cpu is not None:  # CPU seconds: less sensitive to the shared machine's load
        cpu.append(time.process_time() - c)
    return time.perf_counter() - t, s["engine"]


def _progressive(sc, n, seed, first) -> tuple[float, float, float]:
    """Seconds to the coarse summary, to the full one, and CPU seconds to the coarse."""
    t, c = time.perf_counter(), time.process_time()
    coarse = full = cpu = None
    for res in simkit.simulate_progressive(sc, n, seed, first=first):
        res.summary()
        if coarse is None:
            coarse, cpu = time.perf_counter() - t, time.process_time() - c
    full = time.perf_counter() - t
    return coarse, full, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dynamics-values", type=int, default=3,
                    help="lever values timed for the capacity + pre-sales scenario")
    ap.add_argument("--first", type=int, default=4,
                    help="replications of the coarse answer (simulate_progressive)")
    args = ap.parse_args()
    base = simkit.preset("small-projects")
    n, seed = args.replications, args.seed
    cold_cpu: list = []
    cold, engine = _time(base, n, seed, cold_cpu)
    per_lever = {}
    for lever, values in LEVERS.items():
        cpu: list = []
        times = [_time(base.override({lever: v}), n, seed, cpu)[0] for v in values]
        per_lever[lever] = {"median_s": round(statistics.median(times), 4),
                            "max_s": round(max(times), 4),
                            "median_cpu_s": round(statistics.median(cpu), 4),
                            "values": len(values)}
    worst = max(v["median_s"] for v in per_lever.values())

    dyn = base.override({"capacity": {"max_open_deals": 25},
                         "presales": {"consultants": 4, "stage": "solution"}})
    dyn_times, dyn_cpu, dyn_engine, prog = [], [], None, []
    for v in LEVERS["leads.per_rep_per_week"][: args.dynamics_values]:
        t, dyn_engine = _time(dyn.override({"leads.per_rep_per_week": v}), n, seed, dyn_cpu)
        dyn_times.append(t)
    for v in LEVERS["leads.per_rep_per_week"][args.dynamics_values: 2 * args.dynamics_values]:
        prog.append(_progressive(dyn.override({"leads.per_rep_per_week": v}), n, seed,
                                 args.first))
    coarse = statistics.median(p[0] for p in prog)
    emit("slider", scenario=base.name, replications=n, seed=seed, engine=engine,
         cold_first_call_s=round(cold, 3), cold_first_call_cpu_s=round(cold_cpu[0], 3),
         levers=per_lever, worst_median_s=worst,
         target_s=0.25, met=worst <= 0.25,
         capacity_presales={"engine": dyn_engine, "median_s": round(statistics.median(dyn_times), 3),
                            "median_cpu_s": round(statistics.median(dyn_cpu), 3),
                            "values": len(dyn_times), "target_s": 1.0,
                            "met": statistics.median(dyn_times) <= 1.0,
                            "progressive": {
                                "first": args.first, "values": len(prog),
                                "coarse_median_s": round(coarse, 3),
                                "coarse_median_cpu_s": round(statistics.median(
                                    p[2] for p in prog), 3),
                                "full_median_s": round(statistics.median(p[1] for p in prog), 3),
                                "coarse_target_s": 0.25, "coarse_met": coarse <= 0.25}})


if __name__ == "__main__":
    main()
