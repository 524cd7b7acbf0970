"""``simkit scenario template`` and ``simkit scenario validate``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from simkit.cli.common import readable
from simkit.cli.group import main
from simkit.cli.lang import cli_language, msg
from simkit.model.errors import SimkitInputError
from simkit.model.files import load_scenario
from simkit.sim.io import atomic_write


#: The annotated scenario file in each language: the same keys and values, the comments
#: translated (the Chinese one also has a Chinese ``description``).
TEMPLATES = {"en": "scenario.toml", "zh": "scenario.zh.toml"}


def template_text(lang: str = "en") -> str:
    """The annotated scenario file whose comments are in ``lang`` (English unless ``zh``)."""
    name = TEMPLATES.get(lang, TEMPLATES["en"])
    return (resources.files("simkit.model") / "templates" / name).read_text("utf-8")


@main.group()
def scenario():
    """Write and check scenario files."""


@scenario.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of printing (refuses to overwrite).")
def template(out):
    """A commented scenario file (the small-projects preset) to edit.

    Its comments are in the command's language (--lang, SIMKIT_LANG, the locale).
    """
    text = template_text(cli_language())
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists():
        raise SimkitInputError("--out", str(out), "a file that does not exist yet")
    atomic_write(out, lambda p: p.write_text(text, "utf-8"))
    click.echo(msg("cli.wrote", out=out))


@scenario.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def validate(file):
    """Check a scenario file and describe it."""
    sc = load_scenario(file)
    lang = cli_language()
    f = sc.funnel
    stages = msg("cli.validate.stage_sep").join(
        msg("cli.validate.stage", stage=(s.label_zh or s.name) if lang == "zh" else s.name,
            win_prob=f"{s.win_prob:.0%}", conversion=f"{c:.0%}",
            weeks=readable(s.duration.mean))
        for s, c in zip(f.stages, f.conversions))
    click.echo(msg("cli.validate.ok", file=file, name=repr(sc.name)))
    click.echo(msg("cli.validate.stages", stages=stages))
    click.echo(msg("cli.validate.team", reps=sc.team.reps,
                   leads=readable(sc.leads.per_rep_per_week), deal=readable(sc.deal_size.mean),
                   quota=readable(sc.quota.team_per_quarter),
                   weeks=sc.quota.weeks_per_quarter))
    click.echo(msg("cli.validate.expected", attainment=f"{sc.expected_attainment():.1%}"))
