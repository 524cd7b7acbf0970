"""Exact traces of the team dynamics on tiny deterministic scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from team_helpers import det

import simkit


@pytest.fixture
def one_stage():
    """One stage every deal wins after exactly 1 week; 3 reps."""
    return simkit.Scenario.model_validate({
        "funnel": {"stages": [{"name": "negotiation", "win_prob": 1.0, "duration": det(1.0)}]},
        "leads": {"per_rep_per_week": 0.0}, "deal_size": {"kind": "deterministic", "mean": 1.0},
        "team": {"reps": 1}, "quota": {"team_per_quarter": 10.0},
        "horizon": {"start": {"mode": "snapshot", "counts": [3]}},
    })


def test_capacity_one_works_deals_one_after_another(one_stage):
    free = simkit.simulate(one_stage, replications=1, seed=5).deals
    capped = simkit.simulate(one_stage.override({"capacity": {"max_open_deals": 1}}),
                             replications=1, seed=5).deals
    # The same three deals (common random numbers): without a cap each closes
    # after its own remaining time; with one slot they close one after another.
    residual = free.sort_values("deal_id")["closed_at"].to_numpy()
    assert np.allclose(capped.sort_values("deal_id")["closed_at"], np.cumsum(residual))
    assert (capped["outcome"] == "won").all()


def test_presales_pool_of_one_serialises_the_stage(one_stage):
    free = simkit.simulate(one_stage, replications=1, seed=5).deals
    sc = one_stage.override({"presales": {"consultants": 1, "stage": "negotiation"}})
    res = simkit.simulate(sc, replications=1, seed=5)
    residual = free.sort_values("deal_id")["closed_at"].to_numpy()
    assert np.allclose(res.deals.sort_values("deal_id")["closed_at"], np.cumsum(residual))
    w = res.waits.sort_values("deal_id")
    assert np.allclose(w["wait"], np.concatenate([[0.0], np.cumsum(residual)[:-1]]))


def test_planned_hire_starts_at_its_week_with_its_own_streams(small):
    base = small.override({"team.reps": 2})
    sc = base.override({"hiring": {"plan": [{"week": 2.5, "count": 1}]}})
    res = simkit.simulate(sc, replications=1, seed=3)
    reps = res.reps
    assert list(reps["rep"]) == [0, 1, 2]
    assert list(reps["new_hire"]) == [False, False, True]
    assert reps["hired_at"].iloc[2] == 2.5
    d = res.deals
    assert (d.loc[d["rep"] == 2, "entered"] >= 2.5).all()
    # Hiring leaves the starting team's deals exactly as they were (common random numbers).
    plain = simkit.simulate(base, replications=1, seed=3).deals
    cols = ["deal_id", "entered", "amount", "outcome", "closed_at"]
    mine = d[d["rep"] < 2].sort_values(["rep", "entered"])[cols[1:]].reset_index(drop=True)
    theirs = plain.sort_values(["rep", "entered"])[cols[1:]].reset_index(drop=True)
    assert mine.equals(theirs)


def _leaving(small, lost):
    sc = small.override({"team.reps": 4, "attrition": {"yearly_rate": 0.9, "backfill": False,
                                                       "open_deals_lost": lost},
                         "horizon.quarters": 2})
    return simkit.simulate(sc, replications=3, seed=11)


def test_leavers_deals_are_reassigned(small):
    res = _leaving(small, 0.0)
    left = res.reps.dropna(subset=["left_at"])
    assert len(left) > 0
    d = res.deals
    for _, r in left.iterrows():
        mine = d[(d["replication"] == r["replication"]) & (d["rep"] == r["rep"])]
        # nothing stays with a leaver after they leave: reassigned, not lost
        assert (mine["closed_at"] <= r["left_at"]).all()


def test_leavers_deals_are_lost_when_the_scenario_says_so(small):
    res = _leaving(small, 1.0)
    d = res.deals
    left = res.reps.dropna(subset=["left_at"])
    n_lost_at_leave = 0
    for _, r in left.iterrows():
        mine = d[(d["replication"] == r["replication"]) & (d["rep"] == r["rep"])]
        late = mine[~(mine["closed_at"] < r["left_at"])]
        assert (late["outcome"] == "lost").all()
        assert np.allclose(late["closed_at"], r["left_at"])
        n_lost_at_leave += len(late)
    assert n_lost_at_leave > 0
