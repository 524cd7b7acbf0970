"""Back-test: calibrate at a cutoff, simulate the next horizon, compare with what happened.

For each cutoff the scenario is estimated from :func:`.estimate.as_of` data
only (no leakage), simulated forward from the open pipeline plus new
arrivals, and its won count and won amount - team and per rep - compared
with the actual ones in ``[cutoff, cutoff + horizon)``. Two naive baselines
use the same known data: the last horizon-length period carried forward,
and the mean of the last two.

Metrics per (cutoff, method, target):

- ``forecast``, ``actual``: team totals (the model's is the simulated mean);
- ``bias``: (forecast - actual) / actual, signed;
- ``rep_wape``: sum over reps of |forecast - actual| / sum of actual;
- ``p10``, ``p90``, ``in_80``: the model's team 80% interval and whether the
  actual fell inside (1 / 0);
- ``rep_coverage_80``: share of reps whose actual fell in their own 80%
  interval. Baselines are point forecasts: their interval metrics are NaN.

The row ``cutoff = "all"`` averages each metric over the cutoffs (``in_80``
becomes the share of cutoffs covered); it reports the mean |bias|
(``abs_bias``), never the mean signed bias, which lets errors cancel. A
target the export does not contain (won amount without deal values) is NaN
("not available") in every row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SimkitInputError
from ..simulation import DEFAULT_SEED, simulate
from .estimate import DEFAULT_LOOKBACK_WEEKS, WEEK, Estimate, _cutoff, estimate

__all__ = ["METHODS", "TARGETS", "BacktestResult", "backtest", "parse_horizon"]

METHODS = ("model", "last_quarter", "mean_two_quarters")
TARGETS = ("won_amount", "wins")
METRICS = ("forecast", "actual", "bias", "abs_bias", "rep_wape", "p10", "p90", "in_80",
           "rep_coverage_80")


def parse_horizon(value: str | int) -> int:
    """``quarter`` (13 calendar weeks) or a whole number of weeks from 1 to 26."""
    v = str(value).strip().lower()
    if v in ("quarter", "q"):
        return 13
    v = v.removesuffix("w").removesuffix("weeks").strip()
    if v.isdigit() and 1 <= int(v) <= 26:
        return int(v)
    raise SimkitInputError("--horizon", value, "'quarter' (13 weeks) or a number of weeks 1-26")


@dataclass(frozen=True)
class BacktestResult:
    """``table``: long records (cutoff, method, target, metric, value); ``reps``: per-rep detail."""

    table: pd.DataFrame
    reps: pd.DataFrame
    estimates: dict[str, Estimate]
    horizon_weeks: int
    replications: int
    seed: int

    def records(self) -> list[dict]:
        out = []
        for r in self.table.itertuples(index=False):
            v = None if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)) \
                else float(r.value)
            out.append({"cutoff": r.cutoff, "method": r.method, "target": r.target,
                        "metric": r.metric, "value": v})
        return out

    def wide(self) -> pd.DataFrame:
        """One row per (cutoff, target, metric), one column per method."""
        w = self.table.pivot_table(index=["cutoff", "target", "metric"], columns="method",
                                   values="value", aggfunc="first", dropna=False, sort=False)
        w = w.reindex(columns=[m for m in METHODS if m in w.columns])
        w.columns.name = None
        return w.reset_index()


def _won_by_rep(deals: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    w = deals[(deals["status"] == "won") & (deals["closed"] >= lo) & (deals["closed"] < hi)]
    g = w.groupby("rep")
    return pd.DataFrame({"wins": g.size(), "won_amount": g["amount"].sum(min_count=1).fillna(0)})


def backtest(deals: pd.DataFrame, cutoffs: Sequence, *, horizon_weeks: int = 13,
             replications: int = 200, seed: int = DEFAULT_SEED,
             lookback_weeks: float = DEFAULT_LOOKBACK_WEEKS, source: str = "export",
             progress: bool | None = None) -> BacktestResult:
    """Rolling-origin back-test of the calibrated simulation against the naive baselines."""
    if not cutoffs:
        raise SimkitInputError("--cutoff", None, "at least one date")
    cs = sorted({_cutoff(c) for c in cutoffs})
    h = horizon_weeks * WEEK
    last = deals[["created", "closed"]].max().max()
    rows, rep_rows, ests = [], [], {}
    for c in cs:
        if c + h > last + pd.Timedelta(days=1):
            raise SimkitInputError(
                "--cutoff", str(c.date()),
                f"a date at least {horizon_weeks} weeks before the export's last date "
                f"({last.date()}), so the forecast can be compared with what happened")
        key = str(c.date())
        est = estimate(deals, c, lookback_weeks=lookback_weeks, source=source)
        ests[key] = est
        sc = est.scenario(horizon_weeks)
        res = simulate(sc, replications=replications, seed=seed, progress=progress)
        rq = res.rep_quarters[res.rep_quarters["quarter"] == 1]
        names = est.reps["rep"].to_numpy()
        sim = {t: rq.pivot(index="replication", columns="rep", values=t)
               .rename(columns=dict(enumerate(names))) for t in TARGETS}
        actual = _won_by_rep(deals, c, c + h)
        known = deals[deals["closed"] < c]
        q1 = _won_by_rep(known, c - h, c)
        q2 = _won_by_rep(known, c - 2 * h, c - h)
        reps = sorted(set(names) | set(actual.index) | set(q1.index) | set(q2.index))
        amounts_ok = est.amounts_available
        for t in TARGETS:
            if t == "won_amount" and not amounts_ok:
                # No deal values in the export: not available, never scored against 0.
                rows += [(key, m, t, k, math.nan) for m in METHODS for k in METRICS]
                continue
            a = actual[t].reindex(reps).fillna(0.0)
            s = sim[t].reindex(columns=reps).fillna(0.0)
            fc = {
                "model": s.mean(axis=0),
                "last_quarter": q1[t].reindex(reps).fillna(0.0),
                "mean_two_quarters": (q1[t].reindex(reps).fillna(0.0)
                                      + q2[t].reindex(reps).fillna(0.0)) / 2,
            }
            team_sim = s.sum(axis=1).to_numpy()
            lo_r, hi_r = s.quantile(0.1, axis=0), s.quantile(0.9, axis=0)
            for m, f in fc.items():
                tot_f, tot_a = float(f.sum()), float(a.sum())
                vals = {
                    "forecast": tot_f, "actual": tot_a,
                    "bias": (tot_f - tot_a) / tot_a if tot_a > 0 else math.nan,
                    "abs_bias": abs(tot_f - tot_a) / tot_a if tot_a > 0 else math.nan,
                    "rep_wape": float((f - a).abs().sum() / tot_a) if tot_a > 0 else math.nan,
                    "p10": math.nan, "p90": math.nan, "in_80": math.nan,
                    "rep_coverage_80": math.nan,
                }
                if m == "model":
                    p10, p90 = np.quantile(team_sim, [0.1, 0.9])
                    vals |= {"p10": float(p10), "p90": float(p90),
                             "in_80": float(p10 <= tot_a <= p90),
                             "rep_coverage_80": float(((a >= lo_r) & (a <= hi_r)).mean())}
                rows += [(key, m, t, k, v) for k, v in vals.items()]
                for r in reps:
                    rep_rows.append((key, m, t, r, float(f[r]), float(a[r]),
                                     float(lo_r[r]) if m == "model" else math.nan,
                                     float(hi_r[r]) if m == "model" else math.nan))
    table = pd.DataFrame(rows, columns=["cutoff", "method", "target", "metric", "value"])
    # Over cutoffs: means, except the signed bias (+24% and -16% are not "+4%"): the
    # "all" row reports mean |bias| only.
    summary = (table[table["metric"] != "bias"]
               .groupby(["method", "target", "metric"], sort=False)["value"]
               .mean().reset_index())
    summary.insert(0, "cutoff", "all")
    table = pd.concat([table, summary[table.columns]], ignore_index=True)
    rep_table = pd.DataFrame(rep_rows, columns=["cutoff", "method", "target", "rep", "forecast",
                                                "actual", "p10", "p90"])
    return BacktestResult(table=table, reps=rep_table, estimates=ests,
                          horizon_weeks=horizon_weeks, replications=replications, seed=seed)
