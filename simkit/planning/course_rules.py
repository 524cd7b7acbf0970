"""The course's funnel tables against the simulation (beyond the course, part 1 and 2).

* :func:`quarter_chance`: from today's funnel (counts per stage, amount already
  won, week of the quarter) and an injection plan, simulate the rest of the
  quarter with the SimPy engine and give the distribution of the quarter's
  final amount and the chance of reaching quota. The course's
  :func:`~simkit.analysis.funnel_gap` gives only the expected value.
* :func:`projects_needed`: the weekly number of new projects that reaches quota
  with a chosen probability (e.g. 80%), found by bisection on a curve estimated
  with common random numbers, returned together with the curve it searched.
* :func:`simulated_projection`: a simulation's mean weekly stage counts and
  wins laid out like the course's :func:`~simkit.analysis.weekly_projection`
  table, with standard errors, so the two can be compared cell by cell.

Timing conventions (why the deterministic table is the simulation's mean).
Column "now" is the funnel at the run's start week t0 (an integer week);
column "+j" is the snapshot at week t0 + j, taken after everything that
happened at that instant (``Results.snapshots``), and the row "wins" of "+j"
counts deals won in the week (t0 + j - 1, t0 + j]. A snapshot deal sits at a
uniformly spread point of its stage (the engine draws its remaining time from
the stage's residual distribution), so with one-week stages it finishes its
stage during week 1: in column "+1" it is one stage on, as in the table.
Planned projects of week j enter spread evenly inside (t0 + j - 1, t0 + j)
(see ``leads.weekly_plan``), so column "+j" finds them all in the first stage
and they win in week j + N (N stages), as in the table. With
``Deterministic(1.0)`` stages each cell of the table is then the mean of the
simulated cell, and each stage count is a sum of independent Bernoulli
survivals, so the check needs no further approximation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simkit.analysis._inputs import (
    non_negative,
    positive,
    stages_from_win_probs,
    values_for_stages,
)
from simkit.analysis._inputs import (
    probability as _probability,
)
from simkit.analysis.funnel import funnel_gap, weekly_projection
from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario
from simkit.model.presets import as_scenario
from simkit.planning.search import smallest_reaching
from simkit.sim.dispatch import DEFAULT_SEED, simulate
from simkit.sim.results import Results

__all__ = [
    "ProjectsNeeded",
    "QuarterChance",
    "SimulatedProjection",
    "projects_needed",
    "quarter_chance",
    "simulated_projection",
    "snapshot_scenario",
]

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)


_scenario = as_scenario


def _weeks(sc: Scenario, week: Any, weeks_remaining: Any) -> tuple[float, float]:
    wpq = sc.quota.weeks_per_quarter
    if (week is None) == (weeks_remaining is None):
        raise SimkitInputError("week", week, "exactly one of week or weeks_remaining")
    if week is not None:
        w = non_negative(week, "week")
        if w >= wpq:
            raise SimkitInputError("week", week, f"a week in [0, {wpq}) of a {wpq}-week quarter")
        return w, wpq - w
    rem = positive(weeks_remaining, "weeks_remaining")
    if rem > wpq:
        raise SimkitInputError("weeks_remaining", weeks_remaining,
                               f"a number in (0, {wpq}] (weeks in a quarter)")
    return wpq - rem, rem


def _plan(injections: Any, weeks_remaining: float) -> tuple[int, ...]:
    n_weeks = math.ceil(weeks_remaining - 1e-9)
    if isinstance(injections, (int, float, np.integer, np.floating)) and not isinstance(
        injections, bool
    ):
        injections = [injections] * n_weeks
    if isinstance(injections, (str, bytes, Mapping)) or not isinstance(injections, Sequence):
        raise SimkitInputError("injections", injections,
                               "a number of new projects per week or a sequence, one per week")
    if len(injections) > n_weeks:
        raise SimkitInputError("injections", list(injections),
                               f"at most {n_weeks} values (weeks remaining in the quarter)")
    out = []
    for i, x in enumerate(injections):
        v = non_negative(x, f"injections[{i}]")
        if v != int(v):
            raise SimkitInputError(f"injections[{i}]", x, "a whole number of new projects")
        out.append(int(v))
    return tuple(out)


def snapshot_scenario(
    counts: Any,
    realised: float,
    quota: float,
    injections: Any = (),
    *,
    week: float | None = None,
    weeks_remaining: float | None = None,
    avg_deal: float | None = None,
    scenario: Scenario | str = "small-projects",
) -> Scenario:
    """The rest of one quarter as a scenario: today's funnel and an injection plan.

    ``counts`` are today's open deals per stage of ``scenario``'s funnel (a
    sequence, or a mapping by English or Chinese stage name); ``realised`` is
    the amount already won this quarter (万); give either ``week`` (weeks of
    the quarter already past) or ``weeks_remaining``. ``injections`` is the
    plan of new projects entering the first stage: one whole number per coming
    week (fewer weeks than remain means none after), or a single number for
    every remaining week. The plan replaces the scenario's Poisson leads
    (``leads.per_rep_per_week`` is set to 0), so it is the only inflow.
    ``avg_deal`` (万) replaces the deal-size mean, keeping its shape. Stage
    durations, conversions, deal-size spread and the team are the scenario's.
    """
    sc = _scenario(scenario)
    stages = stages_from_win_probs(sc.funnel)
    c = values_for_stages(counts, stages, "counts")
    for i, x in enumerate(c):
        if x != int(x):
            raise SimkitInputError(f"counts[{i}]", x, "a whole number of deals")
    realised = non_negative(realised, "realised")
    quota = positive(quota, "quota")
    w, rem = _weeks(sc, week, weeks_remaining)
    plan = _plan(injections, rem)
    changes: dict[str, Any] = {
        "horizon.quarters": 1,
        "horizon.start": {"mode": "snapshot", "counts": [int(x) for x in c], "week": w,
                          "realised": realised},
        "leads.per_rep_per_week": 0.0,
        "leads.weekly_plan": list(plan),
        "quota.team_per_quarter": quota,
    }
    if avg_deal is not None:
        changes["deal_size.mean"] = positive(avg_deal, "avg_deal")
    return sc.override(changes)


@dataclass(frozen=True)
class QuarterChance:
    """The simulated end of the quarter from today's funnel.

    Attributes:
        scenario: the snapshot scenario that was simulated.
        replications, seed: how it was simulated.
        quota: the quarter's quota, 万.
        final_amounts: the quarter's final won amount (realised included), one
            per replication, 万.
        mean, se: their mean and its standard error, 万.
        quantiles: final amount at the quantiles in ``QUANTILES``, 万.
        p_reach_quota: share of replications reaching quota; ``p_se`` its
            binomial standard error.
        course_amount: the course's deterministic answer for comparison:
            realised + avg deal x the wins of :func:`weekly_projection` over
            the remaining weeks (one-week stages).
    """

    scenario: Scenario
    replications: int
    seed: int
    quota: float
    final_amounts: np.ndarray
    mean: float
    se: float
    quantiles: pd.Series
    p_reach_quota: float
    p_se: float
    course_amount: float

    def to_frame(self) -> pd.DataFrame:
        """Headline numbers as one column (label -> value)."""
        rows = {"quota": self.quota, "course_amount": self.course_amount,
                "mean": self.mean, "se": self.se}
        rows.update({f"q{round(q * 100):02d}": v for q, v in self.quantiles.items()})
        rows.update({"p_reach_quota": self.p_reach_quota, "p_se": self.p_se})
        return pd.DataFrame({"value": rows})


def _final_amounts(res: Results) -> np.ndarray:
    tq = res.team_quarters
    return tq.loc[tq["quarter"] == 1, "won_amount"].to_numpy(float)


def _course_amount(sc: Scenario) -> float:
    start = sc.horizon.start
    rem = sc.quota.weeks_per_quarter - start.week
    plan = list(sc.leads.weekly_plan)
    n_weeks = math.ceil(rem - 1e-9)
    plan += [0] * (n_weeks - len(plan))
    table = weekly_projection(list(start.counts), sc.funnel, plan)
    return float(start.realised + table.loc["wins"].iloc[1:].sum() * sc.deal_size.mean)


def quarter_chance(
    counts: Any,
    realised: float,
    quota: float,
    injections: Any = (),
    *,
    week: float | None = None,
    weeks_remaining: float | None = None,
    avg_deal: float | None = None,
    scenario: Scenario | str = "small-projects",
    replications: int = 400,
    seed: int = DEFAULT_SEED,
) -> QuarterChance:
    """Chance to make the quarter from today's funnel and an injection plan.

    Builds :func:`snapshot_scenario` and simulates the rest of the quarter
    ``replications`` times. Each open deal moves on with the funnel's stage
    conversions and the scenario's stage durations (so, unlike the course's
    table, a deal may be too slow to close in time), and each won deal's size
    is drawn from the scenario's deal-size distribution. Case B::

        quarter_chance([169, 49, 45], 119.1, 372, [110, 110, 78, 78, 78],
                       week=7, avg_deal=2.0)
    """
    sc = snapshot_scenario(counts, realised, quota, injections, week=week,
                           weeks_remaining=weeks_remaining, avg_deal=avg_deal, scenario=scenario)
    res = simulate(sc, replications=replications, seed=seed)
    amounts = _final_amounts(res)
    n = len(amounts)
    p = float(np.mean(amounts >= sc.quota.team_per_quarter * (1 - 1e-12)))
    return QuarterChance(
        scenario=sc,
        replications=n,
        seed=seed,
        quota=sc.quota.team_per_quarter,
        final_amounts=amounts,
        mean=float(amounts.mean()),
        se=float(amounts.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan,
        quantiles=pd.Series(np.quantile(amounts, QUANTILES), index=pd.Index(QUANTILES,
                                                                            name="quantile")),
        p_reach_quota=p,
        p_se=math.sqrt(p * (1 - p) / n),
        course_amount=_course_amount(sc),
    )


@dataclass(frozen=True)
class ProjectsNeeded:
    """The weekly new projects that reach quota with a chosen probability.

    Attributes:
        probability: the chance asked for.
        per_week: smallest whole number of new projects a week (in each of
            the ``weeks`` coming weeks) whose estimated chance is at least
            ``probability``; None if even ``max_per_week`` does not reach it.
        p_at_answer: the estimated chance at ``per_week``.
        weeks: number of coming weeks that get the injection.
        curve: every point the search evaluated, sorted: ``per_week``,
            ``p_reach_quota``, ``p_se``, ``mean_amount``, ``q10``, ``q50``, ``q90``.
        replications, seed: every point uses the same replications and seed
            (common random numbers).
    """

    probability: float
    per_week: int | None
    p_at_answer: float
    weeks: int
    curve: pd.DataFrame
    replications: int
    seed: int


def projects_needed(
    counts: Any,
    realised: float,
    quota: float,
    probability: float = 0.80,
    *,
    week: float | None = None,
    weeks_remaining: float | None = None,
    weeks: int | None = None,
    avg_deal: float | None = None,
    scenario: Scenario | str = "small-projects",
    replications: int = 400,
    seed: int = DEFAULT_SEED,
    max_per_week: int = 5000,
) -> ProjectsNeeded:
    """New projects needed per week to reach quota with ``probability``.

    The same number ``n`` enters in each of the next ``weeks`` weeks (default:
    every remaining week). P(reach quota | n) is estimated by
    :func:`quarter_chance` on one seed for every ``n``. With common random
    numbers the curve is monotone in every replication, not just on average:
    the k-th planned project of every n goes to the same rep with the same
    numbers, a larger n only brings it in earlier (its entry time is
    (k + 0.5) / n weeks into the plan) and adds projects, so a deal won by the
    quarter's end under n is won under n + 1 too. That makes bisection on the
    estimated curve exact for that curve: the answer is the smallest n whose
    estimate reaches the target, found by doubling an upper bound and then
    halving the bracket. Its uncertainty is that of the estimated chance
    (``p_se`` in the curve), not of the search.
    """
    target = _probability(probability, "probability")
    sc = _scenario(scenario)
    _, rem = _weeks(sc, week, weeks_remaining)
    n_weeks = math.ceil(rem - 1e-9)
    if weeks is None:
        weeks = n_weeks
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or not (
        1 <= weeks <= n_weeks
    ):
        raise SimkitInputError("weeks", weeks, f"a whole number of weeks in [1, {n_weeks}]")
    if isinstance(max_per_week, bool) or not isinstance(max_per_week, (int, np.integer)) or (
        max_per_week < 1
    ):
        raise SimkitInputError("max_per_week", max_per_week, "a whole number >= 1")
    points: dict[int, QuarterChance] = {}

    def p_at(n: int) -> float:
        if n not in points:
            points[n] = quarter_chance(counts, realised, quota, [n] * weeks, week=week,
                                       weeks_remaining=weeks_remaining, avg_deal=avg_deal,
                                       scenario=sc, replications=replications, seed=seed)
        return points[n].p_reach_quota

    # Start the bracket at the course's answer (the project gap spread over the
    # weeks whose projects can still close with one-week stages): it is close,
    # so doubling or halving from it costs few simulations.
    gap = funnel_gap(counts, sc.funnel, realised, quota,
                     avg_deal if avg_deal is not None else sc.deal_size.mean)
    useful = max(1, min(weeks, n_weeks - len(sc.funnel.stages) + 1))
    guess = int(min(max(1, math.ceil(gap.project_gap / useful)), max_per_week))
    answer = smallest_reaching(p_at, target, 0, max_per_week, start=guess)
    curve = pd.DataFrame(
        [
            {"per_week": n, "p_reach_quota": q.p_reach_quota, "p_se": q.p_se,
             "mean_amount": q.mean, "q10": float(q.quantiles[0.10]),
             "q50": float(q.quantiles[0.50]), "q90": float(q.quantiles[0.90])}
            for n, q in sorted(points.items())
        ]
    )
    return ProjectsNeeded(
        probability=target,
        per_week=answer,
        p_at_answer=points[answer].p_reach_quota if answer is not None else math.nan,
        weeks=int(weeks),
        curve=curve,
        replications=replications,
        seed=seed,
    )


@dataclass(frozen=True)
class SimulatedProjection:
    """A simulation laid out as the course's weekly projection table.

    ``mean`` and ``se`` have the layout of :func:`weekly_projection`: rows the
    stages plus "wins", columns "now", "+1", ..., "+k" (k whole weeks from the
    start week to the end of the run); ``per_replication`` holds the values
    behind them (index: replication; columns: (row, column) pairs).
    """

    mean: pd.DataFrame
    se: pd.DataFrame
    per_replication: pd.DataFrame
    replications: int


def simulated_projection(results: Results) -> SimulatedProjection:
    """Mean weekly stage counts and wins of a simulation, in the course's table layout.

    See the module docstring for the timing conventions. The run must start
    at a whole week.
    """
    if not isinstance(results, Results):
        raise SimkitInputError("results", type(results).__name__, "simkit Results")
    sc = results.scenario
    t0 = float(sc.horizon.start.week)
    if t0 != int(t0):
        raise SimkitInputError("horizon.start.week", t0, "a whole week for the table layout")
    stages = sc.funnel.names
    snaps = results.snapshots
    k = int(snaps["week"].max() - t0)
    cols = ["now"] + [f"+{j}" for j in range(1, k + 1)]
    n = results.replications
    wide = snaps.pivot_table(index="replication", columns=["stage", "week"], values="count",
                             observed=True, aggfunc="sum")
    data: dict[tuple[str, str], np.ndarray] = {}
    for s in stages:
        for j, c in enumerate(cols):
            data[(s, c)] = wide[(s, t0 + j)].to_numpy(float)
    won = results.deals[results.deals["outcome"] == "won"]
    j = np.ceil(won["closed_at"].to_numpy() - t0 - 1e-9).astype(np.int64)
    ok = (j >= 1) & (j <= k)
    flat = won["replication"].to_numpy(np.int64)[ok] * (k + 1) + j[ok]
    wins = np.bincount(flat, minlength=n * (k + 1))[: n * (k + 1)].reshape(n, k + 1)
    data[("wins", "now")] = np.full(n, np.nan)
    for jj in range(1, k + 1):
        data[("wins", cols[jj])] = wins[:, jj].astype(float)
    per = pd.DataFrame(data, index=pd.RangeIndex(n, name="replication"))
    rows = [*stages, "wins"]
    mean = per.mean().unstack()[cols].reindex(rows)
    sd = per.std(ddof=1).unstack()[cols].reindex(rows)
    mean.index.name = sd.index.name = "stage"
    return SimulatedProjection(mean=mean, se=sd / math.sqrt(n), per_replication=per,
                               replications=n)
