"""Planning on top of sweeps: paired comparison and the headcount solver."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario
from simkit.model.presets import as_scenario
from simkit.planning.search import smallest_reaching
from simkit.planning.sweep import run_metrics

__all__ = ["HeadcountPlan", "compare", "solve_headcount"]


_scenario = as_scenario


def compare(a: Scenario | str, b: Scenario | str, replications: int = 200, seed: int = 1, *,
            seed_b: int | None = None, confidence: float = 0.95, backend: str = "serial",
            **kwargs) -> pd.DataFrame:
    """Paired comparison of scenario ``b`` against ``a``, replication by replication.

    Both run on the same seed (common random numbers) unless ``seed_b`` is
    given, so the difference b - a mostly shows the lever, not noise. One row
    per metric: ``mean_a``, ``mean_b``, ``diff``, ``diff_se``, ``ci_low``,
    ``ci_high`` (normal interval at ``confidence``) and ``correlation`` of
    the paired replications (near 1 is what makes the interval tight).
    """
    a, b = _scenario(a, "a"), _scenario(b, "b")
    if not 0 < confidence < 1:
        raise SimkitInputError("confidence", confidence, "a number between 0 and 1")
    seeds = [seed, seed if seed_b is None else seed_b]
    m = run_metrics([a, b], replications, seeds, backend=backend, **kwargs)
    ma = m[m["scenario"] == 0].drop(columns="scenario").set_index("replication")
    mb = m[m["scenario"] == 1].drop(columns="scenario").set_index("replication")
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    rows = []
    for metric in [c for c in ma.columns if c in mb.columns]:
        x, y = ma[metric].to_numpy(float), mb[metric].to_numpy(float)
        ok = ~(np.isnan(x) | np.isnan(y))
        x, y = x[ok], y[ok]
        n = len(x)
        d = y - x
        se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = float(np.corrcoef(x, y)[0, 1]) if n > 1 and x.std() > 0 and y.std() > 0 \
                else math.nan
        rows.append({"metric": metric, "mean_a": float(x.mean()) if n else math.nan,
                     "mean_b": float(y.mean()) if n else math.nan,
                     "diff": float(d.mean()) if n else math.nan, "diff_se": se,
                     "ci_low": float(d.mean()) - z * se if n else math.nan,
                     "ci_high": float(d.mean()) + z * se if n else math.nan,
                     "correlation": corr, "n": n})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class HeadcountPlan:
    """The answer of :func:`solve_headcount`."""

    reps: int | None  # fewest reps meeting the target (None: not reached by max_reps)
    probability: float  # P(team reaches quota) at that headcount
    target: float
    curve: pd.DataFrame  # every headcount tried: reps, probability, se, replications


def solve_headcount(base: Scenario | str, target: float = 0.5, replications: int = 200,
                    seed: int = 1, *, min_reps: int = 1, max_reps: int = 200,
                    backend: str = "serial", **kwargs) -> HeadcountPlan:
    """The fewest starting reps (``team.reps``; hires, ramp, attrition and capacity as in
    ``base``) for which the probability that the team reaches its quota over the horizon
    (won amount >= quota.team_per_quarter x quarters) is at least ``target``.

    The team quota stays fixed while the headcount moves. The probability is
    estimated on the same seeds for every headcount (common random numbers),
    which keeps the estimated curve close to monotone; the search doubles the
    headcount until the target is met, then bisects. ``curve`` lists every
    headcount tried.
    """
    base = _scenario(base, "base")
    if not 0 < target < 1:
        raise SimkitInputError("target", target, "a probability strictly between 0 and 1")
    if not (isinstance(min_reps, int) and isinstance(max_reps, int) and 1 <= min_reps <= max_reps):
        raise SimkitInputError("min_reps/max_reps", (min_reps, max_reps),
                               "whole numbers with 1 <= min_reps <= max_reps")
    seen: dict[int, float] = {}

    def p(n: int) -> float:
        if n not in seen:
            m = run_metrics([base.override({"team.reps": n})], replications, seed,
                            backend=backend, **kwargs)
            seen[n] = float(m["hits_quota"].mean())
        return seen[n]

    answer = smallest_reaching(p, target, min_reps, max_reps)
    curve = pd.DataFrame(sorted(seen.items()), columns=["reps", "probability"])
    curve["se"] = np.sqrt(curve["probability"] * (1 - curve["probability"]) / replications)
    curve["replications"] = replications
    return HeadcountPlan(reps=answer, probability=seen[answer] if answer else math.nan,
                         target=target, curve=curve)
