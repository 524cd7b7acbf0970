"""Tables and summary numbers for scenarios with team dynamics or a commission plan.

Used by :class:`simkit.sim.results.Results` when the scenario
:attr:`~simkit.Scenario.uses_dynamics` or has a ``commission`` plan:

- ``reps``: replication x rep: archetype, new_hire, hired_at, left_at (NaN if
  still there at the horizon), seat_quota (quota per quarter when ramped and
  present all quarter).
- ``waits``: pre-sales requests: replication, deal_id, rep, requested,
  started, released, wait (weeks in the queue).
- ``rep_quarters``: one row per rep present in a quarter; ``present_weeks``
  and a ``quota`` prorated for presence and (with ``ramp.ramp_quota``) ramp;
  ``attainment`` NaN where the quota is 0; ``payout`` with a commission plan.
- ``team_quarters``: the team's quota is the branch target
  ``quota.team_per_quarter`` whatever the headcount; ``headcount`` is the
  average number of reps present; ``share_of_reps_at_quota`` counts reps
  with a quota that quarter.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "COMMISSION_SUMMARY_KEYS",
    "TEAM_SUMMARY_KEYS",
    "reps_table",
    "team_rep_quarters",
    "team_summary",
    "team_team_quarters",
    "waits_table",
]

TEAM_SUMMARY_KEYS = ("headcount_mean", "hires_mean", "leavers_mean", "presales_wait_mean",
                     "presales_wait_p90", "queue_warmup_weeks")
COMMISSION_SUMMARY_KEYS = ("commission_mean", "commission_p10", "commission_p50",
                           "commission_p90", "payout_per_rep_p10", "payout_per_rep_p50",
                           "payout_per_rep_p90", "cost_of_sales")

_REP_COLS = ["rep", "archetype", "new_hire", "hired_at", "left_at", "seat_quota"]


def reps_table(res) -> pd.DataFrame:
    sc = res.scenario
    rows = []
    t = sc.horizon.start.week
    initial = [(i, a.name, False, t, math.nan, q) for i, (a, q) in
               enumerate(zip(sc.team.rep_archetypes(), sc.rep_quotas()))]
    # The fast path keeps no recorders; its team is the initial team in every replication.
    recorders = res._recorders or [None] * res.replications
    for r, rec in enumerate(recorders):
        recs = rec.reps if rec is not None else []
        # plain engine: the initial team, there all along
        rows.extend((r if rec is None else rec.replication, *x) for x in (recs or initial))
    df = pd.DataFrame.from_records(rows, columns=["replication", *_REP_COLS])
    df["new_hire"] = df["new_hire"].astype(bool)
    for c in ("hired_at", "left_at", "seat_quota"):
        df[c] = df[c].astype(float)
    return df.sort_values(["replication", "rep"], ignore_index=True)


def waits_table(res) -> pd.DataFrame:
    rows = [(rec.replication, *w) for rec in res._recorders for w in rec.waits]
    df = pd.DataFrame.from_records(
        rows, columns=["replication", "deal_id", "rep", "requested", "started", "released"])
    for c in ("requested", "started", "released"):
        df[c] = df[c].astype(float)
    df["wait"] = df["started"] - df["requested"]
    return df.sort_values(["replication", "requested", "deal_id"], ignore_index=True)


def team_rep_quarters(res) -> pd.DataFrame:
    sc = res.scenario
    wpq, quarters = sc.quota.weeks_per_quarter, sc.horizon.quarters
    t_end = float(wpq * quarters)
    reps = res.reps
    rows = reps.loc[reps.index.repeat(quarters)].reset_index(drop=True)
    q = np.tile(np.arange(quarters), len(reps))
    q_lo, q_hi = q * wpq, (q + 1) * wpq
    new = rows["new_hire"].to_numpy()
    # Reps of the starting team count as present from the quarter's start.
    start = np.where(new, np.maximum(rows["hired_at"].to_numpy(), q_lo), q_lo)
    left = rows["left_at"].fillna(t_end).to_numpy()
    end = np.minimum(left, q_hi)
    present = np.clip(end - start, 0.0, None)
    weighted = present.copy()
    if sc.ramp is not None and sc.ramp.ramp_quota:
        hired = rows["hired_at"].to_numpy()
        for i in np.flatnonzero(new & (present > 0)):
            weighted[i] = sc.ramp.integral(start[i] - hired[i], end[i] - hired[i])
    out = pd.DataFrame({
        "replication": rows["replication"].to_numpy(), "rep": rows["rep"].to_numpy(),
        "quarter": q + 1, "archetype": rows["archetype"].to_numpy(), "new_hire": new,
        "present_weeks": present, "quota": rows["seat_quota"].to_numpy() * weighted / wpq,
    })
    out = out[present > 0].reset_index(drop=True)
    d = res.deals
    won = d[d["outcome"] == "won"]
    qw = np.floor(won["closed_at"].to_numpy() / wpq).astype(np.int64) + 1
    agg = (pd.DataFrame({"replication": won["replication"].to_numpy(),
                         "rep": won["rep"].to_numpy(), "quarter": qw,
                         "amount": won["amount"].to_numpy()})
           .groupby(["replication", "rep", "quarter"], sort=False)["amount"]
           .agg(["size", "sum"]))
    key = pd.MultiIndex.from_frame(out[["replication", "rep", "quarter"]])
    agg = agg.reindex(key)
    out["wins"] = agg["size"].fillna(0).to_numpy().astype(np.int64)
    won_amount = agg["sum"].fillna(0.0).to_numpy()
    realised = sc.horizon.start.realised
    if realised:
        first = (out["quarter"].to_numpy() == 1) & ~out["new_hire"].to_numpy()
        won_amount = won_amount + np.where(first, realised / sc.team.reps, 0.0)
    out["won_amount"] = won_amount
    quota = out["quota"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["attainment"] = np.where(quota > 0, won_amount / np.where(quota > 0, quota, 1), np.nan)
    if sc.commission is not None:
        out["payout"] = sc.commission.payout(won_amount, quota)
    return out


def team_team_quarters(res) -> pd.DataFrame:
    sc = res.scenario
    rq = res.rep_quarters.copy()
    rq["at_quota"] = np.where(rq["quota"] > 0, (rq["attainment"] >= 1.0).astype(float), np.nan)
    aggs = {"wins": ("wins", "sum"), "won_amount": ("won_amount", "sum"),
            "present_weeks": ("present_weeks", "sum"), "share_of_reps_at_quota": ("at_quota", "mean")}
    if "payout" in rq:
        aggs["payout"] = ("payout", "sum")
    out = rq.groupby(["replication", "quarter"], sort=True).agg(**aggs)
    full = pd.MultiIndex.from_product(
        [sorted(rq["replication"].unique()), range(1, sc.horizon.quarters + 1)],
        names=["replication", "quarter"])
    out = out.reindex(full).fillna({"wins": 0, "won_amount": 0.0, "present_weeks": 0.0,
                                    "payout": 0.0})
    out["wins"] = out["wins"].astype(np.int64)
    out.insert(0, "quota", float(sc.quota.team_per_quarter))
    out["attainment"] = out["won_amount"] / out["quota"]
    out["headcount"] = out.pop("present_weeks") / sc.quota.weeks_per_quarter
    out = out.reset_index()
    cols = ["replication", "quarter", "quota", "wins", "won_amount", "attainment",
            "share_of_reps_at_quota", "headcount"] + (["payout"] if "payout" in out else [])
    return out[cols]


def team_summary(res) -> dict:
    """The extra summary numbers (keys in TEAM_SUMMARY_KEYS / COMMISSION_SUMMARY_KEYS)."""
    from simkit.sim.dynamics import queue_warmup_weeks

    sc = res.scenario
    tq = res.team_quarters
    out: dict = {}
    if sc.uses_dynamics:
        reps = res.reps
        n = res.replications
        w = res.waits["wait"].to_numpy() if sc.presales is not None else np.empty(0)
        out.update({
            "headcount_mean": float(tq["headcount"].mean()),
            "hires_mean": float(reps["new_hire"].sum() / n),
            "leavers_mean": float(reps["left_at"].notna().sum() / n),
            "presales_wait_mean": float(w.mean()) if len(w) else math.nan,
            "presales_wait_p90": float(np.quantile(w, 0.9)) if len(w) else math.nan,
            # weeks the queues were warmed up before week 0 (simkit.sim.dynamics.queue_warmup_weeks)
            "queue_warmup_weeks": queue_warmup_weeks(sc),
        })
    if sc.commission is not None:
        pay = tq["payout"].to_numpy()
        per_rep = res.rep_quarters["payout"].to_numpy()
        won = float(tq["won_amount"].sum())
        out.update({
            "commission_mean": float(pay.mean()),
            "commission_p10": float(np.quantile(pay, 0.1)),
            "commission_p50": float(np.quantile(pay, 0.5)),
            "commission_p90": float(np.quantile(pay, 0.9)),
            "payout_per_rep_p10": float(np.quantile(per_rep, 0.1)),
            "payout_per_rep_p50": float(np.quantile(per_rep, 0.5)),
            "payout_per_rep_p90": float(np.quantile(per_rep, 0.9)),
            "cost_of_sales": float(pay.sum() / won) if won > 0 else math.nan,
        })
    return out
