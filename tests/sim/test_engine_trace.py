"""Exact traces: deterministic durations and deal sizes, events predicted by hand
from the same named random streams the engine reads (see simkit.sim.streams)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import simkit
from simkit.sim.streams import stream

TINY = {
    "name": "tiny",
    "funnel": {"stages": [
        {"name": "intent", "win_prob": 0.5, "duration": {"kind": "deterministic", "value": 1.0}},
        {"name": "negotiation", "win_prob": 0.8,
         "duration": {"kind": "deterministic", "value": 2.0}},
    ]},
    "leads": {"per_rep_per_week": 1.5},
    "deal_size": {"kind": "deterministic", "mean": 2.0},
    "team": {"reps": 1},
    "quota": {"team_per_quarter": 10.0, "weeks_per_quarter": 12},
    "horizon": {"quarters": 1, "start": {"mode": "empty"}},
}


def expected_trace(seed: int, replication: int) -> list[tuple]:
    """Walk each deal through the funnel by hand."""
    rate, end = 1.5, 12.0
    arrivals = np.cumsum(stream(seed, replication, "arrivals", 0).standard_exponential(64)) / rate
    u = stream(seed, replication, "conversion", 0).random((64, 2))
    conv = [0.5 / 0.8, 0.8]
    rows = []
    for k, t in enumerate(arrivals[arrivals < end]):
        if t + 1 >= end:
            rows.append((k, t, "intent", "open", math.nan))
        elif u[k, 0] >= conv[0]:
            rows.append((k, t, "intent", "lost", t + 1))
        elif t + 3 >= end:
            rows.append((k, t, "negotiation", "open", math.nan))
        else:
            rows.append((k, t, "negotiation", "lost" if u[k, 1] >= conv[1] else "won", t + 3))
    return rows


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_deals_follow_the_hand_trace(seed):
    res = simkit.simulate(simkit.scenario_from_dict(TINY), replications=2, seed=seed)
    for r in range(2):
        d = res.deals[res.deals.replication == r]
        got = list(zip(d.deal_id, d.entered, d.stage_reached.astype(str), d.outcome.astype(str),
                       d.closed_at))
        want = expected_trace(seed, r)
        assert len(got) == len(want) > 5
        for g, w in zip(got, want):
            assert g[0] == w[0] and g[2:4] == w[2:4]
            assert g[1] == pytest.approx(w[1], abs=1e-12)
            assert (math.isnan(g[4]) and math.isnan(w[4])) or g[4] == pytest.approx(w[4], abs=1e-12)
        assert (d.amount == 2.0).all()


def test_stage_times_and_snapshots_match_the_trace():
    res = simkit.simulate(simkit.scenario_from_dict(TINY), replications=1, seed=5)
    trace = expected_trace(5, 0)
    st = res.stage_times
    for k, t, stage, outcome, closed in trace:
        rows = st[st.deal_id == k]
        assert rows.iloc[0].entered == pytest.approx(t)
        if stage == "negotiation":
            assert list(rows.stage.astype(str)) == ["intent", "negotiation"]
            assert rows.iloc[1].entered == pytest.approx(t + 1)
    # Open deals in intent at week w: arrived in (w - 1, w].
    snaps = res.snapshots
    for w in range(1, 13):
        n = sum(1 for _, t, *_ in trace if w - 1 < t <= w)
        got = snaps[(snaps.week == w) & (snaps.stage == "intent")]["count"].item()
        assert got == n


def test_rep_quarters_add_up_the_won_deals():
    res = simkit.simulate(simkit.scenario_from_dict(TINY), replications=3, seed=9)
    won = res.deals[res.deals.outcome == "won"].groupby("replication").amount.sum()
    rq = res.rep_quarters.set_index("replication")
    pd.testing.assert_series_equal(rq.won_amount, won.reindex(rq.index, fill_value=0.0),
                                   check_names=False)
    assert (rq.attainment == rq.won_amount / 10.0).all()


def test_snapshot_start_places_the_given_counts():
    sc = simkit.preset().override({"horizon.start": {
        "mode": "snapshot", "counts": [169, 49, 45], "week": 7, "realised": 119.1}})
    res = simkit.simulate(sc, replications=2, seed=1)
    first = res.snapshots[res.snapshots.week == 7]
    assert list(first[first.replication == 0]["count"]) == [169, 49, 45]
    init = res.deals[res.deals.initial]
    assert (init.source == "snapshot").all()
    assert (res.deals.entered >= 7).all()
    # Realised amount is in quarter 1 and split evenly between reps.
    assert res.rep_quarters.won_amount.min() >= 119.1 / 10 - 1e-9
