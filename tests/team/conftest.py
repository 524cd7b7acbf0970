"""Fixtures for the team-dynamics and sweep tests."""

from __future__ import annotations

import pytest

import simkit


@pytest.fixture
def small():
    return simkit.preset("small-projects")
