"""A work budget: how big a run is, checked before it starts.

A run's size is the number of deals it simulates: per replication, the reps
times their new projects a week times the weeks simulated (warm-up weeks
included), plus the deals open at the start (the steady-state funnel, or the
snapshot's counts) and the weekly injection plan; times the replications;
for a sweep, summed over the grid's points. Memory is estimated from the rows
the result tables keep (a deal row, one row per stage it passes through, and
a snapshot row per rep and week).

:func:`estimate_work` is a pure function of the scenario and the counts;
:func:`check_work` refuses a run above the limits with the estimate and how
to raise them:

============================  =========================  ===========================
limit                         default                    raised by
============================  =========================  ===========================
simulated deals per call      20,000,000 (``MAX_WORK``)  env ``SIMKIT_MAX_WORK`` or
                                                         ``max_work=`` argument
memory of one call's tables   4,096 MB (``MAX_MEMORY_MB``)  env ``SIMKIT_MAX_MEMORY_MB``
grid points of a sweep        10,000 (``MAX_GRID_POINTS``)  env ``SIMKIT_MAX_GRID_POINTS``
============================  =========================  ===========================

The defaults allow every built-in preset and course exercise with room to
spare (the small-projects preset is about 750 deals a replication, so 200
replications are 150,000 deals, under 0.1 s of the fast path) and stop a typo
such as ``-n 10000000`` or ``team.reps=100000`` before it fills the machine's
memory. The check itself takes microseconds: it never simulates.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from simkit.model.errors import SimkitInputError

__all__ = [
    "MAX_GRID_POINTS",
    "MAX_MEMORY_MB",
    "MAX_WORK",
    "WorkEstimate",
    "check_grid_points",
    "check_work",
    "deals_per_replication",
    "estimate_work",
]

MAX_WORK = 20_000_000
MAX_MEMORY_MB = 4096
MAX_GRID_POINTS = 10_000

# Bytes a table row takes in memory (measured on the small-projects preset, with
# room for pandas' intermediate copies): a deal row, a stage-time row, a snapshot row.
_BYTES_DEAL = 120
_BYTES_STAGE = 60
_BYTES_SNAPSHOT = 50


@dataclass(frozen=True)
class WorkEstimate:
    """The expected size of a run: deals simulated and memory of the result tables."""

    deals_per_replication: float
    replications: int
    points: int
    deals: float
    memory_mb: float

    def text(self) -> str:
        per = (f"{self.points:,} scenarios x " if self.points > 1 else "")
        return (f"{per}{self.replications:,} replications x about "
                f"{self.deals_per_replication:,.0f} deals = {self.deals:,.3g} deals, "
                f"about {self.memory_mb:,.0f} MB")


def deals_per_replication(scenario) -> tuple[float, float]:
    """(expected deals one replication simulates, result rows per replication) of a
    :class:`~simkit.Scenario` — a steady-state estimate, never a simulation."""
    sc = scenario
    reps = sc.team.reps
    if sc.hiring is not None:
        reps += sum(h.count for h in sc.hiring.plan)
    arche = sc.team.archetypes
    prospecting = sum(a.share * a.prospecting for a in arche)
    rate = reps * sc.leads.per_rep_per_week * prospecting
    start = sc.horizon.start
    weeks = sc.weeks + (start.warmup_weeks if start.mode == "empty" else 0.0)
    deals = rate * weeks + float(sum(sc.leads.weekly_plan))
    if start.mode == "standard":
        deals += rate * sc.funnel.mean_cycle_weeks
    elif start.mode == "snapshot" and start.counts is not None:
        deals += float(sum(start.counts))
    stages = len(sc.funnel.stages)
    snapshot_rows = reps * (sc.weeks + 1)
    mem = deals * (_BYTES_DEAL + stages * _BYTES_STAGE) + snapshot_rows * _BYTES_SNAPSHOT
    return deals, mem


def estimate_work(scenarios, replications: int) -> WorkEstimate:
    """The size of running ``replications`` of each scenario (one scenario or a list).

    Memory counts the largest single scenario's tables (a sweep keeps only
    per-replication metrics, a :func:`simkit.simulate` call one scenario's tables).
    """
    if not isinstance(scenarios, (list, tuple)):
        scenarios = [scenarios]
    per = [deals_per_replication(s) for s in scenarios]
    total = sum(d for d, _ in per) * replications
    mem = max((m for _, m in per), default=0.0) * (replications if len(per) == 1 else 1)
    mean = total / max(1, replications * len(per))
    return WorkEstimate(deals_per_replication=mean, replications=int(replications),
                        points=len(per), deals=total, memory_mb=mem / 2**20)


def _limit(env: str, default: float, given: float | None = None) -> float:
    if given is not None:
        return float(given)
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return float(default)
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        raise SimkitInputError(env, raw, "a number (the environment variable's value)") from None
    if not value > 0:
        raise SimkitInputError(env, raw, "a number above 0 (or inf for no limit)")
    return value


def check_work(scenarios, replications: int, *, max_work: float | None = None) -> WorkEstimate:
    """Refuse a run above the work or memory limit; return its estimate otherwise."""
    est = estimate_work(scenarios, replications)
    limit = _limit("SIMKIT_MAX_WORK", MAX_WORK, max_work)
    mem_limit = _limit("SIMKIT_MAX_MEMORY_MB", MAX_MEMORY_MB)
    if not math.isfinite(est.deals) or est.deals > limit:
        raise SimkitInputError(
            "run size", est.text(),
            f"at most {limit:,.0f} simulated deals per run",
            hint="Use fewer replications, reps or weeks, or raise the limit with the "
                 "environment variable SIMKIT_MAX_WORK (e.g. SIMKIT_MAX_WORK=1e9) if the "
                 "machine can take it (模拟规模超过上限：减少重复次数、人数或周数，或设置 "
                 "SIMKIT_MAX_WORK 提高上限).")
    if not math.isfinite(est.memory_mb) or est.memory_mb > mem_limit:
        raise SimkitInputError(
            "run size", est.text(),
            f"result tables of at most {mem_limit:,.0f} MB",
            hint="Use fewer replications or reps, or raise the limit with the environment "
                 "variable SIMKIT_MAX_MEMORY_MB (所需内存超过上限：减少重复次数或人数，或设置 "
                 "SIMKIT_MAX_MEMORY_MB).")
    return est


def check_grid_points(points: int) -> int:
    """Refuse a sweep grid with more points than the limit."""
    limit = _limit("SIMKIT_MAX_GRID_POINTS", MAX_GRID_POINTS)
    if points > limit:
        raise SimkitInputError(
            "grid", f"{points:,} scenarios",
            f"at most {limit:,.0f} scenarios in one sweep",
            hint="Use fewer values per --grid path, or raise the limit with the environment "
                 "variable SIMKIT_MAX_GRID_POINTS (网格点数超过上限).")
    return points
