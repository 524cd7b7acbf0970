"""Calibrate a scenario from a CRM export, and back-test it.

Layers: :mod:`.mappings` and :mod:`.importers` read an export into the
canonical deal table (with :mod:`.quality` rules and :mod:`.privacy`
pseudonyms); :mod:`.estimate` fits the parameters known at a cutoff
(:mod:`.survival` for censored times to close); :mod:`.report` tabulates
fitted against observed; :mod:`.backtest` simulates forward from cutoffs
and scores the forecasts against what happened and against baselines
(:mod:`.scoring`); :mod:`.forecast` is the deal-level forecast a planner
reads (won so far / open pipeline / deals not yet created), with
:mod:`.arrivals` (damped-trend arrival paths) and :mod:`.tracking`
(where an export stops recording outcomes); :mod:`.synthetic` makes
exports with simkit itself where the truth is known.
"""

from simkit.crm.estimate import DEFAULT_LOOKBACK_WEEKS, Estimate, as_of, estimate
from simkit.crm.example import example_export
from simkit.crm.forecast import Forecast, forecast
from simkit.crm.importers import CRMImport, read_export
from simkit.crm.mappings import MAPPINGS, Mapping, get_mapping, load_mapping
from simkit.crm.privacy import pseudonym, pseudonymise
from simkit.crm.quality import RULES, CRMDataError, QualityReport

__all__ = [
    "DEFAULT_LOOKBACK_WEEKS",
    "MAPPINGS",
    "RULES",
    "CRMDataError",
    "CRMImport",
    "Estimate",
    "Forecast",
    "Mapping",
    "QualityReport",
    "as_of",
    "estimate",
    "example_export",
    "forecast",
    "get_mapping",
    "load_mapping",
    "pseudonym",
    "pseudonymise",
    "read_export",
]
