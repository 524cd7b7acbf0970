"""Exact tests of the funnel calculators against the brief's cases A and B.

Expected values are the brief's worked numbers or hand arithmetic written out
in the test, never a second call of the function under test.
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from simkit.analysis import coverage_needed, funnel_gap, standard_funnel, weekly_projection
from simkit.model.errors import SimkitInputError
from simkit.model.presets import preset

SMALL = {"intent": 0.20, "solution": 0.35, "negotiation": 0.70}
SMALL_ZH = {"意向阶段": 0.20, "方案阶段": 0.35, "谈判阶段": 0.70, "成交": 1.0}


# --- stage input forms -------------------------------------------------------


def test_conversions_are_shown_next_to_win_probs():
    sf = standard_funnel(240, 2, [0.1, 0.2, 0.3, 0.5, 0.7])
    assert sf.conversions == pytest.approx((0.5, 2 / 3, 0.6, 5 / 7, 0.7))
    assert standard_funnel(240, 2, SMALL).conversions[0] == pytest.approx(0.5714, abs=1e-4)


def test_scenario_funnel_is_accepted_as_win_probs():
    scenario = preset("small-projects")
    from_funnel = standard_funnel(240, 2, scenario.funnel)
    from_scenario = standard_funnel(240, 2, scenario)
    expected = dict(zip(scenario.funnel.names, scenario.funnel.win_probs, strict=True))
    assert from_funnel.stages == tuple(expected)
    assert from_funnel.win_probs == pytest.approx(tuple(expected.values()))
    assert from_scenario.stage_counts == pytest.approx(from_funnel.stage_counts)


# --- standard_funnel: case A -------------------------------------------------


def test_case_a_quota_chain_gives_about_240():
    # 1045 x 1.17 VAT x 70% small-project share x 28% Q2 share ~ 240万
    assert 1045 * 1.17 * 0.70 * 0.28 == pytest.approx(240, abs=0.5)


@pytest.mark.parametrize("win_probs", [SMALL, SMALL_ZH, [0.2, 0.35, 0.7], [0.2, 0.35, 0.7, 1.0]])
def test_case_a(win_probs):
    sf = standard_funnel(240, 2, win_probs, weeks_per_stage=1, weeks=12, new_per_rep_per_week=5)
    assert sf.deals_needed == pytest.approx(120)
    assert sf.wins_per_week == pytest.approx(10)
    assert sf.new_per_week == pytest.approx(50)
    assert sf.reps_needed == pytest.approx(10)
    # 10 wins / win prob per stage x 1 week: 50, 28.57, 14.29 -- the course
    # rounds the 5 : 2.86 : 1.43 shape to 10 : 6 : 3 and says 50 / 30 / 15.
    assert sf.stage_counts == pytest.approx((10 / 0.2, 10 / 0.35, 10 / 0.7))
    assert sf.stage_counts == pytest.approx((50, 30, 15), rel=0.05)
    assert len(sf.stages) == 3


def test_case_a_stage_labels_and_table():
    sf = standard_funnel(240, 2, SMALL_ZH, new_per_rep_per_week=5)
    assert sf.stages == ("intent", "solution", "negotiation")
    table = sf.to_frame()
    assert list(table.index) == ["intent", "solution", "negotiation"]
    assert list(table["label_zh"]) == ["意向阶段", "方案阶段", "谈判阶段"]
    assert table.loc["solution", "conversion"] == pytest.approx(0.35 / 0.7)


def test_standard_shape_is_10_6_3_2_rounded():
    shape = standard_funnel(240, 2, SMALL).shape
    scaled = [2 * x for x in shape]  # two wins
    assert scaled == pytest.approx([10, 5.714, 2.857, 2], abs=1e-3)
    assert [round(x) for x in scaled] == [10, 6, 3, 2]


def test_case_b_standard_funnel():
    # 372万 / 2万 = 186 wins a quarter = 15.5 a week; 15.5 / p per stage
    sf = standard_funnel(372, 2, SMALL)
    assert sf.deals_needed == pytest.approx(186)
    assert sf.wins_per_week == pytest.approx(15.5)
    assert sf.stage_counts == pytest.approx((77.5, 15.5 / 0.35, 22.142857))
    # the brief's "about 78 / 46 / 23"
    assert sf.stage_counts == pytest.approx((78, 46, 23), rel=0.05)
    # after 7 weeks a standard funnel has realised 15.5 x 7 x 2 = 217万
    assert sf.on_track_amount(7) == pytest.approx(217)


def test_weeks_per_stage_scales_counts_not_inflow():
    sf = standard_funnel(240, 2, SMALL, weeks_per_stage=4)
    assert sf.entering_per_week == pytest.approx((50, 10 / 0.35, 10 / 0.7))
    assert sf.stage_counts == pytest.approx((200, 40 / 0.35, 40 / 0.7))


def test_large_project_funnel_hand():
    # 600万 a quarter at 30万 a deal: 20 wins / 12 weeks
    sf = standard_funnel(600, 30, [0.1, 0.2, 0.3, 0.5, 0.7], weeks_per_stage=4)
    w = 20 / 12
    assert sf.new_per_week == pytest.approx(w / 0.1)
    assert sf.stage_counts[-1] == pytest.approx(w / 0.7 * 4)
    assert sf.reps_needed is None


def test_zero_quota_gives_empty_funnel():
    sf = standard_funnel(0, 2, SMALL, new_per_rep_per_week=5)
    assert sf.stage_counts == (0.0, 0.0, 0.0)
    assert sf.reps_needed == 0.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"avg_deal": 0}, "avg_deal"),
        ({"avg_deal": -2}, "avg_deal"),
        ({"quota": -1}, "quota"),
        ({"weeks": 0}, "weeks"),
        ({"weeks_per_stage": -1}, "weeks_per_stage"),
        ({"new_per_rep_per_week": 0}, "new_per_rep_per_week"),
        ({"win_probs": [0.35, 0.2, 0.7]}, "win_probs"),
        ({"win_probs": [0.2, 0.2, 0.7]}, "win_probs"),
        ({"win_probs": [0.2, 0.35, 1.4]}, "win_probs"),
        ({"win_probs": [0.0, 0.35, 0.7]}, "win_probs"),
        ({"win_probs": [-0.1, 0.35]}, "win_probs"),
        ({"win_probs": []}, "win_probs"),
        ({"win_probs": "0.2"}, "win_probs"),
        ({"win_probs": {"won": 1.0, "intent": 0.2}}, "win_probs"),
        ({"avg_deal": float("nan")}, "avg_deal"),
        ({"quota": "lots"}, "quota"),
    ],
)
def test_standard_funnel_rejects(kwargs, field):
    args = {"quota": 240, "avg_deal": 2, "win_probs": SMALL} | kwargs
    with pytest.raises(SimkitInputError) as err:
        standard_funnel(**args)
    assert err.value.field == field
    assert field in str(err.value)


# --- funnel_gap: case B ----------------------------------------------------


@pytest.mark.parametrize(
    "counts",
    [
        [169, 49, 45],
        {"intent": 169, "solution": 49, "negotiation": 45},
        {"意向阶段": 169, "方案阶段": 49, "谈判阶段": 45},
    ],
)
def test_case_b(counts):
    gap = funnel_gap(counts, SMALL_ZH, realised=119.1, quota=372, avg_deal=2.0)
    assert gap.expected_wins == pytest.approx(169 * 0.2 + 49 * 0.35 + 45 * 0.7)
    assert gap.expected_wins == pytest.approx(82.45)
    assert gap.expected_amount == pytest.approx(164.9)
    assert gap.amount_gap == pytest.approx(88)
    assert gap.deals_gap == pytest.approx(44)
    assert gap.project_gap == pytest.approx(220)


def test_case_b_table():
    table = funnel_gap([169, 49, 45], SMALL, 119.1, 372, 2.0).to_frame()
    assert table["expected_wins"].tolist() == pytest.approx([33.8, 17.15, 31.5])
    assert table["expected_amount"].sum() == pytest.approx(164.9)


def test_funnel_gap_mapping_may_leave_stages_out():
    gap = funnel_gap({"negotiation": 10}, SMALL, realised=0, quota=14, avg_deal=2)
    assert gap.counts == (0.0, 0.0, 10.0)
    assert gap.expected_wins == pytest.approx(7)
    assert gap.amount_gap == pytest.approx(0)
    assert gap.project_gap == pytest.approx(0)


def test_funnel_gap_surplus_has_no_deals_gap():
    gap = funnel_gap([0, 0, 100], SMALL, realised=50, quota=100, avg_deal=2)
    assert gap.amount_gap == pytest.approx(100 - 50 - 140)
    assert gap.deals_gap == 0
    assert gap.project_gap == 0


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ([169, -1, 45], "counts"),
        ([169, 49], "counts"),
        ([169, 49, 45, 3], "counts"),
        ({"intent": 1, "closing": 2}, "counts"),
        ({"intent": -1}, "counts"),
        (169, "counts"),
    ],
)
def test_funnel_gap_rejects_counts(counts, field):
    with pytest.raises(SimkitInputError) as err:
        funnel_gap(counts, SMALL, 0, 100, 2)
    assert err.value.field.startswith(field)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"avg_deal": 0}, "avg_deal"), ({"realised": -5}, "realised"), ({"quota": -1}, "quota")],
)
def test_funnel_gap_rejects_scalars(kwargs, field):
    args = {"counts": [1, 2, 3], "win_probs": SMALL, "realised": 0, "quota": 100, "avg_deal": 2}
    with pytest.raises(SimkitInputError) as err:
        funnel_gap(**(args | kwargs))
    assert err.value.field == field


# --- weekly_projection -------------------------------------------------------


def test_projection_case_b_columns_by_hand():
    table = weekly_projection([169, 49, 45], SMALL, [110, 110, 78, 78, 78])
    assert list(table.columns) == ["now", "+1", "+2", "+3", "+4", "+5"]
    assert list(table.index) == ["intent", "solution", "negotiation", "wins"]
    c1, c2 = 0.2 / 0.35, 0.35 / 0.7
    assert table["now"].iloc[:3].tolist() == [169, 49, 45]
    assert math.isnan(table.loc["wins", "now"])
    assert table["+1"].tolist() == pytest.approx([110, 169 * c1, 49 * c2, 45 * 0.7])
    assert table["+2"].tolist() == pytest.approx([110, 110 * c1, 169 * c1 * c2, 49 * c2 * 0.7])
    assert table.loc["wins", "+3"] == pytest.approx(169 * c1 * c2 * 0.7)
    # projects injected in weeks 1 and 2 win three weeks later: 110 x 20% = 22
    assert table.loc["wins", "+4"] == pytest.approx(22)
    assert table.loc["wins", "+5"] == pytest.approx(22)


def test_projection_closes_case_b_gap():
    # 82.45 expected wins from the funnel + 2 x 22 from the two injections = the 88万 gap
    table = weekly_projection([169, 49, 45], SMALL, [110, 110, 78, 78, 78])
    wins = table.loc["wins"].sum()  # NaN in "now" is skipped
    assert wins == pytest.approx(82.45 + 44)
    assert 119.1 + 2 * wins == pytest.approx(372)


def test_projection_drains_to_expected_wins():
    counts = [169, 49, 45]
    table = weekly_projection(counts, SMALL, [0, 0, 0, 0])
    assert table.loc["wins"].sum() == pytest.approx(169 * 0.2 + 49 * 0.35 + 45 * 0.7)
    assert table["+3"].iloc[:3].tolist() == [0, 0, 0]
    assert table.loc["wins", "+4"] == 0


def test_projection_standard_funnel_is_steady():
    # 50 / 28.57 / 14.29 fed by 50 a week reproduces itself and drops 10 wins a week
    counts = [50, 10 / 0.35, 10 / 0.7]
    table = weekly_projection(counts, SMALL, [50] * 4)
    for col in ["+1", "+2", "+3", "+4"]:
        assert table[col].tolist() == pytest.approx(counts + [10])


def test_projection_no_injections_is_snapshot_only():
    table = weekly_projection({"谈判阶段": 10}, SMALL_ZH, [])
    assert list(table.columns) == ["now"]
    assert table.loc["negotiation", "now"] == 10
    assert isinstance(table, pd.DataFrame)


@pytest.mark.parametrize(
    ("injections", "field"),
    [
        ([10, -1], "injections[1]"),
        (5, "injections"),
        ("10", "injections"),
        ([np.nan], "injections[0]"),
    ],
)
def test_projection_rejects_injections(injections, field):
    with pytest.raises(SimkitInputError) as err:
        weekly_projection([1, 2, 3], SMALL, injections)
    assert err.value.field == field


def test_projection_rejects_mismatched_counts():
    with pytest.raises(SimkitInputError) as err:
        weekly_projection([1, 2], SMALL, [1])
    assert err.value.field == "counts"


# --- coverage_needed ----------------------------------------------------------


def test_coverage_start_of_quarter_small_projects():
    cov = coverage_needed(0.2, 3, 12)
    assert cov.closeable_coverage == pytest.approx(5)
    assert cov.entry_window_weeks == 9
    # today's pipeline carries the next 3 of 12 weeks: 3/12 / 0.2
    assert cov.coverage_now == pytest.approx(1.25)
    assert cov.new_coverage_per_week == pytest.approx(1 / (0.2 * 12))
    # what exists today + what is created in time = all closeable pipeline
    assert cov.coverage_now + cov.new_coverage_per_week * 9 == pytest.approx(5)


@pytest.mark.parametrize(("cycle", "remaining"), [(3, 3), (3, 2), (26, 12)])
def test_coverage_when_no_new_deal_can_close(cycle, remaining):
    cov = coverage_needed(0.25, cycle, remaining)
    assert cov.entry_window_weeks == 0
    assert cov.coverage_now == pytest.approx(4)
    assert cov.new_coverage_per_week == 0


def test_coverage_equals_fixed_3x_only_for_one_mix():
    # 3x holds when cycle / remaining / win_rate = 3, e.g. 9 of 12 weeks at 25%
    assert coverage_needed(0.25, 9, 12).coverage_now == pytest.approx(3)
    assert coverage_needed(0.25, 3, 12).coverage_now == pytest.approx(1)


def test_coverage_grows_as_the_quarter_runs_out():
    nows = [coverage_needed(0.2, 3, w).coverage_now for w in range(12, 0, -1)]
    assert all(b >= a for a, b in itertools.pairwise(nows))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0, 3, 12), "win_rate"),
        ((1.5, 3, 12), "win_rate"),
        ((0.2, 0, 12), "cycle_weeks"),
        ((0.2, 3, 0), "weeks_remaining"),
        ((0.2, 3, -1), "weeks_remaining"),
    ],
)
def test_coverage_rejects(args, field):
    with pytest.raises(SimkitInputError) as err:
        coverage_needed(*args)
    assert err.value.field == field
