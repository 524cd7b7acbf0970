"""Queues start as they would be: a standard start warms its queues up (simkit.dynamics).

The standard funnel puts each stage's steady-state deals in place but not the
queues, so a run with a pre-sales pool or a capacity queue starts from it some
weeks before week 0 (``queue_warmup_weeks``). The first quarter's waits must
then match the steady state within sampling error: Erlang C for an M/M/c pool,
and the later quarters' cycle times for a capacity-capped rep. Tolerances are
Z * s / sqrt(n), n the replication count (Z from team_helpers).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from team_helpers import Z, exp

import simkit
from simkit.sim.dynamics import queue_warmup_weeks


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    top = a**c / math.factorial(c) / (1 - a / c)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def _first_quarter_waits(sc, n, seed):
    w = simkit.simulate(sc, n, seed).waits
    w = w[w["requested"] < 12.0]  # requests of the first quarter, all served by week 24
    return w.groupby("replication")["wait"].mean().reindex(range(n)).to_numpy()


# Exponential intent times make the flow into solution Poisson (Burke), exponential
# solution times make each pool an M/M/c queue: 28.6 solution deals a week in all.
CASES = {
    "shared M/M/5 at 90%": ({"consultants": 5}, 0.1575, [(5, 1.0)]),
    "two team pools M/M/3 at 85%": ({"consultants": 6, "pool": "per_team", "teams": 2},
                                    0.1785, [(3, 0.5), (3, 0.5)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_quarter_presales_wait_is_erlang_c(small, case):
    pool, mean, pools = CASES[case]
    sc = small.override({"funnel.stages.intent.duration": exp(1.0),
                         "funnel.stages.solution.duration": exp(mean),
                         "presales": pool, "horizon.quarters": 2})
    assert queue_warmup_weeks(sc) > 0
    n = 240
    per_rep = _first_quarter_waits(sc, n, seed=31)
    lam = sc.team.reps * sc.leads.per_rep_per_week * sc.funnel.conversions[0]
    # the per-request mean over the pools, each pool's wait weighted by its share of requests
    theory = sum(share * erlang_c_wait(c, lam * share, 1 / mean) for c, share in pools)
    tol = Z * per_rep.std(ddof=1) / math.sqrt(n)
    assert abs(per_rep.mean() - theory) <= tol, (per_rep.mean(), theory, tol)


def test_without_the_warm_up_the_first_quarter_waits_less():
    # what the warm-up fixes: a standard start without it opens with an empty queue
    sc = simkit.preset("small-projects").override({
        "funnel.stages.intent.duration": exp(1.0),
        "funnel.stages.solution.duration": exp(0.1575), "presales": {"consultants": 5},
        "horizon.quarters": 2, "horizon.start.queue_warmup_weeks": 0})
    n = 240
    per_rep = _first_quarter_waits(sc, n, seed=31)
    theory = erlang_c_wait(5, 10 * 5 * sc.funnel.conversions[0], 1 / 0.1575)
    assert per_rep.mean() + Z * per_rep.std(ddof=1) / math.sqrt(n) < theory


def test_first_quarter_cycle_times_of_a_capped_rep_are_the_later_quarters(small):
    # 12 deals a rep, the rep's slots about 77% busy, so new deals queue now and then.
    sc = small.override({"capacity": {"max_open_deals": 12}, "horizon.quarters": 4,
                         "team.reps": 4})
    assert queue_warmup_weeks(sc) > 0
    n = 80
    d = simkit.simulate(sc, n, seed=8).deals
    d = d[~d["initial"]].assign(cycle=d["closed_at"] - d["entered"])

    def mean_cycle(lo, hi):
        x = d[(d["entered"] >= lo) & (d["entered"] < hi)]
        assert x["closed_at"].notna().all()
        return x.groupby("replication")["cycle"].mean().reindex(range(n)).to_numpy()

    diff = mean_cycle(0, 12) - mean_cycle(24, 36)  # paired by replication
    assert abs(diff.mean()) <= Z * diff.std(ddof=1) / math.sqrt(n), diff.mean()
    # and the cap binds: cycles are longer than the funnel's own (slot waits are in them)
    assert np.mean(mean_cycle(24, 36)) > 1.01 * sum(
        math.prod(sc.funnel.conversions[:k]) * s.duration.mean
        for k, s in enumerate(sc.funnel.stages))


def test_the_warm_up_is_said_and_can_be_set(small):
    sc = small.override({"presales": {"consultants": 12}})
    res = simkit.simulate(sc, 2, 1)
    assert res.summary()["queue_warmup_weeks"] == queue_warmup_weeks(sc) > 0
    assert (res.waits["requested"] >= 0).all()
    off = sc.override({"horizon.start.queue_warmup_weeks": 0})
    assert queue_warmup_weeks(off) == 0
    assert queue_warmup_weeks(small) == 0  # no queue, nothing to warm up
    assert queue_warmup_weeks(small.override({"presales": {"consultants": 12},
                                              "horizon.start": {"mode": "empty"}})) == 0
    with pytest.raises(simkit.ScenarioError, match="queue_warmup_weeks"):
        small.override({"horizon.start": {"mode": "empty", "queue_warmup_weeks": 3}})
