"""simkit's engines against a deliberately naive SimPy model on the same scenario.

Runs the naive model (benchmarks/naive_model.py), simkit's SimPy engine and
simkit's default path (auto: the fast path here) on small-projects, in one
process, and prints one JSON line: wall times, ratios, and mean wins / won
amount per quarter of each with a two-sample z against the naive model.

    .venv/bin/python benchmarks/bench_naive.py [--replications 100]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit
from naive_model import run_naive

import simkit
from simkit.sim.fastpath import clear_cache


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=100)
    ap.add_argument("--preset", default="small-projects")
    args = ap.parse_args()
    sc = simkit.preset(args.preset)
    n = args.replications

    t, c = time.perf_counter(), time.process_time()
    naive = run_naive(sc, n, seed=1)
    t_naive, c_naive = time.perf_counter() - t, time.process_time() - c

    def per_rep(res):
        tq = res.team_quarters.groupby("replication")
        return {"wins": tq["wins"].mean().to_numpy(float),
                "won_amount": tq["won_amount"].mean().to_numpy(float)}

    clear_cache()
    t = time.perf_counter()
    simpy_res = simkit.simulate(sc, n, 2, engine="simpy")
    simpy_res.summary()
    t_simpy = time.perf_counter() - t
    clear_cache()
    t, c = time.perf_counter(), time.process_time()
    fast_res = simkit.simulate(sc, n, 3)  # cold cache: no reuse from earlier calls
    fast_res.summary()
    t_fast, c_fast = time.perf_counter() - t, time.process_time() - c

    nv = {k: np.array([x[k] for x in naive], float) for k in ("wins", "won_amount")}
    means = {}
    for label, data in (("naive", nv), ("simpy", per_rep(simpy_res)), ("fast", per_rep(fast_res))):
        means[label] = {k: float(v.mean()) for k, v in data.items()}
        if label != "naive":
            for k, v in data.items():
                se = math.sqrt(v.var(ddof=1) / len(v) + nv[k].var(ddof=1) / len(nv[k]))
                means[label][f"z_{k}_vs_naive"] = float((v.mean() - nv[k].mean()) / se)
    emit("naive", scenario=sc.name, replications=n, naive_s=round(t_naive, 3),
         simkit_simpy_s=round(t_simpy, 3), simkit_fast_s=round(t_fast, 3),
         ratio_simpy=round(t_naive / t_simpy, 2), ratio_default=round(t_naive / t_fast, 2),
         naive_cpu_s=round(c_naive, 3), simkit_fast_cpu_s=round(c_fast, 3),
         ratio_default_cpu=round(c_naive / c_fast, 2),
         target_ratio=10, met=t_naive / t_fast >= 10, default_engine=fast_res.engine,
         means=means)


if __name__ == "__main__":
    main()
