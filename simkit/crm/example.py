"""The example export shipped with simkit, so calibration works offline.

``maven_crm_central.csv`` is the Central regional office (11 agents, 3,512
opportunities) of ``sales_pipeline.csv`` from Maven Analytics' "CRM Sales
Opportunities" practice data set: generated data about a fictitious B2B
hardware company, shaped like a real CRM export, reported by its
distributors as public domain. Rows are copied unchanged (CRLF line ends
dropped). Its quirks, which the calibration report shows: Prospecting rows
have no dates (excluded as ``missing_date``); nothing closes before
2017-03-01, so cycles from before then look long; many Engaging deals are
very old and never close (the stalled share); amounts are US dollars, so
with the default divisor of 10,000 "万" means "ten thousand dollars" here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["EXAMPLE_EXPORT", "example_export"]

EXAMPLE_EXPORT = "maven_crm_central.csv"


def example_export() -> Path:
    """Path of the shipped example export (maven mapping)."""
    return Path(str(files("simkit.crm") / "data" / EXAMPLE_EXPORT))
