"""The ``simkit`` command line.

Each group of commands lives in its own module and registers itself on
:data:`main`; this module only wires them up and turns bad input into a
one-paragraph error with exit status 2 (never a traceback).
"""

from __future__ import annotations

import sys

import click

from ..errors import ScenarioError, SimkitInputError


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


# Command modules register themselves on `main` when imported.
from . import run as _run  # noqa: E402,F401
from . import scenario as _scenario  # noqa: E402,F401
from . import app as _app  # noqa: E402,F401
from . import calibrate as _calibrate  # noqa: E402,F401
from . import sweep as _sweep  # noqa: E402,F401
from . import sandbox as _sandbox  # noqa: E402,F401
