"""simulate_progressive: each step equals simulate() at its count (behavioural, exact)."""

from __future__ import annotations

import pandas as pd
import pytest

import simkit
from simkit.sim.progressive import progressive_counts, simulate_progressive


def _dyn():
    return simkit.preset("small-projects").override({
        "capacity": {"max_open_deals": 25}, "presales": {"consultants": 4, "stage": "solution"},
        "team.reps": 4})


def test_counts_grow_to_the_full_run():
    assert progressive_counts(200, 8, 4) == [8, 32, 128, 200]
    assert progressive_counts(5, 8, 4) == [5]
    assert progressive_counts(3, 1, 1.1) == [1, 2, 3]


def test_every_step_equals_simulate_at_its_count():
    sc = _dyn()
    # the SimPy engine's steps (under "auto" this scenario runs once, on the fast team engine)
    steps = list(simulate_progressive(sc, 6, seed=3, first=2, growth=2, engine="simpy"))
    assert [r.replications for r in steps] == [2, 4, 6]
    for res in steps:
        ref = simkit.simulate(sc, res.replications, 3, engine="simpy")
        assert res.engine == ref.engine == "simpy"
        assert res.summary() == ref.summary()
        pd.testing.assert_frame_equal(res.deals, ref.deals)
    # the refined answer contains the coarse one
    pd.testing.assert_frame_equal(steps[0].deals, steps[-1].deals[
        steps[-1].deals.replication < 2].reset_index(drop=True))


def test_fast_path_scenarios_yield_the_full_run_once():
    sc = simkit.preset("small-projects")
    steps = list(simulate_progressive(sc, 20, seed=1))
    assert len(steps) == 1 and steps[0].engine == "fast" and steps[0].replications == 20


@pytest.mark.parametrize("kw, field", [({"first": 0}, "first"), ({"growth": 1}, "growth"),
                                       ({"replications": 0}, "replications")])
def test_bad_arguments_name_the_field(kw, field):
    args = {"replications": 10, **kw}
    with pytest.raises(simkit.SimkitInputError, match=field):
        list(simulate_progressive(_dyn(), **args))
