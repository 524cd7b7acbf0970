"""The ``simkit`` command line.

Each group of commands lives in its own module and registers itself on
:data:`main`; this module only wires them up and turns bad input into a
one-paragraph error with exit status 2 (never a traceback).
"""

from __future__ import annotations

from simkit.cli import app as _app  # noqa: E402,F401
from simkit.cli import calibrate as _calibrate  # noqa: E402,F401
from simkit.cli import kit as _kit  # noqa: E402,F401

# Command modules register themselves on `main` when imported.
from simkit.cli import run as _run  # noqa: E402,F401
from simkit.cli import scenario as _scenario  # noqa: E402,F401
from simkit.cli import sweep as _sweep  # noqa: E402,F401
from simkit.cli import workbook as _workbook  # noqa: E402,F401
from simkit.cli import sandbox as _sandbox  # noqa: E402,F401
from simkit.cli.group import main

__all__ = ["main"]
