"""simkit: a sales-funnel training and simulation workbook.

>>> import simkit
>>> sc = simkit.preset("small-projects")
>>> sc2 = sc.override({"leads.per_rep_per_week": 6, "team.reps": 12})
>>> res = simkit.simulate(sc2, replications=200, seed=1)
>>> res.summary()["team_attainment_mean"]  # doctest: +SKIP

Time is in weeks, money in 万 CNY (10,000 CNY). The package is layered, and data
flows one way: model -> sim -> analysis -> planning -> crm -> course -> workbook / app
-> cli (docs/architecture.md).
"""

from simkit import _compat
from simkit.model import (
    DEFAULT_PRESET,
    Archetype,
    Attrition,
    Capacity,
    Commission,
    DealSize,
    Deterministic,
    Exponential,
    Funnel,
    Gamma,
    Hire,
    Hiring,
    Horizon,
    Leads,
    LogNormal,
    PreSales,
    Quota,
    Ramp,
    Scenario,
    ScenarioError,
    SimkitInputError,
    Source,
    Stage,
    Start,
    Team,
    Tier,
    Uniform,
    conversions_from_win_probs,
    load_scenario,
    preset,
    preset_names,
    scenario_from_dict,
    win_probs_from_conversions,
)
from simkit.planning import HeadcountPlan, compare, solve_headcount, sweep
from simkit.sim import DEFAULT_REPLICATIONS, DEFAULT_SEED, Results, simulate, simulate_progressive

_compat.install()

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
