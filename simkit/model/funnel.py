"""Funnels: ordered stages with the course's cumulative win probabilities.

A stage's ``win_prob`` is the probability that a deal now in it is eventually
won (该阶段成功率), not the stage-to-stage conversion. The conversion from stage i
to i+1 is ``win_prob[i] / win_prob[i+1]``, and the last stage converts to a win
with its own ``win_prob``; :func:`conversions_from_win_probs` and
:func:`win_probs_from_conversions` turn one form into the other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simkit.model.distributions import Deterministic, Distribution, Uniform
from simkit.model.errors import SimkitInputError
from simkit.model.labels import canonical, label_zh

__all__ = ["Funnel", "Stage", "conversions_from_win_probs", "rescale_conversions",
           "win_probs_from_conversions"]


#: Most stages a funnel may have (the fast path stores stage numbers in 8 bits;
#: a real funnel has 3 to 8).
MAX_STAGES = 100
#: Longest mean (for a uniform, longest upper end) of one stage's duration, weeks.
MAX_STAGE_WEEKS = 520


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False,
                              populate_by_name=True)


def conversions_from_win_probs(win_probs: Sequence[float]) -> list[float]:
    """Stage-to-stage conversions from cumulative win probabilities.

    ``[0.2, 0.35, 0.7] -> [0.571, 0.5, 0.7]``: 57% of intent deals reach
    solution, 50% of those reach negotiation, 70% of those are won.
    Every probability must be in (0, 1] and none may fall towards the last
    stage (a conversion above 1 is not a probability): anything else raises
    :class:`~simkit.SimkitInputError`.
    """
    try:
        p = [float(x) for x in win_probs]
    except (TypeError, ValueError):
        raise SimkitInputError("win_probs", win_probs, "a list of numbers in (0, 1]") from None
    for i, x in enumerate(p):
        if not (math.isfinite(x) and 0 < x <= 1):
            raise SimkitInputError(f"win_probs[{i}]", x, "a probability above 0 and at most 1")
    for i in range(len(p) - 1):
        if p[i] > p[i + 1]:
            raise SimkitInputError(
                f"win_probs[{i}]", p[i],
                f"at most win_probs[{i + 1}] = {p[i + 1]:g}: the chance of winning cannot fall "
                "as a deal moves towards won (the conversion would be above 1)")
    return [p[i] / p[i + 1] for i in range(len(p) - 1)] + [p[-1]] if p else []


def win_probs_from_conversions(conversions: Sequence[float]) -> list[float]:
    """Cumulative win probabilities from stage-to-stage conversions (the inverse).

    Every conversion must be in (0, 1]."""
    try:
        conv = [float(x) for x in conversions]
    except (TypeError, ValueError):
        raise SimkitInputError("conversions", conversions, "a list of numbers in (0, 1]") from None
    for i, x in enumerate(conv):
        if not (math.isfinite(x) and 0 < x <= 1):
            raise SimkitInputError(f"conversions[{i}]", x, "a probability above 0 and at most 1")
    out: list[float] = []
    prod = 1.0
    for c in reversed(conv):
        prod *= c
        out.append(prod)
    return out[::-1]


class Stage(_Frozen):
    """One funnel stage."""

    name: str = Field(min_length=1, description="stage key, English or the course's Chinese name")
    label_zh: str = Field("", description="Chinese label shown next to the English one")
    win_prob: float = Field(
        gt=0, le=1, description="probability a deal in this stage is eventually won (cumulative)"
    )
    duration: Distribution = Field(
        default_factory=lambda: Deterministic(value=1.0),
        description="time spent in the stage, weeks",
    )

    @model_validator(mode="after")
    def _duration_limit(self):
        d = self.duration
        longest = d.high if isinstance(d, Uniform) else d.mean
        if longest > MAX_STAGE_WEEKS:
            raise ValueError(
                f"duration mean {d.mean:g} weeks is above the limit of {MAX_STAGE_WEEKS} weeks "
                f"(10 years) for one stage")
        return self

    @model_validator(mode="before")
    @classmethod
    def _labels(cls, data):
        if isinstance(data, dict) and "name" in data:
            data = dict(data)
            data["name"] = canonical(data["name"])
            if not data.get("label_zh"):
                data["label_zh"] = label_zh(data["name"])
        return data


class Funnel(_Frozen):
    """Ordered stages, first to last before "won"."""

    stages: tuple[Stage, ...] = Field(
        min_length=1, max_length=MAX_STAGES,
        description=f"ordered stages (at least one, at most {MAX_STAGES})")

    @model_validator(mode="after")
    def _check(self):
        names = [s.name for s in self.stages]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"stage names must be unique; repeated: {', '.join(dup)}")
        p = self.win_probs
        for i in range(len(p) - 1):
            if not p[i] < p[i + 1]:
                raise ValueError(
                    "win_prob must increase from stage to stage towards won, got "
                    + ", ".join(f"{s.name} {s.win_prob:g}" for s in self.stages)
                    + f" ({self.stages[i + 1].name} is not above {self.stages[i].name})"
                )
        return self

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    @property
    def win_probs(self) -> list[float]:
        return [s.win_prob for s in self.stages]

    @property
    def conversions(self) -> list[float]:
        """Stage-to-stage conversions (the last one is the win probability of the last stage)."""
        return conversions_from_win_probs(self.win_probs)

    @property
    def win_rate(self) -> float:
        """Overall probability that a deal entering the first stage is won."""
        return self.stages[0].win_prob

    @property
    def mean_cycle_weeks(self) -> float:
        """Mean time from entering the first stage to leaving the last (a won deal)."""
        return sum(s.duration.mean for s in self.stages)

    def index(self, name: str) -> int:
        key = canonical(name)
        try:
            return self.names.index(key)
        except ValueError:
            raise ValueError(f"unknown stage {name!r}; stages are {', '.join(self.names)}") from None

    def with_win_rate(self, win_rate: float) -> Funnel:
        """Rescale the funnel so a first-stage deal is won with ``win_rate``.

        Every stage-to-stage conversion is raised to the same power
        gamma = log(win_rate) / log(current win rate). Conversions stay in
        (0, 1], win probabilities stay increasing towards won, and a stage
        that converts better than another still does. (A plain multiplier
        would push late conversions above 1.)
        """
        upper = 1 if len(self.stages) == 1 else 1 - 1e-9
        if not 0 < win_rate <= upper:
            raise ValueError(
                f"funnel.win_rate must be above 0 and below 1 (at most 1 for a one-stage "
                f"funnel), got {win_rate!r}"
            )
        conv = rescale_conversions(self.conversions, self.win_rate, win_rate)
        probs = win_probs_from_conversions(conv)
        return Funnel(
            stages=tuple(s.model_copy(update={"win_prob": p}) for s, p in zip(self.stages, probs))
        )


def rescale_conversions(conversions: Sequence[float], current: float, target: float) -> list[float]:
    """Conversions raised to the power that takes their product from ``current`` to ``target``."""
    if current >= 1.0:
        if target >= 1.0:
            return list(conversions)
        raise ValueError("a funnel whose win rate is 1 cannot be rescaled to a lower win rate")
    gamma = math.log(target) / math.log(current)
    return [c**gamma for c in conversions]
