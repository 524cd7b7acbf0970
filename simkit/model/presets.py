"""The course's built-in scenarios, shipped as TOML files inside the package so a
preset and a planner's scenario file are the same thing."""

from __future__ import annotations

from functools import cache
from importlib import resources

from simkit.model.errors import SimkitInputError
from simkit.model.params import Scenario

__all__ = ["as_scenario", "preset", "preset_names", "preset_text", "DEFAULT_PRESET"]

DEFAULT_PRESET = "small-projects"


def preset_names() -> list[str]:
    """Names of the built-in presets."""
    files = resources.files("simkit.model") / "presets"
    return sorted(p.name.removesuffix(".toml") for p in files.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a preset (a good starting file for a planner)."""
    if name not in preset_names():
        raise SimkitInputError("preset", name, "one of " + ", ".join(preset_names()))
    return (resources.files("simkit.model") / "presets" / f"{name}.toml").read_text(encoding="utf-8")


@cache
def preset(name: str = DEFAULT_PRESET) -> Scenario:
    """A built-in scenario: ``small-projects`` (case A), ``large-projects`` or ``seven-step``."""
    import tomllib

    from simkit.model.files import scenario_from_dict

    return scenario_from_dict(tomllib.loads(preset_text(name)), f"preset {name}")


def as_scenario(x: Scenario | str, field: str = "scenario") -> Scenario:
    """``x`` itself when it is a :class:`Scenario`, the preset of that name when it is
    a string; anything else is refused with an error naming ``field``. Every entry
    point that takes "a scenario or a preset name" goes through here."""
    if isinstance(x, str):
        return preset(x)
    if not isinstance(x, Scenario):
        raise SimkitInputError(field, type(x).__name__, "a simkit Scenario or a preset name")
    return x
