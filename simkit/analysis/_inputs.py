"""Input normalisation shared by the calculators.

The course writes funnels as tables (stage -> win probability, stage -> count),
trainees type them as lists or dicts and sometimes in Chinese. Everything here
turns those forms into one shape -- a tuple of English stage keys plus a numpy
array -- and rejects values that cannot be right with a
:class:`~simkit.model.errors.SimkitInputError` naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simkit.model.errors import SimkitInputError
from simkit.model.labels import canonical

__all__ = [
    "Stages",
    "check_deals",
    "n_replications",
    "non_negative",
    "positive",
    "probability",
    "stages_from_win_probs",
    "values_for_stages",
]


# Columns every deals table needs; grouping columns come on top.
DEAL_COLUMNS = ("entered", "outcome", "closed_at", "amount")


class Stages:
    """Open stages of a funnel: English keys and cumulative win probabilities."""

    __slots__ = ("labels", "win_probs")

    def __init__(self, labels: tuple[str, ...], win_probs: np.ndarray):
        self.labels = labels
        self.win_probs = win_probs

    def __len__(self) -> int:
        return len(self.labels)

    def index(self, label: Any, field: str) -> int:
        """Position of ``label`` (English/Chinese name or integer position)."""
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            n = len(self.labels)
            if -n <= label < n:
                return int(label) % n
            raise SimkitInputError(field, label, f"a stage position in [-{n}, {n - 1}]")
        key = canonical(label)
        if key not in self.labels:
            raise SimkitInputError(field, label, f"one of the stages {list(self.labels)}")
        return self.labels.index(key)


def _number(value: Any, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise SimkitInputError(field, value, "a number") from None
    if math.isnan(x) or math.isinf(x):
        raise SimkitInputError(field, value, "a finite number")
    return x


def positive(value: Any, field: str) -> float:
    x = _number(value, field)
    if x <= 0:
        raise SimkitInputError(field, value, "a number > 0")
    return x


def non_negative(value: Any, field: str) -> float:
    x = _number(value, field)
    if x < 0:
        raise SimkitInputError(field, value, "a number >= 0")
    return x


def probability(value: Any, field: str, *, allow_zero: bool = True) -> float:
    x = _number(value, field)
    lo_ok = x >= 0 if allow_zero else x > 0
    if not (lo_ok and x <= 1):
        allowed = "a probability in [0, 1]" if allow_zero else "a probability in (0, 1]"
        raise SimkitInputError(field, value, allowed)
    return x


def stages_from_win_probs(win_probs: Any, field: str = "win_probs") -> Stages:
    """Validate cumulative win probabilities and give the stages their keys.

    ``win_probs`` is either a sequence ordered from the first stage to the last
    open stage, or a mapping ``{stage label: probability}`` in that order
    (English keys or the course's Chinese names). A sequence gets the labels
    ``stage_1 ... stage_N``. The course's tables end with the won stage at
    100%; that row carries no open deals, so a trailing ``won``/成交 entry of a
    mapping, or a trailing 1.0 in a sequence, is dropped.

    Each open stage's probability must lie in (0, 1] and they must rise
    strictly towards won: a 0% stage (the seven-step process's "target")
    never produces a win and would make the standard funnel infinite, and a
    non-increasing pair would mean a stage-to-stage conversion of 100% or more.

    A scenario's :class:`simkit.model.params.Funnel` (or a whole ``Scenario``) is
    accepted too and read as its stage names and win probabilities.
    """
    # Duck-typed so this layer needs no import of the scenario classes.
    if hasattr(win_probs, "funnel") and hasattr(win_probs.funnel, "win_probs"):
        win_probs = win_probs.funnel
    if hasattr(win_probs, "names") and hasattr(win_probs, "win_probs"):
        win_probs = dict(zip(win_probs.names, win_probs.win_probs, strict=True))
    if isinstance(win_probs, Mapping):
        labels = [canonical(k) for k in win_probs]
        raw = list(win_probs.values())
        if len(set(labels)) != len(labels):
            raise SimkitInputError(field, dict(win_probs), "distinct stage labels")
        if labels and labels[-1] == "won":
            labels, raw = labels[:-1], raw[:-1]
            if "won" in labels:
                raise SimkitInputError(field, dict(win_probs), "'won' only as the last stage")
    elif isinstance(win_probs, Sequence) and not isinstance(win_probs, (str, bytes)):
        raw = list(win_probs)
        if len(raw) > 1 and _is_one(raw[-1]):
            raw = raw[:-1]
        labels = [f"stage_{i + 1}" for i in range(len(raw))]
    else:
        raise SimkitInputError(field, win_probs, "a sequence or a mapping of stage -> probability")
    if not raw:
        raise SimkitInputError(field, win_probs, "at least one open stage")
    probs = np.array([_number(p, field) for p in raw], dtype=float)
    if np.any(probs <= 0) or np.any(probs > 1):
        raise SimkitInputError(
            field,
            _shown(win_probs),
            "win probabilities in (0, 1] (a 0% stage never wins: leave it out)",
        )
    if np.any(np.diff(probs) <= 0):
        raise SimkitInputError(
            field,
            _shown(win_probs),
            "win probabilities strictly increasing from the first stage towards won "
            "(they are cumulative 'eventually won' chances, not stage conversions)",
        )
    return Stages(tuple(labels), probs)


def values_for_stages(
    values: Any,
    stages: Stages,
    field: str,
    *,
    reduce_sequences: bool = False,
) -> np.ndarray:
    """Per-stage non-negative numbers aligned with ``stages``.

    A sequence must have one entry per open stage; a mapping is keyed by stage
    label (English or Chinese) and may leave stages out (they count 0). With
    ``reduce_sequences`` a mapping value may itself be a list of amounts
    (one per project), which is summed.
    """
    n = len(stages)
    out = np.zeros(n, dtype=float)
    if isinstance(values, Mapping):
        for key, v in values.items():
            i = stages.index(key, field)
            out[i] = _cell(v, f"{field}[{key!r}]", reduce_sequences)
    elif isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        if len(values) != n:
            raise SimkitInputError(
                field,
                list(values),
                f"{n} values, one per open stage {list(stages.labels)} (got {len(values)})",
            )
        for i, v in enumerate(values):
            out[i] = _cell(v, f"{field}[{i}]", reduce_sequences)
    else:
        raise SimkitInputError(field, values, "a sequence or a mapping of stage -> value")
    return out


def _cell(v: Any, field: str, reduce_sequences: bool) -> float:
    if reduce_sequences and isinstance(v, Sequence) and not isinstance(v, (str, bytes)):
        return float(sum(non_negative(x, field) for x in v))
    return non_negative(v, field)


def _is_one(value: Any) -> bool:
    try:
        return float(value) == 1.0
    except (TypeError, ValueError):
        return False


def _shown(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else list(value)


def check_deals(deals: Any, by: str | Sequence[str]) -> list[str]:
    """Validate a deals table and return the grouping columns as a list."""
    if not isinstance(deals, pd.DataFrame):
        raise SimkitInputError("deals", type(deals).__name__, "a pandas DataFrame of deals")
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise SimkitInputError("by", by, "at least one grouping column")
    missing = [c for c in (*DEAL_COLUMNS, *keys) if c not in deals.columns]
    if missing:
        raise SimkitInputError(
            "deals", sorted(deals.columns), f"a table with the columns {missing} as well"
        )
    bad = set(deals["outcome"].dropna().unique()) - {"won", "lost", "open"}
    if bad:
        raise SimkitInputError("deals.outcome", sorted(bad), "'won', 'lost' or 'open'")
    if (deals["amount"] < 0).any():
        raise SimkitInputError("deals.amount", float(deals["amount"].min()), "amounts >= 0")
    return keys


def n_replications(deals: pd.DataFrame) -> int:
    """Replications in a results table (1 for a CRM export without the column)."""
    if "replication" in deals.columns and len(deals):
        return int(deals["replication"].nunique())
    return 1
