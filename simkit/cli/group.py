"""The ``simkit`` command group; command modules register on :data:`main`."""

from __future__ import annotations

import sys

import click

from simkit.model.errors import ScenarioError, SimkitInputError

__all__ = ["main"]


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ScenarioError, SimkitInputError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simkit")
def main() -> None:
    """simkit: simulate a sales funnel, and plan and train with it.

    Time is in weeks and money in 万 CNY (10,000 CNY).
    """
