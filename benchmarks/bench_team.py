"""Team dynamics at slider speed: the fast team engine against the SimPy model of record.

Measures, in one process, side by side (issue 16's figures):

1. lesson 8's year plan with capacity (``simkit.course.cases.planning_scenario(capacity=True)``)
   at 200 replications, summary included: fast team engine (median of warm runs) and
   SimPy (``--simpy-replications`` replications, scaled to 200; ``--full`` runs 200);
2. small projects with capacity and a shared pre-sales pool at 200 replications;
3. a planner's sweep, 6 scenarios x 50 replications with hiring, ramp, attrition and
   commission, serial: the fast team engine against SimPy, tables compared;
4. the SimPy engine against the naive model of ``bench_naive.py`` (small projects).

Prints one JSON line per figure.

    .venv/bin/python benchmarks/bench_team.py [--runs 5] [--simpy-replications 40] [--full]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit
from naive_model import run_naive

import simkit
from simkit.course.cases import planning_scenario

sweep_mod = importlib.import_module("simkit.planning.sweep")  # the module (simkit.planning.sweep is also a function)


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _run(sc, n, engine):
    res = simkit.simulate(sc, n, 1, engine=engine)
    res.summary()
    return res


def _cold_first_call() -> float:
    """Wall time of a fresh process's first team-fast run (numba import and cached kernel)."""
    code = ("import time, simkit; from simkit.course.cases import planning_scenario; "
            "sc = planning_scenario(capacity=True); t = time.perf_counter(); "
            "simkit.simulate(sc, 1, 1, engine='team-fast'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def engine_case(name: str, sc, n: int, runs: int, simpy_n: int, target: float) -> None:
    _run(sc, 2, "team-fast")  # compile or load the kernel, fill the seed-word cache
    fast, fast_cpu = [], []
    for _ in range(runs):
        c = time.process_time()
        fast.append(_timed(lambda: _run(sc, n, "team-fast"))[0])
        fast_cpu.append(time.process_time() - c)
    c = time.process_time()
    t_simpy, ref = _timed(lambda: _run(sc, simpy_n, "simpy"))
    c_simpy = time.process_time() - c
    fast_res = _run(sc, simpy_n, "team-fast")
    same = all(getattr(fast_res, t).equals(getattr(ref, t))
               for t in ("deals", "stage_times", "reps", "team_quarters"))
    med = statistics.median(fast)
    simpy_200 = t_simpy * n / simpy_n
    emit("team-" + name, scenario=sc.name, replications=n, team_fast_median_s=round(med, 3),
         team_fast_runs_s=[round(x, 3) for x in fast],
         team_fast_median_cpu_s=round(statistics.median(fast_cpu), 3), simpy_replications=simpy_n,
         simpy_s=round(t_simpy, 3), simpy_cpu_s=round(c_simpy, 3),
         simpy_s_scaled_to_n=round(simpy_200, 2),
         speedup=round(simpy_200 / med, 1), target_s=target, met=med <= target,
         identical_tables_at_simpy_replications=same,
         queue_warmup_weeks=fast_res.summary().get("queue_warmup_weeks"))


def sweep_case(runs_simpy: bool = True) -> None:
    tiers = {"rate": 0.04, "tiers": [{"name": "base", "attainment": 1.0, "rate": 0.08},
                                     {"name": "challenge", "attainment": 1.2, "rate": 0.12}]}
    base = planning_scenario().override({"commission": tiers})
    grid = {"team.reps": [8, 10, 12], "attrition.yearly_rate": [0.15, 0.30]}
    sweep_mod.sweep(base, {"team.reps": [8]}, replications=2, backend="serial")  # warm
    c = time.process_time()
    t_fast, fast = _timed(lambda: sweep_mod.sweep(base, grid, replications=50, seed=1,
                                                  backend="serial"))
    c_fast = time.process_time() - c
    c = time.process_time()
    real = sweep_mod._team_fast
    sweep_mod._team_fast = lambda sc: False  # the SimPy model of record for every point
    try:
        t_simpy, ref = _timed(lambda: sweep_mod.sweep(base, grid, replications=50, seed=1,
                                                      backend="serial"))
    finally:
        sweep_mod._team_fast = real
    c_simpy = time.process_time() - c
    emit("team-sweep-6x50", scenario=base.name, grid=grid, replications=50, backend="serial",
         team_fast_s=round(t_fast, 3), simpy_s=round(t_simpy, 2),
         team_fast_cpu_s=round(c_fast, 3), simpy_cpu_s=round(c_simpy, 2),
         speedup=round(t_simpy / t_fast, 1), target_speedup=5, met=t_simpy / t_fast >= 5,
         identical_tables=bool(fast.equals(ref)))


def naive_case(n: int, runs: int) -> None:
    """Best of ``runs`` alternating runs each, wall and CPU (the machine is shared)."""
    sc = simkit.preset("small-projects")
    wall = {"naive": [], "simpy": []}
    cpu = {"naive": [], "simpy": []}
    for _ in range(runs):
        for name, fn in (("naive", lambda: run_naive(sc, n, seed=1)),
                         ("simpy", lambda: _run(sc, n, "simpy"))):
            c = time.process_time()
            wall[name].append(_timed(fn)[0])
            cpu[name].append(time.process_time() - c)
    w = {k: min(v) for k, v in wall.items()}
    c = {k: min(v) for k, v in cpu.items()}
    emit("simpy-vs-naive", scenario=sc.name, replications=n, runs=runs,
         naive_s=round(w["naive"], 3), simkit_simpy_s=round(w["simpy"], 3),
         ratio_simpy=round(w["naive"] / w["simpy"], 2), naive_cpu_s=round(c["naive"], 3),
         simkit_simpy_cpu_s=round(c["simpy"], 3),
         ratio_simpy_cpu=round(c["naive"] / c["simpy"], 2), target_ratio=3,
         met=w["naive"] / w["simpy"] >= 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="warm fast-engine runs per figure")
    ap.add_argument("--simpy-replications", type=int, default=40)
    ap.add_argument("--full", action="store_true", help="SimPy at the full 200 replications")
    ap.add_argument("--naive-replications", type=int, default=50)
    args = ap.parse_args()
    simpy_n = 200 if args.full else args.simpy_replications
    emit("team-cold-first-call", seconds=round(_cold_first_call(), 3),
         note="fresh process: import numba, load the cached kernel, one replication")
    engine_case("year-plan-capacity", planning_scenario(capacity=True), 200, args.runs,
                simpy_n, 1.0)
    small = simkit.preset("small-projects").override({
        "capacity": {"max_open_deals": 25},
        "presales": {"consultants": 4, "stage": "solution"}})
    engine_case("small-capacity-presales", small, 200, args.runs, simpy_n, 0.5)
    sweep_case()
    naive_case(args.naive_replications, args.runs)


if __name__ == "__main__":
    main()
