"""simkit: a sales-funnel training and simulation workbook.

>>> import simkit
>>> sc = simkit.preset("small-projects")
>>> sc2 = sc.override({"leads.per_rep_per_week": 6, "team.reps": 12})
>>> res = simkit.simulate(sc2, replications=200, seed=1)
>>> res.summary()["team_attainment_mean"]  # doctest: +SKIP

Time is in weeks, money in 万 CNY (10,000 CNY). See the README for concepts.
"""

from .distributions import Deterministic, Exponential, Gamma, LogNormal, Uniform
from .errors import ScenarioError, SimkitInputError
from .params import (
    Archetype,
    DealSize,
    Funnel,
    Horizon,
    Leads,
    Quota,
    Scenario,
    Source,
    Stage,
    Start,
    Team,
    conversions_from_win_probs,
    win_probs_from_conversions,
)
from .params_team import Attrition, Capacity, Commission, Hire, Hiring, PreSales, Ramp, Tier
from .planning import HeadcountPlan, compare, solve_headcount
from .presets import DEFAULT_PRESET, preset, preset_names
from .progressive import simulate_progressive
from .results import Results
from .scenario_io import load_scenario, scenario_from_dict
from .simulation import DEFAULT_REPLICATIONS, DEFAULT_SEED, simulate
from .sweep import sweep

__version__ = "0.1.0"

__all__ = [
    "Archetype",
    "DealSize",
    "DEFAULT_PRESET",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SEED",
    "Deterministic",
    "Exponential",
    "Funnel",
    "Gamma",
    "Horizon",
    "Leads",
    "LogNormal",
    "Quota",
    "Results",
    "Scenario",
    "ScenarioError",
    "SimkitInputError",
    "Source",
    "Stage",
    "Start",
    "Team",
    "Uniform",
    "conversions_from_win_probs",
    "load_scenario",
    "preset",
    "preset_names",
    "scenario_from_dict",
    "simulate",
    "simulate_progressive",
    "win_probs_from_conversions",
    # team dynamics and planning
    "Attrition",
    "Capacity",
    "Commission",
    "Hire",
    "Hiring",
    "PreSales",
    "Ramp",
    "Tier",
    "HeadcountPlan",
    "compare",
    "solve_headcount",
    "sweep",
]
