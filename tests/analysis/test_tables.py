"""Management tables from a tiny hand-made deals table (exact, counted by hand)."""

import numpy as np
import pandas as pd
import pytest

from simkit.analysis import goal_tracking, performance_table, target_decomposition
from simkit.model.errors import SimkitInputError

NAN = np.nan


def _deals() -> pd.DataFrame:
    # rep, source, entered, outcome, closed_at, amount
    rows = [
        ("li", "new", 0.0, "won", 3.0, 2.0),  # quarter 0
        ("li", "new", 1.0, "lost", 4.0, 1.5),
        ("li", "repeat", 10.0, "won", 13.0, 4.0),  # quarter 1
        ("li", "new", 12.0, "won", 15.0, 6.0),  # quarter 1
        ("li", "new", 14.0, "open", NAN, 3.0),
        ("wang", "new", 2.0, "won", 5.0, 5.0),  # quarter 0
        ("wang", "new", 13.0, "lost", 16.0, 2.0),
        ("wang", "new", 20.0, "open", NAN, 1.0),
        ("zhao", "repeat", 0.5, "lost", 2.0, 3.0),  # never wins
    ]
    return pd.DataFrame(
        rows, columns=["rep", "source", "entered", "outcome", "closed_at", "amount"]
    )


def test_target_decomposition_case_a():
    table = target_decomposition(1045, {"VAT": 1.17, "small-project share": 0.70, "Q2 share": 0.28})
    assert list(table.index) == ["start", "VAT", "small-project share", "Q2 share"]
    assert table.loc["VAT", "value"] == pytest.approx(1045 * 1.17)
    assert table["value"].iloc[-1] == pytest.approx(239.6394)
    assert table["value"].iloc[-1] / 2 == pytest.approx(120, abs=0.5)  # deals at 2万


def test_target_decomposition_rejects():
    with pytest.raises(SimkitInputError) as err:
        target_decomposition(100, {})
    assert err.value.field == "factors"
    with pytest.raises(SimkitInputError) as err:
        target_decomposition(100, {"share": -0.1})
    assert err.value.field == "factors['share']"


def test_goal_tracking_won_amount_by_rep():
    t = goal_tracking(_deals(), {"li": 10, "wang": 10, "zhao": 4}, metric="won_amount")
    assert list(t.columns) == [
        "dimension",
        "group",
        "metric",
        "target",
        "actual",
        "completion_pct",
        "owner",
    ]
    t = t.set_index("group")
    assert t.loc["li", "actual"] == pytest.approx(2 + 4 + 6)
    assert t.loc["wang", "actual"] == pytest.approx(5)
    assert t.loc["zhao", "actual"] == 0  # kept, not dropped
    assert t.loc["li", "completion_pct"] == pytest.approx(120)
    assert t.loc["wang", "owner"] == "wang"
    assert (t["dimension"] == "rep").all()


def test_goal_tracking_period_and_scalar_target():
    t = goal_tracking(_deals(), 3, metric="wins", period=(12, 24)).set_index("group")
    assert t["actual"].to_dict() == {"li": 2.0, "wang": 0.0, "zhao": 0.0}
    assert t.loc["li", "completion_pct"] == pytest.approx(200 / 3)


def test_goal_tracking_other_metrics():
    d = _deals()
    rate = goal_tracking(d, 0.25, metric="win_rate").set_index("group")["actual"]
    assert rate["li"] == pytest.approx(3 / 4)
    assert rate["wang"] == pytest.approx(1 / 2)
    assert rate["zhao"] == 0
    avg = goal_tracking(d, 2, metric="avg_deal").set_index("group")["actual"]
    assert avg["li"] == pytest.approx(4)
    assert np.isnan(avg["zhao"])
    new = goal_tracking(d, 2, metric="new_projects", period=(0, 12)).set_index("group")["actual"]
    assert new.to_dict() == {"li": 3.0, "wang": 1.0, "zhao": 1.0}


def test_goal_tracking_by_other_column_with_owner_mapping():
    t = goal_tracking(
        _deals(), {"new": 20, "repeat": 5}, by="source", owner={"new": "Ms Chen"}
    ).set_index("group")
    assert t.loc["new", "actual"] == pytest.approx(2 + 6 + 5)
    assert t.loc["repeat", "actual"] == pytest.approx(4)
    assert t.loc["new", "owner"] == "Ms Chen"
    assert t.loc["repeat", "owner"] == ""
    assert t.loc["repeat", "dimension"] == "source"


def test_goal_tracking_two_grouping_columns():
    t = goal_tracking(_deals(), {("li", "repeat"): 8}, by=["rep", "source"])
    row = t[t["group"] == ("li", "repeat")].iloc[0]
    assert row["actual"] == pytest.approx(4)
    assert row["completion_pct"] == pytest.approx(50)
    assert row["dimension"] == "rep/source"
    assert t["target"].isna().sum() == len(t) - 1


def test_replications_are_averaged():
    one = _deals()
    two = pd.concat([one.assign(replication=0), one.assign(replication=1)])
    t1 = goal_tracking(one, 10).set_index("group")["actual"]
    t2 = goal_tracking(two, 10).set_index("group")["actual"]
    pd.testing.assert_series_equal(t1, t2)


def test_performance_table_quarter_on_quarter():
    t = performance_table(_deals(), {"li": 8, "wang": 5, "zhao": 2})
    # last dated week is 20 -> quarter 1 (weeks 12-24)
    assert t.loc["li", "actual"] == pytest.approx(10)  # closed at 13 and 15
    assert t.loc["li", "previous"] == pytest.approx(2)
    assert t.loc["li", "qoq_change_pct"] == pytest.approx(400)
    assert t.loc["li", "completion_pct"] == pytest.approx(125)
    assert t.loc["wang", "actual"] == 0
    assert t.loc["wang", "qoq_change_pct"] == pytest.approx(-100)
    assert np.isnan(t.loc["zhao", "qoq_change_pct"])  # zero before: no ratio
    assert t["year_ago"].isna().all()
    assert list(t.columns[-2:]) == ["reason", "action"]


def test_performance_table_year_on_year_and_explicit_period():
    d = _deals()
    t = performance_table(d, 1, metric="wins", period_weeks=6, period=2, periods_per_year=2)
    # period 2 = weeks [12, 18): li wins at 13 and 15; period 0 = [0, 6): li wins at 3
    assert t.loc["li", "actual"] == 2
    assert t.loc["li", "year_ago"] == 1
    assert t.loc["li", "yoy_change_pct"] == pytest.approx(100)
    assert t.loc["li", "previous"] == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"metric": "profit"}, "metric"),
        ({"by": "region"}, "deals"),
        ({"by": []}, "by"),
        ({"period": (5, 5)}, "period"),
        ({"targets": -1}, "targets"),
        ({"targets": {"li": -1}}, "targets"),
        ({"owner": "boss"}, "owner"),
    ],
)
def test_goal_tracking_rejects(kwargs, field):
    args = {"deals": _deals(), "targets": 1} | kwargs
    with pytest.raises(SimkitInputError) as err:
        goal_tracking(**args)
    assert err.value.field == field


def test_bad_deals_tables_are_rejected():
    with pytest.raises(SimkitInputError) as err:
        goal_tracking([1, 2], 1)
    assert err.value.field == "deals"
    with pytest.raises(SimkitInputError) as err:
        goal_tracking(_deals().assign(outcome="maybe"), 1)
    assert err.value.field == "deals.outcome"
    with pytest.raises(SimkitInputError) as err:
        goal_tracking(_deals().assign(amount=-1.0), 1)
    assert err.value.field == "deals.amount"
    with pytest.raises(SimkitInputError) as err:
        performance_table(_deals(), 1, period=-1)
    assert err.value.field == "period"
    with pytest.raises(SimkitInputError) as err:
        performance_table(_deals(), 1, period_weeks=0)
    assert err.value.field == "period_weeks"
