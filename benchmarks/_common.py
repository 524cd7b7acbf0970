"""Shared helpers for the benchmark scripts (not part of the package)."""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
import time


def command() -> str:
    return " ".join(shlex.quote(a) for a in [".venv/bin/python", *sys.argv])


def emit(name: str, **figures) -> None:
    """Print the one JSON line of a benchmark."""
    # The machine is shared: the load says how much the figures may be inflated.
    rec = {"benchmark": name, **figures, "command": command(), "cpus": os.cpu_count(),
           "load_avg_1m": round(os.getloadavg()[0], 2),
           "python": platform.python_version(), "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    print(json.dumps(rec, default=float))
