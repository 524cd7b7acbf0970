"""Shared test configuration.

Statistical tests use ``z_tolerance``: the tolerance of a mean is derived
from the replication count (|mean - theory| <= z * s / sqrt(n)), never pinned.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import simkit

# The CLI prints in SIMKIT_LANG, else the locale's language: tests that read its English
# output must not depend on the machine's locale (tests/cli/test_cli_language.py sets both).
os.environ.setdefault("SIMKIT_LANG", "en")

settings.register_profile(
    "simkit", deadline=None, max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("simkit")

# Two-sided z for a false-alarm rate of 1e-4 per check: the suite makes a few
# hundred statistical comparisons, so a wrong model fails them but sampling
# noise alone almost never does.
Z = 3.89


def z_tolerance(samples, z: float = Z) -> float:
    """z times the standard error of the mean of ``samples`` (per-replication values)."""
    x = np.asarray(samples, dtype=float)
    return z * x.std(ddof=1) / math.sqrt(len(x))


@pytest.fixture
def small():
    """The default preset (case A's small-projects branch)."""
    return simkit.preset("small-projects")
