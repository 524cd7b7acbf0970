"""Errors simkit raises for input it cannot use.

Every error names the field (or argument), the value it got and what is
allowed, so a planner reading it in a terminal or a notebook knows what to
change without reading a traceback.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SimkitInputError", "ScenarioError", "check"]


class SimkitInputError(ValueError):
    """A value a user supplied is not allowed.

    Attributes ``field``, ``value`` and ``allowed`` carry the parts of the
    message so that widgets and the CLI can show them without parsing text.
    """

    def __init__(self, field: str, value: Any, allowed: str, hint: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{field} = {value!r} is not allowed: {allowed}."
        if hint:
            msg += f" {hint}"
        super().__init__(msg)


class ScenarioError(ValueError):
    """A scenario (file, dict or override) failed validation.

    ``problems`` is a list of ``(field, value, allowed)`` tuples; ``source``
    names the file or object it came from.
    """

    def __init__(self, problems: list[tuple[str, Any, str]], source: str | None = None):
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        lines = [f"Scenario{where} is not valid:"]
        for field, value, allowed in problems:
            shown = "(missing)" if value is _MISSING else repr(value)
            lines.append(f"  - {field} = {shown}: {allowed}")
        super().__init__("\n".join(lines))


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()


def check(ok: bool, field: str, value: Any, allowed: str) -> None:
    """Raise :class:`SimkitInputError` unless ``ok``."""
    if not ok:
        raise SimkitInputError(field, value, allowed)
