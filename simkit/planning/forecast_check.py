"""How good is the course's 75% / 25% / 4% revenue forecast? (beyond the course, part 3)

:func:`forecast_rule_check` simulates a branch through a quarter and, at the
start of every week, does what a director does in the weekly review: it sorts
each open deal into the committed list (确保收入), the possible list (可能收入)
or neither, applies :func:`~simkit.analysis.revenue_forecast` and compares the
forecast with what the quarter really brought in that replication.

The classification rule (a simulated rep's honest call, knowing only the
deal's stage and how long it has been in it):

* committed: the deal is in the last open stage (negotiation for small
  projects);
* possible: the deal is in the stage before it (solution);
* with ``by_close=True`` (the default) a deal is listed only if its expected
  close falls inside the quarter: expected close = max(stage entered + mean
  stage duration, now) + the mean durations of the stages still ahead. In the
  last week a solution-stage deal cannot close in time and drops off the
  possible list, as a rep would take it off.

Deals amounts are their simulated sizes (a rep knows the contract value).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simkit.analysis._inputs import probability
from simkit.analysis.forecast import revenue_forecast
from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario
from simkit.model.presets import as_scenario
from simkit.sim.dispatch import DEFAULT_SEED, simulate
from simkit.sim.results import Results

__all__ = ["forecast_inputs", "forecast_rule_check"]


def _results(source: Any, replications: int, seed: int) -> Results:
    if isinstance(source, Results):
        return source
    sc = as_scenario(source)
    if sc.horizon.quarters != 1:
        sc = sc.override({"horizon.quarters": 1})
    return simulate(sc, replications=replications, seed=seed)


def forecast_inputs(results: Results, by_close: bool = True) -> pd.DataFrame:
    """Per replication and week: realised, committed, possible and the actual outcome.

    One row per (replication, week) for every whole week from the run's start
    to the last week of the first quarter: ``week`` (weeks elapsed),
    ``weeks_remaining``, ``realised`` (won so far, start amount included),
    ``committed`` and ``possible`` (amounts on each list, see the module
    docstring), ``committed_won`` and ``possible_won`` (the part of each list
    won before the quarter ends) and ``actual`` (the quarter's final won
    amount, as in ``Results.team_quarters``). Money in 万.
    """
    if not isinstance(results, Results):
        raise SimkitInputError("results", type(results).__name__, "simkit Results")
    sc = results.scenario
    wpq = float(sc.quota.weeks_per_quarter)
    start = sc.horizon.start
    n = results.replications
    n_st = len(sc.funnel.stages)
    if n_st < 2:
        raise SimkitInputError("scenario.funnel", sc.funnel.names,
                               "at least two stages (committed and possible lists)")
    means = np.array([s.duration.mean for s in sc.funnel.stages])
    ahead = np.concatenate([np.cumsum(means[::-1])[::-1][1:], [0.0]])  # stages after k

    d = results.deals
    key = d["replication"].to_numpy(np.int64)
    amount = d["amount"].to_numpy(float)
    closed = d["closed_at"].to_numpy(float)
    won_q = (d["outcome"] == "won").to_numpy() & (closed < wpq)
    actual = np.bincount(key[won_q], weights=amount[won_q], minlength=n) + start.realised

    st = results.stage_times
    deal_index = pd.MultiIndex.from_arrays([d["replication"], d["deal_id"]])
    pos = deal_index.get_indexer(pd.MultiIndex.from_arrays([st["replication"], st["deal_id"]]))
    s_amount, s_won = amount[pos], won_q[pos]
    s_rep = st["replication"].to_numpy(np.int64)
    s_stage = st["stage"].cat.codes.to_numpy(np.int64)
    s_in = st["entered"].to_numpy(float)
    s_out = np.nan_to_num(st["left"].to_numpy(float), nan=np.inf)

    rows = []
    for w in range(math.ceil(start.week), int(wpq)):
        done = won_q & (closed <= w)
        realised = np.bincount(key[done], weights=amount[done], minlength=n) + start.realised
        open_ = (s_in <= w) & (s_out > w)
        if by_close:
            close = np.maximum(s_in + means[s_stage], w) + ahead[s_stage]
            open_ &= close <= wpq
        lists = {}
        for name, stage in (("committed", n_st - 1), ("possible", n_st - 2)):
            m = open_ & (s_stage == stage)
            lists[name] = np.bincount(s_rep[m], weights=s_amount[m], minlength=n)
            mw = m & s_won
            lists[f"{name}_won"] = np.bincount(s_rep[mw], weights=s_amount[mw], minlength=n)
        rows.append(pd.DataFrame({
            "replication": np.arange(n), "week": w, "weeks_remaining": wpq - w,
            "realised": realised, **lists, "actual": actual,
        }))
    return pd.concat(rows, ignore_index=True)


def forecast_rule_check(
    scenario: Results | Scenario | str = "small-projects",
    replications: int = 400,
    seed: int = DEFAULT_SEED,
    *,
    committed_weight: float = 0.75,
    possible_weight: float = 0.25,
    unforecast_rate: float = 0.04,
    by_close: bool = True,
) -> pd.DataFrame:
    """The course's forecast rule against the simulated quarter, week by week.

    ``scenario`` is simulated for one quarter (or pass existing ``Results``).
    Returns one row per week elapsed (index ``week``) with the means over
    replications of ``realised``, ``committed``, ``possible``, ``forecast``
    (:func:`revenue_forecast` with the given weights) and ``actual`` (the
    quarter's final amount), and the forecast's error against the actual:
    ``bias`` (mean of forecast - actual) and its ``bias_se``, ``rmse``,
    ``rmse_pct_quota`` and ``call_accuracy`` (share of replications where
    "forecast completion >= 100%" agrees with the outcome). Next to them, the
    weights that would have been best that week: ``paid_committed`` and
    ``paid_possible`` (the share of each list's amount won in the quarter: the
    calibrated weights), and ``best_committed``, ``best_possible``,
    ``best_unforecast`` (least squares of actual - realised on committed,
    possible and quota x weeks remaining over the replications; in-sample),
    with ``best_rmse``, the error those weights would have had. The least
    squares fit includes the course's weights as one candidate, so
    ``best_rmse <= rmse`` always.
    """
    cw = probability(committed_weight, "committed_weight")
    pw = probability(possible_weight, "possible_weight")
    ur = probability(unforecast_rate, "unforecast_rate")
    res = _results(scenario, replications, seed)
    quota = res.scenario.quota.team_per_quarter
    x = forecast_inputs(res, by_close=by_close)
    x["forecast"] = [
        revenue_forecast(quota, r, c, p, rem, cw, pw, ur).forecast
        for r, c, p, rem in zip(x["realised"], x["committed"], x["possible"],
                                x["weeks_remaining"])
    ]
    out = []
    for w, g in x.groupby("week", sort=True):
        err = (g["forecast"] - g["actual"]).to_numpy()
        n = len(err)
        y = (g["actual"] - g["realised"]).to_numpy()
        design = np.column_stack([g["committed"], g["possible"],
                                  np.full(n, quota * float(g["weeks_remaining"].iloc[0]))])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        best_err = design @ coef - y
        c_sum, p_sum = g["committed"].sum(), g["possible"].sum()
        hit = g["actual"].to_numpy() >= quota
        call = g["forecast"].to_numpy() >= quota
        out.append({
            "week": int(w),
            "weeks_remaining": float(g["weeks_remaining"].iloc[0]),
            "realised": g["realised"].mean(),
            "committed": g["committed"].mean(),
            "possible": g["possible"].mean(),
            "forecast": g["forecast"].mean(),
            "actual": g["actual"].mean(),
            "bias": err.mean(),
            "bias_se": err.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan,
            "rmse": math.sqrt(np.mean(err**2)),
            "rmse_pct_quota": 100 * math.sqrt(np.mean(err**2)) / quota,
            "call_accuracy": float(np.mean(hit == call)),
            "paid_committed": g["committed_won"].sum() / c_sum if c_sum > 0 else math.nan,
            "paid_possible": g["possible_won"].sum() / p_sum if p_sum > 0 else math.nan,
            "best_committed": float(coef[0]),
            "best_possible": float(coef[1]),
            "best_unforecast": float(coef[2]),
            "best_rmse": math.sqrt(np.mean(best_err**2)),
        })
    return pd.DataFrame(out).set_index("week")
