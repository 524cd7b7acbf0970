"""``simkit run`` and ``simkit presets``."""

from __future__ import annotations

import sys

from pathlib import Path

import click

from simkit.sim.io import atomic_folder, atomic_write, check_output_dir, json_text, write_manifest
from simkit.model.presets import preset, preset_names
from simkit.sim.dispatch import DEFAULT_REPLICATIONS, DEFAULT_SEED, simulate
from simkit.cli.group import main
from simkit.cli.common import resolve_scenario, scenario_options
from simkit.cli.lang import cli_language, msg, pad, width
from simkit.course.i18n import LABELS, stage_label, t


def _scenario_name(name: str, lang: str) -> str:
    """A preset's name; under Chinese with the course's name: small-projects（小项目）."""
    return f"{name}（{t(name, 'zh')}）" if lang == "zh" and name in LABELS else name


def format_summary(s: dict, lang: str = "en") -> str:
    """A readable summary for a terminal, in ``lang`` (``en`` or ``zh``)."""
    engine = f"cli.engine.{s['engine']}"
    rows = [
        ("cli.run.attainment", f"{msg('cli.run.mean', lang)} {s['team_attainment_mean']:7.1%}"
         + ("  " if lang == "en" else "")  # a full-width bracket brings its own space
         + msg("cli.run.ci", lang, ci=f"{1.96 * s['team_attainment_se']:.1%}")),
        ("", (f"P10 {s['team_attainment_p10']:7.1%}   "
              f"P50 {s['team_attainment_p50']:7.1%}   P90 {s['team_attainment_p90']:7.1%}")),
        ("cli.run.p_quota", f"{s['p_team_hits_quota']:7.1%}"),
        ("cli.run.share_at_quota", f"{s['share_of_reps_at_quota_mean']:7.1%}"),
        ("cli.run.wins", f"{s['wins_mean']:7.1f}"),
        ("cli.run.won_amount", msg("cli.run.wan", lang, amount=f"{s['won_amount_mean']:7.1f}")),
    ]
    labels = [msg(key, lang) if key else "" for key, _ in rows]
    column = max(width(label) for label in labels) + 1
    lines = [msg("cli.run.header", lang, scenario=_scenario_name(s["scenario"], lang),
                 replications=s["replications"], seed=s["seed"], quarters=s["quarters"],
                 engine=msg(engine, lang) if engine in LABELS else s["engine"]), ""]
    lines += [f"  {pad(label, column)}{value}" for label, (_, value) in zip(labels, rows)]
    label, expected = msg("cli.run.expected", lang), s["expected_attainment_steady_state"]
    # A label longer than the column (the English one) is followed by its value directly.
    lines.append(f"  {pad(label, column)}"
                 + (f"{expected:7.1%}" if width(label) < column else f"{expected:.1%}"))
    return "\n".join(lines)


@main.command()
@scenario_options
@click.option("--replications", "-n", type=click.IntRange(min=1), default=DEFAULT_REPLICATIONS,
              show_default=True, help="Number of independent replications.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True,
              help="Root seed; the same seed gives the same numbers.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the tables, the scenario and the summary to this folder.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True, help="Table format for --out.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: on a terminal).")
@click.option("--engine", type=click.Choice(["auto", "simpy", "fast", "team-fast"]),
              default="auto", show_default=True,
              help="simpy: the SimPy model of record; fast: its vectorised equivalent (only "
                   "for scenarios without team dynamics); team-fast: its compiled equivalent "
                   "for team dynamics; auto: the fastest that applies.")
def run(scenario_file, preset_name, sets, replications, seed, as_json, out_dir, fmt, progress,
        engine):
    """Simulate a scenario and print its summary.

    SCENARIO_FILE is a TOML scenario (see `simkit scenario template`); without
    it the --preset (default small-projects) is used.
    """
    sc = resolve_scenario(scenario_file, preset_name, sets)
    if out_dir is not None:
        check_output_dir(out_dir)
    show = sys.stderr.isatty() if progress is None else progress
    res = simulate(sc, replications=replications, seed=seed, engine=engine,
                   progress=msg("cli.progress.run", name=sc.name) if show else False)
    summary = res.summary()
    if out_dir is not None:
        # One unit: tables, scenario, summary and manifest appear together or not at all.
        with atomic_folder(out_dir) as tmp:
            res.write(tmp, fmt)
            atomic_write(tmp / "scenario.toml", lambda p: p.write_text(sc.to_toml(), "utf-8"))
            atomic_write(tmp / "summary.json",
                         lambda p: p.write_text(json_text(summary, indent=2) + "\n", "utf-8"))
            write_manifest(tmp, command="simkit run", scenario=sc.name, seed=seed,
                           replications=replications, engine=res.engine, format=fmt)
    if as_json:
        click.echo(json_text(summary))
    else:
        click.echo(format_summary(summary, cli_language()))
        if out_dir is not None:
            click.echo("\n" + msg("cli.run.written", out=out_dir))


@main.command()
def presets():
    """List the built-in scenarios."""
    lang = cli_language()
    for name in preset_names():
        sc = preset(name)
        described = f"cli.preset.{name}"
        description = msg(described) if lang == "zh" and described in LABELS else sc.description
        stages = ([s.label_zh or stage_label(s.name, "zh") for s in sc.funnel.stages]
                  if lang == "zh" else sc.funnel.names)
        click.echo(_scenario_name(name, lang))
        click.echo(f"    {' '.join(description.split())}")
        stages = msg("cli.presets.stage_sep").join(stages)
        click.echo("    " + msg("cli.presets.stages", stages=stages,
                                attainment=f"{sc.expected_attainment():.1%}"))
