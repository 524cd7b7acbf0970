"""The course's calculators as pure functions (tables or numbers in and out).

Money is in 万 CNY (10,000 CNY), time in weeks. Stage probabilities are the
course's cumulative win probabilities; stage labels may be English keys or
the course's Chinese names.
"""

from simkit.analysis.against_sim import (
    ProjectsNeeded,
    QuarterChance,
    SimulatedProjection,
    projects_needed,
    quarter_chance,
    simulated_projection,
    snapshot_scenario,
)
from simkit.analysis.coaching import PROBLEMS, Coaching, coaching_diagnostics
from simkit.analysis.forecast import (
    LargeProjectForecast,
    RepGap,
    RevenueForecast,
    large_project_forecast,
    rep_gap,
    revenue_forecast,
)
from simkit.analysis.forecast_check import forecast_inputs, forecast_rule_check
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
    "ProjectsNeeded",
    "QuarterChance",
    "RepGap",
    "RevenueForecast",
    "SimulatedProjection",
    "StandardFunnel",
    "coaching_diagnostics",
    "coverage_needed",
    "forecast_inputs",
    "forecast_rule_check",
    "funnel_gap",
    "goal_tracking",
    "large_project_forecast",
    "performance_table",
    "projects_needed",
    "quarter_chance",
    "rep_gap",
    "revenue_forecast",
    "simulated_projection",
    "snapshot_scenario",
    "standard_funnel",
    "target_decomposition",
    "weekly_projection",
]
