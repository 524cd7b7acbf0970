"""Funnel calculators of the course (sections 1, 2 and 4 of the domain brief).

Money is in 万 CNY (10,000 CNY), time in weeks. Stage percentages are the
course's cumulative win probabilities p_i (the chance that a deal now in stage
i is eventually won), not stage-to-stage conversions; the conversion from
stage i to i+1 is p_i / p_{i+1}, and from the last open stage to won it is p_N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simkit.analysis._inputs import (
    non_negative,
    positive,
    stages_from_win_probs,
    values_for_stages,
)
from simkit.model.errors import SimkitInputError
from simkit.model.labels import label_zh
from simkit.model.params import conversions_from_win_probs

__all__ = [
    "Coverage",
    "FunnelGap",
    "StandardFunnel",
    "coverage_needed",
    "funnel_gap",
    "standard_funnel",
    "weekly_projection",
]


@dataclass(frozen=True)
class StandardFunnel:
    """The standard (balanced) funnel that delivers a quota at a steady pace.

    Attributes:
        stages: English stage keys, first to last open stage.
        win_probs: cumulative win probability per stage.
        conversions: stage-to-stage conversion per stage (last one: to won).
        deals_needed: wins needed in the period (quota / avg_deal).
        wins_per_week: wins the funnel must drop every week.
        stage_counts: deals that sit in each stage at any moment, steady state.
        entering_per_week: deals entering each stage per week.
        new_per_week: new projects entering the first stage per week.
        reps_needed: new_per_week / new_per_rep_per_week (None if not given).
        avg_deal: average won deal, 万 CNY.
        weeks: length of the period, weeks.
        weeks_per_stage: time a deal spends in each stage, weeks.
    """

    stages: tuple[str, ...]
    win_probs: tuple[float, ...]
    conversions: tuple[float, ...]
    deals_needed: float
    wins_per_week: float
    stage_counts: tuple[float, ...]
    entering_per_week: tuple[float, ...]
    new_per_week: float
    reps_needed: float | None
    avg_deal: float
    weeks: float
    weeks_per_stage: float

    @property
    def shape(self) -> tuple[float, ...]:
        """Stage counts per win of a stage's duration, ending with 1 for won.

        (0.2, 0.35, 0.7) gives 5 : 2.86 : 1.43 : 1, i.e. 10 : 5.7 : 2.9 : 2,
        which the course rounds to its 10 : 6 : 3 : 2.
        """
        return tuple(float(1 / p) for p in self.win_probs) + (1.0,)

    def on_track_amount(self, weeks_elapsed: float) -> float:
        """Amount (万) a funnel on the standard pace has realised after ``weeks_elapsed``."""
        return self.wins_per_week * self.avg_deal * non_negative(weeks_elapsed, "weeks_elapsed")

    def to_frame(self) -> pd.DataFrame:
        """One row per stage: label, Chinese label, win prob, conversion, counts."""
        return pd.DataFrame(
            {
                "label_zh": [label_zh(s) for s in self.stages],
                "win_prob": self.win_probs,
                "conversion": self.conversions,
                "steady_count": self.stage_counts,
                "entering_per_week": self.entering_per_week,
            },
            index=pd.Index(self.stages, name="stage"),
        )


def standard_funnel(
    quota: float,
    avg_deal: float,
    win_probs: Any,
    weeks_per_stage: float = 1,
    weeks: float = 12,
    new_per_rep_per_week: float | None = None,
) -> StandardFunnel:
    """The standard funnel that sells ``quota`` (万) in ``weeks`` weeks.

    Working backwards from the wins: the quota needs ``quota / avg_deal`` wins,
    i.e. ``w = quota / avg_deal / weeks`` a week. A deal entering stage i is
    won with probability p_i, so ``w / p_i`` deals must enter stage i each
    week; each stays ``weeks_per_stage`` weeks, so by Little's law the stage
    holds ``w / p_i * weeks_per_stage`` deals at any moment. The first stage's
    inflow is the new projects needed per week, and dividing it by what one rep
    opens a week gives the headcount.

    Case A (240万, 2万 a deal, 12 weeks, 20/35/70%, one week per stage, 5 new
    per rep per week): 10 wins a week, 50 new projects a week, 10 reps and
    stage counts 50 / 28.6 / 14.3. The course's "50 / 30 / 15" is the rounded
    10 : 6 : 3 shape scaled by five, not a different formula.
    """
    quota = non_negative(quota, "quota")
    avg_deal = positive(avg_deal, "avg_deal")
    weeks_per_stage = positive(weeks_per_stage, "weeks_per_stage")
    weeks = positive(weeks, "weeks")
    stages = stages_from_win_probs(win_probs)
    p = stages.win_probs
    deals_needed = quota / avg_deal
    wins_per_week = deals_needed / weeks
    entering = wins_per_week / p
    reps = None
    if new_per_rep_per_week is not None:
        reps = float(entering[0] / positive(new_per_rep_per_week, "new_per_rep_per_week"))
    return StandardFunnel(
        stages=stages.labels,
        win_probs=tuple(float(x) for x in p),
        conversions=tuple(conversions_from_win_probs(p)),
        deals_needed=deals_needed,
        wins_per_week=wins_per_week,
        stage_counts=tuple(float(x) for x in entering * weeks_per_stage),
        entering_per_week=tuple(float(x) for x in entering),
        new_per_week=float(entering[0]),
        reps_needed=reps,
        avg_deal=avg_deal,
        weeks=weeks,
        weeks_per_stage=weeks_per_stage,
    )


@dataclass(frozen=True)
class FunnelGap:
    """Expected outcome of a funnel snapshot and the gap to quota.

    Attributes:
        stages, counts, win_probs: the snapshot, per open stage.
        expected_wins: sum of count x win probability, deals.
        expected_amount: expected_wins x avg_deal, 万.
        realised: amount already won in the period, 万.
        quota: the period's quota, 万.
        amount_gap: quota - realised - expected_amount, 万 (negative = surplus).
        deals_gap: further wins needed, max(amount_gap, 0) / avg_deal.
        project_gap: new projects that must enter the first stage,
            deals_gap / p_1 (项目缺口).
        avg_deal: 万 per won deal.
    """

    stages: tuple[str, ...]
    counts: tuple[float, ...]
    win_probs: tuple[float, ...]
    expected_wins: float
    expected_amount: float
    realised: float
    quota: float
    amount_gap: float
    deals_gap: float
    project_gap: float
    avg_deal: float

    def to_frame(self) -> pd.DataFrame:
        """One row per stage: count, win prob, expected wins and amount."""
        counts = np.array(self.counts)
        probs = np.array(self.win_probs)
        return pd.DataFrame(
            {
                "label_zh": [label_zh(s) for s in self.stages],
                "count": counts,
                "win_prob": probs,
                "expected_wins": counts * probs,
                "expected_amount": counts * probs * self.avg_deal,
            },
            index=pd.Index(self.stages, name="stage"),
        )


def funnel_gap(
    counts: Any, win_probs: Any, realised: float, quota: float, avg_deal: float
) -> FunnelGap:
    """Expected wins of a funnel snapshot and the gap to quota (section 4).

    Expected wins = sum of count x win probability, because p_i already is the
    chance a stage-i deal is eventually won. The amount gap left after those
    and what is already realised must be filled by new wins; each new project
    enters the first stage and is won with p_1, so the project gap is the
    deals gap over p_1. A funnel already above quota has a negative amount gap
    and zero deals and project gap. Case B: 82.45 wins, 164.9万, 88万, 44, 220.
    """
    stages = stages_from_win_probs(win_probs)
    c = values_for_stages(counts, stages, "counts")
    realised = non_negative(realised, "realised")
    quota = non_negative(quota, "quota")
    avg_deal = positive(avg_deal, "avg_deal")
    p = stages.win_probs
    expected_wins = float(c @ p)
    expected_amount = expected_wins * avg_deal
    amount_gap = quota - realised - expected_amount
    deals_gap = max(amount_gap, 0.0) / avg_deal
    return FunnelGap(
        stages=stages.labels,
        counts=tuple(float(x) for x in c),
        win_probs=tuple(float(x) for x in p),
        expected_wins=expected_wins,
        expected_amount=expected_amount,
        realised=realised,
        quota=quota,
        amount_gap=amount_gap,
        deals_gap=deals_gap,
        project_gap=deals_gap / float(p[0]),
        avg_deal=avg_deal,
    )


def weekly_projection(counts: Any, win_probs: Any, injections: Sequence[float]) -> pd.DataFrame:
    """The course's "now, +1 week, ..., +k weeks" table (deterministic flow).

    Each stage is taken to last one week. From one column to the next, every
    stage's deals move to the next stage multiplied by the conversion
    p_i / p_{i+1} (the rest drop out); the last stage's deals are won with
    p_N and those are the wins of that week; ``injections[i]`` new projects
    enter the first stage in week i+1, so the first stage in column "+i+1"
    holds exactly ``injections[i]``. A project injected in week j is therefore
    won (on average, p_1 of it) in week j + N.

    Returns a DataFrame with rows = the stages plus "wins" and columns "now",
    "+1", ..., "+k" (k = len(injections)). Counts are expected deals and need
    not be whole numbers; "wins" in "now" is NaN, because wins are a flow over
    a week and "now" is a snapshot.
    """
    stages = stages_from_win_probs(win_probs)
    c = values_for_stages(counts, stages, "counts")
    if isinstance(injections, (str, bytes, Mapping)) or not isinstance(injections, Sequence):
        raise SimkitInputError("injections", injections, "a sequence of new projects per week")
    inj = [non_negative(x, f"injections[{i}]") for i, x in enumerate(injections)]
    p = stages.win_probs
    conv = np.array(conversions_from_win_probs(p))
    columns = {"now": np.append(c, np.nan)}
    level = c
    for week, new in enumerate(inj, start=1):
        wins = level[-1] * conv[-1]
        level = np.concatenate(([new], level[:-1] * conv[:-1]))
        columns[f"+{week}"] = np.append(level, wins)
    frame = pd.DataFrame(columns, index=pd.Index([*stages.labels, "wins"], name="stage"))
    return frame


@dataclass(frozen=True)
class Coverage:
    """Pipeline coverage needed for the rest of a period.

    All coverages are multiples of the quota still open (remaining quota = 1).

    Attributes:
        win_rate: share of pipeline (by value) that turns into wins.
        cycle_weeks: time from entering the pipeline to closing, weeks.
        weeks_remaining: weeks left in the period.
        closeable_coverage: pipeline that must pass through the funnel in time
            to close before the end, 1 / win_rate.
        entry_window_weeks: weeks during which a new deal can still enter and
            close in time, max(weeks_remaining - cycle_weeks, 0).
        coverage_now: pipeline that must be open today, if new pipeline keeps
            being created at the steady rate the remaining quota needs.
        new_coverage_per_week: new pipeline needed per week during the entry
            window (0 if the window is closed).
    """

    win_rate: float
    cycle_weeks: float
    weeks_remaining: float
    closeable_coverage: float
    entry_window_weeks: float
    coverage_now: float
    new_coverage_per_week: float


def coverage_needed(win_rate: float, cycle_weeks: float, weeks_remaining: float) -> Coverage:
    """Pipeline coverage (multiple of remaining quota) from win rate and cycle.

    Reasoning. A unit of pipeline that can still close before the period ends
    turns into ``win_rate`` units of wins, so the pipeline that can close in
    time must total ``1 / win_rate`` times the remaining quota -- whatever the
    cycle. The cycle decides how much of that must exist *today*: a deal takes
    ``cycle_weeks`` to close, so a deal entering later than
    ``weeks_remaining - cycle_weeks`` from now cannot close in the period.

    * If ``weeks_remaining <= cycle_weeks`` the entry window is shut: every
      remaining win must come from today's pipeline, coverage_now =
      1 / win_rate (and only deals near the end of their cycle count).
    * Otherwise new deals entering during the first
      ``weeks_remaining - cycle_weeks`` weeks still close in time. Spreading
      the wins evenly over the remaining weeks, today's pipeline must carry the
      wins of the next ``cycle_weeks`` weeks, and new pipeline of
      ``1 / (win_rate * weeks_remaining)`` per week the rest:
      coverage_now = cycle_weeks / weeks_remaining / win_rate.

    So coverage_now = min(cycle_weeks / weeks_remaining, 1) / win_rate. A
    fixed 3x is right only when that happens to be 3: for small projects at a
    20% win rate and a 3-week cycle it is 1.25x at the start of a 12-week
    quarter and 5x in its last three weeks.
    """
    w = positive(win_rate, "win_rate")
    if w > 1:
        raise SimkitInputError("win_rate", win_rate, "a probability in (0, 1]")
    cycle = positive(cycle_weeks, "cycle_weeks")
    remaining = positive(weeks_remaining, "weeks_remaining")
    window = max(remaining - cycle, 0.0)
    return Coverage(
        win_rate=w,
        cycle_weeks=cycle,
        weeks_remaining=remaining,
        closeable_coverage=1 / w,
        entry_window_weeks=window,
        coverage_now=min(cycle / remaining, 1.0) / w,
        new_coverage_per_week=(1 / (w * remaining)) if window > 0 else 0.0,
    )
