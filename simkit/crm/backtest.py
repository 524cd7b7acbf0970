"""Back-test: calibrate at a cutoff, simulate the next horizon, compare with what happened.

For each cutoff the scenario is estimated from :func:`.estimate.as_of` data
only (no leakage), simulated forward from the open pipeline plus new
arrivals, and its won count and won amount - team and per rep - compared
with the actual ones in ``[cutoff, cutoff + horizon)``. Baselines use the
same known data:

- ``last_quarter``: the last horizon-length period carried forward;
- ``mean_two_quarters``: the mean of the last two;
- ``seasonal_naive``: the same period a year (52 weeks) earlier - not
  available when the export's closes do not reach back that far;
- ``pipeline_weighted``: the CRM's forecast, open amount x stage win
  probability plus the run rate of new business. The exports carry no stage
  history, so the stage probability is the win rate of deals closed in the
  lookback (won / (won + lost); won / created when losses are not
  recorded); the open pipeline is the deals open at the cutoff created in
  the lookback (older ones are the CRM's dead wood), valued at their amount
  when known, else at the mean won amount; the run rate is what was won in
  the last horizon-length period from deals created in it.

Scores per (cutoff, method, target) are described in :mod:`.scoring`. A
target the export does not contain (won amount without deal values) is NaN
("not available") in every row. The ``cutoff = "all"`` rows summarise over
folds: mean |bias| (``abs_bias``, never the mean signed bias, which lets
errors cancel), mean WAPE and CRPS, the share of folds whose team interval
covered, and per-rep coverage pooled over all (fold, rep) pairs, with the
P5-P95 range a calibrated model would score on the same folds
(``rep_coverage_80_lo`` / ``_hi``, :func:`.scoring.coverage_range`). Each
fold's simulated methods also carry ``p_beats_baselines``: the share of their
own replications, taken as the actual, on which the mean of the others has a
per-rep WAPE below every baseline's (:func:`.scoring.beats_share`): how often
a model that is exactly right would win that fold's WAPE comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError
from simkit.sim.dispatch import DEFAULT_SEED, simulate
from simkit.crm.estimate import (DEFAULT_LOOKBACK_WEEKS, MIN_CREATED, MIN_WON, WEEK, Estimate,
                                 _cutoff, as_of, estimate)
from simkit.crm.scoring import (FOLD_METRICS, beats_share, coverage_range,
                                covered_per_replication, score, scorecard_table, summarise)

__all__ = ["BASELINES", "EVERY", "MAX_ROLLING", "METHODS", "TARGETS", "BacktestResult",
           "backtest", "baselines", "parse_horizon", "rolling_cutoffs", "wape_record"]

BASELINES = ("last_quarter", "mean_two_quarters", "seasonal_naive", "pipeline_weighted")
METHODS = ("model", "scenario_sim", *BASELINES)
TARGETS = ("won_amount", "wins")
METRICS = FOLD_METRICS


def wape_record(table: pd.DataFrame, target: str, method: str = "model") -> dict:
    """Over the folds of ``table``: at how many ``method`` beat the best baseline's per-rep
    WAPE, and at how many a model that is exactly right would on average (the sum of
    ``p_beats_baselines``); folds where no baseline can be scored are left out."""
    t = table[(table["target"] == target) & (table["cutoff"] != "all")]
    w = t[t["metric"] == "rep_wape"].pivot_table(index="cutoff", columns="method",
                                                 values="value", aggfunc="first")
    p = t[(t["metric"] == "p_beats_baselines") & (t["method"] == method)].set_index("cutoff")
    base = w[[b for b in BASELINES if b in w.columns]].min(axis=1, skipna=True)
    ok = base.notna() & w[method].notna() if method in w.columns else base.notna() & False
    won = int((w.loc[ok, method] < base[ok]).sum()) if ok.any() else 0
    expected = float(p["value"].reindex(w.index[ok]).sum()) if ok.any() else math.nan
    return {"folds": int(ok.sum()), "won": won, "expected": expected}


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
    # (method, target) -> per fold: (covered_per_replication of its sample, its reps)
    covered: dict = field(default_factory=dict)

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
        order = list(dict.fromkeys(self.table["method"]))
        w = w.reindex(columns=[m for m in order if m in w.columns])
        w.columns.name = None
        return w.reset_index()

    def scorecard(self, target: str, lang: str = "en") -> pd.DataFrame:
        """Per fold and over folds, every method: see :func:`.scoring.scorecard_table`."""
        return scorecard_table(self.table, target, lang)


def _won_by_rep(deals: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    w = deals[(deals["status"] == "won") & (deals["closed"] >= lo) & (deals["closed"] < hi)]
    g = w.groupby("rep")
    return pd.DataFrame({"wins": g.size().astype(float),
                         "won_amount": g["amount"].sum(min_count=1).fillna(0)})


def _point(values: pd.Series) -> pd.DataFrame:
    return values.to_frame().T.reset_index(drop=True)


def baselines(deals: pd.DataFrame, cutoff, horizon_weeks: int = 13,
              lookback_weeks: float = DEFAULT_LOOKBACK_WEEKS) -> dict[str, dict[str, pd.Series]]:
    """Each baseline's per-rep point forecast for each target, from what was known at ``cutoff``.

    A baseline that the export cannot support is all NaN (not available).
    """
    c = _cutoff(cutoff)
    h = horizon_weeks * WEEK
    known = as_of(deals, c)
    q1 = _won_by_rep(known, c - h, c)
    q2 = _won_by_rep(known, c - 2 * h, c - h)
    out = {"last_quarter": {t: q1[t] for t in TARGETS},
           "mean_two_quarters": {t: q1[t].add(q2[t], fill_value=0.0) / 2 for t in TARGETS}}
    # Seasonal naive: only if closes were recorded a year before the cutoff.
    first_close = known["closed"].min()
    year = 52 * WEEK
    if pd.notna(first_close) and first_close <= c - year:
        s = _won_by_rep(known, c - year, c - year + h)
        out["seasonal_naive"] = {t: s[t] for t in TARGETS}
    else:
        out["seasonal_naive"] = {t: pd.Series(math.nan, index=q1.index) for t in TARGETS}
    # The CRM's pipeline-weighted forecast.
    start = c - lookback_weeks * WEEK
    recent_closed = known[known["closed"] >= start]
    n_won = int((recent_closed["status"] == "won").sum())
    n_lost = int((recent_closed["status"] == "lost").sum())
    if n_lost > 0:
        p_stage = n_won / (n_won + n_lost)
    else:  # losses not recorded: wins per deal created in the lookback
        created = int((known["created"] >= start).sum())
        p_stage = n_won / created if created else 0.0
    won_amt = recent_closed.loc[recent_closed["status"] == "won", "amount"].to_numpy(float)
    won_amt = won_amt[np.isfinite(won_amt) & (won_amt > 0)]
    mean_amt = float(won_amt.mean()) if len(won_amt) else math.nan
    open_now = known[(known["status"] == "open") & (known["created"] >= start)]
    val = open_now["amount"].where(open_now["amount"] > 0).fillna(mean_amt)
    pipe = {"wins": p_stage * open_now.groupby("rep").size().astype(float),
            "won_amount": p_stage * val.groupby(open_now["rep"]).sum()}
    run = known[(known["created"] >= c - h) & (known["status"] == "won")]
    run = _won_by_rep(run, c - h, c)
    out["pipeline_weighted"] = {t: pipe[t].add(run[t], fill_value=0.0) for t in TARGETS}
    return out


Forecaster = Callable[..., dict[str, pd.DataFrame]]


def scenario_forecaster(deals: pd.DataFrame, cutoff, *, horizon_weeks: int, replications: int,
                        seed: int, lookback_weeks: float, source: str = "export",
                        progress=None) -> tuple[dict[str, pd.DataFrame], Estimate]:
    """The calibrated one-stage scenario run by simkit's engine: samples per rep per target."""
    est = estimate(deals, cutoff, lookback_weeks=lookback_weeks, source=source)
    res = simulate(est.scenario(horizon_weeks), replications=replications, seed=seed,
                   progress=progress)
    rq = res.rep_quarters[res.rep_quarters["quarter"] == 1]
    names = est.reps["rep"].to_numpy()
    sim = {t: rq.pivot(index="replication", columns="rep", values=t)
           .rename(columns=dict(enumerate(names))) for t in TARGETS}
    return sim, est


def simulation_forecaster(deals: pd.DataFrame, cutoff, *, horizon_weeks: int, replications: int,
                          seed: int, lookback_weeks: float, source: str = "export",
                          progress=None, **settings) -> tuple[dict[str, pd.DataFrame], Estimate]:
    """The deal-level forecast (:func:`.forecast.forecast`): samples per rep per target."""
    from simkit.crm.forecast import forecast

    est = estimate(deals, cutoff, lookback_weeks=lookback_weeks, source=source)
    # the forecast's own windows are its settings (simkit.crm.forecast.DEFAULTS)
    fc = forecast(deals, cutoff, horizon_weeks=horizon_weeks, replications=replications,
                  seed=seed, **settings)
    return {t: fc.total(t) for t in TARGETS}, est


EVERY = {"month": "MS", "quarter": "QS"}
MAX_ROLLING = 24  # origins a rolling back-test takes at most (the most recent ones)


def rolling_cutoffs(deals: pd.DataFrame, every: str, horizon_weeks: int = 13,
                    max_cutoffs: int = MAX_ROLLING,
                    lookback_weeks: float = DEFAULT_LOOKBACK_WEEKS
                    ) -> tuple[list[pd.Timestamp], int]:
    """Every month's (or quarter's) first day the export can be back-tested from.

    A cutoff needs a whole horizon of the export after it (to score against),
    a horizon of history before it (the last-quarter baseline) and what the
    calibration needs (:func:`.estimate.estimate`): at least 20 deals created
    in the ``lookback_weeks`` before it, 5 of them won before it. Returns the
    most recent ``max_cutoffs`` of them and how many there were in all.
    """
    if every not in EVERY:
        raise SimkitInputError("--every", every, "month or quarter")
    h = horizon_weeks * WEEK
    first = deals["created"].min()
    last = deals[["created", "closed"]].max().max()
    if pd.isna(first):
        return [], 0
    days = pd.date_range((first + h).ceil("D"), last + pd.Timedelta(days=1) - h,
                         freq=EVERY[every])
    created = deals["created"].to_numpy("datetime64[ns]")
    closed = deals["closed"].to_numpy("datetime64[ns]")  # NaT compares False
    won = (deals["status"] == "won").to_numpy()
    cs = []
    for c in days:
        c64 = np.datetime64(c.asm8)
        win = (created >= np.datetime64((c - lookback_weeks * WEEK).asm8)) & (created < c64)
        if win.sum() >= MIN_CREATED and (win & won & (closed < c64)).sum() >= MIN_WON:
            cs.append(c)
    return cs[-max_cutoffs:], len(cs)


def backtest(deals: pd.DataFrame, cutoffs: Sequence, *, horizon_weeks: int = 13,
             replications: int = 200, seed: int = DEFAULT_SEED,
             lookback_weeks: float = DEFAULT_LOOKBACK_WEEKS, source: str = "export",
             progress: bool | None = None,
             models: dict[str, Forecaster] | None = None) -> BacktestResult:
    """Rolling-origin back-test of the calibrated forecast against the baselines.

    ``models`` maps a method name to a forecaster (default: ``model``, the
    deal-level forecast of :mod:`.forecast`, and ``scenario_sim``, the
    calibrated one-stage scenario run by simkit's engine, kept to show what
    the forecast changed).
    """
    if not cutoffs:
        raise SimkitInputError("--cutoff", None, "at least one date")
    cs = sorted({_cutoff(c) for c in cutoffs})
    h = horizon_weeks * WEEK
    last = deals[["created", "closed"]].max().max()
    models = models or {"model": simulation_forecaster, "scenario_sim": scenario_forecaster}
    rows, rep_rows, ests = [], [], {}
    covered: dict[tuple[str, str], list] = {}
    for c in cs:
        if c + h > last + pd.Timedelta(days=1):
            raise SimkitInputError(
                "--cutoff", str(c.date()),
                f"a date at least {horizon_weeks} weeks before the export's last date "
                f"({last.date()}), so the forecast can be compared with what happened")
        key = str(c.date())
        samples = {}
        for name, fc in models.items():
            samples[name], est = fc(deals, c, horizon_weeks=horizon_weeks,
                                    replications=replications, seed=seed,
                                    lookback_weeks=lookback_weeks, source=source,
                                    progress=progress)
            ests.setdefault(key, est)
        base = baselines(deals, c, horizon_weeks, lookback_weeks)
        actual = _won_by_rep(deals, c, c + h)
        amounts_ok = ests[key].amounts_available
        for t in TARGETS:
            forecasts = {m: s[t] for m, s in samples.items()}
            forecasts |= {m: _point(b[t]) for m, b in base.items()}
            reps = sorted(set().union(*(set(f.columns) for f in forecasts.values()),
                                      actual.index))
            a = actual[t].reindex(reps).fillna(0.0)
            for m, f in forecasts.items():
                if t == "won_amount" and not amounts_ok:
                    # Not available: never scored against an actual of 0.
                    rows += [(key, m, t, k, math.nan) for k in METRICS]
                    continue
                if f.isna().all().all():  # a baseline the export cannot support
                    rows += [(key, m, t, k, float(a.sum()) if k == "actual" else math.nan)
                             for k in METRICS]
                    continue
                vals = score(f, a)
                rows += [(key, m, t, k, v) for k, v in vals.items()]
                s = f.reindex(columns=reps).fillna(0.0)
                mean = s.mean(axis=0)
                lo = s.quantile(0.1, axis=0) if len(s) > 1 else pd.Series(math.nan, reps)
                hi = s.quantile(0.9, axis=0) if len(s) > 1 else pd.Series(math.nan, reps)
                if len(s) > 1:
                    covered.setdefault((m, t), []).append(
                        (covered_per_replication(s), len(reps)))
                rep_rows += [(key, m, t, r, float(mean[r]), float(a[r]), float(lo[r]),
                              float(hi[r])) for r in reps]
            if not (t == "won_amount" and not amounts_ok):
                points = {m: f for m, f in forecasts.items()
                          if len(f) == 1 and not f.isna().all().all()}
                for m, f in forecasts.items():
                    if len(f) > 1:
                        share = beats_share(f.reindex(columns=reps).fillna(0.0),
                                            {k: p.iloc[0] for k, p in points.items()})
                        rows.append((key, m, t, "p_beats_baselines", share))
    table = pd.DataFrame(rows, columns=["cutoff", "method", "target", "metric", "value"])
    ref = []
    for (m, t), cs_ in covered.items():
        lo_hi = coverage_range([c for c, _ in cs_], [n for _, n in cs_], seed=seed)
        ref += [("all", m, t, "rep_coverage_80_lo", float(lo_hi[0])),
                ("all", m, t, "rep_coverage_80_hi", float(lo_hi[1]))]
    table = pd.concat([table, summarise(table),
                       pd.DataFrame(ref, columns=table.columns)], ignore_index=True)
    rep_table = pd.DataFrame(rep_rows, columns=["cutoff", "method", "target", "rep", "forecast",
                                                "actual", "p10", "p90"])
    return BacktestResult(table=table, reps=rep_table, estimates=ests,
                          horizon_weeks=horizon_weeks, replications=replications, seed=seed,
                          covered=covered)
