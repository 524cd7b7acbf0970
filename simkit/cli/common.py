"""Options and helpers shared by simkit's commands."""

from __future__ import annotations

from pathlib import Path

import click

from simkit.model.errors import ScenarioError, SimkitInputError
from simkit.model.files import load_scenario
from simkit.model.overrides import parse_value
from simkit.model.params import Scenario
from simkit.model.presets import DEFAULT_PRESET, preset, preset_names


def readable(v: float) -> str:
    """A number as a person reads it in a summary: 746, 103.1, 8.07, 0.195, 0.0249 (three
    significant digits below 100, one decimal above, never 8.06549 or 1.04e+03)."""
    v = float(v)
    if v.is_integer():
        return f"{v:.0f}"
    if abs(v) >= 100:
        return f"{v:.1f}"
    return f"{v:.3g}"


class FiniteFloat(click.ParamType):
    """A float that is a number: ``nan``, ``inf`` and ``-inf`` are refused."""

    name = "number"

    def convert(self, value, param, ctx):
        import math

        if isinstance(value, float) and math.isfinite(value):
            return value
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(x):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return x


FINITE_FLOAT = FiniteFloat()


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that calls ``nan`` / ``inf`` not numbers (not out of range)."""

    def convert(self, value, param, ctx):
        return super().convert(FINITE_FLOAT.convert(value, param, ctx), param, ctx)


def scenario_options(f):
    """SCENARIO_FILE argument plus --preset and --set, for commands that take a scenario."""
    f = click.option(
        "--set", "sets", multiple=True, metavar="PATH=VALUE",
        help="Change one parameter by its dotted path, e.g. --set team.reps=12 "
             "(values are read as TOML: 0.3, [0.2,0.4,0.7], \"text\"). Repeatable.",
    )(f)
    f = click.option(
        "--preset", "preset_name", default=None, metavar="NAME",
        help=f"Start from a built-in scenario ({', '.join(preset_names())}); "
             f"default {DEFAULT_PRESET} when no file is given.",
    )(f)
    f = click.argument(
        "scenario_file", required=False, type=click.Path(dir_okay=False, path_type=Path),
    )(f)
    return f


def resolve_scenario(scenario_file: Path | None, preset_name: str | None,
                     sets: tuple[str, ...]) -> Scenario:
    """The scenario a command was asked for, validated, with --set applied."""
    if scenario_file is not None and preset_name is not None:
        raise SimkitInputError("--preset", preset_name,
                               "not together with a scenario file; give one or the other")
    if scenario_file is not None:
        sc = load_scenario(scenario_file)
    else:
        name = preset_name or DEFAULT_PRESET
        if name not in preset_names():
            raise SimkitInputError("--preset", name, "one of " + ", ".join(preset_names()))
        sc = preset(name)
    changes = {}
    for item in sets:
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise ScenarioError([("--set", item, "must look like PATH=VALUE, e.g. team.reps=12")])
        changes[path.strip()] = parse_value(value.strip())
    return sc.override(changes) if changes else sc
