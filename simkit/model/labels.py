"""Bilingual stage names used by the course (English key, Chinese label).

Calculators and scenarios accept either form as a stage label; ``canonical``
turns a Chinese label into the English key used inside simkit.
"""

from __future__ import annotations

__all__ = ["STAGE_LABELS_ZH", "canonical", "label_zh"]

# English key -> Chinese label, as the course writes them. Some English keys
# carry two Chinese spellings (the small-project and seven-step decks differ).
STAGE_LABELS_ZH: dict[str, tuple[str, ...]] = {
    "target": ("目标客户",),
    "potential": ("潜在客户",),
    "intent": ("意向阶段", "意向客户"),
    "initiated": ("立项客户",),
    "accepted": ("认可客户",),
    "solution": ("方案阶段", "解决方案"),
    "negotiation": ("谈判阶段", "谈判客户", "商务谈判"),
    "won": ("成交", "成交客户"),
    "realised": ("销售实现",),
}

_ZH_TO_EN = {zh: en for en, zhs in STAGE_LABELS_ZH.items() for zh in zhs}


def canonical(name: str) -> str:
    """Return the English key for a stage label given in English or Chinese.

    Unknown labels are returned stripped and unchanged: a planner's own stage
    names are allowed.
    """
    name = str(name).strip()
    return _ZH_TO_EN.get(name, name)


def label_zh(name: str) -> str:
    """The first Chinese label for an English stage key ('' if none is known)."""
    return STAGE_LABELS_ZH.get(canonical(name), ("",))[0]
