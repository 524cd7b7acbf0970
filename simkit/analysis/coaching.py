"""Coaching diagnostics per rep (section 8): yield, balance, time-in-step.

Input is simkit's results ``deals`` table or a CRM export with its columns:
``rep``, ``entered`` (weeks), ``stage_reached`` (the deal's current stage while
open), ``outcome`` ("won" / "lost" / "open"), ``closed_at`` (weeks, NaN while
open), ``amount`` (万 CNY); optional ``replication``, ``deal_id``,
``entry_stage`` (repeat customers can enter late) and ``initial`` (deals that
were already in the funnel at the start, not prospected in the window). The
table is read as of its end, ``now``. Times are reported in days (7 a week)
because that is how managers talk about stalled deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simkit.analysis._inputs import (
    check_deals,
    n_replications,
    positive,
    stages_from_win_probs,
    values_for_stages,
)
from simkit.model.errors import SimkitInputError
from simkit.model.labels import canonical

__all__ = ["PROBLEMS", "Coaching", "coaching_diagnostics"]

#: Problem classes, English key -> the course's Chinese wording.
PROBLEMS: dict[str, str] = {
    "not enough prospecting": "开拓量不够",
    "low win rate": "成功率不高",
    "low deal size": "成交价不高",
    "stalled deals": "项目停滞",
    "on track": "正常",
}


@dataclass(frozen=True)
class Coaching:
    """Per-rep funnel diagnostics.

    Attributes:
        reps: one row per rep: wins_per_week, target_wins_per_week,
            yield_ratio, new_per_week, needed_new_per_week, win_rate,
            expected_win_rate (of the rep's entry mix), avg_deal (万),
            reference_avg_deal, open_deals, stalled_deals, stalled_share,
            balance_distance, balance_tilt, problem, problem_zh, problems,
            evidence.
        balance: share of open deals per stage, one row per rep plus a
            "standard" row (the standard funnel's shape).
        time_in_step: rep x stage: n, median_days, p90_days.
        stalled: the stalled open deals (rep, stage, age_days, limit_days).
        time_in_step_source: "stage_times" (exact) or "deals" (per-step
            average of each deal's cycle, when no stage_times table is given).
        weeks_observed: length of the window the rates are per week of.
    """

    reps: pd.DataFrame
    balance: pd.DataFrame
    time_in_step: pd.DataFrame
    stalled: pd.DataFrame
    time_in_step_source: str
    weeks_observed: float


def coaching_diagnostics(
    deals: pd.DataFrame,
    win_probs: Any,
    *,
    target_wins_per_week: float | None = None,
    avg_deal: float | None = None,
    weeks_per_stage: Any = 1.0,
    stage_times: pd.DataFrame | None = None,
    since: float | None = None,
    now: float | None = None,
    stalled_after: float = 2.0,
    tolerance: float = 0.2,
) -> Coaching:
    """Yield, balance and time-in-step per rep, and each rep's main problem.

    * Yield: wins per week over the window [since, now] against
      ``target_wins_per_week`` (per rep; default the team's mean, so reps are
      compared with each other).
    * Balance: the stage mix of open deals against the standard funnel, whose
      stage counts are proportional to weeks_per_stage / p_i; reported as the
      total-variation distance (0 = the standard shape, 1 = no overlap) and a
      tilt (mean stage position minus the standard's: < 0 piled up early).
    * Time-in-step: median and 90th-percentile days per stage. An open deal is
      stalled when it has been in its stage (or, without stage_times, in the
      funnel per step so far) more than ``stalled_after`` x the stage's
      standard time.

    Classification. Wins per week = new projects x win rate, and amount =
    wins x deal size, so a yield shortfall splits into three ratios against
    the standard: new per week / needed (needed = target wins / the win rate
    expected from the rep's entry stages), win rate / expected, avg deal /
    reference (``avg_deal`` or the team's). Each ratio below 1 - tolerance
    is a problem scored by its shortfall; stalled deals are a problem when
    their share of open deals exceeds ``tolerance``. The largest score is the
    main problem. If none passes the tolerance but yield itself is short by
    more than it, the largest shortfall is named; otherwise the rep is "on
    track". The ``evidence`` column gives the numbers behind the verdict.
    Rates from a few closed deals are noisy: judge a rep on a quarter or more.
    """
    stages = stages_from_win_probs(win_probs)
    check_deals(deals, "rep")
    for col in ("stage_reached",):
        if col not in deals.columns:
            raise SimkitInputError("deals", sorted(deals.columns), f"a table with a {col} column")
    durations = _stage_weeks(weeks_per_stage, stages)
    stalled_after = positive(stalled_after, "stalled_after")
    tolerance = positive(tolerance, "tolerance")
    if tolerance >= 1:
        raise SimkitInputError("tolerance", tolerance, "a share in (0, 1)")

    d = deals.copy()
    d["_stage"] = _positions(d["stage_reached"], stages, "deals.stage_reached")
    if "entry_stage" in d.columns:
        d["_entry"] = _positions(d["entry_stage"], stages, "deals.entry_stage")
    else:
        d["_entry"] = 0
    times = pd.concat([d["entered"], d["closed_at"]]).dropna()
    now = float(times.max()) if now is None else float(now)
    since = float(d["entered"].min()) if since is None else float(since)
    weeks = now - since
    if not weeks > 0:
        raise SimkitInputError("since", since, f"a week before now = {now:g}")
    exposure = weeks * n_replications(d)
    p = stages.win_probs

    closed_in = d["closed_at"].between(since, now)
    won = d[closed_in & d["outcome"].eq("won")]
    closed = d[closed_in & d["outcome"].isin(["won", "lost"])]
    fresh = d["entered"].between(since, now)
    if "initial" in d.columns:
        fresh &= ~d["initial"].astype(bool)
    opened = d[fresh]
    open_ = d[d["outcome"].eq("open")]

    reps = pd.Index(sorted(d["rep"].unique()), name="rep")
    out = pd.DataFrame(index=reps)
    out["wins_per_week"] = (
        won.groupby("rep", observed=True).size().reindex(reps, fill_value=0) / exposure
    )
    target = out["wins_per_week"].mean() if target_wins_per_week is None else target_wins_per_week
    out["target_wins_per_week"] = positive(target, "target_wins_per_week")
    out["yield_ratio"] = out["wins_per_week"] / out["target_wins_per_week"]
    out["new_per_week"] = (
        opened.groupby("rep", observed=True).size().reindex(reps, fill_value=0) / exposure
    )
    # The win rate a rep should get depends on where their deals enter: a
    # repeat customer entering at negotiation is won 70% of the time, not 20%.
    mix = opened if len(opened) else d
    expected = mix.groupby("rep", observed=True)["_entry"].apply(
        lambda e: float(np.mean(p[e.to_numpy()]))
    )
    out["expected_win_rate"] = expected.reindex(reps).fillna(p[0])
    out["needed_new_per_week"] = out["target_wins_per_week"] / out["expected_win_rate"]
    out["win_rate"] = (
        closed["outcome"].eq("won").groupby(closed["rep"], observed=True).mean().reindex(reps)
    )
    out["avg_deal"] = won.groupby("rep", observed=True)["amount"].mean().reindex(reps)
    ref_deal = won["amount"].mean() if avg_deal is None else positive(avg_deal, "avg_deal")
    out["reference_avg_deal"] = ref_deal

    balance, distance, tilt = _balance(open_, reps, stages, durations)
    out["open_deals"] = open_.groupby("rep", observed=True).size().reindex(reps, fill_value=0)
    tis, stalled, source = _time_in_step(d, open_, stage_times, stages, durations, now)
    stalled = stalled[stalled["age_weeks"] > stalled_after * stalled["standard_weeks"]]
    out["stalled_deals"] = stalled.groupby("rep", observed=True).size().reindex(reps, fill_value=0)
    out["stalled_share"] = out["stalled_deals"] / out["open_deals"].where(out["open_deals"] > 0)
    out["balance_distance"] = distance
    out["balance_tilt"] = tilt
    verdicts = [_classify(row, tolerance) for _, row in out.iterrows()]
    out["problem"] = [v[0] for v in verdicts]
    out["problem_zh"] = out["problem"].map(PROBLEMS)
    out["problems"] = [v[1] for v in verdicts]
    out["evidence"] = [v[2] for v in verdicts]

    stalled = stalled.assign(
        age_days=stalled["age_weeks"] * 7,
        limit_days=stalled_after * stalled["standard_weeks"] * 7,
    ).drop(columns=["age_weeks", "standard_weeks"])
    return Coaching(out, balance, tis, stalled.reset_index(drop=True), source, weeks)


def _stage_weeks(weeks_per_stage: Any, stages) -> np.ndarray:
    if np.isscalar(weeks_per_stage):
        return np.full(len(stages), positive(weeks_per_stage, "weeks_per_stage"))
    w = values_for_stages(weeks_per_stage, stages, "weeks_per_stage")
    if np.any(w <= 0):
        raise SimkitInputError("weeks_per_stage", weeks_per_stage, "stage times > 0 weeks")
    return w


def _positions(column: pd.Series, stages, field: str) -> pd.Series:
    lookup = {label: i for i, label in enumerate(stages.labels)}
    keys = column.astype(str).map(canonical)
    unknown = sorted(set(keys) - set(lookup))
    if unknown:
        raise SimkitInputError(field, unknown, f"stages of win_probs {list(stages.labels)}")
    return keys.map(lookup).astype(int)


def _balance(open_: pd.DataFrame, reps: pd.Index, stages, durations: np.ndarray):
    standard = durations / stages.win_probs
    standard = standard / standard.sum()
    counts = pd.crosstab(open_["rep"], open_["_stage"]).reindex(
        index=reps, columns=range(len(stages)), fill_value=0
    )
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0)
    shares.columns = list(stages.labels)
    distance = 0.5 * (shares - standard).abs().sum(axis=1, min_count=1)
    positions = np.arange(len(stages))
    tilt = shares.to_numpy() @ positions - standard @ positions
    table = pd.concat(
        [shares, pd.DataFrame([standard], columns=shares.columns, index=["standard"])]
    )
    table.index.name = "rep"
    return table, distance.where(totals > 0), pd.Series(tilt, index=reps)


def _time_in_step(d, open_, stage_times, stages, durations, now):
    """Per-stage durations and the open deals' current age with its standard."""
    if stage_times is not None:
        need = {"deal_id", "stage", "entered", "left"}
        if not isinstance(stage_times, pd.DataFrame) or not need <= set(stage_times.columns):
            raise SimkitInputError(
                "stage_times",
                type(stage_times).__name__,
                f"a DataFrame with columns {sorted(need)}",
            )
        keys = ["replication", "deal_id"] if "replication" in stage_times.columns else ["deal_id"]
        st = stage_times.merge(d[[*keys, "rep"]], on=keys, how="inner")
        st = st.assign(_stage=_positions(st["stage"], stages, "stage_times.stage"))
        done = st[st["left"].notna()].assign(weeks=lambda x: x["left"] - x["entered"])
        live = st[st["left"].isna()]
        stalled = pd.DataFrame(
            {
                "rep": live["rep"].to_numpy(),
                "stage": [stages.labels[i] for i in live["_stage"]],
                "age_weeks": (now - live["entered"]).to_numpy(),
                "standard_weeks": durations[live["_stage"].to_numpy()],
            }
        )
        source = "stage_times"
    else:
        # Without stage events, spread each deal's time evenly over the steps
        # it has taken: a won deal's cycle over its steps, an open deal's age
        # over the steps so far (the current one included).
        won = d[d["outcome"].eq("won")]
        entry = won["_entry"].to_numpy()
        steps = len(stages) - entry
        per_step = ((won["closed_at"] - won["entered"]).to_numpy() / steps).repeat(steps)
        done = pd.DataFrame(
            {
                "rep": won["rep"].to_numpy().repeat(steps),
                "_stage": np.concatenate([np.arange(e, len(stages)) for e in entry] or [[]]),
                "weeks": per_step,
            }
        )
        # An open deal is judged against the standard time of every step it
        # has taken so far, so a deal that entered late is not flagged early.
        standard = [
            durations[e : s + 1].sum()
            for e, s in zip(open_["_entry"], open_["_stage"], strict=True)
        ]
        stalled = pd.DataFrame(
            {
                "rep": open_["rep"].to_numpy(),
                "stage": [stages.labels[i] for i in open_["_stage"]],
                "age_weeks": (now - open_["entered"]).to_numpy(),
                "standard_weeks": np.asarray(standard, dtype=float),
            }
        )
        source = "deals"
    grouped = done.groupby(["rep", "_stage"], observed=True)["weeks"]
    tis = pd.DataFrame(
        {
            "n": grouped.size(),
            "median_days": grouped.median() * 7,
            "p90_days": grouped.quantile(0.9) * 7,
        }
    ).reset_index()
    tis["stage"] = [stages.labels[int(i)] for i in tis["_stage"]]
    tis = tis.drop(columns="_stage").set_index(["rep", "stage"])
    return tis, stalled, source


def _classify(row: pd.Series, tolerance: float) -> tuple[str, list[str], str]:
    facts = {
        "not enough prospecting": (
            row["new_per_week"] / row["needed_new_per_week"],
            f"opens {row['new_per_week']:.2f} new projects/week, "
            + f"{row['needed_new_per_week']:.2f} needed",
        ),
        "low win rate": (
            row["win_rate"] / row["expected_win_rate"],
            f"wins {row['win_rate']:.0%} of closed deals, {row['expected_win_rate']:.0%} expected",
        ),
        "low deal size": (
            row["avg_deal"] / row["reference_avg_deal"],
            f"average won deal {row['avg_deal']:.2f}万, reference {row['reference_avg_deal']:.2f}万",
        ),
    }
    scores = {k: 1 - ratio for k, (ratio, _) in facts.items() if pd.notna(ratio)}
    if pd.notna(row["stalled_share"]):
        scores["stalled deals"] = row["stalled_share"]
        facts["stalled deals"] = (
            None,
            f"{int(row['stalled_deals'])} of {int(row['open_deals'])} open deals stalled",
        )
    flagged = sorted((k for k, s in scores.items() if s > tolerance), key=lambda k: -scores[k])
    if not flagged and row["yield_ratio"] < 1 - tolerance:
        # Several small shortfalls can add up to a missed yield: name the largest.
        worst = max(scores, key=scores.get, default=None)
        if worst is not None and scores[worst] > 0:
            flagged = [worst]
    yield_note = (
        f"yield {row['wins_per_week']:.2f} wins/week vs {row['target_wins_per_week']:.2f} "
        f"target ({row['yield_ratio']:.0%})"
    )
    if not flagged:
        return "on track", [], yield_note
    return flagged[0], flagged, "; ".join([yield_note] + [facts[k][1] for k in flagged])
