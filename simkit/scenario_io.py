"""Scenario files (TOML) and overrides: load, validate, derive, save.

Files are read with :mod:`tomllib` (a data-only parser: nothing in a file can
run code) and written with ``tomli_w``. Every problem becomes a
:class:`~simkit.errors.ScenarioError` naming the field, the value and what is
allowed.
"""

from __future__ import annotations

import copy
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from .errors import _MISSING, ScenarioError, SimkitInputError
from .params import Funnel, Scenario, rescale_conversions, win_probs_from_conversions

__all__ = ["apply_overrides", "dump_toml", "load_scenario", "parse_value", "scenario_from_dict"]


# ----------------------------------------------------------------- validation


def scenario_from_dict(data: dict, source: str | None = None) -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, Scenario), source) from None


def _problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str, Any, str]]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input", _MISSING)
        if kind == "extra_forbidden":
            allowed = _allowed_fields(model, loc[:-1])
            msg = "unknown field" + (f"; allowed here: {', '.join(allowed)}" if allowed else "")
        elif kind == "missing":
            value = _MISSING
            msg = "required field is missing"
        elif kind == "union_tag_invalid":
            msg = msg.replace("Input tag", "kind")
        if isinstance(value, (dict, list, tuple)) and kind != "extra_forbidden":
            value = _Elided()
        out.append((_loc_str(loc), value, msg))
    return out


class _Elided:
    def __repr__(self) -> str:
        return "(see message)"


def _loc_str(loc: tuple) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif p in _DIST_TAGS:
            continue  # pydantic's discriminated-union tag, not a field the user wrote
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(scenario)"


_DIST_TAGS = {"deterministic", "exponential", "gamma", "lognormal", "uniform"}


def _allowed_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names allowed at ``loc`` (walks the model's annotations)."""
    tp: Any = model
    for part in loc:
        tp = _strip(tp)
        if isinstance(part, int):
            args = typing.get_args(tp)
            tp = args[0] if args else None
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        elif part in _DIST_TAGS:
            for member in typing.get_args(_strip(tp)):
                m = _strip(member)
                if isinstance(m, type) and m.model_fields["kind"].default == part:
                    tp = m
        else:
            return []
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []


def _strip(tp: Any) -> Any:
    """Unwrap Annotated and Optional."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp


# ----------------------------------------------------------------- files


#: Largest scenario file read, bytes (a scenario is a few kB; this is generous).
MAX_SCENARIO_BYTES = 1024 * 1024


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a TOML scenario file (a regular file of at most 1 MB)."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise SimkitInputError("path", path, "a file path (str or pathlib.Path) of a "
                               "TOML scenario file")
    p = Path(path)
    try:
        if not p.exists():
            raise ScenarioError([("file", str(p), "no such file")], None)
        if p.is_dir():
            raise ScenarioError([("file", str(p), "is a folder, not a scenario file")], None)
        if not p.is_file():
            raise ScenarioError([("file", str(p), ("is not a regular file (a device, pipe or "
                                                   "socket); give a .toml scenario file"))], None)
        with open(p, "rb") as fh:
            raw = fh.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([("file", str(p), f"cannot be read ({exc.strerror or exc})")]
                            ) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError([("file", str(p), (f"is larger than {MAX_SCENARIO_BYTES // 1024} kB; "
                                               "a scenario file is a few kB of TOML"))], None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([("file", str(p), f"cannot be read as UTF-8 text ({exc})")]) from None
    data = _toml(text, str(p))
    return scenario_from_dict(data, str(p))


def _toml(text: str, source: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([("TOML syntax", _Elided(), str(exc))], source) from None
    except RecursionError:
        raise ScenarioError([("TOML syntax", _Elided(),
                              "arrays or tables nested too deeply")], source) from None


def dump_toml(scenario: Scenario) -> str:
    """The scenario as TOML text that :func:`load_scenario` reads back to an equal scenario."""
    return tomli_w.dumps(scenario.model_dump(mode="json", by_alias=True, exclude_none=True))


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


# ----------------------------------------------------------------- overrides

_VIRTUAL = {"funnel.win_rate", "funnel.win_probs", "funnel.conversions"}


def apply_overrides(scenario: Scenario, changes: dict[str, Any]) -> Scenario:
    if not isinstance(changes, Mapping):
        raise SimkitInputError(
            "changes", changes,
            'a mapping of dotted paths to values, e.g. sc.override({"team.reps": 3})')
    for path, value in changes.items():
        if not isinstance(path, str):
            raise ScenarioError([(repr(path), value,
                                  "a dotted path in quotes such as \"team.reps\"")], "override")
    data = scenario.model_dump(mode="json", by_alias=True)
    for path, value in changes.items():
        if path in _VIRTUAL:
            data["funnel"] = _virtual_funnel(data["funnel"], path, value)
        else:
            _set_path(data, path, value)
    return scenario_from_dict(data, "override")


def _virtual_funnel(funnel_data: dict, path: str, value: Any) -> dict:
    try:
        funnel = Funnel.model_validate(funnel_data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, Funnel), "override") from None
    stages = list(funnel_data["stages"])
    n = len(stages)
    if path == "funnel.win_rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ScenarioError([(path, value, "must be a number above 0 and below 1")],
                                "override")
        probs = win_probs_from_conversions(
            rescale_conversions(funnel.conversions, funnel.win_rate, float(value))
        )
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
    from .labels import canonical

    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if 0 <= idx < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") in (part, canonical(part)):
            return i
    return None
