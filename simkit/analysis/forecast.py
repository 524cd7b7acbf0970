"""Forecast and gap calculators of the course (sections 5, 6 and 7).

Money is in 万 CNY (10,000 CNY), time in weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simkit.analysis._inputs import (
    non_negative,
    positive,
    probability,
    stages_from_win_probs,
    values_for_stages,
)
from simkit.model.errors import SimkitInputError
from simkit.model.labels import label_zh

__all__ = [
    "LargeProjectForecast",
    "RepGap",
    "RevenueForecast",
    "large_project_forecast",
    "rep_gap",
    "revenue_forecast",
]


@dataclass(frozen=True)
class RevenueForecast:
    """Section 6's committed / possible / unforecast forecast for a period.

    Attributes (万 unless stated):
        quota, realised: the period's quota and what is already in.
        committed_part: committed x committed_weight (确保收入).
        possible_part: possible x possible_weight (可能收入).
        unforecast_part: quota x unforecast_rate x weeks_remaining (预测外收入).
        forecast: realised + the three parts.
        completion: forecast / quota (ratio, 1.0 = on quota).
        gap: quota - forecast (negative = forecast above quota).
    """

    quota: float
    realised: float
    committed_part: float
    possible_part: float
    unforecast_part: float
    forecast: float
    completion: float
    gap: float

    def to_frame(self) -> pd.DataFrame:
        """The forecast's build-up, one row per part, with its share of quota."""
        parts = {
            "realised": self.realised,
            "committed": self.committed_part,
            "possible": self.possible_part,
            "unforecast": self.unforecast_part,
            "forecast": self.forecast,
        }
        frame = pd.DataFrame({"amount": parts})
        frame["share_of_quota"] = frame["amount"] / self.quota
        frame.index.name = "part"
        return frame


def revenue_forecast(
    quota: float,
    realised: float,
    committed: float,
    possible: float,
    weeks_remaining: float,
    committed_weight: float = 0.75,
    possible_weight: float = 0.25,
    unforecast_rate: float = 0.04,
) -> RevenueForecast:
    """Forecast this period's cash from reps' committed and possible lists.

    forecast = realised + committed x 75% + possible x 25%
    + quota x 4% x weeks remaining. The last term is cash that historically
    arrives from projects on neither list, about 4% of quota a week; the
    weights are how much of each list historically paid (one version of the
    course uses 70% for committed). This model finds the cash gap of the
    period (acts fast); :func:`~simkit.analysis.funnel_gap` finds the project
    gap (acts slowly).
    """
    quota = positive(quota, "quota")
    realised = non_negative(realised, "realised")
    committed = non_negative(committed, "committed")
    possible = non_negative(possible, "possible")
    weeks_remaining = non_negative(weeks_remaining, "weeks_remaining")
    cw = probability(committed_weight, "committed_weight")
    pw = probability(possible_weight, "possible_weight")
    ur = probability(unforecast_rate, "unforecast_rate")
    c_part, p_part, u_part = committed * cw, possible * pw, quota * ur * weeks_remaining
    forecast = realised + c_part + p_part + u_part
    return RevenueForecast(
        quota=quota,
        realised=realised,
        committed_part=c_part,
        possible_part=p_part,
        unforecast_part=u_part,
        forecast=forecast,
        completion=forecast / quota,
        gap=quota - forecast,
    )


@dataclass(frozen=True)
class RepGap:
    """Section 7's P1-P4 chain for one rep.

    Attributes (万 unless stated):
        gap0: quota - finished.
        gap1: gap0 - committed x p1 (the "sure" position).
        gap2: gap1 - other_confirmed x p2 (the "possible" position).
        gap3: pipeline of undetermined projects still needed,
            max(gap2, 0) / p3.
        new_customers: gap3 / avg_deal, projects (new customers) to open.
        new_customers_per_week: new_customers / weeks_remaining, or None.
    """

    gap0: float
    gap1: float
    gap2: float
    gap3: float
    new_customers: float
    new_customers_per_week: float | None

    def to_frame(self) -> pd.DataFrame:
        """The chain as rows, in the order the course writes it."""
        rows = {
            "gap0": self.gap0,
            "gap1": self.gap1,
            "gap2": self.gap2,
            "gap3": self.gap3,
            "new_customers": self.new_customers,
            "new_customers_per_week": self.new_customers_per_week,
        }
        return pd.DataFrame({"value": rows}).rename_axis("step")


def rep_gap(
    quota: float,
    finished: float,
    committed: float,
    other_confirmed: float,
    p1: float = 0.70,
    p2: float = 0.25,
    p3: float = 0.20,
    avg_deal: float = 2.0,
    weeks_remaining: float | None = None,
) -> RepGap:
    """Gap0 -> Gap3 and the new customers a rep still needs (section 7).

    p1 and p2 are the expected realisation of committed and of other confirmed
    opportunities, p3 the win rate of undetermined projects and avg_deal (the
    course's P4) their average size. Gap0-Gap2 keep their sign (negative =
    ahead); once Gap2 is covered no new pipeline is needed, so Gap3 and the
    new customers are floored at zero.
    """
    quota = non_negative(quota, "quota")
    finished = non_negative(finished, "finished")
    committed = non_negative(committed, "committed")
    other_confirmed = non_negative(other_confirmed, "other_confirmed")
    p1 = probability(p1, "p1")
    p2 = probability(p2, "p2")
    p3 = probability(p3, "p3", allow_zero=False)
    avg_deal = positive(avg_deal, "avg_deal")
    gap0 = quota - finished
    gap1 = gap0 - committed * p1
    gap2 = gap1 - other_confirmed * p2
    gap3 = max(gap2, 0.0) / p3
    new_customers = gap3 / avg_deal
    per_week = None
    if weeks_remaining is not None:
        per_week = new_customers / positive(weeks_remaining, "weeks_remaining")
    return RepGap(gap0, gap1, gap2, gap3, new_customers, per_week)


@dataclass(frozen=True)
class LargeProjectForecast:
    """Section 5's expected revenue and collection of large projects.

    Attributes (万 unless stated):
        stages, amounts, win_probs: the funnel by stage.
        expected_by_stage: amount x win probability per stage.
        signable_stages: stages counted as able to sign this quarter.
        signable_expected: expected revenue of the signable stages.
        won_expected_collection: expected collection of already won projects.
        expected_total: sum over stages + won_expected_collection.
        collection_forecast: (signable_expected x in_year_share x
            in_quarter_share + won_expected_collection) x software_share.
        quota: the large-project quota it is compared with (None if not given).
        realised: large-project amount already realised.
        gap: quota - realised - collection_forecast (None without quota).
    """

    stages: tuple[str, ...]
    amounts: tuple[float, ...]
    win_probs: tuple[float, ...]
    expected_by_stage: tuple[float, ...]
    signable_stages: tuple[str, ...]
    signable_expected: float
    won_expected_collection: float
    expected_total: float
    collection_forecast: float
    quota: float | None
    realised: float
    gap: float | None

    def to_frame(self) -> pd.DataFrame:
        """One row per stage: amount, win prob, expected revenue, signable."""
        return pd.DataFrame(
            {
                "label_zh": [label_zh(s) for s in self.stages],
                "amount": self.amounts,
                "win_prob": self.win_probs,
                "expected_revenue": self.expected_by_stage,
                "signable": [s in self.signable_stages for s in self.stages],
            },
            index=pd.Index(self.stages, name="stage"),
        )


def large_project_forecast(
    amounts_by_stage: Any,
    win_probs: Any,
    won_expected_collection: float = 0.0,
    signable_stages: Sequence[Any] = ("negotiation",),
    in_year_share: float = 0.70,
    in_quarter_share: float = 0.50,
    software_share: float = 0.75,
    quota: float | None = None,
    realised: float = 0.0,
) -> LargeProjectForecast:
    """Expected revenue and the quarter's software collection of large projects.

    Large projects are few and uneven, so they are judged by amount, not
    count: a project's expected revenue is its amount x its stage's win
    probability. Only projects that can still sign this quarter (in the
    course's table: those in negotiation; ``signable_stages`` accepts stage
    labels in English or Chinese, or stage positions) feed this quarter's
    collection, of which 70% of contract value is collected within the year
    and half of that in this quarter; collections are software and
    implementation 3 : 1, hence the 75% software share.

    ``amounts_by_stage`` is a sequence or mapping of the total open amount per
    stage, or per stage a list of project amounts (summed). ``quota`` is the
    large-project quota itself (the course uses 25% of the quarterly quota).
    """
    stages = stages_from_win_probs(win_probs)
    amounts = values_for_stages(amounts_by_stage, stages, "amounts_by_stage", reduce_sequences=True)
    won_expected_collection = non_negative(won_expected_collection, "won_expected_collection")
    in_year = probability(in_year_share, "in_year_share")
    in_quarter = probability(in_quarter_share, "in_quarter_share")
    software = probability(software_share, "software_share")
    realised = non_negative(realised, "realised")
    if isinstance(signable_stages, (str, bytes)) or not isinstance(signable_stages, Sequence):
        # A bare string would otherwise be read character by character.
        raise SimkitInputError(
            "signable_stages", signable_stages, "a sequence of stage labels, e.g. ('negotiation',)"
        )
    idx = sorted({stages.index(s, "signable_stages") for s in signable_stages})
    expected = amounts * stages.win_probs
    signable_expected = float(expected[idx].sum()) if idx else 0.0
    collection = (signable_expected * in_year * in_quarter + won_expected_collection) * software
    gap = None
    if quota is not None:
        gap = non_negative(quota, "quota") - realised - collection
    return LargeProjectForecast(
        stages=stages.labels,
        amounts=tuple(float(x) for x in amounts),
        win_probs=tuple(float(x) for x in stages.win_probs),
        expected_by_stage=tuple(float(x) for x in expected),
        signable_stages=tuple(stages.labels[i] for i in idx),
        signable_expected=signable_expected,
        won_expected_collection=won_expected_collection,
        expected_total=float(np.sum(expected)) + won_expected_collection,
        collection_forecast=collection,
        quota=None if quota is None else float(quota),
        realised=realised,
        gap=gap,
    )
