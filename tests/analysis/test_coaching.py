"""Coaching diagnostics on a hand-built deals table whose reps each have one
known problem; every expected number is counted by hand from the table."""

import numpy as np
import pandas as pd
import pytest

from simkit.analysis import PROBLEMS, coaching_diagnostics
from simkit.model.errors import SimkitInputError

SMALL = {"intent": 0.20, "solution": 0.35, "negotiation": 0.70}
NOW = 10.0


def _rep(rep, *, won, lost, open_=0, open_entered=9.5, amount=2.0, entry="intent"):
    """Deals of one rep: won close 3 weeks after entry, lost 1 week after."""
    rows = []
    for i in range(won):
        e = float(i % 7)
        rows.append((rep, e, entry, "negotiation", "won", e + 3, amount))
    for i in range(lost):
        e = float(i % 7)
        rows.append((rep, e, entry, entry, "lost", e + 1, amount))
    for _ in range(open_):
        rows.append((rep, open_entered, entry, entry, "open", np.nan, amount))
    return rows


def _deals():
    rows = (
        _rep("good", won=10, lost=35, open_=5)
        + _rep("lazy", won=4, lost=16)
        + _rep("closer", won=4, lost=46)
        + _rep("small", won=10, lost=40, amount=1.0)
        + _rep("stuck", won=10, lost=30, open_=10, open_entered=1.0)
    )
    cols = ["rep", "entered", "entry_stage", "stage_reached", "outcome", "closed_at", "amount"]
    return pd.DataFrame(rows, columns=cols)


def _diagnose(deals=None, **kw):
    args = {"target_wins_per_week": 1.0, "avg_deal": 2.0, "since": 0.0, "now": NOW} | kw
    return coaching_diagnostics(_deals() if deals is None else deals, SMALL, **args)


def test_each_rep_gets_its_problem():
    reps = _diagnose().reps
    assert reps["problem"].to_dict() == {
        "closer": "low win rate",
        "good": "on track",
        "lazy": "not enough prospecting",
        "small": "low deal size",
        "stuck": "stalled deals",
    }
    assert reps.loc["lazy", "problem_zh"] == "开拓量不够"
    assert set(reps["problem"]) <= set(PROBLEMS)


def test_rates_counted_by_hand():
    reps = _diagnose().reps
    assert reps.loc["good", "wins_per_week"] == pytest.approx(10 / NOW)
    assert reps.loc["good", "new_per_week"] == pytest.approx(50 / NOW)
    assert reps.loc["good", "win_rate"] == pytest.approx(10 / 45)
    assert reps.loc["lazy", "yield_ratio"] == pytest.approx(0.4)
    # target 1 win a week at the 20% win rate of intent-stage entries: 5 a week
    assert reps.loc["lazy", "needed_new_per_week"] == pytest.approx(5)
    assert reps.loc["lazy", "new_per_week"] == pytest.approx(2)
    assert reps.loc["closer", "win_rate"] == pytest.approx(4 / 50)
    assert reps.loc["small", "avg_deal"] == pytest.approx(1.0)
    assert reps.loc["stuck", "stalled_share"] == pytest.approx(1.0)
    assert reps.loc["stuck", "stalled_deals"] == 10
    assert "opens 2.00 new projects/week, 5.00 needed" in reps.loc["lazy", "evidence"]


def test_balance_against_standard_shape():
    result = _diagnose()
    std = np.array([1 / 0.2, 1 / 0.35, 1 / 0.7])
    std = std / std.sum()  # 0.538 / 0.308 / 0.154
    assert result.balance.loc["standard"].tolist() == pytest.approx(std.tolist())
    # all of "good"'s open deals sit in intent
    assert result.balance.loc["good"].tolist() == [1.0, 0.0, 0.0]
    assert result.reps.loc["good", "balance_distance"] == pytest.approx(
        0.5 * ((1 - std[0]) + std[1] + std[2])
    )
    assert result.reps.loc["good", "balance_tilt"] == pytest.approx(-(std[1] + 2 * std[2]))
    assert np.isnan(result.reps.loc["lazy", "balance_distance"])  # no open deals


def test_time_in_step_from_deals_table():
    result = _diagnose()
    assert result.time_in_step_source == "deals"
    # 3-week cycles over 3 steps: 7 days a step
    tis = result.time_in_step.loc[("good", "solution")]
    assert tis["median_days"] == pytest.approx(7)
    assert tis["n"] == 10
    stalled = result.stalled
    assert (stalled["rep"] == "stuck").sum() == 10
    assert stalled["age_days"].iloc[0] == pytest.approx((NOW - 1.0) * 7)
    assert stalled["limit_days"].iloc[0] == pytest.approx(2 * 1 * 7)


def test_time_in_step_from_stage_times():
    deals = pd.DataFrame(
        {
            "deal_id": [1, 2],
            "rep": ["a", "a"],
            "entered": [0.0, 0.0],
            "stage_reached": ["negotiation", "solution"],
            "outcome": ["won", "open"],
            "closed_at": [4.0, np.nan],
            "amount": [2.0, 2.0],
        }
    )
    stage_times = pd.DataFrame(
        {
            "deal_id": [1, 1, 1, 2, 2],
            "stage": ["intent", "solution", "negotiation", "intent", "solution"],
            "entered": [0.0, 1.0, 3.0, 0.0, 0.5],
            "left": [1.0, 3.0, 4.0, 0.5, np.nan],
        }
    )
    result = coaching_diagnostics(deals, SMALL, stage_times=stage_times, now=6.0)
    assert result.time_in_step_source == "stage_times"
    assert result.time_in_step.loc[("a", "solution"), "median_days"] == pytest.approx(14)
    assert result.time_in_step.loc[("a", "intent"), "n"] == 2
    # deal 2 has sat in solution since week 0.5: 5.5 weeks > 2 x 1 week
    assert result.stalled["age_days"].tolist() == pytest.approx([5.5 * 7])
    assert result.reps.loc["a", "problem"] == "stalled deals"


def test_late_entry_raises_the_expected_win_rate():
    rows = _rep("repeat", won=10, lost=10, entry="negotiation")
    cols = ["rep", "entered", "entry_stage", "stage_reached", "outcome", "closed_at", "amount"]
    reps = _diagnose(pd.DataFrame(rows, columns=cols)).reps
    assert reps.loc["repeat", "expected_win_rate"] == pytest.approx(0.7)
    assert reps.loc["repeat", "needed_new_per_week"] == pytest.approx(1 / 0.7)
    # 50% won where 70% is expected: a shortfall of 2/7 > 20%
    assert reps.loc["repeat", "problem"] == "low win rate"


def test_without_entry_stage_everything_enters_first_stage():
    reps = _diagnose(_deals().drop(columns="entry_stage")).reps
    assert reps["expected_win_rate"].tolist() == pytest.approx([0.2] * 5)


def test_small_shortfalls_adding_up_name_the_largest():
    # 36 entries (needed 40 at a target of 0.8/week), win rate 5/30, no problem > 20%
    rows = _rep("meh", won=5, lost=25, open_=6)
    cols = ["rep", "entered", "entry_stage", "stage_reached", "outcome", "closed_at", "amount"]
    reps = _diagnose(pd.DataFrame(rows, columns=cols), target_wins_per_week=0.8).reps
    assert reps.loc["meh", "yield_ratio"] == pytest.approx(0.5 / 0.8)
    assert reps.loc["meh", "problem"] == "low win rate"  # 1 - (5/30)/0.2 = 1/6 > 1 - 36/40


def test_replications_are_averaged():
    one = _deals()
    two = pd.concat([one.assign(replication=0), one.assign(replication=1)], ignore_index=True)
    cols = ["wins_per_week", "new_per_week", "win_rate", "stalled_share", "problem"]
    pd.testing.assert_frame_equal(_diagnose(one).reps[cols], _diagnose(two).reps[cols])


def test_default_target_is_team_mean():
    reps = coaching_diagnostics(_deals(), SMALL, since=0.0, now=NOW).reps
    assert reps["target_wins_per_week"].iloc[0] == pytest.approx((10 + 4 + 4 + 10 + 10) / 5 / NOW)


def test_chinese_stage_names_in_deals():
    deals = _deals().replace({"intent": "意向阶段", "negotiation": "谈判阶段"})
    assert _diagnose(deals).reps["problem"].to_dict() == _diagnose().reps["problem"].to_dict()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.drop(columns="stage_reached"), "deals"),
        (lambda d: d.assign(stage_reached="closing"), "deals.stage_reached"),
        (lambda d: d.assign(outcome="pending"), "deals.outcome"),
    ],
)
def test_rejects_bad_deals(change, field):
    with pytest.raises(SimkitInputError) as err:
        _diagnose(change(_deals()))
    assert err.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"since": 10.0}, "since"),
        ({"tolerance": 1.0}, "tolerance"),
        ({"stalled_after": 0}, "stalled_after"),
        ({"weeks_per_stage": [1, 0, 1]}, "weeks_per_stage"),
        ({"target_wins_per_week": 0}, "target_wins_per_week"),
        ({"avg_deal": -1}, "avg_deal"),
        ({"stage_times": pd.DataFrame({"x": [1]})}, "stage_times"),
    ],
)
def test_rejects_bad_arguments(kwargs, field):
    with pytest.raises(SimkitInputError) as err:
        _diagnose(**kwargs)
    assert err.value.field == field
