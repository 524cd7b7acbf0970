"""The course's calculators as pure functions (tables or numbers in and out).

Money is in 万 CNY (10,000 CNY), time in weeks. Stage probabilities are the
course's cumulative win probabilities; stage labels may be English keys or
the course's Chinese names.
"""

from simkit.analysis.coaching import PROBLEMS, Coaching, coaching_diagnostics
from simkit.analysis.forecast import (
    LargeProjectForecast,
    RepGap,
    RevenueForecast,
    large_project_forecast,
    rep_gap,
    revenue_forecast,
)
from simkit.analysis.funnel import (
    Coverage,
    FunnelGap,
    StandardFunnel,
    coverage_needed,
    funnel_gap,
    standard_funnel,
    weekly_projection,
)
from simkit.analysis.tables import (
    METRICS,
    goal_tracking,
    performance_table,
    target_decomposition,
)

__all__ = [
    "METRICS",
    "PROBLEMS",
    "Coaching",
    "Coverage",
    "FunnelGap",
    "LargeProjectForecast",
    "RepGap",
    "RevenueForecast",
    "StandardFunnel",
    "coaching_diagnostics",
    "coverage_needed",
    "funnel_gap",
    "goal_tracking",
    "large_project_forecast",
    "performance_table",
    "rep_gap",
    "revenue_forecast",
    "standard_funnel",
    "target_decomposition",
    "weekly_projection",
]

# The course's rules checked against the simulation moved up to simkit.planning
# (they run simulations; this layer stays pure). Old names forward for a release.
_MOVED_UP = {
    **dict.fromkeys(("ProjectsNeeded", "QuarterChance", "SimulatedProjection", "projects_needed",
                     "quarter_chance", "simulated_projection", "snapshot_scenario"),
                    "simkit.planning.course_rules"),
    **dict.fromkeys(("forecast_inputs", "forecast_rule_check"), "simkit.planning.forecast_check"),
}


def __getattr__(name: str):
    if name in _MOVED_UP:
        import importlib
        import warnings

        warnings.warn(f"simkit.analysis.{name} moved to {_MOVED_UP[name]}", DeprecationWarning,
                      stacklevel=2)
        return getattr(importlib.import_module(_MOVED_UP[name]), name)
    raise AttributeError(f"module 'simkit.analysis' has no attribute {name!r}")
