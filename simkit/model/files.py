"""Scenario files (TOML): load, validate, save.

Files are read with :mod:`tomllib` (a data-only parser: nothing in a file can
run code) and written with ``tomli_w``. Every problem becomes a
:class:`~simkit.model.errors.ScenarioError` naming the field, the value and what is
allowed.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from simkit.model.errors import ScenarioError
from simkit.model.params import Scenario
from simkit.model.validation import _Elided, validate

__all__ = ["load_scenario", "scenario_from_dict", "dump_toml"]


def scenario_from_dict(data: dict, source: str | None = None) -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`."""
    return validate(Scenario, data, source)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a TOML scenario file."""
    p = Path(path)
    if not p.exists():
        raise ScenarioError([("file", str(p), "no such file")], None)
    if p.is_dir():
        raise ScenarioError([("file", str(p), "is a folder, not a scenario file")], None)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([("file", str(p), f"cannot be read as UTF-8 text ({exc})")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([("TOML syntax", _Elided(), str(exc))], str(p)) from None
    return scenario_from_dict(data, str(p))


def dump_toml(scenario: Scenario) -> str:
    """The scenario as TOML text that :func:`load_scenario` reads back to an equal scenario."""
    return scenario.to_toml()
