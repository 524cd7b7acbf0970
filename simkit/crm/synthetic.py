"""Synthetic CRM exports made with simkit itself, where the truth is known.

:func:`synthetic_history` runs a one-stage scenario through simkit's engine
with the artefacts real exports have, and writes it in the Salesforce
opportunity-report shape the importer reads (``Id, Owner, StageName,
CreatedDate, CloseDate, Amount, IsClosed, IsWon``):

- arrivals with a trend and annual seasonality (a weekly plan drawn as
  Poisson counts around ``base * (1 + growth t) * (1 + season sin)``) on
  top of each rep's own Poisson prospecting;
- reps of different skill (conversion 1.5 / 1.0 / 0.6) and prospecting;
- a stalled share that grows for recent cohorts: a deal created in week x
  never closes with probability ``stall_start + (stall_end - stall_start) x / weeks``;
- a tracking stop: losses after ``loss_stop_week`` are not recorded (those
  deals stay open in the export), while wins still are;
- optionally a burst (or drop) of new deals over some weeks (``burst``).

It returns the export (text columns, as a file would be read) and the
truth (the canonical deal table with every true outcome), so a back-test
on the export can be scored against what really happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simkit.model.files import scenario_from_dict
from simkit.sim.dispatch import simulate

__all__ = ["T0", "synthetic_history"]

T0 = pd.Timestamp("2021-01-04")


def synthetic_history(seed: int, *, weeks: int = 156, base: float = 24.0, growth: float = 0.6,
                      season: float = 0.3, per_rep_per_week: float = 1.0, win_prob: float = 0.35,
                      win_mean: float = 6.0, win_cv: float = 0.6, stall_start: float = 0.05,
                      stall_end: float = 0.35, loss_stop_week: float | None = None,
                      deal_mean: float = 2.0, deal_cv: float = 0.8,
                      burst: tuple[float, float, float] | None = None):
    """(export, truth) for one synthetic history of ``weeks`` weeks (see the module doc).

    ``burst = (start, stop, factor)`` multiplies the planned arrivals of weeks
    ``[start, stop)`` by ``factor``: a one-off burst (or drop) when it stops,
    a lasting change when ``stop`` is the history's end.
    """
    rng = np.random.default_rng(seed)
    wk = np.arange(weeks)
    phase = rng.uniform(0, 52)
    lam = base * (1 + growth * wk / weeks) * (1 + season * np.sin(2 * np.pi * (wk + phase) / 52))
    if burst is not None:
        start, stop, factor = burst
        lam = lam * np.where((wk >= start) & (wk < stop), factor, 1.0)
    plan = rng.poisson(lam).astype(float)
    sc = scenario_from_dict({
        "name": f"synthetic-{seed}",
        "funnel": {"stages": [{"name": "pipeline", "win_prob": win_prob,
                               "duration": {"kind": "gamma", "mean": win_mean, "cv": win_cv}}]},
        "leads": {"per_rep_per_week": per_rep_per_week, "weekly_plan": plan.tolist()},
        "deal_size": {"kind": "lognormal", "mean": deal_mean, "cv": deal_cv},
        "team": {"reps": 8, "archetypes": [
            {"name": "strong", "share": 0.25, "conversion": 1.5, "prospecting": 1.3},
            {"name": "average", "share": 0.5},
            {"name": "weak", "share": 0.25, "conversion": 0.6, "prospecting": 0.7}]},
        "quota": {"team_per_quarter": 100.0, "weeks_per_quarter": 13},
        "horizon": {"quarters": int(np.ceil(weeks / 13)), "start": {"mode": "empty"}},
    })
    d = simulate(sc, replications=1, seed=int(seed), progress=False).deals
    d = d[d["entered"] < weeks].reset_index(drop=True)
    status = d["outcome"].astype(str).to_numpy().copy()
    closed_w = d["closed_at"].to_numpy(float).copy()
    x = d["entered"].to_numpy(float)
    stall = rng.random(len(d)) < stall_start + (stall_end - stall_start) * x / weeks
    status[stall] = "open"
    closed_w[stall | (status == "open") | (closed_w >= weeks)] = np.nan
    status[np.isnan(closed_w)] = "open"
    wkd = pd.Timedelta(weeks=1)
    truth = pd.DataFrame({
        "deal_id": [f"006S{seed:03d}{i:06d}" for i in d["deal_id"]],
        "rep": [f"Rep {r}" for r in d["rep"]],
        "created": T0 + pd.to_timedelta(x * 7, unit="D"),
        "closed": T0 + pd.to_timedelta(closed_w * 7, unit="D"),
        "status": status, "stage": status, "amount": d["amount"].to_numpy(float),
        "product": None, "source": None, "region": None, "account": None})
    truth["created"] = truth["created"].dt.floor("D")
    truth["closed"] = truth["closed"].dt.floor("D")
    truth.loc[truth["closed"] < truth["created"], "closed"] = truth["created"]
    # the export: losses after the stop are not recorded (the deal stays open)
    exp_status = truth["status"].copy()
    if loss_stop_week is not None:
        stop = T0 + loss_stop_week * wkd
        exp_status[(truth["status"] == "lost") & (truth["closed"] >= stop)] = "open"
    is_closed = exp_status != "open"
    stage = exp_status.map({"won": "Closed Won", "lost": "Closed Lost", "open": "Negotiation"})
    expected_close = truth["created"] + pd.Timedelta(days=45)
    close = truth["closed"].where(is_closed, expected_close)
    export = pd.DataFrame({
        "Id": truth["deal_id"], "Owner": truth["rep"], "StageName": stage,
        "CreatedDate": truth["created"].dt.strftime("%m/%d/%Y"),
        "CloseDate": close.dt.strftime("%m/%d/%Y"),
        "Amount": (truth["amount"] * 10_000).round(2).map(lambda v: f"{v:.2f}"),
        "IsClosed": np.where(is_closed, "true", "false"),
        "IsWon": np.where(exp_status == "won", "true", "false")})
    return export, truth
