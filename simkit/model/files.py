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

from simkit.model.errors import ScenarioError, SimkitInputError
from simkit.model.params import Scenario
from simkit.model.validation import _Elided, validate

__all__ = ["load_scenario", "scenario_from_dict", "dump_toml"]


def scenario_from_dict(data: dict, source: str | None = None) -> Scenario:
    """Validate a plain dict (as read from TOML) into a :class:`Scenario`."""
    return validate(Scenario, data, source)


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
    return scenario_from_dict(_toml(text, str(p)), str(p))


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
    return scenario.to_toml()
