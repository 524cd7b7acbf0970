"""Property-based fuzzing of simkit's inputs (issue 17).

Each test states how many cases it generates (``max_examples``); the whole
folder runs in well under a minute. A generated input must give a clean
:class:`simkit.SimkitInputError` / :class:`simkit.ScenarioError` or a correct
result: never another exception, a NaN or Infinity in JSON output, or a
partial output folder.
"""

from __future__ import annotations

import contextlib
import json
import os


@contextlib.contextmanager
def small_budget(deals: int = 20_000):
    """A work budget small enough that every accepted fuzz case runs in milliseconds."""
    old = os.environ.get("SIMKIT_MAX_WORK")
    os.environ["SIMKIT_MAX_WORK"] = str(deals)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SIMKIT_MAX_WORK", None)
        else:
            os.environ["SIMKIT_MAX_WORK"] = old


def strict_json(text: str):
    """json.loads that refuses NaN, Infinity and -Infinity."""
    def bad(c):
        raise AssertionError(f"non-standard JSON constant {c}")

    return json.loads(text, parse_constant=bad)
