"""Calibrate a scenario from a CRM export, and back-test it.

Layers: :mod:`.mappings` and :mod:`.importers` read an export into the
canonical deal table (with :mod:`.quality` rules and :mod:`.privacy`
pseudonyms); :mod:`.estimate` fits the parameters known at a cutoff
(:mod:`.survival` for censored times to close); :mod:`.report` tabulates
fitted against observed; :mod:`.backtest` simulates forward from cutoffs
and scores the forecasts against what happened and against naive baselines.
"""

from .estimate import DEFAULT_LOOKBACK_WEEKS, Estimate, as_of, estimate
from .example import example_export
from .importers import CRMImport, read_export
from .mappings import MAPPINGS, Mapping, get_mapping, load_mapping
from .privacy import pseudonym, pseudonymise
from .quality import RULES, CRMDataError, QualityReport

__all__ = [
    "DEFAULT_LOOKBACK_WEEKS",
    "MAPPINGS",
    "RULES",
    "CRMDataError",
    "CRMImport",
    "Estimate",
    "Mapping",
    "QualityReport",
    "as_of",
    "estimate",
    "example_export",
    "get_mapping",
    "load_mapping",
    "pseudonym",
    "pseudonymise",
    "read_export",
]
