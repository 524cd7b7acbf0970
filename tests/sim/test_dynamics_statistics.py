"""Statistical checks of the team dynamics against closed forms.

Each test compares a per-replication statistic's mean with theory within
Z * s / sqrt(n), n the replication count (Z from team_helpers).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from team_helpers import Z, det, exp

import simkit


def _within(values, theory):
    v = np.asarray(values, float)
    tol = Z * v.std(ddof=1) / math.sqrt(len(v))
    assert abs(v.mean() - theory) <= tol, (v.mean(), theory, tol)


def test_ramped_hires_win_the_fully_ramped_figure_times_the_average_ramp(small):
    # Stages of 0.01 weeks: a deal closes almost as it enters, so the wins of
    # a hire over [0, T] are arrivals x win rate x the ramp's integral.
    fast = {f"funnel.stages.{s}.duration": det(0.01) for s in small.funnel.names}
    sc = small.override({**fast, "team.reps": 1, "horizon.quarters": 2,
                         "horizon.start": {"mode": "empty"},
                         "hiring": {"plan": [{"week": 0, "count": 5}]}, "ramp": {}})
    n = 40
    res = simkit.simulate(sc, replications=n, seed=7)
    d = res.deals
    wins = (d[(d["rep"] >= 1) & (d["outcome"] == "won")].groupby("replication").size()
            .reindex(range(n), fill_value=0))
    t_end = 24.0 - 0.03  # a deal entering later than this is still open
    avg_ramp = sc.ramp.integral(0, t_end) / t_end
    full = 5 * sc.leads.per_rep_per_week * sc.funnel.win_rate * t_end
    _within(wins, full * avg_ramp)


def test_littles_law_for_open_deals_per_rep_with_a_capacity_cap(small):
    reps = 10
    sc = small.override({"capacity": {"max_open_deals": 12}, "horizon.quarters": 4,
                         "team.reps": reps})
    n = 20
    res = simkit.simulate(sc, replications=n, seed=3)
    lo, hi = 12.0, 36.0
    snap = res.snapshots
    snap = snap[(snap["week"] >= lo) & (snap["week"] <= hi)]
    level = snap.groupby(["replication", "week"])["count"].sum().groupby("replication").mean()
    d = res.deals
    d = d[(d["entered"] >= lo) & (d["entered"] < hi)]
    assert d["closed_at"].notna().all()  # every one closed by week 48
    g = d.assign(stay=d["closed_at"] - d["entered"]).groupby("replication")
    lam_w = g.size() / (hi - lo) * g["stay"].mean()
    # L = lambda W per rep, replication by replication
    _within((level - lam_w) / reps, 0.0)
    assert (level / reps).mean() > 8  # the cap binds now and then, so waits are in W


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize("consultants", [4, 5])
def test_presales_wait_matches_erlang_c(small, consultants):
    # Exponential intent times make the flow into solution Poisson (Burke);
    # exponential solution times make the pool an M/M/c queue (load 2.86
    # Erlangs). Requests from week 2 (past the start-up) to week 22 (all served
    # by the horizon, so long waits are not cut off).
    sc = small.override({"funnel.stages.intent.duration": exp(1.0),
                         "funnel.stages.solution.duration": exp(0.1),
                         "presales": {"consultants": consultants}, "horizon.quarters": 2})
    n = 40
    res = simkit.simulate(sc, replications=n, seed=21)
    w = res.waits
    w = w[(w["requested"] >= 2.0) & (w["requested"] < 22.0)]
    per_rep = w.groupby("replication")["wait"].mean()
    lam = sc.team.reps * sc.leads.per_rep_per_week * sc.funnel.conversions[0]
    _within(per_rep, erlang_c_wait(consultants, lam, 1 / 0.1))


def test_yearly_attrition_rate_is_recovered_from_leavers(small):
    sc = small.override({"team.reps": 20, "leads.per_rep_per_week": 0.5,
                         "horizon.quarters": 4,
                         "attrition": {"yearly_rate": 0.3, "backfill_weeks": 0.0}})
    n = 30
    res = simkit.simulate(sc, replications=n, seed=5)
    r = res.reps
    t_end = 48.0
    exposure = (r["left_at"].fillna(t_end) - r["hired_at"]).sum()
    leavers = r["left_at"].notna().sum()
    h = sc.attrition.hazard_per_week(12)
    # leavers ~ Poisson(h * exposure): test the hazard, then report it as a yearly rate
    assert abs(leavers / exposure - h) <= Z * math.sqrt(h * exposure) / exposure
    rate = 1 - math.exp(-leavers / exposure * 48)
    assert abs(rate - 0.3) < 0.05
