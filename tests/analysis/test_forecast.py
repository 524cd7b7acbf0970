"""Exact tests of the forecast calculators (sections 5-7), hand arithmetic inline."""

import pytest

from simkit.analysis import large_project_forecast, rep_gap, revenue_forecast
from simkit.model.errors import SimkitInputError

LARGE = {"potential": 0.1, "intent": 0.2, "initiated": 0.3, "accepted": 0.5, "negotiation": 0.7}
LARGE_ZH = {
    "潜在客户": 0.1,
    "意向客户": 0.2,
    "立项客户": 0.3,
    "认可客户": 0.5,
    "谈判客户": 0.7,
    "成交客户": 1.0,
}


# --- revenue_forecast ----------------------------------------------------------


def test_revenue_forecast_hand():
    # week 7 of 12: 5 weeks remain
    f = revenue_forecast(quota=372, realised=119.1, committed=100, possible=80, weeks_remaining=5)
    assert f.committed_part == pytest.approx(75)
    assert f.possible_part == pytest.approx(20)
    assert f.unforecast_part == pytest.approx(372 * 0.04 * 5)  # 74.4
    assert f.forecast == pytest.approx(119.1 + 75 + 20 + 74.4)
    assert f.completion == pytest.approx(288.5 / 372)
    assert f.gap == pytest.approx(372 - 288.5)
    table = f.to_frame()
    assert table.loc["forecast", "amount"] == pytest.approx(288.5)
    assert table.loc["committed", "share_of_quota"] == pytest.approx(75 / 372)


def test_revenue_forecast_70_percent_version():
    f = revenue_forecast(100, 0, 100, 0, 0, committed_weight=0.70)
    assert f.forecast == pytest.approx(70)
    assert f.unforecast_part == 0


def test_revenue_forecast_above_quota_has_negative_gap():
    f = revenue_forecast(100, 90, 40, 0, 1)
    assert f.forecast == pytest.approx(90 + 30 + 4)
    assert f.completion == pytest.approx(1.24)
    assert f.gap == pytest.approx(-24)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quota": 0}, "quota"),
        ({"realised": -1}, "realised"),
        ({"committed": -1}, "committed"),
        ({"possible": -1}, "possible"),
        ({"weeks_remaining": -1}, "weeks_remaining"),
        ({"committed_weight": 1.5}, "committed_weight"),
        ({"possible_weight": -0.1}, "possible_weight"),
        ({"unforecast_rate": 2}, "unforecast_rate"),
    ],
)
def test_revenue_forecast_rejects(kwargs, field):
    args = {"quota": 100, "realised": 0, "committed": 0, "possible": 0, "weeks_remaining": 4}
    with pytest.raises(SimkitInputError) as err:
        revenue_forecast(**(args | kwargs))
    assert err.value.field == field


# --- rep_gap ------------------------------------------------------------------------


def test_rep_gap_chain_hand():
    g = rep_gap(quota=100, finished=30, committed=40, other_confirmed=60, weeks_remaining=9)
    assert g.gap0 == pytest.approx(70)
    assert g.gap1 == pytest.approx(70 - 40 * 0.70)  # 42
    assert g.gap2 == pytest.approx(42 - 60 * 0.25)  # 27
    assert g.gap3 == pytest.approx(27 / 0.20)  # 135
    assert g.new_customers == pytest.approx(135 / 2.0)  # 67.5
    assert g.new_customers_per_week == pytest.approx(67.5 / 9)  # 7.5
    assert g.to_frame().loc["gap3", "value"] == pytest.approx(135)


def test_rep_gap_without_weeks_has_no_weekly_rate():
    assert rep_gap(100, 0, 0, 0).new_customers_per_week is None
    assert rep_gap(100, 0, 0, 0).new_customers == pytest.approx(100 / 0.2 / 2)


def test_rep_gap_ahead_needs_no_new_customers():
    g = rep_gap(quota=50, finished=40, committed=20, other_confirmed=0, weeks_remaining=3)
    assert g.gap1 == pytest.approx(10 - 14)
    assert g.gap3 == 0
    assert g.new_customers == 0
    assert g.new_customers_per_week == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quota": -1}, "quota"),
        ({"finished": -1}, "finished"),
        ({"committed": -1}, "committed"),
        ({"other_confirmed": -1}, "other_confirmed"),
        ({"p1": 1.1}, "p1"),
        ({"p2": -0.5}, "p2"),
        ({"p3": 0}, "p3"),
        ({"avg_deal": 0}, "avg_deal"),
        ({"weeks_remaining": 0}, "weeks_remaining"),
    ],
)
def test_rep_gap_rejects(kwargs, field):
    args = {"quota": 100, "finished": 10, "committed": 10, "other_confirmed": 10}
    with pytest.raises(SimkitInputError) as err:
        rep_gap(**(args | kwargs))
    assert err.value.field == field


# --- large_project_forecast ------------------------------------------------------


AMOUNTS = {"potential": 500, "intent": 300, "initiated": 200, "accepted": 150, "negotiation": 100}


@pytest.mark.parametrize("win_probs", [LARGE, LARGE_ZH])
def test_large_project_forecast_hand(win_probs):
    f = large_project_forecast(
        AMOUNTS, win_probs, won_expected_collection=40, quota=124, realised=30
    )
    assert f.expected_by_stage == pytest.approx((50, 60, 60, 75, 70))
    assert f.expected_total == pytest.approx(315 + 40)
    assert f.signable_stages == ("negotiation",)
    assert f.signable_expected == pytest.approx(70)
    # (70 x 70% x 50% + 40) x 75%
    assert f.collection_forecast == pytest.approx((24.5 + 40) * 0.75)
    assert f.gap == pytest.approx(124 - 30 - 48.375)
    table = f.to_frame()
    assert table["signable"].tolist() == [False, False, False, False, True]
    assert table.loc["accepted", "label_zh"] == "认可客户"


def test_large_project_forecast_project_lists_and_chinese_signable():
    amounts = [[200, 300], [300], 200, [100, 50], [60, 40]]
    f = large_project_forecast(amounts, LARGE, signable_stages=("认可客户", "谈判客户"))
    assert f.amounts == pytest.approx((500, 300, 200, 150, 100))
    assert f.signable_stages == ("accepted", "negotiation")
    assert f.signable_expected == pytest.approx(145)
    assert f.collection_forecast == pytest.approx(145 * 0.35 * 0.75)
    assert f.quota is None and f.gap is None


def test_large_project_forecast_positions_for_unnamed_stages():
    f = large_project_forecast([0, 0, 0, 0, 100], [0.1, 0.2, 0.3, 0.5, 0.7], signable_stages=(-1,))
    assert f.signable_expected == pytest.approx(70)


def test_large_project_forecast_no_signable_stage():
    f = large_project_forecast(AMOUNTS, LARGE, won_expected_collection=8, signable_stages=())
    assert f.collection_forecast == pytest.approx(6)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"signable_stages": ("closing",)}, "signable_stages"),
        ({"signable_stages": "negotiation"}, "signable_stages"),
        ({"signable_stages": (7,)}, "signable_stages"),
        ({"amounts_by_stage": [1, 2, 3]}, "amounts_by_stage"),
        ({"amounts_by_stage": {"intent": -5}}, "amounts_by_stage"),
        ({"amounts_by_stage": {"intent": [5, -1]}}, "amounts_by_stage"),
        ({"win_probs": [0.1, 0.3, 0.2, 0.5, 0.7]}, "win_probs"),
        ({"in_year_share": 1.2}, "in_year_share"),
        ({"in_quarter_share": -1}, "in_quarter_share"),
        ({"software_share": 2}, "software_share"),
        ({"won_expected_collection": -1}, "won_expected_collection"),
        ({"quota": -1}, "quota"),
        ({"realised": -1}, "realised"),
    ],
)
def test_large_project_forecast_rejects(kwargs, field):
    args = {"amounts_by_stage": AMOUNTS, "win_probs": LARGE} | kwargs
    with pytest.raises(SimkitInputError) as err:
        large_project_forecast(**args)
    assert err.value.field.startswith(field)
