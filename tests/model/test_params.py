"""Scenario model: validation, conversions, levers and overrides (unit and property tests)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import simkit
from simkit import ScenarioError
from simkit.model.params import Funnel, conversions_from_win_probs, win_probs_from_conversions


def test_small_projects_is_case_a():
    sc = simkit.preset("small-projects")
    assert sc.team.reps == 10
    assert sc.leads.per_rep_per_week == 5
    assert sc.funnel.win_probs == [0.2, 0.35, 0.7]
    assert sc.deal_size.mean == 2.0
    assert sc.quota.team_per_quarter == 240
    assert sc.quota.weeks_per_quarter == 12
    # 10 reps x 5 a week x 20% x 12 weeks = 120 wins; x 2万 = 240万 = quota.
    assert sc.expected_wins_per_week() * 12 == pytest.approx(120)
    assert sc.expected_attainment() == pytest.approx(1.0)


def test_conversions_of_the_course_funnel():
    assert conversions_from_win_probs([0.2, 0.35, 0.7]) == pytest.approx([0.2 / 0.35, 0.5, 0.7])
    assert simkit.preset().funnel.conversions == pytest.approx([4 / 7, 0.5, 0.7])


@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8))
def test_conversion_round_trip(conv):
    probs = win_probs_from_conversions(conv)
    assert conversions_from_win_probs(probs) == pytest.approx(conv, rel=1e-9)
    assert math.prod(conv) == pytest.approx(probs[0], rel=1e-9)


@given(st.floats(0.01, 0.99))
def test_win_rate_lever_keeps_funnel_valid(target):
    f = simkit.preset().funnel.with_win_rate(target)
    assert f.win_rate == pytest.approx(target, rel=1e-9)
    assert all(0 < c <= 1 + 1e-12 for c in f.conversions)
    assert all(a < b or math.isclose(a, b) for a, b in zip(f.win_probs, f.win_probs[1:]))


def test_win_rate_override_rescales_every_conversion_by_one_power():
    sc = simkit.preset().override({"funnel.win_rate": 0.3})
    gamma = math.log(0.3) / math.log(0.2)
    assert sc.funnel.conversions == pytest.approx([c**gamma for c in [4 / 7, 0.5, 0.7]])


def test_overrides_by_path_name_and_index():
    sc = simkit.preset()
    sc2 = sc.override({
        "team.reps": 12, "leads.per_rep_per_week": 6, "deal_size.mean": 3.0,
        "quota.team_per_quarter": 300, "funnel.stages.solution.win_prob": 0.4,
        "funnel.stages.0.duration": {"kind": "deterministic", "value": 2.0},
    })
    assert (sc2.team.reps, sc2.leads.per_rep_per_week, sc2.deal_size.mean) == (12, 6, 3.0)
    assert sc2.quota.team_per_quarter == 300
    assert sc2.funnel.win_probs == [0.2, 0.4, 0.7]
    assert sc2.funnel.stages[0].duration.mean == 2.0
    assert sc.team.reps == 10  # the original is untouched
    assert sc.override({"funnel.stages.方案阶段.win_prob": 0.4}).funnel.win_probs[1] == 0.4


@pytest.mark.parametrize(
    "changes, field, fragment",
    [
        ({"team.repz": 3}, "team.repz", "allowed here"),
        ({"funnel.stages.closing.win_prob": 0.5}, "funnel.stages.closing", "no item"),
        ({"funnel.stages.0.win_prob": 1.5}, "funnel.stages[0].win_prob", "less than or equal to 1"),
        ({"leads.per_rep_per_week": -1}, "leads.per_rep_per_week", "greater than or equal to 0"),
        ({"team.reps": 0}, "team.reps", "greater than or equal to 1"),
        ({"funnel.stages": []}, "funnel.stages", "at least 1"),
        ({"funnel.win_probs": [0.5, 0.35, 0.7]}, "funnel", "must increase"),
        ({"funnel.win_rate": 0}, "funnel.win_rate", "above 0 and below 1"),
        ({"funnel.win_rate": 1.0}, "funnel.win_rate", "above 0 and below 1"),
        ({"team.reps": "many"}, "team.reps", "integer"),
        # A gamma's shape is 1 / cv^2: below 1e-6 it overflows and every draw is NaN
        # (found by the fuzz test); above 10 the gamma itself refuses it.
        ({"funnel.stages.0.duration": {"kind": "gamma", "mean": 1.0, "cv": 1e-200}},
         "funnel.stages[0].duration.cv", "greater than or equal to"),
        ({"deal_size.kind": "gamma", "deal_size.cv": 1e-200}, "deal_size", "1e-06 to 10"),
        ({"deal_size.kind": "gamma", "deal_size.cv": 20}, "deal_size", "1e-06 to 10"),
    ],
)
def test_bad_overrides_name_field_value_and_rule(changes, field, fragment):
    with pytest.raises(ScenarioError) as info:
        simkit.preset().override(changes)
    msg = str(info.value)
    assert field in msg and fragment in msg
    assert "Traceback" not in msg


def test_archetype_conversion_may_not_push_win_rate_above_one():
    with pytest.raises(ScenarioError, match="above 1"):
        simkit.preset().override(
            {"team.archetypes": [{"name": "star", "share": 1.0, "conversion": 6.0}]})


def test_snapshot_counts_must_match_stages():
    with pytest.raises(ScenarioError, match="3 stages"):
        simkit.preset().override({"horizon.start": {"mode": "snapshot", "counts": [1, 2]}})


def test_funnel_rejects_duplicate_stage_names():
    with pytest.raises(ValueError, match="unique"):
        Funnel(stages=[{"name": "intent", "win_prob": 0.2}, {"name": "意向阶段", "win_prob": 0.5}])


@pytest.mark.parametrize("reps", [1, 3, 7, 10, 11])
def test_archetypes_split_team_by_largest_remainder(reps):
    sc = simkit.preset().override({"team.reps": reps, "team.archetypes": [
        {"name": "top", "share": 0.2}, {"name": "average", "share": 0.6},
        {"name": "lagging", "share": 0.2}]})
    names = [a.name for a in sc.team.rep_archetypes()]
    assert len(names) == reps
    for a in sc.team.archetypes:
        assert abs(names.count(a.name) - a.share * reps) < 1


def test_quota_split_by_archetype_follows_expected_sales():
    sc = simkit.preset().override({"team.reps": 2, "quota.split": "by_archetype",
                                   "team.archetypes": [
                                       {"name": "big", "share": 0.5, "deal_size": 3.0},
                                       {"name": "small", "share": 0.5}]})
    q = sc.rep_quotas()
    assert sum(q) == pytest.approx(240)
    assert q[0] == pytest.approx(3 * q[1])


def test_stage_labels_accept_chinese_names():
    f = Funnel(stages=[{"name": "意向阶段", "win_prob": 0.2}, {"name": "谈判阶段", "win_prob": 0.7}])
    assert f.names == ["intent", "negotiation"]
    assert f.stages[0].label_zh == "意向阶段"


@pytest.mark.parametrize("stages,target", [
    ([0.2, 0.35, 0.7], 0.25),  # the small-projects funnel
    ([0.4], 0.6),             # one stage: its conversion is its win probability
    ([0.4], 1.0),             # one stage may convert every deal
])
def test_win_rate_override_and_with_win_rate_are_one_rescale(stages, target):
    sc = simkit.preset("small-projects").override({"funnel.win_probs": stages} if len(stages) == 3
                                                 else {"funnel.stages": [
                                                     {"name": "only", "win_prob": stages[0]}]})
    via_override = sc.override({"funnel.win_rate": target}).funnel
    via_method = sc.funnel.with_win_rate(target)
    assert via_override == via_method
    assert via_override.win_rate == pytest.approx(target)


def test_win_rate_override_refuses_what_with_win_rate_refuses():
    sc = simkit.preset("small-projects")
    with pytest.raises(ValueError):
        sc.funnel.with_win_rate(1.0)
    with pytest.raises(ScenarioError, match="funnel.win_rate"):
        sc.override({"funnel.win_rate": 1.0})
