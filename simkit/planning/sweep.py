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

from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario
from simkit.model.presets import as_scenario
from simkit.sim.budget import check_grid_points, check_work
from simkit.sim.dispatch import RunPlan, plan_run, run_range
from simkit.sim.results import Results

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
    check_grid_points(math.prod(len(v) for v in values))
    return [dict(zip(paths, combo)) for combo in itertools.product(*values)]


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


def _run_batch(plan: RunPlan, seed: int, first: int, stop: int) -> pd.DataFrame:
    """Metrics of replications ``first`` .. ``stop - 1`` (a task for any backend), on the
    engine the dispatcher planned (the fast path gives the same numbers as SimPy)."""
    m = replication_metrics(run_range(plan, seed, first, stop))
    m["replication"] += first
    return m


def _run_group(plans: Sequence[RunPlan], seeds: Sequence[int], first: int,
               stop: int) -> list[pd.DataFrame]:
    """:func:`_run_batch` for several scenarios in one task: fast-path scenarios that
    share a seed then share the raw random numbers drawn for the first of them."""
    return [_run_batch(p, s, first, stop) for p, s in zip(plans, seeds)]


def _batches(replications: int, batch_size: int) -> list[tuple[int, int]]:
    return [(a, min(a + batch_size, replications)) for a in range(0, replications, batch_size)]


def _tasks(plans, replications: int, batch_size: int | None, n_workers: int):
    """Tasks ``(scenario numbers, first, stop)``.

    A SimPy scenario is split into batches of ``batch_size`` replications (default
    up to 25, at least 4 batches). Fast-path and fast-team scenarios are cheap per
    scenario once a replication range's random numbers are drawn, so they go
    together, one task per range, with as many ranges as workers unless
    ``batch_size`` says otherwise.
    """
    # fast-path and fast-team scenarios are cheap per replication: grouped by range
    fast = [i for i, p in enumerate(plans) if p.engine in ("fast", "team-fast")]
    slow = [i for i in range(len(plans)) if i not in set(fast)]
    size = batch_size or max(1, min(25, math.ceil(replications / 4)))
    tasks = [((i,), a, b) for i in slow for a, b in _batches(replications, size)]
    if fast:
        fsize = batch_size or math.ceil(replications / max(1, n_workers))
        tasks += [(tuple(fast), a, b) for a, b in _batches(replications, fsize)]
    # Longest first, so the last task to finish is a short one and no worker idles
    # long at the end (results are put back in order whatever the order of work).
    return sorted(tasks, key=lambda t: -_cost(plans, t))


def _cost(plans, task) -> float:
    """Rough work of a task: replications x reps x leads a week x quarters."""
    idx, a, b = task
    return sum((b - a) * sc.team.reps * sc.leads.per_rep_per_week * sc.horizon.quarters
               * (1.0 if len(idx) == 1 else 0.05) for sc in (plans[i].scenario for i in idx))


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise SimkitInputError(name, value, f"a whole number of at least {low}")
    return int(value)


def run_metrics(scenarios: Sequence[Scenario], replications: int, seeds: int | Sequence[int], *,
                backend: str | None = None, workers: int | None = None,
                batch_size: int | None = None, client=None, scheduler: str | None = None,
                progress: bool | str | None = None, max_work: float | None = None) -> pd.DataFrame:
    """Per-replication metrics of each scenario: columns ``scenario`` (its position),
    ``replication`` and the metrics, in (scenario, replication) order.

    ``seeds`` is one seed for all (common random numbers) or one per scenario.
    The total size is checked against the work budget first (:mod:`simkit.sim.budget`).
    """
    replications = _check_int("replications", replications, 1)
    check_work(list(scenarios), replications, max_work=max_work)
    seeds = [seeds] * len(scenarios) if isinstance(seeds, (int, np.integer)) else list(seeds)
    for s in seeds:
        _check_int("seed", s, 0)
    plans = [plan_run(sc) for sc in scenarios]  # each scenario inspected once
    if backend is None:
        # Fast-path and fast-team scenarios take milliseconds per replication: starting
        # workers would cost more than it saves, so they stay in this process by default.
        backend = "dask" if (client is not None or scheduler) else (
            "processes" if (os.cpu_count() or 1) > 1 and any(p.engine == "simpy" for p in plans)
            else "serial")
    if backend not in BACKENDS:
        raise SimkitInputError("backend", backend, "one of " + ", ".join(BACKENDS))
    if scheduler:
        check_scheduler_address(scheduler)
    if workers is not None:
        workers = _check_int("workers", workers, 1)
    if batch_size is not None:
        batch_size = _check_int("batch_size", batch_size, 1)
    n_workers = 1 if backend == "serial" else (workers or os.cpu_count() or 1)
    tasks = _tasks(plans, replications, batch_size, n_workers)
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
                done(t, _run_group([plans[i] for i in t[0]], [seeds[i] for i in t[0]],
                                   t[1], t[2]))
        elif backend == "processes":
            _run_processes(tasks, plans, seeds, workers, done)
        else:
            _run_dask(tasks, plans, seeds, workers, client, scheduler, done)
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

    label = progress if isinstance(progress, str) else "sweep"
    return tqdm(total=total, desc=label, unit="rep", leave=False)


def _run_processes(tasks, plans, seeds, workers, done):
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
        ctx.set_forkserver_preload(["simkit.planning.sweep", "simkit.sim.fastpath",
                                    "simkit.sim.dynamics", "simkit.sim.results_team",
                                    "simkit.sim.teamfast"])
    before = set(mp.active_children())
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=ctx,
                               initializer=_ignore_sigint)
    try:
        futs = {pool.submit(_run_group, [plans[i] for i in idx], [seeds[i] for i in idx],
                            a, b): (idx, a, b)
                for idx, a, b in tasks}
        for f in as_completed(futs):
            done(futs[f], f.result())
    except BaseException:
        # Ctrl-C or an error: stop the workers now instead of waiting for their tasks,
        # including one forked while the interrupt arrived (not yet in the pool's list).
        procs = set((getattr(pool, "_processes", None) or {}).values())
        procs |= set(mp.active_children()) - before
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(2)
            if p.is_alive():
                p.kill()
        raise
    pool.shutdown(wait=True)


def _ignore_sigint():
    """Workers leave Ctrl-C to the parent, which stops them (no traceback from each), and
    die at once on SIGTERM (a handler the parent installed, such as the CLI's, would
    otherwise turn it into an exception the worker reports and carries on after)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_dask(tasks, plans, seeds, workers, client, scheduler, done):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the install
        raise SimkitInputError("backend", "dask", "installed first: pip install 'simkit[dask]'",
                               ) from None
    own = []
    if client is None:
        if scheduler:
            client = _connect(Client, scheduler)
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            own.append(cluster)
            client = Client(cluster)
        own.insert(0, client)
    try:
        futs = {}
        for idx, a, b in tasks:
            f = client.submit(_run_group, [plans[i] for i in idx], [seeds[i] for i in idx],
                              a, b, pure=False)
            futs[f] = (idx, a, b)
        for f in as_completed(list(futs)):
            done(futs[f], f.result())
    finally:
        for obj in own:
            obj.close()


#: Seconds to wait for a dask scheduler to answer before giving up.
SCHEDULER_TIMEOUT = 5


def check_scheduler_address(scheduler: str) -> str:
    """``scheduler`` if it looks like a dask address (``tcp://host:port``, ``tls://...``,
    ``inproc://...``, ``ws(s)://...``); otherwise a clear :class:`SimkitInputError`."""
    import re

    if not isinstance(scheduler, str) or not re.fullmatch(
            r"((tcp|tls|ws|wss|ucx)://)?[^\s/:]+:\d{1,5}|(tcp|tls|ws|wss|ucx)://[^\s/:]+"
            r"|inproc://\S+", scheduler):
        raise SimkitInputError("--scheduler", scheduler,
                               "a dask scheduler address such as tcp://10.0.0.5:8786")
    return scheduler


def _connect(client_cls, scheduler: str):
    check_scheduler_address(scheduler)
    try:
        return client_cls(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SimkitInputError(
            "--scheduler", scheduler,
            f"a dask scheduler that answers within {SCHEDULER_TIMEOUT} s "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no answer'})",
        ) from None


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
          progress: bool | None = None, confidence: float = 0.95,
          max_work: float | None = None) -> pd.DataFrame:
    """Run every scenario of ``grid`` (see :func:`expand_grid`) on the same seeds.

    Returns a long tidy table: ``scenario`` (its number), one column per grid
    path with its value, ``metric``, ``mean``, ``se``, ``ci_low``, ``ci_high``
    (normal interval at ``confidence``), ``n`` (replications) and ``seed``.
    ``backend``: ``"serial"`` (default when every scenario runs on the fast path or the
    fast team engine), ``"processes"`` (default on a multi-core machine otherwise) or
    ``"dask"`` (a ``dask.distributed`` ``client``, a ``scheduler``
    address, or a LocalCluster of ``workers`` processes started for the call).
    A grid of more than 10,000 points, or a sweep above the work budget
    (:mod:`simkit.sim.budget`; ``max_work`` or ``SIMKIT_MAX_WORK`` raise it), is refused
    before anything runs.
    """
    base = as_scenario(base, "base")
    if not 0 < confidence < 1:
        raise SimkitInputError("confidence", confidence, "a number between 0 and 1")
    points = expand_grid(grid)
    scenarios = [base.override(p) if p else base for p in points]  # validates every point first
    metrics = run_metrics(scenarios, replications, seed, backend=backend, workers=workers,
                          batch_size=batch_size, client=client, scheduler=scheduler,
                          progress=progress, max_work=max_work)
    table = summarise(metrics, confidence)
    cols = pd.DataFrame(points, index=range(len(points)))
    for path in reversed(list(cols.columns)):
        table.insert(1, path, cols[path].to_numpy()[table["scenario"].to_numpy()])
    table["seed"] = seed
    return table
