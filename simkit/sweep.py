"""Scenario sweeps: many scenarios, the same seeds, on one core, many cores or a dask cluster.

:func:`sweep` expands a grid over dotted scenario paths (the paths of
:meth:`Scenario.override`), runs every scenario on the same replications of
the same seed (common random numbers) and returns one long tidy table: one
row per scenario and metric with its mean and confidence interval.

Work goes out in batches of replications (one task = one scenario x a run of
replications), so scheduling costs little next to the simulation. Each
replication's metrics depend only on (scenario, seed, replication), and the
parent puts them back in (scenario, replication) order before averaging, so
the table is identical bit for bit whichever backend, worker count or batch
size produced it.
"""

from __future__ import annotations

import itertools
import math
import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .engine import FunnelModel, run_replication
from .errors import SimkitInputError
from .params import Scenario
from .presets import preset
from .results import Results

__all__ = ["BACKENDS", "METRICS", "expand_grid", "replication_metrics", "run_metrics", "sweep"]

BACKENDS = ("serial", "processes", "dask")

# Per-replication metrics (the horizon as a whole unless it says per quarter).
METRICS = ("attainment", "hits_quota", "wins_per_quarter", "won_amount_per_quarter",
           "share_of_reps_at_quota")
TEAM_METRICS = ("headcount", "hires", "leavers", "presales_wait")
COMMISSION_METRICS = ("commission_per_quarter", "cost_of_sales")


def expand_grid(grid: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cartesian product of a grid ``{"dotted.path": [v1, v2, ...]}`` as override dicts.

    A single value (a number, a string, a dict) counts as a one-value list; a
    string is never split into characters. Empty lists are rejected. Paths
    vary slowest first, in the order given.
    """
    if not isinstance(grid, Mapping):
        raise SimkitInputError("grid", grid, 'a mapping such as {"team.reps": [8, 10, 12]}')
    paths, values = [], []
    for path, vals in grid.items():
        if not isinstance(path, str) or not path.strip():
            raise SimkitInputError("grid path", path, "a dotted scenario path such as team.reps")
        if isinstance(vals, (str, bytes, Mapping)) or not isinstance(vals, Iterable):
            vals = [vals]
        vals = list(vals)
        if not vals:
            raise SimkitInputError(f"grid[{path!r}]", vals, "at least one value")
        paths.append(path)
        values.append(vals)
    return [dict(zip(paths, combo)) for combo in itertools.product(*values)]


def _model_for(scenario: Scenario) -> type[FunnelModel]:
    if scenario.uses_dynamics:
        from .dynamics import TeamModel

        return TeamModel
    return FunnelModel


def replication_metrics(res: Results) -> pd.DataFrame:
    """One row per replication of ``res`` with the sweep metrics (see :data:`METRICS`)."""
    sc = res.scenario
    tq = res.team_quarters
    g = tq.groupby("replication", sort=True)
    q = sc.horizon.quarters
    won = g["won_amount"].sum()
    out = pd.DataFrame({
        "attainment": won / (sc.quota.team_per_quarter * q),
        "wins_per_quarter": g["wins"].sum() / q,
        "won_amount_per_quarter": won / q,
        "share_of_reps_at_quota": g["share_of_reps_at_quota"].mean(),
    })
    out.insert(1, "hits_quota", (out["attainment"] >= 1.0).astype(float))
    if sc.uses_dynamics:
        reps = res.reps.groupby("replication", sort=True)
        out["headcount"] = g["headcount"].mean()
        out["hires"] = reps["new_hire"].sum().astype(float)
        out["leavers"] = reps["left_at"].count().astype(float)
        w = res.waits
        out["presales_wait"] = (w.groupby("replication")["wait"].mean().reindex(out.index)
                                if len(w) else math.nan)
    if sc.commission is not None:
        pay = g["payout"].sum()
        out["commission_per_quarter"] = pay / q
        out["cost_of_sales"] = pay / won.where(won > 0)
    out.index.name = "replication"
    return out.reset_index()


def _fast(scenario: Scenario) -> bool:
    from .fastpath import unsupported_reason

    return unsupported_reason(scenario) is None


def _team_fast(scenario: Scenario) -> bool:
    from .teamfast import unsupported_reason

    return unsupported_reason(scenario) is None


def _run_batch(scenario: Scenario, seed: int, first: int, stop: int) -> pd.DataFrame:
    """Metrics of replications ``first`` .. ``stop - 1`` (a task for any backend).

    A scenario the fast path supports runs there (the same numbers as SimPy,
    see :mod:`simkit.fastpath`), one with team dynamics on the fast team engine
    (the same numbers again, see :mod:`simkit.teamfast`); the others run the
    SimPy model.
    """
    if _fast(scenario):
        from .fastpath import simulate_fast

        m = replication_metrics(simulate_fast(scenario, stop - first, seed, first=first))
        m["replication"] += first
        return m
    if _team_fast(scenario):
        from .teamfast import simulate_team_fast

        m = replication_metrics(simulate_team_fast(scenario, stop - first, seed, first=first))
        m["replication"] += first
        return m
    model = _model_for(scenario)
    recs = []
    for i, r in enumerate(range(first, stop)):
        rec = run_replication(scenario, seed, r, model)
        rec.replication = i  # Results numbers replications 0..n-1; the seed used r
        recs.append(rec)
    m = replication_metrics(Results(scenario, seed, recs))
    m["replication"] += first
    return m


def _run_group(scenarios: Sequence[Scenario], seeds: Sequence[int], first: int,
               stop: int) -> list[pd.DataFrame]:
    """:func:`_run_batch` for several scenarios in one task: fast-path scenarios that
    share a seed then share the raw random numbers drawn for the first of them."""
    return [_run_batch(sc, s, first, stop) for sc, s in zip(scenarios, seeds)]


def _batches(replications: int, batch_size: int) -> list[tuple[int, int]]:
    return [(a, min(a + batch_size, replications)) for a in range(0, replications, batch_size)]


def _tasks(scenarios, replications: int, batch_size: int | None, n_workers: int):
    """Tasks ``(scenario numbers, first, stop)``.

    A SimPy scenario is split into batches of ``batch_size`` replications (default
    up to 25, at least 4 batches). Fast-path and fast-team scenarios are cheap per
    scenario once a replication range's random numbers are drawn, so they go
    together, one task per range, with as many ranges as workers unless
    ``batch_size`` says otherwise.
    """
    # (the fast team engine's scenarios are cheap per replication too: grouped the same way)
    fast = [i for i, sc in enumerate(scenarios) if _fast(sc) or _team_fast(sc)]
    slow = [i for i in range(len(scenarios)) if i not in set(fast)]
    size = batch_size or max(1, min(25, math.ceil(replications / 4)))
    tasks = [((i,), a, b) for i in slow for a, b in _batches(replications, size)]
    if fast:
        fsize = batch_size or math.ceil(replications / max(1, n_workers))
        tasks += [(tuple(fast), a, b) for a, b in _batches(replications, fsize)]
    # Longest first, so the last task to finish is a short one and no worker idles
    # long at the end (results are put back in order whatever the order of work).
    return sorted(tasks, key=lambda t: -_cost(scenarios, t))


def _cost(scenarios, task) -> float:
    """Rough work of a task: replications x reps x leads a week x quarters."""
    idx, a, b = task
    return sum((b - a) * sc.team.reps * sc.leads.per_rep_per_week * sc.horizon.quarters
               * (1.0 if len(idx) == 1 else 0.05) for sc in (scenarios[i] for i in idx))


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise SimkitInputError(name, value, f"a whole number of at least {low}")
    return int(value)


def run_metrics(scenarios: Sequence[Scenario], replications: int, seeds: int | Sequence[int], *,
                backend: str | None = None, workers: int | None = None,
                batch_size: int | None = None, client=None, scheduler: str | None = None,
                progress: bool | None = None) -> pd.DataFrame:
    """Per-replication metrics of each scenario: columns ``scenario`` (its position),
    ``replication`` and the metrics, in (scenario, replication) order.

    ``seeds`` is one seed for all (common random numbers) or one per scenario.
    """
    replications = _check_int("replications", replications, 1)
    seeds = [seeds] * len(scenarios) if isinstance(seeds, (int, np.integer)) else list(seeds)
    for s in seeds:
        _check_int("seed", s, 0)
    if backend is None:
        # Fast-path and fast-team scenarios take milliseconds per replication: starting
        # workers would cost more than it saves, so they stay in this process by default.
        backend = "dask" if (client is not None or scheduler) else (
            "processes" if (os.cpu_count() or 1) > 1
            and not all(_fast(sc) or _team_fast(sc) for sc in scenarios)
            else "serial")
    if backend not in BACKENDS:
        raise SimkitInputError("backend", backend, "one of " + ", ".join(BACKENDS))
    if workers is not None:
        workers = _check_int("workers", workers, 1)
    if batch_size is not None:
        batch_size = _check_int("batch_size", batch_size, 1)
    n_workers = 1 if backend == "serial" else (workers or os.cpu_count() or 1)
    tasks = _tasks(scenarios, replications, batch_size, n_workers)
    bar = _progress_bar(progress, len(tasks), replications * len(scenarios))
    results: dict[tuple[int, int], pd.DataFrame] = {}

    def done(task, frames):
        for i, frame in zip(task[0], frames):
            results[(i, task[1])] = frame
        if bar is not None:
            bar.update((task[2] - task[1]) * len(task[0]))

    try:
        if backend == "serial":
            for t in tasks:
                done(t, _run_group([scenarios[i] for i in t[0]], [seeds[i] for i in t[0]],
                                   t[1], t[2]))
        elif backend == "processes":
            _run_processes(tasks, scenarios, seeds, workers, done)
        else:
            _run_dask(tasks, scenarios, seeds, workers, client, scheduler, done)
    finally:
        if bar is not None:
            bar.close()
    frames = []
    for key in sorted(results):
        f = results[key].copy()
        f.insert(0, "scenario", key[0])
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _progress_bar(progress, n_tasks, total):
    if progress is None:
        import sys

        progress = total >= 200 and sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="sweep", unit="rep", leave=False)


def _run_processes(tasks, scenarios, seeds, workers, done):
    import multiprocessing as mp
    import sys
    import threading
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # forkserver: workers start from a clean server with simkit imported once,
    # never from a copy of a parent that may run threads (tqdm, dask, notebooks).
    # A parent running one thread (a script, the CLI) forks its workers: they start
    # in milliseconds with simkit imported. A parent with threads (tqdm, dask,
    # a notebook kernel) must not fork; its workers come from a forkserver, which
    # imports these once (about 1 s the first time, then milliseconds).
    # (Linux only: macOS system libraries are not fork-safe.)
    if threading.active_count() == 1 and sys.platform.startswith("linux"):
        ctx = mp.get_context("fork")
    else:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["simkit.sweep", "simkit.fastpath", "simkit.dynamics",
                                    "simkit.results_team", "simkit.teamfast"])
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=ctx) as pool:
        futs = {pool.submit(_run_group, [scenarios[i] for i in idx], [seeds[i] for i in idx],
                            a, b): (idx, a, b)
                for idx, a, b in tasks}
        for f in as_completed(futs):
            done(futs[f], f.result())


def _run_dask(tasks, scenarios, seeds, workers, client, scheduler, done):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the install
        raise SimkitInputError("backend", "dask", "installed first: pip install 'simkit[dask]'",
                               ) from None
    own = []
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            own.append(cluster)
            client = Client(cluster)
        own.insert(0, client)
    try:
        futs = {}
        for idx, a, b in tasks:
            f = client.submit(_run_group, [scenarios[i] for i in idx], [seeds[i] for i in idx],
                              a, b, pure=False)
            futs[f] = (idx, a, b)
        for f in as_completed(list(futs)):
            done(futs[f], f.result())
    finally:
        for obj in own:
            obj.close()


def summarise(metrics: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard error and normal confidence interval per scenario and metric."""
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    long = metrics.melt(id_vars=["scenario", "replication"], var_name="metric")
    g = long.groupby(["scenario", "metric"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    out["se"] = out["sd"] / np.sqrt(out["n"])
    out["ci_low"] = out["mean"] - z * out["se"]
    out["ci_high"] = out["mean"] + z * out["se"]
    return out.drop(columns="sd")


def sweep(base: Scenario | str, grid: Mapping[str, Any], replications: int = 200,
          seed: int = 1, *, backend: str | None = None, workers: int | None = None,
          batch_size: int | None = None, client=None, scheduler: str | None = None,
          progress: bool | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Run every scenario of ``grid`` (see :func:`expand_grid`) on the same seeds.

    Returns a long tidy table: ``scenario`` (its number), one column per grid
    path with its value, ``metric``, ``mean``, ``se``, ``ci_low``, ``ci_high``
    (normal interval at ``confidence``), ``n`` (replications) and ``seed``.
    ``backend``: ``"serial"``, ``"processes"`` (default on a multi-core
    machine) or ``"dask"`` (a ``dask.distributed`` ``client``, a ``scheduler``
    address, or a LocalCluster of ``workers`` processes started for the call).
    """
    if isinstance(base, str):
        base = preset(base)
    if not isinstance(base, Scenario):
        raise SimkitInputError("base", type(base).__name__, "a simkit Scenario or a preset name")
    if not 0 < confidence < 1:
        raise SimkitInputError("confidence", confidence, "a number between 0 and 1")
    points = expand_grid(grid)
    scenarios = [base.override(p) if p else base for p in points]  # validates every point first
    metrics = run_metrics(scenarios, replications, seed, backend=backend, workers=workers,
                          batch_size=batch_size, client=client, scheduler=scheduler,
                          progress=progress)
    table = summarise(metrics, confidence)
    cols = pd.DataFrame(points, index=range(len(points)))
    for path in reversed(list(cols.columns)):
        table.insert(1, path, cols[path].to_numpy()[table["scenario"].to_numpy()])
    table["seed"] = seed
    return table
