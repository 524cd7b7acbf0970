"""Overrides: ``{"dotted.path": value}`` changes applied to a scenario's data.

Paths are those of the scenario file (``team.reps``, ``funnel.stages.intent.win_prob``,
a list item by index or by name) plus three virtual funnel paths:
``funnel.win_rate`` (rescales every conversion, :meth:`Funnel.with_win_rate`),
``funnel.win_probs`` and ``funnel.conversions`` (one number per stage).
:meth:`Scenario.override` validates the result.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from typing import Any

from simkit.model.errors import ScenarioError, SimkitInputError
from simkit.model.funnel import Funnel, win_probs_from_conversions
from simkit.model.labels import canonical
from simkit.model.validation import validate

__all__ = ["override_data", "parse_value"]


def parse_value(text: str) -> Any:
    """A CLI value as TOML would read it (numbers, booleans, arrays, inline
    tables, quoted strings); anything else stays a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise ScenarioError([("value", text[:40] + ("..." if len(text) > 40 else ""),
                              "arrays or tables nested too deeply")], "--set") from None


_VIRTUAL = {"funnel.win_rate", "funnel.win_probs", "funnel.conversions"}


def override_data(data: dict, changes: dict[str, Any]) -> dict:
    """A copy of a scenario's data (``model_dump(mode="json", by_alias=True)``) with
    ``changes`` applied; not yet validated."""
    if not isinstance(changes, Mapping):
        raise SimkitInputError(
            "changes", changes,
            'a mapping of dotted paths to values, e.g. sc.override({"team.reps": 3})')
    for path, value in changes.items():
        if not isinstance(path, str):
            raise ScenarioError([(repr(path), value,
                                  "a dotted path in quotes such as \"team.reps\"")], "override")
    data = copy.deepcopy(data)
    for path, value in changes.items():
        if path in _VIRTUAL:
            data["funnel"] = _virtual_funnel(data["funnel"], path, value)
        else:
            _set_path(data, path, value)
    return data


def _virtual_funnel(funnel_data: dict, path: str, value: Any) -> dict:
    funnel = validate(Funnel, funnel_data, "override")
    stages = list(funnel_data["stages"])
    n = len(stages)
    if path == "funnel.win_rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError([(path, value, "must be a number above 0 and below 1")],
                                "override")
        try:  # the one rescale, shared with Funnel.with_win_rate
            probs = funnel.with_win_rate(float(value)).win_probs
        except ValueError as exc:
            raise ScenarioError([(path, value, str(exc).split(", got")[0].removeprefix(
                "funnel.win_rate "))], "override") from None
    else:
        if not isinstance(value, (list, tuple)) or len(value) != n:
            raise ScenarioError(
                [(path, value, f"must be a list of {n} numbers, one per stage")], "override"
            )
        probs = list(value) if path == "funnel.win_probs" else win_probs_from_conversions(value)
    new = copy.deepcopy(funnel_data)
    new["stages"] = [dict(s, win_prob=p) for s, p in zip(stages, probs)]
    return new


def _set_path(data: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise ScenarioError([(path, value, "not a dotted path such as team.reps")], "override")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = ".".join(parts[: i + 1])
        if isinstance(node, dict):
            if part not in node:
                allowed = sorted(node) + (sorted(p.split(".")[1] for p in _VIRTUAL) if i == 1 and parts[0] == "funnel" else [])
                raise ScenarioError(
                    [(here, value, "unknown path; allowed here: " + ", ".join(allowed))],
                    "override",
                )
            if last:
                node[part] = value
            else:
                node = node[part]
        elif isinstance(node, (list, tuple)):
            idx = _list_index(node, part)
            if idx is None:
                names = [str(x.get("name")) for x in node if isinstance(x, dict)]
                raise ScenarioError(
                    [(here, value, f"no item {part!r}; use an index 0-{len(node) - 1}"
                      + (f" or a name ({', '.join(names)})" if names else ""))],
                    "override",
                )
            if last:
                node[idx] = value
            else:
                node = node[idx]
        else:
            raise ScenarioError([(here, value, "path goes below a plain value")], "override")


def _list_index(items: list, part: str) -> int | None:
    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if 0 <= idx < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") in (part, canonical(part)):
            return i
    return None
