"""Sweeps route fast-path scenarios through the fast path: same metrics as SimPy (exact)."""

from __future__ import annotations

import pandas as pd

import simkit
from simkit.planning.sweep import replication_metrics, run_metrics


def test_fast_sweep_batches_equal_the_simpy_engine():
    base = simkit.preset("small-projects").override({"team.reps": 3})
    scenarios = [base, base.override({"leads.per_rep_per_week": 7.0})]
    m = run_metrics(scenarios, 5, 4, backend="serial", batch_size=2)
    for i, sc in enumerate(scenarios):
        ref = replication_metrics(simkit.simulate(sc, 5, 4, engine="simpy"))
        got = m[m["scenario"] == i].drop(columns="scenario").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, ref, check_exact=True)


def test_mixed_fast_and_simpy_scenarios_keep_their_order():
    base = simkit.preset("small-projects").override({"team.reps": 3})
    scenarios = [base.override({"capacity": {"max_open_deals": 20}}), base]
    a = run_metrics(scenarios, 4, 2, backend="serial")
    b = run_metrics(scenarios, 4, 2, backend="serial", batch_size=3)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a["scenario"]) == [0] * 4 + [1] * 4
    assert list(a["replication"]) == [0, 1, 2, 3] * 2
