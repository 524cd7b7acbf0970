"""Management tables of the course's toolbox (section 10) from a deals table.

The deals table is the one simkit's results produce (one row per deal) or a
CRM export with the same columns: ``rep``, ``entered`` (weeks), ``outcome``
("won" / "lost" / "open"), ``closed_at`` (weeks, NaN while open), ``amount``
(万 CNY), optionally ``replication`` and any grouping column (``source``,
region, product line ...). With several replications every count and sum is
the mean per replication, so a simulated branch reads like one real branch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simkit.analysis._inputs import check_deals, n_replications, non_negative, positive
from simkit.model.errors import SimkitInputError

__all__ = ["METRICS", "goal_tracking", "performance_table", "target_decomposition"]

#: Metrics the tables can compute, with their unit.
METRICS: dict[str, str] = {
    "won_amount": "万 CNY won (closed in the period)",
    "wins": "deals won (closed in the period)",
    "new_projects": "deals entering the funnel in the period",
    "win_rate": "won / (won + lost), deals closed in the period",
    "avg_deal": "万 CNY per won deal (closed in the period)",
}


def target_decomposition(start: float, factors: Mapping[str, float]) -> pd.DataFrame:
    """Break a target down step by step, as case A does from the annual quota.

    ``factors`` maps a step name to the multiplier applied at that step, in
    order; the result has one row per step with the factor and the running
    value. Case A: 1045 (software, 万) x 1.17 VAT x 70% small projects x 28%
    Q2 share = 239.6万, which the course rounds to 240万.
    """
    value = non_negative(start, "start")
    if not isinstance(factors, Mapping) or not factors:
        raise SimkitInputError("factors", factors, "a non-empty mapping step name -> multiplier")
    rows = [{"step": "start", "factor": np.nan, "value": value}]
    for name, f in factors.items():
        value *= non_negative(f, f"factors[{name!r}]")
        rows.append({"step": str(name), "factor": float(f), "value": value})
    return pd.DataFrame(rows).set_index("step")


def goal_tracking(
    deals: pd.DataFrame,
    targets: Any,
    *,
    by: str | Sequence[str] = "rep",
    metric: str = "won_amount",
    period: tuple[float, float] | None = None,
    owner: Any = None,
) -> pd.DataFrame:
    """Goal decomposition and tracking: one row per group of ``by``.

    Columns: ``dimension`` (the grouping column(s)), ``group``, ``metric``,
    ``target``, ``actual``, ``completion_pct`` (actual / target x 100) and
    ``owner``. ``targets`` is one number for every group or a mapping / Series
    group -> target (groups without a target get NaN). ``period`` is
    ``(start_week, end_week)``, half-open; ``None`` takes the whole table.
    ``owner`` is a column name, a mapping group -> owner, or None (the group
    itself when grouping by rep).
    """
    keys = check_deals(deals, by)
    actual = _metric_by_group(deals, keys, metric, period)
    target = _targets(targets, actual.index)
    owners = _owners(deals, keys, owner, actual.index)
    out = pd.DataFrame(
        {
            "dimension": "/".join(keys),
            "group": list(actual.index),
            "metric": metric,
            "target": target.to_numpy(),
            "actual": actual.to_numpy(),
        }
    )
    out["completion_pct"] = _pct(out["actual"], out["target"])
    out["owner"] = owners
    return out


def performance_table(
    deals: pd.DataFrame,
    targets: Any,
    *,
    by: str | Sequence[str] = "rep",
    metric: str = "won_amount",
    period_weeks: float = 12,
    period: int | None = None,
    periods_per_year: int = 4,
) -> pd.DataFrame:
    """Performance analysis by group: target, actual, completion, QoQ and YoY.

    Time is cut into periods of ``period_weeks`` (a 12-week quarter by
    default); period k covers weeks [k x period_weeks, (k+1) x period_weeks).
    ``period`` picks the period analysed (default: the last one with data).
    Columns: ``target``, ``actual``, ``completion_pct``, ``previous`` (the
    period before), ``qoq_change_pct``, ``year_ago`` (``periods_per_year``
    periods before), ``yoy_change_pct`` (NaN where there is no earlier data
    or it was zero), and empty ``reason`` / ``action`` columns for the manager,
    as in the course's template. Indexed by group.
    """
    keys = check_deals(deals, by)
    length = positive(period_weeks, "period_weeks")
    if period is None:
        times = pd.concat([deals["entered"], deals["closed_at"]]).dropna()
        if times.empty:
            raise SimkitInputError("deals", "no dated rows", "at least one entered or closed week")
        period = math.floor(times.max() / length)
    if int(period) != period or period < 0:
        raise SimkitInputError("period", period, "a period index >= 0")
    if int(periods_per_year) != periods_per_year or periods_per_year < 1:
        raise SimkitInputError("periods_per_year", periods_per_year, "a whole number >= 1")

    def window(k: int) -> pd.Series:
        return _metric_by_group(deals, keys, metric, (k * length, (k + 1) * length))

    actual = window(period)
    previous = window(period - 1).reindex(actual.index) if period >= 1 else _nan_like(actual)
    year_ago = (
        window(period - periods_per_year).reindex(actual.index)
        if period >= periods_per_year
        else _nan_like(actual)
    )
    out = pd.DataFrame(
        {
            "target": _targets(targets, actual.index).to_numpy(),
            "actual": actual.to_numpy(),
            "previous": previous.to_numpy(),
            "year_ago": year_ago.to_numpy(),
        },
        index=actual.index,
    )
    out["completion_pct"] = _pct(out["actual"], out["target"])
    out["qoq_change_pct"] = _change_pct(out["actual"], out["previous"])
    out["yoy_change_pct"] = _change_pct(out["actual"], out["year_ago"])
    out["reason"] = ""
    out["action"] = ""
    cols = ["target", "actual", "completion_pct", "previous", "qoq_change_pct"]
    return out[cols + ["year_ago", "yoy_change_pct", "reason", "action"]]


# --- helpers ---------------------------------------------------------------


def _metric_by_group(
    deals: pd.DataFrame, keys: list[str], metric: str, period: tuple[float, float] | None
) -> pd.Series:
    if metric not in METRICS:
        raise SimkitInputError("metric", metric, f"one of {list(METRICS)}")
    if period is not None:
        lo, hi = (float(x) for x in period)
        if not lo < hi:
            raise SimkitInputError("period", period, "(start_week, end_week) with start < end")
    else:
        lo, hi = -np.inf, np.inf
    # Every group seen anywhere in the table gets a row, so a rep with no wins
    # shows 0 rather than disappearing from the table.
    groups = deals.groupby(keys, sort=True, observed=True).size().index
    reps = n_replications(deals)
    closed_in = deals["closed_at"].ge(lo) & deals["closed_at"].lt(hi)
    won = deals[closed_in & deals["outcome"].eq("won")].groupby(keys, observed=True)
    if metric == "won_amount":
        values = won["amount"].sum() / reps
    elif metric == "wins":
        values = won.size() / reps
    elif metric == "new_projects":
        entered = deals[deals["entered"].ge(lo) & deals["entered"].lt(hi)]
        values = entered.groupby(keys, observed=True).size() / reps
    elif metric == "avg_deal":
        return won["amount"].mean().reindex(groups)
    else:  # win_rate
        closed = deals[closed_in & deals["outcome"].isin(["won", "lost"])]
        rate = closed["outcome"].eq("won").groupby([closed[k] for k in keys], observed=True).mean()
        return rate.reindex(groups)
    return values.reindex(groups, fill_value=0).astype(float)


def _targets(targets: Any, index: pd.Index) -> pd.Series:
    if isinstance(targets, pd.Series):
        mapping: Mapping = targets.to_dict()
    elif isinstance(targets, Mapping):
        mapping = targets
    else:
        value = non_negative(targets, "targets")
        return pd.Series(value, index=index, dtype=float)
    out = pd.Series([mapping.get(g, np.nan) for g in index], index=index, dtype=float)
    if (out < 0).any():
        raise SimkitInputError("targets", dict(mapping), "targets >= 0")
    return out


def _owners(deals: pd.DataFrame, keys: list[str], owner: Any, index: pd.Index) -> list[Any]:
    if owner is None:
        return list(index) if keys == ["rep"] else [""] * len(index)
    if isinstance(owner, Mapping):
        return [owner.get(g, "") for g in index]
    if isinstance(owner, str) and owner in deals.columns:
        first = deals.groupby(keys, observed=True)[owner].first()
        return [first.get(g, "") for g in index]
    raise SimkitInputError("owner", owner, "a column of deals, a mapping group -> owner, or None")


def _pct(actual: pd.Series, target: pd.Series) -> pd.Series:
    # A zero target has no meaningful completion; NaN keeps it out of averages.
    return (actual / target.where(target > 0)) * 100


def _change_pct(now: pd.Series, before: pd.Series) -> pd.Series:
    return (now / before.where(before > 0) - 1) * 100


def _nan_like(series: pd.Series) -> pd.Series:
    return pd.Series(np.nan, index=series.index, dtype=float)
