"""``simkit scenario template`` and ``simkit scenario validate``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from simkit.cli.group import main
from simkit.model.errors import SimkitInputError
from simkit.model.files import load_scenario
from simkit.sim.io import atomic_write


def template_text() -> str:
    return (resources.files("simkit.model") / "templates" / "scenario.toml").read_text("utf-8")


@main.group()
def scenario():
    """Write and check scenario files."""


@scenario.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of printing (refuses to overwrite).")
def template(out):
    """A commented scenario file (the small-projects preset) to edit."""
    text = template_text()
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists():
        raise SimkitInputError("--out", str(out), "a file that does not exist yet")
    atomic_write(out, lambda p: p.write_text(text, "utf-8"))
    click.echo(f"wrote {out}")


@scenario.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def validate(file):
    """Check a scenario file and describe it."""
    sc = load_scenario(file)
    f = sc.funnel
    click.echo(f"{file}: valid scenario {sc.name!r}")
    click.echo("  stages: " + ", ".join(
        f"{s.name} {s.win_prob:.0%} (conversion {c:.0%}, {s.duration.mean:g} wk)"
        for s, c in zip(f.stages, f.conversions)))
    click.echo(f"  {sc.team.reps} reps x {sc.leads.per_rep_per_week:g} new projects a week, "
               f"mean deal {sc.deal_size.mean:g} 万, quota {sc.quota.team_per_quarter:g} 万 "
               f"per {sc.quota.weeks_per_quarter}-week quarter")
    click.echo(f"  steady-state expected attainment {sc.expected_attainment():.1%}")
