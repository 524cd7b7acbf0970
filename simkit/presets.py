"""The course's built-in scenarios, shipped as TOML files inside the package so a
preset and a planner's scenario file are the same thing."""

from __future__ import annotations

from functools import cache
from importlib import resources

from .errors import SimkitInputError
from .params import Scenario

__all__ = ["preset", "preset_names", "preset_text", "DEFAULT_PRESET"]

DEFAULT_PRESET = "small-projects"


def preset_names() -> list[str]:
    """Names of the built-in presets."""
    files = resources.files("simkit") / "presets"
    return sorted(p.name.removesuffix(".toml") for p in files.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a preset (a good starting file for a planner)."""
    if name not in preset_names():
        raise SimkitInputError("preset", name, "one of " + ", ".join(preset_names()))
    return (resources.files("simkit") / "presets" / f"{name}.toml").read_text(encoding="utf-8")


@cache
def preset(name: str = DEFAULT_PRESET) -> Scenario:
    """A built-in scenario: ``small-projects`` (case A), ``large-projects`` or ``seven-step``."""
    import tomllib

    from .scenario_io import scenario_from_dict

    return scenario_from_dict(tomllib.loads(preset_text(name)), f"preset {name}")
