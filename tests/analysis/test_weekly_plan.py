"""The engine's injection plan (``leads.weekly_plan``): exact traces, CRN, validation.

Kinds: exact traces (deterministic stages), behavioural (common random
numbers), and errors.
"""

import tomllib

import pytest

import simkit
from simkit.model.errors import ScenarioError

DET = {"kind": "deterministic", "value": 1.0}


def _det(sc):
    return sc.override({f"funnel.stages.{s}.duration": DET for s in sc.funnel.names})


def _plan_only(plan, reps=2, start=None):
    sc = _det(simkit.preset("small-projects"))
    return sc.override({
        "team.reps": reps,
        "leads.per_rep_per_week": 0.0,
        "leads.weekly_plan": plan,
        "horizon.start": start or {"mode": "empty"},
        "deal_size": {"kind": "deterministic", "mean": 2.0, "cv": 0.0},
    })


def test_exact_counts_spread_evenly_and_dealt_in_turn():
    res = simkit.simulate(_plan_only([2, 1, 0, 4]), replications=1, seed=3)
    d = res.deals
    assert d["entered"].tolist() == [0.25, 0.75, 1.5, 3.125, 3.375, 3.625, 3.875]
    assert d["rep"].tolist() == [0, 1, 0, 1, 0, 1, 0]
    assert (d["entry_stage"] == "intent").all() and not d["initial"].any()


def test_plan_weeks_are_counted_from_the_start_week():
    start = {"mode": "snapshot", "counts": [0, 0, 0], "week": 7}
    res = simkit.simulate(_plan_only([1, 2], start=start), replications=1, seed=3)
    assert res.deals["entered"].tolist() == [7.5, 8.25, 8.75]


def test_a_deal_entering_in_week_j_is_in_the_first_stage_at_the_end_of_week_j():
    # One-week stages: in stage k at the snapshot closing week j + k - 1, won in week j + 3.
    res = simkit.simulate(_plan_only([1]), replications=1, seed=1)
    st = res.stage_times
    assert st["entered"].tolist() == [0.5, 1.5, 2.5][: len(st)]
    snap = res.snapshots
    at1 = snap[(snap["week"] == 1.0) & (snap["count"] > 0)]
    assert at1["stage"].tolist() == ["intent"]


def test_plan_beyond_the_horizon_is_ignored():
    res = simkit.simulate(_plan_only([0] * 11 + [2, 5]), replications=1, seed=1)
    assert res.deals["entered"].tolist() == [11.25, 11.75]


def test_plan_leaves_every_other_stream_untouched():
    # Common random numbers: adding a plan must not change the Poisson leads' deals.
    base = simkit.preset("small-projects")
    with_plan = base.override({"leads.weekly_plan": [30] * 12})
    a = simkit.simulate(base, replications=2, seed=5).deals
    b = simkit.simulate(with_plan, replications=2, seed=5).deals
    cols = ["replication", "rep", "initial", "entered", "amount", "outcome", "closed_at"]
    rows = lambda df: set(map(tuple, df[cols].astype(str).to_numpy()))
    assert rows(a) <= rows(b)
    assert len(b) - len(a) == 2 * 30 * 12


def test_no_plan_is_the_default_and_changes_nothing():
    sc = simkit.preset("small-projects")
    assert sc.leads.weekly_plan == ()
    again = sc.override({"leads.weekly_plan": []})
    a = simkit.simulate(sc, replications=1, seed=2).deals
    b = simkit.simulate(again, replications=1, seed=2).deals
    assert a.equals(b)


@pytest.mark.parametrize("bad", [[1.5], [-1], ["x"]])
def test_bad_plan_names_the_field(bad):
    with pytest.raises(ScenarioError) as e:
        simkit.preset("small-projects").override({"leads.weekly_plan": bad})
    assert "weekly_plan" in str(e.value)


def test_template_documents_the_plan_but_leaves_it_off():
    from simkit.cli.scenario import template_text

    text = template_text()
    assert "# weekly_plan = [110, 110, 78, 78, 78]" in text
    assert "weekly_plan" not in tomllib.loads(text)["leads"]
