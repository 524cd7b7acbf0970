"""Behavioural checks: the levers move results the way they must."""

from __future__ import annotations

import numpy as np
import pytest

import simkit
from simkit.planning.solvers import compare
from simkit.planning.sweep import sweep


def test_a_smaller_presales_pool_never_shortens_cycles(small):
    # 8.6 Erlangs of pre-sales work (28.6 solution deals a week x 0.3 weeks)
    sizes = [10, 11, 13, 40]
    means = []
    for c in sizes:
        # no queue warm-up: its length follows the pool's load, and a path-by-path
        # comparison needs the same starting state in every run
        res = simkit.simulate(small.override({"presales": {"consultants": c, "share": 0.3},
                                              "horizon.quarters": 2,
                                              "horizon.start.queue_warmup_weeks": 0}),
                              replications=6, seed=4)
        d = res.deals
        d = d[d["entered"] < 12.0]  # the same deals in every run, all closed by week 24
        assert d["closed_at"].notna().all()
        cycle = d["closed_at"] - d["entered"]
        means.append(cycle.groupby(d["replication"]).mean().to_numpy())
    means = np.array(means)
    # the same deals on the same seeds: replication by replication, more staff never slows
    assert np.all(np.diff(means, axis=0) <= 1e-12)
    assert means[0].mean() > means[-1].mean()  # and a tight pool is visibly slower


@pytest.mark.slow
def test_capacity_caps_make_wins_flatten_as_prospecting_grows(small):
    grid = {"leads.per_rep_per_week": [2, 4, 8, 16]}
    free = sweep(small, grid, replications=6, seed=2, backend="serial")
    # start empty after a warm-up: a standard start would bring the uncapped funnel along
    capped = sweep(small.override({"capacity": {"max_open_deals": 6,
                                                "when_full": "prospect_less"},
                                   "horizon.start": {"mode": "empty", "warmup_weeks": 6}}),
                   grid, replications=6, seed=2, backend="serial")
    w_free = free[free["metric"] == "wins_per_quarter"]["mean"].to_numpy()
    w_cap = capped[capped["metric"] == "wins_per_quarter"]["mean"].to_numpy()
    assert np.all(np.diff(w_free) > 0) and w_free[3] > 1.8 * w_free[2]
    gains = np.diff(w_cap)
    assert np.all(gains[1:] < gains[:-1])  # diminishing returns
    assert w_cap[3] < 1.2 * w_cap[2]  # "just prospect more" stops paying
    assert np.all(w_cap <= w_free + 1e-9)


@pytest.mark.slow
def test_attrition_lowers_attainment(small):
    base = small.override({"horizon.quarters": 4, "ramp": {},
                           "attrition": {"yearly_rate": 0.0, "open_deals_lost": 0.5}})
    table = sweep(base, {"attrition.yearly_rate": [0.0, 0.3, 0.6]}, replications=8, seed=3,
                  backend="serial")
    att = table[table["metric"] == "attainment"]["mean"].to_numpy()
    assert att[0] > att[1] > att[2]


@pytest.mark.slow
def test_common_random_numbers_shrink_the_paired_difference(small):
    a = small
    b = small.override({"leads.per_rep_per_week": 5.5})
    crn = compare(a, b, replications=20, seed=1).set_index("metric")
    indep = compare(a, b, replications=20, seed=1, seed_b=1001).set_index("metric")
    # both measured: the same lever, same replication count, seeds shared or not
    assert crn.loc["attainment", "diff_se"] < 0.5 * indep.loc["attainment", "diff_se"]
    assert crn.loc["attainment", "correlation"] > 0.8
    assert crn.loc["attainment", "ci_low"] > 0  # more prospecting: a visible gain
