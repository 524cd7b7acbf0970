"""``simkit sweep``: run a grid of scenarios on common random numbers and write one table."""

from __future__ import annotations

import sys

from pathlib import Path

import click

from simkit.model.errors import SimkitInputError
from simkit.sim.io import TABLE_FORMATS, atomic_write_table, check_output_file
from simkit.model.overrides import parse_value
from simkit.sim.dispatch import DEFAULT_REPLICATIONS, DEFAULT_SEED
from simkit.planning.sweep import BACKENDS
from simkit.planning.sweep import sweep as run_sweep
from simkit.cli.group import main
from simkit.cli.common import resolve_scenario, scenario_options
from simkit.cli.lang import cli_language, msg


def split_values(text: str) -> list[str]:
    """Split ``V1,V2,...`` on top-level commas (not inside [...], {...} or quotes)."""
    out, depth, quote, cur = [], 0, None, []
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return out


def parse_grid(items: tuple[str, ...]) -> dict:
    grid = {}
    for item in items:
        path, sep, values = item.partition("=")
        if not sep or not path.strip() or not values.strip():
            raise SimkitInputError("--grid", item, "PATH=V1,V2,... e.g. --grid team.reps=8,10,12")
        vals = split_values(values)
        if any(v == "" for v in vals):
            raise SimkitInputError("--grid", item, "values separated by single commas")
        if path.strip() in grid:
            raise SimkitInputError(
                "--grid", item,
                f"each path once: {path.strip()} is already given; put all its values in one "
                f"--grid {path.strip()}=V1,V2,...")
        grid[path.strip()] = [parse_value(v) for v in vals]
    return grid


@main.command()
@scenario_options
@click.option("--grid", "grids", multiple=True, required=True, metavar="PATH=V1,V2,...",
              help="A scenario path and its values, e.g. --grid team.reps=8,10,12. Repeatable; "
                   "every combination runs.")
@click.option("--replications", "-n", type=click.IntRange(min=1), default=DEFAULT_REPLICATIONS,
              show_default=True, help="Replications per scenario (the same seeds for all).")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="Where to run (default: processes on a multi-core machine when a "
                   "scenario runs on SimPy, else serial; dask with --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="A dask.distributed scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (processes / local dask backends).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output table: " + ", ".join(TABLE_FORMATS) + " by extension.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: on a terminal).")
def sweep(scenario_file, preset_name, sets, grids, replications, seed, backend, scheduler,
          workers, out, progress):
    """Run every combination of --grid values on common random numbers.

    Writes one long table (a row per scenario and metric: mean, se, 95%
    confidence interval) to --out, atomically.
    """
    if out.suffix.lower() not in TABLE_FORMATS:
        raise SimkitInputError("--out", str(out), "a name ending in " + ", ".join(TABLE_FORMATS))
    if scheduler and backend not in (None, "dask"):
        raise SimkitInputError("--scheduler", scheduler, "only with --backend dask")
    check_output_file(out)
    base = resolve_scenario(scenario_file, preset_name, sets)
    grid = parse_grid(grids)
    show = sys.stderr.isatty() if progress is None else progress
    table = run_sweep(base, grid, replications=replications, seed=seed, backend=backend,
                      workers=workers, scheduler=scheduler,
                      progress=msg("cli.progress.sweep") if show else False)
    atomic_write_table(table, out)
    att = table[table["metric"] == "attainment"]
    cols = list(grid) + ["mean", "ci_low", "ci_high"]
    click.echo(msg("cli.sweep.header", scenarios=table["scenario"].nunique(),
                   replications=replications, seed=seed))
    # Grid columns keep their scenario paths (team.reps), as a scenario file writes them.
    shown = att[cols]
    if cli_language() == "zh":
        import pandas as pd

        # The course writes attainment as a percentage; CJK headers take two columns.
        shown = shown.rename(columns={c: msg(f"cli.sweep.{c}") for c in cols[len(grid):]})
        with pd.option_context("display.unicode.east_asian_width", True):
            text = shown.to_string(index=False, formatters={
                msg(f"cli.sweep.{c}"): "{:.1%}".format for c in cols[len(grid):]})
    else:
        text = shown.to_string(index=False)
    click.echo(text)
    click.echo(msg("cli.wrote", out=out))
